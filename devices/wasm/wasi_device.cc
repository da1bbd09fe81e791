#include "devices/wasm/wasi_device.h"

namespace hashpath {

ResolveResult WasiDevice::call(std::string_view key, const Message& base, const Message&,
                               Resolver&) {
  if (key != "init") return ResolveResult::ok(Value(base));
  Message state = base;
  const std::string prefix = base.text("output-prefix").value_or("");
  Message stdlib{{"wasi_snapshot_preview1", Value(Message{{"device", "wasi@1.0"}})}};
  if (prefix.empty()) {
    state.set("stdlib", Value(std::move(stdlib)));
  } else {
    const Value* mine = base.find(prefix);
    Message m = mine != nullptr && mine->is_map() ? mine->as_map() : Message{};
    m.set("stdlib", Value(std::move(stdlib)));
    state.set(prefix, Value(std::move(m)));
  }
  auto fd = [](const char* file) {
    return Value(Message{{"filename", file}, {"offset", Value::integer(0)}});
  };
  state.set(
      "file-descriptors",
      Value(Message{{"0", fd("/dev/stdin")}, {"1", fd("/dev/stdout")}, {"2", fd("/dev/stderr")}}));
  state.set("vfs",
            Value(Message{{"dev", Value(Message{{"stdin", ""}, {"stdout", ""}, {"stderr", ""}})}}));
  return ResolveResult::ok(Value(std::move(state)));
}

}  // namespace hashpath
