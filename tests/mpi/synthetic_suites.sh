#!/usr/bin/env bash
# Synthetic benchmarks (label synth):
#  1. `cortexbench generate` gives byte-identical datasets on 1, 2 and 3 ranks
#     for synthetic-v1, synthetic-it and synthetic-aud;
#  2. each generator's truth model scores ceiled >= 0.9 (PLS) on its own set,
#     pixels scores below the truth model, and below 0.3 on IT.
# usage: synthetic_suites.sh MPIEXEC CORTEXBENCH
set -uo pipefail
mpiexec=$1 bin=$2
tmp=$(mktemp -d /tmp/cb-synth.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
for id in synthetic-v1 synthetic-it synthetic-aud; do
  for n in 1 2 3; do
    "$mpiexec" --bind-to none --oversubscribe -n $n "$bin" -q generate $id --seed 2 --out "$tmp/$id-$n" >/dev/null \
      || fail "generate $id on $n ranks"
  done
  # every file identical; the records beside written HDF5 files (F.sha256: digest, then the file's stat, which is
  # this copy's own) identical in their digest line
  for n in 2 3; do
    diff -r -x '*.sha256' "$tmp/$id-1" "$tmp/$id-$n" >/dev/null || fail "$id: generation on $n ranks differs from 1 rank"
    for r in "$tmp/$id-1"/*.sha256; do
      [[ -f $r ]] || continue
      [[ $(head -1 "$r") == $(head -1 "$tmp/$id-$n/${r##*/}" 2>/dev/null) ]] || fail "$id: ${r##*/} differs on $n ranks"
    done
  done
  echo "$id: $(find "$tmp/$id-1" -type f | wc -l) files, identical on 1, 2 and 3 ranks"
done
# Score the truth models (and pixels for images) on the generated sets.
score() { # score SUITE-NAME DATASET-DIR REGION STRATIFY COMPONENTS MODELS...
  local name=$1 dir=$2 region=$3 strat=$4 comps=$5; shift 5
  {
    printf '[suite]\nname = %s\nseed = 2\n[dataset d]\nstimuli = %s/stimuli.csv\nassembly = %s/assembly.nc\n' \
      "$name" "$dir" "$dir"
    printf 'stimulus_degrees = %s\n' "$DEG"
    for m in "$@"; do printf '[model %s]\nseed = 2\n' "$m"; done
    printf '[benchmark b]\ndataset = d\nregion = %s\nstratify = %s\ncomponents = %s\n' "$region" "$strat" "$comps"
  } >"$tmp/$name.ini"
  "$mpiexec" --bind-to none -n 2 "$bin" -q run "$tmp/$name.ini" -o "$tmp/out" >"$tmp/$name.log" 2>&1 \
    || { tail -3 "$tmp/$name.log"; fail "run $name"; }
}
get() { awk -F, -v m="$2" '$2 == m {print $4}' "$tmp/out/$1/leaderboard.csv"; }
DEG=4 score v1 "$tmp/synthetic-v1-1" V1 texture_type 50 synthetic-v1-truth pixels
DEG=8 score it "$tmp/synthetic-it-1" IT category_name 25 synthetic-it-truth pixels
DEG=8 score aud "$tmp/synthetic-aud-1" auditory sound_type 25 synthetic-aud-truth
for s in v1 it aud; do
  truth=$(get $s synthetic-$s-truth); pix=$(get $s pixels)
  echo "$s: truth model $truth, pixels ${pix:-n/a (sounds)}"
  awk -v t="$truth" 'BEGIN { exit !(t >= 0.9) }' || fail "$s: truth model scores $truth < 0.9"
  if [[ -n $pix ]]; then
    awk -v t="$truth" -v p="$pix" 'BEGIN { exit !(p < t) }' || fail "$s: pixels $pix not below truth $truth"
  fi
done
awk -v p="$(get it pixels)" 'BEGIN { exit !(p < 0.3) }' || fail "IT: pixels scores >= 0.3"
[[ $status -eq 0 ]] && echo "synthetic suites: all checks passed"
exit $status
