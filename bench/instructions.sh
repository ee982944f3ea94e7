#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions per check of the benchmark problems, counted by callgrind (valgrind): unlike time,
# the count does not move with the machine's other load, so a change's effect on the harness's
# work is measured exactly (not its effect on time: memory, branches and vector width differ).
# A check's count is (count of 6 checks - count of 1 check) / 5: the process's start, the
# problem's compilation and the first check's one-time work cancel.
#
#   bench/instructions.sh                      every problem, entry-wise
#   bench/instructions.sh P1/n=64 P3/n=16      these
#   MODE=directional bench/instructions.sh     directional checks (MODE=callable: f a C++ callable;
#                                              MODE=loop: the hand-written loop of bench/table.cpp)
#   MODE=overhead bench/instructions.sh        the callable check's instructions per evaluation of f
#                                              against the loop's (both call bench/table.cpp's f):
#                                              the harness's overhead on each call, free of the
#                                              machine's load, which moves the time ratio by a third
#   BENCH_BUILD_DIR=build bench/instructions.sh   another build folder (default build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "bench: installing valgrind" >&2; ${SUDO:-} apt-get install -y -qq valgrind >/dev/null; }
BUILD=${BENCH_BUILD_DIR:-build-bench}
MODE=${MODE:-entrywise}
if ! dpkg-query -W -f='${Status}' libbenchmark-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "bench: installing libbenchmark-dev" >&2
  ${SUDO:-} apt-get install -y -qq libbenchmark-dev >/dev/null
fi
# (Built every time, as bench/run.sh does: quick when up to date, and never a stale binary.)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGRADCHECK_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j2 --target gradcheck_bench_table >/dev/null
BIN="$BUILD/bench/gradcheck_bench_table"
PROBLEMS=("$@")
if [[ ${#PROBLEMS[@]} -eq 0 ]]; then
  PROBLEMS=(P1/n=16 P1/n=32 P1/n=64 P1/n=128 P2/n=16 P2/n=64 P3/n=8 P3/n=16 P4/n=32 P4/n=128 P5/n=16 P5/n=64)
fi
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
count() {  # instructions of `BIN --checks $1 $2 ${3:-MODE}`
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" --checks "$1" "$2" "${3:-$MODE}" 2>&1 >/dev/null |
    awk '/refs:/ {gsub(",", "", $4); print $4}'
}
per_check() { echo $(( ($(count "$1" 6 "$2") - $(count "$1" 1 "$2")) / 5 )); }
evaluations() { "$BIN" --checks "$1" 1 "$2" | sed -n 's/.*, \([0-9]*\) evaluations.*/\1/p'; }
if [[ $MODE == overhead ]]; then
  echo "| problem | callable: instructions per check | evaluations | loop: instructions per check | evaluations | per evaluation (callable / loop) |"
  echo "|---|---:|---:|---:|---:|---:|"
  for p in "${PROBLEMS[@]}"; do
    c=$(per_check "$p" callable) ce=$(evaluations "$p" callable)
    l=$(per_check "$p" loop) le=$(evaluations "$p" loop)
    printf '| %s | %s | %s | %s | %s | %s |\n' "$p" "$c" "$ce" "$l" "$le" \
      "$(awk -v c="$c" -v ce="$ce" -v l="$l" -v le="$le" 'BEGIN {printf "%.3fx", (c / ce) / (l / le)}')"
  done
  exit 0
fi
echo "| problem ($MODE) | instructions per check |"
echo "|---|---:|"
for p in "${PROBLEMS[@]}"; do
  printf '| %s | %s |\n' "$p" "$(per_check "$p" "$MODE")"
done
