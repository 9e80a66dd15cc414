#!/usr/bin/env bash
# cortexbench verify: a suite's committed results are recomputed from scratch and pass; a score file or a
# leaderboard cell changed after the fact fails on its benchmark's row with a non-zero exit; the temporary
# recomputation is removed.
set -euo pipefail
CB=$1 CONFIG=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp/t
mkdir -p "$TMPDIR"
"$CB" -q run "$CONFIG" -o "$tmp/r" >/dev/null 2>&1
suite=$(ls "$tmp/r")
dir=$tmp/r/$suite
"$CB" -q verify "$dir" -c "$CONFIG" >"$tmp/ok.txt" 2>&1 || { echo "FAIL: verify of untouched results: $(tail -5 "$tmp/ok.txt")"; exit 1; }
grep -q "reproduced within tolerance" "$tmp/ok.txt" || { echo "FAIL: no verdict line"; exit 1; }
grep -q " FAIL" "$tmp/ok.txt" && { echo "FAIL: a FAIL row on untouched results"; exit 1; }
! ls "$TMPDIR" | grep -q cortexbench-verify || { echo "FAIL: the temporary recomputation was left in $TMPDIR"; exit 1; }
f=$(find "$dir/scores" -name '*.json' | sort | head -1)
bench=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['benchmark'])" "$f" 2>/dev/null ||
        sed -n 's/.*"benchmark": "\(.*\)".*/\1/p' "$f")
sed -i 's/"score": \(-\{0,1\}\)0\./"score": \11./' "$f"
if "$CB" -q verify "$dir" -c "$CONFIG" >"$tmp/bad.txt" 2>&1; then echo "FAIL: verify passed a changed score"; exit 1; fi
grep -q "^$bench .* FAIL" "$tmp/bad.txt" || { echo "FAIL: no FAIL row for $bench: $(cat "$tmp/bad.txt")"; exit 1; }
grep -q "differ from a fresh recomputation" "$tmp/bad.txt" || { echo "FAIL: no error line"; exit 1; }
echo "verify: untouched results pass; a changed score fails on $bench (exit non-zero)"
