#!/usr/bin/env bash
# Scoring time of a held-out-sized case (#18 item 7; not a test: timings on a shared machine).
#
#   benchmarks/perf/heldout_case.sh [-b BUILD_DIR] [-w WORK_DIR] [-n RANKS]
#
# 440 stimuli (random 64 x 64 textures), 360 V1 neuroids with 4 repetitions, every layer of eight zoo networks
# (pixels, tinycnn, and alexnet, vgg16, resnet18, cornet_z, cornet_s, resnet50 at 64 pixels: 446 layers, 10.8 GB of
# activations compressed), one PLS benchmark (25 components, 10 splits): 446 scoring tasks. It runs the suite once
# under mpirun with RANKS ranks (default 2; activations and scores), then scores again on the reused activations
# twice: read in-process (their bytes are those written, F.h5.sha256) and through the isolated reader (the digests
# set aside), and prints the stage timings of each run and whether the three runs' score files are identical.
# WORK_DIR (default /tmp/cb-heldout-case) keeps the data and activations for the next call.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="$ROOT/build" work=/tmp/cb-heldout-case ranks=2
while getopts "b:w:n:" o; do
  case $o in
    b) build=$OPTARG ;; w) work=$OPTARG ;; n) ranks=$OPTARG ;;
    *) echo "usage: benchmarks/perf/heldout_case.sh [-b BUILD_DIR] [-w WORK_DIR] [-n RANKS]" >&2; exit 2 ;;
  esac
done
cb="$build/bin/cortexbench"
[[ -x "$cb" ]] || { echo "$cb not built (scripts/build.sh)" >&2; exit 2; }
# shellcheck source=/dev/null
source "$ROOT/scripts/env.sh"
mkdir -p "$work"
[[ -f "$work/data/assembly.nc" ]] || /usr/bin/python3 "$ROOT/benchmarks/perf/make_report_case.py" "$work/data"
{
  printf '[suite]\nname = heldout\nseed = 3\n\n[dataset case]\nstimuli = data/stimuli.csv\n'
  printf 'assembly = data/assembly.nc\nstimulus_degrees = 8\n\n'
  printf '[model pixels]\nzoo = pixels\n\n[model tinycnn]\nzoo = tinycnn\n\n'
  for m in alexnet vgg16 resnet18 cornet_z cornet_s resnet50; do printf '[model %s]\nzoo = %s\ninput_size = 64\n\n' $m $m; done
  printf '[benchmark case.V1-pls]\ndataset = case\nregion = V1\nmetric = pls\n'
} >"$work/case.ini"
root_flag=()
[[ $(id -u) -eq 0 ]] && root_flag=(--allow-run-as-root)
over=()
[[ $ranks -gt 2 ]] && over=(--oversubscribe)
run() { # LABEL: one run of the suite, its stage table
  local label=$1
  (cd "$work" && mpirun "${root_flag[@]}" "${over[@]}" --bind-to none -np "$ranks" "$cb" run case.ini -o out >"run-$label.log" 2>&1)
  echo "== $label"
  grep -E "^(activations files|  (stage|activations|write activations|scores|leaderboard) )" "$work/run-$label.log"
}
scores="$work/out/heldout/scores"
rm -rf "$scores"
run first
du -sh "$work/out/heldout/work/activations" | sed 's/^/activations on disk: /'
cp -r "$scores" "$work/scores-first"
rm -rf "$scores"
run reused-in-process
cp -r "$scores" "$work/scores-inproc"
acts="$work/out/heldout/work/activations"
find "$acts" -name '*.h5.sha256' -exec mv {} {}.aside \;
rm -rf "$scores"
run reused-isolated
find "$acts" -name '*.h5.sha256.aside' | while read -r f; do mv "$f" "${f%.aside}"; done
if diff -r "$work/scores-first" "$scores" >/dev/null && diff -r "$work/scores-inproc" "$scores" >/dev/null; then
  echo "score files: identical in the three runs"
else
  echo "score files: DIFFER between runs"
  exit 1
fi
rm -rf "$work/scores-first" "$work/scores-inproc"
