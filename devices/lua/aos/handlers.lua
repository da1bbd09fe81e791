-- Handlers: tried in order; a pattern's answer says whether the handler
-- runs and whether the search goes on: true/-1/"break" run and stop,
-- 1/"continue" run and go on, false/0/"skip" pass over.
Handlers = Handlers or { list = {} }
Handlers.utils = {
  hasMatchingTag = function(name, value)
    return function(msg) return msg.Tags[name] == value end
  end,
  hasMatchingTagOf = function(name, values)
    return function(msg) return utils.includes(msg.Tags[name], values) end
  end,
  hasMatchingData = function(value)
    return function(msg) return msg.Data == value end
  end,
  reply = function(input)
    return function(msg) msg.reply(type(input) == 'string' and { Data = input } or input) end
  end,
  continue = function(pattern)
    return function(msg)
      local m = utils.matchesSpec(msg, pattern)
      if m == true or m == -1 or m == 'break' then return 1 end
      return m
    end
  end,
}

local function handler_index(name)
  for i, h in ipairs(Handlers.list) do
    if h.name == name then return i end
  end
end

local function add_handler(at_front, name, pattern, handle, max_runs)
  assert(type(name) == 'string', 'Handlers: a handler needs a name')
  assert(type(handle) == 'function', 'Handlers: handler ' .. name .. ' needs a function')
  local h = { name = name, pattern = pattern, handle = handle, maxRuns = max_runs }
  local i = handler_index(name)
  if i then
    Handlers.list[i] = h
  elseif at_front then
    table.insert(Handlers.list, 1, h)
  else
    Handlers.list[#Handlers.list + 1] = h
  end
  return #Handlers.list
end

function Handlers.add(name, pattern, handle, max_runs) return add_handler(false, name, pattern, handle, max_runs) end
Handlers.append = Handlers.add
function Handlers.prepend(name, pattern, handle, max_runs) return add_handler(true, name, pattern, handle, max_runs) end
function Handlers.once(name, pattern, handle)
  if handle == nil then name, pattern, handle = 'once-' .. tostring(#Handlers.list + 1), name, pattern end
  return add_handler(false, name, pattern, handle, 1)
end
function Handlers.remove(name)
  local i = handler_index(name)
  if i then table.remove(Handlers.list, i) end
end

local function match_code(m)
  if m == true or m == 'break' then return -1 end
  if m == false or m == nil or m == 'skip' then return 0 end
  if m == 'continue' then return 1 end
  if type(m) == 'number' then return m end
  error('a handler pattern returned ' .. tostring(m) .. ': it must be a boolean, number or string')
end

-- Each handler runs in a coroutine of its own, so that it may wait for a
-- later message with Receive(pattern); a handler's error propagates as it
-- was raised.
local function resume_or_raise(co, ...)
  local ok, err = coroutine.resume(co, ...)
  if not ok then error(err, 0) end
end
local function run_handler(handle, msg, env) resume_or_raise(coroutine.create(handle), msg, env) end

-- Receive(pattern): inside a handler, waits for the next message that
-- matches `pattern` (in a later slot) and returns it; the handler goes on
-- from there. The wait is a handler at the front of the list that runs
-- once and stops the search, as AOS's receive does.
Handlers.waiting = Handlers.waiting or 0
function Receive(pattern)
  local co, main = coroutine.running()
  assert(co ~= nil and not main, 'Receive: only a handler can wait for a message')
  Handlers.waiting = Handlers.waiting + 1
  add_handler(true, '_receive-' .. Handlers.waiting, pattern, function(m) resume_or_raise(co, m) end, 1)
  return coroutine.yield()
end
Handlers.receive = Receive

-- Runs the matching handlers on msg; returns whether one ran and stopped
-- the search. Errors in handlers propagate.
function Handlers.evaluate(msg, env)
  local handled = false
  local i = 1
  while i <= #Handlers.list do
    local h = Handlers.list[i]
    local code = match_code(utils.matchesSpec(msg, h.pattern))
    if code ~= 0 then
      if code < 0 then handled = true end
      run_handler(h.handle, msg, env)
      -- The handler may have changed the list (a Receive adds a wait at
      -- the front): find it again.
      -- (If it removed itself, the next one is now at i.)
      local at = Handlers.list[i] == h and i or nil
      if at == nil then
        for j, x in ipairs(Handlers.list) do if x == h then at = j break end end
      end
      if at ~= nil and h.maxRuns and h.maxRuns <= 1 then
        h.maxRuns = 0
        table.remove(Handlers.list, at)
        i = at
      elseif at ~= nil then
        if h.maxRuns then h.maxRuns = h.maxRuns - 1 end
        i = at + 1
      end
    else
      i = i + 1
    end
    if code < 0 then return handled end
  end
  return handled
end

