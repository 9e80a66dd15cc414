#!/bin/sh
# leaderboard_cli.sh CORTEXBENCH - `cortexbench leaderboard -o` writes
# leaderboard.{csv,json,md,html}; a second run gives byte-identical csv,
# json and md; --compare against the first CSV reports no change; a bad
# --region and a non-leaderboard --compare file are one-line errors.
set -eu
B=$(realpath "$1")
HERE=$(dirname "$(realpath "$0")")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
sh "$HERE/make_scores.sh" "$B" "$W"
"$B" -q leaderboard "$W/scores" -o "$W/a" >/dev/null
"$B" -q leaderboard "$W/scores" -o "$W/b" --rdm "$W/rdm-neural.h5" >/dev/null
for f in leaderboard.csv leaderboard.json leaderboard.md; do
  cmp "$W/a/$f" "$W/b/$f"
done
test -s "$W/a/leaderboard.html"
head -1 "$W/a/leaderboard.csv" | grep -qx 'rank,model,average,gratings.V1-pls,objects.IT-pls,objects.IT-rdm,gratings.V1-pls.layer,objects.IT-pls.layer,objects.IT-rdm.layer'
# pixels: V1 0.04, IT missing -> (0.04 + 0) / 2 = 0.02
grep -q '^4,pixels,0.0200,0.0400,,,pixels,,$' "$W/a/leaderboard.csv"
grep -q '"rank_value": "0.54"' "$W/a/leaderboard.json"
# A run directory (scores beside the leaderboard.json it wrote) ranks again to the same table.
cp -r "$W/scores" "$W/a/scores"
"$B" -q leaderboard "$W/a" -o "$W/c" >/dev/null
cmp "$W/a/leaderboard.csv" "$W/c/leaderboard.csv"
"$B" leaderboard "$W/scores" --compare "$W/a/leaderboard.csv" >"$W/cmp.txt"
grep -q '^| resnet-18 | 1 -> 1 | = | 0.5400 | +0.0000 | +0.0000 | +0.0000 | +0.0000 |$' "$W/cmp.txt"
printf 'rank,model,average\n1,pixels,0.9000\n2,gone,0.1000\n' >"$W/old.csv"
"$B" leaderboard "$W/scores" --compare "$W/old.csv" >"$W/cmp2.txt"
grep -q '^| pixels | 1 -> 4 | -3 | 0.0200 | -0.8800 |$' "$W/cmp2.txt"
grep -q '^removed: gone (was rank 2, average 0.1000)$' "$W/cmp2.txt"
if "$B" leaderboard "$W/scores" --region nonsense 2>"$W/err.txt"; then exit 1; fi
grep -q "expected BENCHMARK=REGION" "$W/err.txt"
printf 'a,b\n' >"$W/bad.csv"
if "$B" leaderboard "$W/scores" --compare "$W/bad.csv" 2>"$W/err2.txt" >/dev/null; then exit 1; fi
test "$(wc -l <"$W/err2.txt")" -eq 1
grep -q "not a leaderboard CSV" "$W/err2.txt"
echo ok
