#!/usr/bin/env bash
# Prepares Lua 5.3 for the build: Debian's lua5.3 source package (with
# Debian's own patches), then our deterministic.patch and
# tracked-tables.patch (README.md). No Lua source is in the repository;
# only this recipe and the patches.
#   usage: third_party/lua5.3/prepare.sh DEST_DIR
# Idempotent: does nothing when DEST_DIR already holds a tree patched with
# the current patch.
set -euo pipefail
DEST=$1
HERE=$(cd "$(dirname "$0")" && pwd)
PATCHES=("$HERE/deterministic.patch" "$HERE/tracked-tables.patch")
STAMP="$DEST/.patched-$(cat "${PATCHES[@]}" | sha256sum | cut -c1-16)"
[ -f "$STAMP" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# apt-get source needs a deb-src line; Debian images often ship without one.
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deps: enabling Debian source packages (for lua5.3)"
  . /etc/os-release
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$VERSION_CODENAME" | $SUDO tee /etc/apt/sources.list.d/hashpath-src.sources >/dev/null
  $SUDO apt-get update -qq
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "deps: fetching the lua5.3 source package"
# apt checks the files against the signed Sources index; dpkg-source's own
# signature check needs the uploader's key, which is not installed (a warning).
(cd "$WORK" && apt-get source --download-only -qq lua5.3 2>/dev/null && dpkg-source -x lua5.3_*.dsc lua >/dev/null 2>&1)
for p in "${PATCHES[@]}"; do patch -d "$WORK/lua" -p1 --quiet < "$p"; done
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv "$WORK/lua" "$DEST"
touch "$STAMP"
echo "deps: $(basename "$WORK"/lua5.3_*.dsc .dsc) prepared in $DEST (patches applied)"
