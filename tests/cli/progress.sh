#!/usr/bin/env bash
# Progress of a suite whose output goes to files (not a terminal, as in a Slurm log): no '\r' anywhere, a final line
# with counts for every step (activations per model, the scoring tasks, the leaderboard), intermediate lines with
# counts when CORTEXBENCH_PROGRESS_INTERVAL=0 and at most one per 10 s of a step by default, none with -q; under
# mpirun -n 2 (whose ranks' stdout is a pseudo-terminal) still no '\r' and every line once (rank 0 only). Then
# interruption: SIGTERM between steps and SIGINT during the scoring tasks give exit status 3 and the one line
# docs/errors.md documents.
# usage: progress.sh CORTEXBENCH MPIEXEC   (from the repository root)
set -uo pipefail
bin=$1 mpiexec=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
small=$here/../mpi/small.ini resume=$here/../mpi/resume.ini errors_md=$here/../../docs/errors.md
tmp=$(mktemp -d /tmp/cb-progress.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
no_cr() { ! grep -q $'\r' "$@"; }
# count FILE PATTERN: lines matching the extended regex
count() { grep -cE -- "$2" "$1"; }

# --- 1 rank, a line at every change ---------------------------------------------------------------------------
CORTEXBENCH_PROGRESS_INTERVAL=0 "$bin" run "$small" -o "$tmp/a" >"$tmp/a.out" 2>"$tmp/a.err" </dev/null
rc=$?
check "1 rank, interval 0: exit 0 (got $rc)" "[[ $rc -eq 0 ]]"
check "1 rank: no carriage return in stdout or stderr" "no_cr '$tmp/a.out' '$tmp/a.err'"
for m in pixels tinycnn; do
  check "activations $m: final line with counts" \
    "[[ \$(count '$tmp/a.out' '^activations $m: 128/128 stimuli \\(100%\\) in [0-9.]+ s, [0-9.]+ stimuli/s\$') -eq 1 ]]"
  # batch 16: a line after each of the 8 batches but the last (the final line)
  check "activations $m: a line per batch with counts, rate and ETA" \
    "[[ \$(count '$tmp/a.out' '^activations $m: (16|32|48|64|80|96|112)/128 stimuli \\([0-9]+%\\), [0-9.]+ stimuli/s, [0-9.]+ s elapsed, ETA [0-9.]+ s\$') -eq 7 ]]"
done
check "scores: a line per task but the last, and a final line" \
  "[[ \$(count '$tmp/a.out' '^scores: [12]/3 tasks \\([0-9]+%\\), [0-9.]+ tasks/s, [0-9.]+ s elapsed, ETA') -eq 2 &&
     \$(count '$tmp/a.out' '^scores: 3/3 tasks \\(100%\\) in [0-9.]+ s, [0-9.]+ tasks/s\$') -eq 1 ]]"
check "leaderboard: start and end lines" \
  "[[ \$(count '$tmp/a.out' '^leaderboard: reading the score files') -eq 1 && \$(count '$tmp/a.out' '^leaderboard: done in [0-9.]+ s\$') -eq 1 ]]"
check "progress on stdout only (stderr holds no progress line)" "[[ \$(count '$tmp/a.err' 'stimuli|tasks \\(') -eq 0 ]]"

# --- the default interval: a step of T seconds prints at most T/10 lines before its final one -------------------
"$bin" run "$small" -o "$tmp/a" --fresh >"$tmp/b.out" 2>"$tmp/b.err" </dev/null
rc=$?
check "default interval: exit 0 (got $rc)" "[[ $rc -eq 0 ]]"
for label in "activations pixels" "activations tinycnn" "scores"; do
  final=$(grep -E "^$label: [0-9]+/[0-9]+ [a-z]+ \(100%\) in " "$tmp/b.out")
  secs=$(sed -nE 's/.* in ([0-9.]+) s,.*/\1/p' <<<"$final")
  between=$(count "$tmp/b.out" "^$label: .*ETA")
  check "$label: final line and $between lines in ${secs:-?} s (at most one per 10 s)" \
    "[[ -n '$secs' ]] && (( between <= \${secs%.*} / 10 ))"
done
check "default interval: no carriage return" "no_cr '$tmp/b.out' '$tmp/b.err'"

# --- -q: none; CORTEXBENCH_PROGRESS=live: the live line even into a file -----------------------------------------
CORTEXBENCH_PROGRESS_INTERVAL=0 "$bin" -q run "$small" -o "$tmp/a" --fresh >"$tmp/q.out" 2>"$tmp/q.err" </dev/null
rc=$?
check "-q: exit 0 and no progress line" "[[ $rc -eq 0 && \$(count '$tmp/q.out' '/[0-9]+ (stimuli|tasks) \\(|leaderboard: done') -eq 0 ]]"
CORTEXBENCH_PROGRESS=live "$bin" run "$small" -o "$tmp/a" --fresh >"$tmp/l.out" 2>"$tmp/l.err" </dev/null
check "CORTEXBENCH_PROGRESS=live: the line is redrawn with carriage returns" \
  "grep -q $'\\ractivations tinycnn \\\\[####################\\\\] 128/128 stimuli (100%) in' '$tmp/l.out'"

# --- mpirun -n 2: rank 0 only, no carriage return although the ranks' stdout is a pseudo-terminal ----------------
CORTEXBENCH_PROGRESS_INTERVAL=0 "$mpiexec" -n 2 "$bin" run "$small" -o "$tmp/m" >"$tmp/m.out" 2>"$tmp/m.err" </dev/null
rc=$?
check "mpirun -n 2: exit 0 (got $rc)" "[[ $rc -eq 0 ]]"
check "mpirun -n 2: no carriage return" "no_cr '$tmp/m.out' '$tmp/m.err'"
for m in pixels tinycnn; do
  check "mpirun -n 2: activations $m: rank 0's block, final line once" \
    "[[ \$(count '$tmp/m.out' '^activations $m \\(rank 0: 64 of 128 stimuli\\): 64/64 stimuli \\(100%\\) in ') -eq 1 ]]"
  check "mpirun -n 2: activations $m: one line per batch of rank 0 but the last (3)" \
    "[[ \$(count '$tmp/m.out' '^activations $m \\(rank 0: 64 of 128 stimuli\\): (16|32|48)/64 stimuli \\([0-9]+%\\), .*ETA') -eq 3 ]]"
done
check "mpirun -n 2: scores: every rank's tasks counted, final line once" \
  "[[ \$(count '$tmp/m.out' '^scores: 3/3 tasks \\(100%\\) in ') -eq 1 && \$(count '$tmp/m.out' '^scores: [12]/3 tasks \\([0-9]+%\\),') -le 2 ]]"
check "mpirun -n 2: the leaderboard lines once" "[[ \$(count '$tmp/m.out' '^leaderboard: done in') -eq 1 ]]"
check "1 and 2 ranks: the same leaderboard" "cmp -s '$tmp/a/ranks-test/leaderboard.csv' '$tmp/m/ranks-test/leaderboard.csv'"

# --- interruption -----------------------------------------------------------------------------------------------
# documented FILE RC N TEMPLATE...: FILE's only line is one of the TEMPLATEs of docs/errors.md with <n> replaced by
# N (and <task>, when the template has it, by any text), and RC that row's exit status.
documented() {
  local file=$1 rc=$2 n=$3; shift 3
  local got t row status want head tail hit=""
  got=$(cat "$file")
  for t in "$@"; do
    row=$(grep -F -- "| \`$t\` |" "$errors_md" | head -1)
    [[ -n "$row" ]] || { bad "not in docs/errors.md: $t"; continue; }
    status=$(sed -E 's/.*\| *([0-9]) *\| *$/\1/' <<<"$row")
    want=${t//<n>/$n}
    head=${want%%<task>*} tail=${want#*<task>}
    if [[ $want == *"<task>"* ]]; then
      [[ "${got:0:${#head}}" == "$head" && "${got: -${#tail}}" == "$tail" && ${#got} -gt $((${#head} + ${#tail})) ]] &&
        hit=$status
    elif [[ "$got" == "$want" ]]; then
      hit=$status
    fi
    [[ -n "$hit" ]] && break
  done
  check "exit $rc and a documented line: $got" "[[ -n '$hit' && $rc -eq '$hit' && \$(wc -l <'$file') -eq 1 ]]"
}
# wait_for COND: up to 120 s
wait_for() { for _ in $(seq 1200); do eval "$1" && return 0; sleep 0.1; done; return 1; }

# SIGTERM while the datasets are generated (between steps).
"$bin" -q run "$resume" -o "$tmp/s1" >"$tmp/s1.out" 2>"$tmp/s1.err" </dev/null &
pid=$!; pids+=("$pid")
wait_for "[[ -d '$tmp/s1/resume-test/work/datasets' ]]" || bad "SIGTERM case: no dataset directory appeared"
kill -TERM "$pid"; wait "$pid"; rc=$?
documented "$tmp/s1.err" "$rc" 15 "cortexbench run: error: stopped by signal <n>; finished results are committed"

# SIGINT in the middle of the scoring tasks.
"$bin" -q run "$resume" -o "$tmp/s2" >"$tmp/s2.out" 2>"$tmp/s2.err" </dev/null &
pid=$!; pids+=("$pid")
wait_for "[[ \$(find '$tmp/s2/resume-test/scores' -name '*.json' 2>/dev/null | wc -l) -ge 2 ]]" ||
  bad "SIGINT case: no score file appeared"
kill -INT "$pid"; wait "$pid"; rc=$?
# Between two tasks, or inside one (a cross-validated fit, a bootstrap: the task is abandoned and recomputed on resume).
documented "$tmp/s2.err" "$rc" 2 "cortexbench run: error: stopped by signal <n> after committing the finished tasks" \
  "cortexbench run: error: <task>: stopped by signal <n>" "cortexbench run: error: <task>: stopped by signal <n> during a bootstrap"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
