#include "engine/crypto/base64.h"

#include <array>
#include <cstdint>

#include "engine/crypto/bytes.h"
#include "engine/error.h"

namespace hashpath {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Sextet value of each byte in either alphabet, or -1.
constexpr std::array<int8_t, 256> make_decode_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(kStd[i])] = static_cast<int8_t>(i);
    t[static_cast<unsigned char>(kUrl[i])] = static_cast<int8_t>(i);
  }
  return t;
}
constexpr auto kDecode = make_decode_table();

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  const auto* p = as_uchar(in);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{p[i]} << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) { return encode(bytes, kUrl, false); }
std::string base64_encode(std::string_view bytes) { return encode(bytes, kStd, true); }

std::string base64_decode(std::string_view text) {
  // Strip at most two trailing '=' and require that padding, if present,
  // completes a 4-character group.
  size_t len = text.size();
  size_t padding = 0;
  while (len > 0 && text[len - 1] == '=' && padding < 2) {
    --len;
    ++padding;
  }
  if (padding > 0 && text.size() % 4 != 0) {
    throw CodecError("base64", "padding does not complete a 4-character group");
  }
  if (len % 4 == 1) {
    throw CodecError("base64", "length " + std::to_string(len) + " is not a valid encoding");
  }
  auto bad = [&](size_t i) {
    return CodecError("base64", "invalid character at offset " + std::to_string(i));
  };
  std::string out(len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1), '\0');
  char* o = out.data();
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {  // whole groups: four sextets, three bytes
    int32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int8_t d = kDecode[static_cast<unsigned char>(text[i + k])];
      if (d < 0) throw bad(i + k);
      v = (v << 6) | d;
    }
    *o++ = static_cast<char>(v >> 16);
    *o++ = static_cast<char>((v >> 8) & 0xff);
    *o++ = static_cast<char>(v & 0xff);
  }
  if (i < len) {  // two or three sextets: one or two bytes
    uint32_t acc = 0;
    int bits = 0;
    for (; i < len; ++i) {
      int8_t d = kDecode[static_cast<unsigned char>(text[i])];
      if (d < 0) throw bad(i);
      acc = (acc << 6) | static_cast<uint32_t>(d);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        *o++ = static_cast<char>((acc >> bits) & 0xff);
      }
    }
  }
  return out;
}

bool is_human_id(std::string_view text) {
  if (text.size() != 43) return false;
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace hashpath
