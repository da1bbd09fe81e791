#!/usr/bin/env bash
# A node's checkpoints and a witness's cosignatures, checked by code that is
# not ours: the node's Ed25519 checkpoint signature by Go's
# golang.org/x/mod/sumdb/note (Debian golang-go + golang-golang-x-mod-dev,
# GOPATH mode, offline), the witness's cosignature/v1 by Python's
# cryptography following the C2SP text (verify_cosignature.py).
#   usage: witness_interop_test.sh HASHPATH_BINARY
set -euo pipefail
HP=$1
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
NODE= WITNESS=
trap 'kill $NODE $WITNESS 2>/dev/null || true; rm -rf "$T"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 1 150); do curl -sf "$1/~meta@1.0/info/address" >/dev/null && return 0; sleep 0.2; done; echo "no node at $1"; exit 1; }
A_PORT=$(port) W_PORT=$(port)
A="http://127.0.0.1:$A_PORT" W="http://127.0.0.1:$W_PORT"

# The node once alone, for its checkpoint key (the wallet's binding names it).
SPDLOG_LEVEL=warn "$HP" serve --port "$A_PORT" --data "$T/a" > "$T/a.log" 2>&1 & NODE=$!
wait_up "$A"
curl -sf "$A/~log@1.0/checkpoint-key" -D "$T/key.headers" -o /dev/null
A_VKEY=$(grep -i '^vkey:' "$T/key.headers" | cut -d' ' -f2 | tr -d '\r')
kill $NODE; wait $NODE || true

# The witness, trusting that key; then the node with it as its witness.
printf '{"witness-name": "witness.interop/w", "witness-logs": [{"vkey": "%s"}]}' "$A_VKEY" > "$T/w.json"
SPDLOG_LEVEL=warn "$HP" serve --port "$W_PORT" --data "$T/w" --config "$T/w.json" > "$T/w.log" 2>&1 & WITNESS=$!
wait_up "$W"
W_VKEY=$(curl -sf "$W/~witness@1.0/vkey" | head -1)
printf '{"log-witnesses": [{"url": "%s/~witness@1.0", "vkey": "%s"}], "log-witness-quorum": 1}' "$W" "$W_VKEY" > "$T/a.json"
SPDLOG_LEVEL=warn "$HP" serve --port "$A_PORT" --data "$T/a" --config "$T/a.json" > "$T/a.log" 2>&1 & NODE=$!
wait_up "$A"
curl -sf "$A/~message@1.0&x=1/x" >/dev/null
SIZE=$(curl -sf -X POST "$A/~log@1.0/checkpoint" -D - -o /dev/null | grep -i '^size:' | cut -d' ' -f2 | tr -d '\r')
for _ in $(seq 1 100); do
  if curl -sf "$A/~log@1.0/checkpoint?cosigned=quorum" -o "$T/cosigned.note" &&
     [ "$(sed -n 2p "$T/cosigned.note")" = "$SIZE" ]; then break; fi
  sleep 0.2
done
[ "$(sed -n 2p "$T/cosigned.note")" = "$SIZE" ] || { echo "no cosigned checkpoint of size $SIZE"; cat "$T/a.log"; exit 1; }

echo "$A_VKEY" > "$T/a.vkey"
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE="$T/gocache" GOPROXY=off
go run "$HERE/go/verify_note.go" "$T/a.vkey" "$T/cosigned.note"
python3 "$HERE/verify_cosignature.py" "$W_VKEY" "$T/cosigned.note"

# Both refuse an altered note: the root's first character changed (to X,
# or to Y when it already is X: a root starting with X made this a no-op).
sed '3{s/^X/Y/;t;s/^./X/}' "$T/cosigned.note" > "$T/altered.note"
cmp -s "$T/cosigned.note" "$T/altered.note" && { echo "the alteration changed nothing"; exit 1; }
if go run "$HERE/go/verify_note.go" "$T/a.vkey" "$T/altered.note" 2>/dev/null; then
  echo "Go accepted an altered checkpoint"; exit 1; fi
if python3 "$HERE/verify_cosignature.py" "$W_VKEY" "$T/altered.note" 2>/dev/null; then
  echo "Python accepted an altered cosignature"; exit 1; fi
echo "witness interop: ok"
