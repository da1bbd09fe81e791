// A resolution result as an HTTP response (spec/resolution-and-http.md §6.4).
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

HttpResponse encode_response(const HttpRequest& request, const ResolveResult& result);

// CORS headers added to every reply (and the whole reply to OPTIONS).
void add_cors_headers(const HttpRequest& request, HttpResponse& response);

}  // namespace hashpath
