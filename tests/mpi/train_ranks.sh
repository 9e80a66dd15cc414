#!/usr/bin/env bash
# Data-parallel training is rank-count independent: 25 steps of fmnist_cnn on Fashion-MNIST (5 micro-shards per
# step: blocks 5 | 3+2 | 2+2+1 over the ranks, Adam, flip and crop augmentation) under mpirun -n 1, 2 and 3 end with the
# same bytes (checkpoint ONNX and optimiser state) and print the same losses. Skipped without the data.
# usage: train_ranks.sh MPIEXEC CORTEXBENCH
set -uo pipefail
mpiexec=$1 bin=$2
data=/usr/share/datasets/fashion-mnist
if [[ ! -f $data/train-images-idx3-ubyte.gz ]]; then
  echo "skipped: $data missing (apt-get install dataset-fashion-mnist, scripts/deps.sh)"
  exit 0
fi
tmp=$(mktemp -d /tmp/cb-train-ranks.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/t.ini" <<'INI'
[train]
model = fmnist_cnn
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
exit $fail
