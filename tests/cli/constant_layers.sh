#!/usr/bin/env bash
# Constant and nearly constant activations or responses (docs/config.md "Constant activations and responses"):
# every metric gives a defined number (never null), exit 0, and a warning naming the layer; an exactly constant
# layer scores raw 0 with every metric; a constant neuroid is named in a warning and left out.
set -euo pipefail
CB=$1
PY=/usr/bin/python3
if ! $PY -c "import h5py, numpy" 2>/dev/null; then echo "SKIP: /usr/bin/python3 lacks h5py or numpy"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$PY "$(dirname "$0")/make_constant_inputs.py" "$tmp"
"$CB" import assembly "$tmp/asm.npy" --out "$tmp/asm.nc" --stimulus-ids "$tmp/ids.txt" >/dev/null
fail=0
for layer in good const near tiny onediff; do
  for metric in pls ridge ridgecv linear neuron2neuron rdm cka; do
    out="$tmp/$layer-$metric.json"
    if ! "$CB" score --activations "$tmp/acts.h5" --layer "$layer" --assembly "$tmp/asm.nc" --metric "$metric" \
        --out "$out" >"$tmp/stdout" 2>"$tmp/stderr"; then
      echo "FAIL: $layer/$metric exited non-zero: $(cat "$tmp/stderr")"; fail=1; continue
    fi
    raw=$($PY -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['raw'], d['score'])" "$out")
    case "$raw" in *None*|*nan*) echo "FAIL: $layer/$metric: raw/score undefined ($raw)"; fail=1 ;; esac
    if [[ $layer == const ]]; then
      [[ $raw == "0.0 0.0" ]] || { echo "FAIL: const/$metric: raw, score = $raw, want 0 0"; fail=1; }
      grep -q "layer 'const'" "$tmp/stderr" || { echo "FAIL: const/$metric: no warning naming the layer"; fail=1; }
    fi
    grep -q "1 of 8 neuroids are constant over the 60 stimuli (7)" "$tmp/stderr" ||
      { echo "FAIL: $layer/$metric: no warning naming the constant neuroid: $(head -c 300 "$tmp/stderr")"; fail=1; }
  done
done
[[ $fail == 0 ]] && echo "constant layers: 5 layers x 7 metrics give defined scores with warnings"
exit $fail
