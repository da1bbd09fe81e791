#!/usr/bin/env bash
# End-to-end messages over HTTP: signed Pings POSTed to
# /<pid>~process@1.0/push (scheduled, computed, answered), from 1 and 16
# connections (bench/push_driver.cc), beside what bounds them: the node's
# assignment signatures per second, same run; once with an RSA-4096 node
# wallet and once with a secp256k1 one.
# usage: bench/push_bench.sh [BUILD_DIR]   (N=2000 messages per case)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
source "$SRC/bench/bench_lib.sh" "$@"
N=${N:-2000}
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
# The same Ping process on two nodes: one with an RSA-4096 wallet (the
# default; httpsig assignments) and one with a secp256k1 wallet (ANS-104
# type-3 assignments, docs/devices.md §2).
cat > "$T/ping.lua" <<'LUA'
Handlers.add('ping', Handlers.utils.hasMatchingTag('Action', 'Ping'), function(msg)
  Count = (Count or 0) + 1
  msg.reply({ Data = 'pong ' .. Count })
end)
LUA
"$BUILD/hashpath" wallet new --type secp256k1 -o "$T/eth.json" >/dev/null
for kind in rsa secp256k1; do
  PORT=$(free_port)
  URL="http://127.0.0.1:$PORT"
  WALLET=$T/$kind/wallet.json
  mkdir -p "$T/$kind"
  [ "$kind" = secp256k1 ] && cp "$T/eth.json" "$WALLET"
  SPDLOG_LEVEL=warn "$BUILD/hashpath" serve --port "$PORT" --data "$T/$kind" --threads "$THREADS" \
    > "$T/$kind.log" 2>&1 &
  PIDS+=($!)
  wait_for "$URL/~meta@1.0/info/address"
  PID=$("$BUILD/hashpath" process spawn --module "$T/ping.lua" --node "$URL" --wallet "$SRC/tests/data/wallets/test-rsa-1.json")
  for c in 1 16; do
    "$BUILD/bench/push_driver" "$URL" "$PID" "$N" "$c" "$SRC/tests/data/wallets/test-rsa-2.json" "$WALLET" |
      tee "$T/$kind-$c.out"
  done
done
rate() { awk '/messages\/s/ {print $(NF-5)}' "$T/$1.out"; }
for c in 1 16; do
  printf 'secp256k1 node vs RSA-4096 node, %s connection(s): %s vs %s messages/s, ratio %.2f\n' \
    "$c" "$(rate "secp256k1-$c")" "$(rate "rsa-$c")" "$(echo "$(rate "secp256k1-$c") / $(rate "rsa-$c")" | bc -l)"
done
