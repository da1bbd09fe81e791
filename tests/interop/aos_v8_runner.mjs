// Runs an AOS module on V8 (Node) over the workload of aos_workload.mjs and
// writes one result per line, for comparison with Hashpath's engines
// (tests/interop/aos_differential_test.sh).
//   node aos_v8_runner.mjs ao-loader WASM ENV MESSAGES OUT [unsafe]
//     the emscripten build under @permaweb/ao-loader (the legacy compute
//     unit's loader); Date.now answers each message's Timestamp, as
//     Hashpath's host does; a line is the JSON of the response's Output,
//     Messages, Spawns, Assignments and Error
//   node aos_v8_runner.mjs wasi WASM ENV MESSAGES OUT
//     a WASI build on a WASI shim of our own that answers as HyperBEAM
//     does (clock_time_get: errno 1; stubs 0); a line is handle's raw string
import fs from 'node:fs'
import { createRequire } from 'node:module'

const [engine, wasmPath, envPath, messagesPath, outPath, memoryMode] = process.argv.slice(2)
const wasm = fs.readFileSync(wasmPath)
const envText = fs.readFileSync(envPath, 'utf8')
const messages = fs.readFileSync(messagesPath, 'utf8').split('\n').filter(Boolean)
const out = []
// Timing on stderr (bench/wasm_bench.sh): the first message and the Pings.
let bootMs = -1
let pingMs = 0
let pings = 0
function timed (line, ms) {
  if (bootMs < 0) bootMs = ms
  if (line.includes('{"name":"Action","value":"Ping"}')) { pingMs += ms; pings++ }
}

function fields (response) {
  const { Output, Messages, Spawns, Assignments, Error } = response
  return JSON.stringify({ Output, Messages, Spawns, Assignments, Error })
}

if (engine === 'ao-loader') {
  const require = createRequire(import.meta.url)
  const AoLoader = require('@permaweb/ao-loader')
  const handle = await AoLoader(wasm, {
    format: 'wasm64-unknown-emscripten-draft_2024_02_15',
    inputEncoding: 'JSON-1',
    outputEncoding: 'JSON-1',
    memoryLimit: String(1024 * 1024 * 1024),
    computeLimit: '9000000000000',
    extensions: [],
    // "unsafe": ao-loader's fast mode, which hands back the live memory
    // instead of a copy per message (what the benchmark compares with).
    ...(memoryMode === 'unsafe' ? { UNSAFE_MEMORY: true } : {})
  })
  const env = JSON.parse(envText)
  let memory = null
  const realNow = Date.now
  for (const line of messages) {
    const msg = JSON.parse(line)
    Date.now = () => Number(msg.Timestamp)
    const t0 = performance.now()
    try {
      const r = await handle(memory, msg, env)
      timed(line, performance.now() - t0)
      memory = r.Memory
      out.push(fields(r))
    } catch (e) {
      out.push(JSON.stringify({ thrown: String(e?.message ?? e) }))
    } finally {
      Date.now = realNow
    }
  }
} else if (engine === 'wasi') {
  const module = await WebAssembly.compile(wasm)
  let memory = null
  const view = () => new DataView(memory.buffer)
  const n = (x) => Number(x)
  const wasi = {
    fd_write (fd, iovs, count, written) {
      let total = 0
      for (let i = 0; i < n(count); i++) total += n(view().getBigUint64(n(iovs) + i * 16 + 8, true))
      view().setBigUint64(n(written), BigInt(total), true)
      return 0
    },
    fd_read (fd, iovs, count, read) { view().setBigUint64(n(read), 0n, true); return 0 },
    environ_sizes_get (a, b) { view().setBigUint64(n(a), 0n, true); view().setBigUint64(n(b), 0n, true); return 0 },
    clock_time_get () { return 1 },
    proc_exit (code) { throw new Error(`proc_exit(${code})`) }
  }
  const imports = {}
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {}
    const own = imp.module === 'wasi_snapshot_preview1' ? wasi[imp.name] : undefined
    imports[imp.module][imp.name] = own ?? (() => 0)
  }
  const instance = await WebAssembly.instantiate(module, imports)
  memory = instance.exports.memory
  const { malloc, handle } = instance.exports
  const put = (text) => {
    const bytes = Buffer.from(text + '\0')
    const p = malloc(BigInt(bytes.length))
    new Uint8Array(memory.buffer).set(bytes, n(p))
    return p
  }
  const get = (p) => {
    const u = new Uint8Array(memory.buffer)
    let end = n(p)
    while (u[end] !== 0) end++
    return Buffer.from(u.subarray(n(p), end)).toString()
  }
  for (const line of messages) {
    const t0 = performance.now()
    try {
      out.push(get(handle(put(line), put(envText))))
      timed(line, performance.now() - t0)
    } catch (e) {
      out.push(JSON.stringify({ thrown: String(e?.message ?? e) }))
    }
  }
} else {
  console.error(`unknown engine ${engine}`)
  process.exit(2)
}
fs.writeFileSync(outPath, out.join('\n') + '\n')
console.error(`timing boot_ms=${bootMs.toFixed(2)} pings=${pings} ping_mean_ms=${(pings ? pingMs / pings : 0).toFixed(4)} msgs_per_s=${(pings ? 1000 * pings / pingMs : 0).toFixed(1)}`)
