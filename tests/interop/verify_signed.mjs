// Verifies messages that `hashpath message sign` produced, using third-party
// JavaScript libraries only: arbundles and @dha-team/arbundles for ANS-104
// data items, http-message-signatures for RFC 9421 HTTP signatures.
//
// usage: node verify_signed.mjs MANIFEST.json
// MANIFEST: [{ "file": "...", "kind": "ans104" | "httpsig", "id": "...", "committer": "..." }]
// Prints one line per check and exits 1 if any fails.
import fs from 'node:fs'
import crypto from 'node:crypto'
import * as Dha from '@dha-team/arbundles'
import * as Arb from 'arbundles'
import { httpbis, createVerifier } from 'http-message-signatures'

const pick = (ns) => ns.DataItem ?? ns.default?.DataItem
const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
let failures = 0
const report = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failures++
}

// An HTTP message file: header lines, an empty line, the body.
function parseHttp (raw) {
  const text = raw.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  const head = end < 0 ? text : text.slice(0, end)
  const headers = {}
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(': ')
    headers[line.slice(0, i)] = line.slice(i + 2)
  }
  return { headers, body: end < 0 ? '' : raw.subarray(end + 4) }
}

function rsaKeyFromKeyid (keyid) {
  const n = Buffer.from(keyid, keyid.includes('+') || keyid.includes('/') || keyid.endsWith('=') ? 'base64' : 'base64url')
  return crypto.createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: 'AQAB' }, format: 'jwk' })
}

for (const entry of manifest) {
  const raw = fs.readFileSync(entry.file)
  if (entry.kind === 'ans104') {
    for (const [name, ns] of [['@dha-team/arbundles', Dha], ['arbundles', Arb]]) {
      const DataItem = pick(ns)
      report(await DataItem.verify(raw), `${entry.file}: ${name} verifies the data item`)
      const item = new DataItem(raw)
      report(item.id === entry.id, `${entry.file}: ${name} computes id ${item.id} (hashpath: ${entry.id})`)
    }
    const tampered = Buffer.from(raw)
    tampered[tampered.length - 1] ^= 1
    report(!(await pick(Arb).verify(tampered)), `${entry.file}: arbundles rejects a flipped data byte`)
  } else {
    const { headers } = parseHttp(raw)
    const request = { method: 'POST', url: 'http://localhost/', headers }
    let checked = 0
    const verified = await httpbis.verifyMessage({
      keyLookup: async (params) => {
        checked++
        const alg = params.alg
        const key = alg === 'hmac-sha256' ? params.keyid : rsaKeyFromKeyid(params.keyid)
        return { id: params.keyid, algs: [alg], verify: createVerifier(key, alg) }
      }
    }, request).catch((e) => `error: ${e.message}`)
    report(verified === true && checked >= 1,
      `${entry.file}: http-message-signatures verifies ${checked} signature(s) (${verified})`)
    const changed = { ...request, headers: { ...headers } }
    const field = Object.keys(headers).find((k) => !k.startsWith('signature') && k !== 'content-digest')
    changed.headers[field] = headers[field] + 'x'
    const rejected = await httpbis.verifyMessage({
      keyLookup: async (params) => ({
        id: params.keyid,
        algs: [params.alg],
        verify: createVerifier(params.alg === 'hmac-sha256' ? params.keyid : rsaKeyFromKeyid(params.keyid), params.alg)
      })
    }, changed).then((r) => r !== true, () => true)
    report(rejected, `${entry.file}: a changed '${field}' field is rejected`)
  }
}
console.log(failures === 0 ? "all checks passed" : `${failures} check(s) failed`)
process.exit(failures === 0 ? 0 : 1)
