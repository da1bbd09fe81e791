// The host a WASM process runs against (docs/wasm.md §3): WASI preview 1
// as HyperBEAM's wasi@1.0 answers it, emscripten's `env` stubs, and other
// import modules through a resolver the device gives (`stdlib/<module>`).
//
//   wasi_snapshot_preview1.fd_write    fd 1 and 2 append to stdout/stderr;
//                                      the byte count is written; 0. Other
//                                      fds: errno 8 (EBADF)
//   wasi_snapshot_preview1.fd_read     stdin is empty: 0 bytes read; 0
//   wasi_snapshot_preview1.clock_time_get  errno 1, nothing written (the
//                                      clock is not an input; HyperBEAM's
//                                      answer, so Lua's hash seed matches)
//   wasi_snapshot_preview1.environ_sizes_get, args_sizes_get
//                                      no variables, no arguments: 0 and 0
//                                      written; 0
//   wasi_snapshot_preview1.proc_exit   traps ("proc_exit(<code>)")
//   anything else                      0 for every result (HyperBEAM's
//                                      stub), recorded in undefined_calls
//
// The pointer width is the import's: i64 pointers are wasm64 (16-byte
// iovecs, 8-byte sizes), i32 pointers wasm32 (8-byte iovecs, 4-byte sizes).
// Nothing else reaches the module: no files, no time, no randomness.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "devices/wasm/wasm_engine.h"

namespace hashpath {

class WasiHost : public WasmImports {
 public:
  ~WasiHost() override = default;
  // Answers an import of a module that is neither WASI nor `env`: ok with
  // results, not found (false) to fall back to the stub, or a rejection.
  using ModuleResolver = std::function<bool(
      std::string_view module, std::string_view field, const WasmSignature& signature,
      std::span<const WasmValue> args, std::vector<WasmValue>& results, Status& status)>;

  void set_module_resolver(ModuleResolver resolver) { resolver_ = std::move(resolver); }

  bool provides(std::string_view, std::string_view, const WasmSignature&) const override {
    return true;  // every import has at least the stub
  }
  Status call(std::string_view module, std::string_view field, const WasmSignature& signature,
              std::span<const WasmValue> args, WasmInstance& instance,
              std::vector<WasmValue>& results) override;

  // What the module wrote to fd 1 and 2, and the imports answered by the
  // stub ("module.field"), since the last take_output().
  struct Output {
    std::string stdout_text, stderr_text;
    std::vector<std::string> undefined_calls;
  };
  Output take_output();

 private:
  Status fd_write(const WasmSignature& signature, std::span<const WasmValue> args,
                  WasmInstance& instance, std::vector<WasmValue>& results);
  ModuleResolver resolver_;
  Output output_;
};

}  // namespace hashpath
