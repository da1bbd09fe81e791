#!/usr/bin/env bash
# Runs each fuzz target for a bounded time with its seed corpus.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
BUILD=$1
SECONDS_EACH=${2:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
TARGETS=${FUZZ_TARGETS:-"structured_fields_fuzz message_codecs_fuzz ans104_fuzz http_message_fuzz hyperpath_fuzz log_formats_fuzz aos_json_fuzz json_request_fuzz store_record_fuzz log_journal_fuzz log_paths_fuzz witness_fuzz snp_fuzz wasm_module_fuzz"}
for t in $TARGETS; do
  corpus="$BUILD/fuzz-corpus/$t"
  mkdir -p "$corpus"
  cp -n "$HERE/corpus/$t"/* "$corpus/" 2>/dev/null || true
  maxlen=4096
  [ "$t" = json_request_fuzz ] && maxlen=8192  # a signed assignment's JSON is ~4.5 KB
  [ "$t" = snp_fuzz ] && maxlen=16384          # an attestation message's JSON is ~14 KB
  echo "== $t (${SECONDS_EACH}s)"
  "$BUILD/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -max_len=$maxlen -artifact_prefix="$BUILD/" "$corpus"
done
