#include "engine/codec/json.h"

#include <limits>

#include "engine/codec/json_document.h"
#include "engine/codec/structured.h"
#include "engine/error.h"

namespace hashpath {
namespace {

using nlohmann::json;
constexpr const char* kCodec = "json@1.0";

json to_json(const Message& tabm) {
  json obj = json::object();
  for (const auto& [key, v] : tabm) {
    if (v.is_binary()) {
      obj[key] = std::string(v.as_binary());
    } else if (v.is_map()) {
      obj[key] = to_json(v.as_map());
    } else {
      throw CodecError(kCodec, "'" + key + "' is a " + kind_name(v.kind()) + " inside a TABM");
    }
  }
  return obj;
}

Value from_json(const json& j) {
  switch (j.type()) {
    case json::value_t::string:
      return Value(j.get_ref<const std::string&>());
    case json::value_t::number_integer:
      return Value::integer(j.get<int64_t>());
    case json::value_t::number_unsigned: {
      auto u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw CodecError(kCodec, "integer " + std::to_string(u) + " does not fit in 64 bits");
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
      for (const auto& e : j) list.push_back(from_json(e));
      return Value(std::move(list));
    }
    case json::value_t::object: {
      std::vector<Message::Entry> entries;
      entries.reserve(j.size());
      for (const auto& [k, v] : j.items()) entries.emplace_back(k, from_json(v));
      return Value(Message::from_entries(std::move(entries)));
    }
    default:
      throw CodecError(kCodec, "unsupported JSON value");
  }
}

}  // namespace

std::string json_encode(const Message& message) {
  return dump_json_document(to_json(structured_to_tabm(Value(message))), kCodec);
}

Message json_decode(std::string_view text) {
  json doc = parse_json_document(text, kCodec);
  if (!doc.is_object()) throw CodecError(kCodec, "a message must be a JSON object");
  Value decoded = structured_from_tabm(from_json(doc).as_map());
  if (!decoded.is_map()) throw CodecError(kCodec, "the document decodes to a list, not a message");
  return decoded.as_map();
}

}  // namespace hashpath
