#!/usr/bin/env bash
# Grouped cross-validation (`--group COLUMN`, `group = COLUMN`) on a generated movie dataset whose near-duplicate
# frames leak across ungrouped folds (tests/cli/make_movie_dataset.py, seed 3: 20 movies x 12 frames, neurons
# respond to the movie's latent content, pixels carry only the movie's identity).
#
# Science (cortexbench score, PLS, 5-fold, seed 1; ceiled scores when written, 2026-12-07):
#   pixels: 0.990 ungrouped, 0.005 grouped by movie_id; true features: 0.986 ungrouped, 0.930 grouped.
# Asserted (each fails if grouping is ignored or leaks):
#   pixels ungrouped > 0.9 and within 0.05 of the true features (the leak makes pixels look as good);
#   |pixels grouped| < 0.1 (a new movie's pixels say nothing about its content);
#   true features grouped > 0.8 and >= 0.85 x their ungrouped score (they keep most of it);
#   true features grouped - pixels grouped > 0.7.
# Also: --group with --stratify (StratifiedGroupKFold, and stratified shuffle splits of whole movies) runs; the score file records
# "group" and "n_groups"; a suite with `group = movie_id` gives the CLI's value and the same bytes under mpirun -n 1
# and -n 2; an RDM dataset groups by its stimulus set's column; one-line errors naming the file and the column.
# usage: grouped_cv.sh CORTEXBENCH [MPIEXEC]   (from the project root)
set -uo pipefail
bin=$1 mpiexec=${2:-mpirun}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d /tmp/cb-group.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
say() { echo "$1"; [[ $1 == FAIL* ]] && fail=1; return 0; }
mpi=("$mpiexec" --bind-to none --oversubscribe)
[[ $(id -u) -eq 0 ]] && mpi+=(--allow-run-as-root)

d=$tmp/movies
/usr/bin/python3 "$here/make_movie_dataset.py" "$d" --seed 3 >/dev/null || { echo "FAIL: generator"; exit 1; }
"$bin" -q activations --model pixels --stimuli "$d/stimuli.csv" --out "$d/pixels.h5" >/dev/null ||
  { echo "FAIL: pixels activations"; exit 1; }

# score NAME ACTS LAYER ARGS...: writes $tmp/NAME.json
score() {
  local name=$1 acts=$2 layer=$3; shift 3
  if "$bin" -q score --activations "$acts" --layer "$layer" --assembly "$d/assembly.nc" --region V1 \
       --out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
    say "ok   score $name: $(sed 's/ -> .*//; s/^.*(pls): //' "$tmp/$name.out")"
  else
    say "FAIL score $name: exit $?"; sed 's/^/     | /' "$tmp/$name.err"
  fi
}
score pixels_ungrouped "$d/pixels.h5" pixels --split kfold --splits 5
score pixels_grouped "$d/pixels.h5" pixels --split kfold --splits 5 --group movie_id
score truth_ungrouped "$d/truth.h5" latent --split kfold --splits 5
score truth_grouped "$d/truth.h5" latent --split kfold --splits 5 --group movie_id
score truth_grouped_strat "$d/truth.h5" latent --split kfold --splits 5 --group movie_id --stratify category
score pixels_grouped_shuffle "$d/pixels.h5" pixels --group movie_id --stratify category --train-fraction 0.8

if /usr/bin/python3 - "$tmp" <<'PY'; then say "ok   grouping removes the frame leak"; else say "FAIL grouping removes the frame leak"; fi
import json, sys
t = sys.argv[1]
s = {k: json.load(open("%s/%s.json" % (t, k))) for k in
     ("pixels_ungrouped", "pixels_grouped", "truth_ungrouped", "truth_grouped", "truth_grouped_strat",
      "pixels_grouped_shuffle")}
v = {k: x["score"] for k, x in s.items()}
print("     scores: " + ", ".join("%s %.3f" % kv for kv in v.items()))
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("     violated: " + what)
        ok = False
check(v["pixels_ungrouped"] > 0.9, "pixels ungrouped > 0.9")
check(v["pixels_ungrouped"] >= v["truth_ungrouped"] - 0.05, "pixels ungrouped within 0.05 of the true features")
check(abs(v["pixels_grouped"]) < 0.1, "|pixels grouped| < 0.1")
check(abs(v["pixels_grouped_shuffle"]) < 0.1, "|pixels grouped, shuffle splits| < 0.1")
check(v["truth_grouped"] > 0.8, "true features grouped > 0.8")
check(v["truth_grouped"] >= 0.85 * v["truth_ungrouped"], "true features keep >= 85 % of their score")
check(v["truth_grouped_strat"] > 0.8, "true features grouped + stratified > 0.8")
check(v["truth_grouped"] - v["pixels_grouped"] > 0.7, "true features - pixels > 0.7 when grouped")
for k, x in s.items():
    grouped = "_grouped" in k
    check(("group" in x) == grouped, "%s: key 'group' %s" % (k, "missing" if grouped else "present"))
    if grouped:
        check(x["group"] == "movie_id" and x["n_groups"] == 20, "%s: group movie_id, 20 groups" % k)
sys.exit(0 if ok else 1)
PY

# The same through a suite (`group = movie_id`), on 1 and 2 ranks: the CLI's value, the same bytes.
cat >"$tmp/suite.ini" <<INI
[suite]
name = movies
[dataset movies]
stimuli = $d/stimuli.csv
assembly = $d/assembly.nc
[model pixels]
[benchmark movies.V1-grouped]
dataset = movies
region = V1
split = kfold
splits = 5
group = movie_id
[benchmark movies.V1-ungrouped]
dataset = movies
region = V1
split = kfold
splits = 5
INI
for n in 1 2; do
  if "${mpi[@]}" -n $n "$bin" -q run "$tmp/suite.ini" -o "$tmp/res$n" >"$tmp/run$n.out" 2>&1; then
    say "ok   suite under mpirun -n $n"
  else
    say "FAIL suite under mpirun -n $n: exit $?"; tail -5 "$tmp/run$n.out" | sed 's/^/     | /'
  fi
done
for b in movies.V1-grouped movies.V1-ungrouped; do
  f=scores/$b/pixels/pixels.json
  if cmp -s "$tmp/res1/movies/$f" "$tmp/res2/movies/$f"; then say "ok   $b: same score file on 1 and 2 ranks"
  else say "FAIL $b: score files differ between 1 and 2 ranks"; fi
done
if /usr/bin/python3 - "$tmp" <<'PY'; then say "ok   suite scores equal the CLI's"; else say "FAIL suite scores equal the CLI's"; fi
import json, sys
t = sys.argv[1]
for b, cli in (("movies.V1-grouped", "pixels_grouped"), ("movies.V1-ungrouped", "pixels_ungrouped")):
    s = json.load(open("%s/res1/movies/scores/%s/pixels/pixels.json" % (t, b)))
    c = json.load(open("%s/%s.json" % (t, cli)))
    assert s["raw"] == c["raw"] and s["per_split"] == c["per_split"], (b, s["raw"], c["raw"])
    assert s.get("group") == c.get("group") and s.get("n_groups") == c.get("n_groups"), b
PY

# An RDM dataset groups by its stimulus set's column (cross-validated RDM over whole movies).
/usr/bin/python3 - "$d" <<'PY' || say "FAIL: neural RDM"
import sys
import numpy as np
import xarray as xr
d = sys.argv[1]
a = xr.open_dataarray(d + "/assembly.nc").load()
ids = [l.split(",")[0] for l in open(d + "/stimuli.csv").read().split("\n")[1:] if l]
m = np.stack([a.values[a.stimulus_id.values == s].mean(axis=0)[:, 0] for s in ids])
np.save(d + "/rdm.npy", 1 - np.corrcoef(m))
with open(d + "/ids.txt", "w") as f:
    f.write("\n".join(ids) + "\n")
PY
"$bin" -q import rdm "$d/rdm.npy" --stimulus-ids "$d/ids.txt" --out "$d/rdm.h5" >/dev/null 2>"$tmp/imp.err" ||
  { say "FAIL import rdm"; sed 's/^/     | /' "$tmp/imp.err"; }
rdm_suite() { # rdm_suite NAME GROUP
  cat >"$tmp/$1.ini" <<INI
[suite]
name = $1
[dataset movies]
stimuli = $d/stimuli.csv
rdm = $d/rdm.h5
[model pixels]
[benchmark rdm]
dataset = movies
metric = rdm
ceiling = none
split = kfold
splits = 4
group = $2
INI
}
rdm_suite rdmok movie_id
if "$bin" -q run "$tmp/rdmok.ini" -o "$tmp/res" >"$tmp/rdm.out" 2>&1 &&
   /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["group"]=="movie_id" and s["n_groups"]==20 and s["n_splits"]==4, s' \
     "$tmp/res/rdmok/scores/rdm/pixels/pixels.json"; then
  say "ok   RDM dataset grouped by the stimulus set's movie_id"
else
  say "FAIL RDM dataset grouped"; tail -5 "$tmp/rdm.out" | sed 's/^/     | /'
fi

# expect NAME TEXT -- ARGS: non-zero exit, one stderr line containing TEXT, no score file
expect() {
  local name=$1 text=$2; shift 3
  rm -f "$tmp/bad.json"
  "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$? lines; lines=$(wc -l <"$tmp/stderr")
  if [[ $rc -ne 0 && $lines -eq 1 && ! -e $tmp/bad.json ]] && grep -qF -- "$text" "$tmp/stderr"; then
    say "ok   $name: $(cat "$tmp/stderr")"
  else say "FAIL $name: exit $rc, $lines lines"; sed 's/^/     | /' "$tmp/stderr"; fi
}
S=(-q score --activations "$d/pixels.h5" --layer pixels --assembly "$d/assembly.nc" --out "$tmp/bad.json")
expect missing_column "assembly.nc: no presentation coordinate 'scene' to group by" -- "${S[@]}" --group scene
expect fewer_groups "assembly.nc: group 'movie_id': k-fold: 20 groups are fewer than the 25 folds requested" -- \
  "${S[@]}" --group movie_id --split kfold --splits 25
expect fewer_groups_shuffle "20 groups are fewer than the 30 splits requested" -- "${S[@]}" --group movie_id --splits 30
expect too_few_test_groups "give 18 train / 2 test groups, fewer than the 4 classes" -- \
  "${S[@]}" --group movie_id --stratify category
expect split_all "split 'all' has no training stimuli" -- "${S[@]}" --group movie_id --metric rdm --split all
expect empty_group "option --group" -- "${S[@]}" --group ""
/usr/bin/python3 - "$d/assembly.nc" "$tmp/two.nc" <<'PY' || say "FAIL: two-valued assembly"
import sys
import xarray as xr
a = xr.open_dataarray(sys.argv[1]).load()
m = a.movie_id.values.copy()
m[len(m) - 240] = "movie19"          # stimulus m00_f00, repetition 3: another movie
a.assign_coords(movie_id=("presentation", m)).to_netcdf(sys.argv[2])
PY
expect two_values "two.nc: stimulus 'm00_f00' has two values of the group coordinate 'movie_id' ('movie00' and 'movie19')" -- \
  -q score --activations "$d/pixels.h5" --layer pixels --assembly "$tmp/two.nc" --out "$tmp/bad.json" --group movie_id
cat >"$tmp/all.ini" <<INI
[dataset movies]
stimuli = $d/stimuli.csv
assembly = $d/assembly.nc
[model pixels]
[benchmark movies.V1-rdm]
dataset = movies
metric = rdm
split = all
group = movie_id
INI
expect config_split_all "all.ini: [benchmark movies.V1-rdm] key 'group': split 'all'" -- -q run "$tmp/all.ini" -o "$tmp/resall"
rdm_suite rdmbad scene
expect rdm_missing_column "stimuli.csv: no column 'scene' to group by" -- -q run "$tmp/rdmbad.ini" -o "$tmp/res"
exit $fail
