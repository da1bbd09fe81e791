#!/usr/bin/env bash
# aoconnect (tests/interop/aoconnect_wasm.mjs) against a real node running
# the AO network's AOS module: stored with `hashpath module put`, spawned and
# driven by the client as AO developers do.
#   usage: aoconnect_wasm_test.sh HASHPATH DEPS_DIR WORK_DIR
# Exits 77 (skipped) without the module (`make deps` fetches it).
set -euo pipefail
HASHPATH=$1
DEPS=$2
WORK=$3
HERE=$(cd "$(dirname "$0")" && pwd)
MODULE="$DEPS/aos-modules/aos2_0_6.wasm"
if [ ! -f "$MODULE" ]; then
  echo "skipped: needs .deps/aos-modules/aos2_0_6.wasm (make deps fetches it from npm)"
  exit 77
fi
NODE_DIR=$("$HERE/npm_install.sh" "$WORK")
cp "$HERE/aoconnect_wasm.mjs" "$NODE_DIR/"
T=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
URL="http://127.0.0.1:$PORT"
SPDLOG_LEVEL=warn "$HASHPATH" serve --port "$PORT" --data "$T/node" > "$T/node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 1 150); do curl -sf "$URL/~meta@1.0/info/address" >/dev/null && break; sleep 0.2; done
WALLET="$HERE/../data/wallets/test-rsa-1.json"
MODULE_ID=$("$HASHPATH" module put "$MODULE" --content-type application/wasm \
  --tag Module-Format=wasm64-unknown-emscripten-draft_2024_02_15 --tag Memory-Limit=1-gb \
  --node "$URL" --wallet "$WALLET")
echo "module $MODULE_ID"
node "$NODE_DIR/aoconnect_wasm.mjs" "$URL" "$WALLET" "$MODULE_ID" || { tail -20 "$T/node.log"; exit 1; }
