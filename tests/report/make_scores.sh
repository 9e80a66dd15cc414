#!/bin/sh
# make_scores.sh CORTEXBENCH DIR [above] - a small suite for the report tests:
# DIR/scores/<benchmark>/<model>/<layer>.json (4 models, 3 benchmarks in
# 2 regions, a missing benchmark, a name needing HTML escaping, Nili
# ceiling bounds on objects.IT-rdm; with `above`, resnet-18's layer4 scores
# 1.002 there, above the noise ceiling) and two
# RDM files DIR/rdm-neural.h5, DIR/rdm-model.h5 (imported from .npy).
set -eu
B=$1
D=$2
mk() { # model layer benchmark raw score
  mkdir -p "$D/scores/$3/$1"
  nili=
  case $3 in *-rdm) nili='"ceiling_method": "nili", "ceiling_lower": 0.63, ' ;; esac
  printf '{"model": "%s", "layer": "%s", "benchmark": "%s", "metric": "pls", "raw": %s, "ceiling": 0.9, %s"score": %s, "error": 0.02, "n_splits": 2, "per_split": [%s, %s], "seed": 1}\n' \
    "$1" "$2" "$3" "$4" "$nili" "$5" "$4" "$4" > "$D/scores/$3/$1/$2.json"
}
for bench in gratings.V1-pls objects.IT-pls objects.IT-rdm; do
  mk alexnet features.2 $bench 0.40 0.18
  mk alexnet features.5 $bench 0.60 0.40
  mk alexnet features.12 $bench 0.55 0.34
  mk resnet-18 layer1 $bench 0.50 0.28
  mk resnet-18 layer4 $bench 0.70 0.54
  mk 'a&b <net>' conv $bench 0.30 0.10
done
mk pixels pixels gratings.V1-pls 0.20 0.04 # no IT scores
if [ "${3:-}" = above ]; then mk resnet-18 layer4 objects.IT-rdm 0.9018 1.002; fi
/usr/bin/python3 - "$D" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(3)
for name in ("neural", "model"):
    x = rng.standard_normal((16, 8))
    d = 1 - np.corrcoef(x)
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0)
    np.save("%s/rdm-%s.npy" % (sys.argv[1], name), d)
PY
"$B" -q import rdm "$D/rdm-neural.npy" --out "$D/rdm-neural.h5" --identifier "IT (neural)" >/dev/null
"$B" -q import rdm "$D/rdm-model.npy" --out "$D/rdm-model.h5" --identifier "alexnet features.5" >/dev/null
