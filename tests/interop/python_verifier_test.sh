#!/usr/bin/env bash
# Starts a node, makes a few requests, and lets the standard-library Python
# verifier (tests/interop/log_verifier.py) check a checkpoint, an entry and
# its inclusion proof over HTTP; then checks that a wrong root is refused.
#   usage: python_verifier_test.sh HASHPATH_BINARY
set -euo pipefail
HP=$1
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
NODE=
trap 'kill $NODE 2>/dev/null || true; rm -rf "$T"' EXIT
source "$HERE/start_node.sh"
start_node "$HP" "$T/node.log" --data "$T/data"
curl -sf "$URL/~message@1.0&a=1/a" >/dev/null
curl -sf "$URL/~meta@1.0/info" >/dev/null
curl -sf -X POST "$URL/~log@1.0/checkpoint" >/dev/null
for seq in 0 1 2 3; do python3 "$HERE/log_verifier.py" "$URL" "$seq"; done
# The verifier must fail on an entry the checkpoint does not cover.
if python3 "$HERE/log_verifier.py" "$URL" 100000 2>/dev/null; then
  echo "the verifier accepted an entry outside the checkpoint"; exit 1
fi
echo "python verifier: ok"
