// A deterministic Lua 5.3 state (docs/devices.md §5.4, §9).
//
// * Memory comes from a LuaArena and pointers are hashed and printed
//   relative to it (patched Lua), so `pairs()` order and `tostring({})`
//   are the same in every run; the arena's size is a deterministic memory
//   limit.
// * Sandbox: no `io`, `package`, `require`, `dofile`, `loadfile`,
//   `os.execute/exit/getenv/remove/rename/tmpname`, `string.dump`; `load`
//   accepts text chunks only.
// * `os.time()` is the time the embedder sets (an assignment's timestamp,
//   seconds), `os.clock()` is instructions executed / 1e6, `os.date` is
//   UTC of `os.time()`; `math.random` is xoshiro256** seeded by the
//   embedder (a process ID), `math.randomseed` reseeds it.
// * An instruction budget per call: counted by a count hook; when it runs
//   out the call fails with "instruction budget exhausted" (an error no
//   pcall inside the program can swallow).
// * `print` appends to an output buffer instead of writing to stdout.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "devices/lua/lua_arena.h"
#include "devices/lua/lua_convert.h"
#include "engine/message/message.h"

struct lua_State;
struct lua_Debug;

namespace hashpath {

class LuaVm {
 public:
  struct Options {
    size_t memory_limit = size_t{256} << 20;
    uint64_t instruction_budget = 100'000'000;  // per call
    std::string random_seed;                    // any bytes; hashed
    int64_t time_seconds = 0;                   // os.time()
  };
  struct RunResult {
    bool ok = false;
    std::string error;   // the Lua error message when !ok
    std::string output;  // what `print` printed since the last call
    uint64_t instructions = 0;
    // The arena ran out during the call (caught by Lua or not): the state
    // is not fit to go on (lua_device.h says what a process does then).
    bool out_of_memory = false;
  };
  struct CallResult : RunResult {
    std::vector<Value> values;  // what the function returned (lua_convert)
  };

  explicit LuaVm(Options options);
  ~LuaVm();
  LuaVm(const LuaVm&) = delete;
  LuaVm& operator=(const LuaVm&) = delete;

  // Runs `code` as a text chunk named `chunk_name`; the returned values
  // are printed to the output, each through tostring, tab-separated.
  RunResult run(const std::string& code, const std::string& chunk_name);
  // Runs `code` as the module `name` of a process: what it returns (its
  // first value, if not nil) is kept in the global table kLoadedModules
  // under `name`, for `require(name)` (devices/lua/aos/ao.lua), and is not
  // printed.
  static constexpr const char* kLoadedModules = "_LOADED_MODULES";
  RunResult run_module(const std::string& code, const std::string& name);

  // Calls the global function `function` with `args` (converted as in
  // lua_convert.h) under the instruction budget.
  CallResult call(const std::string& function, const std::vector<Value>& args);

  // A copy of the whole state: its arena and everything the host keeps for
  // it. restore() makes the state exactly what it was at checkpoint(),
  // whatever ran in between (a dry run: lua_device.h). Costs a copy of the
  // memory the state has used.
  struct Checkpoint {
    LuaArena::Snapshot arena;
    LuaTableMemo memo;
    Options options;
    std::string output;
    uint64_t rng[4] = {0, 0, 0, 0};
  };
  Checkpoint checkpoint() const;
  void restore(const Checkpoint& c);

  void set_time(int64_t seconds) { options_.time_seconds = seconds; }
  lua_State* state() { return L_; }
  size_t memory_in_use() const { return arena_.in_use(); }

  // Makes this state's arena the base pointers are hashed against, on this
  // thread. Every entry point calls it; callers using state() must too.
  void enter() const;

 private:
  void install_sandbox();
  void begin_call();
  // Ends a call: the status of the protected call that ran it, the stack
  // back to `base`, the output and instruction count handed over.
  void end_call(int status, int base, RunResult& r);
  static int invoke(lua_State* L);
  static int on_print(lua_State* L);
  static int on_time(lua_State* L);
  static int on_clock(lua_State* L);
  static int on_random(lua_State* L);
  static int on_randomseed(lua_State* L);
  static int on_load(lua_State* L);
  static void on_count(lua_State* L, ::lua_Debug* ar);
  static LuaVm& of(lua_State* L);
  void seed(const std::string& bytes);
  uint64_t next_random();

  Options options_;
  LuaArena arena_;
  // Told by the state of writes to the large tables it converted; outlives
  // L_ (lua_close reports every table it frees).
  LuaTableMemo table_memo_;
  lua_State* L_ = nullptr;
  std::string output_;
  uint64_t instructions_ = 0;  // in the current call
  bool exhausted_ = false;
  uint64_t rng_[4] = {0, 0, 0, 0};
};

}  // namespace hashpath
