#include "engine/codec/http_message.h"

#include <algorithm>

#include "engine/error.h"

namespace hashpath {

bool is_http_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

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

HttpMessage HttpMessage::parse(std::string_view text) {
  HttpMessage out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    if (line.empty()) break;  // the body follows
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      throw CodecError("http", "header line " + std::to_string(line_no) + " has no 'name: value'");
    }
    std::string name(line.substr(0, colon));
    if (!is_http_token(name)) {
      throw CodecError("http",
                       "header line " + std::to_string(line_no) + " has an invalid field name");
    }
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    if (out.field(name) != nullptr) {
      throw CodecError("http", "header '" + name + "' appears twice");
    }
    out.set_field(std::move(name), std::string(value));
  }
  out.body = std::string(text);
  return out;
}

}  // namespace hashpath
