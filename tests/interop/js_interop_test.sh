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

NODE_DIR="$WORK/interop-node"
mkdir -p "$NODE_DIR"
cp "$HERE/npm/package.json" "$HERE/npm/package-lock.json" "$NODE_DIR/"
if [ ! -f "$NODE_DIR/node_modules/.hashpath-installed" ] || \
   ! cmp -s "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.hashpath-lock"; then
  (cd "$NODE_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.hashpath-lock"
  touch "$NODE_DIR/node_modules/.hashpath-installed"
fi
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

entry() { printf '{"file":"%s","kind":"%s","id":"%s"}' "$1" "$2" "$("$HASHPATH" message id "$1")"; }
printf '[%s,%s,%s]\n' "$(entry "$T/rsa.item" ans104)" "$(entry "$T/eth.item" ans104)" \
  "$(entry "$T/rsa.http" httpsig)" > "$T/manifest.json"

node "$NODE_DIR/verify_signed.mjs" "$T/manifest.json"
