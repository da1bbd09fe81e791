#!/usr/bin/env bash
# AOS handler messages/s: Hashpath's Lua runtime (build/bench/aos_bench,
# every message computed through process@1.0 and logged) against the AOS
# WASM module (HyperBEAM's aos-2-pure-xs.wasm) under Node/V8, driven by
# shared/interop/clients/aos-eval.mjs with the same flow, in the same run.
#   bash bench/aos_bench.sh [build-dir] [N]
set -euo pipefail
BUILD=${1:-build}
N=${2:-1000}
SHARED=${HASHPATH_SHARED_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
# (Each run's output is shown as it is, then parsed. Not `tee /dev/stderr`:
# reopening /dev/stderr truncates it when it is a file.)
ours_out=$("$BUILD/bench/aos_bench" "$N")
echo "$ours_out"
ours=$(echo "$ours_out" | awk '/^aos-bench messages\/s/ {print $3}')
WASM="$SHARED/interop/wasm/aos-2-pure-xs.wasm"
if [ ! -f "$WASM" ] || [ ! -f "$SHARED/interop/clients/aos-eval.mjs" ]; then
  # HyperBEAM's AOS module is BSL-licensed: it is never in the repository.
  echo "peer skipped: needs ../shared/interop/wasm/aos-2-pure-xs.wasm and ../shared/interop/clients/aos-eval.mjs"
  printf 'AOS handler messages/s: hashpath %.0f (no peer in this run)\n' "$ours"
  exit 0
fi
peer_out=$(node --experimental-wasm-memory64 "$SHARED/interop/clients/aos-eval.mjs" \
             --engine wasi-direct --wasm "$WASM" -n "$N" 2>&1)
echo "$peer_out"
peer=$(echo "$peer_out" | sed -n 's/.*-> \([0-9.]*\) msgs\/s.*/\1/p')
[ -n "$ours" ] && [ -n "$peer" ] || { echo "a run failed" >&2; exit 1; }
printf 'AOS handler messages/s: hashpath %.0f, AOS WASM under Node/V8 %.0f, ratio %.2f (target >= 5)\n' \
  "$ours" "$peer" "$(echo "$ours / $peer" | bc -l)"
