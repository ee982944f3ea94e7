#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: set up if needed, build, then run the bundled cases/ (or the paths given) and
# write every report format into reports/. Extra arguments go to `gradcheck run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
paths=()
if (($# == 0)) || [[ "$1" == -* ]]; then paths=(cases); fi
exec build/gradcheck run "${paths[@]}" "$@" --report-dir reports --format text json junit markdown html
