#!/usr/bin/env bash
# Prepares Lua 5.3 for the build: Debian's lua5.3 source package (with
# Debian's own patches), then our deterministic.patch and
# tracked-tables.patch (README.md).
#   usage: third_party/lua5.3/prepare.sh DEST_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
exec bash "$HERE/../debian_source.sh" lua5.3 "$1" "$HERE/deterministic.patch" "$HERE/tracked-tables.patch"
