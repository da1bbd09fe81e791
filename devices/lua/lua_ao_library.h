// The `ao` library of lua@5.3a (docs/devices.md §5.3): AO-Core
// from inside Lua, through the resolver that runs the calling step.
//
//   ao.resolve(singleton)        {path = "/a/b", k = v...}: the path's parts
//                                resolved in sequence, the other keys
//                                going with the last part
//   ao.resolve(base, "a/b/c")    the parts of the path resolved from base
//   ao.resolve({m1, m2, ...})    the messages resolved in sequence
//   ao.get(key, base)            the value of key (a path) on base
//   ao.set(base, key, value)     base with key (a path) set; or
//   ao.set(base, {k = v, ...})   with every pair set
//   ao.event([group,] event)     a node event: ignored here, returns "ok"
//
// resolve returns ("ok", value) or (status, error value); get and set
// raise a Lua error on failure. The steps these make are steps like any
// other: the log records them and replay re-runs them.
#pragma once

struct lua_State;

namespace hashpath {

class Resolver;

// Adds the functions to the global table `ao` (created if absent).
void install_ao_library(lua_State* L);

// The resolver the `ao` functions use until the next call; null disables
// them (they raise "ao.resolve is not available here").
void set_ao_resolver(lua_State* L, Resolver* resolver);

}  // namespace hashpath
