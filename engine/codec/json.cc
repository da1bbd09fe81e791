#include "engine/codec/json.h"

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
  std::function<Value(const json&)> plain = [&plain](const json& object) {
    return json_object_to_message(object, kCodec, plain);
  };
  return json_to_value(j, kCodec, plain);
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
