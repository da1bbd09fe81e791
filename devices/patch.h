// patch@1.0: moves messages a computation emitted into its state, where
// plain GETs can read them (docs/devices.md §4).
//
//   init, normalize, snapshot   the base, unchanged (so it can sit in a stack)
//   compute, patches            the messages at `from` marked `method: PATCH`
//                               or `device: patch@1.0` are deep-merged (minus
//                               `method`) at `to`; the others stay at `from`
//   all                         everything at `from` is merged at `to`, and
//                               `from` is removed
//
// `from` is the first of the request's `patch-from`, the base's
// `patch-from`, the request's `from`, the base's `from` (default `/`); a
// first segment `req:` or `base:` names the message it is read from (the
// result derives from that message), otherwise the base. `to` likewise
// (`patch-to`/`to`, default `/`). Patches apply in byte order of their keys
// (HyperBEAM's order for up to 32 messages). Keys `set` cannot write
// (`commitments`, `id`, `path`, ...) are dropped.
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class PatchDevice : public Device {
 public:
  std::string_view name() const override { return "patch@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "init" || key == "normalize" || key == "snapshot" || key == "compute" ||
           key == "patches" || key == "all";
  }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;
};

}  // namespace hashpath
