-- Pretty text of an Eval's value, as the AOS console shows it.
local function stringify(v, indent, seen)
  indent = indent or ''
  if type(v) ~= 'table' then return tostring(v) end
  seen = seen or {}
  if seen[v] then return '<cycle>' end
  seen[v] = true
  local keys = ordered_keys(v)
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
  if #ao.outbox.Assignments > 0 then results.assignments = ao.outbox.Assignments end
  if not ok then
    local text = tostring(err)
    prints[#prints + 1] = 'error: ' .. text
    results.error = text
  end
  results.output.data = table.concat(prints, '\n')
  if msg.Action ~= 'Eval' then results.output.print = true end
  state.results = results
  prints = {}
  ao.outbox = { Messages = {}, Spawns = {}, Assignments = {}, Output = {} }
  return state
end
