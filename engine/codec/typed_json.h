// The typed JSON view of a rich message: how `hashpath message convert`
// reads and writes the `structured` format, and how tools show a message to
// a person. Every Value kind has exactly one form, so the view round-trips:
//
//   binary   "text"                     (valid UTF-8)
//            {"@bytes": "<base64url>"}  (anything else)
//   integer  42
//   float    1.5, 2.0                   (always with '.' or an exponent)
//   atom     true | false | null | {"@atom": "name"}
//   list     [ ... ]
//   map      { "key": ..., ... }
//   link     {"@link": "<43-char ID>"} or {"@link": "...", "lazy": true}
//
// A map whose only key starts with '@' is reserved for these forms.
// Errors are CodecError("typed-json", ...).
#pragma once

#include <string>
#include <string_view>

#include "engine/message/message.h"

namespace hashpath {

// RFC 3629 UTF-8 validity: no overlongs, no surrogates, at most U+10FFFF.
bool is_valid_utf8(std::string_view text);

std::string typed_json_encode(const Message& message, int indent = 2);
Message typed_json_decode(std::string_view text);

}  // namespace hashpath
