// An HTTP request as an AO-Core message (docs/protocol.md §8.1).
//
// The codec is chosen by the `codec-device` header, else by content type
// (application/ans104 → ans104@1.0, application/json → json@1.0), else
// httpsig@1.0. Every signature on the request is verified: an invalid one
// is a RequestError (400), never silently dropped. A signed httpsig request
// keeps only the keys its signatures cover.
//
// Hashpath fix (docs/protocol.md §8.1): transport headers (host, user-agent,
// connection, accept*, content-length, ...) are not message keys, so a
// request's hashpath does not depend on the client software.
#pragma once

#include <string>

#include "engine/error.h"
#include "engine/http/http_types.h"
#include "engine/message/message.h"

namespace hashpath {

struct DecodedRequest {
  std::string codec;  // httpsig@1.0, ans104@1.0, json@1.0
  Message message;    // the singleton: the request's keys plus `path` and `method`
};

DecodedRequest decode_request(const HttpRequest& request);

// True for headers that describe the transport, not the message.
bool is_transport_header(std::string_view name);

}  // namespace hashpath
