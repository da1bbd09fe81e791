// Module bytes as `module put` stores them and a spawn instantiates them:
// whatever the bytes, instantiation answers ok or a reason, never a crash.
// A module that instantiates has each of its exports that take no
// arguments called with a small step budget (so the module is metered
// first: wasm_rewrite.h). The AOT compiler's other rewrites of WABT's IR
// see the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "devices/wasm/wabt_interpreter.h"
#include "devices/wasm/wasi_host.h"
#include "devices/wasm/wasm_rewrite.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hashpath;
  WabtInterpreter engine;
  WasiHost host;
  WasmLimits limits;
  limits.max_memory_bytes = 16 << 20;
  limits.max_steps_per_call = 100'000;
  std::unique_ptr<WasmInstance> instance;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  WasmModuleShape shape;
  (void)inspect_module(bytes, shape);
  std::string rewritten;
  size_t sites = 0;
  (void)sign_extend_lowered_memory_grow(bytes, rewritten, sites);
  if (!engine.instantiate(bytes, host, limits, instance).is_ok()) return 0;
  for (const char* name : {"_start", "main", "handle", "run"}) {
    WasmSignature sig;
    if (instance->export_signature(name, sig).is_ok() && sig.params.empty())
      (void)instance->call(name, {});
  }
  return 0;
}
