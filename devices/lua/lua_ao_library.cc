#include "devices/lua/lua_ao_library.h"

#include <lauxlib.h>
#include <lua.h>

#include <exception>
#include <string>

#include "devices/lua/lua_convert.h"
#include "engine/resolve/hyperpath.h"
#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

constexpr const char* kResolverKey = "hashpath.ao.resolver";

Resolver& resolver_of(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kResolverKey);
  auto* r = static_cast<Resolver*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (r == nullptr) luaL_error(L, "the ao library is not available here");
  return *r;
}

Message message_arg(lua_State* L, int index) {
  luaL_checktype(L, index, LUA_TTABLE);
  Value v = to_value(L, index);
  return as_message(v);
}

// Pushes (status, value) and returns 2.
int push_result(lua_State* L, const ResolveResult& r) {
  std::string status = r.is_ok() ? "ok" : status_name(r.status);
  lua_pushlstring(L, status.data(), status.size());
  push_value(L, r.value);
  return 2;
}

// How a program's reads resolve: deterministic keys only, so a process's
// state is a function of its inputs and replays (ResolveOptions).
ResolveOptions program_read() {
  ResolveOptions o;
  o.deterministic_only = true;
  return o;
}

// Runs `body` and turns C++ exceptions into Lua errors (Lua is compiled
// as C++ here, so raising from this frame unwinds it properly).
template <typename F>
int guarded(lua_State* L, F body) {
  std::string what;
  try {
    return body();
  } catch (const std::exception& e) {
    what = e.what();
  }
  return luaL_error(L, "%s", what.c_str());
}

int ao_resolve(lua_State* L) {
  return guarded(L, [L] {
    Resolver& resolver = resolver_of(L);
    if (lua_gettop(L) >= 2 && lua_type(L, 2) == LUA_TSTRING) {
      Message base = message_arg(L, 1);
      Message request{{"path", Value(std::string(lua_tostring(L, 2)))}};
      return push_result(L, resolver.resolve(base, request, program_read()));
    }
    Value arg = to_value(L, 1);
    if (arg.is_list()) {
      const List& messages = arg.as_list();
      if (messages.empty()) luaL_error(L, "ao.resolve: an empty list of messages");
      ResolveResult r = ResolveResult::ok(messages.front());
      for (size_t i = 1; i < messages.size() && r.is_ok(); ++i)
        r = resolver.resolve(as_message(r.value), as_message(messages[i]), program_read());
      return push_result(L, r);
    }
    return push_result(L, resolver.resolve_path(parse_hyperpath(as_message(arg)), program_read()));
  });
}

int ao_get(lua_State* L) {
  return guarded(L, [L] {
    std::string key = luaL_checkstring(L, 1);
    Message base = message_arg(L, 2);
    ResolveResult r = resolver_of(L).resolve(base, Message{{"path", Value(key)}});
    if (!r.is_ok()) {
      return luaL_error(L, "ao.get('%s') failed: %s", key.c_str(), status_name(r.status));
    }
    push_value(L, r.value);
    return 1;
  });
}

int ao_set(lua_State* L) {
  return guarded(L, [L] {
    Resolver& resolver = resolver_of(L);
    Message base = message_arg(L, 1);
    ResolveResult r = ResolveResult::ok(Value(base));
    if (lua_type(L, 2) == LUA_TTABLE) {
      Message pairs = message_arg(L, 2);
      for (const auto& [k, v] : pairs) {
        if (!r.is_ok()) break;
        r = resolver.set_path(as_message(r.value), k, v);
      }
    } else {
      std::string key = luaL_checkstring(L, 2);
      luaL_checkany(L, 3);
      r = resolver.set_path(base, key, to_value(L, 3));
    }
    if (!r.is_ok()) return luaL_error(L, "ao.set failed: %s", status_name(r.status));
    push_value(L, r.value);
    return 1;
  });
}

int ao_event(lua_State* L) {
  lua_pushliteral(L, "ok");
  return 1;
}

}  // namespace

void install_ao_library(lua_State* L) {
  if (lua_getglobal(L, "ao") != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setglobal(L, "ao");
  }
  const luaL_Reg functions[] = {
      {"resolve", ao_resolve}, {"get", ao_get}, {"set", ao_set}, {"event", ao_event}};
  for (const auto& f : functions) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
  lua_pop(L, 1);
}

void set_ao_resolver(lua_State* L, Resolver* resolver) {
  lua_pushlightuserdata(L, resolver);
  lua_setfield(L, LUA_REGISTRYINDEX, kResolverKey);
}

}  // namespace hashpath
