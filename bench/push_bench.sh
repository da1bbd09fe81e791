#!/usr/bin/env bash
# End-to-end messages over HTTP: signed Pings POSTed to
# /<pid>~process@1.0/push (scheduled, computed, answered), from 1 and 16
# connections (bench/push_driver.cc), beside what bounds them: the node's
# RSA-4096 assignment signatures per second, same run.
# usage: bench/push_bench.sh [BUILD_DIR]   (N=2000 messages per case)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
source "$SRC/bench/bench_lib.sh" "$@"
N=${N:-2000}
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
SPDLOG_LEVEL=warn "$BUILD/hashpath" serve --port "$PORT" --data "$T/data" --threads "$THREADS" > "$T/node.log" 2>&1 &
PIDS+=($!)
wait_for "$URL/~meta@1.0/info/address"
cat > "$T/ping.lua" <<'LUA'
Handlers.add('ping', Handlers.utils.hasMatchingTag('Action', 'Ping'), function(msg)
  Count = (Count or 0) + 1
  msg.reply({ Data = 'pong ' .. Count })
end)
LUA
PID=$("$BUILD/hashpath" process spawn --module "$T/ping.lua" --node "$URL" --wallet "$T/data/wallet.json")
for c in 1 16; do
  "$BUILD/bench/push_driver" "$URL" "$PID" "$N" "$c" "$SRC/tests/data/wallets/test-rsa-2.json"
done
