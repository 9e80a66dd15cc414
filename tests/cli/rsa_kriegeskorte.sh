#!/usr/bin/env bash
# `cortexbench import rdm` + `cortexbench rsa` on the real Kriegeskorte et al.
# 2008 RDMs (../shared/data): the monkey-IT vs human-IT comparison must equal
# the SciPy / independent tau-a values stored by
# tests/reference/make_similarity_goldens.py (fixtures/sim_kriegeskorte.txt).
# usage: rsa_kriegeskorte.sh CORTEXBENCH
set -euo pipefail
bin=$1
data=../shared/data/kriegeskorte2008
fix=tests/reference/fixtures/sim_kriegeskorte.txt
if [[ ! -f $data/Kriegeskorte_Neuron2008_supplementalData.mat ]]; then
  echo "skipped: $data absent"; exit 0
fi
tmp=$(mktemp -d /tmp/cb-rsa.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mat=$data/Kriegeskorte_Neuron2008_supplementalData.mat
"$bin" -q import rdm "$mat" --var RDMs_mIT_hIT_fig1.RDM --element 1 --stimulus-ids $data/stimuli.csv --out "$tmp/mit.h5"
"$bin" -q import rdm "$mat" --var RDMs_mIT_hIT_fig1.RDM --element 2 --stimulus-ids $data/stimuli.csv --out "$tmp/hit.h5"
status=0
for pair in "spearman mit_hit_spearman" "kendall mit_hit_tau_a" "pearson mit_hit_pearson"; do
  set -- $pair
  got=$("$bin" rsa "$tmp/mit.h5" "$tmp/hit.h5" --compare "$1" | awk '{print $5}')
  want=$(awk -v k="$2" '$1 == k {print $2}' "$fix")
  if awk -v g="$got" -v w="$want" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= 1e-6) }'; then
    echo "ok   $1: $got (reference $want)"
  else
    echo "FAIL $1: $got, reference $want"; status=1
  fi
done
# Mismatched stimuli: an RDM over other stimuli is refused with one line.
head -c 300 "$tmp/hit.h5" >"$tmp/broken.h5"
if "$bin" rsa "$tmp/mit.h5" "$tmp/broken.h5" 2>"$tmp/err"; then echo "FAIL: truncated file accepted"; status=1; fi
[[ $(wc -l <"$tmp/err") -eq 1 ]] && grep -q broken.h5 "$tmp/err" && echo "ok   truncated file: $(cat "$tmp/err")" \
  || { echo "FAIL truncated file message"; cat "$tmp/err"; status=1; }
exit $status
