// The reference WebAssembly engine: WABT's interpreter (libwabt 1.0.32,
// built from Debian's source package with our fix for caught exceptions,
// third_party/wabt/). Slow (about 110 times V8 on the AOS module) but
// simple and independent of any code generator, so it is what the other
// engines are checked against (docs/wasm.md §1).
//
// Features: the MVP plus WABT 1.0.32's defaults (mutable globals,
// saturating conversions, sign extension, multi-value, bulk memory,
// reference types, SIMD) and memory64 and exception handling, which the
// AOS modules need. Call depth is WABT's fixed frame stack (a trap when
// exhausted), the same in every run.
#pragma once

#include "devices/wasm/wasm_engine.h"

namespace hashpath {

class WabtInterpreter : public WasmEngine {
 public:
  std::string_view name() const override { return "wabt-interpreter"; }
  Status instantiate(std::string_view module, WasmImports& imports, const WasmLimits& limits,
                     std::unique_ptr<WasmInstance>& out) override;
  // Nothing to compile: checks that the module decodes and validates as
  // instantiate() would.
  Status prepare(std::string_view module, const WasmLimits& limits, std::string& runs_on,
                 bool& compiled) override;
};

}  // namespace hashpath
