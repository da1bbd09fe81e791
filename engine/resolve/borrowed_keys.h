// Running a key of a message under keys it borrows for the call.
//
// A device that runs a process on a stack of its own (genesis-wasm@1.0 on
// the WASM stack, lua@5.3a on the AOS stack) sets the stack's keys
// (`device`, `device-stack`, `module`...) on the process state, resolves
// the key, and hands back the state as the process keeps it: each borrowed
// key as the base had it, or absent if the base had none. What the call
// changed elsewhere in the state is kept.
#pragma once

#include <string_view>

#include "engine/message/message.h"
#include "engine/resolve/resolver.h"

namespace hashpath {

ResolveResult resolve_with_borrowed_keys(std::string_view key, const Message& base,
                                         const Message& borrowed, const Message& request,
                                         Resolver& resolver);

}  // namespace hashpath
