// flat@1.0: a TABM as one level of `/`-joined paths (docs/message-formats.md, "flat@1.0").
//
//   {a: {b: "v"}, c: "w"}  ⇄  {"a/b": "v", "c": "w"}
//
// Text form (config files, `hashpath message convert`): one `path: value`
// line per key, sorted by path. Values cannot hold newlines and keys cannot
// hold `/` or ": " in this form; encoding such a message is a CodecError
// rather than silently producing something that parses differently. An empty
// nested map is written as `path/ao-types: empty-message` (HyperBEAM's word
// for it), so that it survives the round trip.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/message/message.h"

namespace hashpath {

// Path → value, sorted by path. Not a Message: paths are not keys, and an ID
// segment inside a path must keep its case.
using FlatMap = std::vector<std::pair<std::string, std::string>>;

FlatMap flat_from_tabm(const Message& tabm);
Message flat_to_tabm(const FlatMap& flat);

std::string flat_serialize(const FlatMap& flat);
FlatMap flat_parse(std::string_view text);

// Rich message ⇄ flat text, through structured@1.0 with children inline.
std::string flat_encode(const Message& message);
Message flat_decode(std::string_view text);

}  // namespace hashpath
