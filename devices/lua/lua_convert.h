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
#pragma once

#include <string>

#include "engine/error.h"
#include "engine/message/message.h"

struct lua_State;

namespace hashpath {

void push_value(lua_State* L, const Value& v);
// The value at stack index `index`.
Value to_value(lua_State* L, int index);

}  // namespace hashpath
