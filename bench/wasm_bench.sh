#!/usr/bin/env bash
# AOS WASM modules on Hashpath's engines (AOT, AOT metered, the WABT
# interpreter; our host: tests/interop/wasm_json_runner) against V8 in the same run, on the same
# workload (tests/interop/aos_workload.mjs: boot, Eval, a handler, N Pings):
#   the emscripten build (aos2_0_6.wasm) against @permaweb/ao-loader 0.0.49,
#   the WASI build (aos-2-pure-xs.wasm, from ../shared) against V8 with a WASI shim.
# Prints boot time, Ping messages/s and the ratio to the peer for each, and
# the AOT compile time (once per module, then cached). Engine only:
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
# One run of ours: "engine msgs/s boot_ms load_ms".
ours() {  # engine format wasm [extra runner flags]
  local line
  line=$(HASHPATH_AOT_CACHE="$T/aot-cache" "$RUNNER" --engine "$1" ${4:-} "$2" "$3" "$T/env.json" \
           "$T/pings.jsonl" "$T/ours-$1.txt" 2>&1 | grep '^timing')
  echo "$(echo "$line" | field msgs_per_s) $(echo "$line" | field boot_ms) $(echo "$line" | field load_ms) $(echo "$line" | field rss_kb)"
}
median() { sort -g | sed -n 2p; }  # of three
peer() {  # v8-engine wasm [v8 memory mode]: "msgs/s boot_ms"
  local line
  line=$(node --experimental-wasm-memory64 "$NODE_DIR/aos_v8_runner.mjs" "$1" "$2" "$T/env.json" \
           "$T/pings.jsonl" "$T/theirs.txt" ${3:-} 2>&1 | grep '^timing')
  echo "$(echo "$line" | field msgs_per_s) $(echo "$line" | field boot_ms)"
}
compare() {  # name format wasm v8-engine peer-name target [v8 memory mode]
  rm -rf "$T/aot-cache"
  # The first AOT runs compile the module (their load time is the
  # compile); the runs measured use the cache. Three rounds, interleaved
  # with the peer; medians.
  read -r _ _ compile_ms _ <<< "$(ours aot "$2" "$3")"
  read -r _ _ metered_compile_ms _ <<< "$(ours aot "$2" "$3" "--budget 10000000000")"
  local aots=() metereds=() peers=() boots=() peer_boots=() loads=()
  for round in 1 2 3; do
    read -r a b l rss <<< "$(ours aot "$2" "$3")"; aots+=("$a"); boots+=("$b"); loads+=("$l")
    read -r m _ _ _ <<< "$(ours aot "$2" "$3" "--budget 10000000000")"; metereds+=("$m")
    read -r p pb <<< "$(peer "$4" "$3" "${7:-}")"; peers+=("$p"); peer_boots+=("$pb")
  done
  read -r interp interp_boot _ interp_rss <<< "$(ours interpreter "$2" "$3")"
  cmp -s "$T/ours-aot.txt" "$T/ours-interpreter.txt" || { echo "$1: the engines disagree"; exit 1; }
  local aot metered t tb aot_boot aot_load
  aot=$(printf '%s\n' "${aots[@]}" | median); metered=$(printf '%s\n' "${metereds[@]}" | median)
  t=$(printf '%s\n' "${peers[@]}" | median); tb=$(printf '%s\n' "${peer_boots[@]}" | median)
  aot_boot=$(printf '%s\n' "${boots[@]}" | median); aot_load=$(printf '%s\n' "${loads[@]}" | median)
  printf '%s, %s Pings, medians of 3 (peer: %s %.0f Pings/s [%s], boot %.0f ms):\n' \
    "$1" "$N" "$5" "$t" "${peers[*]}" "$tb"
  printf '  AOT           %8.0f Pings/s [%s]  boot %5.1f ms  ratio %.2f (target >= %s)  load %.1f ms, compile once %.1f s\n' \
    "$aot" "${aots[*]}" "$aot_boot" "$(echo "$aot / $t" | bc -l)" "$6" "$aot_load" "$(echo "$compile_ms / 1000" | bc -l)"
  printf '  AOT, metered  %8.0f Pings/s [%s]  ratio %.2f  (budget 1e10 ticks; compile once %.1f s)\n' \
    "$metered" "${metereds[*]}" "$(echo "$metered / $t" | bc -l)" "$(echo "$metered_compile_ms / 1000" | bc -l)"
  printf '  interpreter   %8.1f Pings/s  boot %5.0f ms  ratio %.3f (one run)\n' \
    "$interp" "$interp_boot" "$(echo "$interp / $t" | bc -l)"
  printf '  RSS of the runner process after the run (one live instance): AOT %.1f MiB, interpreter %.1f MiB\n' \
    "$(echo "$rss / 1024" | bc -l)" "$(echo "$interp_rss / 1024" | bc -l)"
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
