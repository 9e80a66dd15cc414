#!/usr/bin/env bash
# cortexbench train with data = synthetic-it, end to end at tiny scale: 4 steps of synit_cnn (2 micro-shards per
# step, a new generated image at every position), a step-0 checkpoint and evaluations on the 640 images of the
# evaluated set (test_seed), under mpirun -n 1 and -n 2: the same checkpoint bytes (ONNX and optimiser state),
# the same losses and test accuracies; the checkpoints at steps 0, 2, 4 exist and step 0 differs from step 4;
# a data_seed equal to test_seed, epochs, or a missing data_seed are refused (exit 1, one line naming the file).
# usage: train_synth.sh MPIEXEC CORTEXBENCH
set -uo pipefail
mpiexec=$1 bin=$2
tmp=$(mktemp -d /tmp/cb-train-synth.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
cat >"$tmp/t.ini" <<'INI'
[train]
model = synit_cnn
seed = 3
data = synthetic-it
data_seed = 77
test_seed = 1
optimizer = adam
lr = 0.001
batch = 16
micro_batch = 8
steps = 4
start_checkpoint = true
checkpoint_every = 2
eval_every = 4
log_every = 1
INI
for n in 1 2; do
  "$mpiexec" --allow-run-as-root --bind-to none -n $n "$bin" train "$tmp/t.ini" -o "$tmp/r$n" >"$tmp/r$n.out" 2>&1
  rc=$?
  check "$n rank(s): exit 0 (got $rc)" "[[ $rc -eq 0 ]]"
  [[ $rc -eq 0 ]] || cat "$tmp/r$n.out"
  grep -E '^step' "$tmp/r$n.out" | sed -E 's/ +[0-9]+ images\/s.*//' >"$tmp/r$n.loss"
  cut -d, -f1-5 "$tmp/r$n/curve.csv" >"$tmp/r$n.curve" 2>/dev/null
done
c=checkpoints
check "checkpoints at steps 0, 2, 4" "[[ -f $tmp/r1/$c/step-00000000.onnx && -f $tmp/r1/$c/step-00000002.onnx && -f $tmp/r1/$c/step-00000004.onnx ]]"
check "curve: header, step 0 and step 4" "[[ \$(cut -d, -f1 $tmp/r1.curve | tr '\n' ' ') == 'step 0 4 ' ]]"
check "4 training steps and 2 evaluations in the log" "[[ \$(grep -c '^step [1-4]/4' $tmp/r1.loss) -eq 4 && \$(grep -c test $tmp/r1.loss) -eq 2 ]]"
check "training changed the weights" "! cmp -s $tmp/r1/$c/step-00000000.onnx $tmp/r1/$c/step-00000004.onnx"
check "2 ranks: same ONNX, state, losses, curve as 1 rank" "cmp $tmp/r1/$c/step-00000004.onnx $tmp/r2/$c/step-00000004.onnx && cmp $tmp/r1/$c/step-00000004.state $tmp/r2/$c/step-00000004.state && cmp $tmp/r1.loss $tmp/r2.loss && cmp $tmp/r1.curve $tmp/r2.curve"
bad() { # name, sed expression on the good configuration, expected message
  sed "$2" "$tmp/t.ini" >"$tmp/$1.ini"
  "$bin" train "$tmp/$1.ini" -o "$tmp/$1" >"$tmp/$1.out" 2>&1
  local rc=$?
  check "$1 refused: exit 1, one line naming the file (got $rc)" \
    "[[ $rc -eq 1 ]] && grep -q '$tmp/$1.ini.*$3' $tmp/$1.out && [[ ! -e $tmp/$1 ]]"
}
bad same_seed 's/^data_seed = 77/data_seed = 1/' 'equals test_seed'
bad epochs 's/^steps = 4/epochs = 1/' 'epochs does not apply'
bad no_seed '/^data_seed/d' 'needs data_seed'
echo "$pass passed, $fail failed"
exit $((fail > 0))
