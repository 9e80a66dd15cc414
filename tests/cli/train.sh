#!/usr/bin/env bash
# cortexbench train on Fashion-MNIST (skipped when dataset-fashion-mnist is not installed):
#  1. a short run writes checkpoints that onnx.checker accepts (full_check) and a curve;
#  2. `cortexbench activations --model CHECKPOINT` reads a checkpoint, and its logits on 8 test images equal a
#     NumPy forward of the checkpoint's own weights (1e-4);
#  3. a run killed with kill -9 after its first checkpoint, then run again with the same command, ends with the
#     same bytes (ONNX and optimiser state) and curve as the uninterrupted run; run again without its checkpoints,
#     it writes a new curve (not rows appended to the old one);
#  4. another configuration in the same directory is refused; bad configurations give one line and exit 1.
# usage: train.sh CORTEXBENCH   (from the repository root)
set -uo pipefail
bin=$1
py=/usr/bin/python3
data=/usr/share/datasets/fashion-mnist
if [[ ! -f $data/train-images-idx3-ubyte.gz ]]; then
  echo "skipped: $data missing (apt-get install dataset-fashion-mnist, scripts/deps.sh)"
  exit 0
fi
tmp=$(mktemp -d /tmp/cb-train.XXXXXX)
pid=
trap '[[ -n $pid ]] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }

cat >"$tmp/t.ini" <<'INI'
[train]
model = fmnist_cnn
seed = 3
optimizer = sgd
lr = 0.05
momentum = 0.9
nesterov = true
weight_decay = 0.0005
schedule = cosine
warmup = 5
batch = 32
micro_batch = 8
steps = 120
train_images = 6000
test_images = 500
flip = true
crop_padding = 2
checkpoint_every = 10
eval_every = 60
log_every = 20
INI

# 1. uninterrupted run
"$bin" train "$tmp/t.ini" -o "$tmp/a" >"$tmp/a.out" 2>&1
rc=$?
check "uninterrupted run: exit 0 (got $rc)" "[[ $rc -eq 0 ]]"
final=checkpoints/step-00000120
check "final checkpoint and latest written" "[[ -f $tmp/a/$final.onnx && -f $tmp/a/$final.state && \$(cat $tmp/a/checkpoints/latest) == $final ]]"
check "progress line: step, loss, accuracy, images/s, ETA" "grep -qE '^step 120/120 .*loss [0-9.]+ +acc [0-9.]+% +test [0-9.]+% +[0-9]+ images/s +ETA' $tmp/a.out"
check "curve.csv: header and 2 rows" "[[ \$(wc -l <$tmp/a/curve.csv) -eq 3 ]]"
check "onnx.checker accepts the checkpoint" "$py -c 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)' $tmp/a/$final.onnx"

# 2. the activations path reads the checkpoint; logits against NumPy
$py - "$tmp" "$data" <<'PY' || echo "FAIL stimulus set"
import gzip, sys, numpy as np
from PIL import Image
tmp, data = sys.argv[1:3]
with gzip.open(f"{data}/t10k-images-idx3-ubyte.gz") as f:
    im = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
with open(f"{tmp}/set.csv", "w") as f:
    f.write("stimulus_id,filename\n")
    for i in range(8):
        Image.fromarray(im[i]).save(f"{tmp}/s{i}.png")
        f.write(f"s{i},s{i}.png\n")
np.save(f"{tmp}/x.npy", im[:8])
PY
"$bin" activations --model "$tmp/a/$final.onnx" --stimuli "$tmp/set.csv" --layers classifier.2 --out "$tmp/act.h5" \
  --mean 0.286,0.286,0.286 --std 0.353,0.353,0.353 --visual-degrees 8 --stimulus-degrees 8 >"$tmp/act.out" 2>&1
rc=$?
check "activations --model CHECKPOINT: exit 0 (got $rc)" "[[ $rc -eq 0 ]]"
check "checkpoint logits = NumPy forward of its weights" "$py - $tmp/a/$final.onnx $tmp/act.h5 $tmp/x.npy <<'PY'
import sys, numpy as np, onnx, h5py
from onnx import numpy_helper
m = onnx.load(sys.argv[1]); W = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
x = ((np.load(sys.argv[3]).astype(np.float64) / 255 - 0.286) / 0.353)[:, None]
def conv(x, w, b):
    n, c, h, wd = x.shape; xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack([xp[:, :, i:i + h, j:j + wd] for i in range(3) for j in range(3)], 2)  # n c 9 h w
    return np.einsum('nckhw,ock->nohw', cols, w.reshape(w.shape[0], c, 9)) + b[None, :, None, None]
pool = lambda x: x.reshape(x.shape[0], x.shape[1], x.shape[2] // 2, 2, x.shape[3] // 2, 2).max((3, 5))
relu = lambda x: np.maximum(x, 0)
y = pool(relu(conv(x, W['features.0.weight'], W['features.0.bias'])))
y = pool(relu(conv(y, W['features.3.weight'], W['features.3.bias']))).reshape(len(x), -1)
y = relu(y @ W['classifier.0.weight'].T + W['classifier.0.bias'])
y = y @ W['classifier.2.weight'].T + W['classifier.2.bias']
with h5py.File(sys.argv[2]) as f:
    a = np.asarray(f['classifier.2']).reshape(len(x), -1)
err = np.abs(a - y).max() / np.abs(y).max(); print('max rel err', err); sys.exit(0 if err < 1e-4 else 1)
PY"

# 3. kill -9 after the first checkpoint, then resume
"$bin" train "$tmp/t.ini" -o "$tmp/b" >"$tmp/b1.out" 2>&1 &
pid=$!
for _ in $(seq 600); do [[ -f $tmp/b/checkpoints/latest ]] && break; sleep 0.05; done
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
pid=
last=$(cat "$tmp/b/checkpoints/latest" 2>/dev/null)
check "killed before the end (latest: $last)" "[[ -n '$last' && '$last' != '$final' ]]"
"$bin" train "$tmp/t.ini" -o "$tmp/b" >"$tmp/b2.out" 2>&1
rc=$?
check "resumed run: exit 0 (got $rc) and says it resumed" "[[ $rc -eq 0 ]] && grep -q '^resuming from' $tmp/b2.out"
check "resumed = uninterrupted, bitwise (ONNX and optimiser state)" \
  "cmp $tmp/a/$final.onnx $tmp/b/$final.onnx && cmp $tmp/a/$final.state $tmp/b/$final.state"
check "resumed curve = uninterrupted curve (steps, losses, accuracies)" \
  "diff <(cut -d, -f1-5 $tmp/a/curve.csv) <(cut -d, -f1-5 $tmp/b/curve.csv)"
# a fresh run (no checkpoints) in a directory that keeps an earlier run's curve starts a new curve
rm -rf "$tmp/b/checkpoints"
"$bin" train "$tmp/t.ini" -o "$tmp/b" >"$tmp/b3.out" 2>&1
rc=$?
check "fresh run over an old curve: exit 0 (got $rc), the same curve, no rows appended" \
  "[[ $rc -eq 0 ]] && diff <(cut -d, -f1-5 $tmp/a/curve.csv) <(cut -d, -f1-5 $tmp/b/curve.csv)"

# 4. errors
sed 's/seed = 3/seed = 4/' "$tmp/t.ini" >"$tmp/t2.ini"
"$bin" train "$tmp/t2.ini" -o "$tmp/a" >/dev/null 2>"$tmp/c.err"
rc=$?
check "another configuration in the directory: exit 1, one line on stderr (got $rc)" \
  "[[ $rc -eq 1 && \$(wc -l <$tmp/c.err) -eq 1 ]] && grep -q 'another configuration' $tmp/c.err"
printf '[train]\nmodel = fmnist_cnn\nsteps = 1\nbatch = 30\nmicro_batch = 8\n' >"$tmp/bad.ini"
"$bin" train "$tmp/bad.ini" -o "$tmp/d" >"$tmp/d.out" 2>&1
rc=$?
check "micro_batch not dividing batch: exit 1, one line naming the file (got $rc)" \
  "[[ $rc -eq 1 && \$(wc -l <$tmp/d.out) -eq 1 ]] && grep -q 'bad.ini.*does not divide' $tmp/d.out"
"$bin" train >"$tmp/e.out" 2>&1
check "no CONFIG: exit 2" "[[ $? -eq 2 ]]"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
