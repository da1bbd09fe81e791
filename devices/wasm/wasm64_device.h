// wasm-64@1.0: runs a WebAssembly module's exports (docs/wasm.md §2).
// HyperBEAM's dev_wasm; the engine is the node's (wasm_engine.h).
//
//   init        the base, after checking the image instantiates (on a
//               process state: its live instance is made, wasm_processes.h)
//   compute     on pass 1 (or with no `pass`): calls the export named by the
//               request's `body/function`, else its `function`, else the
//               base's, with `parameters` looked up the same way (default
//               []); no function: the base unchanged. Sets
//               `results/<output-prefix>/type` (ok | error) and
//               `results/<output-prefix>/output` (the list of returned
//               values; floats as floats). What the module wrote to fd 1/2
//               is appended to `vfs/dev/stdout` / `vfs/dev/stderr`; imports
//               answered by the stub are listed in
//               `results/<output-prefix>/undefined-calls`.
//               On a process state the process's live instance runs and
//               keeps its memory (every `snapshot-interval` slots the state
//               gets `wasm-memory`, its memory as stored pages:
//               wasm_processes.h); on any other message a fresh instance
//               runs, its memory first set from the base's `snapshot` body
//               if there is one (so the result depends only on the base and
//               the request).
//   compile     on a message naming an `image` (a module or its ID): does
//               now what a process's first message would (the AOT engine
//               compiles the metered module into its cache) and answers
//               `{runs-on: aot | interpreter, compiled: true | false}`; 422
//               with the reason for a module that cannot be. Reads the
//               node (its engine and cache): logged as an oracle step.
//   snapshot    on a process state: `{body: <the instance's memory>}`
//   normalize   on a process state: the base if its live instance is at
//               the state's slot or the state has its own snapshot, else
//               409 with `resume-from-slot` when an earlier snapshot exists
//               (process@1.0 recomputes from there, else from slot 0)
//
// Arguments must have the kind of the export's parameter: integers for
// i32/i64 (truncated as a C cast), floats for f32/f64 (400 otherwise).
// A trap is an error result ({status 500, body: reason}); on a process
// the instance is dropped and the slot has no effect (wasm_processes.h).
// Imports: `stdlib/<module>` on the base names a device per import module
// (`{device: D}`: import `field(args)` resolves key `field` on it with
// `args`; its integer or float answer, or a list of them, is the result);
// WASI and `env` are the host's (wasi_host.h).
#pragma once

#include <memory>

#include "devices/wasm/wasm_processes.h"
#include "engine/resolve/device.h"

namespace hashpath {

class Wasm64Device : public Device {
 public:
  explicit Wasm64Device(std::shared_ptr<WasmProcesses> processes)
      : processes_(std::move(processes)) {}
  std::string_view name() const override { return "wasm-64@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "init" || key == "compute" || key == "snapshot" || key == "normalize" ||
           key == "compile";
  }
  // `normalize` and `snapshot` read node memory (the live instances),
  // `compile` the node's engine and cache; the rest is deterministic given
  // the process's history (replay re-runs it).
  bool cacheable(std::string_view key) const override {
    return key != "normalize" && key != "snapshot" && key != "compile";
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  std::shared_ptr<WasmProcesses> processes_;
};

}  // namespace hashpath
