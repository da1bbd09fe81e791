// The AOT runtime's C sources (devices/wasm/aot/), built into the node so
// that it can compile a module anywhere: aot_compiler.cc writes them beside
// wasm2c's output. Generated at build time by aot/embed_sources.cmake.
#pragma once

namespace hashpath {

extern const char kAotRuntimeSource[];    // aot/aot_runtime.c
extern const char kAotAbiHeaderSource[];  // aot/aot_abi.h

}  // namespace hashpath
