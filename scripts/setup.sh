#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what gradcheck needs from Debian's packages, if anything is missing, then configures
# and builds it into build/. Quick when everything is already there.
#
#   scripts/setup.sh            packages to build and run
#   scripts/setup.sh --tests    also what the tests need (xmllint, headless Chromium, Python with NumPy
#                               and jsonschema for the program and schema tests)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config libarmadillo-dev liblapack-dev libopenblas-dev nlohmann-json3-dev
          libcli11-dev libfmt-dev libgtest-dev libgmock-dev)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(libxml2-utils chromium python3 python3-numpy python3-jsonschema)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "gradcheck setup: installing ${missing[*]}" >&2
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "gradcheck setup: missing packages ${missing[*]}; run as root or install them with apt-get" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build -j"$jobs" >/dev/null || cmake --build build -j1
