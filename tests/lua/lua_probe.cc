// Runs a Lua file in a deterministic LuaVm and prints what it printed, so
// a test can compare two separate OS processes (different ASLR layouts).
//   usage: lua_probe FILE [--absolute-pointers]
// --absolute-pointers hashes and prints raw addresses (base 0), i.e. what
// unpatched Lua does: the test uses it to show its check can fail.
// Lua is compiled as C++ here (third_party/lua5.3), so its headers are
// included without lua.hpp's extern "C".
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "devices/lua/lua_vm.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: lua_probe FILE [--absolute-pointers]\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream code;
  code << in.rdbuf();
  hashpath::LuaVm::Options o;
  o.random_seed = "probe";
  o.time_seconds = 1763700000;
  hashpath::LuaVm vm(o);
  if (argc > 2 && std::string(argv[2]) == "--absolute-pointers") {
    // Through the C API, so run()'s enter() does not reset the base.
    lua_State* L = vm.state();
    lua_setpointerbase(0);
    std::string chunk = code.str();
    if (luaL_loadbufferx(L, chunk.data(), chunk.size(), "=probe", "t") != LUA_OK ||
        lua_pcall(L, 0, 0, 0) != LUA_OK) {
      std::cerr << lua_tostring(L, -1) << "\n";
      return 1;
    }
    std::cout << vm.run("return", "flush").output;  // what print() collected
    return 0;
  }
  hashpath::LuaVm::RunResult r = vm.run(code.str(), "probe");
  std::cout << r.output;
  if (!r.ok) {
    std::cerr << r.error << "\n";
    return 1;
  }
  return 0;
}
