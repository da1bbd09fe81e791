#include "devices/push.h"

#include "devices/process.h"

#include <algorithm>

#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/wallet.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {
namespace {

Message not_delivered(std::string reason) {
  return Message{
      {"response", "error"}, {"status", Value::integer(404)}, {"reason", Value(std::move(reason))}};
}

std::string text_of(const Message& m, std::string_view key) { return m.text(key).value_or(""); }

}  // namespace

ResolveResult PushDevice::push_slot(const Message& process, int64_t slot, int64_t depth,
                                    Resolver& resolver) {
  Message as_process = process;
  as_process.set("device", "process@1.0");
  ResolveResult computed =
      resolver.step(as_process, Message{{"path", "compute"}, {"slot", Value::integer(slot)}},
                    ResolveOptions::internal());
  if (!computed.is_ok()) return computed;
  std::string pid = message_id(Value(process), IdScope::kSigned);
  Message out{{"process", Value(pid)}, {"slot", Value::integer(slot)}};
  const Value* results = computed.value.as_map().find("results");
  const Value* outbox =
      results != nullptr && results->is_map() ? results->as_map().find("outbox") : nullptr;
  if (outbox == nullptr || !outbox->is_map()) return ResolveResult::ok(Value(std::move(out)));
  // Byte order of the outbox keys, as patch@1.0 applies them (docs/devices.md §4).
  for (const auto& [key, entry] : outbox->as_map()) {
    if (!entry.is_map()) continue;
    Message message = entry.as_map();
    std::string target = text_of(message, "target");
    if (target.empty()) {
      out.set(key, Value(not_delivered("Target process not available.")));
      continue;
    }
    std::optional<Value> target_process = get_full(*resolver.store(), target);
    if (!target_process || !target_process->is_map() ||
        text_of(target_process->as_map(), "device") != "process@1.0") {
      out.set(key, Value(not_delivered("Could not access target process!")));
      continue;
    }
    message.remove("commitments");
    message.set("data-protocol", "ao");
    message.set("variant", "ao.N.1");
    message.set("type", "Message");
    message.set("from-process", Value(pid));
    Message signed_message = commit_with_wallet(message, node_->wallet());
    Message target_base = target_process->as_map();
    target_base.set("device", "process@1.0");
    ResolveResult scheduled = resolver.step(
        target_base,
        Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(signed_message)}},
        ResolveOptions::internal());
    if (!scheduled.is_ok() || !scheduled.value.is_map()) {
      out.set(key, Value(not_delivered("the target's scheduler refused the message")));
      continue;
    }
    int64_t target_slot = scheduled.value.as_map().integer("slot").value_or(-1);
    Message delivered{{"id", Value(message_id(Value(signed_message), IdScope::kSigned))},
                      {"target", Value(target)},
                      {"slot", Value::integer(target_slot)}};
    if (depth > 0) {
      ResolveResult next = push_slot(target_process->as_map(), target_slot, depth - 1, resolver);
      delivered.set("resulted-in", next.value);
    }
    out.set(key, Value(std::move(delivered)));
  }
  return ResolveResult::ok(Value(std::move(out)));
}

ResolveResult PushDevice::call(std::string_view, const Message& base, const Message& request,
                               Resolver& resolver) {
  if (resolver.store() == nullptr) return ResolveResult::error(500, "push@1.0 needs a store");
  Message process = process_definition(base);
  int64_t depth = std::clamp<int64_t>(request.integer("result-depth").value_or(1), 0, kMaxDepth);
  std::optional<int64_t> slot = request.integer("slot");
  if (!slot) {
    Message as_process = process;
    as_process.set("device", "process@1.0");
    Message schedule = request;
    schedule.set("path", "schedule");
    schedule.set("method", "POST");
    ResolveResult scheduled = resolver.step(as_process, schedule, ResolveOptions::internal());
    if (!scheduled.is_ok() || !scheduled.value.is_map()) return scheduled;
    const Message& assignment = scheduled.value.as_map();
    const Value* body = assignment.find("body");
    if (body != nullptr && body->is_map() && text_of(body->as_map(), "type") == "Process")
      return scheduled;
    slot = assignment.integer("slot");
    if (!slot) return ResolveResult::error(500, "the scheduler's assignment has no slot");
    // The pushed message's ID beside its slot (aoconnect's `message` reads it).
    ResolveResult pushed = push_slot(process, *slot, depth, resolver);
    if (pushed.is_ok() && pushed.value.is_map() && body != nullptr && body->is_map()) {
      Message out = pushed.value.as_map();
      out.set("id", Value(message_id(*body, IdScope::kSigned)));
      pushed.value = Value(std::move(out));
    }
    return pushed;
  }
  return push_slot(process, *slot, depth, resolver);
}

}  // namespace hashpath
