-- Hashpath's AOS-compatible process runtime for lua@5.3a (our own code).
--
-- Loaded as a process's first module, before the process's own code, it
-- gives AOS programs what they expect: `ao` (id, send, spawn, outbox,
-- authorities, env), `Send`, `Spawn`, `Handlers` (add, append, prepend,
-- once, remove, evaluate, utils), `Inbox`, `Owner`, `print` into the
-- message's output, `require` of the built-in `json` and `.utils`, `Eval`
-- of Lua source sent by the owner, and `msg.reply`.
--
-- process@1.0 calls `compute(state, assignment)` once per slot
-- (docs/devices.md §5.6). The scheduled message is
-- `assignment.body`; AOS handlers see it as `msg` with header-case fields
-- (`msg.Action`, `msg.From`, `msg.Tags`, `msg.Data`, `msg.Id`). The slot's
-- result goes to `state.results`:
--   outbox   {"1" = msg, ...}: messages sent (patch@1.0 messages among them)
--   output   {data = <prints and Eval value>, prompt = "aos> "[, print = true]}
--   error    the error text, when a handler or an Eval failed
--   spawns   processes asked for with Spawn (recorded, not started)
-- Every global the program sets lives on in the process's Lua state.

local json = {}

do
  local escapes = {
    ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
    ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
  }
  local function encode_string(s)
    return '"' .. s:gsub('[%c"\\]', function(c)
      return escapes[c] or string.format('\\u%04x', c:byte())
    end) .. '"'
  end

  local function is_array(t)
    local n = #t
    if n == 0 then return next(t) == nil end
    for k in pairs(t) do
      if math.type(k) ~= 'integer' or k < 1 or k > n then return false end
    end
    return true
  end

  local encode
  function encode(v, seen)
    local kind = type(v)
    if v == nil or v == json.null then return 'null' end
    if kind == 'boolean' then return tostring(v) end
    if kind == 'number' then
      if math.type(v) == 'integer' then return string.format('%d', v) end
      if v ~= v or v == math.huge or v == -math.huge then
        error('json.encode: ' .. tostring(v) .. ' is not a JSON number')
      end
      if v == math.floor(v) and math.abs(v) < 2^53 then return string.format('%d', v) end
      return string.format('%.14g', v)
    end
    if kind == 'string' then return encode_string(v) end
    if kind ~= 'table' then error('json.encode: cannot encode a ' .. kind) end
    seen = seen or {}
    if seen[v] then error('json.encode: a table contains itself') end
    seen[v] = true
    local parts = {}
    if is_array(v) then
      for i = 1, #v do parts[i] = encode(v[i], seen) end
      seen[v] = nil
      return '[' .. table.concat(parts, ',') .. ']'
    end
    -- Objects: keys in byte order, so the bytes never depend on table order.
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for i, k in ipairs(keys) do
      local value = v[k]
      if value == nil then value = v[tonumber(k)] end
      parts[i] = encode_string(k) .. ':' .. encode(value, seen)
    end
    seen[v] = nil
    return '{' .. table.concat(parts, ',') .. '}'
  end
  json.encode = function(v) return encode(v) end
  json.null = setmetatable({}, { __tostring = function() return 'null' end })

  local function decode_error(s, i, what)
    error(string.format('json.decode: %s at character %d', what, i), 0)
  end
  local function skip(s, i) return s:find('[^ \t\r\n]', i) or #s + 1 end

  local decode_value
  local function decode_string(s, i)
    local out, j = {}, i + 1
    while true do
      local c = s:sub(j, j)
      if c == '' then decode_error(s, i, 'unterminated string') end
      if c == '"' then return table.concat(out), j + 1 end
      if c == '\\' then
        local e = s:sub(j + 1, j + 1)
        local simple = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }
        if simple[e] then
          out[#out + 1] = simple[e]
          j = j + 2
        elseif e == 'u' then
          local hex = s:sub(j + 2, j + 5)
          if not hex:match('^%x%x%x%x$') then decode_error(s, j, 'bad \\u escape') end
          local code = tonumber(hex, 16)
          j = j + 6
          if code >= 0xD800 and code <= 0xDBFF and s:sub(j, j + 1) == '\\u' then
            local low = tonumber(s:sub(j + 2, j + 5), 16)
            if low and low >= 0xDC00 and low <= 0xDFFF then
              code = 0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00)
              j = j + 6
            end
          end
          out[#out + 1] = utf8.char(code)
        else
          decode_error(s, j, 'bad escape')
        end
      elseif c:byte() < 32 then
        decode_error(s, j, 'control character in string')
      else
        -- Up to the next quote, backslash or control character (below
        -- 0x20: DEL is allowed in JSON strings); always past c itself.
        local k = s:find('["\\\0-\31]', j + 1) or #s + 1
        out[#out + 1] = s:sub(j, k - 1)
        j = k
      end
    end
  end

  function decode_value(s, i, depth)
    if depth > 200 then decode_error(s, i, 'too deeply nested') end
    i = skip(s, i)
    local c = s:sub(i, i)
    if c == '{' then
      local t = {}
      i = skip(s, i + 1)
      if s:sub(i, i) == '}' then return t, i + 1 end
      while true do
        if s:sub(i, i) ~= '"' then decode_error(s, i, 'expected a key') end
        local k
        k, i = decode_string(s, i)
        i = skip(s, i)
        if s:sub(i, i) ~= ':' then decode_error(s, i, "expected ':'") end
        t[k], i = decode_value(s, i + 1, depth + 1)
        i = skip(s, i)
        local d = s:sub(i, i)
        if d == '}' then return t, i + 1 end
        if d ~= ',' then decode_error(s, i, "expected ',' or '}'") end
        i = skip(s, i + 1)
      end
    elseif c == '[' then
      local t = {}
      i = skip(s, i + 1)
      if s:sub(i, i) == ']' then return t, i + 1 end
      while true do
        t[#t + 1], i = decode_value(s, i, depth + 1)
        i = skip(s, i)
        local d = s:sub(i, i)
        if d == ']' then return t, i + 1 end
        if d ~= ',' then decode_error(s, i, "expected ',' or ']'") end
        i = i + 1
      end
    elseif c == '"' then
      return decode_string(s, i)
    elseif s:sub(i, i + 3) == 'true' then
      return true, i + 4
    elseif s:sub(i, i + 4) == 'false' then
      return false, i + 5
    elseif s:sub(i, i + 3) == 'null' then
      return nil, i + 4
    end
    local number = s:match('^-?%d+%.?%d*[eE]?[-+]?%d*', i)
    if number == nil or number == '' then decode_error(s, i, 'unexpected input') end
    local n = math.tointeger(tonumber(number)) or tonumber(number)
    if n == nil then decode_error(s, i, 'bad number') end
    return n, i + #number
  end

  json.decode = function(s)
    if type(s) ~= 'string' then error('json.decode: expected a string, got a ' .. type(s)) end
    local v, i = decode_value(s, 1, 0)
    i = skip(s, i)
    if i <= #s then decode_error(s, i, 'trailing input') end
    return v
  end
end

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

-- Runs the matching handlers on msg; returns whether one ran and stopped
-- the search. Errors in handlers propagate.
function Handlers.evaluate(msg, env)
  local handled = false
  local i = 1
  while i <= #Handlers.list do
    local h = Handlers.list[i]
    local code = match_code(utils.matchesSpec(msg, h.pattern))
    local removed = false
    if code ~= 0 then
      if code < 0 then handled = true end
      h.handle(msg, env)
      if h.maxRuns then
        h.maxRuns = h.maxRuns - 1
        if h.maxRuns <= 0 then
          table.remove(Handlers.list, i)
          removed = true
        end
      end
    end
    if code < 0 then return handled end
    if not removed then i = i + 1 end
  end
  return handled
end

-- ao: the process's view of itself and its outbox.
ao = ao or {}
ao._version = 'hashpath-aos-1'
ao.reference = ao.reference or 0
ao.authorities = ao.authorities or {}
ao.outbox = { Messages = {}, Spawns = {}, Output = {} }
Inbox = Inbox or {}
MaxInbox = MaxInbox or 10000

local prints = {}
print = function(...)
  local parts = {}
  for i = 1, select('#', ...) do parts[i] = tostring((select(i, ...))) end
  local line = table.concat(parts, '\t')
  prints[#prints + 1] = line
  return line
end

local modules = { json = json, ['.json'] = json, utils = utils, ['.utils'] = utils }
require = function(name)
  local m = modules[name]
  if m == nil then
    error("module '" .. tostring(name) .. "' not found: a process can require only json and .utils", 2)
  end
  return m
end

-- A message to send: Tags (a map, or a list of {name, value}) become keys.
local function outgoing(msg)
  local out = {}
  for k, v in pairs(msg) do
    if k ~= 'Tags' and k ~= 'onReply' and type(v) ~= 'function' then out[k] = v end
  end
  if type(msg.Tags) == 'table' then
    for k, v in pairs(msg.Tags) do
      if type(v) == 'table' and v.name ~= nil then
        out[v.name] = v.value
      else
        out[k] = v
      end
    end
  end
  return out
end

function ao.send(msg)
  assert(type(msg) == 'table', 'ao.send: the message must be a table')
  ao.reference = ao.reference + 1
  local out = outgoing(msg)
  out.reference = tostring(ao.reference)
  table.insert(ao.outbox.Messages, out)
  local target = msg.Target or msg.target
  local ref = out.reference
  out.onReply = nil
  return {
    Target = target,
    reference = ref,
    onReply = function(handle)
      Handlers.once('reply-' .. ref, function(m)
        return m.From == target and m['X-Reference'] == ref
      end, handle)
    end,
  }
end
Send = ao.send

function ao.spawn(module, msg)
  msg = msg or {}
  ao.reference = ao.reference + 1
  local out = outgoing(msg)
  out.module = module
  out.reference = tostring(ao.reference)
  table.insert(ao.outbox.Spawns, out)
  return out
end
Spawn = ao.spawn

-- Header case, as AOS tags are written: data-protocol → Data-Protocol.
local function header_case(key)
  return (key:gsub('(%a)([%w]*)', function(first, rest) return first:upper() .. rest end))
end

-- The committer of a message: the first signature's (not an HMAC) in
-- commitment-ID order.
local function committer_of(m)
  if type(m) ~= 'table' or type(m.commitments) ~= 'table' then return nil end
  local ids = {}
  for id, c in pairs(m.commitments) do
    if type(c) == 'table' and type(c.committer) == 'string' and c.committer ~= '' then ids[#ids + 1] = id end
  end
  table.sort(ids)
  if ids[1] then return m.commitments[ids[1]].committer end
end

local skipped_keys = {
  commitments = true, data = true, target = true, id = true, anchor = true, signature = true,
  owner = true, path = true,
}

-- The scheduled message as AOS handlers see it.
local function aos_message(body, assignment)
  local msg = { Tags = {} }
  for k, v in pairs(body) do
    if not skipped_keys[k] and type(k) == 'string' and type(v) ~= 'table' then
      local name = header_case(k)
      msg.Tags[name] = v
      msg[name] = v
    end
  end
  local data = body.data
  if data == nil and type(body.body) == 'string' then data = body.body end
  msg.Data = data or ''
  msg.Owner = committer_of(body)
  msg.From = body['from-process'] or msg.Owner
  msg.Target = body.target or ao.id
  msg.Id = assignment['message-id']
  msg.Timestamp = assignment.timestamp
  msg['Block-Height'] = assignment['block-height']
  msg.Slot = assignment.slot
  msg.Module = ao.env and ao.env.Process and ao.env.Process.Module
  if msg.Tags['Content-Type'] == 'application/json' and type(msg.Data) == 'string' then
    local ok, decoded = pcall(json.decode, msg.Data)
    if ok then msg.Data = decoded end
  end
  msg.reply = function(reply)
    assert(type(reply) == 'table', 'msg.reply: the reply must be a table')
    reply.Target = msg['Reply-To'] or msg.From
    reply['X-Reference'] = msg.Reference or msg['X-Reference']
    reply['X-Origin'] = msg['X-Origin']
    return ao.send(reply)
  end
  msg.forward = function(target, fields)
    local copy = {}
    for k, v in pairs(msg) do if type(v) ~= 'function' then copy[k] = v end end
    for k, v in pairs(fields or {}) do copy[k] = v end
    copy.Target = target
    copy['X-Origin'] = msg['X-Origin'] or msg.From
    return ao.send(copy)
  end
  return msg
end

local function authorities_of(definition)
  local a = definition.authority
  local out = {}
  if type(a) == 'string' then
    for address in a:gmatch('[^,%s"]+') do out[#out + 1] = address end
  elseif type(a) == 'table' then
    for _, address in ipairs(a) do out[#out + 1] = address end
  end
  return out
end

-- Pretty text of an Eval's value, as the AOS console shows it.
local function stringify(v, indent, seen)
  indent = indent or ''
  if type(v) ~= 'table' then return tostring(v) end
  seen = seen or {}
  if seen[v] then return '<cycle>' end
  seen[v] = true
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == 'number' or type(a) == 'string') then return a < b end
    return type(a) < type(b)
  end)
  if #keys == 0 then return '{}' end
  local lines = {}
  for _, k in ipairs(keys) do
    local name = type(k) == 'string' and k or '[' .. tostring(k) .. ']'
    lines[#lines + 1] = indent .. '  ' .. name .. ' = ' .. stringify(v[k], indent .. '  ', seen)
  end
  seen[v] = nil
  return '{\n' .. table.concat(lines, ',\n') .. '\n' .. indent .. '}'
end

local function eval(msg)
  local code = msg.Data
  if type(code) ~= 'string' then error('Eval: the message has no Lua source in its data') end
  local chunk = load('return ' .. code, 'aos', 't', _G)
  if chunk == nil then
    local err
    chunk, err = load(code, 'aos', 't', _G)
    if chunk == nil then error(err, 0) end
  end
  local results = table.pack(chunk())
  if results.n > 0 and results[1] ~= nil then
    local parts = {}
    for i = 1, results.n do parts[i] = stringify(results[i]) end
    prints[#prints + 1] = table.concat(parts, '\t')
  end
end

local function default_handler(msg)
  if #Inbox >= MaxInbox then table.remove(Inbox, 1) end
  local kept = {}
  for k, v in pairs(msg) do if type(v) ~= 'function' then kept[k] = v end end
  Inbox[#Inbox + 1] = kept
  print('New Message From ' .. tostring(msg.From) .. ': Action = ' .. tostring(msg.Action))
end

-- Sets ao.id, ao.authorities and Owner from the process state, once.
local function init(state, assignment)
  if ao.initialized then return end
  ao.initialized = true
  local definition = state.process or {}
  ao.id = ao.id or assignment.process
  ao.authorities = authorities_of(definition)
  Owner = definition['from-process'] or committer_of(definition)
  local tags = {}
  for k, v in pairs(definition) do
    if type(v) ~= 'table' and k ~= 'commitments' then tags[header_case(k)] = v end
  end
  ao.env = { Process = { Id = ao.id, Owner = Owner, Tags = tags } }
end

-- A message claiming to come from another process is trusted only if that
-- process, or the message's signer (a node pushing it), is an authority.
local function trusted(msg)
  local from_process = msg['From-Process']
  if from_process == nil or #ao.authorities == 0 then return true end
  return utils.includes(from_process, ao.authorities) or utils.includes(msg.Owner, ao.authorities)
end

local function run(msg, state)
  if msg.Type == 'Process' and msg.Tags.Type == 'Process' and state['at-slot'] == -1 then
    return -- the spawn itself: nothing to handle
  end
  if not trusted(msg) then
    print('Message is not trusted.')
    return
  end
  if msg.Action == 'Eval' and msg.From ~= nil and msg.From == Owner then
    eval(msg)
    return
  end
  local handled = Handlers.evaluate(msg, ao.env)
  if not handled then default_handler(msg) end
end

-- What the program sends or prints while its modules load (an InitialSync
-- patch, say) is part of the first slot's result: the outbox and the print
-- log are emptied after each slot, not before.
function compute(state, assignment)
  local body = assignment.body
  if type(body) ~= 'table' then body = {} end
  init(state, assignment)
  local msg = aos_message(body, assignment)
  local ok, err = pcall(run, msg, state)
  local results = { outbox = {}, output = { prompt = 'aos> ' } }
  for i, m in ipairs(ao.outbox.Messages) do results.outbox[tostring(i)] = m end
  if #ao.outbox.Spawns > 0 then results.spawns = ao.outbox.Spawns end
  if not ok then
    local text = tostring(err)
    prints[#prints + 1] = 'error: ' .. text
    results.error = text
  end
  results.output.data = table.concat(prints, '\n')
  if msg.Action ~= 'Eval' then results.output.print = true end
  state.results = results
  prints = {}
  ao.outbox = { Messages = {}, Spawns = {}, Output = {} }
  return state
end
