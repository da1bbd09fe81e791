-- .pretty: AOS's `tprint(tbl[, indent])`, a table as indented text, one
-- "key: value" line per entry and a nested table's entries below its key,
-- one more space in. Keys come in a fixed order (ordered_keys, below), so
-- the text is the same on every node.
local pretty = { _version = '0.0.1' }

-- A table's keys in a fixed order: numbers ascending, then strings
-- ascending, then anything else by type name. Shared with .stringify and
-- the Eval printer.
local function ordered_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta == tb and (ta == 'number' or ta == 'string') then return a < b end
    if ta == 'number' then return tb ~= 'number' end
    if tb == 'number' then return false end
    if ta == 'string' then return tb ~= 'string' end
    if tb == 'string' then return false end
    return ta < tb
  end)
  return keys
end

function pretty.tprint(tbl, indent)
  indent = indent or 0
  local out = {}
  for _, k in ipairs(ordered_keys(tbl)) do
    local v = tbl[k]
    local line = string.rep(' ', indent) .. tostring(k) .. ': '
    if type(v) == 'table' then
      out[#out + 1] = line .. '\n' .. pretty.tprint(v, indent + 1)
    else
      out[#out + 1] = line .. tostring(v) .. '\n'
    end
  end
  return table.concat(out)
end

