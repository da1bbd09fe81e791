// A small blocking HTTP/1.1 client (Boost.Beast), for the `hashpath`
// commands that talk to a running node. One request per connection.
#pragma once

#include <string>

#include "engine/error.h"
#include "engine/http/http_types.h"

namespace hashpath {

// Sends `request` (method, target, headers, body) to `base_url`
// (`http://host[:port]`, no path) and returns the response. HttpClientError
// names the URL for a bad URL, a refused connection or a timeout.
HttpResponse http_fetch(const std::string& base_url, const HttpRequest& request,
                        int timeout_seconds = 60);

}  // namespace hashpath
