// Plain HTTP request and response values, with no Boost in sight: the
// server (server.cc) and the CLI's client (client.cc), the only two
// translation units that include Boost.Beast, convert to and from them.
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
