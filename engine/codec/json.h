// json@1.0 (docs/message-formats.md, "json@1.0").
//
// Encoding writes the message's TABM (structured@1.0, children inline) as a
// JSON object: binaries become strings (they must be valid UTF-8), typed
// values travel as strings plus `ao-types`, `commitments` is included.
//
// Decoding accepts any JSON object: strings → binaries, integers →
// integers (64-bit), other numbers → floats, true/false/null → atoms,
// arrays → lists, objects → maps; then any `ao-types` annotations are applied
// (structured@1.0 decoding), so encode → decode is the identity.
// Errors are CodecError("json@1.0", ...).
#pragma once

#include <string>
#include <string_view>

#include "engine/message/message.h"

namespace hashpath {

std::string json_encode(const Message& message);
Message json_decode(std::string_view text);

}  // namespace hashpath
