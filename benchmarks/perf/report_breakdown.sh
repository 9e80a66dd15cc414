#!/usr/bin/env bash
# Where the time of a run's report goes (not a test: timings on a shared machine).
#
#   benchmarks/perf/report_breakdown.sh [-b BUILD_DIR] [-w WORK_DIR] [-r REPEATS]
#
# The size of a user's case (#18): 440 stimuli, 360 V1 neuroids, 8 zoo networks at 96 pixels (7 layers each,
# the largest first layers among them) and an RDM benchmark, so that the report draws RDMs from the largest
# activations. The first run computes activations and scores (minutes; kept in WORK_DIR, default
# /tmp/cb-report-case, for the next call); then the suite is rerun REPEATS times (default 3) with every score
# reused, so that the rerun is the leaderboard and the report, and the script prints the report's breakdown
# (`cortexbench -v run` logs it: score files, leaderboard files, brain RDM, model RDMs read and computed, page and
# figure files) and the median of the reruns' report times.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="$ROOT/build" work=/tmp/cb-report-case reps=3
while getopts "b:w:r:" o; do
  case $o in
    b) build=$OPTARG ;; w) work=$OPTARG ;; r) reps=$OPTARG ;;
    *) echo "usage: benchmarks/perf/report_breakdown.sh [-b BUILD_DIR] [-w WORK_DIR] [-r REPEATS]" >&2; exit 2 ;;
  esac
done
cb="$build/bin/cortexbench"
[[ -x "$cb" ]] || { echo "$cb not built (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$work"
[[ -f "$work/data/assembly.nc" ]] || /usr/bin/python3 "$ROOT/benchmarks/perf/make_report_case.py" "$work/data"
cat >"$work/case.ini" <<'INI'
[suite]
name = rcase
seed = 3
batch = 32

[dataset case]
stimuli = data/stimuli.csv
assembly = data/assembly.nc
stimulus_degrees = 8

[model pixels]
layers = pixels
zoo = pixels

[model tinycnn]
layers = features.0, features.1, features.3, features.4, features.5
zoo = tinycnn

[model alexnet]
layers = features.0, features.1, features.6, features.12, classifier.1, classifier.5, classifier.6
zoo = alexnet
input_size = 96

[model alexnet-untrained]
layers = features.0, features.1, features.6, features.12, classifier.1, classifier.5, classifier.6
zoo = alexnet
input_size = 96
reinit = pytorch

[model resnet18]
layers = conv1, bn1, layer1.1, layer3.0.conv1, layer4.0.bn1, flatten, fc
zoo = resnet18
input_size = 96

[model cornet_z]
layers = V1.conv, V1.nonlin, V2.nonlin, V4.pool, IT.output, decoder.linear, decoder.output
zoo = cornet_z
input_size = 96

[model vgg16]
layers = features.0, features.1, features.10, features.21, avgpool.cols, classifier.5, classifier.6
zoo = vgg16
input_size = 96

[model cornet_s]
layers = V1.conv1-t0, V1.norm1-t0, V2.nonlin2-t1, V4.norm3_1-t1, IT.skip-t0, decoder.linear-t0, decoder.output-t0
zoo = cornet_s
input_size = 96

[benchmark case.V1-rdm]
dataset = case
region = V1
metric = rdm
distance = 1-pearson
compare = spearman
splits = 3
ceiling = internal
normalise = r/c
INI
cd "$work"
echo "first run (activations and scores; reused by later calls) in $work" >&2
"$cb" -q run case.ini -o "$work/out" >/dev/null
times=()
for ((i = 0; i < reps; ++i)); do
  line=$("$cb" -v run case.ini -o "$work/out" 2>&1 >/dev/null | grep -E 'report: [0-9.]+ s: ' | tail -1)
  echo "$line"
  times+=("$(sed -E 's/.*report: ([0-9.]+) s.*/\1/' <<<"$line")")
done
printf '%s\n' "${times[@]}" | sort -g | awk '{v[NR] = $1} END {printf "report: median %.2f s over %d reruns\n", v[int((NR + 1) / 2)], NR}'
