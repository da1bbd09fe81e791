// Rewrites of a WebAssembly module's bytes, done on WABT's IR before an
// engine sees the module (docs/wasm.md §1.2). Each keeps every behaviour
// the WebAssembly spec defines and changes only what its comment says.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace hashpath {

// What the AOT compiler asks of a module before translating it.
struct WasmModuleShape {
  size_t memories = 0;
  bool memory64 = false;  // memory 0 is a 64-bit memory
  bool has_start = false;
};
// Rejected if the bytes are not a module WABT can read.
Status inspect_module(std::string_view wasm, WasmModuleShape& out);

// binaryen 108's memory64 lowering turns `memory.grow` into
// `i64.extend_i32_u(memory.grow(...))`, so a failed grow (-1 as i32)
// becomes 4294967295 instead of -1 and the module takes the failure for
// success (fixed upstream in binaryen after 108). This makes every
// `memory.grow` directly followed by `i64.extend_i32_u` sign-extend
// instead: exact for a 32-bit memory, whose page count is below 2^31.
// `sites` is how many were changed.
Status sign_extend_lowered_memory_grow(std::string_view wasm, std::string& out, size_t& sites);

// The deterministic budget both engines count the same way (docs/wasm.md
// §8): adds a mutable i64 global, exported as kMeterExport, and a tick at
// the start of every loop body and of every function body that makes a
// call (one that calls nothing ends or meets a loop's tick). A tick with
// the meter at 0 sets it to -1 and executes `unreachable`; otherwise it
// subtracts 1. The host sets the meter to the budget before a call; a trap
// with the meter at -1 is the budget running out (the module's own code
// never sees or writes the global). Every loop iteration and every call
// into a function that calls costs one tick, so code that runs without
// end always meets one.
inline constexpr std::string_view kMeterExport = "hashpath_meter";
Status meter_module(std::string_view wasm, std::string& out);

}  // namespace hashpath
