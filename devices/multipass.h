// multipass@1.0: ends a stack's pass, or asks for another
// (docs/devices.md §3; HyperBEAM dev_multipass).
//
//   any key but keys/set   `pass` (the stack runs again with pass + 1)
//                          while the base's `pass` < its `passes` (both
//                          default 1), else ok with the base
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class MultipassDevice : public Device {
 public:
  std::string_view name() const override { return "multipass@1.0"; }
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
