#!/usr/bin/env bash
# Runs every benchmark program of the Release build. Each prints its figures
# and, from the same run, the comparison with its peer as a ratio.
set -euo pipefail
BUILD=${BUILD:-build}
for b in codec_bench wire_bench resolve_bench log_bench witness_bench snp_bench; do
  echo "== $b"
  "$BUILD/bench/$b" --benchmark_min_time=0.5 "$@"
done
