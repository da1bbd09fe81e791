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
ours=$("$BUILD/bench/aos_bench" "$N" | tee /dev/stderr | awk '/^aos-bench messages\/s/ {print $3}')
peer=$(node --experimental-wasm-memory64 "$SHARED/interop/clients/aos-eval.mjs" \
         --engine wasi-direct --wasm "$SHARED/interop/wasm/aos-2-pure-xs.wasm" -n "$N" 2>&1 |
       tee /dev/stderr | sed -n 's/.*-> \([0-9.]*\) msgs\/s.*/\1/p')
[ -n "$ours" ] && [ -n "$peer" ] || { echo "a run failed" >&2; exit 1; }
printf 'AOS handler messages/s: hashpath %.0f, AOS WASM under Node/V8 %.0f, ratio %.2f (target >= 5)\n' \
  "$ours" "$peer" "$(echo "$ours / $peer" | bc -l)"
