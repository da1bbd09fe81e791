#!/usr/bin/env bash
# Installs the pinned third-party JavaScript clients (tests/interop/npm/
# package-lock.json) with `npm ci` into WORK_DIR/interop-node, once: later
# runs reuse them while the lock file is unchanged. Prints the directory.
#   usage: NODE_DIR=$(tests/interop/npm_install.sh WORK_DIR)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NODE_DIR="$1/interop-node"
mkdir -p "$NODE_DIR"
cp "$HERE/npm/package.json" "$HERE/npm/package-lock.json" "$NODE_DIR/"
if [ ! -f "$NODE_DIR/node_modules/.hashpath-installed" ] || \
   ! cmp -s "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.hashpath-lock"; then
  (cd "$NODE_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
  cp "$NODE_DIR/package-lock.json" "$NODE_DIR/node_modules/.hashpath-lock"
  touch "$NODE_DIR/node_modules/.hashpath-installed"
fi
echo "$NODE_DIR"
