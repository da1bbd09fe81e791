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

# One module format: V8's results, then each engine's and a metered run's.
differential() {  # format wasm v8-engine comparison
  node --experimental-wasm-memory64 "$NODE_DIR/aos_v8_runner.mjs" "$3" "$2" \
    "$T/env.json" "$T/messages.jsonl" "$T/v8-$1.txt"
  for engine in interpreter aot; do
    "$RUNNER" --engine $engine "$1" "$2" "$T/env.json" "$T/messages.jsonl" "$T/hashpath-$1-$engine.txt"
    echo "$1 build, $engine engine:"
    node "$NODE_DIR/aos_compare.mjs" "$4" "$T/hashpath-$1-$engine.txt" "$T/v8-$1.txt"
  done
  "$RUNNER" --engine aot --budget 10000000000 "$1" "$2" "$T/env.json" "$T/messages.jsonl" \
    "$T/hashpath-$1-metered.txt"
  cmp "$T/hashpath-$1-metered.txt" "$T/hashpath-$1-aot.txt"
  ran=1
}

EMSCRIPTEN="$DEPS/aos-modules/aos2_0_6.wasm"
if [ -f "$EMSCRIPTEN" ]; then
  differential emscripten "$EMSCRIPTEN" ao-loader fields
else
  echo "skipped: needs .deps/aos-modules/aos2_0_6.wasm (make deps fetches it from npm)"
fi

WASI="$SHARED/interop/wasm/aos-2-pure-xs.wasm"
if [ -f "$WASI" ]; then
  differential wasi "$WASI" wasi raw
else
  echo "skipped: needs ../shared/interop/wasm/aos-2-pure-xs.wasm (BSL-licensed, not in the repository)"
fi
[ "$ran" = 1 ] || exit 77
