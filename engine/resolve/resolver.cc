#include "engine/resolve/resolver.h"

#include "engine/codec/message_id.h"
#include "engine/message/key.h"
#include "engine/resolve/hooks.h"
#include "engine/resolve/message_device.h"

namespace hashpath {
namespace {

constexpr size_t kMaxResolveDepth = 32;
constexpr int kMaxStepDepth = 128;  // nested steps on one thread

std::vector<std::string> path_parts(const Value* path) {
  if (path == nullptr) return {};
  if (path->is_list()) {
    std::vector<std::string> out;
    for (const auto& p : path->as_list()) {
      if (p.is_binary()) {
        for (auto& s : split_path_segments(p.as_binary())) out.push_back(std::move(s));
      }
    }
    return out;
  }
  if (path->is_binary()) return split_path_segments(path->as_binary());
  return {};
}

// A request that says nothing but its key is hashed into the hashpath as
// the key's text (docs/protocol.md §3.2, "pure key request").
bool is_pure_key_request(const Message& request) {
  for (const auto& [k, v] : request) {
    if (k != "path" && k != "hashpath" && !is_private_key(k)) return false;
  }
  return true;
}

Value with_hashpath(Value result, const std::string& hashpath) {
  Message m = result.as_map();
  Message priv;
  if (const Value* p = m.find("priv"); p != nullptr && p->is_map()) priv = p->as_map();
  priv.set("hashpath", Value(hashpath));
  m.set("priv", Value(std::move(priv)));
  return Value(std::move(m));
}

// HTTP wraps only the final result (the response) as a message; what a step
// hands the next step stays as it is.
ResolveOptions final_step(ResolveOptions options, bool is_final) {
  options.force_message = options.force_message && is_final;
  return options;
}

Value wrap_literal(Value v) {
  if (v.is_map()) return v;
  return Value(Message{{"ao-result", "body"}, {"body", std::move(v)}});
}

}  // namespace

ResolveOptions ResolveOptions::http() {
  ResolveOptions o;
  o.force_message = true;
  o.cache_control.store = true;
  o.cache_control.lookup = true;
  return o;
}

ResolveOptions ResolveOptions::internal() {
  ResolveOptions o;
  o.update_hashpath = false;
  return o;
}

std::string hashpath_of(const Message& m) {
  if (const Value* p = m.find("priv"); p != nullptr && p->is_map()) {
    if (const Value* hp = p->as_map().find("hashpath"); hp != nullptr && hp->is_binary()) {
      return std::string(hp->as_binary());
    }
  }
  return message_id(Value(m), IdScope::kEveryCommitment);
}

std::string step_hashpath(const Message& base, const Message& request, std::string_view key) {
  std::string last = is_pure_key_request(request) ? std::string(key)
                                                  : message_id(Value(request), IdScope::kSigned);
  return hashpath_step(hashpath_of(base), last);
}

Resolver::Resolver(const DeviceRegistry& devices, Store* store)
    : devices_(devices), store_(store) {}

void Resolver::set_step_observer(std::function<void(const StepRecord&)> observer) {
  observer_ = std::move(observer);
}

std::optional<Value> Resolver::load(std::string_view id) {
  if (store_ == nullptr) return std::nullopt;
  return store_->get(id);
}

void Resolver::put_and_alias(const Message& message, std::string name, bool by_last_id) {
  if (named_writer_) return named_writer_(message, std::move(name), by_last_id);
  if (store_ == nullptr) throw StoreError("no store to write '" + name + "' to");
  store_->put_and_alias(message, name, by_last_id);
}

ResolveResult Resolver::step(const Message& base, const Message& request,
                             const ResolveOptions& options) {
  // Devices resolve on their own (stacks, hooks, set): bound how deep that
  // goes on this thread, as HyperBEAM answers a request that recurses.
  thread_local int depth = 0;
  if (depth >= kMaxStepDepth)
    return ResolveResult::error(508, "Request creates infinite recursion.");
  ++depth;
  struct Leave {
    ~Leave() { --depth; }
  } leave;
  return step_at(base, request, options);
}

// One step while it runs: what it resolves, on which device, and the
// hashpath its result will carry (computed once, on first need: it costs
// the request's ID).
struct Resolver::Step {
  Step(const Message& b, const Message& r, const ResolveOptions& o, std::string k, KeyLookup l)
      : base(b), request(r), options(o), key(std::move(k)), lookup(std::move(l)) {}

  const Message& base;
  const Message& request;
  const ResolveOptions& options;
  std::string key;
  KeyLookup lookup;
  bool deterministic = false;  // the device declared the key cacheable
  bool cacheable = false;      // deterministic, and there is a store
  // HyperBEAM's lookup heuristic (docs/http-api.md, Caching): a key the
  // base literally has is read, neither looked up nor stored — the read is
  // cheaper than either.
  bool literal_read = false;

  const std::string& hashpath() {
    if (hashpath_.empty()) hashpath_ = step_hashpath(base, request, key);
    return hashpath_;
  }

 private:
  std::string hashpath_;
};

ResolveResult Resolver::step_at(const Message& base, const Message& request,
                                const ResolveOptions& options) {
  std::vector<std::string> parts = path_parts(request.find("path"));
  if (parts.empty()) return ResolveResult::error(400, "the request has no path to resolve");
  std::optional<KeyLookup> lookup;
  if (ResolveResult refused = find_device(base, parts.front(), lookup); !lookup) return refused;
  Step step{base, request, options, parts.front(), std::move(*lookup)};
  step.deterministic = step.lookup.device->cacheable(step.key);
  step.cacheable = store_ != nullptr && step.deterministic;
  step.literal_read =
      step.lookup.device == devices_.message_device() && base.find(step.key) != nullptr;

  if (options.deterministic_only && !step.deterministic) {
    return observed(
        step,
        ResolveResult::error(403, std::string(step.lookup.device->name()) + " '" + step.key +
                                      "' reads the node or the world, not only its "
                                      "inputs: a program may read only "
                                      "deterministic keys"),
        false);
  }
  if (std::optional<ResolveResult> cached = from_cache(step)) {
    bool hit = cached->is_ok();  // else only-if-cached found nothing
    return observed(step, std::move(*cached), hit);
  }
  ResolveResult result = call_device(step);
  if (options.force_message && result.is_ok()) result.value = wrap_literal(std::move(result.value));
  if (options.step_hook) result = run_step_hook(base, request, std::move(result), options);
  store_in_cache(step, result);
  // Only a deterministic step extends the chain. A device that reads the
  // world (a process's `now`, the node's info) may answer the same request
  // differently later: its result starts a new chain at its own ID, so
  // results cached after it are keyed by content, never by the question.
  if (result.is_ok() && result.value.is_map() && options.update_hashpath && step.deterministic) {
    result.value = with_hashpath(std::move(result.value), step.hashpath());
  }
  return observed(step, std::move(result), false);
}

ResolveResult Resolver::find_device(const Message& base, const std::string& key,
                                    std::optional<KeyLookup>& lookup) const {
  std::string device_name = "message@1.0";
  if (const Value* d = base.find("device")) {
    if (!d->is_binary()) return ResolveResult::error(400, "the message's device is not a name");
    device_name = std::string(d->as_binary());
  }
  std::shared_ptr<Device> device = devices_.find(device_name);
  if (device == nullptr) {
    return ResolveResult::error(400, "device '" + device_name + "' is not loaded on this node");
  }
  lookup = lookup_key(devices_, std::move(device), key);
  return ResolveResult::ok(Value());
}

std::optional<ResolveResult> Resolver::from_cache(Step& step) {
  if (!step.cacheable || step.literal_read) return std::nullopt;
  CacheSettings settings = derive_cache_settings(
      {cache_control_of(&step.request), cache_control_of(&step.base), step.options.cache_control},
      false);
  if (!settings.lookup) return std::nullopt;
  if (std::optional<Value> hit = get_full(*store_, "result/" + step.hashpath());
      hit && hit->is_map()) {
    return ResolveResult::ok(step.options.update_hashpath ? with_hashpath(*hit, step.hashpath())
                                                          : *hit);
  }
  if (settings.only_if_cached) {
    return ResolveResult::error(504, "no cached result for this request (only-if-cached)");
  }
  return std::nullopt;
}

ResolveResult Resolver::call_device(Step& step) {
  try {
    return step.lookup.device->call(step.key, step.base, step.request, *this);
  } catch (const StoreWriteError&) {
    throw;  // not an answer: nothing may name what was not written (node.h)
  } catch (const Error& e) {
    return ResolveResult::error(400, e.what());
  } catch (const std::exception& e) {
    return {
        ResolveResult::Outcome::kFailure,
        Value(Message{{"status", Value::integer(500)}, {"body", Value(std::string(e.what()))}})};
  }
}

void Resolver::store_in_cache(Step& step, const ResolveResult& result) {
  if (!step.cacheable || step.literal_read || !result.is_ok() || !result.value.is_map()) return;
  const Message& message = result.value.as_map();
  CacheSettings settings = derive_cache_settings(
      {cache_control_of(&step.request), cache_control_of(&message), step.options.cache_control},
      !step.options.update_hashpath);
  if (!settings.store) return;
  Message stored = message;
  stored.remove("priv");
  store_->put_and_alias(stored, "result/" + step.hashpath(), /*by_last_id=*/false);
}

ResolveResult Resolver::observed(Step& step, ResolveResult result, bool cache_hit) {
  if (!observer_) return result;
  bool carries_hashpath = result.is_ok() && result.value.is_map() && step.options.update_hashpath;
  StepRecord record{.base = step.base,
                    .request = step.request,
                    .device = std::string(step.lookup.device->name()),
                    .key = step.key,
                    .route = step.lookup.route,
                    .result = result,
                    .hashpath = carries_hashpath ? step.hashpath() : std::string(),
                    .step_hashpath = step.hashpath(),
                    .cache_hit = cache_hit,
                    .deterministic = step.deterministic};
  observer_(record);
  return result;
}

// Stage 7: the step hook sees {base, request, status, body} and may replace
// the status and body. It is not installed while it runs.
ResolveResult Resolver::run_step_hook(const Message& base, const Message& request,
                                      ResolveResult result, const ResolveOptions& options) {
  Message payload{{"base", Value(base)},
                  {"request", Value(request)},
                  {"status", Value(std::string(status_name(result.status)))},
                  {"body", result.value}};
  ResolveResult hooked = run_hook(*this, *options.step_hook, "step", std::move(payload));
  if (!hooked.is_ok()) return hooked;
  const Message& out = hooked.value.as_map();
  if (const Value* body = out.find("body")) result.value = *body;
  if (const Value* status = out.find("status"); status != nullptr && status->is_binary()) {
    for (auto s : {ResolveResult::Outcome::kOk, ResolveResult::Outcome::kError,
                   ResolveResult::Outcome::kNotFound, ResolveResult::Outcome::kCreated,
                   ResolveResult::Outcome::kFailure, ResolveResult::Outcome::kUnavailable}) {
      if (status->as_binary() == status_name(s)) result.status = s;
    }
  }
  return result;
}

ResolveResult Resolver::set_path(const Message& base, std::string_view path, Value value) {
  std::vector<std::string> parts = split_path_segments(path);
  if (parts.empty()) return ResolveResult::error(400, "set needs a key");
  if (parts.size() > kMaxNestingDepth)
    return ResolveResult::error(400, "set path nested too deeply");
  ResolveOptions internal;
  internal.update_hashpath = false;
  std::function<ResolveResult(const Message&, size_t, Value)> set_at =
      [&](const Message& m, size_t i, Value v) -> ResolveResult {
    if (i + 1 < parts.size()) {
      Message child;
      if (const Value* c = m.find(parts[i]); c != nullptr && c->is_map()) child = c->as_map();
      ResolveResult inner = set_at(child, i + 1, std::move(v));
      if (!inner.is_ok()) return inner;
      v = std::move(inner.value);
    }
    // The child was rebuilt whole, so it replaces the old one rather than
    // merging into it (a removed key must stay removed).
    Message without = m;
    if (i + 1 < parts.size()) without.remove(parts[i]);
    return step(without, Message{{"path", "set"}, {parts[i], std::move(v)}}, internal);
  };
  return set_at(base, 0, std::move(value));
}

ResolveResult Resolver::resolve(const Message& base, const Message& request,
                                const ResolveOptions& options) {
  std::vector<std::string> parts = path_parts(request.find("path"));
  if (parts.empty()) return ResolveResult::error(400, "the request has no path to resolve");
  Value current(base);
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!current.is_map())
      return ResolveResult::not_found("cannot resolve '" + parts[i] + "' on a non-message");
    Message req = request;
    req.set("path", Value(parts[i]));
    ResolveResult r = step(current.as_map(), req, final_step(options, i + 1 == parts.size()));
    if (!r.is_ok()) return r;
    current = std::move(r.value);
  }
  return ResolveResult::ok(std::move(current));
}

ResolveResult Resolver::switch_device(Message base, const std::string& device,
                                      const Message& request, const ResolveOptions& options) {
  std::string path;
  if (const Value* p = request.find("path"); p != nullptr && p->is_binary())
    path = std::string(p->as_binary());
  Message rest = request;
  rest.remove("path");
  if (looks_like_id(path)) {
    // `<id>~device`: the stored message, with the request's keys, on that device.
    std::optional<Value> loaded = load(path);
    if (!loaded || !loaded->is_map())
      return ResolveResult::not_found("message " + path + " is not in the store");
    Message m = merge_messages(loaded->as_map(), rest, false);
    m.set("device", Value(device));
    return ResolveResult::ok(Value(std::move(m)));
  }
  base.set("device", Value(device));
  if (path.empty()) return ResolveResult::ok(Value(merge_messages(base, rest, false)));
  return resolve(base, request, options);
}

ResolveResult Resolver::request_of(const PathStep& step, size_t depth,
                                   const ResolveOptions& options, Message& out) {
  out = step.message;
  for (const auto& [key, sub] : step.subpaths) {
    ResolveOptions sub_options = options;
    sub_options.force_message = false;
    ResolveResult r = resolve_steps(*sub, depth + 1, sub_options);
    if (!r.is_ok()) return r;
    out.set(key, r.value);
  }
  return ResolveResult::ok(Value());
}

ResolveResult Resolver::device_of(const PathStep& step, size_t depth, const ResolveOptions& options,
                                  std::string& device) {
  device = step.device;
  if (!step.subpath) return ResolveResult::ok(Value());
  ResolveResult d = resolve_steps(*step.subpath, depth + 1, options);
  if (!d.is_ok() || !d.value.is_binary())
    return ResolveResult::error(400, "a device sub-path must give a name");
  device = std::string(d.value.as_binary());
  return d;
}

ResolveResult Resolver::base_of(const PathStep& first, size_t depth,
                                const ResolveOptions& options) {
  switch (first.kind) {
    case PathStep::Kind::kId: {
      std::optional<Value> loaded = load(first.id);
      if (!loaded) return ResolveResult::not_found("message " + first.id + " is not in the store");
      return ResolveResult::ok(*loaded);
    }
    case PathStep::Kind::kResolve:
      return resolve_steps(*first.subpath, depth + 1, options);
    case PathStep::Kind::kAs: {
      Message req;
      ResolveResult r = request_of(first, depth, options, req);
      if (!r.is_ok()) return r;
      std::string device;
      if (ResolveResult d = device_of(first, depth, options, device); !d.is_ok()) return d;
      return switch_device(Message{}, device, req, options);
    }
    case PathStep::Kind::kMessage: {
      Message m;
      ResolveResult r = request_of(first, depth, options, m);
      if (!r.is_ok()) return r;
      return ResolveResult::ok(Value(std::move(m)));
    }
  }
  return ResolveResult::error(400, "unknown path element");
}

ResolveResult Resolver::resolve_steps(const PathList& path, size_t depth,
                                      const ResolveOptions& options) {
  if (depth > kMaxResolveDepth) return ResolveResult::error(400, "sub-paths nested too deeply");
  if (path.empty()) return ResolveResult::error(400, "empty path");
  ResolveResult current = base_of(path.front(), depth, final_step(options, path.size() == 1));
  if (!current.is_ok()) return current;
  for (size_t i = 1; i < path.size(); ++i) {
    const PathStep& s = path[i];
    const ResolveOptions step_options = final_step(options, i + 1 == path.size());
    // A literal ID result followed by more steps is that message (docs/protocol.md §4.1).
    if (current.value.is_binary() && looks_like_id(current.value.as_binary())) {
      std::optional<Value> loaded = load(current.value.as_binary());
      if (loaded) current.value = *loaded;
    }
    if (!current.value.is_map()) {
      return ResolveResult::not_found("cannot resolve further: the previous step gave a " +
                                      std::string(kind_name(current.value.kind())));
    }
    Message base = current.value.as_map();
    Message req;
    switch (s.kind) {
      case PathStep::Kind::kAs: {
        ResolveResult r = request_of(s, depth, options, req);
        if (!r.is_ok()) return r;
        std::string device;
        if (ResolveResult d = device_of(s, depth, options, device); !d.is_ok()) return d;
        current = switch_device(std::move(base), device, req, step_options);
        if (!current.is_ok()) return current;
        continue;
      }
      case PathStep::Kind::kResolve: {
        ResolveResult r = resolve_steps(*s.subpath, depth + 1, final_step(options, false));
        if (!r.is_ok()) return r;
        const Value& v = r.value;
        if (v.is_map()) {
          req = v.as_map();
        } else if (v.is_binary()) {
          req = Message{{"path", v}};
        } else {
          return ResolveResult::error(400,
                                      "a sub-path used as a request must give a message or a key");
        }
        break;
      }
      case PathStep::Kind::kId:
        req = Message{{"path", Value(s.id)}};
        break;
      case PathStep::Kind::kMessage: {
        ResolveResult r = request_of(s, depth, options, req);
        if (!r.is_ok()) return r;
        break;
      }
    }
    current = step(base, req, step_options);
    if (!current.is_ok()) return current;
  }
  if (options.force_message) current.value = wrap_literal(std::move(current.value));
  return current;
}

ResolveResult Resolver::resolve_path(const PathList& path, const ResolveOptions& options) {
  if (path.size() == 1 && path.front().kind == PathStep::Kind::kId) {
    // GET /<id>: the stored message itself, no execution (docs/protocol.md §4.1).
    std::optional<Value> loaded = load(path.front().id);
    if (!loaded)
      return ResolveResult::not_found("message " + path.front().id + " is not in the store");
    return ResolveResult::ok(options.force_message ? wrap_literal(*loaded) : *loaded);
  }
  return resolve_steps(path, 0, options);
}

}  // namespace hashpath
