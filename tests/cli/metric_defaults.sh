#!/usr/bin/env bash
# The metric-defaults table of docs/config.md is the one the code resolves defaults from
# (`cortexbench list metrics` prints it; test_bench checks the resolved values): the two must
# agree line for line.
set -euo pipefail
CB=$1
doc=docs/config.md
want=$(sed -n '/^<!-- metric-defaults:/,/^<!-- \/metric-defaults -->/p' "$doc" | sed '1d;$d')
got=$("$CB" list metrics)
if [[ -z "$want" ]]; then echo "FAIL: no metric-defaults table in $doc"; exit 1; fi
if [[ "$want" != "$got" ]]; then
  echo "FAIL: $doc's metric-defaults table differs from 'cortexbench list metrics':"
  diff <(echo "$want") <(echo "$got") || true
  exit 1
fi
# Brain-Score's facts the table must state (brain-score/vision at c642dbe4): RDMCrossValidated and
# CKACrossValidated use test_size 0.9; CKA is unbiased; PLS 25 components, 10 splits, 0.9 train.
row() { echo "$got" | grep "^| \`$1\` |"; }
row rdm | grep -q '| 10 | 0.1 | `internal` |' || { echo "FAIL: rdm row: $(row rdm)"; exit 1; }
row cka | grep -q '| 10 | 0.1 | `internal` |.*cka = unbiased' || { echo "FAIL: cka row: $(row cka)"; exit 1; }
row pls | grep -q '| 10 | 0.9 | `internal` | `r2/c` | components = 25 |' || { echo "FAIL: pls row: $(row pls)"; exit 1; }
# `list benchmarks` prints each benchmark's resolved parameters under their own names: a section that sets only the
# metric shows that metric's defaults from the table.
tmp=$(mktemp -d /tmp/cb-mdef.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf '[suite]\nname = t\n[dataset g]\ngenerator = gratings-v1\n[model pixels]\n[benchmark b.cka]\ndataset = g\nmetric = cka\n[benchmark b.all]\ndataset = g\nmetric = rdm\nsplit = all\nceiling = none\n' >"$tmp/s.ini"
listed=$("$CB" list benchmarks "$tmp/s.ini")
grep -qF "b.cka                    dataset g, region (every neuroid), metric cka, split stratified (10 splits, train fraction 0.1), ceiling internal, normalise r/c" <<<"$listed" \
  || { echo "FAIL: list benchmarks, b.cka:"; echo "$listed"; exit 1; }
grep -qF "metric rdm, split all (every stimulus, no cross-validation), ceiling none, normalise r/c" <<<"$listed" \
  || { echo "FAIL: list benchmarks, b.all:"; echo "$listed"; exit 1; }
echo "metric defaults: docs/config.md table = cortexbench list metrics ($(echo "$got" | wc -l) lines); list benchmarks resolves them"
