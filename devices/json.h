// json@1.0 as a device (docs/devices.md §8): the codec of
// engine/codec/json.h at the end of a HyperPATH.
//
//   serialize     {content-type: application/json, body: <the base as JSON>}
//                 (the base's `device` key, set by `~json@1.0`, is left out)
//   deserialize   the message in the base's `body` (a 400 naming the problem
//                 if it is not a JSON object)
//
// Both depend only on the base: deterministic, cached and replayed.
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class JsonDevice : public Device {
 public:
  std::string_view name() const override { return "json@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "serialize" || key == "deserialize";
  }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;
};

}  // namespace hashpath
