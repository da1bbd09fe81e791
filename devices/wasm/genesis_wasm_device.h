// genesis-wasm@1.0: the execution device aoconnect's `spawn` names, run in
// process (docs/wasm.md §6). HyperBEAM delegates it over HTTP to a
// separate JavaScript compute unit; Hashpath runs the process's `Module`
// itself, on the AOS stack of docs/wasm.md §4:
//
//   stack@1.0 over [wasi@1.0, json-iface@1.0, wasm-64@1.0, patch@1.0,
//   multipass@1.0], passes 2, output-prefix wasm,
//   patch-from /results/outbox
//
//   compute, init, normalize, snapshot   that stack's key, on the state;
//                                        the state comes back without the
//                                        stack's own keys (a dry run's
//                                        result is turned into aoconnect's
//                                        document by process@1.0)
//
// The module must be WebAssembly: a Lua module is refused with a reason
// that names execution-device (422). Both module formats run: WASI "pure"
// builds, and emscripten builds (a Module-Format naming emscripten, run
// on emscripten_host.h).
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class GenesisWasmDevice : public Device {
 public:
  std::string_view name() const override { return "genesis-wasm@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "init" || key == "compute" || key == "normalize" || key == "snapshot";
  }
  // `normalize` reads node memory (the live instances); the rest is
  // deterministic given the process's history.
  bool cacheable(std::string_view key) const override { return key != "normalize"; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;
  // A spawn whose Module is stored and is not WebAssembly is refused (422,
  // naming execution-device: lua@5.3a for a Lua module).
  ResolveResult check_definition(const Message& definition, Resolver& resolver) override;
};

}  // namespace hashpath
