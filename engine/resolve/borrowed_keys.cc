#include "engine/resolve/borrowed_keys.h"

#include <string>

namespace hashpath {

ResolveResult resolve_with_borrowed_keys(std::string_view key, const Message& base,
                                         const Message& borrowed, const Message& request,
                                         Resolver& resolver) {
  Message running = base;
  for (const auto& [k, v] : borrowed) running.set(k, v);
  Message req = request;
  req.set("path", Value(std::string(key)));
  ResolveResult r = resolver.step(running, req, ResolveOptions::internal());
  if (!r.is_ok() || !r.value.is_map()) return r;
  Message state = r.value.as_map();
  for (const auto& [k, v] : borrowed) {
    (void)v;
    if (const Value* before = base.find(k)) {
      state.set(k, *before);
    } else {
      state.remove(k);
    }
  }
  return ResolveResult::ok(Value(std::move(state)));
}

}  // namespace hashpath
