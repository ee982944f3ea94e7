#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# seeds.sh GRADCHECK CASES FIRST LAST: runs the bundled cases at every seed FIRST..LAST; fails when a
# run does not exit 0 (a verdict that flips with the seed) or when more than 5 checks in all are
# inconclusive (the verdict issue's "a handful").
set -u
gradcheck=$1 cases=$2 first=$3 last=$4
bad=0 inconclusive=0
for s in $(seq "$first" "$last"); do
  out=$("$gradcheck" run "$cases" --seed "$s" -q 2>&1)
  rc=$?
  n=$(printf '%s\n' "$out" | tail -1 | sed -n 's/.* \([0-9]*\) inconclusive$/\1/p')
  inconclusive=$((inconclusive + ${n:-0}))
  if [[ $rc -ne 0 ]]; then
    echo "seed $s: exit $rc"
    printf '%s\n' "$out" | grep -E '^(FAIL|XPASS|ERROR)' | head -5
    bad=$((bad + 1))
  fi
done
echo "seeds $first..$last: $bad runs not as expected, $inconclusive inconclusive checks"
[[ $bad -eq 0 && $inconclusive -le 5 ]]
