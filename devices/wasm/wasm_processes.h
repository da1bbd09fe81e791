// The live WebAssembly instances of WASM processes (docs/wasm.md §4),
// shared by the stack members that work on one: json-iface@1.0 writes the
// message into the instance's memory, wasm-64@1.0 calls it, json-iface@1.0
// reads the answer back.
//
// A process's instance is its state between slots, as a Lua process's
// state is (docs/devices.md §5.5): it lives in node memory, for the
// slot it was last brought to, and is used only for the state at that
// slot. At slot -1 a fresh instance is made from the process's image; a
// state at slot S >= 0 without its instance is refused with 409 and
// process@1.0 recomputes from slot 0. Invariant: one schedule per process
// on a node, so the instance after slot S is the only one there can be.
//
// An instance that trapped is dropped: the slot that trapped has no effect
// (the next slot rebuilds the instance from slot 0 without it).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "devices/process.h"
#include "devices/wasm/emscripten_host.h"
#include "devices/wasm/wasi_host.h"
#include "devices/wasm/wasm_engine.h"
#include "engine/resolve/device.h"
#include "engine/store/store.h"

namespace hashpath {

class Resolver;

// One process's instance. `mu` is held while it runs (process@1.0
// already runs one slot of a process at a time; this guards against a
// second caller of the same stack).
struct LiveWasmProcess {
  std::mutex mu;
  std::unique_ptr<WasmInstance> instance;
  // WasiHost for WASI builds, EmscriptenHost for emscripten builds (the
  // module's Module-Format names emscripten).
  std::unique_ptr<WasiHost> host;
  bool emscripten = false;
  // Emscripten builds: the stack pointer before json-iface@1.0 put the
  // message on the stack, set back after the call.
  uint64_t saved_stack = 0;
  // The memory is the process's after this slot (-1: fresh).
  int64_t at_slot = -1;
  uint64_t last_used = 0;
  // Slots whose call trapped, with the reason: the instance was dropped,
  // and rebuilding from slot 0 skips them (the same error, no effect).
  std::map<int64_t, std::string> trapped_slots;
  // The step being applied ("<slot>/<hash-chain>") and the answers already
  // given in it, by member and pass: the same question asked again (a
  // stack re-run by replay, a retry) gets the same answer instead of
  // writing the message a second time.
  std::string step;
  std::map<std::string, ResolveResult> answers;
  // Starts (or continues) the step of `request` on a state: its slot (the
  // request's `slot`, else the state's `at-slot` + 1); the answers of a
  // previous step are forgotten. The caller holds `mu`.
  int64_t begin_step(const Message& base, const Message& request);

  // A dry run's scratch instance: the question it answers.
  std::string dry_run_question;
  // json-iface@1.0's env JSON for this process (built once).
  std::string env_json;
};

class WasmProcesses {
 public:
  static constexpr size_t kDefaultLiveProcesses = 32;
  WasmProcesses(std::shared_ptr<WasmEngine> engine, size_t max_live = kDefaultLiveProcesses);

  WasmEngine& engine() { return *engine_; }

  // The live instance for a process state (`base` has `process` and
  // `at-slot`) working on `request` (an assignment with `slot`): the one
  // at the state's slot, or the one that has already applied `request`
  // (json-iface@1.0's second pass), or a fresh one when the state is at
  // slot -1. Otherwise 409. The caller locks `out->mu`.
  ResolveResult acquire(const Message& base, const Message& request, Resolver& resolver,
                        std::shared_ptr<LiveWasmProcess>& out);

  // Ok if a live instance is at the state's slot (or the state is at -1),
  // else 409: what `normalize` answers.
  ResolveResult ready(const Message& base);

 private:
  ResolveResult instantiate(const Message& base, Resolver& resolver, LiveWasmProcess& into,
                            bool start);
  // A fresh instance in `into` whose memory is `size` bytes holding
  // `pieces` (offset, bytes), zero elsewhere.
  ResolveResult restore(const Message& base, Resolver& resolver, LiveWasmProcess& into,
                        const std::vector<std::pair<uint64_t, std::string>>& pieces, uint64_t size);
  // A dry run (`dry-run` on the state, process@1.0's `as=execution`): a
  // scratch instance holding a copy of the live one's memory at the state's
  // slot, shared by the members working on the same question, so the
  // process itself is never changed.
  ResolveResult acquire_dry_run(const Message& base, const Message& request, Resolver& resolver,
                                std::shared_ptr<LiveWasmProcess>& out);

  std::shared_ptr<WasmEngine> engine_;
  const size_t max_live_;
  std::mutex mu_;  // live_, dry_runs_, clock_
  uint64_t clock_ = 0;
  std::map<std::string, std::shared_ptr<LiveWasmProcess>> live_;
  std::map<std::string, std::shared_ptr<LiveWasmProcess>> dry_runs_;  // the latest per process
};

// Memory snapshots (docs/wasm.md §4). Every `snapshot-interval` slots (the
// process's, default kDefaultSnapshotInterval; 0: never) wasm-64@1.0 adds
// `wasm-memory` to the state: {at-slot, size, pages: {"<n>": <page ID>}}, each
// non-zero 64 KiB page of linear memory stored as a binary (content
// addressed: pages that did not change are the same binary). A state whose
// snapshot is of its own slot is restored into a fresh instance instead of
// being recomputed; a later state names the snapshot it descends from, and
// `normalize` says `resume-from-slot` so that process@1.0 recomputes from
// there. Memory only, as HyperBEAM's snapshots: globals and the table are
// the module's initial ones (AOS keeps nothing else between calls).
inline constexpr int64_t kDefaultSnapshotInterval = 100;
int64_t snapshot_interval_of(const Message& base);
Status write_memory_snapshot(WasmInstance& instance, Store& store, int64_t slot, Message& out);

// True if `base` is a process state as process@1.0 hands it to its
// execution device.
bool is_wasm_process_state(const Message& base);

// The module bytes of `base`: `<input-prefix>/image`, else the process's
// `image`, else its `module`, else the base's `image`, `module` or
// `body`. A value that is a 43-character ID is read from the store (the
// stored message's body, else data); a message gives its body. Rejected
// with a reason if there is none or it is not WebAssembly. `module_message`
// (if not null) gets the message the bytes came from (its tags:
// module-format, memory-limit), or stays empty.
ResolveResult module_bytes_of(const Message& base, Resolver& resolver, std::string& out,
                              Message* module_message = nullptr);

// The meter ticks one call may spend (WasmLimits::max_steps_per_call): the
// process's `instruction-budget`, else the module message's
// `Compute-Limit`, else the default (a node's safety limit against a
// module that never returns); at most kMaxStepsPerCall.
inline constexpr uint64_t kDefaultStepsPerCall = 10'000'000'000;
inline constexpr uint64_t kMaxStepsPerCall = 100'000'000'000;
uint64_t steps_per_call_of(const Message& base, const Message& module_message);

// True if the module message's Module-Format names an emscripten build
// (wasm64-unknown-emscripten-draft_2024_02_15 and the like).
bool is_emscripten_format(const Message& module_message);

// The memory limit for `base` in bytes (0: the module's own maximum):
// the process's, else the module message's `memory-limit`, as a number of
// bytes or "<n>-kb|mb|gb" (AO's form: "1-gb"). Rejected if malformed.
ResolveResult memory_limit_of(const Message& base, Resolver& resolver, uint64_t& out);

}  // namespace hashpath
