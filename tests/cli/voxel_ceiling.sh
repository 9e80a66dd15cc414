#!/usr/bin/env bash
# `ceiling = voxel` end to end: a suite with a voxel-ceiled ridge benchmark runs, its score file and leaderboard
# mark the score as voxel-ceiled (ceiling null, finite score in [0, 1]); a 1-repetition assembly and a metric
# without a regression each give one line on stderr naming the problem and a non-zero exit.
# usage: voxel_ceiling.sh CORTEXBENCH
set -uo pipefail
bin=$1
tmp=$(mktemp -d /tmp/cb-voxel.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
say() { echo "$1"; [[ $1 == FAIL* ]] && fail=1; return 0; }

"$bin" -q generate gratings-v1 --seed 3 --out "$tmp/data" >/dev/null || { echo "FAIL: generate"; exit 1; }
# A 1-repetition copy of the assembly (xarray writes BrainIO netCDF as the reader expects).
/usr/bin/python3 - "$tmp/data/assembly.nc" "$tmp/one.nc" <<'PY' || { echo "FAIL: 1-repetition assembly"; exit 1; }
import sys
import xarray as xr
a = xr.open_dataset(sys.argv[1]).load()
a.isel(presentation=(a.repetition.values == 0)).to_netcdf(sys.argv[2])
PY
suite() { # suite NAME ASSEMBLY METRIC
  cat >"$tmp/$1.ini" <<INI
[suite]
name = $1
[dataset d]
stimuli = $tmp/data/stimuli.csv
assembly = $2
[model pixels]
[benchmark v]
dataset = d
metric = $3
ceiling = voxel
splits = 3
INI
}

suite ok "$tmp/data/assembly.nc" ridge
if "$bin" -q run "$tmp/ok.ini" --out "$tmp/res" >"$tmp/stdout" 2>"$tmp/stderr"; then
  s="$tmp/res/ok/scores/v/pixels/pixels.json"
  if /usr/bin/python3 - "$s" "$tmp/res/ok/leaderboard.json" <<'PY'; then say "ok   end to end"; else say "FAIL end to end: $s"; fi
import json, math, sys
s = json.load(open(sys.argv[1]))
assert s["ceiling_method"] == "voxel" and s["ceiling"] is None, s
assert s["n_splits"] == 3 and all(0 <= v <= 1 for v in s["per_split"]), s
assert 0 <= s["score"] <= 1 and math.isfinite(s["raw"]), s
lb = json.load(open(sys.argv[2]))
cell = lb["models"][0]["regions"]["v"]["benchmarks"]["v"]
assert cell["ceiling_method"] == "voxel" and cell["score"] == s["score"], cell
PY
  # the dataset gives no stimulus_degrees: the completed run says so (#18: a warning, not a silent default)
  grep -qF "[dataset d] gives no stimulus_degrees: each model saw the images across its own field of view" "$tmp/stderr" \
    && say "ok   stimulus_degrees warning" || { say "FAIL no stimulus_degrees warning"; sed 's/^/     | /' "$tmp/stderr"; }
else
  say "FAIL end to end: exit $?"; sed 's/^/     | /' "$tmp/stderr"
fi

# expect NAME TEXT -- ARGS: non-zero exit, one stderr line containing TEXT
expect() {
  local name=$1 text=$2; shift 3
  "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$? lines; lines=$(wc -l <"$tmp/stderr")
  if [[ $rc -ne 0 && $lines -eq 1 ]] && grep -qF -- "$text" "$tmp/stderr"; then say "ok   $name: $(cat "$tmp/stderr")"
  else say "FAIL $name: exit $rc, $lines lines"; sed 's/^/     | /' "$tmp/stderr"; fi
}
suite one "$tmp/one.nc" ridge
expect one_repetition "needs >= 2 repetitions per stimulus" -- -q run "$tmp/one.ini" --out "$tmp/res1"
[[ -e "$tmp/res1/one/scores/v/pixels/pixels.json" ]] && say "FAIL one_repetition: a score file was written"
suite rdm "$tmp/data/assembly.nc" rdm
expect wrong_metric "rdm.ini: [benchmark v] key 'ceiling'" -- -q run "$tmp/rdm.ini" --out "$tmp/res2"
expect score_one_repetition "needs >= 2 repetitions" -- -q score --activations "$tmp/res/ok/work/activations/pixels/d.h5" \
  --layer pixels --assembly "$tmp/one.nc" --metric ridge --ceiling voxel --out "$tmp/s.json"
exit $fail
