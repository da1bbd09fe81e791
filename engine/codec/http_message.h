// An HTTP message as httpsig@1.0 sees it: lowercase field names with
// values, and a body. Fields are kept sorted by name (the order in which
// HyperBEAM serialises them and builds signature bases).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashpath {

// RFC 9110 §5.1: a field name is a token (any case).
bool is_http_token(std::string_view name);

struct HttpMessage {
  std::vector<std::pair<std::string, std::string>> fields;  // sorted, unique names
  std::string body;

  const std::string* field(std::string_view name) const;
  void set_field(std::string name, std::string value);  // keeps order; replaces
  void remove_field(std::string_view name);

  // A whole message as bytes: `name: value` lines joined by CRLF, then CRLF CRLF + body if any.
  std::string serialize() const;
  // The inverse: header lines up to the first empty line (CRLF or LF line
  // ends), names lowercased; the rest is the body. CodecError on a line with
  // no ": " or a repeated name.
  static HttpMessage parse(std::string_view text);
};

}  // namespace hashpath
