#include "engine/message/key.h"

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

std::string normalize_key(std::string_view key) {
  return is_id_length(key) ? std::string(key) : ascii_lowercase(key);
}

bool is_private_key(std::string_view key) { return key.substr(0, 4) == "priv"; }

bool is_regenerated_key(std::string_view key) {
  return key == "unsigned_id" || key == "content-digest";
}

}  // namespace hashpath
