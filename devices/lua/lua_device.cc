#include "devices/lua/lua_device.h"

#include <algorithm>
#include <optional>
#include <set>

#include "devices/lua/aos_library.h"
#include "devices/lua/lua_ao_library.h"
#include "devices/lua/lua_vm.h"
#include "devices/process.h"
#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"
#include "engine/message/key.h"
#include "engine/resolve/borrowed_keys.h"
#include "engine/resolve/resolver.h"
#include "engine/store/store.h"

namespace hashpath {
namespace {

struct Module {
  std::string name;
  std::string code;
};

std::string text(const Value* v) {
  if (v == nullptr) return {};
  if (v->is_binary()) return std::string(v->as_binary());
  if (v->is_atom()) return v->as_atom();
  return {};
}

// A module message: its code is `body`, else `data`.
std::optional<Module> module_of_message(const Message& m, std::string fallback_name) {
  const Value* code = m.find("body");
  if (code == nullptr || !code->is_binary()) code = m.find("data");
  if (code == nullptr || !code->is_binary()) return std::nullopt;
  std::string name = text(m.find("name"));
  return Module{name.empty() ? std::move(fallback_name) : name, std::string(code->as_binary())};
}

bool is_lua_content(const Message& m) {
  std::string type = ascii_lowercase(text(m.find("content-type")));
  return type.rfind("application/lua", 0) == 0 || type.rfind("text/x-lua", 0) == 0;
}

// One element of a module list: an ID to load, or a message.
ResolveResult add_module(const Value& element, Resolver& resolver, std::vector<Module>& out) {
  if (element.is_binary() || element.is_link()) {
    std::string id = element.is_link() ? element.as_link().id : std::string(element.as_binary());
    if (!looks_like_id(id))
      return ResolveResult::error(400, "a Lua module reference must be an ID, not '" + id + "'");
    std::optional<Value> loaded = resolver.store() ? get_full(*resolver.store(), id) : std::nullopt;
    if (!loaded) return ResolveResult::not_found("Lua module '" + id + "' not found.");
    if (loaded->is_binary()) {
      out.push_back(Module{id, std::string(loaded->as_binary())});
      return ResolveResult::ok(Value());
    }
    if (loaded->is_map()) {
      if (auto m = module_of_message(loaded->as_map(), id)) {
        out.push_back(std::move(*m));
        return ResolveResult::ok(Value());
      }
    }
    return ResolveResult::error(400,
                                "stored message " + id + " has no Lua code in its body or data");
  }
  if (element.is_map()) {
    std::string fallback = message_id(element, IdScope::kUnsigned);
    if (auto m = module_of_message(element.as_map(), fallback)) {
      out.push_back(std::move(*m));
      return ResolveResult::ok(Value());
    }
    return ResolveResult::error(400, "a Lua module message needs its code in body or data");
  }
  return ResolveResult::error(400,
                              std::string("a Lua module cannot be a ") + kind_name(element.kind()));
}

ResolveResult modules_of(const Message& base, Resolver& resolver, std::vector<Module>& out) {
  const Value* module = base.find("module");
  if (module == nullptr) return ResolveResult::error(400, "no-modules-found");
  if (module->is_list()) {
    for (const Value& element : module->as_list()) {
      if (ResolveResult r = add_module(element, resolver, out); !r.is_ok()) return r;
    }
  } else if (module->is_map() && !is_lua_content(module->as_map())) {
    for (const auto& [k, element] : module->as_map()) {
      (void)k;
      if (ResolveResult r = add_module(element, resolver, out); !r.is_ok()) return r;
    }
  } else if (ResolveResult r = add_module(*module, resolver, out); !r.is_ok()) {
    return r;
  }
  if (out.empty()) return ResolveResult::error(400, "no-modules-found");
  return ResolveResult::ok(Value());
}

int64_t seconds_of(const Message& request) {
  if (auto ms = request.integer("timestamp")) return *ms / 1000;
  return request.integer("block-timestamp").value_or(0);
}

// A signed message nested in `v` as its signers signed it: its committed
// keys only (committed_projection_deep). A stored copy read back by its
// commitment ID may carry keys the signature does not cover, such as a
// request's `path`; Lua must see the same message whichever copy it was
// read with.
Value as_signed(const Value& v) { return committed_projection_deep(v); }

// The parameters: the request's, else the base's, else (base, request, {}).
std::vector<Value> arguments_of(const Message& base, const Message& request) {
  for (const Message* m : {&request, &base}) {
    if (const Value* p = m->find("parameters")) {
      if (p->is_list()) return p->as_list();
      return {*p};
    }
  }
  Message public_base = base;
  public_base.remove("priv");
  return {as_signed(Value(public_base)), as_signed(Value(request)), Value(Message{})};
}

std::string function_of(std::string_view key, const Message& base, const Message& request) {
  if (const Value* body = request.find("body"); body != nullptr && body->is_map()) {
    if (std::string f = text(body->as_map().find("function")); !f.empty()) return f;
  }
  for (const Message* m : {&request, &base}) {
    if (std::string f = text(m->find("function")); !f.empty()) return f;
  }
  return std::string(key);
}

ResolveResult lua_error(const std::string& what) {
  return {ResolveResult::Outcome::kError,
          Value(Message{{"status", Value::integer(500)}, {"body", Value(what)}})};
}

// A fresh state with the modules loaded and the ao library installed. For
// a process, `ao.id` is its ID before the first module runs (programs key
// tables by it at load time: `Balances = { [ao.id] = ... }`).
ResolveResult load_state(const std::vector<Module>& modules, LuaVm::Options options,
                         const std::string& process_id, std::unique_ptr<LuaVm>& out) {
  auto vm = std::make_unique<LuaVm>(std::move(options));
  if (!process_id.empty()) {
    LuaVm::RunResult set = vm->run("ao = { id = '" + process_id + "' }", "=process");
    if (!set.ok) return lua_error("cannot set ao.id: " + set.error);
  }
  for (const auto& m : modules) {
    LuaVm::RunResult loaded = vm->run_module(m.code, m.name);
    if (!loaded.ok) return lua_error("Lua module '" + m.name + "' failed to load: " + loaded.error);
  }
  install_ao_library(vm->state());
  out = std::move(vm);
  return ResolveResult::ok(Value());
}

// Calls the function for `key` and turns what it returned into a result.
ResolveResult invoke(LuaVm& vm, std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver, bool* out_of_memory = nullptr) {
  vm.set_time(seconds_of(request));
  set_ao_resolver(vm.state(), &resolver);
  LuaVm::CallResult r = vm.call(function_of(key, base, request), arguments_of(base, request));
  set_ao_resolver(vm.state(), nullptr);
  if (out_of_memory != nullptr) *out_of_memory = r.out_of_memory;
  if (!r.ok) return lua_error(r.error);
  if (r.values.empty()) return ResolveResult::ok(Value(Message{}));
  if (r.values.size() == 1) return ResolveResult::ok(std::move(r.values[0]));
  std::string status = text(&r.values[0]);
  if (status == "ok") return ResolveResult::ok(std::move(r.values[1]));
  Value body = std::move(r.values[1]);
  if (body.is_map()) return {ResolveResult::Outcome::kError, std::move(body)};
  return {ResolveResult::Outcome::kError,
          Value(Message{{"status", Value::integer(400)}, {"body", std::move(body)}})};
}

// A process state, as process@1.0 hands it to its execution device.
bool is_process_state(const Message& base) {
  const Value* p = base.find("process");
  return p != nullptr && p->is_map() && base.integer("at-slot").has_value();
}

// A process whose definition names lua@5.3a itself as its execution device
// (as aoconnect's spawn with `execution-device: lua@5.3a` does), outside a
// stack: it runs as an AOS process (lua_device.h).
bool runs_aos_directly(const Message& base) {
  return !base.contains("device-stack") &&
         as_message(base.at("process")).text("execution-device").value_or("") == "lua@5.3a";
}

// The AOS stack's keys on such a process's state: the runtime `runtime`
// before the definition's own modules.
Message aos_stack_keys(const Message& base, const std::string& runtime) {
  List modules{Value(runtime)};
  if (const Value* own = as_message(base.at("process")).find("module")) {
    if (own->is_list()) {
      for (const Value& m : own->as_list()) modules.push_back(m);
    } else {
      modules.push_back(*own);
    }
  }
  Message keys{{"device", "stack@1.0"},
               {"device-stack", List{Value("lua@5.3a"), Value("patch@1.0")}},
               {"module", Value(std::move(modules))}};
  if (!base.contains("patch-from")) keys.set("patch-from", "/results/outbox");
  return keys;
}

// The message a dry run computes (process@1.0 as=execution): the request
// as its signers signed it, plus the text keys its path gave it (aoconnect
// puts a dry run's tags there: as=execution/compute&Action=Info).
Message dry_run_message(const Message& request) {
  const Value* body = request.find("body");
  const Message& sent = body != nullptr && body->is_map() ? body->as_map() : request;
  Message msg = sent.contains("commitments") ? committed_projection(sent) : sent;
  for (const auto& [k, v] : request) {
    if (msg.contains(k) || k == "path" || k == "method" || k == "commitments" || k == "body" ||
        !v.is_binary())
      continue;
    msg.set(k, v);
  }
  return msg;
}

ResolveResult no_live_state(const std::string& pid, int64_t at) {
  return ResolveResult::error(
      409, "no live Lua state for process " + pid + " at slot " + std::to_string(at) +
               ": Lua states are not serialised; recompute the process from slot 0");
}

// The result of a slot that ran out of memory, whether it ran or was
// skipped: the same bytes either way.
ResolveResult out_of_memory_result(int64_t slot, size_t limit) {
  return ResolveResult::error(
      500, "slot " + std::to_string(slot) + " ran out of memory (the process's memory-limit is " +
               std::to_string(limit) + " bytes); it has no effect on the process's state");
}

// What a process may ask for (`instruction-budget`, `memory-limit` in its
// definition), whatever a node's policy allows at spawn.
constexpr int64_t kMaxInstructionBudget = 10'000'000'000;
constexpr int64_t kMaxMemoryLimit = int64_t{1} << 30;
constexpr int64_t kMinMemoryLimit = int64_t{1} << 20;

}  // namespace

struct LuaDevice::LiveProcess {
  std::mutex mu;  // held while the state runs
  int64_t at_slot = -1;
  uint64_t last_used = 0;
  std::unique_ptr<LuaVm> vm;
  // Slots that ran out of memory: they have no effect, so a state rebuilt
  // from slot 0 skips them. `lost`: the state was dropped after one, and
  // slot at_slot + 1 needs it rebuilt first (409).
  std::set<int64_t> out_of_memory_slots;
  bool lost = false;
  // The last assignment applied ("<at-slot>/<hash-chain>") and its result:
  // the same step asked again (a stack re-run by replay, a retry) gets the
  // same answer instead of applying the assignment twice.
  std::string last_step;
  ResolveResult last_result;
};

ResolveResult LuaDevice::normalize_process(const Message& base) {
  std::string pid = message_id(base.at("process"), IdScope::kSigned);
  int64_t at = base.integer("at-slot").value_or(-1);
  if (at < 0) return ResolveResult::ok(Value(base));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(pid);
  if (it == live_.end() || it->second->at_slot != at) return no_live_state(pid, at);
  return ResolveResult::ok(Value(base));
}

ResolveResult LuaDevice::compute_process(const Message& raw_base, const Message& request,
                                         Resolver& resolver) {
  std::string pid = message_id(raw_base.at("process"), IdScope::kSigned);
  int64_t at = raw_base.integer("at-slot").value_or(-1);
  const std::string step = std::to_string(at) + "/" + request.text("hash-chain").value_or("");
  std::shared_ptr<LiveProcess> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(pid);
    if (it != live_.end()) live = it->second;
    if (live != nullptr && live->last_step == step) {
      live->last_used = ++clock_;
      return live->last_result;
    }
    if (at >= 0 && (live == nullptr || live->at_slot != at)) return no_live_state(pid, at);
    if (live == nullptr) {
      if (live_.size() >= max_live_) {
        auto oldest = live_.begin();
        for (auto i = live_.begin(); i != live_.end(); ++i) {
          if (i->second->last_used < oldest->second->last_used) oldest = i;
        }
        live_.erase(oldest);
      }
      live = std::make_shared<LiveProcess>();
      live_[pid] = live;
    }
    live->last_used = ++clock_;
  }
  std::lock_guard<std::mutex> running(live->mu);
  const int64_t slot = request.integer("slot").value_or(at + 1);
  if (at >= 0 && live->lost) return no_live_state(pid, at);
  const Message& definition = as_message(raw_base.at("process"));
  LuaVm::Options options;
  options.random_seed = pid;
  // A process may lower (or raise, up to 10^10) its per-message budget, and
  // set its memory (1 MiB to 1 GiB); what a node lets a spawner ask for is
  // its policy, checked at spawn (scheduler@1.0).
  if (auto budget = definition.integer("instruction-budget"); budget && *budget > 0)
    options.instruction_budget =
        static_cast<uint64_t>(std::min<int64_t>(*budget, kMaxInstructionBudget));
  if (auto memory = definition.integer("memory-limit"); memory && *memory > 0)
    options.memory_limit =
        static_cast<size_t>(std::clamp<int64_t>(*memory, kMinMemoryLimit, kMaxMemoryLimit));
  if (live->out_of_memory_slots.count(slot) != 0) {
    // Rebuilding after it: the slot is skipped, as it had no effect.
    ResolveResult r = out_of_memory_result(slot, options.memory_limit);
    live->at_slot = slot;
    std::lock_guard<std::mutex> lock(mu_);
    live->last_step = step;
    live->last_result = r;
    return r;
  }
  Message base = raw_base;
  if (resolver.store() != nullptr)
    base = load_children(*resolver.store(), Value(raw_base)).as_map();
  if (at < 0 || live->vm == nullptr) {
    // Slot -1: the process starts from its modules, seeded by its ID.
    live->lost = false;
    std::vector<Module> modules;
    if (ResolveResult r = modules_of(base, resolver, modules); !r.is_ok()) return r;
    if (ResolveResult r = load_state(modules, options, pid, live->vm); !r.is_ok()) {
      // The process's code is broken: every slot says so, and the process
      // still advances (no live state: each slot loads it again).
      live->vm.reset();
      live->at_slot = request.integer("slot").value_or(at + 1);
      return r;
    }
  }
  // The scheduled message's ID, which Lua cannot compute (AOS `msg.Id`),
  // added to the assignment as signed (a key its signature does not cover
  // would not survive as_signed).
  Message assignment = request;
  if (const Value* body = request.find("body"); body != nullptr && body->is_map()) {
    Message visible = as_signed(Value(request)).as_map();
    visible.remove("path");
    visible.set("message-id", Value(message_id(*body, IdScope::kSigned)));
    Message public_base = base;
    public_base.remove("priv");
    assignment.set("parameters", Value(List{as_signed(Value(public_base)),
                                            Value(std::move(visible)), Value(Message{})}));
  }
  bool out_of_memory = false;
  ResolveResult r = invoke(*live->vm, "compute", base, assignment, resolver, &out_of_memory);
  if (out_of_memory) {
    // The state may be half changed and its arena full: it is dropped (its
    // memory goes back to the system) and rebuilt from slot 0 without this
    // slot when the next one needs it, so the slot has no effect.
    r = out_of_memory_result(slot, options.memory_limit);
    live->vm.reset();
    live->lost = true;
    live->out_of_memory_slots.insert(slot);
  }
  if (r.is_ok() && r.value.is_map()) {
    // The definition is not Lua's to change (and its commitments do not
    // survive the trip through Lua tables). Values Lua left as they were
    // are the base's own, whose IDs are already known: only what changed
    // is hashed again when the state is stored and logged.
    Message state = r.value.as_map();
    for (const auto& [k, v] : r.value.as_map()) {
      const Value* before = base.find(k);
      if (before != nullptr && (before->is_map() || before->is_list()) && *before == v)
        state.set(k, *before);
    }
    state.set("process", raw_base.at("process"));
    state.remove("commitments");
    r.value = Value(std::move(state));
  }
  // The live state has now applied the assignment, whatever the outcome.
  live->at_slot = slot;
  std::lock_guard<std::mutex> lock(mu_);
  live->last_step = step;
  live->last_result = r;
  return r;
}

std::string LuaDevice::aos_runtime_of(const std::string& pid, Store& store) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = runtimes_.find(pid); it != runtimes_.end()) return it->second;
  }
  // Pinned the first time the process runs (the alias survives restarts), so
  // a node whose built-in runtime changed still recomputes the process with
  // the runtime it ran with.
  const std::string pin = "aos-runtime/" + pid;
  std::string runtime;
  if (std::optional<Value> pinned = store.get(pin); pinned && pinned->is_map())
    runtime = pinned->as_map().text("aos-runtime").value_or("");
  if (runtime.empty() || !store.contains(runtime)) {
    runtime = store.put(aos_library_module()).front();
    std::vector<std::string> ids = store.put(Message{{"aos-runtime", Value(runtime)}});
    store.alias(pin, ids.front());
  }
  std::lock_guard<std::mutex> lock(mu_);
  runtimes_[pid] = runtime;
  return runtime;
}

ResolveResult LuaDevice::run_as_aos_process(std::string_view key, const Message& base,
                                            const Message& request, Resolver& resolver) {
  if (resolver.store() == nullptr) return ResolveResult::error(500, "lua@5.3a needs a store");
  const std::string pid = message_id(base.at("process"), IdScope::kSigned);
  const Message keys = aos_stack_keys(base, aos_runtime_of(pid, *resolver.store()));
  // The state comes back as the process keeps it: without the stack's keys.
  return resolve_with_borrowed_keys(key, base, keys, request, resolver);
}

ResolveResult LuaDevice::dry_run_process(const Message& raw_base, const Message& request,
                                         Resolver& resolver) {
  const std::string pid = message_id(raw_base.at("process"), IdScope::kSigned);
  const int64_t at = raw_base.integer("at-slot").value_or(-1);
  std::shared_ptr<LiveProcess> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = live_.find(pid); it != live_.end()) live = it->second;
  }
  if (live == nullptr) return no_live_state(pid, at);
  std::lock_guard<std::mutex> running(live->mu);
  if (live->vm == nullptr || live->lost || live->at_slot != at) return no_live_state(pid, at);
  Message base = raw_base;
  if (resolver.store() != nullptr)
    base = load_children(*resolver.store(), Value(raw_base)).as_map();
  Message public_base = base;
  public_base.remove("priv");
  Message msg = dry_run_message(request);
  Message assignment{{"message-id", Value(message_id(Value(msg), IdScope::kSigned))},
                     {"body", Value(std::move(msg))}};
  assignment.set("parameters",
                 Value(List{as_signed(Value(public_base)), Value(assignment), Value(Message{})}));
  // The live state computes it, then is put back as it was, byte for byte.
  LuaVm::Checkpoint before = live->vm->checkpoint();
  ResolveResult r = invoke(*live->vm, "compute", base, assignment, resolver);
  live->vm->restore(before);
  return r;
}

ResolveResult LuaDevice::call(std::string_view key, const Message& raw_base, const Message& request,
                              Resolver& resolver) {
  if (raw_base.contains(key))
    return resolver.devices().message_device()->call(key, raw_base, request, resolver);
  if (is_process_state(raw_base)) {
    if (runs_aos_directly(raw_base)) return run_as_aos_process(key, raw_base, request, resolver);
    if (key == "compute" && is_dry_run(raw_base))
      return dry_run_process(raw_base, request, resolver);
    if (key == "compute") return compute_process(raw_base, request, resolver);
    if (key == "normalize") return normalize_process(raw_base);
  }
  Message base = raw_base;
  if (resolver.store() != nullptr)
    base = load_children(*resolver.store(), Value(raw_base)).as_map();
  std::vector<Module> modules;
  if (ResolveResult r = modules_of(base, resolver, modules); !r.is_ok()) return r;

  LuaVm::Options options;
  for (const auto& m : modules) options.random_seed += m.name + "\n";
  std::unique_ptr<LuaVm> vm;
  if (ResolveResult r = load_state(modules, options, "", vm); !r.is_ok()) return r;
  return invoke(*vm, key, base, request, resolver);
}

}  // namespace hashpath
