// HyperBEAM's hb_escape: percent-encoding of keys inside `ao-types`
// (docs/wire-formats.md, "Key escaping"). a-z 0-9 . - _ / ? & pass through;
// every other byte (uppercase letters included) becomes %xx, lowercase hex.
#pragma once

#include <string>
#include <string_view>

namespace hashpath {

std::string escape_key(std::string_view key);
// %xx (either case) → byte; a '%' not followed by two hex digits is a CodecError.
std::string unescape_key(std::string_view escaped);

}  // namespace hashpath
