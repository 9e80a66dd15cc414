#!/usr/bin/env bash
# The classic Nili et al. 2014 comparison with cortexbench's CLI against rsatoolbox's own numbers
# (tests/reference/fixtures/nili_kriegeskorte.txt, made by tests/reference/make_nili_goldens.py):
# `cortexbench import rdm` the 4 subjects x 2 sessions of human IT (--subjects groups the sessions),
# the 8 model RDMs and monkey IT; `cortexbench rsa MODEL hIT --compare kendall|spearman` must give
# every model_* / mit_* value and the ceiling band ceiling_* to 1e-6.
# Also: --subjects with the wrong count is one line on stderr naming the file, and no output file.
# usage: rsa_nili.sh CORTEXBENCH
set -euo pipefail
bin=$1
data=../shared/data/kriegeskorte2008
fix=tests/reference/fixtures/nili_kriegeskorte.txt
if [[ ! -f $data/92_brainRDMs.mat || ! -f $data/92_modelRDMs.mat ]]; then
  echo "skipped: $data absent"; exit 0
fi
tmp=$(mktemp -d /tmp/cb-nili.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ids=$data/stimuli.csv
"$bin" -q import rdm $data/92_brainRDMs.mat --var RDMs.RDM --stimulus-ids $ids \
  --subjects BE,KO,SN,TI,BE,KO,SN,TI --out "$tmp/hit.h5"
models=(animacy FaceBodyManmadeNatobj monkeyIT EVA HMAX V1 Silhouette RADON)
for k in "${!models[@]}"; do
  "$bin" -q import rdm $data/92_modelRDMs.mat --var Models.RDM --element $((k + 1)) --stimulus-ids $ids \
    --out "$tmp/${models[$k]}.h5"
done
"$bin" -q import rdm $data/Kriegeskorte_Neuron2008_supplementalData.mat --var RDMs_mIT_hIT_fig1.RDM --element 1 \
  --stimulus-ids $ids --out "$tmp/mit.h5"

status=0
# check KEY GOT: |GOT - fixture[KEY]| <= 1e-6
check() {
  local want
  want=$(awk -v k="$1" '$1 == k {print $2}' "$fix")
  if [[ -z $want || -z $2 ]]; then
    echo "FAIL $1: got '${2}', reference '${want}'"; status=1
  elif awk -v g="$2" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= 1e-6) }'; then
    printf 'ok   %-36s %s (rsatoolbox %s)\n' "$1" "$2" "$want"
  else
    echo "FAIL $1: $2, rsatoolbox $want"; status=1
  fi
}
for pair in "kendall tau_a" "spearman spearman"; do
  set -- $pair
  cmp=$1 key=$2
  for m in "${models[@]}" mit; do
    out=$("$bin" rsa "$tmp/$m.h5" "$tmp/hit.h5" --compare $cmp)
    if [[ $m == mit ]]; then name=mit_$key; else name=model_${m}_$key; fi
    check "$name" "$(awk 'NR == 1 {print $5}' <<<"$out")"
  done
  # the ceiling line: "<hit.h5>: 4 subjects (8 RDMs), noise ceiling (<cmp>) lower L upper U"
  line=$(grep 'noise ceiling' <<<"$out")
  if ! grep -q ': 4 subjects (8 RDMs), noise ceiling' <<<"$line"; then
    echo "FAIL ceiling line: $line"; status=1
  fi
  check ceiling_${key}_lower "$(awk '{for (i = 1; i < NF; ++i) if ($i == "lower") print $(i + 1)}' <<<"$line")"
  check ceiling_${key}_upper "$(awk '{for (i = 1; i < NF; ++i) if ($i == "upper") print $(i + 1)}' <<<"$line")"
done

# Wrong number of --subjects: one line naming the input, no output file.
if "$bin" import rdm $data/92_brainRDMs.mat --var RDMs.RDM --subjects BE,KO,SN,TI --out "$tmp/bad.h5" 2>"$tmp/err"; then
  echo "FAIL: 4 names for 8 RDMs accepted"; status=1
fi
if [[ $(wc -l <"$tmp/err") -eq 1 ]] && grep -q 92_brainRDMs.mat "$tmp/err" && [[ ! -e $tmp/bad.h5 ]]; then
  echo "ok   wrong --subjects count: $(cat "$tmp/err")"
else
  echo "FAIL wrong --subjects count message"; cat "$tmp/err"; status=1
fi
exit $status
