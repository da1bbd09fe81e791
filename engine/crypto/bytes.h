// Byte strings. Hashpath passes raw bytes as std::string (owning) and
// std::string_view (borrowed): both are cheap, hashable, and what the codecs
// produce and consume. This header holds the helpers that turn them into the
// unsigned views the crypto libraries want.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hashpath {

inline const unsigned char* as_uchar(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

inline std::string bytes_from(const unsigned char* p, size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n);
}

// Lowercase hexadecimal; hex_decode accepts either case and rejects odd lengths
// and non-hex characters (CodecError).
std::string hex_encode(std::string_view bytes);
// 0-15 for a hexadecimal digit of either case, -1 for anything else.
int hex_digit_value(char c);
std::string hex_decode(std::string_view hex);

}  // namespace hashpath
