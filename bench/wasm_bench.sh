#!/usr/bin/env bash
# AOS WASM modules on Hashpath's engine (the WABT interpreter with our host:
# tests/interop/wasm_json_runner) against V8 in the same run, on the same
# workload (tests/interop/aos_workload.mjs: boot, Eval, a handler, N Pings):
#   the emscripten build (aos2_0_6.wasm) against @permaweb/ao-loader 0.0.49,
#   the WASI build (aos-2-pure-xs.wasm, from ../shared) against V8 with a WASI shim.
# Prints boot time and Ping messages/s for each, and the ratio. Engine only:
# no node, no log (the node adds its per-message cost, docs/benchmarks.md).
#   bash bench/wasm_bench.sh [build-dir] [N]
set -euo pipefail
BUILD=${1:-build}
N=${2:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${HASHPATH_SHARED_DIR:-$ROOT/../shared}
RUNNER="$BUILD/tests/wasm_json_runner"
NODE_DIR=$("$ROOT/tests/interop/npm_install.sh" "$BUILD")
cp "$ROOT"/tests/interop/{aos_workload,aos_v8_runner}.mjs "$NODE_DIR/"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# The Pings only, after boot and the handler (no edge cases).
node "$NODE_DIR/aos_workload.mjs" "$T" "$N"
head -n $((N + 4)) "$T/messages.jsonl" > "$T/pings.jsonl"

field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p"; }
compare() {  # name format wasm v8-engine peer-name target [v8 memory mode]
  local ours theirs
  ours=$("$RUNNER" "$2" "$3" "$T/env.json" "$T/pings.jsonl" "$T/ours.txt" 2>&1 | grep '^timing')
  theirs=$(node --experimental-wasm-memory64 "$NODE_DIR/aos_v8_runner.mjs" "$4" "$3" "$T/env.json" \
             "$T/pings.jsonl" "$T/theirs.txt" ${7:-} 2>&1 | grep '^timing')
  local o t ob tb
  o=$(echo "$ours" | field msgs_per_s); t=$(echo "$theirs" | field msgs_per_s)
  ob=$(echo "$ours" | field boot_ms); tb=$(echo "$theirs" | field boot_ms)
  printf '%s: hashpath (WABT interpreter) %.1f Pings/s, boot %.0f ms | %s %.0f Pings/s, boot %.0f ms | ratio %.3f (target for the AOT engine >= %s)\n' \
    "$1" "$o" "$ob" "$5" "$t" "$tb" "$(echo "$o / $t" | bc -l)" "$6"
}
EM="$ROOT/.deps/aos-modules/aos2_0_6.wasm"
if [ -f "$EM" ]; then
  compare "emscripten aos2_0_6" emscripten "$EM" ao-loader "ao-loader (V8, fast memory mode)" 3 unsafe
else
  echo "emscripten: skipped: needs .deps/aos-modules/aos2_0_6.wasm (make deps)"
fi
WASI="$SHARED/interop/wasm/aos-2-pure-xs.wasm"
if [ -f "$WASI" ]; then
  compare "wasi aos-2-pure-xs" wasi "$WASI" wasi "V8 WASI" 1.5
else
  echo "wasi: skipped: needs ../shared/interop/wasm/aos-2-pure-xs.wasm"
fi
