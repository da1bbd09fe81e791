#!/usr/bin/env bash
# Differential test of the WASM engines (docs/wasm.md §7): the same AOS
# workload (tests/interop/aos_workload.mjs: boot, Eval, a handler, Pings,
# edge cases) through Hashpath's engine and host (wasm_json_runner) and
# through V8 — the emscripten build under @permaweb/ao-loader, the WASI build
# under our WASI shim — must give identical results, on both of Hashpath's
# engines (the interpreter and AOT), metered (a budget) or not.
#   usage: aos_differential_test.sh RUNNER SHARED_DIR DEPS_DIR WORK_DIR [PINGS]
# Exits 77 (skipped) when neither module is there.
set -euo pipefail
RUNNER=$1
SHARED=$2
DEPS=$3
WORK=$4
PINGS=${5:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
NODE_DIR=$("$HERE/npm_install.sh" "$WORK")
cp "$HERE/aos_workload.mjs" "$HERE/aos_v8_runner.mjs" "$HERE/aos_compare.mjs" "$NODE_DIR/"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
node "$NODE_DIR/aos_workload.mjs" "$T" "$PINGS"
ran=0

EMSCRIPTEN="$DEPS/aos-modules/aos2_0_6.wasm"
if [ -f "$EMSCRIPTEN" ]; then
  node --experimental-wasm-memory64 "$NODE_DIR/aos_v8_runner.mjs" ao-loader "$EMSCRIPTEN" \
    "$T/env.json" "$T/messages.jsonl" "$T/v8-emscripten.txt"
  for engine in interpreter aot; do
    "$RUNNER" --engine $engine emscripten "$EMSCRIPTEN" "$T/env.json" "$T/messages.jsonl" \
      "$T/hashpath-emscripten-$engine.txt"
    echo "emscripten build, $engine engine:"
    node "$NODE_DIR/aos_compare.mjs" fields "$T/hashpath-emscripten-$engine.txt" "$T/v8-emscripten.txt"
  done
  "$RUNNER" --engine aot --budget 10000000000 emscripten "$EMSCRIPTEN" "$T/env.json" \
    "$T/messages.jsonl" "$T/hashpath-emscripten-metered.txt"
  cmp "$T/hashpath-emscripten-metered.txt" "$T/hashpath-emscripten-aot.txt"
  ran=1
else
  echo "skipped: needs .deps/aos-modules/aos2_0_6.wasm (make deps fetches it from npm)"
fi

WASI="$SHARED/interop/wasm/aos-2-pure-xs.wasm"
if [ -f "$WASI" ]; then
  node --experimental-wasm-memory64 "$NODE_DIR/aos_v8_runner.mjs" wasi "$WASI" \
    "$T/env.json" "$T/messages.jsonl" "$T/v8-wasi.txt"
  for engine in interpreter aot; do
    "$RUNNER" --engine $engine wasi "$WASI" "$T/env.json" "$T/messages.jsonl" \
      "$T/hashpath-wasi-$engine.txt"
    echo "WASI build, $engine engine:"
    node "$NODE_DIR/aos_compare.mjs" raw "$T/hashpath-wasi-$engine.txt" "$T/v8-wasi.txt"
  done
  "$RUNNER" --engine aot --budget 10000000000 wasi "$WASI" "$T/env.json" "$T/messages.jsonl" \
    "$T/hashpath-wasi-metered.txt"
  cmp "$T/hashpath-wasi-metered.txt" "$T/hashpath-wasi-aot.txt"
  ran=1
else
  echo "skipped: needs ../shared/interop/wasm/aos-2-pure-xs.wasm (BSL-licensed, not in the repository)"
fi
[ "$ran" = 1 ] || exit 77
