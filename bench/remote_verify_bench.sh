#!/usr/bin/env bash
# Remote verification rate: `hashpath verify --node` fetching, hashing and
# re-executing a node's log over loopback HTTP, against the rate the same
# node produced that log under wrk, in the same run; then one incremental
# run over 1,000 new entries once the log has LOG_SIZE entries (default
# 1,000,000): its time, requests and bytes fetched.
# usage: bench/remote_verify_bench.sh [BUILD_DIR]   (DURATION=5s: how long wrk produces entries;
#        LOG_SIZE=1000000)
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

# Grow the log to LOG_SIZE entries and let the verifier catch up.
LOG_SIZE=${LOG_SIZE:-1000000}
current=$(size)
if [ "$current" -lt "$LOG_SIZE" ]; then
  grow_s=$(printf "%.0f" "$(echo "($LOG_SIZE - $current) / $produce_rate * 1.15 + 1" | bc -l)")
  wrk -t"$THREADS" -c16 -d"${grow_s}s" "$URL/~message@1.0&greeting=hello/greeting" > /dev/null
fi
grown=$(size)
start=$(now)
"$BUILD/hashpath" verify --node "$URL" --data "$T/verifier" --quiet > "$T/verify-grown.out"
catchup_s=$(echo "$(now) - $start" | bc -l)

# Incremental: 1,000 new entries on a log of LOG_SIZE or more.
base=$(size)
for i in $(seq 1 1000); do curl -sf -o /dev/null "$URL/~message@1.0&n+integer=$i/n"; done
new_total=$(size)
start=$(now)
"$BUILD/hashpath" verify --node "$URL" --data "$T/verifier" --quiet > "$T/verify2.out"
incr_s=$(echo "$(now) - $start" | bc -l)
new_entries=$(sed -n 's/.*: \([0-9]*\) new entries fetched.*/\1/p' "$T/verify2.out")
requests=$(sed -n 's/.*(\([0-9]*\) requests, \([0-9]*\) bytes).*/\1/p' "$T/verify2.out")
bytes=$(sed -n 's/.*(\([0-9]*\) requests, \([0-9]*\) bytes).*/\2/p' "$T/verify2.out")

printf '%-58s %12s %12s %7s\n' "case (same run)" "hashpath" "peer" "ratio"
printf '%-58s %10.0f/s %10.0f/s %7.3f\n' "verify --node, $total entries (fetch + hash + re-execute)" \
  "$verify_rate" "$produce_rate" "$(echo "$verify_rate / $produce_rate" | bc -l)"
printf '  peer: the rate the node produced them (wrk -c16 -d%s, %d entries)\n' "$DURATION" "$produced"
printf '%-58s %10.3f s  (%d entries, %.0f entries/s)\n' "catch-up verify to size $grown" \
  "$catchup_s" "$(( grown - total ))" "$(echo "($grown - $total) / $catchup_s" | bc -l)"
printf '%-58s %10.3f s  (%s new entries on %s: %s requests, %s bytes, %.0f bytes/entry)\n' \
  "incremental verify after size $base" "$incr_s" "$new_entries" "$new_total" "$requests" "$bytes" \
  "$(echo "$bytes / $new_entries" | bc -l)"
