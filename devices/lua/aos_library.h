// The AOS-compatible process runtime (aos/, joined at build time), built into the
// program: a process that lists it as its first module runs AOS programs
// (Handlers, Send, msg.reply, Eval, json...) unchanged.
#pragma once

#include <string_view>

#include "engine/message/message.h"

namespace hashpath {

// The Lua source: the parts of aos/ joined (aos/README.md).
std::string_view aos_library_source();

// The library as a module message: {content-type: application/lua,
// name: aos, body: <source>}. Its ID names it in a process's `module`.
Message aos_library_module();

// The definition of an AOS process scheduled by (and trusting) `node`:
// process@1.0 over stack@1.0 [lua@5.3a, patch@1.0], patches taken from
// /results/outbox, running `modules` (IDs or module messages; the AOS
// runtime first). Unsigned: the spawner commits it.
Message aos_process_definition(const std::string& node, List modules);

}  // namespace hashpath
