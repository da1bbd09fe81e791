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

