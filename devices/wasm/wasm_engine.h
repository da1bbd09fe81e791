// A WebAssembly engine behind one interface (docs/wasm.md §1): a module's
// bytes in, an instance out, on which exports are called and linear memory
// is read and written. wasm-64@1.0 and json-iface@1.0 use nothing else, so
// the engines (the WABT interpreter, wabt_interpreter.h) are
// interchangeable and must agree byte for byte.
//
// Promises every engine keeps:
// * Imports go to the WasmImports the instance was made with, and nowhere
//   else; an import the host does not answer traps (the host decides).
// * A trap, an uncaught exception or an import's rejection ends the call
//   with a WasmCall whose status says why; the instance must then not be
//   called again (its stack pointer and the program's state are not
//   unwound): WasmInstance::broken() is true.
// * No code runs at instantiation: a module with a start function is
//   refused, and `_start`, `main` or `_initialize` are not called (HyperBEAM
//   calls none; docs/wasm.md §2).
// * Memory accesses are bounds-checked against the current size.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace hashpath {

enum class WasmType : uint8_t { kI32, kI64, kF32, kF64 };

// One WebAssembly value: its type and its bits (floats by bit pattern, so
// NaN payloads survive).
struct WasmValue {
  WasmType type = WasmType::kI32;
  uint64_t bits = 0;

  static WasmValue i32(uint32_t v) { return {WasmType::kI32, v}; }
  static WasmValue i64(uint64_t v) { return {WasmType::kI64, v}; }
  static WasmValue f32(float v);
  static WasmValue f64(double v);
  uint32_t as_u32() const { return static_cast<uint32_t>(bits); }
  uint64_t as_u64() const { return bits; }
  float as_f32() const;
  double as_f64() const;
  bool is_float() const { return type == WasmType::kF32 || type == WasmType::kF64; }
  bool operator==(const WasmValue&) const = default;
};

struct WasmSignature {
  std::vector<WasmType> params;
  std::vector<WasmType> results;
};
// HyperBEAM's signature text: "(<params>)<results>", i = i32, I = i64,
// f = f32, F = f64 (docs/wasm.md §3).
std::string signature_text(const WasmSignature& signature);
// The signature a text names; false if it is not one.
bool parse_signature_text(std::string_view text, WasmSignature& out);

class WasmInstance;

// The host side of a module's imports.
class WasmImports {
 public:
  virtual ~WasmImports() = default;
  // Whether the host answers this import at all (asked at instantiation;
  // a module importing something the host does not know is refused).
  virtual bool provides(std::string_view module, std::string_view field,
                        const WasmSignature& signature) const = 0;
  // Answers one call: `results` gets one value per result type. A rejected
  // Status traps the module with that reason.
  virtual Status call(std::string_view module, std::string_view field,
                      const WasmSignature& signature, std::span<const WasmValue> args,
                      WasmInstance& instance, std::vector<WasmValue>& results) = 0;
};

// An import may end the module code it was called from without breaking
// the instance (emscripten's longjmp): it rejects with a reason starting
// with kWasmUnwind. The module's frames down to the nearest call the host
// made into it (from inside another import, as emscripten's invoke_* do)
// are discarded; that call's WasmCall has `unwound` set, and the instance
// stays usable. An unwind that reaches the outermost call breaks it.
inline constexpr std::string_view kWasmUnwind = "unwind: ";

// The outcome of calling an export.
struct WasmCall {
  Status status;  // rejected: trap, uncaught exception, no such export...
  std::vector<WasmValue> results;
  bool unwound = false;  // rejected by an import's unwind, caught here
};

class WasmInstance {
 public:
  virtual ~WasmInstance() = default;

  // Calls export `name` with `args` (their types must match its
  // parameters exactly). May be called from inside an import (re-entrant).
  virtual WasmCall call(std::string_view name, std::span<const WasmValue> args) = 0;
  // The export's signature; rejected if there is no such function.
  virtual Status export_signature(std::string_view name, WasmSignature& out) const = 0;

  // Linear memory (memory 0). Reads and writes fail, changing nothing,
  // when [ptr, ptr + n) is not inside the current size.
  virtual uint64_t memory_size() const = 0;
  virtual Status read(uint64_t ptr, uint64_t n, std::string& out) const = 0;
  virtual Status write(uint64_t ptr, std::string_view bytes) = 0;
  // Grows memory to at least `bytes` (whole pages), within its maximum.
  virtual Status grow_to(uint64_t bytes) = 0;

  // A call trapped: the instance is not fit to go on.
  bool broken() const { return broken_; }
  // The engine that runs it (WasmEngine::name()).
  virtual std::string_view engine_name() const = 0;

  // The module's ABI helpers (docs/wasm.md §3): `malloc(n)` through the
  // export (0 is an error); a NUL-terminated copy of `text` in fresh
  // memory; the NUL-terminated string at `ptr`. Pointers are i64 when the
  // module's malloc takes i64 (wasm64), else i32.
  Status malloc(uint64_t n, uint64_t& ptr);
  // A little-endian integer of `width` bytes (1 to 8) at `ptr`.
  Status write_le(uint64_t ptr, uint64_t value, size_t width);
  Status read_le(uint64_t ptr, size_t width, uint64_t& value) const;
  Status write_string(std::string_view text, uint64_t& ptr);
  Status read_string(uint64_t ptr, std::string& out) const;

 protected:
  bool broken_ = false;
};

// Checks every engine makes alike, so that they refuse in the same words.
// The arguments of a call to export `name`: their count and types.
Status check_call_arguments(std::string_view name, const WasmSignature& signature,
                            std::span<const WasmValue> args);
// An import's answer: one value per result, of the result's type.
Status check_import_answer(const WasmSignature& signature, const std::vector<WasmValue>& answer);
// A memory of `initial_bytes` under a process limit of `limit_bytes`.
Status check_initial_memory(uint64_t initial_bytes, uint64_t limit_bytes);
inline constexpr std::string_view kCalledAfterTrap =
    "the instance trapped before and cannot be called again";

// What an instance may use, from the process definition.
struct WasmLimits {
  // The memory's maximum is lowered to this many bytes (whole pages) if the
  // module declares more (or none). 0: the module's own maximum.
  uint64_t max_memory_bytes = 0;
  // Meter ticks one outermost call may spend, nested calls through imports
  // included; beyond it the call traps ("step budget exhausted"). A tick
  // is a function call or a loop iteration, counted by code both engines
  // add to the module (wasm_rewrite.h), so every engine stops a program at
  // the same point (docs/wasm.md §8). 0: no limit (and no meter).
  uint64_t max_steps_per_call = 0;
};

class WasmEngine {
 public:
  virtual ~WasmEngine() = default;
  virtual std::string_view name() const = 0;
  // Decodes, validates and instantiates `module`. Rejected (with the
  // engine's reason) if the bytes are not a valid module, or an import is
  // not provided.
  virtual Status instantiate(std::string_view module, WasmImports& imports,
                             const WasmLimits& limits, std::unique_ptr<WasmInstance>& out) = 0;
  // Does now, once, what instantiating `module` under `limits` would do
  // first (the AOT engine compiles it into its cache), so the first message
  // a process gets does not wait for it. `runs_on` names the engine that
  // will run it; `compiled` says whether this call compiled it. Rejected if
  // the module cannot be prepared (not valid, say).
  virtual Status prepare(std::string_view module, const WasmLimits& limits, std::string& runs_on,
                         bool& compiled) = 0;
};

}  // namespace hashpath
