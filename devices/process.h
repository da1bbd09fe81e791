// process@1.0 (docs/devices.md §1): a process is a definition
// message plus the sequence of messages its scheduler assigned to it; its
// state at slot N is the definition's execution device applied, slot by
// slot, to the assignments 0..N.
//
//   schedule          the scheduler device's `schedule` for this process
//                     (POST assigns, GET lists)
//   compute           the state after the request's `slot` (default: the
//                     latest assigned), computed from the nearest stored
//                     state; each assignment is verified first (scheduler@1.0
//                     `next`)
//   now               compute up to the latest slot
//   slot              the scheduler's `slot`
//   push              the push device's `push` (push@1.0: schedule, compute
//                     and deliver the outbox to local processes)
//   snapshot          {process, at-slot, hash-chain, assignment, state-id,
//                     restore: replay, state} after `slot` (default the
//                     latest): Lua states are not serialised, so a snapshot
//                     names the state and the chain head that produced it,
//                     and is restored by recomputing from slot 0
//   results=N         the `results` of the state after slot N: the path
//                     aoconnect's `result` asks for (`compute/results=N`);
//                     for an AOS process (WASM or Lua) the JSON document
//                     {"raw": <the legacy result>} (aos_result_document.h)
//   as=execution      the latest state marked `dry-run`: `compute` on it
//                     (aoconnect's dryrun: `as=execution/compute&Action=...`)
//                     has the execution device compute the request over the
//                     current state without scheduling it, keeping nothing
//                     (docs/wasm.md §4, docs/processes.md), and answers the
//                     result document aoconnect reads
//                     (aos_result_document.h; for other processes, the
//                     state the device computed)
//   any other key     a plain read of the base (so `/compute/<key>` and
//                     `/now/cache/<key>` read the patched state)
//
// A slot whose execution fails still advances the process: the state is
// unchanged but for `at-slot` and `results/error` ({status, body}), so one
// bad message (a Lua error, an exhausted budget) does not stop the ones
// after it. Computations of one process are serialised.
//
// The state is the definition plus `process` (the definition), `at-slot`,
// and what the execution device writes; `device` is process@1.0 between
// slots. States are stored and aliased `process-state/<pid>/<slot>`, so
// reads after a restart resume from the last computed slot; the execution
// device runs with `device` set to `execution-device` (a stack@1.0 with
// `device-stack`, or a single device) and `results` cleared, on the
// assignment as its request.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/resolve/device.h"

namespace hashpath {

// The definition of a process: the base's `process` if it is a state, else
// the base (without private keys); a signed one restricted to the keys its
// commitments cover (docs/devices.md §1: a signed spawn request also carries `path`,
// `method`..., which are not part of the process). An unsigned definition's
// ID is the scheduler's, which covers every key it has.
Message process_definition(const Message& base);

// True if `base` is a state process@1.0 marked for a dry run (as=execution):
// its execution device computes a request over it and keeps nothing.
inline bool is_dry_run(const Message& base) {
  const Value* v = base.find("dry-run");
  return v != nullptr &&
         ((v->is_atom() && v->as_atom() == "true") || (v->is_binary() && v->as_binary() == "true"));
}

class ProcessDevice : public Device {
 public:
  std::string_view name() const override { return "process@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "schedule" || key == "compute" || key == "now" || key == "slot" ||
           key == "push" || key == "snapshot" || key.rfind("results=", 0) == 0 ||
           key == "as=execution";
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  // The state after `target` (default: the latest slot). `from_definition`:
  // recomputed from slot 0 even if it is stored (to rebuild the execution
  // device's live state).
  ResolveResult compute_to(const Message& base, std::optional<int64_t> target, Resolver& resolver,
                           bool from_definition = false);
  ResolveResult snapshot(const Message& base, const Message& request, Resolver& resolver);
  std::shared_ptr<std::mutex> lock_of(const std::string& pid);
  // The state this device last computed for `pid`, if it still remembers
  // it: the same message it stored, kept so the next slot resumes without
  // reading (and decoding) it back from the store.
  std::optional<Message> remembered_state(const std::string& pid);
  void remember_state(const std::string& pid, const Message& state);

  // The most recently computed states kept in memory (a bound, not a
  // cache policy anyone relies on: the store has them all).
  static constexpr size_t kRememberedStates = 64;

  std::mutex mu_;  // locks_, remembered_, clock_
  std::map<std::string, std::shared_ptr<std::mutex>> locks_;
  struct RememberedState {
    Message state;
    uint64_t last_used = 0;
  };
  std::map<std::string, RememberedState> remembered_;
  uint64_t clock_ = 0;
};

}  // namespace hashpath
