#include "engine/codec/http_message.h"

#include <algorithm>

namespace hashpath {
namespace {
bool name_less(const std::pair<std::string, std::string>& f, std::string_view n) {
  return std::string_view(f.first) < n;
}
}  // namespace

const std::string* HttpMessage::field(std::string_view name) const {
  auto it = std::lower_bound(fields.begin(), fields.end(), name, name_less);
  return it != fields.end() && it->first == name ? &it->second : nullptr;
}

void HttpMessage::set_field(std::string name, std::string value) {
  auto it = std::lower_bound(fields.begin(), fields.end(), std::string_view(name), name_less);
  if (it != fields.end() && it->first == name) {
    it->second = std::move(value);
  } else {
    fields.insert(it, {std::move(name), std::move(value)});
  }
}

void HttpMessage::remove_field(std::string_view name) {
  auto it = std::lower_bound(fields.begin(), fields.end(), name, name_less);
  if (it != fields.end() && it->first == name) fields.erase(it);
}

std::string HttpMessage::serialize() const {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.append("\r\n");
    out.append(fields[i].first).append(": ").append(fields[i].second);
  }
  if (!body.empty()) out.append("\r\n\r\n").append(body);
  return out;
}

}  // namespace hashpath
