#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The tests: set up if needed (with the test tools), build, run every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
jobs=$(nproc 2>/dev/null || echo 2)
exec ctest --test-dir build --output-on-failure -j"$jobs" "$@"
