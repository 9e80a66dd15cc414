#!/usr/bin/env bash
# Size and write time of activations files, before/after a format change
# (docs/formats.md, "Activations"): the public suite's visual models (their
# scored layers), tinycnn (all layers) and cornet_s (its last time steps) on a stimulus set, each written by
# BEFORE and AFTER (`cortexbench activations`, 1 rank), then re-written by
# bench_act_write at several deflate levels. One file on disk at a time.
# usage: act_size.sh BEFORE_BIN AFTER_BIN BENCH_ACT_WRITE STIMULI.csv WORKDIR [LEVELS]
set -euo pipefail
before=$1 after=$2 bench=$3 stimuli=$4 work=$5 levels=${6:-0,1,4,6}
models=${CORTEXBENCH_MODELS:-${CORTEXBENCH_HOME:-/work/shared/data}/models}
mkdir -p "$work"
sq="--mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --visual-degrees 8"
sql=/features/features.2/MaxPool_output_0,/features/features.3/Concat_output_0,/features/features.4/Concat_output_0
sql=$sql,/features/features.5/MaxPool_output_0,/features/features.6/Concat_output_0,/features/features.7/Concat_output_0
sql=$sql,/features/features.8/MaxPool_output_0,/features/features.9/Concat_output_0,/features/features.10/Concat_output_0
sql=$sql,/features/features.11/Concat_output_0,/features/features.12/Concat_output_0
sql=$sql,/classifier/classifier.3/GlobalAveragePool_output_0
specs=(
  "pixels|--model pixels"
  "tinycnn|--model tinycnn"
  "alexnet|--model alexnet --layers features.2,features.5,features.7,features.9,features.12,classifier.2,classifier.5"
  "resnet18|--model resnet18 --layers maxpool,layer1.1,layer2.1,layer3.1,layer4.1,avgpool"
  "cornet_z|--model cornet_z --layers V1.output,V2.output,V4.output,IT.output,decoder.avgpool"
  "v1like|--model v1like --layers v1.output"
  "squeezenet1_1|--model $models/squeezenet1_1.onnx $sq --layers $sql"
  "cornet_s|--model cornet_s --layers V1.output-t0,V2.output-t1,V4.output-t3,IT.output-t1,decoder.avgpool-t0"
)
printf "%-14s %14s %14s %8s %8s\n" model before_bytes after_bytes before_s after_s
for s in "${specs[@]}"; do
  name=${s%%|*} args=${s#*|}
  # shellcheck disable=SC2086
  t0=$(date +%s.%N); "$before" -q activations $args --stimuli "$stimuli" --out "$work/b.h5" >/dev/null; t1=$(date +%s.%N)
  bb=$(stat -c %s "$work/b.h5"); rm -f "$work/b.h5"
  # shellcheck disable=SC2086
  "$after" -q activations $args --stimuli "$stimuli" --out "$work/a.h5" >/dev/null; t2=$(date +%s.%N)
  ab=$(stat -c %s "$work/a.h5")
  printf "%-14s %14d %14d %8.1f %8.1f\n" "$name" "$bb" "$ab" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  "$bench" "$work/a.h5" "$work" "$levels" 1 | sed "s/^/  $name /"
  rm -f "$work/a.h5"
done
