#include "devices/lua/aos_library.h"

namespace hashpath {

std::string_view aos_library_source() {
  // The parts of aos/ joined at build time into a raw string literal.
  static constexpr std::string_view kSource =
#include "aos_lua_source.inc"
      ;
  return kSource;
}

Message aos_library_module() {
  return Message{{"content-type", "application/lua"},
                 {"name", "aos"},
                 {"body", Value(std::string(aos_library_source()))}};
}

Message aos_process_definition(const std::string& node, List modules) {
  return Message{{"device", "process@1.0"},
                 {"type", "Process"},
                 {"scheduler", Value(node)},
                 {"authority", Value(node)},
                 {"execution-device", "stack@1.0"},
                 {"device-stack", List{Value("lua@5.3a"), Value("patch@1.0")}},
                 {"patch-from", "/results/outbox"},
                 {"module", Value(std::move(modules))}};
}

}  // namespace hashpath
