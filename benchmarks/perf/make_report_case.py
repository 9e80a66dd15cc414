#!/usr/bin/python3
"""make_report_case.py OUT [N] - the data of benchmarks/perf/report_breakdown.sh: the size of a user's report case
(#18: 440 stimuli, 360 V1 neuroids; N stimuli instead of 440 when given). OUT/stimuli.csv + OUT/images/*.png: 440
random 64x64 RGB textures;
OUT/assembly.nc: 360 neuroids of region V1, 4 repetitions, responses a noisy linear map of the first 512 pixel
values (so that early layers score best and the report reads the largest layers)."""
import os, sys
import numpy as np, xarray as xr
from PIL import Image
out = sys.argv[1]
rng = np.random.default_rng(5)
n, units, reps, d = int(sys.argv[2]) if len(sys.argv) > 2 else 440, 360, 4, 16
os.makedirs(os.path.join(out, "images"), exist_ok=True)
ids, names = [], []
X = rng.uniform(0, 1, size=(n, 64, 64, 3))
for i in range(n):
    sid = "s%03d" % i
    name = "images/%s.png" % sid
    Image.fromarray(np.round(X[i] * 255).astype(np.uint8), "RGB").save(os.path.join(out, name))
    ids.append(sid); names.append(name)
with open(os.path.join(out, "stimuli.csv"), "w") as fh:
    fh.write("stimulus_id,filename\n")
    for r in zip(ids, names): fh.write(",".join(r) + "\n")
feat = X.reshape(n, -1)[:, :512] @ rng.normal(size=(512, d))
rate = feat @ rng.normal(size=(d, units))
resp = rate[None] + rng.normal(scale=0.7 * rate.std(), size=(reps, n, units))
pres = lambda v: [x for _ in range(reps) for x in v]
da = xr.DataArray(resp.reshape(reps * n, units)[:, :, None], dims=("presentation", "neuroid", "time_bin"),
    coords={"stimulus_id": ("presentation", pres(ids)), "repetition": ("presentation", np.repeat(np.arange(reps), n)),
            "neuroid_id": ("neuroid", ["v1_%03d" % i for i in range(units)]), "region": ("neuroid", ["V1"] * units),
            "time_bin_start": ("time_bin", [50]), "time_bin_end": ("time_bin", [150])},
    name="case.V1", attrs={"identifier": "case.V1", "stimulus_set_identifier": "case"})
da.to_netcdf(os.path.join(out, "assembly.nc"))
