#!/usr/bin/env bash
# Activations and assemblies open in xarray and select by stimulus id, with
# the values the C readers see (label io). An activations file written by
# the parallel writer (`cortexbench activations` on 2 ranks: conv maps, flat
# layers, an ONNX model's '/' names), a generated and an imported assembly.
# usage: xarray_check.sh MPIEXEC CORTEXBENCH ACT_DUMP
set -euo pipefail
mpiexec=$1 bin=$2 dump=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
if ! "$py" -c "import xarray, h5netcdf" 2>/dev/null; then
  echo "skipped: python3-xarray / python3-h5netcdf not installed"; exit 77
fi
tmp=$(mktemp -d /tmp/cb-xarray-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # KIND FILE: dump with the C reader, compare in xarray
  local d="$tmp/dump.$(basename "$2")"
  mkdir -p "$d"
  "$dump" "$1" "$2" "$d" || { echo "FAIL act_dump $2"; fail=1; return; }
  "$py" "$here/xarray_check.py" "$1" "$2" "$d" || fail=1
}
"$bin" -q generate gratings-v1 --seed 4 --out "$tmp/g" >/dev/null
"$mpiexec" -n 2 "$bin" -q activations --model tinycnn --stimuli "$tmp/g/stimuli.csv" --out "$tmp/tinycnn.h5" >/dev/null
check activations "$tmp/tinycnn.h5"
"$mpiexec" -n 2 "$bin" -q activations --model pixels --stimuli "$tmp/g/stimuli.csv" --compression 0 \
  --out "$tmp/pixels.h5" >/dev/null
check activations "$tmp/pixels.h5"
if "$py" -c "import onnx" 2>/dev/null; then # exporter-style names: '/' inside, one that clashes with stimulus_id
  "$py" - "$tmp/names.onnx" <<'PY'
import sys
from onnx import TensorProto, helper
g = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["/layer1/Relu_output_0"]),
     helper.make_node("Flatten", ["/layer1/Relu_output_0"], ["stimulus_id"])],
    "names", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
    [helper.make_tensor_value_info("stimulus_id", TensorProto.FLOAT, [1, 192])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
open(sys.argv[1], "wb").write(m.SerializeToString())
PY
  "$mpiexec" -n 2 "$bin" -q activations --model "$tmp/names.onnx" --stimuli "$tmp/g/stimuli.csv" --out "$tmp/names.h5" >/dev/null
  check activations "$tmp/names.h5"
else
  echo "note: python3-onnx not installed, exporter-style layer names not checked"
fi
check assembly "$tmp/g/assembly.nc"
"$py" -c "import numpy as np, sys; r = np.arange(24.0).reshape(3, 4, 2); r[:, 1, 1] = np.nan; np.save(sys.argv[1], r)" \
  "$tmp/r.npy"
"$bin" -q import assembly "$tmp/r.npy" --out "$tmp/r.nc" --region IT >/dev/null
check assembly "$tmp/r.nc"
[[ $fail -eq 0 ]] && echo ok
exit $fail
