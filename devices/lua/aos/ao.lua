-- ao: the process's view of itself and its outbox.
ao = ao or {}
ao._version = 'hashpath-aos-1'
ao.reference = ao.reference or 0
ao.authorities = ao.authorities or {}
ao.outbox = { Messages = {}, Spawns = {}, Assignments = {}, Output = {} }
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

-- AOS's terminal colours (programs put them in Data, as the blueprints do).
Colors = Colors or { red = '\27[31m', green = '\27[32m', blue = '\27[34m', gray = '\27[90m',
                     reset = '\27[0m' }
Bell = Bell or '\7'

local modules = { json = json, ['.json'] = json, utils = utils, ['.utils'] = utils,
                  bint = bint, ['.bint'] = bint, base64 = base64, ['.base64'] = base64,
                  pretty = pretty, ['.pretty'] = pretty, stringify = stringify,
                  ['.stringify'] = stringify, chance = chance, ['.chance'] = chance }
-- require: AOS's modules, else a module of the process's own definition
-- by its `name` (what its code returned when it loaded).
require = function(name)
  local m = modules[name]
  if m == nil and type(_LOADED_MODULES) == 'table' then m = _LOADED_MODULES[name] end
  if m == nil then
    error("module '" .. tostring(name) .. "' not found: a process can require json, .utils, .bint, " ..
          ".base64, .pretty, .stringify, .chance and the modules of its definition (by name)", 2)
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
    -- Inside a handler: waits for the reply (Receive) and returns it.
    receive = function()
      return Receive(function(m) return m.From == target and m['X-Reference'] == ref end)
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

-- ao.assign({ Processes = { pid, ... }, Message = id }): asks that message
-- `id` be assigned to those processes too (recorded in the result's
-- Assignments, as the legacy compute unit reports it).
function ao.assign(assignment)
  assert(type(assignment) == 'table' and type(assignment.Processes) == 'table' and
         type(assignment.Message) == 'string',
         'ao.assign: expected { Processes = { process ID, ... }, Message = message ID }')
  local processes = {}
  for i, pid in ipairs(assignment.Processes) do processes[i] = tostring(pid) end
  table.insert(ao.outbox.Assignments, { processes = processes, message = assignment.Message })
end

