// dedup@1.0: drops a message a process has already seen
// (docs/devices.md §6). Meant to sit first in a stack@1.0.
//
// The subject is the key named by `dedup-subject` (base, else request;
// default `body`; `request` means the whole request), read from the base,
// else the request. On pass 1 only: if its all-commitments ID is in the
// base's `dedup` list the result is `skip` (the stack ends, the state is
// unchanged); otherwise the ID is put first in `dedup` and the base goes on.
// Other passes, or no subject: the base, unchanged. `keys` and `set` are
// message@1.0's.
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class DedupDevice : public Device {
 public:
  std::string_view name() const override { return "dedup@1.0"; }
  bool handles(std::string_view) const override { return false; }
  DeviceInfo info() const override {
    DeviceInfo i;
    i.excludes = {"keys", "set"};
    i.handler = true;
    return i;
  }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;
};

}  // namespace hashpath
