#!/usr/bin/env bash
# cmake --install BUILD --prefix TMP: TMP/bin/cortexbench, TMP/lib*/libcortexbench.so, the package in
# TMP/lib/python3/dist-packages; the installed package (no CORTEXBENCH_LIB) finds its library, and a missing
# library is an error naming every place looked in.
set -euo pipefail
BUILD=$1 PY=$2
"$PY" -c 'import numpy, xarray' 2>/dev/null || { echo "SKIP: numpy/xarray absent for $PY"; exit 77; }
tmp=$(mktemp -d /tmp/cb-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$BUILD" --prefix "$tmp/p" >/dev/null
test -x "$tmp/p/bin/cortexbench" || { echo "FAIL: no bin/cortexbench"; exit 1; }
ls "$tmp"/p/lib*/libcortexbench.so >/dev/null || { echo "FAIL: no lib/libcortexbench.so"; exit 1; }
"$tmp/p/bin/cortexbench" generate gratings-v1 --out "$tmp/g" >/dev/null
site="$tmp/p/lib/python3/dist-packages"
out=$(cd "$tmp" && env -u CORTEXBENCH_LIB PYTHONPATH="$site" "$PY" -c '
import numpy as np, cortexbench as cb
Y = cb.load_assembly("g/assembly.nc")
s = cb.score(Y.values.astype(np.float32), "g/assembly.nc", stimulus_id=Y.stimulus_id.values, metric="rdm", splits=2)
print(cb.__file__, cb.version(), s["metric"], s["n_splits"])')
grep -q "^$site/cortexbench/__init__.py .* rdm 2$" <<<"$out" || { echo "FAIL: installed package: $out"; exit 1; }
# Without the library: the error names where it looked.
rm "$site/cortexbench/libcortexbench.so"
mv "$tmp"/p/lib*/libcortexbench.so* "$tmp/" 
err=$(cd "$tmp" && env -u CORTEXBENCH_LIB PYTHONPATH="$site" "$PY" -c 'import cortexbench as cb; cb.version()' 2>&1) && {
  echo "FAIL: no library, yet no error"; exit 1; }
grep -q "libcortexbench.so not found (set CORTEXBENCH_LIB or install cortexbench); looked in: .*$site/cortexbench/libcortexbench.so" \
  <<<"$err" || { echo "FAIL: error without the places looked in: $err"; exit 1; }
echo "install: bin, lib and package in a fresh prefix; the package finds its library and scores"
