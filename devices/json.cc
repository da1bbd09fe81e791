#include "devices/json.h"

#include "engine/codec/commitments.h"
#include "engine/codec/json.h"
#include "engine/error.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {

ResolveResult JsonDevice::call(std::string_view key, const Message& base, const Message&,
                               Resolver& resolver) {
  if (key == "serialize") {
    Message content = base;
    if (resolver.store() != nullptr)
      content = load_children(*resolver.store(), Value(base)).as_map();
    content.remove("device");
    content.remove("priv");
    return ResolveResult::ok(Value(
        Message{{"content-type", "application/json"}, {"body", Value(json_encode(content))}}));
  }
  const Value* body = base.find("body");
  if (body == nullptr || !body->is_binary())
    return ResolveResult::error(400, "json@1.0 deserialize: the message has no JSON body");
  try {
    Message decoded = json_decode(body->as_binary());
    // Commitments in JSON are claims, like any other key, until verified.
    if (Status s = verify_commitments_deep(Value(decoded)); !s.is_ok()) {
      return ResolveResult::error(400, "json@1.0 deserialize: invalid commitment: " + s.reason());
    }
    return ResolveResult::ok(Value(std::move(decoded)));
  } catch (const Error& e) {
    return ResolveResult::error(400, std::string("json@1.0 deserialize: ") + e.what());
  }
}

}  // namespace hashpath
