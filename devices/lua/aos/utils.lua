-- .utils: the helpers AOS programs use, curried as AOS's are: a call with
-- fewer arguments than the function takes returns a function waiting for
-- the rest (`utils.map(f)(t)` is `utils.map(f, t)`).
local utils = {}

local function pack_args(...) return { n = select('#', ...), ... } end

function utils.curry(fn, arity)
  assert(type(fn) == 'function', 'utils.curry: a function is required as the first argument')
  arity = arity or 2
  if arity < 2 then return fn end
  local function waiting(held)
    return function(...)
      local now = pack_args(...)
      local all = { n = held.n + now.n }
      for i = 1, held.n do all[i] = held[i] end
      for i = 1, now.n do all[held.n + i] = now[i] end
      if all.n >= arity then return fn(table.unpack(all, 1, all.n)) end
      return waiting(all)
    end
  end
  return waiting({ n = 0 })
end

utils.map = utils.curry(function(f, t)
  local r = {}
  for i, v in ipairs(t) do r[i] = f(v, i) end
  return r
end, 2)
utils.filter = utils.curry(function(f, t)
  local r = {}
  for _, v in ipairs(t) do if f(v) then r[#r + 1] = v end end
  return r
end, 2)
utils.reduce = utils.curry(function(f, acc, t)
  for i, v in ipairs(t) do acc = f(acc, v, i) end
  return acc
end, 3)
utils.find = utils.curry(function(f, t)
  for _, v in ipairs(t) do if f(v) then return v end end
end, 2)
utils.includes = utils.curry(function(x, t)
  for _, v in ipairs(t) do if v == x then return true end end
  return false
end, 2)
utils.concat = utils.curry(function(a, b)
  local r = {}
  for _, v in ipairs(a) do r[#r + 1] = v end
  for _, v in ipairs(b) do r[#r + 1] = v end
  return r
end, 2)
utils.prop = utils.curry(function(k, o) return o[k] end, 2)
utils.propEq = utils.curry(function(k, x, o) return type(o) == 'table' and o[k] == x end, 3)
function utils.reverse(t)
  local r = {}
  for i = #t, 1, -1 do r[#r + 1] = t[i] end
  return r
end
-- compose(f, g, h)(x) is f(g(h(x))).
function utils.compose(...)
  local fns = pack_args(...)
  return function(...)
    local values = pack_args(...)
    for i = fns.n, 1, -1 do values = pack_args(fns[i](table.unpack(values, 1, values.n))) end
    return table.unpack(values, 1, values.n)
  end
end
function utils.keys(t) local r = {} for k in pairs(t) do r[#r + 1] = k end return r end
function utils.values(t) local r = {} for _, v in pairs(t) do r[#r + 1] = v end return r end

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

