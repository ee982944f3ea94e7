#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the benchmarks (Release, Google Benchmark from Debian's libbenchmark-dev) and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dpkg-query -W -f='${Status}' libbenchmark-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "bench: installing libbenchmark-dev" >&2
  ${SUDO:-} apt-get install -y -qq libbenchmark-dev >/dev/null
fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DGRADCHECK_BUILD_BENCH=ON -DGRADCHECK_BUILD_TESTS=OFF \
      -DGRADCHECK_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target gradcheck_bench >/dev/null
build-bench/bench/gradcheck_bench --benchmark_min_time=0.2 "$@"
