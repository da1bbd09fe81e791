// json-iface@1.0: the legacy AO JSON interface between a process and an
// AOS WASM module (docs/wasm.md §5; HyperBEAM dev_json_iface). It sits
// before wasm-64@1.0 in the process's stack and runs in two passes
// (multipass@1.0 asks for the second).
//
//   init      sets `function` = handle
//   compute   pass 1: the assignment's message and the process, as JSON
//             (aos_json_struct.h: the message plus "Module" = the process's
//             image and "Block-Height" = the assignment's block-height, a
//             number; the env {"Process": <the process>}), written into the
//             process's live instance — message first, then env, each by
//             the module's malloc — and `function` = handle, `parameters` =
//             [message pointer, env pointer]
//             pass 2: the string at `results/<prefix>/output/1` must be
//             {"ok": true, "response": R}; R's Output.data (or its Error)
//             becomes `results/data`, R's Messages `results/outbox`
//             ({"1": ..., "2": ...}: each message's tags as keys, its
//             other fields lower-cased, plus `from-process` and
//             `from-image`), R's patches `results/patches`, and R itself
//             as JSON text at `results/json` ({content-type, body}, as
//             HyperBEAM's delegated compute keeps it). Spawns and
//             Assignments are not acted on (HyperBEAM's behaviour)
//   normalize, snapshot  the base (wasm-64@1.0 answers for the instance)
//
// A type of `error` from wasm-64@1.0, or output that is not that JSON, is
// an error result with a reason. Runs only on a process state.
#pragma once

#include <memory>
#include <optional>

#include "devices/wasm/wasm_processes.h"
#include "engine/resolve/device.h"

namespace hashpath {

class JsonIfaceDevice : public Device {
 public:
  explicit JsonIfaceDevice(std::shared_ptr<WasmProcesses> processes)
      : processes_(std::move(processes)) {}
  std::string_view name() const override { return "json-iface@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "init" || key == "compute" || key == "normalize" || key == "snapshot";
  }
  // Deterministic given the process's history, as lua@5.3a's compute is:
  // replay re-runs it (docs/wasm.md §4).
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  ResolveResult prepare(const Message& base, const Message& request, Resolver& resolver);
  ResolveResult convert(const Message& base, const Message& request, Resolver& resolver);
  std::shared_ptr<WasmProcesses> processes_;
};

}  // namespace hashpath
