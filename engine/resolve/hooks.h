// Hooks (docs/protocol.md §8.3, HyperBEAM dev_hook): the node message's `on` key maps a
// hook name (`start`, `request`, `response`, `step`) to one handler message
// or a list of them.
//
// Each handler is resolved as resolve(handler, request + {path: handler.path
// or <name>, method: handler.method or GET}) without hashpaths. Handlers are
// chained: each result becomes the next request; a result that is not ok
// stops the chain and is the hook's result. A handler's `hook/result` says
// what an ok result does: `return` (default) uses it, `ignore` keeps the
// input, `error` turns it into an error. A result that is not a message is
// a failure with a reason.
#pragma once

#include <optional>
#include <string_view>

#include "engine/resolve/resolver.h"

namespace hashpath {

// The handlers installed for `name` in `node_message` (nullopt if none).
std::optional<Value> hook_handlers(const Message& node_message, std::string_view name);

// Runs `handlers` over `request`; the ok result is the last handler's
// message (callers usually take its `body`).
ResolveResult run_hook(Resolver& resolver, const Value& handlers, std::string_view name,
                       Message request);

}  // namespace hashpath
