// resolve(Msg1, Msg2): the AO-Core step, and resolve_many over a parsed
// HyperPATH (docs/protocol.md §3, §4).
//
// Each step runs the key named by the first part of Msg2's path through the
// device of Msg1 (default message@1.0). A successful message result gets
// `priv/hashpath` = hashpath(Msg1, Msg2). Every step performed is reported
// to the step observer (the hashpath log hooks in there) before the result
// is used. Hashpath's fixes over HyperBEAM: an empty path, an unknown device
// or a missing message is an error result (4xx), never a crash.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "engine/resolve/cache_control.h"
#include "engine/resolve/device.h"
#include "engine/resolve/hyperpath.h"
#include "engine/store/store.h"

namespace hashpath {

struct StepRecord {
  Message base;
  Message request;
  std::string device;
  std::string key;
  KeyRoute route = KeyRoute::kFunction;
  ResolveResult result;
  std::string hashpath;  // of the result, empty if it has none
  // The step's hashpath whatever the result: hashpath_step(HP(base), key or
  // ID(request)). The log records it for every step.
  std::string step_hashpath;
  bool cache_hit = false;
  // The device declared the key deterministic (cacheable): replay
  // re-executes it. Otherwise its result is an oracle input.
  bool deterministic = false;
};

struct ResolveOptions {
  // Wrap non-message results as {ao-result: body, body: value} (HTTP does).
  bool force_message = false;
  // Extend priv/hashpath on successful steps (internal calls such as `set` do not).
  bool update_hashpath = true;
  // The node's cache-control directives, the highest-precedence source
  // (docs/protocol.md §7). HTTP requests use `always`: cacheable results are served
  // from and stored by hashpath.
  CacheDirectives cache_control;
  // The `on.step` handlers (docs/protocol.md §4.2 stage 5), if any are installed.
  std::optional<Value> step_hook;
  // Refuse (403) every step whose device does not declare the key
  // deterministic. A Lua program's `ao.resolve` runs so: what a process
  // reads must be a function of its inputs, or replay could not reproduce
  // it (node info, another process's `now`).
  bool deterministic_only = false;

  static ResolveOptions http();
  // A device's own step on the way to its answer: no hashpath extension.
  static ResolveOptions internal();
};

class Resolver {
 public:
  Resolver(const DeviceRegistry& devices, Store* store);

  void set_step_observer(std::function<void(const StepRecord&)> observer);
  // Who writes what put_and_alias is given (the log's recorder, with the
  // request's steps); none: the store, at once.
  using NamedWriter = std::function<void(const Message&, std::string name, bool by_last_id)>;
  void set_named_writer(NamedWriter writer) { named_writer_ = std::move(writer); }

  ResolveResult resolve_path(const PathList& path, const ResolveOptions& options = {});
  // One request against a base: Msg2's path may hold several parts.
  ResolveResult resolve(const Message& base, const Message& request,
                        const ResolveOptions& options = {});
  // Exactly one step: the first part of request.path.
  ResolveResult step(const Message& base, const Message& request,
                     const ResolveOptions& options = {});

  // set(base, path, value) as HyperBEAM's deep set (docs/protocol.md §4.4): each
  // message along `path` (a/b/c) is changed by its own device's `set`.
  ResolveResult set_path(const Message& base, std::string_view path, Value value);

  // A message or binary by ID, from the store; nullopt if absent.
  std::optional<Value> load(std::string_view id);
  Store* store() const { return store_; }
  // Stores `message` and names it `name` (Store::put_and_alias): with the
  // request's steps when a named writer is set, so the name is durable
  // with the entries that made the message and costs no commit of its own.
  // Until then a read of `name` does not find it (the caller keeps what it
  // needs in memory). StoreError as the store's, now or at commit.
  void put_and_alias(const Message& message, std::string name, bool by_last_id);
  const DeviceRegistry& devices() const { return devices_; }

 private:
  ResolveResult resolve_steps(const PathList& path, size_t depth, const ResolveOptions& options);
  ResolveResult base_of(const PathStep& first, size_t depth, const ResolveOptions& options);
  // The device an `{as, ...}` step names, resolving `( … )` device sub-paths.
  ResolveResult device_of(const PathStep& step, size_t depth, const ResolveOptions& options,
                          std::string& device);
  ResolveResult request_of(const PathStep& step, size_t depth, const ResolveOptions& options,
                           Message& out);
  // One step, in stages: find the device, answer from the cache, or call
  // the device, run the step hook, store in the cache, extend the
  // hashpath; every outcome is observed.
  struct Step;
  ResolveResult step_at(const Message& base, const Message& request, const ResolveOptions& options);
  // Sets `lookup`, or leaves it empty and returns why there is no device.
  ResolveResult find_device(const Message& base, const std::string& key,
                            std::optional<KeyLookup>& lookup) const;
  std::optional<ResolveResult> from_cache(Step& step);
  ResolveResult call_device(Step& step);
  void store_in_cache(Step& step, const ResolveResult& result);
  // Tells the observer (the log) and passes `result` on.
  ResolveResult observed(Step& step, ResolveResult result, bool cache_hit);
  ResolveResult run_step_hook(const Message& base, const Message& request, ResolveResult result,
                              const ResolveOptions& options);
  ResolveResult switch_device(Message base, const std::string& device, const Message& request,
                              const ResolveOptions& options);

  const DeviceRegistry& devices_;
  Store* store_;
  std::function<void(const StepRecord&)> observer_;
  NamedWriter named_writer_;
};

// The hashpath a message carries (priv/hashpath), or its initial one:
// the all-commitments ID.
std::string hashpath_of(const Message& m);

// The hashpath of resolving `key` (the first part of request.path) on
// `base`: hashpath_step(HP(base), key for a pure key request, else
// ID(request)) (docs/protocol.md §3.2).
std::string step_hashpath(const Message& base, const Message& request, std::string_view key);

}  // namespace hashpath
