#include "devices/process.h"

#include <optional>

#include "devices/aos_result_document.h"
#include "devices/scheduler.h"
#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {
namespace {

std::string state_alias(const std::string& pid, int64_t slot) {
  return "process-state/" + pid + "/" + std::to_string(slot);
}

Message initial_state(const Message& definition) {
  Message state = definition;
  state.remove("commitments");
  state.set("process", Value(definition));
  state.set("at-slot", Value::integer(-1));
  state.set("device", "process@1.0");
  return state;
}

// Runs `key` of the scheduler device on the state.
ResolveResult scheduler_call(const Message& state, const Message& request, Resolver& resolver) {
  Message as_scheduler = state;
  as_scheduler.set(
      "device",
      Value(process_definition(state).text("scheduler-device").value_or("scheduler@1.0")));
  return resolver.step(as_scheduler, request, ResolveOptions::internal());
}

ResolveResult latest_slot(const Message& state, Resolver& resolver, const std::string& pid,
                          int64_t& latest) {
  ResolveResult r =
      scheduler_call(state, Message{{"path", "slot"}, {"target", Value(pid)}}, resolver);
  if (!r.is_ok() || !r.value.is_map()) return r;
  latest = r.value.as_map().integer("current").value_or(-1);
  return r;
}

// The execution device on `state`, for `request` (an assignment, or a
// lifecycle key such as `normalize`).
ResolveResult execute(const Message& state, const Message& definition, Message request,
                      std::string_view key, Resolver& resolver) {
  Message running = state;
  running.set("device", Value(definition.text("execution-device").value_or("")));
  request.set("path", Value(std::string(key)));
  return resolver.step(running, request, ResolveOptions::internal());
}

// The state after a slot whose execution failed: unchanged but for the
// slot and `results`, which carry the error (a failing message must not
// stop the process: later slots still run).
Message failed_slot(const Message& state, const ResolveResult& failure) {
  Message next = state;
  Message error = as_message(failure.value);
  if (!error.contains("status")) error.set("status", Value::integer(failure.http_status()));
  next.set("results", Value(Message{{"error", Value(std::move(error))}}));
  return next;
}

}  // namespace

Message process_definition(const Message& base) {
  if (const Value* p = base.find("process"); p != nullptr && p->is_map()) return p->as_map();
  Message d = committed_projection(base);
  d.remove("priv");
  return d;
}

std::shared_ptr<std::mutex> ProcessDevice::lock_of(const std::string& pid) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<std::mutex>& m = locks_[pid];
  if (m == nullptr) m = std::make_shared<std::mutex>();
  return m;
}

std::optional<Message> ProcessDevice::remembered_state(const std::string& pid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = remembered_.find(pid);
  if (it == remembered_.end()) return std::nullopt;
  it->second.last_used = ++clock_;
  return it->second.state;
}

void ProcessDevice::remember_state(const std::string& pid, const Message& state) {
  std::lock_guard<std::mutex> lock(mu_);
  if (remembered_.size() >= kRememberedStates && remembered_.count(pid) == 0) {
    auto oldest = remembered_.begin();
    for (auto i = remembered_.begin(); i != remembered_.end(); ++i) {
      if (i->second.last_used < oldest->second.last_used) oldest = i;
    }
    remembered_.erase(oldest);
  }
  remembered_[pid] = RememberedState{state, ++clock_};
}

ResolveResult ProcessDevice::compute_to(const Message& base, std::optional<int64_t> target,
                                        Resolver& resolver, bool from_definition) {
  if (resolver.store() == nullptr) return ResolveResult::error(500, "process@1.0 needs a store");
  // Stored definitions hold their children as links; devices need them whole.
  Message definition = load_children(*resolver.store(), Value(process_definition(base))).as_map();
  std::string pid = message_id(Value(definition), IdScope::kSigned);
  std::string execution = definition.text("execution-device").value_or("");
  if (execution.empty())
    return ResolveResult::error(400, "process " + pid + " names no execution-device");
  Message state = initial_state(definition);
  std::optional<Message> remembered = remembered_state(pid);
  auto remembered_at = [&](int64_t s) {
    return remembered && remembered->integer("at-slot").value_or(-2) == s;
  };
  // A slot already computed is read, without asking the scheduler.
  if (target && *target >= 0 && !from_definition) {
    if (remembered_at(*target)) return ResolveResult::ok(Value(*remembered));
    if (std::optional<Value> stored = get_full(*resolver.store(), state_alias(pid, *target));
        stored && stored->is_map())
      return ResolveResult::ok(std::move(*stored));
  }
  int64_t latest = -1;
  if (ResolveResult r = latest_slot(state, resolver, pid, latest); !r.is_ok()) return r;
  int64_t slot = target.value_or(latest);
  if (slot < 0) return ResolveResult::not_found("process " + pid + " has no assigned slots yet");
  if (slot > latest) {
    return ResolveResult::not_found("slot " + std::to_string(slot) + " of process " + pid +
                                    " is not assigned yet (latest: " + std::to_string(latest) +
                                    ")");
  }
  // One computation per process at a time: its execution state is shared.
  std::shared_ptr<std::mutex> process_lock = lock_of(pid);
  std::lock_guard<std::mutex> hold(*process_lock);
  // Resume from the nearest stored state at or below the target (the one
  // remembered in memory is the same message as the stored one).
  for (int64_t s = slot; s >= 0 && !from_definition; --s) {
    if (remembered_at(s)) {
      state = *remembered;
      break;
    }
    if (std::optional<Value> cached = get_full(*resolver.store(), state_alias(pid, s));
        cached && cached->is_map()) {
      state = cached->as_map();
      break;
    }
  }
  int64_t at = state.integer("at-slot").value_or(-1);
  if (at == slot) return ResolveResult::ok(Value(std::move(state)));
  // Going on from a stored state needs the execution device's live state
  // for it (a Lua state cannot be stored): `normalize` tells; without it
  // the process is recomputed from its definition.
  if (at >= 0) {
    ResolveResult ready = execute(state, definition, Message{}, "normalize", resolver);
    if (!ready.is_ok() && ready.status != ResolveResult::Outcome::kNotFound) {
      // The device may name an earlier state it can resume from (a WASM
      // process's memory snapshot); else the definition's.
      std::optional<int64_t> from =
          ready.value.is_map() ? ready.value.as_map().integer("resume-from-slot") : std::nullopt;
      std::optional<Value> earlier;
      if (from && *from >= 0 && *from < at)
        earlier = get_full(*resolver.store(), state_alias(pid, *from));
      if (earlier && earlier->is_map() &&
          execute(earlier->as_map(), definition, Message{}, "normalize", resolver).is_ok()) {
        state = earlier->as_map();
        at = *from;
      } else {
        state = initial_state(definition);
        at = -1;
      }
    }
  }
  // The slot at which the computation started over from slot 0, if it did.
  std::optional<int64_t> restarted_at;
  for (; at < slot; ++at) {
    ResolveResult next = scheduler_call(state, Message{{"path", "next"}}, resolver);
    if (!next.is_ok()) return next;
    Message assignment = next.value.as_map().at("body").as_map();
    Message running = state;
    running.remove("results");
    ResolveResult computed = execute(running, definition, assignment, "compute", resolver);
    // The execution device lost its live state on the way (a Lua slot that
    // ran out of memory drops it): start over from the definition, once per
    // slot. The outcome is the same however the slots were batched.
    if (computed.http_status() == 409 && at >= 0 && restarted_at != at) {
      restarted_at = at;
      state = initial_state(definition);
      at = -2;  // the loop's ++at makes it -1
      continue;
    }
    if (computed.is_ok() && !computed.value.is_map()) {
      computed = ResolveResult::error(500, "the execution device returned a " +
                                               std::string(kind_name(computed.value.kind())) +
                                               ", not a state");
    }
    state = computed.is_ok() ? computed.value.as_map() : failed_slot(running, computed);
    state.remove("priv");
    state.set("device", "process@1.0");
    state.set("process", Value(definition));
    state.set("at-slot", Value::integer(at + 1));
    resolver.put_and_alias(state, state_alias(pid, at + 1), /*by_last_id=*/true);
    remember_state(pid, state);
  }
  return ResolveResult::ok(Value(std::move(state)));
}

ResolveResult ProcessDevice::call(std::string_view key, const Message& base, const Message& request,
                                  Resolver& resolver) {
  if (key == "push") {
    Message definition = process_definition(base);
    Message as_push = definition;
    as_push.set("device", Value(definition.text("push-device").value_or("push@1.0")));
    return resolver.step(as_push, request, ResolveOptions::internal());
  }
  if (key == "schedule") {
    Message definition = process_definition(base);
    Message req = request;
    // Messages for this process (not a spawn) target it.
    if (const Value* body = req.find("body");
        body != nullptr && body->is_map() && !body->as_map().contains("target") &&
        body->as_map().text("type").value_or("") != "Process") {
      Message b = body->as_map();
      b.set("target", Value(message_id(Value(definition), IdScope::kSigned)));
      req.set("body", Value(std::move(b)));
    }
    if (req.text("method").value_or("") != "POST")
      req.set("target", Value(message_id(Value(definition), IdScope::kSigned)));
    return scheduler_call(initial_state(definition), req, resolver);
  }
  if (key == "slot") {
    Message definition = process_definition(base);
    return scheduler_call(
        initial_state(definition),
        Message{{"path", "slot"},
                {"target", Value(message_id(Value(definition), IdScope::kSigned))}},
        resolver);
  }
  if (key == "now") return compute_to(base, std::nullopt, resolver);
  if (key == "as=execution") {
    ResolveResult now = compute_to(base, std::nullopt, resolver);
    if (!now.is_ok()) return now;
    // The execution device must hold the live state for it (a restarted node
    // has the stored state only): recomputed from the definition if not.
    const Message definition = process_definition(base);
    if (now.value.as_map().integer("at-slot").value_or(-1) >= 0) {
      ResolveResult ready =
          execute(now.value.as_map(), definition, Message{}, "normalize", resolver);
      if (!ready.is_ok() && ready.status != ResolveResult::Outcome::kNotFound) {
        now = compute_to(base, now.value.as_map().integer("at-slot"), resolver, true);
        if (!now.is_ok()) return now;
      }
    }
    Message state = now.value.as_map();
    state.set("dry-run", Value::boolean(true));
    state.remove("results");
    return ResolveResult::ok(Value(std::move(state)));
  }
  if (key == "compute" && is_dry_run(base)) {
    // The execution device computes the request over the state and keeps
    // nothing of it (the state's `dry-run` tells it); the answer is the
    // result as aoconnect's dryrun reads it.
    Message state = base;
    state.remove("results");
    ResolveResult computed = execute(state, process_definition(base), request, "compute", resolver);
    if (!computed.is_ok() || !computed.value.is_map()) return computed;
    const Value* results = computed.value.as_map().find("results");
    std::optional<Message> document =
        aos_result_document(results != nullptr ? as_message(*results) : Message{});
    if (!document) return computed;  // not an AOS process: the state it computed
    return ResolveResult::ok(Value(std::move(*document)));
  }
  if (key.rfind("results=", 0) == 0) {
    const std::string_view digits = key.substr(8);
    int64_t slot = 0;
    bool valid = !digits.empty() && digits.size() <= 18;
    for (char c : digits) {
      valid = valid && c >= '0' && c <= '9';
      slot = slot * 10 + (c - '0');
    }
    if (!valid)
      return ResolveResult::error(
          400, "results=N needs a slot number, not '" + std::string(digits) + "'");
    ResolveResult computed = compute_to(base, slot, resolver);
    if (!computed.is_ok()) return computed;
    const Value* results = computed.value.as_map().find("results");
    Message r = results != nullptr ? as_message(*results) : Message{};
    // An AOS process's result (WASM or Lua): aoconnect reads it as `raw`.
    if (std::optional<Message> document = aos_result_document(r))
      return ResolveResult::ok(Value(std::move(*document)));
    return ResolveResult::ok(Value(std::move(r)));
  }
  if (key == "snapshot") return snapshot(base, request, resolver);
  return compute_to(base, request.integer("slot"), resolver);
}

// A Lua state cannot be serialised (docs/devices.md §5.5): a Hashpath snapshot names
// the state after a slot together with the assignment chain head that
// produced it, so anyone can check it by recomputing the process from
// slot 0 (`hashpath replay --process PID --to-slot S`).
ResolveResult ProcessDevice::snapshot(const Message& base, const Message& request,
                                      Resolver& resolver) {
  ResolveResult computed = compute_to(base, request.integer("slot"), resolver);
  if (!computed.is_ok()) return computed;
  const Message& state = computed.value.as_map();
  std::string pid = message_id(Value(process_definition(base)), IdScope::kSigned);
  int64_t slot = state.integer("at-slot").value_or(-1);
  std::optional<Message> assignment = stored_assignment(resolver, pid, slot);
  if (!assignment)
    return ResolveResult::not_found("the assignment of slot " + std::to_string(slot) +
                                    " is missing");
  return ResolveResult::ok(
      Value(Message{{"process", Value(pid)},
                    {"at-slot", Value::integer(slot)},
                    {"hash-chain", Value(assignment->text("hash-chain").value_or(""))},
                    {"assignment", Value(message_id(Value(*assignment), IdScope::kSigned))},
                    {"state-id", Value(message_id(computed.value, IdScope::kUnsigned))},
                    {"restore", "replay"},
                    {"state", computed.value}}));
}

}  // namespace hashpath
