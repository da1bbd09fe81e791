// Writes the AOS workload of the differential tests (docs/wasm.md §7): the
// env and one message per line, as the legacy compute unit hands them to an
// AOS module's `handle`. Both engines get exactly these bytes.
//   usage: node aos_workload.mjs OUT_DIR PINGS
//   OUT_DIR/env.json, OUT_DIR/messages.jsonl
import fs from 'node:fs'
import path from 'node:path'

const [outDir, pingsArg] = process.argv.slice(2)
const pings = Number(pingsArg || 20)
const PROCESS = 'P'.repeat(43)
const OWNER = 'O'.repeat(43)
const MODULE = 'M'.repeat(43)

const env = {
  Process: {
    Id: PROCESS,
    Owner: OWNER,
    Tags: [
      { name: 'Data-Protocol', value: 'ao' },
      { name: 'Type', value: 'Process' },
      { name: 'Module', value: MODULE },
      { name: 'Authority', value: OWNER },
      { name: 'Name', value: 'differential' }
    ]
  },
  Module: { Id: MODULE, Owner: OWNER, Tags: [{ name: 'Type', value: 'Module' }] }
}

let nonce = 0
function message (action, data, id) {
  nonce += 1
  return {
    Id: id || `M${String(nonce).padStart(42, '0')}`,
    Owner: OWNER,
    From: OWNER,
    Target: PROCESS,
    Anchor: '',
    Data: data,
    Tags: [{ name: 'Type', value: 'Message' }, { name: 'Action', value: action }],
    Timestamp: String(1700000000000 + nonce * 1000),
    'Block-Height': String(1000 + nonce),
    Module: MODULE
  }
}

// Edge cases: each is one Eval whose output both engines must give alike.
const edgeCases = [
  "return tostring(0/0) .. ' ' .. tostring(-(0/0)) .. ' ' .. tostring(math.huge) .. ' ' .. tostring(-math.huge)",
  "return string.format('%.17g %g %5.2f %e %.3f', math.pi, 1e300 * 10, 2.5, 123456.789, -0.0005)",
  "return string.format('%a %a %a', 1.0, 0.1, -2.5e-300)",
  'return tostring(3 // 2) .. tostring(3.0 // 2) .. tostring(math.tointeger(3.0)) .. tostring(2^53 + 1) .. ' +
    'tostring(math.maxinteger + 1 == math.mininteger) .. tostring(7 // 0.0) .. tostring(-7 % 0.0) .. tostring(1e15) .. tostring(2^63)',
  "local t = {} for i = 1, 60 do t['k' .. i] = i end local o = {} for k in pairs(t) do o[#o + 1] = k end return table.concat(o, ',')",
  'return tostring({}) .. tostring(function() end) .. tostring(coroutine.create(print))',
  'local function f(n) return f(n + 1) + 1 end local ok, e = pcall(f, 1) return tostring(ok) .. tostring(e)',
  "local t = setmetatable({}, { __index = function(t, k) return t[k .. 'x'] end }) local ok, e = pcall(function() return t.a end) return tostring(ok) .. tostring(e)",
  "local n = 0 for i = 1, 1000 do if not pcall(error, { code = i }) then n = n + 1 end end return n",
  "local ok, e = pcall(function() return ('x'):rep(1024):rep(200 * 1024) end) return tostring(ok) .. ' ' .. (ok and #e or tostring(e))",
  "local ok, e = pcall(function() return ('x'):rep(1024):rep(600 * 1024) end) return tostring(ok) .. ' ' .. tostring(e)",
  "local ok, e = pcall(function() return ('x'):rep(1024):rep(1536 * 1024) end) return tostring(ok) .. ' ' .. (ok and #e or tostring(e))",
  "local ok, e = pcall(function() return ('x'):rep(1024):rep(3 * 1024 * 1024) end) return tostring(ok) .. ' ' .. tostring(e)",
  "return #('y'):rep(1000)",
  "return collectgarbage('count') > 0",
  // Last, as it leaves the memory grown to its limit: a table that grows
  // until memory runs out is Lua's own error, caught by pcall, and the
  // process goes on.
  "local s = ('z'):rep(1024 * 1024) local ok, e = pcall(function() local t = {} for i = 1, 1e9 do t[i] = s .. i end end) " +
    "collectgarbage() return tostring(ok) .. ' ' .. tostring(e) .. ' ' .. #('y'):rep(1000)"
]

const lines = []
lines.push({ ...message('Boot', '1984', PROCESS), Tags: env.Process.Tags })
lines.push(message('Eval', 'return 1 + 1'))
lines.push(message('Eval', "Count = 0 Handlers.add('Ping', 'Ping', function (msg) Count = Count + 1 " +
  "ao.send({ Target = msg.From, Data = 'Pong ' .. Count }) end)"))
for (let i = 0; i < pings; i++) lines.push(message('Ping', `ping ${i}`))
lines.push(message('Eval', 'return Count'))
for (const code of edgeCases) lines.push(message('Eval', code))

fs.mkdirSync(outDir, { recursive: true })
fs.writeFileSync(path.join(outDir, 'env.json'), JSON.stringify(env))
fs.writeFileSync(path.join(outDir, 'messages.jsonl'), lines.map((m) => JSON.stringify(m)).join('\n') + '\n')
