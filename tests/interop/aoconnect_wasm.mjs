// aoconnect 0.0.98 (mainnet mode), the real AO client, against a Hashpath
// node running the AO network's AOS module (emscripten build) as a WASM
// process: spawn, message, result, results, a patched state read, dryrun.
// Each check names what it expected; any failure exits 1.
//   usage: node aoconnect_wasm.mjs NODE_URL WALLET_JWK MODULE_ID
import { aoconnectFor, check } from './client_checks.mjs'

const [url, walletPath, moduleId] = process.argv.slice(2)
const ao = aoconnectFor(url, walletPath)

const pid = await ao.spawn({ module: moduleId, tags: [{ name: 'Name', value: 'aoconnect-wasm' }], data: '1984' })
check(/^[A-Za-z0-9_-]{43}$/.test(pid), `spawn returned a process ID (${pid})`)

async function evaluate (code, action = 'Eval') {
  const sent = await ao.message({ process: pid, tags: [{ name: 'Action', value: action }], data: code, returnAssignmentSlot: true, returnMessageId: true })
  return { sent, result: await ao.result({ process: pid, slot: sent.slot }) }
}

let { sent, result } = await evaluate("Send({ Target = ao.id, device = 'patch@1.0', cache = { counter = '42' } })\nreturn 1 + 1")
check(Number(sent.slot) === 1 && /^[A-Za-z0-9_-]{43}$/.test(sent.id), `message: slot 1 and an ID (${JSON.stringify(sent)})`)
check(!result.Error && result.Output?.data === '2', `result: Eval 1 + 1 gives "2" (${JSON.stringify(result.Output?.data)})`)

const state = await fetch(`${url}/${pid}~process@1.0/now/cache/counter`)
check(state.status === 200 && (await state.text()) === '42', 'the patch@1.0 message set now/cache/counter to 42')

;({ result } = await evaluate("Handlers.add('Ping', 'Ping', function (msg) msg.reply({ Data = 'pong' }) end)"))
check(!result.Error, 'a handler is installed')
;({ sent, result } = await evaluate('', 'Ping'))
check(result.Messages?.length === 1 && result.Messages[0].Data === 'pong', `the handler replies pong (${JSON.stringify(result.Messages)})`)

;({ result } = await evaluate("error('boom')"))
check(typeof result.Error === 'string' && result.Error.includes('boom'), `a Lua error is the result's Error (${JSON.stringify(result.Error)})`)

const all = await ao.results({ process: pid })
check(all.edges?.length === 1 && Number(all.edges[0].cursor) === Number(sent.slot) + 1, `results: the latest slot (${JSON.stringify(all.edges?.map((e) => e.cursor))})`)

const dry = await ao.dryrun({ process: pid, tags: [{ name: 'Action', value: 'Eval' }], data: 'return Handlers.list[#Handlers.list].name' })
check(!dry.Error && dry.Output?.data === 'Ping', `dryrun sees the state (${JSON.stringify(dry.Output?.data)})`)
const after = await ao.dryrun({ process: pid, tags: [{ name: 'Action', value: 'Eval' }], data: 'Changed = true return 1' })
check(after.Output?.data === '1', 'a dryrun may change a global...')
;({ result } = await evaluate('return tostring(Changed)'))
check(result.Output?.data === 'nil', `...which the process never sees (${JSON.stringify(result.Output?.data)})`)
