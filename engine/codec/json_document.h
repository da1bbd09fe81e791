// Parsing JSON text with the nesting limit every Hashpath decoder shares.
// Internal to the codecs that read JSON (json@1.0, the typed view).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace hashpath {

// Parses `text`; CodecError(codec, ...) on malformed JSON or nesting deeper
// than kMaxNestingDepth.
nlohmann::json parse_json_document(std::string_view text, const char* codec);

// Serialises `doc`; CodecError(codec, ...) if a string is not valid UTF-8.
std::string dump_json_document(const nlohmann::json& doc, const char* codec, int indent = -1);

}  // namespace hashpath
