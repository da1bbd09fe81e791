#include "devices/wasm/genesis_wasm_device.h"

#include "devices/wasm/json_iface_device.h"
#include "devices/wasm/wasm_processes.h"
#include "engine/resolve/borrowed_keys.h"
#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

// The keys the AOS stack adds to the state to run, removed afterwards
// unless the state had them.
const Message& aos_stack() {
  static const Message kStack{
      {"device", "stack@1.0"},
      {"device-stack", List{Value("wasi@1.0"), Value("json-iface@1.0"), Value("wasm-64@1.0"),
                            Value("patch@1.0"), Value("multipass@1.0")}},
      {"passes", Value::integer(2)},
      {"output-prefix", "wasm"},
      {"patch-from", "/results/outbox"},
      {"stack-keys", List{Value("init"), Value("compute"), Value("snapshot"), Value("normalize")}}};
  return kStack;
}

// Refuses modules this device cannot run, naming why.
ResolveResult check_module(const Message& base, Resolver& resolver) {
  std::string bytes;
  Message module_message;
  ResolveResult r = module_bytes_of(base, resolver, bytes, &module_message);
  if (!r.is_ok()) {
    if (r.http_status() == 422) {
      std::string type = module_message.text("content-type").value_or("");
      return ResolveResult::error(
          422, "genesis-wasm@1.0 runs WebAssembly modules, and this process's Module is not one" +
                   (type.empty() ? std::string() : " (" + type + ")") +
                   ": to run a Lua module, spawn with the tag execution-device: lua@5.3a");
    }
    return r;
  }
  return ResolveResult::ok(Value());
}

}  // namespace

ResolveResult GenesisWasmDevice::check_definition(const Message& definition, Resolver& resolver) {
  // Only a module of the wrong kind: one not stored yet may still come.
  ResolveResult r = check_module(definition, resolver);
  return r.http_status() == 422 ? r : ResolveResult::ok(Value());
}

ResolveResult GenesisWasmDevice::call(std::string_view key, const Message& base,
                                      const Message& request, Resolver& resolver) {
  if (key == "compute" || key == "init") {
    if (ResolveResult r = check_module(base, resolver); !r.is_ok()) return r;
  }
  return resolve_with_borrowed_keys(key, base, aos_stack(), request, resolver);
}

}  // namespace hashpath
