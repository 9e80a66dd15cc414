#!/usr/bin/env bash
# One run and one configuration per output directory (label mpi):
#  1. a run (2 ranks) writes OUT/<suite>/config.sha256; its hash appears in
#     no leaderboard file and in every score file's record; a rerun of the same configuration resumes (every
#     score reused) and rewrites the leaderboard byte for byte, and so does
#     the configuration with other comments, spacing and [suite] batch; the rerun reads the activations files in-process
#     (their bytes match the SHA-256 recorded when they were written), except one whose recorded digest differs;
#  2. another configuration (one benchmark key changed) is refused with one
#     line naming the directory, and nothing in it changes;
#     a directory where another configuration's run failed before scoring
#     (nothing to mix with) is taken over by the corrected configuration;
#  3. with --restart it clears the old results and gives, byte for byte, the
#     leaderboard and score files of a run of that configuration in a fresh
#     directory, and the fresh run's config.sha256; --restart with --shard is
#     a usage error (exit 2);
#  4. while a run holds the directory, a second run stops at once (exit 1)
#     with one line naming the directory and the holder's pid (rank 0 of the
#     first run); after kill -9 of that rank the lock is free again;
#  5. the two shards of a sharded run share the directory at the same time.
# usage: outdir.sh MPIEXEC CORTEXBENCH CONFIG SLOW_CONFIG
#   CONFIG: a small suite with a [benchmark] key 'components'; SLOW_CONFIG: a
#   suite that runs for several seconds (tests/mpi/resume.ini)
set -uo pipefail
mpiexec=$1 bin=$2 config=$3 slow=$4
tmp=$(mktemp -d /tmp/cb-outdir.XXXXXX)
bg=""
cleanup() {
  [[ -n $bg ]] && kill -TERM "$bg" 2>/dev/null # mpirun kills its ranks
  [[ -n ${KEEP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
run() { "$mpiexec" --bind-to none -n 2 "$bin" "$@" </dev/null; } # 2 ranks
suite=$(sed -n 's/^name *= *//p' "$config" | head -1)
out=$tmp/out
dir=$out/$suite
listing() { find "$1" -path "$1/work" -prune -o -type f ! -name .lock -printf '%P %s %T@\n' | sort; }

# 1. fingerprint, resume, byte-identical leaderboard
run -q run "$config" -o "$out" >"$tmp/a.log" 2>&1 || { cat "$tmp/a.log"; echo "FAIL: first run"; exit 1; }
[[ -f $dir/config.sha256 ]] || fail "no $dir/config.sha256"
fp=$(head -c 64 "$dir/config.sha256")
[[ $fp =~ ^[0-9a-f]{64}$ ]] || fail "config.sha256 does not hold a SHA-256: '$fp'"
grep -l "$fp" "$dir"/leaderboard.* && fail "the fingerprint entered a leaderboard file"
# score files are self-contained records: each names the configuration it was computed under (docs/formats.md)
n_scores=$(find "$dir/scores" -name '*.json' | wc -l)
n_fp=$(grep -rl "\"config_fingerprint\": \"$fp\"" "$dir/scores" | wc -l)
[[ $n_scores -gt 0 && $n_fp -eq $n_scores ]] || fail "$n_fp of $n_scores score files record config_fingerprint $fp"
cp -r "$dir" "$tmp/a"
run run "$config" -o "$out" >"$tmp/a2.log" 2>&1 || { tail -5 "$tmp/a2.log"; fail "rerun of the same configuration"; }
grep -q " 0 to compute over" "$tmp/a2.log" || fail "the rerun recomputed scores: $(grep '^scoring:' "$tmp/a2.log")"
# activations files keep the SHA-256 of the bytes written (F.h5.sha256): the rerun reads them in-process; a file
# whose bytes changed (here: its recorded digest) goes back to the isolated reader
n_act=$(grep -c "^activations: .* reused (committed" "$tmp/a2.log")
n_own=$(grep -c "^activations: .* reused (committed, key [0-9a-f]*, bytes as written: read in-process)" "$tmp/a2.log")
[[ $n_act -gt 0 && $n_own -eq $n_act ]] || fail "$n_own of $n_act reused activations files read in-process"
side=$(find "$dir/work/activations" -name '*.h5.sha256' | sort | head -1)
if [[ -n $side ]]; then
  cp "$side" "$tmp/side.keep"
  printf '%064d\n' 0 >"$side"
  run run "$config" -o "$out" >"$tmp/a3.log" 2>&1 || fail "rerun with a changed digest"
  n3=$(grep -c "^activations: .* reused (committed, key [0-9a-f]*, bytes as written: read in-process)" "$tmp/a3.log")
  [[ $n3 -eq $((n_act - 1)) ]] || fail "a file whose digest differs was trusted ($n3 of $n_act in-process)"
  cp "$tmp/side.keep" "$side"
else
  fail "no F.h5.sha256 beside the activations files"
fi
for f in leaderboard.csv leaderboard.json leaderboard.md config.sha256; do
  cmp -s "$tmp/a/$f" "$dir/$f" || fail "rerun: $f differs"
done
{ echo "; the same suite, written differently"; sed -e 's/^batch *= *[0-9]*/batch   =   4   ; smaller batches/' \
  -e 's/ = /=/' "$config"; echo; } >"$tmp/same.ini"
run -q run "$tmp/same.ini" -o "$out" >"$tmp/same.log" 2>&1 || { cat "$tmp/same.log"; fail "the same configuration written differently was refused"; }
cmp -s "$tmp/a/config.sha256" "$dir/config.sha256" || fail "config.sha256 changed for an equivalent configuration"
echo "1. fingerprint $(cut -c1-12 <<<"$fp"): a rerun and an equivalent configuration resume"

# 2. another configuration is refused, the directory is untouched
sed 's/^components *= *\([0-9]*\)/components = 7/' "$config" >"$tmp/other.ini"
cmp -s "$config" "$tmp/other.ini" && { echo "FAIL: $config has no 'components' key to change"; exit 1; }
listing "$dir" >"$tmp/before.txt"
run -q run "$tmp/other.ini" -o "$out" >"$tmp/b.out" 2>"$tmp/b.err"
rc=$?
errors=$(grep -c '^cortexbench run: error:' "$tmp/b.err")
line=$(grep '^cortexbench run: error:' "$tmp/b.err" | head -1)
echo "2. other configuration: exit $rc: $line"
[[ $rc -eq 1 ]] || fail "another configuration: exit status $rc, expected 1"
[[ $errors -eq 1 ]] || fail "another configuration: $errors error lines, expected 1"
[[ $line == *"$dir: holds the results of another configuration"*"--restart"* ]] || fail "the error does not name $dir and --restart"
listing "$dir" | cmp -s - "$tmp/before.txt" || fail "the refused run changed the directory"

# 2b. a run that failed before scoring (an unknown generator) leaves nothing
# to protect: a corrected configuration takes the directory over
sed 's/^generator *= *.*/generator = no-such-generator/' "$config" >"$tmp/typo.ini"
run -q run "$tmp/typo.ini" -o "$tmp/typo" >/dev/null 2>"$tmp/typo.err" && fail "the unknown generator was accepted"
[[ -f $tmp/typo/$suite/config.sha256 ]] || fail "the failed run stored no fingerprint"
run -q run "$config" -o "$tmp/typo" >"$tmp/typo2.log" 2>&1 || { cat "$tmp/typo2.log"; fail "the corrected configuration was refused"; }
cmp -s "$tmp/a/config.sha256" "$tmp/typo/$suite/config.sha256" || fail "the corrected configuration's fingerprint was not stored"
echo "2b. after a run that failed before scoring, the corrected configuration takes the directory over"

# 3. --restart clears and equals a run in a fresh directory
run -q run "$tmp/other.ini" -o "$tmp/fresh" >"$tmp/fresh.log" 2>&1 || { cat "$tmp/fresh.log"; fail "fresh run of the other configuration"; }
run -q run "$tmp/other.ini" -o "$out" --restart >"$tmp/c.log" 2>&1 || { cat "$tmp/c.log"; fail "--restart"; }
for f in leaderboard.csv leaderboard.json leaderboard.md config.sha256; do
  cmp -s "$tmp/fresh/$suite/$f" "$dir/$f" || fail "--restart: $f differs from a fresh run's"
done
diff -r "$tmp/fresh/$suite/scores" "$dir/scores" >/dev/null || fail "--restart: score files differ from a fresh run's"
ls -a "$dir" | grep -q '^\.scores\.old' && fail "--restart left the old scores behind"
cmp -s "$tmp/a/config.sha256" "$dir/config.sha256" && fail "--restart did not store the new fingerprint"
"$bin" run "$config" -o "$out" --restart --shard 0/2 >/dev/null 2>"$tmp/shard.err"
rc=$?
[[ $rc -eq 2 ]] || fail "--restart --shard: exit status $rc, expected 2 ($(cat "$tmp/shard.err"))"
echo "3. --restart: the same results as a fresh directory; with --shard exit $rc"

# 4. the lock: a second run while one runs, then after kill -9
slow_suite=$(sed -n 's/^name *= *//p' "$slow" | head -1)
sed 's/^generator *= *.*/generator = no-such-generator/' "$slow" >"$tmp/slow-typo.ini"
"$mpiexec" --bind-to none -n 2 "$bin" -q run "$slow" -o "$tmp/lock" >"$tmp/lock1.log" 2>&1 </dev/null &
bg=$!
for _ in $(seq 600); do [[ -s $tmp/lock/$slow_suite/.lock ]] && break; sleep 0.1; done
holder=$(cut -d' ' -f1 "$tmp/lock/$slow_suite/.lock" 2>/dev/null)
t0=$(date +%s.%N)
"$bin" -q run "$slow" -o "$tmp/lock" >/dev/null 2>"$tmp/lock2.err"
rc=$?
dt=$(echo "$(date +%s.%N) - $t0" | bc)
line=$(cat "$tmp/lock2.err")
echo "4. second run while the first holds the directory: exit $rc after $dt s: $line"
[[ $rc -eq 1 ]] || fail "second run: exit status $rc, expected 1"
[[ $(wc -l <"$tmp/lock2.err") -eq 1 ]] || fail "second run: not exactly one line on stderr"
[[ $line == *"$tmp/lock/$slow_suite: in use by another cortexbench run (pid $holder "* ]] ||
  fail "the error does not name the directory and the holder's pid $holder"
[[ -n $holder && $(tr '\0' ' ' <"/proc/$holder/cmdline" 2>/dev/null) == *"run $slow -o $tmp/lock"* ]] ||
  fail "pid $holder is not a rank of the first run"
kill -0 "$bg" 2>/dev/null || fail "the first run ended before the check (make SLOW_CONFIG slower)"
kill -KILL "$holder" 2>/dev/null # rank 0; mpirun then ends the job
wait "$bg" 2>/dev/null
bg=""
# The lock is free again: a run now gets past it (and stops at its unknown generator).
"$bin" -q run "$tmp/slow-typo.ini" -o "$tmp/lock" >/dev/null 2>"$tmp/lock3.err"
grep -q "in use by another" "$tmp/lock3.err" && fail "the lock outlived kill -9 of its holder"
grep -q "no-such-generator" "$tmp/lock3.err" || fail "after kill -9: unexpected '$(cat "$tmp/lock3.err")'"
echo "   after kill -9 of the holder: $(cat "$tmp/lock3.err")"

# 5. shards of one run share the directory
run -q run "$config" -o "$tmp/shards" --work "$tmp/shards/w0" --shard 0/2 >"$tmp/s0.log" 2>&1 &
s0=$!
run -q run "$config" -o "$tmp/shards" --work "$tmp/shards/w1" --shard 1/2 >"$tmp/s1.log" 2>&1
rc1=$?
wait $s0
rc0=$?
echo "5. two shards at once: exit $rc0 and $rc1"
[[ $rc0 -eq 0 && $rc1 -eq 0 ]] || { cat "$tmp/s0.log" "$tmp/s1.log"; fail "shards: exit $rc0 and $rc1, expected 0 and 0"; }
cmp -s "$tmp/a/config.sha256" "$tmp/shards/$suite/config.sha256" || fail "shards stored another fingerprint"
diff -r "$tmp/a/scores" "$tmp/shards/$suite/scores" >/dev/null || fail "the shards' score files differ from the full run's"
[[ $status -eq 0 ]] && echo "output directory: locked while a run writes it, one configuration, --restart starts over"
exit $status
