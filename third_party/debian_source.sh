#!/usr/bin/env bash
# Prepares a dependency Hashpath builds from source: Debian's source package
# (with Debian's own patches), then our patches on top. No third-party source
# is in the repository; only the recipes (third_party/<name>/prepare.sh) and
# the patches.
#   usage: third_party/debian_source.sh PACKAGE DEST_DIR [PATCH...]
# Idempotent: does nothing when DEST_DIR already holds the package patched
# with exactly these patches (a stamp named after their hash).
set -euo pipefail
PACKAGE=$1
DEST=$2
shift 2
PATCHES=("$@")
STAMP="$DEST/.patched-$( (echo "$PACKAGE"; cat "${PATCHES[@]}") | sha256sum | cut -c1-16)"
[ -f "$STAMP" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# apt-get source needs a deb-src line; Debian images often ship without one.
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deps: enabling Debian source packages (for $PACKAGE)"
  . /etc/os-release
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$VERSION_CODENAME" | $SUDO tee /etc/apt/sources.list.d/hashpath-src.sources >/dev/null
  $SUDO apt-get update -qq
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "deps: fetching the $PACKAGE source package"
# apt checks the files against the signed Sources index; dpkg-source's own
# signature check needs the uploader's key, which is not installed (a warning).
(cd "$WORK" && apt-get source --download-only -qq "$PACKAGE" 2>/dev/null &&
  dpkg-source -x "$PACKAGE"_*.dsc tree >/dev/null 2>&1)
for p in "${PATCHES[@]}"; do patch -d "$WORK/tree" -p1 --quiet < "$p"; done
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv "$WORK/tree" "$DEST"
touch "$STAMP"
echo "deps: $(basename "$WORK"/"$PACKAGE"_*.dsc .dsc) prepared in $DEST (${#PATCHES[@]} patches applied)"
