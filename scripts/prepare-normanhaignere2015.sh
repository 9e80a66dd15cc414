#!/usr/bin/env bash
# Fetches the Norman-Haignere et al. 2015 natural-sounds dataset into the
# cortexbench cache (verified against datasets/normanhaignere2015.ini) and
# converts it for benchmarks/normanhaignere2015.ini:
#   $CORTEXBENCH_HOME/datasets/normanhaignere2015/stimuli.csv  (165 sounds)
#   $CORTEXBENCH_HOME/datasets/normanhaignere2015/assembly.nc  (165 sounds x 6 components)
# usage: scripts/prepare-normanhaignere2015.sh [--mirror URL|DIR]
#   (clusters without internet: a pre-staged copy, e.g. --mirror ../shared/data)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${CORTEXBENCH:-$ROOT/build/bin/cortexbench}
[[ -x $bin ]] || { echo "prepare-normanhaignere2015: build cortexbench first (scripts/build.sh)" >&2; exit 1; }
dir=$("$bin" -q fetch normanhaignere2015 --no-progress "$@" | tail -1)
[[ -f $dir/category_labels.csv ]] || { echo "prepare-normanhaignere2015: fetch did not produce $dir" >&2; exit 1; }
# category_labels.csv: "stim_name,category" per line, no header -> BrainIO stimulus set.
tmp=$(mktemp "$dir/.stimuli.csv.XXXXXX")
{
  echo "stimulus_id,filename,category"
  { tr -d '\r' <"$dir/category_labels.csv"; echo; } | while IFS=, read -r id category; do
    [[ -n $id ]] && echo "$id,wav/$id.wav,$category"
  done
} >"$tmp"
mv "$tmp" "$dir/stimuli.csv"
# components.mat: R (165 sounds x 6 components) in the same sound order.
"$bin" -q import assembly "$dir/components.mat" --var R --dims stimulus,neuroid \
  --stimulus-ids "$dir/stimuli.csv" --neuroid-prefix component --region auditory \
  --identifier normanhaignere2015.components --stimulus-set normanhaignere2015.165sounds \
  --out "$dir/assembly.nc" >/dev/null
echo "$dir"
