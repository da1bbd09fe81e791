#!/usr/bin/env bash
# HTTP throughput: the node against a minimal Boost.Beast server
# (bench/hello_server.cc) with the same wrk settings, in the same run.
# Cases: GET /~meta@1.0/info/address and a stored-message key read
# (GET /<id>/<key>), each with 1 and 16 connections; the log's cost (the
# same node with the log off); the bytes each logged request stores.
# usage: bench/http_bench.sh [BUILD_DIR]   (DURATION=5s by default)
set -euo pipefail

source "$(dirname "$0")/bench_lib.sh"
NODE_PORT=$(free_port)
HELLO_PORT=$(free_port)

"$BUILD/hashpath" serve --port "$NODE_PORT" --data "$T/data" --threads "$THREADS" > "$T/node.log" 2>&1 &
PIDS+=($!)
"$BUILD/bench/hello_server" "$HELLO_PORT" "$THREADS" &
PIDS+=($!)
# The same node with the hashpath log off, for the log's overhead (and, like
# the node above, its access log on: the two differ only in the log).
NOLOG_PORT=$(free_port)
printf 'log: false\n' > "$T/nolog.flat"
"$BUILD/hashpath" serve --port "$NOLOG_PORT" --data "$T/nolog" --config "$T/nolog.flat" \
  --threads "$THREADS" > "$T/nolog.log" 2>&1 &
PIDS+=($!)
for port in "$NODE_PORT" "$NOLOG_PORT"; do wait_for "http://127.0.0.1:$port/~meta@1.0/info/address"; done

# Store a signed message through the node, to read one of its keys back.
echo '{"greeting":"hello from the store","count":7}' > "$T/m.json"
"$BUILD/hashpath" message sign "$T/m.json" --wallet "$T/data/wallet.json" --codec httpsig -o "$T/m.http"
ID=$("$BUILD/hashpath" message id "$T/m.http")
HEADERS=()
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  [ -z "$line" ] && break
  HEADERS+=(-H "$line")
done < "$T/m.http"
curl -sf -X POST "${HEADERS[@]}" "http://127.0.0.1:$NODE_PORT/~meta@1.0/build/node" >/dev/null
[ "$(curl -sf "http://127.0.0.1:$NODE_PORT/$ID/greeting")" = "hello from the store" ] || { echo "stored read failed"; exit 1; }


printf '%-44s %12s %12s %7s\n' "case (wrk -d$DURATION, same run)" "hashpath" "beast hello" "ratio"
for c in 1 16; do
  for case in "meta info/address|/~meta@1.0/info/address" "stored-message key read|/$ID/greeting"; do
    name=${case%%|*}
    path=${case#*|}
    node=$(rps "$c" "http://127.0.0.1:$NODE_PORT$path")
    hello=$(rps "$c" "http://127.0.0.1:$HELLO_PORT/")
    printf '%-44s %12.0f %12.0f %7.3f\n' "$name, $c connection(s)" "$node" "$hello" "$(echo "$node / $hello" | bc -l)"
  done
done

printf '\n%-44s %12s %12s %7s\n' "the hashpath log's cost (same run)" "log on" "log off" "ratio"
for c in 1 16; do
  on=$(rps "$c" "http://127.0.0.1:$NODE_PORT/~meta@1.0/info/address")
  off=$(rps "$c" "http://127.0.0.1:$NOLOG_PORT/~meta@1.0/info/address")
  printf '%-44s %12.0f %12.0f %7.3f\n' "meta info/address, $c connection(s)" "$on" "$off" "$(echo "$on / $off" | bc -l)"
done

# What a logged request leaves on disk: the node's data directory before and
# after a run of key reads (log + store, SQLite pages in use; entries not yet
# indexed are counted in the journal).
printf '\n%-44s %12s %12s\n' "bytes stored per request (log on)" "requests" "bytes/req"
for case in "stored-message key read|/$ID/greeting" "meta info/address|/~meta@1.0/info/address"; do
  name=${case%%|*}
  path=${case#*|}
  before=$(stored_bytes "$T/data")
  n=$(requests 1 "http://127.0.0.1:$NODE_PORT$path")
  curl -sf -X POST "http://127.0.0.1:$NODE_PORT/~log@1.0/checkpoint" >/dev/null  # indexes what is pending
  after=$(stored_bytes "$T/data")
  printf '%-44s %12d %12.0f\n' "$name, 1 connection" "$n" "$(echo "($after - $before) / $n" | bc -l)"
done
