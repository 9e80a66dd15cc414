#!/usr/bin/env bash
# Fetches the Kriegeskorte et al. 2008 92-image dataset into the cortexbench
# cache (verified against datasets/kriegeskorte2008.ini) and converts its MAT
# RDMs into RDM files (docs/formats.md, "RDM files") for benchmarks/public.ini:
#   $CORTEXBENCH_HOME/datasets/kriegeskorte2008/hIT_subjects.h5  4 subjects x 2 sessions
#                                                               (subject names BE, KO, SN, TI: sessions
#                                                               of a subject share a name)
#   $CORTEXBENCH_HOME/datasets/kriegeskorte2008/mIT.h5           monkey IT (Kiani et al. 2007), 1 RDM
#   $CORTEXBENCH_HOME/datasets/kriegeskorte2008/models.h5        the 8 model RDMs (animacy, ..., RADON)
# usage: scripts/prepare-kriegeskorte2008.sh [--mirror URL|DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${CORTEXBENCH:-$ROOT/build/bin/cortexbench}
[[ -x $bin ]] || { echo "prepare-kriegeskorte2008: build cortexbench first (scripts/build.sh)" >&2; exit 1; }
dir=$("$bin" -q fetch kriegeskorte2008 --no-progress "$@" | tail -1)
[[ -f $dir/stimuli.csv ]] || { echo "prepare-kriegeskorte2008: fetch did not produce $dir" >&2; exit 1; }
ids=$dir/stimuli.csv
"$bin" -q import rdm "$dir/92_brainRDMs.mat" --var RDMs.RDM --stimulus-ids "$ids" \
  --subjects BE,KO,SN,TI,BE,KO,SN,TI --out "$dir/hIT_subjects.h5" >/dev/null
"$bin" -q import rdm "$dir/Kriegeskorte_Neuron2008_supplementalData.mat" --var RDMs_mIT_hIT_fig1.RDM \
  --element 1 --stimulus-ids "$ids" --out "$dir/mIT.h5" >/dev/null
"$bin" -q import rdm "$dir/92_modelRDMs.mat" --var Models.RDM --stimulus-ids "$ids" --out "$dir/models.h5" >/dev/null
echo "$dir"
