#!/usr/bin/env bash
# Runs every case of cases.txt with the sanitizer build of cortexbench and
# checks: non-zero exit, exactly one line on stderr containing the expected
# text, no AddressSanitizer/LeakSanitizer/UBSan report, no output file (nor
# temporary .tmp. file beside it) left behind, and no hang (each case is
# killed after CASE_TIMEOUT seconds, default 120: a FIFO input must not block).
# Cases run CASE_JOBS at a time (default 2); each writes under its own output
# directory (@D@/out/ of a row becomes @D@/o/NAME/), results print in row order.
# usage: run.sh CORTEXBENCH     (from the repository root; exit 77 = skipped)
set -uo pipefail
bin=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ! -x "$bin" ]]; then
  echo "skip: $bin not built (cmake --preset asan && cmake --build --preset asan)"
  exit 77
fi
D=$(mktemp -d /tmp/cb-badin.XXXXXX)
trap 'rm -rf "$D"' EXIT
# Leaks are errors; only third-party allocation stacks are suppressed. The
# slow unwinder is needed to see through Open MPI's frame-pointer-less code.
# intercept_tls_get_addr=0: LeakSanitizer's tracer otherwise dies on the bogus
# dynamic-TLS range of Open MPI's dlclose'd plugins ("Tracer caught signal 11").
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:intercept_tls_get_addr=0:abort_on_error=0
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OPENBLAS_NUM_THREADS=1
bash "$here/make_inputs.sh" "$bin" "$D" >"$D.make.log" 2>&1 || { cat "$D.make.log"; rm -f "$D.make.log"; exit 1; }
rm -f "$D.make.log"

runcase() { # NAME EXPECTED OUTFILE ARGS...: prints "ok" or the reason of the failure
  local name=$1 text=$2 outfile=$3; shift 3
  local envs=() so="$D/res/$name.stdout" se="$D/res/$name.stderr"
  while [[ $# -gt 0 && $1 =~ ^[A-Z_]+= ]]; do envs+=("$1"); shift; done
  timeout -k 5 "${CASE_TIMEOUT:-120}" env "${envs[@]}" "$bin" "$@" >"$so" 2>"$se" </dev/null
  local rc=$? lines why=""
  lines=$(wc -l <"$se")
  [[ $rc -eq 124 || $rc -eq 137 ]] && why="timed out after ${CASE_TIMEOUT:-120} s (hang)"
  [[ -n "$why" || $rc -ne 0 ]] || why="exit status 0"
  if [[ -z "$why" ]] && grep -qE 'Sanitizer|runtime error:|==[0-9]+==' "$se"; then why="sanitizer report"; fi
  [[ -z "$why" && $lines -ne 1 ]] && why="$lines lines on stderr"
  [[ -z "$why" ]] && ! grep -qF -- "$text" "$se" && why="message lacks '$text'"
  [[ -z "$why" && "$outfile" != - && -e "$outfile" ]] && why="output $outfile was left behind"
  if [[ -z "$why" && "$outfile" != - ]] && ls -a "$(dirname "$outfile")" 2>/dev/null | grep -q '\.tmp\.'; then
    why="temporary file left in $(dirname "$outfile")"
  fi
  echo "${why:-ok}"
}
mkdir -p "$D/res" "$D/o"
names=()
while IFS= read -r line; do
  [[ -z "${line// /}" || $line == \#* ]] && continue
  IFS='|' read -r name _ <<<"$line"
  name=$(echo $name)
  mkdir -p "$D/o/$name"
  line=${line//@D@\/out\//$D/o/$name/}
  line=${line//@D@/$D}
  IFS='|' read -r _ text outfile args <<<"$line"
  outfile=$(echo $outfile)
  text=${text#"${text%%[![:space:]]*}"}; text=${text%"${text##*[![:space:]]}"}
  read -r -a argv <<<"$args"
  while (( $(jobs -rp | wc -l) >= ${CASE_JOBS:-2} )); do wait -n; done
  runcase "$name" "$text" "$outfile" "${argv[@]}" >"$D/res/$name.why" &
  names+=("$name")
done <"$here/cases.txt"
wait
pass=0 fail=0
for name in "${names[@]}"; do
  why=$(cat "$D/res/$name.why")
  if [[ $why == ok ]]; then
    pass=$((pass + 1)); echo "ok   $name: $(cat "$D/res/$name.stderr")"
  else
    fail=$((fail + 1)); echo "FAIL $name: $why"; head -30 "$D/res/$name.stderr" | sed 's/^/     | /'
  fi
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 && $pass -ge 30 ]]
