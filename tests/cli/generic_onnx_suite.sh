#!/usr/bin/env bash
# Any recording and any ONNX model through configuration alone (README "Your own
# recordings and ONNX model"): a dataset and two models that no built-in code knows.
#  - tests/cli/make_generic_dataset.py writes 60 seeded PNGs with a BrainIO stimulus
#    CSV (category column) as CSV + zip and as CSV + directory, a BrainIO netCDF
#    assembly of simulated V4 responses (3 repetitions; a fixed random map of the
#    images plus noise) and an IT population as a bare .npy, converted here with
#    `cortexbench import assembly`;
#  - a suite INI (written here) with ../shared/data/models/mnist-8.onnx (28x28,
#    one channel: fed the luminance of the RGB images) and resnet20_cifar10.onnx
#    (CIFAR mean/std), each with layers (found with `cortexbench list models`),
#    mean, std, visual_degrees; `pixels`; PLS + RDM benchmarks on V4, PLS on IT;
#  - run under mpirun -n 2: exit 0, a leaderboard row per model, a finite score file
#    per (benchmark, model, layer), zip and directory give the same activations,
#    mnist's first convolution matches NumPy on the luminance image, the pixel
#    baseline predicts the responses and not a stimulus-shuffled copy, and a rerun
#    reuses every activations file and score;
#  - input_size on a copy of resnet20 with symbolic H, W must give the fixed model's
#    activations;
#  - configuration mistakes: a missing onnx file, a layer the model lacks, `mean`
#    with two numbers, an input_size against a fixed input: one line on stderr,
#    non-zero exit, no leaderboard.
# Skips (exit 0, "skipped: ...") when ../shared/data/models is absent.
# usage: generic_onnx_suite.sh CORTEXBENCH [MPIEXEC]   (from the project root)
set -uo pipefail
bin=$1 mpiexec=${2:-mpirun}
py=/usr/bin/python3
models=../shared/data/models
if [[ ! -f $models/mnist-8.onnx || ! -f $models/resnet20_cifar10.onnx ]]; then
  echo "skipped: $models (mnist-8.onnx, resnet20_cifar10.onnx) absent"; exit 0
fi
tmp=$(mktemp -d /tmp/cb-generic.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
say() { echo "$1"; [[ $1 == FAIL* ]] && fail=1; return 0; }
mpi=("$mpiexec" --bind-to none --oversubscribe -n 2)
[[ $(id -u) -eq 0 ]] && mpi+=(--allow-run-as-root)
export OPENBLAS_NUM_THREADS=1 CB_TEST_MODELS
CB_TEST_MODELS=$(cd "$models" && pwd)

# 1. The user's files.
$py tests/cli/make_generic_dataset.py "$tmp/data" --seed 7 --images 60 || { echo "FAIL: make_generic_dataset.py"; exit 1; }
"$bin" -q import assembly "$tmp/data/it.npy" --out "$tmp/data/it.nc" --stimulus-ids "$tmp/data/dir/shapes.csv" \
  --region IT --identifier test.generic-shapes.IT --stimulus-set test.generic-shapes >/dev/null \
  || { echo "FAIL: import assembly it.npy"; exit 1; }

# 2. Layer names as `cortexbench list models` prints them.
mnist_layers=(ReLU32_Output_0 ReLU114_Output_0 Pooling160_Output_0)
resnet_layers=(/layer1/layer1.2/Relu_1_output_0 /layer2/layer2.2/Relu_1_output_0 /layer3/layer3.2/Relu_1_output_0
  /AveragePool_output_0)
"$bin" list models "$models/mnist-8.onnx" >"$tmp/list-mnist.txt" 2>&1 || say "FAIL list models mnist-8.onnx"
"$bin" list models "$models/resnet20_cifar10.onnx" >"$tmp/list-resnet.txt" 2>&1 || say "FAIL list models resnet20"
grep -q "input 1x28x28" "$tmp/list-mnist.txt" || say "FAIL list models: mnist-8 input is not 1x28x28"
missing=0
for l in "${mnist_layers[@]}"; do grep -qE "^  $l " "$tmp/list-mnist.txt" || { say "FAIL list models: no $l"; missing=1; }; done
for l in "${resnet_layers[@]}"; do grep -qE "^  $l " "$tmp/list-resnet.txt" || { say "FAIL list models: no $l"; missing=1; }; done
[[ $missing -eq 0 ]] && say "ok   list models shows the configured layers"

# 3. The suite: relative paths resolve against the INI's directory, ${VAR} from the environment.
cat >"$tmp/suite.ini" <<'INI'
[suite]
name = generic
seed = 1

; BrainIO stimulus set as CSV + zip, assembly as BrainIO netCDF
[dataset shapes]
stimuli = data/zip/shapes.csv
assembly = data/v4.nc
stimulus_degrees = 8

; the same stimuli as CSV + directory, an assembly imported from a .npy
[dataset shapes-dir]
stimuli = data/dir/shapes.csv
assembly = data/it.nc
stimulus_degrees = 8

; 28x28 grey-level digits: one input channel, gets the luminance of the images;
; [0, 1] pixels (only the first mean/std value applies to one channel)
[model mnist]
onnx = ${CB_TEST_MODELS}/mnist-8.onnx
input_size = 28
mean = 0, 0, 0
std = 1, 1, 1
visual_degrees = 8
layers = ReLU32_Output_0, ReLU114_Output_0, Pooling160_Output_0

; CIFAR-10 ResNet-20, 32x32 RGB, CIFAR statistics
[model resnet20]
onnx = ${CB_TEST_MODELS}/resnet20_cifar10.onnx
mean = 0.4914, 0.4822, 0.4465
std = 0.2470, 0.2435, 0.2616
visual_degrees = 8
layers = /layer1/layer1.2/Relu_1_output_0, /layer2/layer2.2/Relu_1_output_0,
  /layer3/layer3.2/Relu_1_output_0,
  /AveragePool_output_0

[model pixels]
input_size = 32

[benchmark shapes.V4-pls]
dataset = shapes
region = V4
metric = pls
stratify = category
splits = 5
train_fraction = 0.8
components = 10

[benchmark shapes.V4-rdm]
dataset = shapes
region = V4
metric = rdm
split = all

[benchmark shapes-dir.IT-pls]
dataset = shapes-dir
region = IT
metric = pls
split = shuffle
splits = 5
train_fraction = 0.8
components = 10
INI
start=$(date +%s.%N)
"${mpi[@]}" "$bin" run "$tmp/suite.ini" -o "$tmp/res" >"$tmp/run1.txt" 2>&1
rc=$?
root=$tmp/res/generic
if [[ $rc -ne 0 ]]; then
  say "FAIL run under mpirun -n 2: exit $rc"; grep -v '^scores \[' "$tmp/run1.txt" | sed 's/^/     | /' | tail -20
  exit 1
fi
say "ok   run under mpirun -n 2 ($(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s)"

# 4. Results.
layers_json=$(printf '{"mnist": [%s], "resnet20": [%s], "pixels": ["pixels"]}' \
  "$(printf '"%s",' "${mnist_layers[@]}" | sed 's/,$//')" "$(printf '"%s",' "${resnet_layers[@]}" | sed 's/,$//')")
if $py - "$root" "$layers_json" <<'PY'; then say "ok   leaderboard rows and 24 finite score files"; else say "FAIL results"; fi
import csv, json, math, os, sys
root, layers = sys.argv[1], json.loads(sys.argv[2])
rows = list(csv.DictReader(open(os.path.join(root, "leaderboard.csv"))))
assert sorted(r["model"] for r in rows) == sorted(layers), rows
benchmarks = ["shapes.V4-pls", "shapes.V4-rdm", "shapes-dir.IT-pls"]
for r in rows:
    for b in benchmarks:
        assert math.isfinite(float(r[b])), (r["model"], b, r[b])
        assert r[b + ".layer"] in layers[r["model"]], (r["model"], b, r[b + ".layer"])
n = 0
for b in benchmarks:
    for m, ls in layers.items():
        for l in ls:  # file name: the layer name with '%' and '/' percent-encoded
            f = os.path.join(root, "scores", b, m, l.replace("%", "%25").replace("/", "%2F") + ".json")
            s = json.load(open(f))
            assert (s["model"], s["layer"], s["benchmark"]) == (m, l, b), (f, s)
            for k in ("score", "raw", "ceiling"):
                assert isinstance(s[k], float) and math.isfinite(s[k]), (f, k, s[k])
            n += 1
assert n == 24, n
PY

# Zip and directory layouts give the same activations; mnist-8 sees the images' luminance.
if $py - "$root/work/activations" "$tmp/data/dir" "$CB_TEST_MODELS/mnist-8.onnx" <<'PY'; then say "ok   zip = directory activations; mnist-8 conv1 = NumPy on luminance"; else say "FAIL activations"; fi
import sys
import h5py, numpy as np, onnx
from onnx import numpy_helper
from PIL import Image
act, d, mnist = sys.argv[1:4]
def layers(f):  # activations version 2: {layer name: variable}, in file order
    return {v.attrs["layer"]: v for v in f.values() if "layer" in v.attrs}
for m in ("mnist", "resnet20", "pixels"):
    with h5py.File(f"{act}/{m}/shapes.h5") as a, h5py.File(f"{act}/{m}/shapes-dir.h5") as b:
        la, lb = layers(a), layers(b)
        assert list(la) == list(lb)
        for k in la:
            assert np.array_equal(la[k][()], lb[k][()]), (m, k)
# Reference: PIL's BILINEAR (antialiased) resize of each channel in float, ITU-R 601 luma, /255,
# then the model's first Conv (5x5, SAME_UPPER, no bias) in NumPy.
init = {t.name: numpy_helper.to_array(t) for t in onnx.load(mnist).graph.initializer}
w = init["Parameter5"].astype(np.float64)  # (8, 1, 5, 5)
with h5py.File(f"{act}/mnist/shapes-dir.h5") as f:
    ids = [s.decode() for s in f["stimulus_id"][()]]
    # the suite did not request Convolution28_Output_0: recompute ReLU32 = relu(conv + bias)
    got = layers(f)["ReLU32_Output_0"][()].reshape(len(ids), 8, 28, 28)
names = {r.split(",")[0]: r.split(",")[1] for r in open(f"{d}/shapes.csv").read().split("\n")[1:] if r}
worst = 0.0
for i in range(0, len(ids), 7):
    rgb = Image.open(f"{d}/{names[ids[i]]}").convert("RGB")
    ch = [np.asarray(c.convert("F").resize((28, 28), Image.BILINEAR), np.float64) for c in rgb.split()]
    x = np.pad((0.299 * ch[0] + 0.587 * ch[1] + 0.114 * ch[2]) / 255.0, 2)
    ref = np.zeros((8, 28, 28))
    for dy in range(5):
        for dx in range(5):
            ref += w[:, 0, dy, dx][:, None, None] * x[None, dy:dy + 28, dx:dx + 28]
    ref = np.maximum(ref + init["Parameter6"].astype(np.float64), 0)
    worst = max(worst, float(np.abs(ref - got[i]).max() / (np.abs(ref).max() + 1e-12)))
assert worst < 1e-5, worst  # measured 4e-7
PY

# The pixel baseline predicts the simulated V4 responses (a map of the pixels), not a stimulus-shuffled copy.
"$bin" -q score --activations "$root/work/activations/pixels/shapes.h5" --layer pixels --assembly "$tmp/data/v4_shuffled.nc" \
  --region V4 --metric pls --stratify category --splits 5 --train-fraction 0.8 --components 10 --out "$tmp/shuffled.json" >/dev/null
if $py - "$root/scores/shapes.V4-pls/pixels/pixels.json" "$tmp/shuffled.json" <<'PY'; then :; else say "FAIL pixels vs shuffled control"; fi
import json, sys
real, shuf = (json.load(open(f))["score"] for f in sys.argv[1:3])
assert real > 0.15 and shuf < real / 2, (real, shuf)
print("ok   pixels on V4: %.3f; on stimulus-shuffled responses: %.3f" % (real, shuf))
PY

# 5. A rerun reuses every activations file and score, and rewrites the same leaderboard.
cp "$root/leaderboard.csv" "$tmp/lb1.csv"
"${mpi[@]}" "$bin" run "$tmp/suite.ini" -o "$tmp/res" >"$tmp/run2.txt" 2>&1 || say "FAIL rerun: exit $?"
if grep -q "scoring: 24 tasks (benchmark x model x layer): 24 committed earlier and reused, 0 to compute" "$tmp/run2.txt" &&
   grep -q "activations files: 0 computed, 6 reused" "$tmp/run2.txt" && cmp -s "$tmp/lb1.csv" "$root/leaderboard.csv"; then
  say "ok   rerun: 6 activations files and 24 scores reused, same leaderboard"
else
  say "FAIL rerun recomputed"; grep -E "^(scoring|activations)" "$tmp/run2.txt" | sed 's/^/     | /'
fi

# 6. input_size on symbolic H, W: a copy of resnet20 whose input is (N, 3, H, W).
$py - "$CB_TEST_MODELS/resnet20_cifar10.onnx" "$tmp/resnet20_hw.onnx" <<'PY'
import sys, onnx
m = onnx.load(sys.argv[1])
dims = m.graph.input[0].type.tensor_type.shape.dim
for d, name in ((dims[2], "H"), (dims[3], "W")):
    d.ClearField("dim_value"); d.dim_param = name
onnx.save(m, sys.argv[2])
PY
"$bin" -q activations --model "$tmp/resnet20_hw.onnx" --input-size 32 --mean 0.4914,0.4822,0.4465 --std 0.2470,0.2435,0.2616 \
  --visual-degrees 8 --stimulus-degrees 8 --stimuli "$tmp/data/dir/shapes.csv" --layers /AveragePool_output_0 \
  --out "$tmp/hw.h5" >/dev/null 2>"$tmp/hw.err"
rc=$?
if [[ $rc -eq 0 ]]; then
  if $py - "$tmp/hw.h5" "$root/work/activations/resnet20/shapes-dir.h5" <<'PY'; then say "ok   input_size 32 on symbolic H, W = the fixed model"; else say "FAIL symbolic H, W: activations differ"; fi
import sys, h5py, numpy as np
k = "_AveragePool_output_0"  # layer /AveragePool_output_0 (docs/formats.md: '/' -> '_')
with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2]) as b:
    assert a[k].attrs["layer"] == "/AveragePool_output_0"
    assert np.allclose(a[k][()], b[k][()], rtol=1e-5, atol=1e-6)
PY
else
  say "FAIL symbolic H, W: exit $rc"; sed 's/^/     | /' "$tmp/hw.err"
fi

# 7. Configuration mistakes: one line on stderr, non-zero exit, no leaderboard.
# expect NAME TEXT SED [mpi]: the suite edited by SED must fail with TEXT
expect() {
  local name=$1 text=$2 edit=$3 how=${4:-}
  sed "$edit" "$tmp/suite.ini" >"$tmp/$name.ini"
  cmp -s "$tmp/suite.ini" "$tmp/$name.ini" && { say "FAIL $name: the edit changed nothing"; return; }
  local cmd=("$bin" -q run "$tmp/$name.ini" -o "$tmp/bad-$name")
  [[ $how == mpi ]] && cmd=("${mpi[@]}" "${cmd[@]}")
  "${cmd[@]}" >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines
  # under mpirun, mpirun adds its own report of the failed job; the ranks print one line
  if [[ $how == mpi ]]; then lines=$(grep -c '^cortexbench' "$tmp/err"); else lines=$(wc -l <"$tmp/err"); fi
  if [[ $rc -ne 0 && $lines -eq 1 ]] && grep -qF -- "$text" "$tmp/err" && [[ ! -e $tmp/bad-$name/generic/leaderboard.csv ]]; then
    say "ok   $name: $(grep '^cortexbench' "$tmp/err" | cut -c1-150)"
  else
    say "FAIL $name: exit $rc, $lines lines, leaderboard $([[ -e $tmp/bad-$name/generic/leaderboard.csv ]] && echo written || echo absent)"
    sed 's/^/     | /' "$tmp/err" | head -5
  fi
}
expect missing_onnx "[model mnist]: $CB_TEST_MODELS/no-such-model.onnx: cannot open" 's#/mnist-8.onnx#/no-such-model.onnx#'
expect unknown_layer "[model mnist]: model 'mnist-8' has no layer 'ReLU33_Output_0'" 's#^layers = ReLU32_Output_0#layers = ReLU33_Output_0#'
expect unknown_layer_mpi "has no layer 'ReLU33_Output_0'" 's#^layers = ReLU32_Output_0#layers = ReLU33_Output_0#' mpi
expect mean_two_numbers "mean_two_numbers.ini: [model mnist] key 'mean': expected three numbers R, G, B, got '0.5, 0.5'" \
  's#^mean = 0, 0, 0#mean = 0.5, 0.5#'
expect input_size_fixed "input 'Input3': dimension 2 is fixed to 28, 32 requested" 's#^input_size = 28$#input_size = 32#'
exit $fail
