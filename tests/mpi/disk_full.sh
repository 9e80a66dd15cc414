#!/usr/bin/env bash
# A disk that fills up while the ranks write activations (label mpi):
#  1. a reference run on a roomy tmpfs measures what the suite writes:
#     generated dataset D, the first model's activations P, the second's T;
#  2. for 1, 2 and 3 ranks (3 oversubscribed): a fresh run on a tmpfs of
#     D + P + T/2 (the first model's file fits, the second's does not) must
#     end within the timeout (no hang) with exit status 4 (fault) and one error line
#     naming the file and "No space left on device" (no Open MPI I/O error
#     lines), leave no temporary file, and keep the first model's committed
#     activations byte-identical to the reference's;
#  3. after the tmpfs is grown, the same command resumes: it reuses the
#     committed activations and gives the reference's leaderboard and score
#     files byte for byte.
# The tmpfs is mounted by the test (in a private mount namespace when
# unshare(1) allows it); without permission to mount, the test prints
# "skipped: ..." and exits 0 (ctest reports it as skipped).
# usage: disk_full.sh MPIEXEC CORTEXBENCH CONFIG   (CONFIG: two models, e.g. tests/mpi/small.ini)
set -uo pipefail
mpiexec=$1 bin=$2 config=$3
limit=${CB_DISK_FULL_TIMEOUT:-120} # seconds for one run; a hang fails the test

# A private mount namespace: the tmpfs disappears with the test, whatever happens.
if [[ -z ${CB_DISK_FULL_NS:-} ]] && command -v unshare >/dev/null && unshare -m --propagation private true 2>/dev/null; then
  CB_DISK_FULL_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

tmp=$(mktemp -d /tmp/cb-diskfull.XXXXXX)
mnt=$tmp/mnt
mkdir -p "$mnt"
# Uncompressed activations: a file then takes about the space reserved for it before writing (an upper bound of
# its size, docs/robustness.md "Reservation"), so a tmpfs of D + P + T/2 fits the first model's file and not the
# second's. (Compressed files reserve the same uncompressed bound and end smaller.)
sed '/^\[suite\]/a compression = 0' "$config" >"$tmp/suite.ini"
grep -q '^compression = 0' "$tmp/suite.ini" || { echo "FAIL: $config has no [suite] section"; exit 1; }
config=$tmp/suite.ini
mounted=0
cleanup() {
  ((mounted)) && { umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null; }
  [[ -n ${KEEP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
if ! mount -t tmpfs -o size=64m cb-diskfull "$mnt" 2>"$tmp/mount.err"; then
  echo "skipped: cannot mount a tmpfs for the disk-full test ($(head -1 "$tmp/mount.err")); needs root or CAP_SYS_ADMIN"
  exit 0
fi
mounted=1
status=0
fail() { echo "FAIL: $*"; status=1; }
kb() { du -sk "$1" | cut -f1; } # blocks in use (tmpfs: pages)

# 1. reference, on the roomy tmpfs
"$mpiexec" --bind-to none -n 2 "$bin" -q run "$config" -o "$mnt/ref" >"$tmp/ref.log" 2>&1 ||
  { cat "$tmp/ref.log"; echo "FAIL: reference run"; exit 1; }
suite=$(ls "$mnt/ref")
work=$mnt/ref/$suite/work
mapfile -t acts < <(cd "$work" && find activations -name '*.h5' | sort)
first=$(sed -n 's/^\[model \([^]]*\)\]/\1/p' "$config" | head -1)
second=$(sed -n 's/^\[model \([^]]*\)\]/\1/p' "$config" | sed -n 2p)
p_file=$(printf '%s\n' "${acts[@]}" | grep "^activations/$first/" | head -1)
t_file=$(printf '%s\n' "${acts[@]}" | grep "^activations/$second/" | head -1)
[[ -n $p_file && -n $t_file ]] || { echo "FAIL: $config: expected activations of $first and $second"; exit 1; }
D=$(kb "$work/datasets") P=$(kb "$work/$p_file") T=$(kb "$work/$t_file")
size=$((D + P + T / 2))
cp -r "$mnt/ref/$suite" "$tmp/ref"
rm -rf "$mnt/ref"
echo "reference: dataset ${D} kB, $first ${P} kB, $second ${T} kB; tmpfs for the faulty runs: ${size} kB"

for n in 1 2 3; do
  out=$mnt/r$n
  rm -rf "${mnt:?}"/*
  mount -o remount,size=${size}k "$mnt" || { fail "cannot shrink the tmpfs to ${size} kB"; continue; }
  flags=(--bind-to none -n "$n")
  ((n > 2)) && flags+=(--oversubscribe)
  t0=$SECONDS
  timeout -k 10 "$limit" "$mpiexec" "${flags[@]}" "$bin" -q run "$config" -o "$out" >"$tmp/full$n.out" 2>"$tmp/full$n.err"
  rc=$?
  errors=$(grep -c '^cortexbench run: error:' "$tmp/full$n.err")
  line=$(grep '^cortexbench run: error:' "$tmp/full$n.err" | head -1)
  echo "$n rank(s): exit $rc after $((SECONDS - t0)) s: $line"
  [[ $rc -ne 124 && $rc -ne 137 ]] || { fail "$n ranks: no exit within $limit s (hang)"; continue; }
  [[ $rc -eq 4 ]] || fail "$n ranks: exit status $rc, expected 4 (a fault)"
  [[ $errors -eq 1 ]] || fail "$n ranks: $errors error lines, expected 1"
  [[ $line == *"$second"*"No space left on device"* ]] || fail "$n ranks: the error does not name $second's file and the full disk"
  if grep -qiE 'pwritev|fbtl|MPI_ERR|HDF5-DIAG|Segmentation fault|exited on signal' "$tmp/full$n.err"; then
    fail "$n ranks: I/O errors or a crash on stderr:"; grep -iE 'pwritev|fbtl|MPI_ERR|HDF5-DIAG|Segmentation fault|exited on signal' "$tmp/full$n.err" | head -5
  fi
  left=$(find "$mnt" -name '.*.tmp.*' | wc -l)
  [[ $left -eq 0 ]] || { fail "$n ranks: $left temporary files left:"; find "$mnt" -name '.*.tmp.*'; }
  cmp -s "$tmp/ref/work/$p_file" "$out/$suite/work/$p_file" ||
    fail "$n ranks: $first's committed activations differ from the reference (or are missing)"
  [[ ! -e $out/$suite/work/$t_file ]] || fail "$n ranks: $second's activations exist although they did not fit"

  # 3. more room: the same command resumes and finishes like the reference
  mount -o remount,size=64m "$mnt" || { fail "cannot grow the tmpfs"; continue; }
  timeout -k 10 "$limit" "$mpiexec" "${flags[@]}" "$bin" run "$config" -o "$out" >"$tmp/resume$n.out" 2>&1
  rc=$?
  [[ $rc -eq 0 ]] || { tail -5 "$tmp/resume$n.out"; fail "$n ranks: resumed run exit status $rc"; continue; }
  grep -q "activations: $first .* reused (committed" "$tmp/resume$n.out" || fail "$n ranks: $first's activations were not reused"
  for f in leaderboard.csv leaderboard.md leaderboard.json; do
    cmp -s "$tmp/ref/$f" "$out/$suite/$f" || fail "$n ranks: resumed $f differs from the reference"
  done
  diff -r "$tmp/ref/scores" "$out/$suite/scores" >/dev/null || fail "$n ranks: resumed score files differ from the reference"
done
[[ $status -eq 0 ]] && echo "disk full: 1, 2 and 3 ranks stop together with one line, exit 1, nothing temporary left; committed work kept and reused"
exit $status
