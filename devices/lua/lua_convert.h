// Values across the Lua boundary (docs/devices.md §5.2).
//
// Message → Lua: a map becomes a table (a map whose keys are exactly
// "1".."n" becomes an array), a list an array, a binary a string, integers
// and floats numbers, atoms true/false booleans, other atoms strings, links
// their ID strings (callers load links first).
// Lua → Value: a table whose keys are exactly 1..n becomes a list, any
// other table a map (keys as the text Lua gives them), a string a binary,
// numbers integers or floats, booleans atoms. Functions, userdata, threads
// and tables nested deeper than kMaxNestingDepth (or cyclic) are errors.
//
// Large values cross cheaply (docs/architecture.md, "What a message costs"):
// * Message → Lua: a map or list of more than kLazyEntries entries becomes
//   a lazy table, empty until Lua first looks at it (indexes, assigns,
//   iterates, takes its length, or calls next/rawget/rawset/rawlen/
//   getmetatable/setmetatable on it: the `__touch` of tracked-tables.patch),
//   when it is filled. A lazy table Lua never looked at converts back to the
//   very value it came from, IDs and all.
// * Lua → Value: a plain table (no metatable) of at least kLazyEntries
//   entries that converted to a map is remembered, and the Lua patch
//   reports each write to it (LuaTableMemo); the next conversion starts
//   from the remembered map and redoes only the keys written since, and
//   the entries that are themselves tables. The result is the same as a
//   conversion from scratch (LuaConvertTest checks both ways).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/error.h"
#include "engine/message/message.h"

struct lua_State;

namespace hashpath {

inline constexpr size_t kLazyEntries = 64;

// What the host keeps for the large values of one Lua state: what its
// large tables converted to and which of their keys Lua wrote since, and
// the values its lazy tables stand for. Installed on a state (it must
// outlive the state: the state reports freed tables and lazy tables to it
// as it closes). Nothing of it lives in the state's arena, so a copy of
// the memo together with a copy of the arena is a copy of the whole state
// (LuaVm::Checkpoint).
class LuaTableMemo {
 public:
  void install(lua_State* L);

  // The values of lazy tables, by the number their table's marker holds.
  uint64_t keep_lazy(Value v);
  const Value* lazy(uint64_t number) const;
  void release_lazy(uint64_t number);

  struct Tracked {
    Value value;                          // a map: what the table converted to
    std::vector<std::string> written;     // string keys written since
    bool rewritten = false;               // any other change: convert it whole
    std::vector<std::string> table_keys;  // keys whose values are tables
  };
  Tracked* find(const void* table);
  void remember(const void* table, Tracked tracked);
  void forget(const void* table);

 private:
  // Past this many writes between two conversions, converting the table
  // whole is as cheap: the keys are no longer listed.
  static constexpr size_t kMaxWritten = 4096;
  static void on_write(void* ud, const void* table, int keytype, const char* key, size_t keylen,
                       long long ikey);
  std::unordered_map<const void*, Tracked> tables_;
  std::unordered_map<uint64_t, Value> lazy_;
  uint64_t next_lazy_ = 0;
};

void push_value(lua_State* L, const Value& v);
// The value at stack index `index`.
Value to_value(lua_State* L, int index);

}  // namespace hashpath
