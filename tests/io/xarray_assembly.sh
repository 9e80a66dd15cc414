#!/usr/bin/env bash
# What cortexbench writes opens in xarray (label io): an assembly written by
# `cortexbench generate` and one written by `cortexbench import` are read with
# /usr/bin/python3 + python3-xarray and checked against the data cortexbench
# wrote (values, dims, coordinates, attributes). Skips when xarray is absent.
# usage: xarray_assembly.sh CORTEXBENCH
set -euo pipefail
bin=$1
if ! /usr/bin/python3 -c "import xarray, netCDF4" 2>/dev/null; then
  echo "skipped: python3-xarray / python3-netcdf4 not installed"; exit 0
fi
tmp=$(mktemp -d /tmp/cb-xarray.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$bin" -q generate gratings-v1 --seed 5 --out "$tmp/g" >/dev/null
/usr/bin/python3 - "$tmp/g/assembly.nc" "$tmp/g/stimuli.csv" <<'PY'
import csv, sys
import numpy as np
import xarray as xr
a = xr.open_dataarray(sys.argv[1])
assert a.dims == ("presentation", "neuroid", "time_bin"), a.dims
n_pres, n_neur, n_t = a.shape
ids = [r["stimulus_id"] for r in csv.DictReader(open(sys.argv[2]))]
assert set(a["stimulus_id"].values.tolist()) == set(ids), "stimulus ids differ from the stimulus set"
assert n_pres == len(ids) * len(np.unique(a["repetition"].values)), (n_pres, len(ids))
assert (a["region"].values == "V1").all()
assert float(a["time_bin_start"][0]) == 70 and float(a["time_bin_end"][0]) == 170
assert a.attrs["identifier"].startswith("cortexbench.gratings-v1")
v = a.values
assert np.isfinite(v).all() and (v >= 0).all() and np.allclose(v, np.round(v)), "spike counts expected"
# BrainIO-style use: average repetitions per stimulus.
m = a.groupby("stimulus_id").mean("presentation")
assert m.shape == (len(ids), n_neur, n_t)
print("xarray reads the generated assembly: %d presentations x %d neuroids x %d bins" % (n_pres, n_neur, n_t))
PY
# An import (npy -> assembly) opens too, with NaN-padded repetitions dropped.
/usr/bin/python3 - "$tmp/r.npy" <<'PY'
import sys
import numpy as np
r = np.arange(3 * 4 * 2, dtype=float).reshape(3, 4, 2)  # neuroid x stimulus x repetition
r[:, 1, 1] = np.nan
np.save(sys.argv[1], r)
PY
"$bin" -q import assembly "$tmp/r.npy" --out "$tmp/r.nc" --region IT >/dev/null
/usr/bin/python3 - "$tmp/r.nc" <<'PY'
import sys
import numpy as np
import xarray as xr
a = xr.open_dataarray(sys.argv[1])
assert a.sizes["presentation"] == 7 and a.sizes["neuroid"] == 3, dict(a.sizes)
assert not np.isnan(a.values).any()
print("xarray reads the imported assembly: 7 presentations (one NaN repetition dropped)")
PY
echo "ok"
