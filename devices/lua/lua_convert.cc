#include "devices/lua/lua_convert.h"

// Lua is compiled as C++ here (third_party/lua5.3), so its headers are
// included without lua.hpp's extern "C".
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <string>

namespace hashpath {
namespace {

// "1".."n" exactly (a map written as a list by a codec).
bool is_numbered(const Message& m) {
  if (m.size() == 0) return false;
  for (size_t n = 1; n <= m.size(); ++n) {
    if (m.find(std::to_string(n)) == nullptr) return false;
  }
  return true;
}

void push_at(lua_State* L, const Value& v, int depth) {
  if (depth > kMaxNestingDepth) throw LuaError("message nested too deeply for Lua");
  luaL_checkstack(L, 4, "converting a message");
  switch (v.kind()) {
    case Value::Kind::kBinary:
      lua_pushlstring(L, v.as_binary().data(), v.as_binary().size());
      return;
    case Value::Kind::kInteger:
      lua_pushinteger(L, static_cast<lua_Integer>(v.as_integer()));
      return;
    case Value::Kind::kFloat:
      lua_pushnumber(L, v.as_float());
      return;
    case Value::Kind::kAtom:
      if (v.as_atom() == "true" || v.as_atom() == "false") {
        lua_pushboolean(L, v.as_atom() == "true");
      } else {
        lua_pushlstring(L, v.as_atom().data(), v.as_atom().size());
      }
      return;
    case Value::Kind::kLink:
      lua_pushlstring(L, v.as_link().id.data(), v.as_link().id.size());
      return;
    case Value::Kind::kList: {
      const List& list = v.as_list();
      lua_createtable(L, static_cast<int>(list.size()), 0);
      for (size_t i = 0; i < list.size(); ++i) {
        push_at(L, list[i], depth + 1);
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
      }
      return;
    }
    case Value::Kind::kMap: {
      const Message& m = v.as_map();
      if (is_numbered(m)) {
        lua_createtable(L, static_cast<int>(m.size()), 0);
        for (size_t n = 1; n <= m.size(); ++n) {
          push_at(L, *m.find(std::to_string(n)), depth + 1);
          lua_rawseti(L, -2, static_cast<lua_Integer>(n));
        }
        return;
      }
      lua_createtable(L, 0, static_cast<int>(m.size()));
      for (const auto& [k, child] : m) {
        lua_pushlstring(L, k.data(), k.size());
        push_at(L, child, depth + 1);
        lua_rawset(L, -3);
      }
      return;
    }
  }
}

Value value_at(lua_State* L, int index, int depth) {
  if (depth > kMaxNestingDepth) throw LuaError("Lua result nested too deeply (or cyclic)");
  index = lua_absindex(L, index);
  switch (lua_type(L, index)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      return Value(std::string(s, len));
    }
    case LUA_TNUMBER:
      if (lua_isinteger(L, index))
        return Value::integer(static_cast<int64_t>(lua_tointeger(L, index)));
      return Value::floating(static_cast<double>(lua_tonumber(L, index)));
    case LUA_TBOOLEAN:
      return Value::boolean(lua_toboolean(L, index) != 0);
    case LUA_TTABLE: {
      luaL_checkstack(L, 4, "converting a Lua table");
      lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, index));
      // A sequence 1..n and nothing else is a list.
      lua_Integer count = 0;
      bool only_sequence = true;
      lua_pushnil(L);
      while (lua_next(L, index) != 0) {
        ++count;
        if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 || lua_tointeger(L, -2) > n)
          only_sequence = false;
        lua_pop(L, 1);
      }
      if (only_sequence && count == n && n > 0) {
        List out;
        out.reserve(static_cast<size_t>(n));
        for (lua_Integer i = 1; i <= n; ++i) {
          lua_rawgeti(L, index, i);
          out.push_back(value_at(L, -1, depth + 1));
          lua_pop(L, 1);
        }
        return Value(std::move(out));
      }
      // Entries collected, then sorted once: a table of K keys costs
      // O(K log K), not the O(K^2) of K sorted insertions.
      std::vector<Message::Entry> entries;
      entries.reserve(static_cast<size_t>(count));
      lua_pushnil(L);
      while (lua_next(L, index) != 0) {
        // Keys as the text Lua gives them; tostring on a copy so lua_next
        // still sees the original key.
        lua_pushvalue(L, -2);
        std::string key;
        if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
          size_t len = 0;
          const char* s = lua_tolstring(L, -1, &len);
          key.assign(s, len);
        } else if (lua_type(L, -1) == LUA_TBOOLEAN) {
          key = lua_toboolean(L, -1) ? "true" : "false";
        } else {
          throw LuaError(std::string("a Lua table key of type ") + luaL_typename(L, -1) +
                         " cannot be a message key");
        }
        lua_pop(L, 1);
        entries.emplace_back(std::move(key), value_at(L, -1, depth + 1));
        lua_pop(L, 1);
      }
      return Value(Message::from_entries(std::move(entries)));
    }
    case LUA_TNIL:
      return Value(Message{});
    default:
      throw LuaError(std::string("a Lua ") + luaL_typename(L, index) +
                     " cannot be part of a message");
  }
}

}  // namespace

void push_value(lua_State* L, const Value& v) { push_at(L, v, 0); }

Value to_value(lua_State* L, int index) { return value_at(L, index, 0); }

}  // namespace hashpath
