#include "verify/logged_request.h"

#include "engine/codec/message_id.h"

namespace hashpath {

Status load_logged_request(Store& store, const LogEntry& e, Message& out) {
  const std::string req = id_from_bytes(e.req);
  std::optional<Value> signed_copy = get_full(store, req);
  if (!signed_copy || !signed_copy->is_map())
    return Status::rejected("request message " + req + " is not in the store");
  if (e.req_full.empty()) {
    out = signed_copy->as_map();
    return Status::ok();
  }
  const std::string full = id_from_bytes(e.req_full);
  std::optional<Value> keys = get_full(store, full);
  if (!keys || !keys->is_map())
    return Status::rejected("full request message " + full + " is not in the store");
  Message request = keys->as_map();
  request.remove("commitments");
  if (const Value* c = signed_copy->as_map().find("commitments")) request.set("commitments", *c);
  if (message_id(Value(request), IdScope::kUnsigned) != full ||
      message_id(Value(request), IdScope::kSigned) != req) {
    return Status::rejected("the full request " + full + " is not a copy of request " + req +
                            " (the store was altered)");
  }
  out = std::move(request);
  return Status::ok();
}

}  // namespace hashpath
