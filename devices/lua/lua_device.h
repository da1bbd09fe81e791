// lua@5.3a: resolve keys by calling Lua functions (docs/devices.md
// §5), on the deterministic runtime of lua_vm.h.
//
//   base.module   the code: a module ID (a stored message whose body, else
//                 data, is Lua source, or a stored binary), a message with
//                 content-type application/lua (or text/x-lua), a message
//                 of modules, or a list of IDs and messages
//   key K         calls the global function named by the request's
//                 `function`, else the base's, else K, with the request's
//                 `parameters`, else the base's, else (base, request, {})
//
// Keys the base already has, and keys/set/encode/decode, are plain reads
// (message@1.0). One value returned means ok; two mean (status, value).
//
// Two ways to run (docs/devices.md §5.5):
//
// * A key on any message runs on a fresh state built from the modules, so
//   the result depends only on the base and the request: deterministic,
//   cached by hashpath and replayed. `math.random` is seeded from the
//   module names.
// * `compute` on a process state (a base with a `process` definition and
//   an `at-slot`, as process@1.0 runs its execution device) continues the
//   process's live Lua state, so globals (AOS `Balances`, `Handlers`)
//   persist from slot to slot. The live state after slot S is kept in
//   memory and used only for the state at slot S; at slot -1 a fresh state
//   is made (seeded from the process ID). Lua states cannot be serialised,
//   so a state at S >= 0 without its live Lua is refused with 409 and
//   process@1.0 recomputes from slot 0 (`normalize` says so beforehand) —
//   docs/devices.md §5.5. Invariant: one schedule per process on a
//   node, so the live state after slot S is the only one there can be.
//
// * A dry run (`compute` on a state process@1.0 marked `dry-run`) runs the
//   request's message on the live state at the state's slot and then puts
//   the live state back exactly as it was (LuaVm::Checkpoint): the process
//   never sees it. Its message is the request as signed plus the text keys
//   its path gave it; it has no timestamp or slot.
//
// AOS processes as aoconnect spawns them: a process state whose definition
// names `execution-device: lua@5.3a` itself (no `device-stack`) runs on the
// AOS stack — stack@1.0 over [lua@5.3a, patch@1.0], patches from
// /results/outbox (unless the definition says otherwise), `module` = the
// built-in AOS runtime (aos_library.h) before the definition's own modules
// — and the state comes back without those keys. The runtime's ID is
// pinned per process in the store the first time it runs (alias
// `aos-runtime/<pid>`), so the process keeps the runtime it started with.
//
// `os.time()` is the request's `timestamp` (ms), else its `block-timestamp`
// (s), else 0. Lua errors (syntax, runtime, budget) are {status: 500,
// body: <error>} results.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "engine/resolve/device.h"
#include "engine/store/store.h"

namespace hashpath {

class LuaDevice : public Device {
 public:
  // How many processes keep a live Lua state (config `lua-live-processes`);
  // the least recently used beyond it is dropped (and recomputed from its
  // stored state's slot 0 if needed again). This bounds a node's Lua memory.
  static constexpr size_t kDefaultLiveProcesses = 256;
  explicit LuaDevice(size_t max_live = kDefaultLiveProcesses)
      : max_live_(max_live == 0 ? 1 : max_live) {}
  size_t max_live() const { return max_live_; }

  std::string_view name() const override { return "lua@5.3a"; }
  bool handles(std::string_view) const override { return false; }
  DeviceInfo info() const override {
    DeviceInfo i;
    i.excludes = {"keys", "set", "encode", "decode"};
    i.default_function = true;
    return i;
  }
  // `normalize` answers from the live states (node memory), so it is an
  // oracle step; every other key is deterministic.
  bool cacheable(std::string_view key) const override { return key != "normalize"; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  const size_t max_live_;
  struct LiveProcess;
  ResolveResult compute_process(const Message& base, const Message& request, Resolver& resolver);
  ResolveResult normalize_process(const Message& base);
  ResolveResult dry_run_process(const Message& base, const Message& request, Resolver& resolver);
  ResolveResult run_as_aos_process(std::string_view key, const Message& base,
                                   const Message& request, Resolver& resolver);
  // The AOS runtime's ID a process runs with, pinned in `store`.
  std::string aos_runtime_of(const std::string& pid, Store& store);

  std::mutex mu_;
  uint64_t clock_ = 0;  // use counter for eviction
  std::map<std::string, std::shared_ptr<LiveProcess>> live_;
  std::map<std::string, std::string> runtimes_;  // pid → pinned AOS runtime ID
};

}  // namespace hashpath
