// aoconnect 0.0.98 (mainnet mode), the real AO client, against a Hashpath
// node running a Lua process spawned as aoconnect users do it: the tag
// `execution-device: lua@5.3a` and a Module that is a stored Lua module
// (fixtures/processes/token.lua). Every call aoconnect has: spawn, message,
// result, results, dryrun, request. Each check names what it expected; any
// failure exits 1.
//   usage: node aoconnect_lua.mjs NODE_URL WALLET_JWK LUA_MODULE_ID
import fs from 'node:fs'
import { aoconnectFor, check } from './client_checks.mjs'

const [url, walletPath, moduleId] = process.argv.slice(2)
const ao = aoconnectFor(url, walletPath)

// A genesis-wasm spawn (aoconnect's default) of a Lua module is refused.
let refused = null
try {
  await ao.spawn({ module: moduleId, tags: [{ name: 'Name', value: 'wrong-device' }] })
} catch (e) {
  refused = e
}
check(refused !== null, `a genesis-wasm spawn of a Lua module is refused (${refused?.message})`)

const pid = await ao.spawn({
  module: moduleId,
  tags: [{ name: 'execution-device', value: 'lua@5.3a' }, { name: 'Name', value: 'aoconnect-lua' }]
})
check(/^[A-Za-z0-9_-]{43}$/.test(pid), `spawn with execution-device lua@5.3a returned a process ID (${pid})`)

const info = await (await fetch(`${url}/~meta@1.0/info/address`)).text()
const me = JSON.parse(fs.readFileSync(walletPath, 'utf8'))
const owner = await (async () => {
  const n = Buffer.from(me.n, 'base64url')
  const { createHash } = await import('node:crypto')
  return createHash('sha256').update(n).digest('base64url')
})()

async function send (tags, data = '') {
  const sent = await ao.message({ process: pid, tags, data, returnAssignmentSlot: true, returnMessageId: true })
  return { sent, result: await ao.result({ process: pid, slot: sent.slot }) }
}
const tag = (m, name) => m.Tags?.find((t) => t.name === name)?.value

let { sent, result } = await send([{ name: 'Action', value: 'Eval' }], 'return 1 + 1')
check(Number(sent.slot) === 1 && /^[A-Za-z0-9_-]{43}$/.test(sent.id), `message: slot 1 and an ID (${JSON.stringify(sent)})`)
check(!result.Error && result.Output?.data === '2', `result: Eval 1 + 1 gives "2" (${JSON.stringify(result.Output)})`)

;({ result } = await send([{ name: 'Action', value: 'Mint' }, { name: 'Quantity', value: '100' }]))
check(result.Messages?.[0]?.Data === 'Minted 100', `the owner mints (${JSON.stringify(result)})`)

const bob = 'B'.repeat(43)
;({ sent, result } = await send([{ name: 'Action', value: 'Transfer' }, { name: 'Recipient', value: bob }, { name: 'Quantity', value: '10' }]))
const debit = result.Messages?.find((m) => tag(m, 'Action') === 'Debit-Notice')
const credit = result.Messages?.find((m) => tag(m, 'Action') === 'Credit-Notice')
check(result.Messages?.length === 2 && debit?.Target === owner && tag(debit, 'Quantity') === '10' &&
      credit?.Target === bob && tag(credit, 'Quantity') === '10' && tag(credit, 'Sender') === owner,
      `a Transfer gives its Debit-Notice and Credit-Notice in Messages (${JSON.stringify(result.Messages)})`)

const state = await fetch(`${url}/${pid}~process@1.0/now/balances/${bob}`)
check(state.status === 200 && (await state.text()) === '10', 'the patched ledger reads 10 for the recipient')

;({ result } = await send([{ name: 'Action', value: 'Transfer' }, { name: 'Recipient', value: bob }, { name: 'Quantity', value: '1000' }]))
check(tag(result.Messages?.[0] ?? {}, 'Action') === 'Transfer-Error', `an overdraft is a Transfer-Error (${JSON.stringify(result.Messages)})`)

;({ sent, result } = await send([{ name: 'Action', value: 'Eval' }], "error('boom')"))
check(typeof result.Error === 'string' && result.Error.includes('boom'), `a Lua error is the result's Error (${JSON.stringify(result.Error)})`)

const all = await ao.results({ process: pid })
check(all.edges?.length === 1 && Number(all.edges[0].cursor) === Number(sent.slot) &&
      all.edges[0].node?.Error?.includes('boom'), `results: the latest slot (${JSON.stringify(all.edges)})`)

// The AOS library the blueprints use, through the real client.
;({ result } = await send([{ name: 'Action', value: 'Eval' }],
  "local chance = require('.chance') chance.seed(42) " +
  "ao.assign({ Processes = { '" + bob + "' }, Message = '" + sent.id + "' }) " +
  "return chance.integer(1, 1000000) .. ' ' .. require('.stringify').format({ 1, 'a' })"))
// MT19937 seeded 42: its first output is 1608637542 (std::mt19937(42)'s);
// integer(1, 1e6) = floor(x / 2^32 * 1e6 + 1).
check(result.Output?.data === `${Math.floor(1608637542 / 4294967296 * 1000000 + 1)} { \u001b[34m1\u001b[0m, \u001b[32m"a"\u001b[0m }`,
  `.chance and .stringify answer as AOS's (${JSON.stringify(result.Output)})`)
check(result.Assignments?.length === 1 && result.Assignments[0].Message === sent.id &&
      result.Assignments[0].Processes?.[0] === bob, `ao.assign is the result's Assignments (${JSON.stringify(result.Assignments)})`)

const dry = await ao.dryrun({ process: pid, tags: [{ name: 'Action', value: 'Balance' }, { name: 'Recipient', value: bob }] })
check(dry.Messages?.[0]?.Data === '10' && tag(dry.Messages[0], 'Balance') === '10', `dryrun Balance reads the state (${JSON.stringify(dry.Messages)})`)
const changed = await ao.dryrun({ process: pid, tags: [{ name: 'Action', value: 'Eval' }], data: 'Balances[\'' + bob + '\'] = 999 return Balances[\'' + bob + '\']' })
check(changed.Output?.data === '999', `a dryrun may change the ledger... (${JSON.stringify(changed.Output)})`)
;({ result } = await send([{ name: 'Action', value: 'Eval' }], 'return Balances[\'' + bob + '\']'))
check(result.Output?.data === '10', `...which the process never sees (${JSON.stringify(result.Output)})`)

// request(): aoconnect's own httpsig-signed call.
const read = await ao.request({ path: `/${pid}~process@1.0/now/balances/${bob}`, method: 'GET' })
check(read.status === 200 && (await read.text()) === '10', 'request() reads the patched state with an httpsig-signed GET')
const address = await ao.request({ path: '/~meta@1.0/info/address', method: 'GET' })
check(address.status === 200 && (await address.text()) === info, 'request() reads the node address')
