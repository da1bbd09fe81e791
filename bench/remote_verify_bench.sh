#!/usr/bin/env bash
# Remote verification rate: `hashpath verify --node` fetching, hashing and
# re-executing a node's log over loopback HTTP, against the rate the same
# node produced that log under wrk, in the same run; then one incremental
# run over 1,000 new entries.
# usage: bench/remote_verify_bench.sh [BUILD_DIR]   (DURATION=5s: how long wrk produces entries)
set -euo pipefail

source "$(dirname "$0")/bench_lib.sh"
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
printf 'log-checkpoint-interval: 0\n' > "$T/node.flat"   # checkpoints when asked
SPDLOG_LEVEL=warn "$BUILD/hashpath" serve --port "$PORT" --data "$T/node" --config "$T/node.flat" \
  --threads "$THREADS" > "$T/node.log" 2>&1 &
PIDS+=($!)
wait_for "$URL/~meta@1.0/info/address"
size() { curl -sf -X POST -D - -o /dev/null "$URL/~log@1.0/checkpoint" | tr -d '\r' | awk '/^size:/ {print $2}'; }
now() { date +%s.%N; }

# Produce: 16 connections of message@1.0 key reads (one logged, re-executable step each).
before=$(size)
start=$(now)
wrk -t"$THREADS" -c16 -d"$DURATION" "$URL/~message@1.0&greeting=hello/greeting" > /dev/null
produced_s=$(echo "$(now) - $start" | bc -l)
total=$(size)
produced=$(( total - before ))
produce_rate=$(echo "$produced / $produced_s" | bc -l)

# Verify all of it from a fresh verifier directory.
start=$(now)
"$BUILD/hashpath" verify --node "$URL" --data "$T/verifier" --quiet > "$T/verify.out"
verify_s=$(echo "$(now) - $start" | bc -l)
grep -q "up to size $total " "$T/verify.out" || { cat "$T/verify.out"; echo "verify did not reach $total"; exit 1; }
verify_rate=$(echo "$total / $verify_s" | bc -l)

# Incremental: 1,000 new entries.
for _ in $(seq 1 10); do
  wrk -t1 -c1 -d100ms "$URL/~message@1.0&greeting=hello/greeting" > /dev/null 2>&1 || true
done
base=$(size)
for i in $(seq 1 1000); do curl -sf -o /dev/null "$URL/~message@1.0&n+integer=$i/n"; done
new_total=$(size)
start=$(now)
"$BUILD/hashpath" verify --node "$URL" --data "$T/verifier" --quiet > "$T/verify2.out"
incr_s=$(echo "$(now) - $start" | bc -l)
new_entries=$(sed -n 's/.*: \([0-9]*\) new entries fetched.*/\1/p' "$T/verify2.out")

printf '%-58s %12s %12s %7s\n' "case (same run)" "hashpath" "peer" "ratio"
printf '%-58s %10.0f/s %10.0f/s %7.3f\n' "verify --node, $total entries (fetch + hash + re-execute)" \
  "$verify_rate" "$produce_rate" "$(echo "$verify_rate / $produce_rate" | bc -l)"
printf '  peer: the rate the node produced them (wrk -c16 -d%s, %d entries)\n' "$DURATION" "$produced"
printf '%-58s %10.3f s  (%s new entries on %s, %.0f entries/s)\n' "incremental verify of the entries after size $base" \
  "$incr_s" "$new_entries" "$new_total" "$(echo "$new_entries / $incr_s" | bc -l)"
