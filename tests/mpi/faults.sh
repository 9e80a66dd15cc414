#!/usr/bin/env bash
# Fault tolerance of `cortexbench run` (label mpi):
#  1. a clean reference run;
#  2. SIGUSR1 to mpirun (Open MPI forwards it to every rank; Slurm's
#     --signal does the same) in the middle of the scores: exit status 3
#     within 10 s, every score file present is complete and valid;
#  3. SIGTERM sent straight to the rank processes (what Slurm does to job
#     steps): same expectations;
#  4. kill -9 of one rank in the middle of the scores: the job dies; every
#     file present is complete and valid;
#  5. in the same directory, resumed runs interrupted later in the scores:
#     a. SIGTERM to the process group of scripts/launch (what scripts/run
#        execs; a terminal's Ctrl-C or a batch system signals that group,
#        mpirun has a group of its own): exit status 3 within 10 s;
#     b. SIGINT to that group: exit status 3 within 10 s;
#     c. SIGTERM to a bare mpirun: Open MPI's mpirun kills the ranks (SIGCONT,
#        SIGTERM 1 s later, SIGKILL 1 s after that) and exits 1 whatever they
#        return (the documented exception; SIGUSR1 to mpirun gives 3, step 2);
#     every file present stays complete and valid;
#  6. a rerun completes, recomputes none of the committed score files (same
#     inode and mtime, and the run reports them as reused) and gives a
#     leaderboard and score files byte-identical to the reference.
# usage: faults.sh MPIEXEC CORTEXBENCH CONFIG LAUNCH   (LAUNCH: scripts/launch)
set -uo pipefail
mpiexec=$1 bin=$2 config=$3 launch=$4
tmp=$(mktemp -d /tmp/cb-faults.XXXXXX)
trap 'pkill -KILL -f "$tmp" 2>/dev/null; [[ -n "${KEEP:-}" ]] || rm -rf "$tmp"' EXIT
suite=resume-test
status=0
fail() { echo "FAIL: $*"; status=1; }
run_bg() { # run_bg DIR -> sets PID of mpirun
  "$mpiexec" --bind-to none -n 2 "$bin" -q run "$config" -o "$1" >"$1.log" 2>&1 &
  PID=$!
}
n_scores() { find "$1/$suite/scores" -name '*.json' 2>/dev/null | wc -l; }
wait_scores() { # wait_scores DIR N: until N score files exist (max 60 s)
  for _ in $(seq 600); do (( $(n_scores "$1") >= $2 )) && return 0; sleep 0.1; done
  return 1
}
valid_files() { # every score JSON parses and has a score; every .h5 opens
  local ok=0
  while IFS= read -r f; do
    /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert 'score' in d and 'task_key' in d" "$f" \
      2>/dev/null || { echo "  invalid: $f"; ok=1; }
  done < <(find "$1/$suite/scores" -name '*.json' 2>/dev/null)
  while IFS= read -r f; do
    h5ls "$f" >/dev/null 2>&1 || { echo "  invalid: $f"; ok=1; }
  done < <(find "$1/$suite/work/activations" -name '*.h5' 2>/dev/null)
  [[ -z $(find "$1" -name '*.tmp.*' 2>/dev/null) ]] || { echo "  temporary files left (harmless, but unexpected)"; }
  return $ok
}

# 1. reference
"$mpiexec" --bind-to none -n 2 "$bin" -q run "$config" -o "$tmp/ref" >"$tmp/ref.log" 2>&1 || { cat "$tmp/ref.log"; fail "reference run"; exit 1; }
total=$(n_scores "$tmp/ref")
echo "reference: $total score files"

# 2. SIGUSR1 to mpirun
run_bg "$tmp/usr1"
wait_scores "$tmp/usr1" 3 || fail "no scores appeared"
t0=$(date +%s.%N); kill -USR1 $PID; wait $PID; rc=$?; t1=$(date +%s.%N)
dt=$(echo "$t1 - $t0" | bc)
echo "SIGUSR1: exit $rc after ${dt} s with $(n_scores "$tmp/usr1")/$total scores committed"
[[ $rc -eq 3 ]] || fail "SIGUSR1: exit status $rc, expected 3"
(( $(echo "$dt < 10" | bc) )) || fail "SIGUSR1: took ${dt} s (limit 10 s)"
valid_files "$tmp/usr1" || fail "SIGUSR1: invalid files"

# 3. SIGTERM to the ranks themselves
# The ranks are mpirun's children; a rank's own short-lived children (the
# isolated HDF5 readers of core/cb_isolate.c) carry the same command line, so
# pgrep -f would sometimes pick one of those instead of a rank.
run_bg "$tmp/term"
wait_scores "$tmp/term" 3 || fail "no scores appeared"
ranks=$(pgrep -P $PID)
t0=$(date +%s.%N); kill -TERM $ranks; wait $PID; rc=$?; t1=$(date +%s.%N)
dt=$(echo "$t1 - $t0" | bc)
echo "SIGTERM to ranks: exit $rc after ${dt} s with $(n_scores "$tmp/term")/$total scores committed"
[[ $rc -eq 3 ]] || fail "SIGTERM: exit status $rc, expected 3"
(( $(echo "$dt < 10" | bc) )) || fail "SIGTERM: took ${dt} s (limit 10 s)"
valid_files "$tmp/term" || fail "SIGTERM: invalid files"

# 4. kill -9 of one rank
run_bg "$tmp/kill"
wait_scores "$tmp/kill" 4 || fail "no scores appeared"
victim=$(pgrep -P $PID | tail -1)
kill -KILL "$victim"; wait $PID; rc=$?
before=$(n_scores "$tmp/kill")
echo "kill -9 of rank pid $victim: mpirun exit $rc, $before/$total scores committed"
[[ $rc -ne 0 ]] || fail "kill -9: the job did not fail"
valid_files "$tmp/kill" || fail "kill -9: invalid files"

# 5. resumed runs, interrupted again (job control: each background job gets a
# process group of its own, as a job started from a terminal)
set -m
stop() { # LABEL EXPECTED SIGNAL TARGET...: signal, wait for $PID, check status and time
  local label=$1 want=$2 sig=$3 t0 t1 rc dt
  shift 3
  t0=$(date +%s.%N); kill "-$sig" "$@"; wait $PID; rc=$?; t1=$(date +%s.%N)
  dt=$(echo "$t1 - $t0" | bc)
  echo "$label: exit $rc after ${dt} s with $(n_scores "$tmp/kill")/$total scores committed"
  [[ $rc -eq $want ]] || fail "$label: exit status $rc, expected $want"
  (( $(echo "$dt < 10" | bc) )) || fail "$label: took ${dt} s (limit 10 s)"
  valid_files "$tmp/kill" || fail "$label: invalid files"
}
for sig in TERM INT; do
  n0=$(n_scores "$tmp/kill")
  "$launch" --bind-to none -n 2 "$bin" -q run "$config" -o "$tmp/kill" >"$tmp/launch-$sig.log" 2>&1 &
  PID=$!
  wait_scores "$tmp/kill" $((n0 + 2)) || fail "the resumed run committed no scores"
  stop "SIG$sig to scripts/launch's process group" 3 "$sig" -- "-$PID"
done
n0=$(n_scores "$tmp/kill")
"$mpiexec" --bind-to none -n 2 "$bin" -q run "$config" -o "$tmp/kill" >"$tmp/mpirun-TERM.log" 2>&1 </dev/null &
PID=$!
wait_scores "$tmp/kill" $((n0 + 2)) || fail "the resumed run committed no scores"
stop "SIGTERM to a bare mpirun" 1 TERM "$PID"
set +m
before=$(n_scores "$tmp/kill")
find "$tmp/kill/$suite/scores" -name '*.json' -printf '%p %i %T@\n' | sort >"$tmp/committed.txt"

# 6. rerun: resumes, recomputes nothing committed, same leaderboard
"$mpiexec" --bind-to none -n 2 "$bin" run "$config" -o "$tmp/kill" >"$tmp/rerun.log" 2>&1 || { tail -5 "$tmp/rerun.log"; fail "rerun failed"; }
reused=$(sed -n 's/.*: \([0-9]*\) committed earlier and reused.*/\1/p' "$tmp/rerun.log")
echo "rerun: $reused score tasks reused, $(( total - reused )) computed"
[[ "$reused" == "$before" ]] || fail "rerun reused $reused tasks, but $before were committed"
find "$tmp/kill/$suite/scores" -name '*.json' -printf '%p %i %T@\n' | sort >"$tmp/after.txt"
recomputed=$(join "$tmp/committed.txt" "$tmp/after.txt" | awk '$2 != $4 || $3 != $5' | wc -l)
echo "committed score files rewritten by the rerun: $recomputed"
[[ $recomputed -eq 0 ]] || fail "$recomputed committed tasks were recomputed"
cmp -s "$tmp/ref/$suite/leaderboard.csv" "$tmp/kill/$suite/leaderboard.csv" || fail "leaderboard differs from the reference"
cmp -s "$tmp/ref/$suite/leaderboard.md" "$tmp/kill/$suite/leaderboard.md" || fail "leaderboard.md differs from the reference"
diff -r -x work -x leaderboard.html -x .lock "$tmp/ref/$suite" "$tmp/kill/$suite" | head -20 || true
[[ -z $(diff -r -x work -x leaderboard.html -x .lock "$tmp/ref/$suite" "$tmp/kill/$suite") ]] || fail "score files differ from the reference"
[[ $status -eq 0 ]] && echo "faults: all checks passed"
exit $status
