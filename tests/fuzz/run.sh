#!/usr/bin/env bash
# Runs each fuzz target for a bounded time with its seed corpus.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
BUILD=$1
SECONDS_EACH=${2:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
for t in structured_fields_fuzz message_codecs_fuzz ans104_fuzz http_message_fuzz hyperpath_fuzz log_formats_fuzz aos_json_fuzz; do
  corpus="$BUILD/fuzz-corpus/$t"
  mkdir -p "$corpus"
  cp -n "$HERE/corpus/$t"/* "$corpus/" 2>/dev/null || true
  echo "== $t (${SECONDS_EACH}s)"
  "$BUILD/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -max_len=4096 -artifact_prefix="$BUILD/" "$corpus"
done
