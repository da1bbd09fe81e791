#include "engine/store/record_delta.h"

#include <zlib.h>

#include <memory>
#include <stdexcept>

#include "engine/codec/coding.h"

namespace hashpath {
namespace {

constexpr size_t kHeader = 4 + 32;
// A base and record that fit in 4 KiB together get a compressor sized for
// them (as deflated.cc's small inputs): its reset clears a quarter of the
// hash table a 32 KiB window needs.
constexpr size_t kSmallWindowInput = 4096;

// One raw-deflate compressor per thread and size class, reset between uses.
class DictionaryDeflater {
 public:
  explicit DictionaryDeflater(bool small) {
    // Negative window bits: a raw stream, no zlib header or checksum (the
    // store checks the record's SHA-256 instead).
    if (deflateInit2(&zs_, 1, Z_DEFLATED, small ? -12 : -15, small ? 4 : 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
      throw std::runtime_error("record delta: zlib will not start");
  }
  ~DictionaryDeflater() { deflateEnd(&zs_); }
  DictionaryDeflater(const DictionaryDeflater&) = delete;
  DictionaryDeflater& operator=(const DictionaryDeflater&) = delete;

  void deflate_into(std::string_view bytes, std::string_view dictionary, std::string& out) {
    deflateReset(&zs_);
    if (deflateSetDictionary(&zs_, reinterpret_cast<const Bytef*>(dictionary.data()),
                             static_cast<uInt>(dictionary.size())) != Z_OK)
      throw std::runtime_error("record delta: zlib refused the base as a dictionary");
    const size_t at = out.size();
    out.resize(at + deflateBound(&zs_, static_cast<uLong>(bytes.size())));
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs_.avail_in = static_cast<uInt>(bytes.size());
    zs_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    zs_.avail_out = static_cast<uInt>(out.size() - at);
    if (::deflate(&zs_, Z_FINISH) != Z_STREAM_END)
      throw std::runtime_error("record delta: zlib could not compress " +
                               std::to_string(bytes.size()) + " bytes");
    out.resize(at + zs_.total_out);
  }

 private:
  z_stream zs_{};
};

class DictionaryInflater {
 public:
  DictionaryInflater() {
    if (inflateInit2(&zs_, -15) != Z_OK)
      throw std::runtime_error("record delta: zlib will not start");
  }
  ~DictionaryInflater() { inflateEnd(&zs_); }
  DictionaryInflater(const DictionaryInflater&) = delete;
  DictionaryInflater& operator=(const DictionaryInflater&) = delete;

  // Inflates `stream` into `out` (sized to the length it must have); true
  // if the stream ends exactly there.
  bool inflate_exactly(std::string_view stream, std::string_view dictionary, std::string& out,
                       int* rc) {
    inflateReset(&zs_);
    *rc = inflateSetDictionary(&zs_, reinterpret_cast<const Bytef*>(dictionary.data()),
                               static_cast<uInt>(dictionary.size()));
    if (*rc != Z_OK) return false;
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream.data()));
    zs_.avail_in = static_cast<uInt>(stream.size());
    zs_.next_out = reinterpret_cast<Bytef*>(out.data());
    zs_.avail_out = static_cast<uInt>(out.size());
    *rc = ::inflate(&zs_, Z_FINISH);
    return *rc == Z_STREAM_END && zs_.total_out == out.size() && zs_.avail_in == 0;
  }

 private:
  z_stream zs_{};
};

}  // namespace

std::string encode_record_delta(std::string_view record, std::string_view base_hash,
                                std::string_view base_record) {
  if (record.size() > UINT32_MAX) throw std::length_error("record delta: more than 4 GiB");
  if (base_hash.size() != 32) throw std::invalid_argument("record delta: a base hash is 32 bytes");
  if (base_record.size() > kMaxDeltaBase)
    throw std::invalid_argument("record delta: a base is at most 32 KiB");
  thread_local std::unique_ptr<DictionaryDeflater> deflaters[2];
  const bool small = base_record.size() + record.size() <= kSmallWindowInput;
  std::unique_ptr<DictionaryDeflater>& deflater = deflaters[small ? 1 : 0];
  if (!deflater) deflater = std::make_unique<DictionaryDeflater>(small);
  std::string out;
  put_be32(out, static_cast<uint32_t>(record.size()));
  out.append(base_hash);
  deflater->deflate_into(record, base_record, out);
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
  thread_local DictionaryInflater inflater;
  std::string out(n, '\0');
  int rc = Z_OK;
  if (!inflater.inflate_exactly(blob.substr(kHeader), base_record, out, &rc)) {
    *why = "does not inflate against its base to the " + std::to_string(n) +
           " bytes it claims (zlib " + std::to_string(rc) + ")";
    return std::nullopt;
  }
  return out;
}

}  // namespace hashpath
