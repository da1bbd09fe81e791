#include "engine/codec/typed_json.h"

#include <cmath>

#include "engine/codec/json_document.h"
#include "engine/crypto/base64.h"
#include "engine/error.h"

namespace hashpath {
namespace {

using nlohmann::json;
constexpr const char* kCodec = "typed-json";

json to_json(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBinary: {
      std::string_view b = v.as_binary();
      if (is_valid_utf8(b)) return std::string(b);
      return json{{"@bytes", base64url_encode(b)}};
    }
    case Value::Kind::kInteger:
      return v.as_integer();
    case Value::Kind::kFloat:
      if (!std::isfinite(v.as_float())) throw CodecError(kCodec, "a float must be finite");
      return v.as_float();
    case Value::Kind::kAtom: {
      const std::string& a = v.as_atom();
      if (a == "true") return true;
      if (a == "false") return false;
      if (a == "null") return nullptr;
      return json{{"@atom", a}};
    }
    case Value::Kind::kList: {
      json arr = json::array();
      for (const auto& e : v.as_list()) arr.push_back(to_json(e));
      return arr;
    }
    case Value::Kind::kMap: {
      json obj = json::object();
      for (const auto& [k, e] : v.as_map()) obj[k] = to_json(e);
      return obj;
    }
    case Value::Kind::kLink: {
      json obj{{"@link", v.as_link().id}};
      if (v.as_link().lazy) obj["lazy"] = true;
      return obj;
    }
  }
  throw CodecError(kCodec, "unknown value kind");
}

Value from_json(const json& j);

Value from_special(const json& j) {
  if (j.size() == 1 && j.contains("@bytes") && j["@bytes"].is_string()) {
    return Value(base64_decode(j["@bytes"].get<std::string>()));
  }
  if (j.size() == 1 && j.contains("@atom") && j["@atom"].is_string()) {
    return Value::atom(j["@atom"].get<std::string>());
  }
  if (j.contains("@link") && j["@link"].is_string() &&
      (j.size() == 1 || (j.size() == 2 && j.contains("lazy") && j["lazy"].is_boolean()))) {
    return Value::link(j["@link"].get<std::string>(), j.size() == 2 && j["lazy"].get<bool>());
  }
  throw CodecError(kCodec, "unknown special form " + j.dump().substr(0, 80));
}

Value from_json(const json& j) {
  std::function<Value(const json&)> objects = [&objects](const json& object) {
    if (!object.empty() && object.begin().key().rfind('@', 0) == 0) return from_special(object);
    return json_object_to_message(object, kCodec, objects);
  };
  return json_to_value(j, kCodec, objects);
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

std::string typed_json_encode(const Message& message, int indent) {
  return dump_json_document(to_json(Value(message)), kCodec, indent);
}

Message typed_json_decode(std::string_view text) {
  json doc = parse_json_document(text, kCodec);
  if (!doc.is_object()) throw CodecError(kCodec, "a message must be a JSON object");
  Value v = from_json(doc);
  if (!v.is_map()) throw CodecError(kCodec, "a message must be a JSON object");
  return v.as_map();
}

}  // namespace hashpath
