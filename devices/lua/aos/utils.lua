-- .utils: the helpers AOS programs use most.
local utils = {}
function utils.map(f, t) local r = {} for i, v in ipairs(t) do r[i] = f(v, i) end return r end
function utils.filter(f, t) local r = {} for _, v in ipairs(t) do if f(v) then r[#r + 1] = v end end return r end
function utils.reduce(f, acc, t) for _, v in ipairs(t) do acc = f(acc, v) end return acc end
function utils.find(f, t) for _, v in ipairs(t) do if f(v) then return v end end end
function utils.includes(x, t) for _, v in ipairs(t) do if v == x then return true end end return false end
function utils.keys(t) local r = {} for k in pairs(t) do r[#r + 1] = k end return r end
function utils.values(t) local r = {} for _, v in pairs(t) do r[#r + 1] = v end return r end
function utils.propEq(k, x) return function(o) return type(o) == 'table' and o[k] == x end end

-- Does `msg` match `spec` (a function, a table of field → value or Lua
-- pattern, or an Action name)?
function utils.matchesSpec(msg, spec)
  if type(spec) == 'function' then return spec(msg) end
  if type(spec) == 'string' then return msg.Action == spec end
  if type(spec) ~= 'table' then return false end
  for key, want in pairs(spec) do
    local have = msg[key]
    if have == nil and type(msg.Tags) == 'table' then have = msg.Tags[key] end
    if type(want) == 'function' then
      if not want(have) then return false end
    elseif type(want) == 'string' and type(have) == 'string' then
      if have ~= want and not have:match('^' .. want .. '$') then return false end
    elseif have ~= want then
      return false
    end
  end
  return true
end

