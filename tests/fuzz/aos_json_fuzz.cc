// libFuzzer target: the AOS runtime's JSON decoder (devices/lua/aos/json.lua),
// which reads message data from the network (`Content-Type:
// application/json`). Invariant: any input decodes, or fails with a
// "json.decode:" error; never another Lua error, a crash or a hang (the
// instruction budget bounds every call).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "devices/lua/aos_library.h"
#include "devices/lua/lua_vm.h"

using namespace hashpath;

namespace {
LuaVm& vm() {
  static std::unique_ptr<LuaVm> instance = [] {
    LuaVm::Options o;
    o.instruction_budget = 50'000'000;
    auto v = std::make_unique<LuaVm>(o);
    v->run("ao = { id = 'FUZZ' }", "setup");
    if (!v->run(std::string(aos_library_source()), "aos").ok) std::abort();
    v->run(
        "function fuzz_decode(s)\n"
        "  local ok, err = pcall(require('json').decode, s)\n"
        "  if not ok and not tostring(err):find('^json.decode: ') then error('unexpected: ' .. "
        "tostring(err)) end\n"
        "  return 'done'\n"
        "end",
        "fuzz");
    return v;
  }();
  return *instance;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  LuaVm::CallResult r = vm().call("fuzz_decode", {Value(in)});
  if (!r.ok && r.error.find("instruction budget exhausted") == std::string::npos) std::abort();
  return 0;
}
