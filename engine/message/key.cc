#include "engine/message/key.h"

#include <algorithm>

namespace hashpath {

bool is_normalized_key(std::string_view key) {
  if (is_id_length(key)) return true;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool looks_like_id(std::string_view text) {
  auto b64url = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  };
  auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  if (text.size() == 42 && text.substr(0, 2) == "0x") {
    return std::all_of(text.begin() + 2, text.end(), hex);
  }
  if (!is_id_length(text)) return false;
  return std::all_of(text.begin(), text.end(), b64url);
}

std::string normalize_key(std::string_view key) {
  return is_id_length(key) ? std::string(key) : ascii_lowercase(key);
}

bool is_private_key(std::string_view key) { return key.substr(0, 4) == "priv"; }

bool is_regenerated_key(std::string_view key) {
  return key == "unsigned_id" || key == "content-digest";
}

}  // namespace hashpath
