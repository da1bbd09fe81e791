#!/usr/bin/env bash
# Signs messages with `hashpath message sign` and has third-party JavaScript
# libraries verify them (tests/interop/verify_signed.mjs). The libraries are
# the versions pinned in tests/interop/npm/package-lock.json, installed from
# the npm registry with `npm ci` into the build directory (once; later runs
# reuse them).
# usage: js_interop_test.sh HASHPATH_BINARY SHARED_DIR WORK_DIR
set -euo pipefail
HASHPATH=$1
SHARED=$2
WORK=$3
HERE=$(cd "$(dirname "$0")" && pwd)

NODE_DIR=$("$HERE/npm_install.sh" "$WORK")
cp "$HERE/verify_signed.mjs" "$NODE_DIR/"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat > "$T/m.json" <<'JSON'
{"action":"Eval","data-protocol":"ao","count":7,"ratio":0.5,"data":"return 1+1","nested":{"a":"b"}}
JSON
KEY1="$HERE/../data/wallets/test-rsa-1.json"  # the project's own test wallet
"$HASHPATH" wallet new --type secp256k1 -o "$T/eth.json" >/dev/null

"$HASHPATH" message sign "$T/m.json" --wallet "$KEY1" --codec ans104 -o "$T/rsa.item"
"$HASHPATH" message sign "$T/m.json" --wallet "$T/eth.json" --codec ans104 -o "$T/eth.item"
"$HASHPATH" message sign "$T/m.json" --wallet "$KEY1" --codec httpsig -o "$T/rsa.http"

# A node whose wallet is secp256k1 signs each assignment as an ANS-104
# type-3 item (docs/devices.md §2): schedule a message, fetch its
# assignment with accept: application/ans104, and let arbundles judge it.
NODE=
trap 'kill $NODE 2>/dev/null || true; rm -rf "$T"' EXIT
source "$HERE/start_node.sh"
start_node "$HASHPATH" "$T/node.log" --data "$T/node" --wallet "$T/eth.json"
trap 'echo "--- the node log, last lines:"; tail -20 "$T/node.log"' ERR
PID=$("$HASHPATH" process spawn --node "$URL" --wallet "$KEY1" --module "$HERE/../../fixtures/processes/token.lua")
SLOT=$("$HASHPATH" process send "$PID" --node "$URL" --wallet "$KEY1" --tag Action=Balance)
ASSIGNMENT=$(curl -sf -H 'accept: application/json' \
  "$URL/$PID~scheduler@1.0/schedule?from=$SLOT&to=$SLOT" |
  python3 -c 'import json,sys; a=json.load(sys.stdin)["assignments"]; print(next(iter(next(iter(a.values()))["commitments"])))')
curl -sf -H 'accept: application/ans104' "$URL/$ASSIGNMENT" -o "$T/assignment.item"
printf '{"file":"%s","kind":"ans104","id":"%s"}' "$T/assignment.item" "$ASSIGNMENT" > "$T/assignment.json"
# ...and the node computes the slot through them (process@1.0 verifies
# every assignment first).
"$HASHPATH" process result "$PID" --node "$URL" --wallet "$KEY1" --slot "$SLOT" > "$T/result.json"
grep -q '"balance":"0"' "$T/result.json" || { echo "no balance reply from the secp256k1 node"; cat "$T/result.json"; exit 1; }
echo "ok   a secp256k1 node computed slot $SLOT through its type-3 assignments"

entry() { printf '{"file":"%s","kind":"%s","id":"%s"}' "$1" "$2" "$("$HASHPATH" message id "$1")"; }
printf '[%s,%s,%s,%s]\n' "$(entry "$T/rsa.item" ans104)" "$(entry "$T/eth.item" ans104)" \
  "$(entry "$T/rsa.http" httpsig)" "$(cat "$T/assignment.json")" > "$T/manifest.json"

node "$NODE_DIR/verify_signed.mjs" "$T/manifest.json"
