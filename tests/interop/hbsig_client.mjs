// hbsig 0.1.5 (a JavaScript httpsig client for HyperBEAM) against a real
// Hashpath node, both ways: messages hbsig signs (rsa-pss-sha512 httpsig)
// verify on the node — a spawn, an Eval the process runs only because its
// signer is the owner — and hbsig verifies what the node signs (a message
// it pushed between two processes). Tampered messages are refused on both
// sides. Each check names what it expected; any failure exits 1.
//   usage: node hbsig_client.mjs NODE_URL WALLET_JWK LUA_MODULE_ID
import fs from 'node:fs'
import crypto from 'node:crypto'
// hbsig's bundled RFC 9421 implementation (the package has no exports map).
import { httpbis } from 'hbsig/esm/http-message-signatures/index.js'
import { createSigner, send, verify, rsaid } from 'hbsig'
import { check } from './client_checks.mjs'

const [url, walletPath, moduleId] = process.argv.slice(2)
const jwk = JSON.parse(fs.readFileSync(walletPath, 'utf8'))
const sign = createSigner(jwk, url)

async function post (signed) {
  const r = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body })
  const headers = {}
  r.headers.forEach((v, k) => { headers[k] = v })
  return { status: r.status, headers, body: await r.text() }
}

const node = await (await fetch(`${url}/~meta@1.0/info/address`)).text()
const spawn = await sign({
  path: '/~process@1.0/schedule',
  method: 'POST',
  device: 'process@1.0',
  type: 'Process',
  scheduler: node,
  authority: node,
  'execution-device': 'lua@5.3a',
  module: moduleId
})
let r = await post(spawn)
check(r.status === 200 && /^[A-Za-z0-9_-]{43}$/.test(r.headers.process ?? ''), `the node accepts a spawn hbsig signed (${r.status} ${r.body.slice(0, 200)})`)
const pid = r.headers.process
check(pid === rsaid({ signature: spawn.headers.signature }), `the process ID is hbsig's ID of its signature (${pid})`)

const tampered = structuredClone(spawn)
tampered.headers.authority = 'A'.repeat(43)
r = await post(tampered)
check(r.status >= 400 && r.status < 500, `a signed spawn altered after signing is refused (${r.status} ${r.body.slice(0, 160)})`)

const evaluation = await sign({ path: `/${pid}~process@1.0/schedule`, method: 'POST', target: pid, action: 'Eval', data: 'return 6 * 7' })
r = await post(evaluation)
check(r.status === 200 && r.headers.slot === '1', `the node schedules an Eval hbsig signed (${r.status} slot ${r.headers.slot} ${r.body.slice(0, 300)})`)
const output = await (await fetch(`${url}/${pid}~process@1.0/compute&slot+integer=1/results/output/data`)).text()
check(output === '42', `the process ran it as its owner's Eval: the node took hbsig's signer (${output})`)

// What the node signs: a message it pushes from one process to another.
const spawnB = await sign({ path: '/~process@1.0/schedule', method: 'POST', device: 'process@1.0', type: 'Process', scheduler: node, authority: node, 'execution-device': 'lua@5.3a', module: moduleId, name: 'B' })
const B = (await post(spawnB)).headers.process
const ping = await sign({ path: `/${pid}~process@1.0/push`, method: 'POST', target: pid, action: 'Eval', data: `Send({ Target = '${B}', Action = 'Ping', Data = 'from A' })` })
r = await post(ping)
check(r.status === 200, `a push from A delivers to B (${r.status} ${r.body.slice(0, 160)})`)
const ask = await sign({ path: `/${B}~process@1.0/schedule`, method: 'POST', target: B, action: 'Eval', data: 'return Inbox[#Inbox].Id' })
r = await post(ask)
const pingId = await (await fetch(`${url}/${B}~process@1.0/compute&slot+integer=${r.headers.slot}/results/output/data`)).text()
check(/^[A-Za-z0-9_-]{43}$/.test(pingId), `B's inbox holds the pushed Ping (${pingId})`)
const got = await fetch(`${url}/${pingId}`, { headers: { 'accept-codec': 'httpsig@1.0' } })
const headers = {}
got.headers.forEach((v, k) => { headers[k] = v })
const pushed = { url: `${url}/${pingId}`, method: 'GET', headers, body: await got.text() }
// hbsig's verify() parses the signature and names its key; its `verified`
// only says that the check did not throw (it drops the verdict of its
// RFC 9421 library), so the verdict is taken from that library itself.
const checked = await verify(pushed)
check(got.status === 200 && checked.valid === true && checked.signatureName?.startsWith('http-sig-'), `hbsig reads the node's signature on the message it pushed (${JSON.stringify(checked).slice(0, 200)})`)
const nodeKey = crypto.createPublicKey({ key: { kty: 'RSA', n: checked.keyId, e: 'AQAB' }, format: 'jwk' })
const keyLookup = async () => ({
  id: checked.keyId,
  algs: ['rsa-pss-sha512'],
  verify: async (data, signature) => crypto.verify('sha512', data, { key: nodeKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO }, signature)
})
const verdict = (m) => httpbis.verifyMessage({ keyLookup, requiredFields: [] }, { method: m.method, url: m.url, headers: m.headers })
check(await verdict(pushed) === true, 'hbsig\'s RFC 9421 library verifies that signature with the key it names')
const signer = await (await fetch(`${url}/~meta@1.0/info/address`)).text()
check(crypto.createHash('sha256').update(Buffer.from(checked.keyId, 'base64url')).digest('base64url') === signer, 'the key is the node\'s')
check(rsaid({ signature: headers.signature }) === pingId, 'its ID is hbsig\'s ID of that signature')
const forged = structuredClone(pushed)
forged.headers.action = 'Pong'
check(await verdict(forged) === false, 'and refuses it with a signed field changed')

const viaSend = await send(await sign({ path: `/${pid}~process@1.0/schedule`, method: 'POST', target: pid, action: 'Eval', data: 'return ao.id' }))
check(viaSend.status === 200 && /^[0-9]+$/.test(viaSend.headers?.slot ?? ''), `hbsig's own send() schedules too (slot ${viaSend.headers?.slot})`)
const id = await (await fetch(`${url}/${pid}~process@1.0/compute&slot+integer=${viaSend.headers.slot}/results/output/data`)).text()
check(id === pid, `ao.id is the process ID (${id})`)
