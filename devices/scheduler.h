// scheduler@1.0, local scheduling (docs/devices.md §2): this node
// orders the messages of the processes that name its address in their
// `scheduler` key, one gap-free sequence of slots per process.
//
//   POST schedule   assigns the next slot to a message (the request's
//                   `body`, the request itself with `subject: self`, or the
//                   key `subject` names); returns the signed assignment
//   GET  schedule   the assignments from `from` (default 0) to `to`
//                   (default the latest), at most 1000: {type: schedule,
//                   process, continues, assignments: {"<slot>": ...}}; with
//                   `accept: application/aos-2`, the legacy JSON page
//                   (scheduler_formats.h)
//   slot            {process, current}
//   status          {address, processes}
//   next            the assignment after the state's `at-slot`, verified
//
// An assignment carries `process`, `slot`, `epoch`, `timestamp` (ms, the
// node clock: an oracle input, logged with the step), `block-*` (zero: no
// Arweave view here), `hash-chain` = base64url(SHA-256(previous raw chain
// || the message's all-commitments ID as text)) and the message as `body`,
// and is committed by the node wallet (commit_with_wallet: httpsig
// rsa-pss-sha512 for RSA, an ANS-104 type-3 item for secp256k1). Assignments are
// stored and aliased `assignments/<process>/<slot>`, so slots and the
// chain survive restarts. Hashpath verifies assignments before compute
// (`next`): signed by a scheduler of the process, the expected slot, and
// a chain that links to the previous one. Remote schedulers and redirects
// are not supported (a process scheduled elsewhere is a 400 naming it).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/node/node_state.h"
#include "engine/resolve/device.h"
#include "engine/status.h"

namespace hashpath {

// Node policy on what a spawn may ask of the execution device: a
// definition whose `instruction-budget` or `memory-limit` is above the
// node's `lua-max-instruction-budget` (default 10^9) or `lua-max-memory`
// (default 256 MiB) is rejected with the reason. Checked when the process is
// scheduled, never at compute, so a node's policy cannot change what a
// process computes (replay elsewhere gives the same results).
Status check_node_limits(const Message& definition, const Message& config);

class SchedulerDevice : public Device {
 public:
  explicit SchedulerDevice(std::shared_ptr<NodeState> node) : node_(std::move(node)) {}
  std::string_view name() const override { return "scheduler@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "status" || key == "slot" || key == "schedule" || key == "next" ||
           key == "init" || key == "checkpoint";
  }
  DeviceInfo info() const override {
    DeviceInfo i;
    i.default_function = true;  // every other key is `schedule`
    return i;
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  struct Sequence {
    std::mutex mu;
    bool loaded = false;
    int64_t slot = -1;  // the last assigned slot
    std::string chain;  // the last raw 32-byte hash chain value ("" before slot 0)
  };
  std::shared_ptr<Sequence> sequence_of(const std::string& process);
  // Reads the stored sequence the first time; `seq.mu` held by the caller.
  void load(Sequence& seq, const std::string& process, Resolver& resolver);
  // The last assigned slot (-1 if none), kept in memory after one read.
  int64_t current_slot(const std::string& process, Resolver& resolver);
  ResolveResult post(const Message& base, const Message& request, Resolver& resolver);
  ResolveResult get(const Message& base, const Message& request, Resolver& resolver);
  ResolveResult next(const Message& base, Resolver& resolver);

  std::shared_ptr<NodeState> node_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Sequence>> sequences_;
};

// The stored assignment of `process` at `slot`, if any.
std::optional<Message> stored_assignment(Resolver& resolver, const std::string& process,
                                         int64_t slot);

// Checks an assignment before it is computed: committed by `schedulers`
// (addresses), for `process` at `slot`, and chained to `previous_chain`
// (raw bytes; empty for slot 0). Rejected with the reason it is not acceptable.
Status check_assignment(const Message& assignment, const std::string& process, int64_t slot,
                        const std::vector<std::string>& schedulers,
                        const std::string& previous_chain);

}  // namespace hashpath
