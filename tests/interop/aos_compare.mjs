// Compares the Hashpath side (raw `handle` answers, one per line) with the
// V8 side of the differential test, line by line; prints the first
// difference and exits 1 if there is one.
//   node aos_compare.mjs raw|fields HASHPATH_OUT V8_OUT
//   raw: the bytes must be equal; fields: the response's Output, Messages,
//   Spawns, Assignments and Error must serialise alike (ao-loader hands
//   back those fields, not the string)
import fs from 'node:fs'

const [mode, oursPath, theirsPath] = process.argv.slice(2)
const lines = (p) => fs.readFileSync(p, 'utf8').split('\n').filter(Boolean)
const ours = lines(oursPath)
const theirs = lines(theirsPath)
function fields (raw) {
  try {
    const { ok, response } = JSON.parse(raw)
    if (!ok) return JSON.stringify({ thrown: JSON.stringify(response) })
    const { Output, Messages, Spawns, Assignments, Error } = response
    return JSON.stringify({ Output, Messages, Spawns, Assignments, Error })
  } catch {
    return raw
  }
}
if (ours.length !== theirs.length) {
  console.error(`${ours.length} results from Hashpath, ${theirs.length} from V8`)
  process.exit(1)
}
for (let i = 0; i < ours.length; i++) {
  const a = mode === 'fields' ? fields(ours[i]) : ours[i]
  if (a !== theirs[i]) {
    console.error(`message ${i + 1} differs:\n  hashpath: ${a.slice(0, 600)}\n  v8:       ${theirs[i].slice(0, 600)}`)
    process.exit(1)
  }
}
console.log(`ok: ${ours.length} results identical (${mode})`)
