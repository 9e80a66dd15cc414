#!/usr/bin/env bash
# Science test (ctest label science): on the real recordings of ../shared/data,
# does the suite reproduce the field's findings? Prepares the data into a
# private CORTEXBENCH_HOME through the documented fetch path (scripts/prepare.sh
# --mirror ../shared/data), runs tests/science/findings.ini under mpirun -n 2
# and checks, with paired bootstraps over stimuli (tests/science/check_findings.py):
#   trained SqueezeNet 1.1 > its untrained twin on human-IT RSA, monkey-IT RSA, V4 PLS;
#   trained > pixels on the same;
#   human-IT RSA rises with depth in the trained network (Spearman >= 0.7), the twin's reported.
# Skipped (exit 0, with a message) when ../shared/data is absent.
# usage: findings.sh CORTEXBENCH
set -euo pipefail
bin=$(realpath "$1")
root=$(pwd)
if [[ ! -f $root/../shared/data/models/squeezenet1_1.onnx || ! -d $root/../shared/data/cowley2023_v4 ]]; then
  echo "skipped: ../shared/data (kriegeskorte2008, cowley2023_v4, models) absent"; exit 0
fi
tmp=$(mktemp -d /tmp/cb-science.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CORTEXBENCH_HOME=$tmp/home
CORTEXBENCH=$bin "$root/scripts/prepare.sh" "$root/tests/science/findings.ini" --mirror "$root/../shared/data"
start=$(date +%s)
mpirun --bind-to none -n 2 "$bin" -q run "$root/tests/science/findings.ini" -o "$tmp/out" --work "$tmp/work" \
  >"$tmp/log" 2>&1 || { tail -20 "$tmp/log"; exit 1; }
echo "suite: $(( $(date +%s) - start )) s"
/usr/bin/python3 "$root/tests/science/check_findings.py" "$tmp/out/findings" "$bin"
