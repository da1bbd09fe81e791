// Plain HTTP request and response values passed between Boost.Beast (the
// server, server.cc, and the CLI's client, client.cc: the two translation
// units that include it) and the node's request handling.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashpath {

struct HttpRequest {
  std::string method;                                        // GET, POST, ...
  std::string target;                                        // path and query, as received
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order
  std::string body;
  std::string remote;  // peer address, for logs

  const std::string* header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string name, std::string value);  // replaces
  const std::string* header(std::string_view name) const;

  static HttpResponse text(int status, std::string body);
};

}  // namespace hashpath
