// Parsing JSON text with the nesting limit every Hashpath decoder shares.
// Internal to the codecs that read JSON (json@1.0, the typed view).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/message/message.h"

namespace hashpath {

// Parses `text`; CodecError(codec, ...) on malformed JSON or nesting deeper
// than kMaxNestingDepth.
nlohmann::json parse_json_document(std::string_view text, const char* codec);

// JSON → Value: strings → binaries, integers → 64-bit integers (CodecError
// beyond), other numbers → floats, true/false/null → atoms, arrays → lists.
// Objects go to `object`, which may give some of them special meaning and
// calls back into json_to_value for members.
using JsonObjectDecoder = std::function<Value(const nlohmann::json& object)>;
Value json_to_value(const nlohmann::json& j, const char* codec, const JsonObjectDecoder& object);

// The plain object decoder: every member becomes a key of a Message.
Value json_object_to_message(const nlohmann::json& object, const char* codec,
                             const JsonObjectDecoder& members);

// Serialises `doc`; CodecError(codec, ...) if a string is not valid UTF-8.
std::string dump_json_document(const nlohmann::json& doc, const char* codec, int indent = -1);

}  // namespace hashpath
