#include "devices/lua/lua_convert.h"

// Lua is compiled as C++ here (third_party/lua5.3), so its headers are
// included without lua.hpp's extern "C".
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <algorithm>
#include <optional>
#include <string>

#include "engine/message/key.h"

namespace hashpath {
namespace {

// The registry-free marker of a lazy table's metatable: the key (a light
// userdata) under which it keeps a userdata holding the number its Value
// has in the state's LuaTableMemo.
const char kLazyValueKey = 0;
constexpr const char* kLazyValueType = "hashpath.lazy-value";

void push_at(lua_State* L, const Value& v, int depth);

LuaTableMemo* memo_of(lua_State* L) {
  void* ud = nullptr;
  return lua_gettablehook(L, &ud) != nullptr ? static_cast<LuaTableMemo*>(ud) : nullptr;
}

// "1".."n" exactly (a map written as a list by a codec).
bool is_numbered(const Message& m) {
  if (m.size() == 0) return false;
  for (size_t n = 1; n <= m.size(); ++n) {
    if (m.find(std::to_string(n)) == nullptr) return false;
  }
  return true;
}

// Fills the (empty) table at `table` with the entries of a map or list.
void fill_table(lua_State* L, int table, const Value& v, int depth) {
  luaL_checkstack(L, 4, "converting a message");
  if (v.is_list()) {
    const List& list = v.as_list();
    for (size_t i = 0; i < list.size(); ++i) {
      push_at(L, list[i], depth + 1);
      lua_rawseti(L, table, static_cast<lua_Integer>(i + 1));
    }
    return;
  }
  const Message& m = v.as_map();
  if (is_numbered(m)) {
    for (size_t n = 1; n <= m.size(); ++n) {
      push_at(L, *m.find(std::to_string(n)), depth + 1);
      lua_rawseti(L, table, static_cast<lua_Integer>(n));
    }
    return;
  }
  for (const auto& [k, child] : m) {
    lua_pushlstring(L, k.data(), k.size());
    push_at(L, child, depth + 1);
    lua_rawset(L, table);
  }
}

// The Value a lazy table stands for, or null if the table at `index` is
// not lazy (or no longer: filling it removes its metatable).
const Value* lazy_value(lua_State* L, int index) {
  if (!lua_getmetatable(L, index)) return nullptr;
  lua_rawgetp(L, -1, &kLazyValueKey);
  const auto* number = static_cast<const uint64_t*>(luaL_testudata(L, -1, kLazyValueType));
  lua_pop(L, 2);  // the userdata stays alive: the table's metatable holds it
  return number != nullptr ? memo_of(L)->lazy(*number) : nullptr;
}

// Gives a lazy table (argument 1) its entries; a no-op on any other table.
void fill_lazy(lua_State* L) {
  const Value* v = lazy_value(L, 1);
  if (v == nullptr) return;
  Value held = *v;  // a handle: the memo lets go of it with the metatable
  lua_pushnil(L);
  lua_setmetatable(L, 1);
  fill_table(L, 1, held, 1);
}

int lazy_touch(lua_State* L) {
  fill_lazy(L);
  return 0;
}
int lazy_index(lua_State* L) {
  fill_lazy(L);
  lua_settop(L, 2);
  lua_gettable(L, 1);
  return 1;
}
int lazy_newindex(lua_State* L) {
  fill_lazy(L);
  lua_settop(L, 3);
  lua_settable(L, 1);
  return 0;
}
int lazy_len(lua_State* L) {
  fill_lazy(L);
  lua_pushinteger(L, luaL_len(L, 1));
  return 1;
}
// The raw `next`, as pairs() of a plain table returns it (whatever the
// program's global `next` is).
int raw_next(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}
int lazy_pairs(lua_State* L) {
  fill_lazy(L);
  lua_pushcfunction(L, &raw_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}
int lazy_value_gc(lua_State* L) {
  memo_of(L)->release_lazy(*static_cast<uint64_t*>(luaL_checkudata(L, 1, kLazyValueType)));
  return 0;
}

// An empty table whose own metatable holds `v` and fills it on first use.
void push_lazy(lua_State* L, const Value& v) {
  luaL_checkstack(L, 6, "converting a message");
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 6);
  void* slot = lua_newuserdata(L, sizeof(uint64_t));
  *static_cast<uint64_t*>(slot) = memo_of(L)->keep_lazy(v);
  if (luaL_newmetatable(L, kLazyValueType)) {
    lua_pushcfunction(L, &lazy_value_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_rawsetp(L, -2, &kLazyValueKey);
  const luaL_Reg methods[] = {{"__index", &lazy_index}, {"__newindex", &lazy_newindex},
                              {"__len", &lazy_len},     {"__pairs", &lazy_pairs},
                              {"__touch", &lazy_touch}, {nullptr, nullptr}};
  luaL_setfuncs(L, methods, 0);
  lua_setmetatable(L, -2);
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
    case Value::Kind::kList:
    case Value::Kind::kMap: {
      size_t entries = v.is_list() ? v.as_list().size() : v.as_map().size();
      if (entries > kLazyEntries) {
        push_lazy(L, v);
        return;
      }
      lua_createtable(L, 0, 0);
      fill_table(L, lua_gettop(L), v, depth);
      return;
    }
  }
}

Value value_at(lua_State* L, int index, int depth);

// The tracked table at `index` converted from its remembered map: the keys
// written since, and the entries that are tables, redone. Nullopt (and the
// caller converts it whole) when a change was not to a normal string key.
std::optional<Value> reconvert(lua_State* L, int index, int depth, LuaTableMemo::Tracked& t) {
  if (t.rewritten) return std::nullopt;
  std::sort(t.written.begin(), t.written.end());
  t.written.erase(std::unique(t.written.begin(), t.written.end()), t.written.end());
  for (const auto& k : t.written) {
    if (!is_normalized_key(k)) {
      t.rewritten = true;
      return std::nullopt;
    }
  }
  Message m = t.value.as_map();
  auto redo = [&](const std::string& k) {
    lua_pushlstring(L, k.data(), k.size());
    lua_rawget(L, index);
    bool is_table = lua_type(L, -1) == LUA_TTABLE;
    if (lua_isnil(L, -1)) {
      m.remove(k);
    } else {
      Value v = value_at(L, -1, depth + 1);
      const Value* before = m.find(k);
      if (before == nullptr || *before != v) m.set(k, std::move(v));
    }
    lua_pop(L, 1);
    return is_table;
  };
  std::vector<std::string> table_keys;
  for (const auto& k : t.table_keys) {
    if (!std::binary_search(t.written.begin(), t.written.end(), k) && redo(k))
      table_keys.push_back(k);
  }
  for (const auto& k : t.written) {
    if (redo(k)) table_keys.push_back(k);
  }
  // Fewer entries than a tracked table keeps: convert it whole next time.
  if (m.size() < kLazyEntries) t.rewritten = true;
  t.value = Value(m);
  t.written.clear();
  t.table_keys = std::move(table_keys);
  return t.value;
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
      if (const Value* lazy = lazy_value(L, index)) return *lazy;
      LuaTableMemo* memo = memo_of(L);
      const void* table = lua_topointer(L, index);
      bool plain = !lua_getmetatable(L, index);
      if (!plain) lua_pop(L, 1);
      if (memo != nullptr && plain) {
        if (LuaTableMemo::Tracked* t = memo->find(table)) {
          if (std::optional<Value> v = reconvert(L, index, depth, *t)) return *v;
        }
      }
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
      std::vector<std::string> table_keys;
      bool all_keys_normal = true;
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
          if (lua_type(L, -1) != LUA_TSTRING || !is_normalized_key(key)) all_keys_normal = false;
        } else if (lua_type(L, -1) == LUA_TBOOLEAN) {
          key = lua_toboolean(L, -1) ? "true" : "false";
          all_keys_normal = false;
        } else {
          throw LuaError(std::string("a Lua table key of type ") + luaL_typename(L, -1) +
                         " cannot be a message key");
        }
        lua_pop(L, 1);
        bool is_table = lua_type(L, -1) == LUA_TTABLE;
        entries.emplace_back(std::move(key), value_at(L, -1, depth + 1));
        if (is_table) table_keys.push_back(entries.back().first);
        lua_pop(L, 1);
      }
      Message m = Message::from_entries(std::move(entries));
      // Remembered only when every key was already normal and distinct (so
      // redoing one key alone gives what a whole conversion would).
      if (memo != nullptr && plain && count >= static_cast<lua_Integer>(kLazyEntries) &&
          m.size() == static_cast<size_t>(count) && all_keys_normal) {
        for (auto& k : table_keys) k = normalize_key(k);
        memo->remember(table, LuaTableMemo::Tracked{Value(m), {}, false, std::move(table_keys)});
        lua_tracktable(L, index, 1);
      } else if (memo != nullptr) {
        memo->forget(table);
      }
      return Value(std::move(m));
    }
    case LUA_TNIL:
      return Value(Message{});
    default:
      throw LuaError(std::string("a Lua ") + luaL_typename(L, index) +
                     " cannot be part of a message");
  }
}

}  // namespace

void LuaTableMemo::install(lua_State* L) { lua_settablehook(L, &LuaTableMemo::on_write, this); }

LuaTableMemo::Tracked* LuaTableMemo::find(const void* table) {
  auto it = tables_.find(table);
  return it == tables_.end() ? nullptr : &it->second;
}

void LuaTableMemo::remember(const void* table, Tracked tracked) {
  tables_[table] = std::move(tracked);
}

void LuaTableMemo::forget(const void* table) { tables_.erase(table); }

uint64_t LuaTableMemo::keep_lazy(Value v) {
  lazy_.emplace(next_lazy_, std::move(v));
  return next_lazy_++;
}

const Value* LuaTableMemo::lazy(uint64_t number) const {
  auto it = lazy_.find(number);
  return it == lazy_.end() ? nullptr : &it->second;
}

void LuaTableMemo::release_lazy(uint64_t number) { lazy_.erase(number); }

void LuaTableMemo::on_write(void* ud, const void* table, int keytype, const char* key,
                            size_t keylen, long long) {
  auto* memo = static_cast<LuaTableMemo*>(ud);
  auto it = memo->tables_.find(table);
  if (it == memo->tables_.end()) return;
  if (keytype == -2) {
    memo->tables_.erase(it);  // freed: its address may be reused
  } else if (keytype == LUA_TSTRING && it->second.written.size() < kMaxWritten) {
    it->second.written.emplace_back(key, keylen);
  } else {
    it->second.rewritten = true;
  }
}

void push_value(lua_State* L, const Value& v) { push_at(L, v, 0); }

Value to_value(lua_State* L, int index) { return value_at(L, index, 0); }

}  // namespace hashpath
