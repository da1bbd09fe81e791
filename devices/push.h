// push@1.0 for processes on this node (docs/devices.md §7): a
// slot's outbox messages addressed to processes that this node schedules
// are signed by the node and scheduled on them, then pushed in turn.
//
//   push (no slot)   schedule the request's message (its `body`, else the
//                    request itself) on the process; a spawn answers its
//                    assignment, any other message is then pushed
//   push&slot=N      compute slot N and deliver its outbox; each delivered
//                    message is pushed on its target while `result-depth`
//                    (default 1, at most 16) lasts
//
// Result: {process, slot, id (the scheduled message's, when this push
// scheduled it), "<outbox key>": {id, target, slot[, resulted-in]}
// or {response: error, status: 404, reason}} — messages without a target,
// or for a process this node does not know, are not delivered. A delivered
// message carries data-protocol ao, variant ao.N.1, type Message and
// from-process; it is committed by the node wallet (the process's
// authority, so AOS processes trust it). Deliveries become ordinary signed
// assignments on the target: the log and replay see those, not the push.
#pragma once

#include <memory>

#include "engine/node/node_state.h"
#include "engine/resolve/device.h"

namespace hashpath {

class PushDevice : public Device {
 public:
  explicit PushDevice(std::shared_ptr<NodeState> node) : node_(std::move(node)) {}
  std::string_view name() const override { return "push@1.0"; }
  bool handles(std::string_view key) const override { return key == "push"; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

  static constexpr int64_t kMaxDepth = 16;

 private:
  ResolveResult push_slot(const Message& process, int64_t slot, int64_t depth, Resolver& resolver);

  std::shared_ptr<NodeState> node_;
};

}  // namespace hashpath
