// stack@1.0: runs a key through a list of devices in turn
// (docs/devices.md §3).
//
// `device-stack` lists the members (a list, or a message keyed "1".."n").
// Invoking key K on the stack invokes K on each member, with the member
// activated by `transform` (device, device-key, input/output prefixes from
// `input-prefixes/<k>` and `output-prefixes/<k>`, and the previous ones).
//
//   Fold (default; `mode` on the request or the base): each member's
//   message result is the next member's base. A member without K
//   (not_found) is passed over; a non-message result ends the stack with
//   that value; `skip` ends it with that message; `pass` starts the stack
//   again with `pass` + 1; an error ends it with that error.
//   Map: K on every member from the same base; the ok results, keyed by
//   member.
//   transform: the base activated as the member named by the request's
//   `device-key`.
//
// `set` and `keys` are message@1.0's; with `stack-keys`, only those keys go
// through the stack.
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class StackDevice : public Device {
 public:
  std::string_view name() const override { return "stack@1.0"; }
  bool handles(std::string_view) const override { return false; }
  DeviceInfo info() const override {
    DeviceInfo i;
    i.excludes = {"set", "keys"};
    i.handler = true;
    return i;
  }
  // `normalize` asks the members for their live instances (node memory,
  // e.g. a process's Lua state): an oracle step, logged with its answer.
  bool cacheable(std::string_view key) const override { return key != "normalize"; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;
};

}  // namespace hashpath
