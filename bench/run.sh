#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark table (README, "Benchmark"): builds bench/table.cpp (Release, Google Benchmark
# from Debian's libbenchmark-dev), runs each of its benchmarks in a process of its own (so that the
# peak memory is that problem's) at one thread, then torch.autograd.gradcheck full and fast_mode
# when Debian's python3-torch is installed (apt-get install python3-torch), prints ONE table and
# writes it, with this command, into bench/RESULTS.md.
#
#   bench/run.sh                the table
#   bench/run.sh --max-entries N   the table, without the peers' full checks (the loop, torch
#                               full) of problems whose variable has more than N entries
#   bench/run.sh --micro ARGS   the micro-benchmarks of bench/bench_gradcheck.cpp instead
#   BENCH_BUILD_DIR=build bench/run.sh   build in another folder (default build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dpkg-query -W -f='${Status}' libbenchmark-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "bench: installing libbenchmark-dev" >&2
  ${SUDO:-} apt-get install -y -qq libbenchmark-dev >/dev/null
fi
BUILD=${BENCH_BUILD_DIR:-build-bench}
LAUNCHER=()
if command -v ccache >/dev/null; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGRADCHECK_BUILD_BENCH=ON "${LAUNCHER[@]}" >/dev/null
if [[ "${1:-}" == "--micro" ]]; then
  shift
  cmake --build "$BUILD" -j2 --target gradcheck_bench >/dev/null
  exec "$BUILD/bench/gradcheck_bench" --benchmark_min_time=0.2 "$@"
fi
MAX_ENTRIES=0  # 0: no limit
COMMAND="bench/run.sh"
if [[ "${1:-}" == "--max-entries" ]]; then
  MAX_ENTRIES=$2
  COMMAND="bench/run.sh --max-entries $2"
fi
cmake --build "$BUILD" -j2 --target gradcheck_bench_table >/dev/null

# Entries of the variable of problem "P<k>/n=<n>" (the definitions of bench/table.cpp): what a
# full check's cost grows with.
entries() {
  local family=${1%%/*} n=${1##*=}
  case $family in
    P1 | P2 | P3 | P5) echo $((n * n)) ;;
    P4) echo $((10 * n)) ;;
  esac
}
skipped() {  # $1 = tool, $2 = problem: a peer's full check (the loop, torch full) over the limit
  [[ $MAX_ENTRIES -gt 0 && ($1 == loop || $1 == full) && $(entries "$2") -gt $MAX_ENTRIES ]]
}

export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
BIN="$BUILD/bench/gradcheck_bench_table"
# "entrywise/P1/n=16/min_time:0.300/repeats:3/real_time" -> "entrywise/P1/n=16"
mapfile -t NAMES < <("$BIN" --benchmark_list_tests | cut -d/ -f1-3 | awk '!seen[$0]++')
for name in "${NAMES[@]}"; do
  if skipped "${name%%/*}" "${name#*/}"; then echo "bench: $name skipped (over $MAX_ENTRIES entries)" >&2; continue; fi
  echo "bench: $name" >&2
  "$BIN" --benchmark_filter="^${name}/" --benchmark_format=json >"$OUT/$(echo "$name" | tr '/=' '__').json" 2>/dev/null
done
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  for problem in $(printf '%s\n' "${NAMES[@]}" | cut -d/ -f2-3 | awk '!seen[$0]++'); do
    for mode in full fast; do
      if skipped "$mode" "$problem"; then echo "bench: torch $mode $problem skipped" >&2; continue; fi
      echo "bench: torch $mode $problem" >&2
      /usr/bin/python3 bench/bench_torch.py "$problem" "$mode" >>"$OUT/torch.jsonl"
    done
  done
else
  echo "bench: python3-torch is not installed (apt-get install python3-torch): the table has no torch columns" >&2
fi
python3 bench/make_table.py "$OUT" "$COMMAND" "$MAX_ENTRIES" | tee bench/RESULTS.md
