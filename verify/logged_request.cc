#include "verify/logged_request.h"

#include "engine/codec/message_id.h"

namespace hashpath {
namespace {

// The copy named by `signed_id` (in `scope`), or, when `full_id` is given,
// the keys of the copy stored under `full_id` with the commitments of the
// one under `signed_id`; it must have both IDs.
Status load_logged_copy(Store& store, const std::string& signed_raw, IdScope scope,
                        const std::string& full_raw, std::string_view what, Message& out) {
  const std::string id = id_from_bytes(signed_raw);
  std::optional<Value> signed_copy = get_full(store, id);
  if (!signed_copy || !signed_copy->is_map())
    return Status::rejected(std::string(what) + " message " + id + " is not in the store");
  if (full_raw.empty()) {
    out = signed_copy->as_map();
    return Status::ok();
  }
  const std::string full = id_from_bytes(full_raw);
  std::optional<Value> keys = get_full(store, full);
  if (!keys || !keys->is_map())
    return Status::rejected("full " + std::string(what) + " message " + full +
                            " is not in the store");
  Message copy = keys->as_map();
  copy.remove("commitments");
  if (const Value* c = signed_copy->as_map().find("commitments")) copy.set("commitments", *c);
  if (message_id(Value(copy), IdScope::kUnsigned) != full || message_id(Value(copy), scope) != id) {
    return Status::rejected("the full " + std::string(what) + " " + full + " is not a copy of " +
                            std::string(what) + " " + id + " (the store was altered)");
  }
  out = std::move(copy);
  return Status::ok();
}

}  // namespace

Status load_logged_request(Store& store, const LogEntry& e, Message& out) {
  return load_logged_copy(store, e.req, IdScope::kSigned, e.req_full, "request", out);
}

Status load_logged_base(Store& store, const LogEntry& e, Message& out) {
  return load_logged_copy(store, e.base, IdScope::kEveryCommitment, e.base_full, "base", out);
}

}  // namespace hashpath
