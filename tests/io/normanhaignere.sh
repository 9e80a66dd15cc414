#!/usr/bin/env bash
# NormanHaignere2015 end to end (label io): the dataset comes from
# ../shared/data through the fetch mirror (the same code path as a download),
# scripts/prepare-normanhaignere2015.sh converts it, and the suite's ridge
# (RidgeCV per component, 10 splits 83/82) and RSA benchmarks score the
# STM baseline. Skips when ../shared/data is absent.
# usage: normanhaignere.sh MPIEXEC CORTEXBENCH
set -euo pipefail
mpiexec=$1 bin=$2
[[ -d ../shared/data/normanhaignere2015 ]] || { echo "skipped: ../shared/data/normanhaignere2015 absent"; exit 0; }
tmp=$(mktemp -d /tmp/cb-nh.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CORTEXBENCH_HOME=$tmp/home
dir=$(CORTEXBENCH=$bin scripts/prepare-normanhaignere2015.sh --mirror ../shared/data | tail -1)
[[ $(($(wc -l <"$dir/stimuli.csv") - 1)) -eq 165 ]] || { echo "FAIL: stimulus set has not 165 sounds"; exit 1; }
# The suite restricted to the STM baseline (the CNN takes longer).
sed -e '/^\[model cochcnn9\]/,/^$/d' benchmarks/normanhaignere2015.ini >"$tmp/nh.ini"
sed -i "s|\${CORTEXBENCH_HOME}|$CORTEXBENCH_HOME|" "$tmp/nh.ini"
"$mpiexec" --bind-to none -n 2 "$bin" -q run "$tmp/nh.ini" -o "$tmp/out" >"$tmp/run.log" 2>&1 || { tail -5 "$tmp/run.log"; exit 1; }
csv=$tmp/out/normanhaignere2015/leaderboard.csv
cat "$csv"
/usr/bin/python3 - "$tmp/out/normanhaignere2015/scores" <<'PY'
import glob, json, math, sys
scores = {json.load(open(f))["benchmark"]: json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*/*/*.json")}
ridge, rdm = scores["nh2015.auditory-ridge"], scores["nh2015.auditory-rdm"]
assert ridge["n_splits"] == 10 and len(ridge["per_split"]) == 10
assert 0.2 < ridge["raw"] < 1.0, ridge["raw"]        # the STM baseline predicts the components well
assert math.isnan(ridge["ceiling"]) if ridge["ceiling"] is not None else True
assert rdm["n_splits"] == 1 and -1 <= rdm["raw"] <= 1
print("ridge r = %.3f (10 splits), RSA rho = %.3f" % (ridge["raw"], rdm["raw"]))
PY
echo ok
