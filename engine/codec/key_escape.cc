#include "engine/codec/key_escape.h"

#include "engine/crypto/bytes.h"
#include "engine/error.h"

namespace hashpath {
namespace {

bool passes_through(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
         c == '/' || c == '?' || c == '&';
}

}  // namespace

std::string escape_key(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (passes_through(c)) {
      out.push_back(c);
    } else {
      auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return out;
}

std::string unescape_key(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '%') {
      out.push_back(escaped[i]);
      continue;
    }
    int hi = i + 2 < escaped.size() ? hex_digit_value(escaped[i + 1]) : -1;
    int lo = i + 2 < escaped.size() ? hex_digit_value(escaped[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      throw CodecError("key-escape", "bad percent-escape at offset " + std::to_string(i) + " in '" +
                                         std::string(escaped) + "'");
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
    i += 2;
  }
  return out;
}

}  // namespace hashpath
