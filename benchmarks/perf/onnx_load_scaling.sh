#!/usr/bin/env bash
# Loading an ONNX model must be linear in its number of nodes (not a test: timing on a shared machine).
#
#   benchmarks/perf/onnx_load_scaling.sh [-b BUILD_DIR] [-n N] [-r REPEATS] [-k MAX_RATIO]
#
# Writes two chain models of N and 4N nodes (defaults N = 10000; each pair of nodes an Add of a
# one-element initializer and a Relu, so names, initializers, node outputs and the memory plan all
# grow with N), times build/bin/bench_onnx_load on each (median of REPEATS, default 3) and prints
# both times and their ratio. Linear loading gives a ratio near 4, quadratic near 16: the script
# exits 1 when the ratio exceeds MAX_RATIO (default 6). Needs /usr/bin/python3 with onnx.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="$ROOT/build" n=10000 reps=3 max_ratio=6
while getopts "b:n:r:k:" o; do
  case $o in
    b) build=$OPTARG ;; n) n=$OPTARG ;; r) reps=$OPTARG ;; k) max_ratio=$OPTARG ;;
    *) echo "usage: benchmarks/perf/onnx_load_scaling.sh [-b BUILD_DIR] [-n N] [-r REPEATS] [-k MAX_RATIO]" >&2; exit 2 ;;
  esac
done
bench="$build/bin/bench_onnx_load"
[[ -x "$bench" ]] || { echo "$bench not built (scripts/build.sh)" >&2; exit 2; }
D=$(mktemp -d /tmp/cb-onnx-scaling.XXXXXX)
trap 'rm -rf "$D"' EXIT
/usr/bin/python3 - "$D" "$n" <<'PY'
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

d, n = sys.argv[1], int(sys.argv[2])
for count in (n, 4 * n):
    nodes, inits, prev = [], [], "x"
    for i in range(count):
        out = f"n{i}"
        if i % 2 == 0:
            inits.append(numpy_helper.from_array(np.array([0.01 * (i % 7)], np.float32), f"c{i}"))
            nodes.append(helper.make_node("Add", [prev, f"c{i}"], [out], name=f"add{i}"))
        else:
            nodes.append(helper.make_node("Relu", [prev], [out], name=f"relu{i}"))
        prev = out
    vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 3, 8, 8])
    g = helper.make_graph(nodes, "chain", [vi("x")], [vi(prev)], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, f"{d}/chain{count}.onnx")
PY
read -r t1 l1 < <("$bench" "$D/chain$n.onnx" "$reps")
read -r t4 l4 < <("$bench" "$D/chain$((4 * n)).onnx" "$reps")
ratio=$(awk -v a="$t1" -v b="$t4" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
echo "N = $n nodes: $t1 s ($l1 layers); 4N = $((4 * n)) nodes: $t4 s ($l4 layers); ratio $ratio (linear ~4, quadratic ~16; limit $max_ratio)"
awk -v r="$ratio" -v k="$max_ratio" 'BEGIN { exit !(r <= k) }' || { echo "FAIL: loading grows faster than linearly"; exit 1; }
echo "ok"
