#!/usr/bin/env bash
# Data-parallel training is rank-count independent: 25 steps of a model on Fashion-MNIST (5 micro-shards per
# step: blocks 5 | 3+2 | 2+2+1 over the ranks, Adam, flip and crop augmentation) under mpirun -n 1, 2 and 3 end with the
# same bytes (checkpoint ONNX and optimiser state) and print the same losses. Skipped without the data.
# The model: fmnist_cnn, or with `bn-dropout` a PyTorch training-mode ONNX export with BatchNormalization (batch
# statistics per micro-shard, running statistics combined in shard order) and Dropout (masks drawn per shard),
# written by make_bn_dropout_onnx.py (skipped without torch); there, training must also have moved the running
# statistics.
# usage: train_ranks.sh MPIEXEC CORTEXBENCH [bn-dropout]
set -uo pipefail
mpiexec=$1 bin=$2 variant=${3:-}
data=/usr/share/datasets/fashion-mnist
if [[ ! -f $data/train-images-idx3-ubyte.gz ]]; then
  echo "skipped: $data missing (apt-get install dataset-fashion-mnist, scripts/deps.sh)"
  exit 0
fi
tmp=$(mktemp -d /tmp/cb-train-ranks.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
model=fmnist_cnn
if [[ $variant == bn-dropout ]]; then
  if ! /usr/bin/python3 -c "import torch, onnx" 2>/dev/null; then
    echo "skipped: /usr/bin/python3 lacks torch or onnx (scripts/deps.sh --reference)"
    exit 0
  fi
  model=$tmp/bn_dropout.onnx
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/make_bn_dropout_onnx.py" "$model" >/dev/null 2>&1 ||
    { echo "FAIL make_bn_dropout_onnx.py"; exit 1; }
fi
cat >"$tmp/t.ini" <<INI
[train]
model = $model
seed = 5
optimizer = adam
lr = 0.002
batch = 40
micro_batch = 8
steps = 25
train_images = 4000
test_images = 400
flip = true
crop_padding = 2
checkpoint_every = 25
log_every = 5
INI
fail=0
for n in 1 2 3; do
  "$mpiexec" --allow-run-as-root --oversubscribe --bind-to none -n $n "$bin" train "$tmp/t.ini" -o "$tmp/r$n" \
    >"$tmp/r$n.out" 2>&1 || { echo "FAIL $n ranks: exit $?"; cat "$tmp/r$n.out"; fail=1; }
  grep -E '^step' "$tmp/r$n.out" | sed -E 's/ +[0-9]+ images\/s.*//' >"$tmp/r$n.loss"
done
f=checkpoints/step-00000025
for n in 2 3; do
  if cmp "$tmp/r1/$f.onnx" "$tmp/r$n/$f.onnx" && cmp "$tmp/r1/$f.state" "$tmp/r$n/$f.state" &&
     cmp "$tmp/r1.loss" "$tmp/r$n.loss"; then
    echo "ok   $n ranks: weights, optimiser state and losses identical to 1 rank"
  else
    echo "FAIL $n ranks differ from 1 rank"; fail=1
  fi
done
[[ -s $tmp/r1.loss ]] || { echo "FAIL no progress lines"; fail=1; }
if [[ $variant == bn-dropout ]]; then # the running statistics moved, and the export's nodes were trained as such
  /usr/bin/python3 - "$model" "$tmp/r1/$f.onnx" <<'PY' || fail=1
import sys
import numpy as np
import onnx
from onnx import numpy_helper
a, b = (onnx.load(p) for p in sys.argv[1:3])
init = lambda m: {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
ia, ib = init(a), init(b)
bn = [n for n in a.graph.node if n.op_type == "BatchNormalization"]
drop = [n for n in a.graph.node if n.op_type == "Dropout"]
assert len(bn) == 2 and len(bn[0].output) >= 3 and len(drop) == 1 and len(drop[0].input) == 3, \
    "the export is not a training-mode export"
moved = [not np.array_equal(ia[n.input[3]], ib[n.input[3]]) for n in bn]
print(("ok  " if all(moved) else "FAIL") + "   running means moved by training: %s" % moved)
sys.exit(0 if all(moved) else 1)
PY
fi
exit $fail
