#!/bin/bash
# Submits a sharded run of a suite: an N-task array of slurm/array_shard.sbatch
# and slurm/gather.sbatch chained with --dependency=afterok. Prints the two
# job ids ("ARRAY_ID GATHER_ID") on stdout.
#
#   slurm/submit_array.sh CONFIG OUT [N] [-- SBATCH_OPTIONS...]
#   slurm/submit_array.sh benchmarks/default.ini results
#   slurm/submit_array.sh benchmarks/default.ini results 4 -- --partition=short --ntasks=8
#
# N defaults to the number of models in CONFIG (one model per task).
# SBATCH_OPTIONS go to both submissions (partition, account, output files...);
# the array's sizing options (--ntasks, --cpus-per-task) then also apply to
# the one-task gather job, so prefer editing the #SBATCH lines of the
# templates for those. Run it from the repository root.
set -euo pipefail
usage="usage: slurm/submit_array.sh CONFIG OUT [N] [-- SBATCH_OPTIONS...]"
config=${1:?$usage}
out=${2:?$usage}
shift 2
n=""
if [[ $# -gt 0 && $1 != -- ]]; then n=$1; shift; fi
[[ $# -gt 0 && $1 == -- ]] && shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${CORTEXBENCH:-build/bin/cortexbench}
if [[ -z $n ]]; then
  # `cortexbench list models CONFIG`: one unindented line per model.
  n=$("$bin" -q list models "$config" | grep -c '^[^[:space:]]') || true
fi
if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then echo "submit_array.sh: bad shard count '$n'" >&2; exit 2; fi
array=$(sbatch --parsable --array=0-$((n - 1)) "$@" "$here/array_shard.sbatch" "$config" "$out")
array=${array%%;*}
gather=$(sbatch --parsable --dependency=afterok:"$array" "$@" "$here/gather.sbatch" "$config" "$out")
gather=${gather%%;*}
echo "$array $gather"
