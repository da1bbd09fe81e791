-- Output that depends on everything C Lua would randomise: pairs() order
-- over string, table, function, float and boolean keys (string hashes use
-- the seed; the others hash pointers), tostring of tables, the garbage
-- collector's view of memory, and the sandboxed clock and random numbers.
local t = {}
for i = 1, 50 do t["key" .. i] = i end
local tables = {}
for i = 1, 20 do local k = {}; tables[i] = k; t[k] = i end
for i = 1, 10 do t[function() return i end] = i end
t[1.5] = "float"; t[true] = "boolean"
local parts = {}
for k, v in pairs(t) do parts[#parts + 1] = tostring(k) .. "=" .. tostring(v) end
print(table.concat(parts, ","))
print(tostring({}), tostring(tables[7]), math.random(1, 1000000), math.random())
print(os.time(), os.date("%Y-%m-%d %H:%M:%S"), string.format("%.3f", os.clock()))
collectgarbage()
print(collectgarbage("count"))
