#include "devices/wasm/wasm64_device.h"

#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

// `key` from the request's body, else the request, else the base.
const Value* lookup(std::string_view key, const Message& base, const Message& request) {
  if (const Value* body = request.find("body"); body != nullptr && body->is_map()) {
    if (const Value* v = body->as_map().find(key)) return v;
  }
  if (const Value* v = request.find(key)) return v;
  return base.find(key);
}

std::string output_prefix(const Message& base) { return base.text("output-prefix").value_or(""); }

// The message at `prefix` (a/b) of `m`, or an empty one.
Message child_at(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  return v != nullptr && v->is_map() ? v->as_map() : Message{};
}

// `state` with `results/<prefix>` (prefix may be empty) given `fields`.
Message with_results(Message state, const std::string& prefix, const Message& fields) {
  Message results = child_at(state, "results");
  if (prefix.empty()) {
    for (const auto& [k, v] : fields) results.set(k, v);
  } else {
    Message mine = child_at(results, prefix);
    for (const auto& [k, v] : fields) mine.set(k, v);
    results.set(prefix, Value(std::move(mine)));
  }
  state.set("results", Value(std::move(results)));
  return state;
}

// Appends what the module wrote to `vfs/dev/<name>`.
Message with_output(Message state, const WasiHost::Output& out) {
  if (out.stdout_text.empty() && out.stderr_text.empty()) return state;
  Message vfs = child_at(state, "vfs");
  Message dev = child_at(vfs, "dev");
  auto append = [&](const char* name, const std::string& text) {
    if (text.empty()) return;
    std::string before = dev.text(name).value_or("");
    dev.set(name, Value(before + text));
  };
  append("stdout", out.stdout_text);
  append("stderr", out.stderr_text);
  vfs.set("dev", Value(std::move(dev)));
  state.set("vfs", Value(std::move(vfs)));
  return state;
}

// The call's arguments in the export's types.
ResolveResult arguments_for(const WasmSignature& sig, const Value* parameters,
                            std::vector<WasmValue>& out) {
  List given;
  if (parameters != nullptr) {
    if (parameters->is_list()) {
      given = parameters->as_list();
    } else if (parameters->is_map()) {
      for (const auto& [k, v] : parameters->as_map()) given.push_back(v);  // "1".."n"
    } else {
      given.push_back(*parameters);
    }
  }
  if (given.size() != sig.params.size())
    return ResolveResult::error(400, "the function " + signature_text(sig) + " takes " +
                                         std::to_string(sig.params.size()) + " parameters, not " +
                                         std::to_string(given.size()));
  for (size_t i = 0; i < given.size(); ++i) {
    const Value& v = given[i];
    const WasmType t = sig.params[i];
    const bool want_float = t == WasmType::kF32 || t == WasmType::kF64;
    if (want_float ? !v.is_float() : !v.is_integer())
      return ResolveResult::error(400, "parameter " + std::to_string(i + 1) + " must be " +
                                           (want_float ? "a float" : "an integer") + " for " +
                                           signature_text(sig));
    switch (t) {
      case WasmType::kI32:
        out.push_back(WasmValue::i32(static_cast<uint32_t>(v.as_integer())));
        break;
      case WasmType::kI64:
        out.push_back(WasmValue::i64(static_cast<uint64_t>(v.as_integer())));
        break;
      case WasmType::kF32:
        out.push_back(WasmValue::f32(static_cast<float>(v.as_float())));
        break;
      case WasmType::kF64:
        out.push_back(WasmValue::f64(v.as_float()));
        break;
    }
  }
  return ResolveResult::ok(Value());
}

Value to_message_value(const WasmValue& v) {
  switch (v.type) {
    case WasmType::kI32:
      return Value::integer(static_cast<int32_t>(v.as_u32()));
    case WasmType::kI64:
      return Value::integer(static_cast<int64_t>(v.as_u64()));
    case WasmType::kF32:
      return Value::floating(v.as_f32());
    case WasmType::kF64:
      return Value::floating(v.as_f64());
  }
  return Value();
}

// Import modules named by `stdlib/<module>` (or `<prefix>/stdlib/<module>`)
// on the base: each import calls its device's key `field` with `args`.
WasiHost::ModuleResolver stdlib_resolver(const Message& base, Resolver& resolver) {
  Message stdlib = child_at(base, "stdlib");
  if (std::string prefix = output_prefix(base); !prefix.empty()) {
    for (const auto& [k, v] : child_at(child_at(base, prefix), "stdlib")) stdlib.set(k, v);
  }
  return [stdlib, &resolver](std::string_view module, std::string_view field,
                             const WasmSignature& signature, std::span<const WasmValue> args,
                             std::vector<WasmValue>& results, Status& status) {
    const Value* lib = stdlib.find(module);
    if (lib == nullptr || !lib->is_map()) return false;
    List arg_values;
    for (const WasmValue& a : args) arg_values.push_back(to_message_value(a));
    Message request{{"path", Value(std::string(field))}, {"args", Value(std::move(arg_values))}};
    ResolveResult r = resolver.resolve(lib->as_map(), request, ResolveOptions::internal());
    if (r.status == ResolveResult::Outcome::kNotFound) return false;
    if (!r.is_ok()) {
      status = Status::rejected("stdlib " + std::string(module) + "/" + std::string(field) +
                                " failed (" + std::to_string(r.http_status()) + ")");
      return true;
    }
    List answer = r.value.is_list() ? r.value.as_list() : List{r.value};
    results.clear();
    for (size_t i = 0; i < signature.results.size(); ++i) {
      const WasmType t = signature.results[i];
      const Value* v = i < answer.size() ? &answer[i] : nullptr;
      if (v == nullptr || !(v->is_integer() || v->is_float())) {
        status = Status::rejected("stdlib " + std::string(module) + "/" + std::string(field) +
                                  " answered no number for result " + std::to_string(i + 1));
        return true;
      }
      const double f = v->is_float() ? v->as_float() : static_cast<double>(v->as_integer());
      const int64_t n = v->is_integer() ? v->as_integer() : static_cast<int64_t>(v->as_float());
      switch (t) {
        case WasmType::kI32:
          results.push_back(WasmValue::i32(static_cast<uint32_t>(n)));
          break;
        case WasmType::kI64:
          results.push_back(WasmValue::i64(static_cast<uint64_t>(n)));
          break;
        case WasmType::kF32:
          results.push_back(WasmValue::f32(static_cast<float>(f)));
          break;
        case WasmType::kF64:
          results.push_back(WasmValue::f64(f));
          break;
      }
    }
    status = Status::ok();
    return true;
  };
}

// Calls the function on `instance`; the state with its results.
ResolveResult run(WasmInstance& instance, WasiHost& host, const std::string& function,
                  const Value* parameters, const Message& base, Resolver& resolver) {
  WasmSignature sig;
  if (Status s = instance.export_signature(function, sig); !s.is_ok())
    return ResolveResult::error(400, s.reason());
  std::vector<WasmValue> args;
  if (ResolveResult r = arguments_for(sig, parameters, args); !r.is_ok()) return r;
  host.set_module_resolver(stdlib_resolver(base, resolver));
  WasmCall call = instance.call(function, args);
  host.set_module_resolver(nullptr);
  WasiHost::Output out = host.take_output();
  const std::string prefix = output_prefix(base);
  if (!call.status.is_ok()) return ResolveResult::error(500, call.status.reason());
  List output;
  for (const WasmValue& v : call.results) output.push_back(to_message_value(v));
  Message fields{{"type", "ok"}, {"output", Value(std::move(output))}};
  if (!out.undefined_calls.empty()) {
    List calls;
    for (const std::string& c : out.undefined_calls) calls.push_back(Value(c));
    fields.set("undefined-calls", Value(std::move(calls)));
  }
  return ResolveResult::ok(Value(with_output(with_results(base, prefix, fields), out)));
}

}  // namespace

ResolveResult Wasm64Device::call(std::string_view key, const Message& base, const Message& request,
                                 Resolver& resolver) {
  const bool process = is_wasm_process_state(base);
  if (key == "normalize") {
    if (!process) return ResolveResult::ok(Value(base));
    return processes_->ready(base);
  }
  if (key == "init") {
    if (process) {
      std::shared_ptr<LiveWasmProcess> live;
      if (ResolveResult r = processes_->acquire(base, request, resolver, live); !r.is_ok())
        return r;
      return ResolveResult::ok(Value(base));
    }
    std::string bytes;
    if (ResolveResult r = module_bytes_of(base, resolver, bytes); !r.is_ok()) return r;
    WasiHost host;
    std::unique_ptr<WasmInstance> instance;
    if (Status s = processes_->engine().instantiate(bytes, host, WasmLimits{}, instance);
        !s.is_ok())
      return ResolveResult::error(422, s.reason());
    return ResolveResult::ok(Value(base));
  }
  if (key == "compile") {
    std::string bytes;
    if (ResolveResult r = module_bytes_of(base, resolver, bytes); !r.is_ok()) return r;
    WasmLimits as_a_process;  // processes always run metered (docs/wasm.md §8)
    as_a_process.max_steps_per_call = 1;
    std::string runs_on;
    bool compiled = false;
    if (Status s = processes_->engine().prepare(bytes, as_a_process, runs_on, compiled); !s.is_ok())
      return ResolveResult::error(422, "the module cannot be prepared: " + s.reason());
    return ResolveResult::ok(Value(
        Message{{"runs-on", Value(runs_on)}, {"compiled", Value(compiled ? "true" : "false")}}));
  }
  if (key == "snapshot") {
    if (!process) return ResolveResult::error(400, "wasm-64@1.0 snapshots a process state");
    std::shared_ptr<LiveWasmProcess> live;
    if (ResolveResult r = processes_->acquire(base, request, resolver, live); !r.is_ok()) return r;
    std::lock_guard<std::mutex> running(live->mu);
    std::string memory;
    if (Status s = live->instance->read(0, live->instance->memory_size(), memory); !s.is_ok())
      return ResolveResult::error(500, s.reason());
    return ResolveResult::ok(Value(Message{{"body", Value(std::move(memory))}}));
  }
  if (key != "compute")
    return ResolveResult::not_found("wasm-64@1.0 has no key " + std::string(key));

  if (base.integer("pass").value_or(1) > 1) return ResolveResult::ok(Value(base));
  const Value* function = lookup("function", base, request);
  if (function == nullptr) return ResolveResult::ok(Value(base));
  if (!function->is_binary())
    return ResolveResult::error(400, "function must be the name of an export");
  const std::string name(function->as_binary());
  const Value* parameters = lookup("parameters", base, request);

  if (!process) {
    std::string bytes;
    Message module_message;
    if (ResolveResult r = module_bytes_of(base, resolver, bytes, &module_message); !r.is_ok())
      return r;
    uint64_t limit = 0;
    if (ResolveResult r = memory_limit_of(base, resolver, limit); !r.is_ok()) return r;
    WasmLimits limits;
    limits.max_memory_bytes = limit;
    limits.max_steps_per_call = steps_per_call_of(base, module_message);
    WasiHost host;
    std::unique_ptr<WasmInstance> instance;
    if (Status s = processes_->engine().instantiate(bytes, host, limits, instance); !s.is_ok())
      return ResolveResult::error(422, s.reason());
    if (const Value* snap = base.find("snapshot"); snap != nullptr) {
      const Value* memory = snap->is_map() ? snap->as_map().find("body") : snap;
      if (memory == nullptr || !memory->is_binary())
        return ResolveResult::error(400, "snapshot must carry the memory as its body");
      if (Status s = instance->grow_to(memory->as_binary().size()); !s.is_ok())
        return ResolveResult::error(400, "snapshot: " + s.reason());
      if (Status s = instance->write(0, memory->as_binary()); !s.is_ok())
        return ResolveResult::error(400, "snapshot: " + s.reason());
    }
    return run(*instance, host, name, parameters, base, resolver);
  }

  std::shared_ptr<LiveWasmProcess> live;
  if (ResolveResult r = processes_->acquire(base, request, resolver, live); !r.is_ok()) return r;
  std::lock_guard<std::mutex> running(live->mu);
  const int64_t slot = live->begin_step(base, request);
  if (auto a = live->answers.find("wasm-64/compute"); a != live->answers.end()) return a->second;
  ResolveResult r;
  if (auto t = live->trapped_slots.find(slot); t != live->trapped_slots.end()) {
    // Rebuilding after a trap: the slot is skipped, with the same error.
    r = ResolveResult::error(500, t->second);
  } else {
    r = run(*live->instance, *live->host, name, parameters, base, resolver);
    if (!r.is_ok() && live->instance->broken()) {
      live->trapped_slots[slot] = std::string(as_message(r.value).text("body").value_or(""));
      live->instance.reset();
    }
    // Every snapshot-interval slots the state carries its memory (a
    // restarted node resumes from it; wasm_processes.h).
    const int64_t interval = snapshot_interval_of(base);
    if (r.is_ok() && r.value.is_map() && interval > 0 && slot % interval == 0 &&
        resolver.store() != nullptr && !is_dry_run(base)) {
      Message snapshot;
      if (Status s = write_memory_snapshot(*live->instance, *resolver.store(), slot, snapshot);
          !s.is_ok())
        return ResolveResult::error(500,
                                    "snapshot of slot " + std::to_string(slot) + ": " + s.reason());
      Message state = r.value.as_map();
      state.set("wasm-memory", Value(std::move(snapshot)));
      r.value = Value(std::move(state));
    }
  }
  live->at_slot = slot;
  live->answers["wasm-64/compute"] = r;
  return r;
}

}  // namespace hashpath
