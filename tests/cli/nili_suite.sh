#!/usr/bin/env bash
# The classic comparison of Nili et al. (2014) as one suite: the 8 model RDMs
# of Kriegeskorte et al. (2008) enter as RDM-only models ([model] rdm +
# rdm_entry) and are scored against the human-IT RDMs (4 subjects x 2
# sessions, sessions averaged within a subject) with Kendall tau-a and
# Spearman, with the inter-subject noise-ceiling band. Every number must equal
# rsatoolbox's own (tests/reference/fixtures/nili_kriegeskorte.txt, made by
# tests/reference/make_nili_goldens.py) to 1e-6:
#   subjects = average  -> record_evalfixed_<model>_<cmp>_mean (eval_fixed over the 4 subjects)
#   subjects = mean-rdm -> model_<model>_<cmp> (compare with the subject-mean RDM)
#   ceiling / ceiling_lower -> ceiling_<cmp>_upper / _lower (boot_noise_ceiling)
# usage: nili_suite.sh CORTEXBENCH
set -euo pipefail
bin=$(realpath "$1")
root=$(pwd)
data=$root/../shared/data/kriegeskorte2008
fix=$root/tests/reference/fixtures/nili_kriegeskorte.txt
if [[ ! -f $data/92_brainRDMs.mat ]]; then echo "skipped: $data absent"; exit 0; fi
tmp=$(mktemp -d /tmp/cb-nili.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ids=$data/stimuli.csv
"$bin" -q import rdm "$data/92_brainRDMs.mat" --var RDMs.RDM --stimulus-ids "$ids" \
  --subjects BE,KO,SN,TI,BE,KO,SN,TI --out "$tmp/hit.h5" >/dev/null
"$bin" -q import rdm "$data/92_modelRDMs.mat" --var Models.RDM --stimulus-ids "$ids" --out "$tmp/models.h5" >/dev/null
models="animacy FaceBodyManmadeNatobj monkeyIT EVA HMAX V1 Silhouette RADON"
{
  printf '[suite]\nname = nili\naverage = scored-regions\n\n'
  printf '[dataset hIT]\nstimuli = %s\nrdm = %s\n\n' "$ids" "$tmp/hit.h5"
  for m in $models; do printf '[model %s]\nrdm = %s\nrdm_entry = %s\n\n' "$m" "$tmp/models.h5" "$m"; done
  for c in kendall spearman; do
    for s in average mean-rdm; do
      printf '[benchmark hit.IT-%s-%s]\ndataset = hIT\nregion = IT\nmetric = rdm\nsplit = all\ncompare = %s\nsubjects = %s\n\n' \
        "$c" "$s" "$c" "$s"
    done
  done
  printf '[benchmark hit.IT-boot]\ndataset = hIT\nregion = IT-boot\nmetric = rdm\nsplit = stratified\nsplits = 3\ntrain_fraction = 0.5\nbootstrap = 200\n\n'
} >"$tmp/nili.ini"
"$bin" -q run "$tmp/nili.ini" -o "$tmp/out" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
status=0
check() { # label got want
  if awk -v g="$2" -v w="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(w != "" && d <= 1e-6) }'; then
    echo "ok   $1: $2 (rsatoolbox $3)"
  else
    echo "FAIL $1: $2, rsatoolbox $3"; status=1
  fi
}
want() { awk -v k="$1" '$1 == k {print $2}' "$fix"; }
field() { /usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(repr(v))' "$1" "$2"; }
for m in $models; do
  for c in kendall spearman; do
    k=$([[ $c == kendall ]] && echo tau_a || echo spearman)
    check "$m $c average" "$(field "$tmp/out/nili/scores/hit.IT-$c-average/$m/rdm.json" raw)" \
      "$(want "record_evalfixed_${m}_${k}_mean")"
    check "$m $c mean-rdm" "$(field "$tmp/out/nili/scores/hit.IT-$c-mean-rdm/$m/rdm.json" raw)" "$(want "model_${m}_${k}")"
  done
done
for c in kendall spearman; do
  k=$([[ $c == kendall ]] && echo tau_a || echo spearman)
  f=$tmp/out/nili/scores/hit.IT-$c-average/animacy/rdm.json
  check "ceiling $c upper" "$(field "$f" ceiling)" "$(want "ceiling_${k}_upper")"
  check "ceiling $c lower" "$(field "$f" ceiling_lower)" "$(want "ceiling_${k}_lower")"
  [[ $(field "$f" ceiling_method) == "'nili'" ]] || { echo "FAIL ceiling_method is not nili"; status=1; }
done
# The bootstrap by pair weights equals the expanded resamples (CB_BOOT_EXPANDED=1), replicate by replicate.
CB_BOOT_EXPANDED=1 "$bin" -q run "$tmp/nili.ini" -o "$tmp/exp" >/dev/null 2>&1 || { echo "FAIL expanded run"; status=1; }
if /usr/bin/python3 - "$tmp/out/nili/scores/hit.IT-boot" "$tmp/exp/nili/scores/hit.IT-boot" <<'PY'; then echo "ok   bootstrap by pair weights = expanded"; else echo "FAIL bootstrap by pair weights"; status=1; fi
import json, os, sys
worst = 0.0
for m in os.listdir(sys.argv[1]):
    a = json.load(open(os.path.join(sys.argv[1], m, "rdm.json")))["bootstrap"]
    b = json.load(open(os.path.join(sys.argv[2], m, "rdm.json")))["bootstrap"]
    assert len(a) == len(b) == 200
    worst = max([worst] + [abs(x - y) for x, y in zip(a, b)])
print("     max |weighted - expanded| over 8 models x 200 replicates: %.3g" % worst)
sys.exit(0 if worst <= 1e-12 else 1)
PY
# The same bytes with 3 ranks (scores, leaderboard).
same3() {
  mpirun --bind-to none -n 3 "$bin" -q run "$tmp/nili.ini" -o "$tmp/out3" >"$tmp/log3" 2>&1 || return 1
  diff -r "$tmp/out/nili/scores" "$tmp/out3/nili/scores" >/dev/null || return 1
  for f in csv json md; do cmp -s "$tmp/out/nili/leaderboard.$f" "$tmp/out3/nili/leaderboard.$f" || return 1; done
}
if same3; then
  echo "ok   3 ranks: identical score files and leaderboards"
else
  echo "FAIL 3 ranks differ (or failed)"; tail -5 "$tmp/log3"; status=1
fi
# One leaderboard: the 8 models ranked, average over the benchmarks of the region.
[[ $(grep -c ',' "$tmp/out/nili/leaderboard.csv") -eq 9 ]] || { echo "FAIL leaderboard rows"; status=1; }
head -3 "$tmp/out/nili/leaderboard.csv"
exit $status
