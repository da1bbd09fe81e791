// The fast WebAssembly engine: ahead-of-time native code (docs/wasm.md
// §1.2). A module is compiled once (aot_compiler.h), loaded into the node
// with dlopen, and called through the artifact's C interface
// (aot/aot_abi.h). It keeps every promise of wasm_engine.h and gives the
// same results, byte for byte, as the reference interpreter
// (wabt_interpreter.h), which the tests check on the AOS workload.
//
// When it cannot run a module it says so once in the log and hands the
// module to the fallback engine (the interpreter): when the toolchain is
// missing (no C compiler at run time), or when the compiler refuses the
// module (a feature wasm2c does not translate). A module the interpreter
// would refuse is refused with the interpreter's reason.
//
// Traps: module code runs on the calling thread. The node's SIGSEGV/SIGBUS
// handler turns a fault into a trap only while module code (not an import)
// runs on the faulting thread: a fault inside the module's memory
// reservation is an out-of-bounds access, any other (the guard page below
// the thread's stack) is call-stack exhaustion. Every other fault goes to
// the handler that was there before (the default: the node dies, as it
// should). Each thread that runs module code gets an alternate signal
// stack. Module code needs about 112 KiB of native stack at Lua's C-stack
// limit (the AOS module); the node's threads have 8 MiB.
//
// Budget: WasmLimits::max_steps_per_call is counted by the meter both
// engines add to a module (wasm_rewrite.h), so a budget runs out at the
// same point of a program on either (docs/wasm.md §8); the metered module
// is the one compiled (its own artifact).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "devices/wasm/aot_compiler.h"
#include "devices/wasm/wasm_engine.h"

namespace hashpath {

struct AotArtifact;

class AotEngine : public WasmEngine {
 public:
  AotEngine(std::filesystem::path cache_dir, AotToolchain tools,
            std::shared_ptr<WasmEngine> fallback);

  std::string_view name() const override { return "aot"; }
  Status instantiate(std::string_view module, WasmImports& imports, const WasmLimits& limits,
                     std::unique_ptr<WasmInstance>& out) override;

  // Whether the toolchain is there (else every module runs on the fallback).
  bool available() const { return available_; }
  // The artifact instantiate() would use for `module` under `limits` (the
  // metered module when there is a budget), compiled now if the cache has
  // none (wasm-64@1.0 `compile`, which `hashpath module put` asks for). No
  // toolchain: the fallback runs it, and there is nothing to do.
  Status prepare(std::string_view module, const WasmLimits& limits, std::string& runs_on,
                 bool& compiled) override;

 private:
  Status load(std::string_view module, std::shared_ptr<AotArtifact>& out);
  // `module` with the meter (wasm_rewrite.h), remembered by module hash.
  Status metered_module(std::string_view module, std::string& out);

  AotCompiler compiler_;
  std::shared_ptr<WasmEngine> fallback_;
  bool available_ = false;
  std::string unavailable_reason_;
  std::mutex mu_;                                               // guards loaded_ and metered_
  std::map<std::string, std::shared_ptr<AotArtifact>> loaded_;  // by artifact path
  std::map<std::string, std::string> metered_;                  // by module SHA-256
};

// The default cache directory: $HASHPATH_AOT_CACHE, else
// $XDG_CACHE_HOME/hashpath/aot, else ~/.cache/hashpath/aot. A node's own is
// DATA/aot (`hashpath serve` sets `wasm-aot-cache`).
std::filesystem::path default_aot_cache_dir();

}  // namespace hashpath
