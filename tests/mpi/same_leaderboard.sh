#!/usr/bin/env bash
# Runs a suite with 1, 2 and 3 MPI ranks (3 oversubscribed on 2 cores) and
# checks that leaderboards, score files and activations are identical.
# usage: same_leaderboard.sh MPIEXEC CORTEXBENCH CONFIG
set -euo pipefail
mpiexec=$1 bin=$2 config=$3
tmp=$(mktemp -d /tmp/cb-ranks.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for n in 1 2 3; do
  "$mpiexec" --bind-to none --oversubscribe -n "$n" "$bin" -q run "$config" -o "$tmp/r$n" >"$tmp/out$n.txt"
done
suite=$(ls "$tmp/r1")
status=0
for n in 2 3; do
  for f in leaderboard.csv leaderboard.md leaderboard.json; do
    if ! cmp -s "$tmp/r1/$suite/$f" "$tmp/r$n/$suite/$f"; then
      echo "FAIL: $f differs between 1 and $n ranks"; diff "$tmp/r1/$suite/$f" "$tmp/r$n/$suite/$f" || true; status=1
    fi
  done
  if ! diff -r "$tmp/r1/$suite/scores" "$tmp/r$n/$suite/scores" >/dev/null; then
    echo "FAIL: score files differ between 1 and $n ranks"; diff -r "$tmp/r1/$suite/scores" "$tmp/r$n/$suite/scores" | head -20; status=1
  fi
  for a in $(cd "$tmp/r1/$suite/work" && find activations -name '*.h5' | sort); do
    if ! h5diff "$tmp/r1/$suite/work/$a" "$tmp/r$n/$suite/work/$a" >/dev/null; then
      echo "FAIL: $a differs between 1 and $n ranks"; status=1
    fi
  done
done
n_rows=$(($(wc -l <"$tmp/r1/$suite/leaderboard.csv") - 1))
if (( n_rows < 2 )); then echo "FAIL: leaderboard has $n_rows models, expected >= 2"; status=1; fi
cat "$tmp/r1/$suite/leaderboard.md"
[[ $status -eq 0 ]] && echo "identical leaderboards, scores and activations with 1, 2 and 3 ranks"
exit $status
