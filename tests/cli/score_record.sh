#!/usr/bin/env bash
# A score file is a self-contained record (#18 item 2; docs/formats.md "Scores"): `cortexbench score` and `run`
# write per-split and per-neuroid values, the ceiling and its method, the resolved parameters, the assembly's and
# the stimulus set's identifiers with their SHA-256, the cortexbench version, git commit and (run) the
# configuration's fingerprint. check_score_record.py checks each against an independent source (hashlib, h5py,
# numpy's nanmedian of the per-neuroid values = the split medians); the C reader reads the files back
# (`cortexbench leaderboard`).
# usage: score_record.sh CORTEXBENCH   (from the project root)
set -uo pipefail
bin=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ! /usr/bin/python3 -c "import numpy, h5py" 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 lacks numpy or h5py (scripts/deps.sh installs them)"; exit 77
fi
tmp=$(mktemp -d /tmp/cb-record.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
d=$tmp/movies
/usr/bin/python3 "$here/make_movie_dataset.py" "$d" --seed 3 >/dev/null || { echo "FAIL: generator"; exit 1; }
"$bin" -q activations --model pixels --stimuli "$d/stimuli.csv" --out "$d/pixels.h5" >/dev/null ||
  { echo "FAIL: activations"; exit 1; }
version=$("$bin" version | head -1 | awk '{print $2}')
commit=$("$bin" version | awk '$1 == "commit:" {print $2}') # the build's commit (checked against git below)
head=$(git -C "$here" rev-parse HEAD 2>/dev/null || echo unknown)
if [[ $commit == unknown || ! $commit =~ ^[0-9a-f]{40}(-dirty)?$ ]]; then
  [[ $commit == unknown && $head == unknown ]] || { echo "FAIL version's commit '$commit' (git HEAD $head)"; fail=1; }
fi
check() { /usr/bin/python3 "$here/check_score_record.py" "$@" "$d/assembly.nc" "$d/stimuli.csv" V1 "$commit" "$version" || fail=1; }

S=(-q score --activations "$d/pixels.h5" --layer pixels --assembly "$d/assembly.nc" --region V1 --stimuli "$d/stimuli.csv")
if "$bin" "${S[@]}" --out "$tmp/pls.json" --split kfold --splits 3 --seed 5 >/dev/null; then
  /usr/bin/python3 "$here/check_score_record.py" "$tmp/pls.json" "$d/assembly.nc" "$d/stimuli.csv" V1 "$commit" \
    "$version" metric='"pls"' components=25 split='"kfold"' n_splits=3 seed=5 stratify=null group=null \
    region='"V1"' ceiling='"internal"' normalise='"r2/c"' || fail=1
else
  echo "FAIL: score pls"; fail=1
fi
if "$bin" "${S[@]}" --out "$tmp/ridgecv.json" --metric ridgecv --alphas 0.1,10,1000 --alpha-per-target \
     --splits 2 --train-fraction 0.75 --group movie_id >/dev/null; then
  /usr/bin/python3 "$here/check_score_record.py" "$tmp/ridgecv.json" "$d/assembly.nc" "$d/stimuli.csv" V1 \
    "$commit" "$version" metric='"ridgecv"' alphas='[0.1, 10.0, 1000.0]' alpha_per_target=true \
    split='"stratified"' n_splits=2 train_fraction=0.75 test_fraction=0.25 group='"movie_id"' || fail=1
else
  echo "FAIL: score ridgecv"; fail=1
fi

# run: the configuration's fingerprint (= the results directory's config.sha256) in every score
cat >"$tmp/suite.ini" <<INI
[suite]
name = rec
[dataset movies]
stimuli = $d/stimuli.csv
assembly = $d/assembly.nc
[model pixels]
[benchmark movies.V1-pls]
dataset = movies
region = V1
split = kfold
splits = 3
INI
if "$bin" -q run "$tmp/suite.ini" -o "$tmp/res" >"$tmp/run.out" 2>&1; then
  f=$(find "$tmp/res/rec/scores/movies.V1-pls" -name "*.json" | head -1)
  /usr/bin/python3 "$here/check_score_record.py" "$f" "$d/assembly.nc" "$d/stimuli.csv" V1 "$commit" "$version" \
    n_splits=3 || fail=1
  want=$(cat "$tmp/res/rec/config.sha256")
  got=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("config_fingerprint"))' "$f")
  if [[ $got == "$want" ]]; then echo "ok   run: config_fingerprint = config.sha256"
  else echo "FAIL run: config_fingerprint $got, config.sha256 $want"; fail=1; fi
  if "$bin" -q leaderboard "$tmp/res/rec/scores" -o "$tmp/lb" >/dev/null 2>"$tmp/lb.err"; then
    echo "ok   the leaderboard reads the records back"
  else
    echo "FAIL leaderboard: $(head -1 "$tmp/lb.err")"; fail=1
  fi
else
  echo "FAIL run: exit $?"; tail -3 "$tmp/run.out"; fail=1
fi
exit $fail
