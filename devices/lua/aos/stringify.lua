-- .stringify: AOS's coloured table text, `format(tbl[, indent])`. A list of
-- only strings and numbers is one line, `{ "a", 1 }`; any other list has
-- an element per line; a map has a `key = value` line per entry, keys in
-- ordered_keys order (.pretty). Strings are green and quoted, other
-- scalars blue, map keys red (ANSI colour codes, as the AOS console shows
-- them). A table met again inside itself is `<circular reference>`.
local stringify = { _version = '0.0.1' }

local paint = { red = '\27[31m', green = '\27[32m', blue = '\27[34m', reset = '\27[0m' }

local function scalar_text(v)
  if type(v) == 'string' then return paint.green .. '"' .. v .. '"' .. paint.reset end
  return paint.blue .. tostring(v) .. paint.reset
end

-- Keys exactly 1..n.
local function is_list(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true
end

function stringify.isSimpleArray(t)
  if not is_list(t) then return false end
  for _, v in ipairs(t) do
    if type(v) ~= 'string' and type(v) ~= 'number' then return false end
  end
  return true
end

local function format(t, indent, open)
  if open[t] then return '<circular reference>' end
  if stringify.isSimpleArray(t) then
    local parts = {}
    for i, v in ipairs(t) do parts[i] = scalar_text(v) end
    return '{ ' .. table.concat(parts, ', ') .. ' }'
  end
  open[t] = true
  local child = string.rep(' ', indent + 2)
  local function text_of(v)
    if type(v) == 'table' then return format(v, indent + 2, open) end
    return scalar_text(v)
  end
  local lines = {}
  local list = is_list(t)
  if list then
    for i, v in ipairs(t) do lines[i] = child .. text_of(v) end
  else
    for _, k in ipairs(ordered_keys(t)) do
      lines[#lines + 1] = child .. paint.red .. tostring(k) .. paint.reset .. ' = ' .. text_of(t[k])
    end
  end
  open[t] = nil
  local close = string.rep(' ', indent) .. '}'
  return '{\n' .. table.concat(lines, ',\n') .. '\n' .. close
end

function stringify.format(tbl, indent)
  if type(tbl) ~= 'table' then return scalar_text(tbl) end
  return format(tbl, indent or 0, {})
end

