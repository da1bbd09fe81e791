// wasi@1.0: the WASI member of a WASM process's stack (docs/wasm.md §3).
// The imports themselves are answered natively by the host
// (wasi_host.h), the same way on every engine; this device sets up the
// state that names them, as HyperBEAM's dev_wasi does.
//
//   init                 sets `<output-prefix>/stdlib/wasi_snapshot_preview1`
//                        = {device: wasi@1.0}, `file-descriptors` (0, 1, 2 →
//                        /dev/stdin, /dev/stdout, /dev/stderr at offset 0)
//                        and `vfs` = {dev: {stdin: "", stdout: "", stderr: ""}}
//   compute, normalize,  the base, unchanged (what the module writes to
//   snapshot             fd 1 and 2 is appended to vfs by wasm-64@1.0)
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class WasiDevice : public Device {
 public:
  std::string_view name() const override { return "wasi@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "init" || key == "compute" || key == "normalize" || key == "snapshot";
  }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;
};

}  // namespace hashpath
