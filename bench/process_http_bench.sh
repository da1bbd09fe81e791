#!/usr/bin/env bash
# Patched-state reads over HTTP: GETs of a token process's state (the
# balances patch@1.0 exposes) against a minimal Boost.Beast server
# (bench/hello_server.cc) with the same wrk settings, in the same run.
# Every GET is a logged resolution (process@1.0 now/compute, then key reads).
# usage: bench/process_http_bench.sh [BUILD_DIR]   (DURATION=5s by default)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)

source "$SRC/bench/bench_lib.sh" "$@"
NODE_PORT=$(free_port)
HELLO_PORT=$(free_port)
SPDLOG_LEVEL=warn "$BUILD/hashpath" serve --port "$NODE_PORT" --data "$T/data" --threads "$THREADS" > "$T/node.log" 2>&1 &
PIDS+=($!)
"$BUILD/bench/hello_server" "$HELLO_PORT" "$THREADS" &
PIDS+=($!)
URL="http://127.0.0.1:$NODE_PORT"
wait_for "$URL/~meta@1.0/info/address"

CLIENT=(--node "$URL" --wallet "$T/data/wallet.json")
PID=$("$BUILD/hashpath" process spawn --module "$SRC/fixtures/processes/token.lua" "${CLIENT[@]}")
"$BUILD/hashpath" process send "$PID" --tag Action=Mint --tag Quantity=5 "${CLIENT[@]}" > /dev/null
[ "$(curl -sf "$URL/$PID~process@1.0/now/total-supply")" = "1005" ] || { echo "the token process did not run"; exit 1; }

printf '%-48s %12s %12s %7s\n' "case (wrk -d$DURATION, same run)" "hashpath" "beast hello" "ratio"
for c in 1 16; do
  for case in "now/balances/<pid> (latest slot)|/$PID~process@1.0/now/balances/$PID" \
              "compute/total-supply (latest stored)|/$PID~process@1.0/compute/total-supply"; do
    name=${case%%|*}
    path=${case#*|}
    node=$(rps "$c" "$URL$path")
    hello=$(rps "$c" "http://127.0.0.1:$HELLO_PORT/")
    printf '%-48s %12.0f %12.0f %7.3f\n' "$name, $c conn" "$node" "$hello" "$(echo "$node / $hello" | bc -l)"
  done
done
