#include "engine/codec/deflated.h"

#include <zlib.h>

#include <memory>
#include <stdexcept>

#include "engine/codec/coding.h"

namespace hashpath {

namespace {

// Inputs up to this size get a compressor sized for them: a 4 KiB window
// holds all of such an input, and a reset clears a 2,048-slot hash table
// (zlib memLevel 4) instead of the default 64 Ki slots — about a quarter of
// the time a ~650-byte record took to deflate (3.4 → 2.5 µs, measured).
constexpr size_t kSmallInput = 4096;

// One zlib compressor per thread, level and size class, reset between
// uses: a fresh one allocates about 256 KiB of state.
class Deflater {
 public:
  // `raw`: no zlib header or checksum (RFC 1951 alone).
  Deflater(int level, bool small, bool raw = false) {
    const int window_bits = (small ? 12 : 15) * (raw ? -1 : 1);
    const int mem_level = small ? 4 : 8;
    if (deflateInit2(&zs_, level, Z_DEFLATED, window_bits, mem_level, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("deflate: zlib will not start");
  }
  ~Deflater() { deflateEnd(&zs_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Appends `bytes` deflated to `out`, with `dictionary` preset if given.
  void deflate_into(std::string_view bytes, std::string& out, std::string_view dictionary = {}) {
    deflateReset(&zs_);
    if (!dictionary.empty() &&
        deflateSetDictionary(&zs_, reinterpret_cast<const Bytef*>(dictionary.data()),
                             static_cast<uInt>(dictionary.size())) != Z_OK)
      throw std::runtime_error("deflate: zlib refused a dictionary");
    const size_t at = out.size();
    out.resize(at + deflateBound(&zs_, static_cast<uLong>(bytes.size())));
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs_.avail_in = static_cast<uInt>(bytes.size());
    zs_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    zs_.avail_out = static_cast<uInt>(out.size() - at);
    if (::deflate(&zs_, Z_FINISH) != Z_STREAM_END)
      throw std::runtime_error("deflate: zlib could not compress " + std::to_string(bytes.size()) +
                               " bytes");
    out.resize(at + zs_.total_out);
  }

 private:
  z_stream zs_{};
};

}  // namespace

std::string deflate_with_length(std::string_view bytes, int level) {
  if (bytes.size() > UINT32_MAX) throw std::length_error("deflate: more than 4 GiB");
  if (level < 0 || level > 9) throw std::invalid_argument("deflate: level must be 0..9");
  thread_local std::unique_ptr<Deflater> deflaters[10][2];
  const bool small = bytes.size() <= kSmallInput;
  std::unique_ptr<Deflater>& deflater = deflaters[level][small ? 1 : 0];
  if (!deflater) deflater = std::make_unique<Deflater>(level, small);
  std::string out;
  put_be32(out, static_cast<uint32_t>(bytes.size()));
  deflater->deflate_into(bytes, out);
  return out;
}

void deflate_raw_with_dictionary(std::string_view bytes, std::string_view dictionary,
                                 std::string& out) {
  if (bytes.size() > UINT32_MAX) throw std::length_error("deflate: more than 4 GiB");
  // Level 1; the small size class when dictionary and input fit its window.
  thread_local std::unique_ptr<Deflater> deflaters[2];
  const bool small = dictionary.size() + bytes.size() <= kSmallInput;
  std::unique_ptr<Deflater>& deflater = deflaters[small ? 1 : 0];
  if (!deflater) deflater = std::make_unique<Deflater>(1, small, /*raw=*/true);
  deflater->deflate_into(bytes, out, dictionary);
}

bool inflate_raw_with_dictionary(std::string_view stream, std::string_view dictionary,
                                 std::string& out, int* zlib_status) {
  // One raw inflater per thread (a 32 KiB window takes any deflater's).
  struct Inflater {
    Inflater() {
      if (inflateInit2(&zs, -15) != Z_OK) throw std::runtime_error("inflate: zlib will not start");
    }
    ~Inflater() { inflateEnd(&zs); }
    z_stream zs{};
  };
  thread_local Inflater inflater;
  z_stream& zs = inflater.zs;
  inflateReset(&zs);
  *zlib_status = inflateSetDictionary(&zs, reinterpret_cast<const Bytef*>(dictionary.data()),
                                      static_cast<uInt>(dictionary.size()));
  if (*zlib_status != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream.data()));
  zs.avail_in = static_cast<uInt>(stream.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  *zlib_status = ::inflate(&zs, Z_FINISH);
  return *zlib_status == Z_STREAM_END && zs.total_out == out.size() && zs.avail_in == 0;
}

std::optional<std::string> inflate_with_length(std::string_view blob, uint64_t max_bytes,
                                               std::string* why) {
  if (blob.size() < 4) {
    *why = "is shorter than its length prefix";
    return std::nullopt;
  }
  const uint64_t n = get_be32(blob, 0);
  if (n > max_bytes) {
    *why = "claims " + std::to_string(n) + " bytes (at most " + std::to_string(max_bytes) + ")";
    return std::nullopt;
  }
  std::string out(n, '\0');
  uLongf size = static_cast<uLongf>(n);
  int rc = uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(blob.data() + 4),
                      static_cast<uLong>(blob.size() - 4));
  if (rc != Z_OK || size != n) {
    *why = "does not inflate (zlib " + std::to_string(rc) + ")";
    return std::nullopt;
  }
  return out;
}

}  // namespace hashpath
