// The AOT engine's compiler (docs/wasm.md §1.2): a WebAssembly module's
// bytes to a native shared object, once per module, kept in a cache
// directory. The pipeline:
//   1. a wasm64 module is lowered to a 32-bit memory by binaryen's
//      `wasm-opt --memory64-lowering`, and its memory.grow sites are made
//      to sign-extend (wasm_rewrite.h: binaryen 108's lowering breaks a
//      failed grow);
//   2. WABT's `wasm2c --enable-exceptions` writes the module as C;
//   3. the glue between that C and the node is generated from wasm2c's
//      header (imports and exports, devices/wasm/aot/aot_abi.h);
//   4. the system C compiler builds module + glue + our runtime
//      (devices/wasm/aot/aot_runtime.c) at -O2 with -ffp-contract=off
//      (WebAssembly forbids fusing a*b+c) into module.so.
//
// The cache holds one directory per module hash and pipeline version:
// module.so and manifest (the module's SHA-256 and the artifact's).
// Promises:
// * An artifact is used only if its bytes hash to what its manifest says
//   and the manifest names this module; otherwise it is rebuilt.
// * A directory appears in the cache whole (built aside, then renamed), so
//   a crash mid-compile leaves no half artifact.
// * Compiles are serialised (one at a time per node process).
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace hashpath {

// The programs the pipeline runs, and where wasm2c's header is.
struct AotToolchain {
  std::string wasm_opt = "wasm-opt";
  std::string wasm2c;           // this build's wasm2c (patched WABT, third_party/wabt)
  std::string cc = "cc";        // the system C compiler
  std::string wasm_rt_include;  // the directory with wasm-rt.h
  // This build's tools, with $HASHPATH_WASM_OPT, $HASHPATH_WASM2C and $CC
  // overriding them.
  static AotToolchain of_this_build();
  // Whether every program and header is there; `why` names what is not.
  bool available(std::string& why) const;
};

class AotCompiler {
 public:
  // The pipeline version: part of each cache key.
  static constexpr std::string_view kPipeline = "hashpath-aot-1";

  AotCompiler(std::filesystem::path cache_dir, AotToolchain tools);

  // The artifact for `module`: from the cache, or compiled now (seconds
  // for a large module). `compiled` says which.
  Status artifact_for(std::string_view module, std::filesystem::path& so_path, bool& compiled);

  const std::filesystem::path& cache_dir() const { return cache_dir_; }

 private:
  Status compile(std::string_view module, const std::string& module_hash,
                 const std::filesystem::path& into);
  // An artifact directory that is whole and matches `module_hash`.
  bool artifact_is_sound(const std::filesystem::path& dir, const std::string& module_hash,
                         std::string& why) const;

  std::filesystem::path cache_dir_;
  AotToolchain tools_;
  std::mutex compile_mu_;  // guards the cache directory's writes
};

}  // namespace hashpath
