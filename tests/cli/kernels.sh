#!/usr/bin/env bash
# What "byte for byte" covers across OpenBLAS kernels (docs/formats.md "Precision"): a suite run with two
# OpenBLAS core types gives leaderboard.csv, .md and .json that are identical byte for byte; score files (17
# significant digits, exact within one kernel) may differ in their last digits, and the test reports whether
# they did (they do for this suite with SkylakeX vs Haswell: the claim is tested where it matters).
set -euo pipefail
CB=$1 CONFIG=$2
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
if [[ $flags == *avx512f* ]]; then a=SkylakeX b=Haswell
elif [[ $flags == *avx2* ]]; then a=Haswell b=Prescott
else echo "SKIP: this CPU has no AVX2: only one OpenBLAS kernel family to compare"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for k in $a $b; do
  OPENBLAS_CORETYPE=$k OPENBLAS_VERBOSE=2 "$CB" -q run "$CONFIG" -o "$tmp/$k" >"$tmp/$k.log" 2>&1 ||
    { echo "FAIL: run with OPENBLAS_CORETYPE=$k: $(tail -3 "$tmp/$k.log")"; exit 1; }
done
suite=$(ls "$tmp/$a")
status=0
for f in leaderboard.csv leaderboard.md leaderboard.json; do
  cmp -s "$tmp/$a/$suite/$f" "$tmp/$b/$suite/$f" ||
    { echo "FAIL: $f differs between $a and $b kernels"; diff "$tmp/$a/$suite/$f" "$tmp/$b/$suite/$f" | head; status=1; }
done
if diff -rq "$tmp/$a/$suite/scores" "$tmp/$b/$suite/scores" >/dev/null; then
  echo "note: score files identical with $a and $b"
else
  echo "note: score files differ in their last digits between $a and $b (expected; leaderboards agree)"
fi
[[ $status == 0 ]] && echo "leaderboard.csv, .md and .json identical with OpenBLAS $a and $b kernels"
exit $status
