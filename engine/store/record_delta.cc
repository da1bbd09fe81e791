#include "engine/store/record_delta.h"

#include <stdexcept>

#include "engine/codec/coding.h"
#include "engine/codec/deflated.h"

namespace hashpath {
namespace {

constexpr size_t kHeader = 4 + 32;

}  // namespace

std::string encode_record_delta(std::string_view record, std::string_view base_hash,
                                std::string_view base_record) {
  if (record.size() > UINT32_MAX) throw std::length_error("record delta: more than 4 GiB");
  if (base_hash.size() != 32) throw std::invalid_argument("record delta: a base hash is 32 bytes");
  if (base_record.size() > kMaxDeltaBase)
    throw std::invalid_argument("record delta: a base is at most 32 KiB");
  std::string out;
  put_be32(out, static_cast<uint32_t>(record.size()));
  out.append(base_hash);
  deflate_raw_with_dictionary(record, base_record, out);
  return out;
}

std::optional<std::string> record_delta_base(std::string_view blob, std::string* why) {
  if (blob.size() < kHeader) {
    *why = "is shorter than a delta's header";
    return std::nullopt;
  }
  return std::string(blob.substr(4, 32));
}

std::optional<std::string> decode_record_delta(std::string_view blob, std::string_view base_record,
                                               uint64_t max_bytes, std::string* why) {
  if (blob.size() < kHeader) {
    *why = "is shorter than a delta's header";
    return std::nullopt;
  }
  const uint64_t n = get_be32(blob, 0);
  if (n > max_bytes) {
    *why = "claims " + std::to_string(n) + " bytes (at most " + std::to_string(max_bytes) + ")";
    return std::nullopt;
  }
  if (base_record.size() > kMaxDeltaBase) {
    *why = "names a base of " + std::to_string(base_record.size()) + " bytes (at most 32 KiB)";
    return std::nullopt;
  }
  std::string out(n, '\0');
  int status = 0;
  if (!inflate_raw_with_dictionary(blob.substr(kHeader), base_record, out, &status)) {
    *why = "does not inflate against its base to the " + std::to_string(n) +
           " bytes it claims (zlib " + std::to_string(status) + ")";
    return std::nullopt;
  }
  return out;
}

}  // namespace hashpath
