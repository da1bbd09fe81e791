#include "engine/codec/json_document.h"

#include <limits>

#include "engine/error.h"

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
      throw CodecError(codec,
                       "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    }
    return doc;
  } catch (const nlohmann::json::exception& e) {  // parse_error, out_of_range (1e999), ...
    if (too_deep) {
      throw CodecError(codec,
                       "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
    }
    throw CodecError(codec, std::string("malformed JSON: ") + e.what());
  }
}

Value json_to_value(const nlohmann::json& j, const char* codec, const JsonObjectDecoder& object) {
  using nlohmann::json;
  switch (j.type()) {
    case json::value_t::string:
      return Value(j.get_ref<const std::string&>());
    case json::value_t::number_integer:
      return Value::integer(j.get<int64_t>());
    case json::value_t::number_unsigned: {
      auto u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw CodecError(codec, "integer " + std::to_string(u) + " does not fit in 64 bits");
      }
      return Value::integer(static_cast<int64_t>(u));
    }
    case json::value_t::number_float:
      return Value::floating(j.get<double>());
    case json::value_t::boolean:
      return Value::boolean(j.get<bool>());
    case json::value_t::null:
      return Value::atom("null");
    case json::value_t::array: {
      List list;
      list.reserve(j.size());
      for (const auto& e : j) list.push_back(json_to_value(e, codec, object));
      return Value(std::move(list));
    }
    case json::value_t::object:
      return object(j);
    default:
      throw CodecError(codec, "unsupported JSON value");
  }
}

Value json_object_to_message(const nlohmann::json& object, const char* codec,
                             const JsonObjectDecoder& members) {
  std::vector<Message::Entry> entries;
  entries.reserve(object.size());
  for (const auto& [k, v] : object.items())
    entries.emplace_back(k, json_to_value(v, codec, members));
  return Value(Message::from_entries(std::move(entries)));
}

std::string dump_json_document(const nlohmann::json& doc, const char* codec, int indent) {
  try {
    return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::type_error& e) {
    throw CodecError(codec, std::string("cannot write JSON: ") + e.what());
  }
}

}  // namespace hashpath
