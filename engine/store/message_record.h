// How a stored message is laid out as bytes (see docs/store-format.md).
//
// A record is the message's TABM with children replaced by `key+link` IDs
// (so children are records of their own), commitments included:
//
//   record  = map
//   map     = u32 count, count × entry            (entries in key order)
//   entry   = u32 key-length, key, u8 kind, body
//   kind 0  = binary: u64 length, bytes
//   kind 1  = map:    map
//
// Integers are little-endian. Decoding is strict: trailing bytes, an
// unknown kind, a length past the end or nesting deeper than 64 levels is a
// CodecError("message-record", ...).
#pragma once

#include <string>
#include <string_view>

#include "engine/message/message.h"

namespace hashpath {

std::string encode_record(const Message& tabm);
Message decode_record(std::string_view bytes);

}  // namespace hashpath
