#include "devices/lua/lua_vm.h"

// Lua is compiled as C++ here (third_party/lua5.3), so its headers are
// included without lua.hpp's extern "C".
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <cstring>
#include <stdexcept>

#include "devices/lua/lua_convert.h"
#include "engine/crypto/hash.h"
#include "engine/error.h"

namespace hashpath {
namespace {

constexpr int kHookEvery = 1000;  // instructions between budget checks

// Replacements written in Lua itself, run once per state.
constexpr const char* kSandbox = R"lua(
for _, name in ipairs({"execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale"}) do
  os[name] = nil
end
string.dump = nil
dofile, loadfile, require = nil, nil, nil
local raw_load = load
load = function(chunk, name, mode, ...)  -- text only; `...` keeps an explicit env
  return raw_load(chunk, name, "t", ...)
end
local raw_date = os.date
os.date = function(format, t)  -- always UTC, of the deterministic clock
  format = format or "%c"
  if format:sub(1, 1) ~= "!" then format = "!" .. format end
  return raw_date(format, t or os.time())
end
)lua";

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// The values at [first, first + n) through tostring, tab-separated. Runs
// metamethods, so only call it in protected mode.
std::string joined(lua_State* L, int first, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    size_t len = 0;
    const char* s = luaL_tolstring(L, first + i, &len);
    if (i > 0) out += "\t";
    out.append(s, len);
    lua_pop(L, 1);
  }
  return out;
}

// A protected wrapper around joined(): its arguments in, one string out.
int join_arguments(lua_State* L) {
  std::string line = joined(L, 1, lua_gettop(L));
  lua_pushlstring(L, line.data(), line.size());
  return 1;
}

std::string error_text(lua_State* L) {
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  return s != nullptr ? std::string(s, len) : "(error object is not a string)";
}

}  // namespace

LuaVm& LuaVm::of(lua_State* L) { return **static_cast<LuaVm**>(lua_getextraspace(L)); }

void LuaVm::enter() const { lua_setpointerbase(arena_.base()); }

LuaVm::LuaVm(Options options) : options_(std::move(options)), arena_(options_.memory_limit) {
  enter();
  L_ = lua_newstate(&LuaArena::lua_alloc, &arena_);
  if (L_ == nullptr) throw LuaError("cannot create a Lua state: the memory limit is too small");
  *static_cast<LuaVm**>(lua_getextraspace(L_)) = this;
  table_memo_.install(L_);
  // An error outside any protected call (only set-up can raise one: out of
  // memory) becomes a C++ exception instead of abort().
  lua_atpanic(L_, [](lua_State* L) -> int {
    throw LuaError(std::string("Lua state set-up failed: ") + error_text(L));
  });
  const luaL_Reg libs[] = {{"_G", luaopen_base},
                           {LUA_COLIBNAME, luaopen_coroutine},
                           {LUA_TABLIBNAME, luaopen_table},
                           {LUA_STRLIBNAME, luaopen_string},
                           {LUA_MATHLIBNAME, luaopen_math},
                           {LUA_UTF8LIBNAME, luaopen_utf8},
                           {LUA_OSLIBNAME, luaopen_os}};
  for (const auto& lib : libs) {
    luaL_requiref(L_, lib.name, lib.func, 1);
    lua_pop(L_, 1);
  }
  seed(options_.random_seed);
  install_sandbox();
  lua_sethook(L_, &LuaVm::on_count, LUA_MASKCOUNT, kHookEvery);
}

LuaVm::~LuaVm() {
  enter();
  lua_close(L_);
}

LuaVm::Checkpoint LuaVm::checkpoint() const {
  Checkpoint c{arena_.snapshot(), table_memo_, options_, output_, {}};
  std::copy(std::begin(rng_), std::end(rng_), std::begin(c.rng));
  return c;
}

void LuaVm::restore(const Checkpoint& c) {
  // L_ and every pointer the state holds are addresses in the arena, which
  // gets back the very bytes it had; the host side is copied back with it.
  arena_.restore(c.arena);
  table_memo_ = c.memo;
  options_ = c.options;
  output_ = c.output;
  std::copy(std::begin(c.rng), std::end(c.rng), std::begin(rng_));
}

void LuaVm::install_sandbox() {
  lua_register(L_, "print", &LuaVm::on_print);
  lua_getglobal(L_, "os");
  lua_pushcfunction(L_, &LuaVm::on_time);
  lua_setfield(L_, -2, "time");
  lua_pushcfunction(L_, &LuaVm::on_clock);
  lua_setfield(L_, -2, "clock");
  lua_pop(L_, 1);
  lua_getglobal(L_, "math");
  lua_pushcfunction(L_, &LuaVm::on_random);
  lua_setfield(L_, -2, "random");
  lua_pushcfunction(L_, &LuaVm::on_randomseed);
  lua_setfield(L_, -2, "randomseed");
  lua_pop(L_, 1);
  if (luaL_loadbufferx(L_, kSandbox, std::strlen(kSandbox), "=sandbox", "t") != LUA_OK ||
      lua_pcall(L_, 0, 0, 0) != LUA_OK) {
    throw LuaError(std::string("cannot install the Lua sandbox: ") + lua_tostring(L_, -1));
  }
}

void LuaVm::begin_call() {
  enter();
  instructions_ = 0;
  exhausted_ = false;
  lua_sethook(L_, &LuaVm::on_count, LUA_MASKCOUNT, kHookEvery);
}

namespace {
struct Invocation {
  const std::string* function;
  const std::vector<Value>* args;
  std::vector<Value> results;
};
}  // namespace

// Runs in protected mode: conversion failures become Lua errors (Lua is
// compiled as C++, so raising one unwinds this frame properly).
int LuaVm::invoke(lua_State* L) {
  auto* inv = static_cast<Invocation*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  if (lua_getglobal(L, inv->function->c_str()) != LUA_TFUNCTION) {
    return luaL_error(L, "no Lua function '%s'", inv->function->c_str());
  }
  try {
    for (const Value& a : *inv->args) push_value(L, a);
  } catch (const std::exception& e) {
    return luaL_error(L, "cannot pass the arguments to Lua: %s", e.what());
  }
  lua_call(L, static_cast<int>(inv->args->size()), LUA_MULTRET);
  int n = lua_gettop(L);
  try {
    for (int i = 1; i <= n; ++i) inv->results.push_back(to_value(L, i));
  } catch (const std::exception& e) {
    return luaL_error(L, "cannot return the result from Lua: %s", e.what());
  }
  return 0;
}

LuaVm::CallResult LuaVm::call(const std::string& function, const std::vector<Value>& args) {
  begin_call();
  CallResult r;
  Invocation inv{&function, &args, {}};
  int base = lua_gettop(L_);
  lua_pushcfunction(L_, &LuaVm::invoke);
  lua_pushlightuserdata(L_, &inv);
  int status = lua_pcall(L_, 1, 0, 0);
  if (status == LUA_OK) r.values = std::move(inv.results);
  end_call(status, base, r);
  return r;
}

void LuaVm::end_call(int status, int base, RunResult& r) {
  r.ok = status == LUA_OK;
  r.out_of_memory = status == LUA_ERRMEM || arena_.exhausted();
  arena_.clear_exhausted();
  if (!r.ok) r.error = error_text(L_);
  lua_settop(L_, base);
  r.output.swap(output_);
  r.instructions = instructions_;
}

LuaVm::RunResult LuaVm::run(const std::string& code, const std::string& chunk_name) {
  begin_call();
  RunResult r;
  int base = lua_gettop(L_);
  int status = luaL_loadbufferx(L_, code.data(), code.size(), ("=" + chunk_name).c_str(), "t");
  if (status == LUA_OK) status = lua_pcall(L_, 0, LUA_MULTRET, 0);
  int n = lua_gettop(L_) - base;
  if (status == LUA_OK && n > 0) {
    // The returned values are printed, in protected mode (__tostring may fail).
    lua_pushcfunction(L_, &join_arguments);
    lua_insert(L_, base + 1);
    status = lua_pcall(L_, n, 1, 0);
    if (status == LUA_OK) output_ += std::string(lua_tostring(L_, -1)) + "\n";
  }
  end_call(status, base, r);
  return r;
}

LuaVm::RunResult LuaVm::run_module(const std::string& code, const std::string& name) {
  begin_call();
  RunResult r;
  int base = lua_gettop(L_);
  int status = luaL_loadbufferx(L_, code.data(), code.size(), ("=" + name).c_str(), "t");
  if (status == LUA_OK) status = lua_pcall(L_, 0, 1, 0);
  if (status == LUA_OK && !lua_isnil(L_, -1)) {
    if (lua_getglobal(L_, kLoadedModules) != LUA_TTABLE) {
      lua_pop(L_, 1);
      lua_newtable(L_);
      lua_pushvalue(L_, -1);
      lua_setglobal(L_, kLoadedModules);
    }
    lua_pushvalue(L_, -2);               // the module's value
    lua_setfield(L_, -2, name.c_str());  // _LOADED_MODULES[name] = value
    lua_pop(L_, 1);
  }
  end_call(status, base, r);
  return r;
}

int LuaVm::on_print(lua_State* L) {
  LuaVm& vm = of(L);
  vm.output_ += joined(L, 1, lua_gettop(L)) + "\n";
  return 0;
}

int LuaVm::on_time(lua_State* L) {
  if (!lua_isnoneornil(L, 1)) {
    // os.time(table) is a pure conversion; keep the library's (UTC) rules
    // by refusing it rather than guessing a timezone.
    return luaL_error(L, "os.time(table) is not available in a deterministic process");
  }
  lua_pushinteger(L, static_cast<lua_Integer>(of(L).options_.time_seconds));
  return 1;
}

int LuaVm::on_clock(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(of(L).instructions_) / 1e6);
  return 1;
}

void LuaVm::seed(const std::string& bytes) {
  std::string h = sha256("hashpath-lua-random:" + bytes);
  for (int i = 0; i < 4; ++i) std::memcpy(&rng_[i], h.data() + 8 * i, 8);
}

uint64_t LuaVm::next_random() {  // xoshiro256**
  uint64_t result = rotl(rng_[1] * 5, 7) * 9;
  uint64_t t = rng_[1] << 17;
  rng_[2] ^= rng_[0];
  rng_[3] ^= rng_[1];
  rng_[1] ^= rng_[2];
  rng_[0] ^= rng_[3];
  rng_[2] ^= t;
  rng_[3] = rotl(rng_[3], 45);
  return result;
}

int LuaVm::on_random(lua_State* L) {
  LuaVm& vm = of(L);
  lua_Integer low, up;
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, static_cast<lua_Number>(vm.next_random() >> 11) * 0x1.0p-53);
      return 1;
    case 1:
      low = 1;
      up = luaL_checkinteger(L, 1);
      break;
    case 2:
      low = luaL_checkinteger(L, 1);
      up = luaL_checkinteger(L, 2);
      break;
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  luaL_argcheck(L, low <= up, lua_gettop(L), "interval is empty");
  uint64_t range = static_cast<uint64_t>(up) - static_cast<uint64_t>(low) + 1;  // 0 means all 2^64
  uint64_t x = vm.next_random();
  if (range != 0) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % range;  // reject the biased tail
    while (x >= limit) x = vm.next_random();
    x %= range;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(static_cast<uint64_t>(low) + x));
  return 1;
}

int LuaVm::on_randomseed(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_tolstring(L, 1, &len);
  of(L).seed(std::string(s, len));
  return 0;
}

void LuaVm::on_count(lua_State* L, lua_Debug*) {
  LuaVm& vm = of(L);
  vm.instructions_ += vm.exhausted_ ? 1 : kHookEvery;
  if (vm.instructions_ > vm.options_.instruction_budget) {
    // From now on every instruction raises, so a pcall in the program
    // cannot catch it and carry on: the first instruction after it fails.
    if (!vm.exhausted_) {
      vm.exhausted_ = true;
      lua_sethook(L, &LuaVm::on_count, LUA_MASKCOUNT, 1);
    }
    luaL_error(L, "instruction budget exhausted (%d instructions)",
               static_cast<int>(vm.options_.instruction_budget));
  }
}

}  // namespace hashpath
