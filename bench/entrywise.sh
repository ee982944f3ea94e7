#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The in-process time of entry-wise checks: for each case file given (default: the bench
# problems in ../shared/bench/cases), the median over REPEAT runs (default 3) of the check's
# time_ms from the JSON report, with its status. Extra options after -- go to `gradcheck run`
# (--threads 2). GRADCHECK=path picks the binary (default build/gradcheck).
#   bench/entrywise.sh [CASE.json ...] [-- RUN-OPTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
GC=${GRADCHECK:-build/gradcheck}
REPEAT=${REPEAT:-3}
files=()
while [[ $# -gt 0 && $1 != -- ]]; do files+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
[[ ${#files[@]} -eq 0 ]] && files=(${BENCH_CASES:-../shared/bench/cases}/*.json)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-28s %-13s %10s\n' case status "check ms"
for f in "${files[@]}"; do
  times=()
  status=?
  for _ in $(seq "$REPEAT"); do
    timeout "${TIMEOUT:-120}" "$GC" run "$f" -q --format json --report-dir "$out" "$@" >/dev/null 2>&1 || true
    read -r status t < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
k = r["cases"][0]["checks"][0]
print(k["status"], k["time_ms"])' "$out/gradcheck-report.json")
    times+=("$t")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-28s %-13s %10.3f\n' "$(basename "$f" .json)" "$status" "$median"
done
