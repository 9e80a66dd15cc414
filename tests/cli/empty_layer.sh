#!/usr/bin/env bash
# A legitimate zero-feature layer (docs/formats.md: "Zero-feature layers are stored"): an ONNX model whose Slice
# takes nothing ([1, 0, 8, 8]) beside ordinary layers. `activations` (serial, and mpirun -n 2 through the
# parallel writer) must write it as an (n, 0) dataset that h5py and `cortexbench score` read back; scoring it
# gives one line and exit 1, the ordinary layers score.
# usage: empty_layer.sh CORTEXBENCH [MPIEXEC]   (from the project root)
set -uo pipefail
bin=$1 mpiexec=${2:-mpirun}
py=/usr/bin/python3
D=$(mktemp -d /tmp/cb-empty.XXXXXX)
trap 'rm -rf "$D"' EXIT
pass=0 fail=0
check() { # NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  if "$@" >"$D/log" 2>&1; then pass=$((pass + 1)); echo "ok   $name"
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/     | /' "$D/log" | head -20; fi
}
"$py" - "$D" <<'PY' || { echo "FAIL: model"; exit 1; }
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
d = sys.argv[1]
i64 = lambda n, v: numpy_helper.from_array(np.array(v, dtype=np.int64), n)
nodes = [helper.make_node("Relu", ["x"], ["relu"], name="relu"),
         helper.make_node("Slice", ["relu", "st", "en", "ax"], ["empty"], name="empty"),
         helper.make_node("Flatten", ["relu"], ["flat"], name="flat")]
vi = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
g = helper.make_graph(nodes, "empty", [vi("x", [1, 3, 8, 8])], [vi("flat", [1, 192]), vi("empty", [1, 0, 8, 8])],
                      initializer=[i64("st", [2]), i64("en", [2]), i64("ax", [1])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.save(m, f"{d}/empty.onnx")
with open(f"{d}/zoo.ini", "w") as f:
    f.write(f"[model]\nname = empty\nonnx = {d}/empty.onnx\ninput = 8x8\nvisual_degrees = 8\n")
PY
export CORTEXBENCH_ZOO=$D/zoo.ini
"$bin" -q generate gratings-v1 --seed 2 --out "$D/g" >/dev/null || { echo "FAIL: generate"; exit 1; }
check "list shows the empty layer" bash -c "'$bin' list models empty | grep -E '^  empty +0 x +8 x +8 +\(0 features\)'"
shapes() { # FILE: the layers' shapes as h5py reads them (variables with a `layer` attribute)
  "$py" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r'); print(' '.join(f'{v.attrs[\"layer\"]}={v.shape}' for v in f.values() if 'layer' in v.attrs))" "$1"
}
check "activations (1 rank)" "$bin" -q activations --model empty --stimuli "$D/g/stimuli.csv" --out "$D/a1.h5"
check "activations (mpirun -n 2)" "$mpiexec" -n 2 --oversubscribe "$bin" -q activations --model empty --stimuli "$D/g/stimuli.csv" --out "$D/a2.h5"
for f in a1 a2; do
  got=$(shapes "$D/$f.h5")
  if [[ "$got" == *"empty=(128, 0, 8, 8)"* && "$got" == *"flat=(128, 192)"* ]]; then pass=$((pass + 1)); echo "ok   $f.h5: $got"
  else fail=$((fail + 1)); echo "FAIL $f.h5: $got"; fi
done
"$bin" score --activations "$D/a2.h5" --layer empty --assembly "$D/g/assembly.nc" --out "$D/s.json" >/dev/null 2>"$D/err"
rc=$?
if [[ $rc -eq 1 && $(wc -l <"$D/err") -eq 1 && ! -e "$D/s.json" ]] && grep -q "layer 'empty'" "$D/err"; then
  pass=$((pass + 1)); echo "ok   scoring the empty layer: $(cat "$D/err")"
else fail=$((fail + 1)); echo "FAIL scoring the empty layer: exit $rc"; cat "$D/err"; fi
check "scoring an ordinary layer of the same file" "$bin" score --activations "$D/a2.h5" --layer flat --assembly "$D/g/assembly.nc" --splits 2 --out "$D/s.json"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
