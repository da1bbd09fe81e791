#include "engine/codec/json_document.h"

#include "engine/error.h"
#include "engine/message/message.h"

namespace hashpath {

nlohmann::json parse_json_document(std::string_view text, const char* codec) {
  bool too_deep = false;
  // The callback sees every value as it starts; refusing deep input here
  // keeps both the parser and our recursive conversion off a deep stack.
  auto guard = [&too_deep](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxNestingDepth) too_deep = true;
    return !too_deep;
  };
  try {
    nlohmann::json doc = nlohmann::json::parse(text, guard);
    if (too_deep) {
      throw CodecError(codec, "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    }
    return doc;
  } catch (const nlohmann::json::exception& e) {  // parse_error, out_of_range (1e999), ...
    if (too_deep) {
      throw CodecError(codec, "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    }
    throw CodecError(codec, std::string("malformed JSON: ") + e.what());
  }
}

std::string dump_json_document(const nlohmann::json& doc, const char* codec, int indent) {
  try {
    return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::type_error& e) {
    throw CodecError(codec, std::string("cannot write JSON: ") + e.what());
  }
}

}  // namespace hashpath
