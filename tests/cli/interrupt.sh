#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# interrupt.sh GRADCHECK PROGRAMS WORK: `gradcheck run` interrupted while a program case runs
# (misbehave.py hang sleeps instead of answering; its timeout is far away): SIGINT must end it
# with 130 and SIGTERM with 143, leave no report file (nor a temporary one) in the report folder,
# and leave the program killed. No timing is asserted beyond a generous wait.
set -u
gradcheck=$1 programs=$2 work=$3
rm -rf "$work"
mkdir -p "$work/cases"
cp "$programs/misbehave.py" "$work/cases/"
cat >"$work/cases/slow.json" <<'JSON'
{"name": "slow", "variables": {"x": {"shape": [3, 1]}}, "expression": "program:f",
 "program": {"command": ["python3", "misbehave.py", "hang"], "timeout_s": 120},
 "checks": [{"wrt": "x", "layout": "denominator", "expected": "program:grad"}]}
JSON
failures=0
for sig in INT TERM; do
  want=$([[ $sig == INT ]] && echo 130 || echo 143)
  marker="$work/running-$sig"
  out="$work/out-$sig"
  (cd "$work" && GRADCHECK_TEST_MARKER="$marker" exec "$gradcheck" run --allow-programs cases \
     --report-dir "$out" --format json junit text >"$work/stdout-$sig" 2>&1) &
  runner=$!
  for _ in $(seq 1 600); do  # up to 60 s for the program to start
    [[ -s $marker ]] && break
    sleep 0.1
  done
  if [[ ! -s $marker ]]; then
    echo "SIG$sig: the program never started"; kill -KILL "$runner" 2>/dev/null; failures=$((failures + 1)); continue
  fi
  child=$(cat "$marker")
  kill -s "$sig" "$runner"
  wait "$runner"
  rc=$?
  if [[ $rc -ne $want ]]; then
    echo "SIG$sig: exit $rc, expected $want"; cat "$work/stdout-$sig"; failures=$((failures + 1))
  fi
  if [[ -d $out ]] && [[ -n $(ls -A "$out") ]]; then
    echo "SIG$sig: files left in the report folder:"; ls -la "$out"; failures=$((failures + 1))
  fi
  if kill -0 "$child" 2>/dev/null; then
    echo "SIG$sig: the program $child still runs"; kill -KILL "$child"; failures=$((failures + 1))
  fi
done
[[ $failures -eq 0 ]] && echo "interrupted runs: exit 130 and 143, no report, program killed"
[[ $failures -eq 0 ]]
