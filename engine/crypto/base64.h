// Base64 (RFC 4648 §4) and base64url (§5).
//
// Encoders: base64url never pads (the AO "human ID" form); base64 always pads.
// The decoder is deliberately lenient in the ways AO producers differ and
// strict in every other way: it accepts both alphabets, with or without `=`
// padding, and rejects anything else (other characters, padding in the
// middle, a length that no encoding can have) with a CodecError.
#pragma once

#include <string>
#include <string_view>

namespace hashpath {

std::string base64url_encode(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);  // either alphabet, padding optional

// True when `text` is a 43-character base64url string, the human form of a
// 32-byte ID.
bool is_human_id(std::string_view text);

}  // namespace hashpath
