// The host of emscripten builds of AOS (Module-Format
// wasm64-unknown-emscripten-draft_2024_02_15: the AO network's modules,
// what the legacy compute unit runs with @permaweb/ao-loader's JavaScript
// glue), in C++ and deterministic (docs/wasm.md §3.2). WASI imports are
// WasiHost's; on top of them:
//
//   env.invoke_<sig>(index, args...)  calls the module's dynCall_<sig>;
//                            if the callee longjmps (below), the stack
//                            pointer is restored, setThrew(1, 0) is called
//                            and the import returns zeros — emscripten's
//                            setjmp/longjmp protocol, which Lua's error
//                            handling uses
//   env._emscripten_throw_longjmp   unwinds to the nearest invoke_*
//   env.emscripten_resize_heap(n)   grows memory as emscripten's glue
//                            does (20% overgrowth, at most n + 96 MiB,
//                            halved up to twice when growth fails); 1/0
//   env._emscripten_memcpy_js       memmove within memory, clipped at its end
//                            as the glue's copyWithin is
//   env.emscripten_date_now         the current message's time (ms): the
//                            assignment's timestamp, never the wall clock
//   env._emscripten_get_now_is_monotonic  1
//   env._gmtime_js, _localtime_js, _mktime_js, _tzset_js, strftime
//                            the node's time zone is UTC; strftime in the
//                            C locale
//   env.exit, env._abort_js         trap ("exit(N)", "abort()")
//   env.__asyncjs__weavedrive_open  0 (no drive: ao-loader's answer
//                            without WeaveDrive); _read and _close trap
//   env.__syscall_openat, unlinkat, rmdir, renameat, readlinkat  -ENOENT
//   env.__syscall_ioctl      0 on fds 0-2 (terminals), else -ENOTTY
//   env.__syscall_fcntl64    0;  env.__syscall_dup3  -EBADF
//   env._emscripten_system   0 for NULL, else -ENOSYS
//   wasi fd_seek             ESPIPE on fds 0-2, else EBADF
//
// start() runs what emscripten's runtime runs before the first call:
// emscripten_stack_init, the stack cookies, __wasm_call_ctors. Strings for
// `handle` go on the module's own stack (stack_string), as ccall puts them.
#pragma once

#include "devices/wasm/wasi_host.h"

namespace hashpath {

class EmscriptenHost : public WasiHost {
 public:
  Status call(std::string_view module, std::string_view field, const WasmSignature& signature,
              std::span<const WasmValue> args, WasmInstance& instance,
              std::vector<WasmValue>& results) override;

  // Emscripten's runtime start, once after instantiation.
  static Status start(WasmInstance& instance);
  // The stack pointer now; a NUL-terminated copy of `text` on the stack;
  // the stack pointer set back.
  static Status stack_save(WasmInstance& instance, uint64_t& sp);
  static Status stack_string(WasmInstance& instance, std::string_view text, uint64_t& ptr);
  static Status stack_restore(WasmInstance& instance, uint64_t sp);

  // What emscripten_date_now answers until the next set_now (ms).
  void set_now(double ms) { now_ms_ = ms; }

 private:
  Status invoke(std::string_view signature_name, const WasmSignature& signature,
                std::span<const WasmValue> args, WasmInstance& instance,
                std::vector<WasmValue>& results);
  double now_ms_ = 0;
};

}  // namespace hashpath
