// lua@5.3a: resolve keys by calling Lua functions (spec/process-devices.md
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
// Hashpath differences (DESIGN.md §5): every call runs on a fresh state
// built from the modules, so a result depends only on the base and the
// request — the device is deterministic, its results are cached by
// hashpath and replayed. `os.time()` is the request's `timestamp` (ms),
// else its `block-timestamp` (s), else 0; `math.random` is seeded from the
// module IDs. Lua errors are {status: 500, body: <error>} results.
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class LuaDevice : public Device {
 public:
  std::string_view name() const override { return "lua@5.3a"; }
  bool handles(std::string_view) const override { return false; }
  DeviceInfo info() const override {
    DeviceInfo i;
    i.excludes = {"keys", "set", "encode", "decode"};
    i.default_function = true;
    return i;
  }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;
};

}  // namespace hashpath
