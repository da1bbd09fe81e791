// Fixed-width integers in byte strings: the one place their byte order is
// spelled out (as LevelDB's util/coding.h). Each format names its order:
// store records (docs/store-format.md) and ANS-104 headers are
// little-endian; the log journal, entry bundles (docs/log-format.md) and
// ANS-104 bundle headers are big-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hashpath {

// `width` bytes, least significant first; bytes past the eighth are zero.
inline void put_le(std::string& out, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i)
    out.push_back(static_cast<char>(i < 8 ? (v >> (8 * i)) & 0xff : 0));
}

// `width` bytes, most significant first; bytes before the last eight are zero.
inline void put_be(std::string& out, uint64_t v, size_t width) {
  for (size_t i = width; i-- > 0;)
    out.push_back(static_cast<char>(i < 8 ? (v >> (8 * i)) & 0xff : 0));
}

inline void put_le32(std::string& out, uint32_t v) { put_le(out, v, 4); }
inline void put_le64(std::string& out, uint64_t v) { put_le(out, v, 8); }
inline void put_be16(std::string& out, uint16_t v) { put_be(out, v, 2); }
inline void put_be32(std::string& out, uint32_t v) { put_be(out, v, 4); }
inline void put_be64(std::string& out, uint64_t v) { put_be(out, v, 8); }

// The 4 bytes at `at`, most significant first; the caller checks the bounds.
inline uint32_t get_be32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}

// The `width` bytes at `at`, most significant first; the caller checks the bounds.
inline uint64_t get_be(std::string_view in, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}

}  // namespace hashpath
