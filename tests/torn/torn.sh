#!/usr/bin/env bash
# Results are never torn (label torn): `cortexbench run` under mpirun -n 2 is
# killed with SIGKILL (its whole process group: mpirun and both ranks) at 15
# points spread over a clean run's duration - generation, activations and
# scoring - each time in a fresh output directory. After each kill every
# file present must be complete and valid (check_tree.py); temporary files
# may remain. Finally a rerun in the last killed directory (and in the one
# killed mid-way) must complete, ignore those temporary files and give the
# clean run's leaderboard.csv byte for byte.
# usage: torn.sh MPIEXEC CORTEXBENCH CONFIG
set -uo pipefail
mpiexec=$1 bin=$2 config=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d /tmp/cb-torn.XXXXXX)
pgid=""
trap '[[ -n "$pgid" ]] && kill -KILL -- "-$pgid" 2>/dev/null; rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1
suite=$(sed -n 's/^name *= *//p' "$config" | head -1)
status=0
fail() { echo "FAIL: $*"; status=1; }
now() { date +%s.%N; }
run() { "$mpiexec" --bind-to none -n 2 "$bin" -q run "$config" -o "$1" >"$1.log" 2>&1; }

# 1. a clean run, timed
t0=$(now)
run "$tmp/clean" || { cat "$tmp/clean.log"; echo "FAIL: clean run"; exit 1; }
total=$(echo "$(now) - $t0" | bc)
echo "clean run: ${total} s"
lb=$tmp/clean/$suite/leaderboard.csv
[[ -f "$lb" ]] || { echo "FAIL: no $lb"; exit 1; }

# 2. SIGKILL at 15 points in (0, total)
points=15
for k in $(seq 1 $points); do
  at=$(echo "scale=3; $total * $k / ($points + 1)" | bc)
  out=$tmp/kill$k
  setsid "$mpiexec" --bind-to none -n 2 "$bin" -q run "$config" -o "$out" >"$out.log" 2>&1 &
  pgid=$!
  sleep "$at"
  kill -KILL -- "-$pgid" 2>/dev/null
  wait "$pgid" 2>/dev/null
  pgid=""
  sleep 0.2 # let the kernel reap the ranks
  n_tmp=$(find "$out" -name '.*.tmp.*' 2>/dev/null | wc -l)
  if res=$(/usr/bin/python3 "$here/check_tree.py" "$out" 2>&1); then
    echo "kill at ${at} s: $(echo "$res" | tail -1), $n_tmp temporary files"
  else
    fail "kill at ${at} s: torn files"; echo "$res" | sed 's/^/     | /'
  fi
done

# 3. reruns over killed trees complete and match the clean leaderboard
for k in $(( (points + 1) / 2 )) $points; do
  out=$tmp/kill$k
  if run "$out" && cmp -s "$lb" "$out/$suite/leaderboard.csv"; then
    echo "rerun after kill $k: leaderboard.csv identical to the clean run"
  else
    fail "rerun after kill $k: failed or leaderboard differs"; tail -5 "$out.log"
  fi
done
[[ $status -eq 0 ]] && echo "no torn results"
exit $status
