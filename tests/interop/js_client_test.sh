#!/usr/bin/env bash
# The real JavaScript AO clients against a real node, as AO developers use
# it: a module stored with `hashpath module put`, then spawned and driven by
# the client.
#   usage: js_client_test.sh wasm|lua|hbsig HASHPATH DEPS_DIR WORK_DIR
#   wasm  tests/interop/aoconnect_wasm.mjs on the AO network's AOS module
#         (exits 77, skipped, without it: `make deps` fetches it)
#   lua   tests/interop/aoconnect_lua.mjs on fixtures/processes/token.lua,
#         spawned with execution-device: lua@5.3a
#   hbsig tests/interop/hbsig_client.mjs: hbsig's httpsig messages verify on
#         the node and the node's signed assignments verify in hbsig
set -euo pipefail
MODE=$1
HASHPATH=$2
DEPS=$3
WORK=$4
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$MODE" = wasm ]; then
  MODULE="$DEPS/aos-modules/aos2_0_6.wasm"
  if [ ! -f "$MODULE" ]; then
    echo "skipped: needs .deps/aos-modules/aos2_0_6.wasm (make deps fetches it from npm)"
    exit 77
  fi
  PUT=(--content-type application/wasm
       --tag Module-Format=wasm64-unknown-emscripten-draft_2024_02_15 --tag Memory-Limit=1-gb)
else
  MODULE="$HERE/../../fixtures/processes/token.lua"
  PUT=(--content-type application/lua)
fi
NODE_DIR=$("$HERE/npm_install.sh" "$WORK")
SCRIPT=$([ "$MODE" = hbsig ] && echo hbsig_client.mjs || echo "aoconnect_$MODE.mjs")
cp "$HERE/$SCRIPT" "$HERE/client_checks.mjs" "$NODE_DIR/"
T=$(mktemp -d)
NODE=
trap 'kill $NODE 2>/dev/null || true; rm -rf "$T"' EXIT
source "$HERE/start_node.sh"
start_node "$HASHPATH" "$T/node.log" --data "$T/node"
WALLET="$HERE/../data/wallets/test-rsa-1.json"
MODULE_ID=$("$HASHPATH" module put "$MODULE" "${PUT[@]}" --node "$URL" --wallet "$WALLET")
echo "module $MODULE_ID"
node "$NODE_DIR/$SCRIPT" "$URL" "$WALLET" "$MODULE_ID" || { tail -20 "$T/node.log"; exit 1; }
