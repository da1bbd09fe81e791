#!/usr/bin/env bash
# Prepares WABT for the build: Debian's wabt source package (1.0.32 on
# bookworm, with Debian's own patch), then our three patches (README.md).
#   usage: third_party/wabt/prepare.sh DEST_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
exec bash "$HERE/../debian_source.sh" wabt "$1" "$HERE/try-handler-locals.patch" \
  "$HERE/cxx20-destructors.patch" "$HERE/hardware-nans.patch"
