// What the client scripts run by js_client_test.sh share: a check that
// names what it expected (any failure exits 1), and aoconnect 0.0.98 in
// mainnet mode signing with a JWK file.
import fs from 'node:fs'
import { connect, createSigner } from '@permaweb/aoconnect'

export function check (cond, what) {
  if (!cond) {
    console.error(`FAIL: ${what}`)
    process.exit(1)
  }
  console.log(`ok   ${what}`)
}

export function aoconnectFor (url, walletPath) {
  const signer = createSigner(JSON.parse(fs.readFileSync(walletPath, 'utf8')))
  return connect({ MODE: 'mainnet', URL: url, signer })
}
