// A resolution result as an HTTP response (docs/protocol.md §8.2).
//
// Status: the result's `status` key, else the result status's code. Codec:
// `require-codec` (406 if unsupported), else `accept-codec`, else `accept`
// (application/json → json@1.0, application/ans104 → ans104@1.0,
// device/NAME → NAME), else httpsig@1.0. A literal result (`ao-result:
// body`) is sent as its value. Every response carries CORS headers and, for
// a computed message, its `hashpath`.
#pragma once

#include "engine/http/http_types.h"
#include "engine/resolve/device.h"

namespace hashpath {

// How the client asked for the reply (docs/protocol.md §8.2), from the request's headers
// and from the keys of the request message (aoconnect sends `accept-codec`
// and `accept-bundle` as ANS-104 tags). A header wins over a key.
struct ReplyPreferences {
  std::string codec = "httpsig@1.0";
  bool required = false;       // require-codec: an unsupported codec is a 406
  bool accept_bundle = false;  // nested messages sent whole, not as links
};
ReplyPreferences reply_preferences(const HttpRequest& request, const Message* request_message);

HttpResponse encode_response(const HttpRequest& request, const ResolveResult& result,
                             const ReplyPreferences& preferences);
inline HttpResponse encode_response(const HttpRequest& request, const ResolveResult& result) {
  return encode_response(request, result, reply_preferences(request, nullptr));
}

// CORS headers added to every reply (and the whole reply to OPTIONS).
void add_cors_headers(const HttpRequest& request, HttpResponse& response);

}  // namespace hashpath
