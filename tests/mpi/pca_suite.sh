#!/usr/bin/env bash
# Layer selection after PCA, end to end on tests/mpi/pca.ini (one rank):
#  1. the selection benchmark's score files record pca_components = 16 for every
#     layer (all are wider than 16) and the leaderboard JSON marks them; the
#     evaluation (RSA) benchmark's files have no pca_components;
#  2. with selection_pca off, the evaluation scores are the same numbers (raw
#     activations in both runs) and the selection scores differ (projection);
#  3. a stimuli-CSV fit set (the same images, no assembly) gives the same
#     selection scores as the generator fit set;
#  4. resume: a rerun reuses every task; another k recomputes only the
#     selection tasks;
#  5. configuration errors are one line naming file, section and key.
# usage: pca_suite.sh CORTEXBENCH CONFIG
set -euo pipefail
bin=$1 config=$2
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/cb-pca.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" -q run "$config" -o "$tmp/on" >"$tmp/on.txt"
root=$tmp/on/pca-test
$py - "$root" <<'PY'
import json, glob, os, sys
root = sys.argv[1]
sel = sorted(glob.glob(os.path.join(root, "scores/gratings.V1-pls/*/*.json")))
ev = sorted(glob.glob(os.path.join(root, "scores/gratings.V1-rdm/*/*.json")))
assert len(sel) == 3 and len(ev) == 3, (sel, ev)
for f in sel:
    assert json.load(open(f)).get("pca_components") == 16, f
for f in ev:
    assert "pca_components" not in json.load(open(f)), f
lb = json.load(open(os.path.join(root, "leaderboard.json")))
for row in lb["models"]:
    b = row["regions"]["V1"]["benchmarks"]
    assert b["gratings.V1-pls"]["pca_components"] == 16
    assert all(l["pca_components"] == 16 for l in b["gratings.V1-pls"]["layers"])
    assert "pca_components" not in b["gratings.V1-rdm"]
    assert b["gratings.V1-pls"]["layer"] == b["gratings.V1-rdm"]["layer"]  # committed layer
print("selection on 16 components, evaluation raw")
PY

# 2. PCA off: the same suite without the two keys.
grep -v '^selection_pca' "$config" >"$tmp/off.ini"
"$bin" -q run "$tmp/off.ini" -o "$tmp/off" >/dev/null
$py - "$tmp/on/pca-test" "$tmp/off/pca-test" <<'PY'
import json, glob, os, sys
on, off = sys.argv[1:3]
def scores(root, bench):
    return {os.path.relpath(f, root): json.load(open(f)) for f in glob.glob(os.path.join(root, "scores", bench, "*/*.json"))}
a, b = scores(on, "gratings.V1-rdm"), scores(off, "gratings.V1-rdm")
assert a.keys() == b.keys() and len(a) == 3
for k in a:
    assert a[k]["score"] == b[k]["score"], (k, a[k]["score"], b[k]["score"])
a, b = scores(on, "gratings.V1-pls"), scores(off, "gratings.V1-pls")
differ = sum(a[k]["raw"] != b[k]["raw"] for k in a)
assert differ == 3, "selection scores should change with the projection"
assert all("pca_components" not in v for v in b.values())
print("evaluation scores identical with PCA off; selection scores differ")
PY

# 3. The fit set as a stimulus-set CSV only (same images and visual angle, 4 deg, as the generator set).
csv=$(ls -d "$root"/work/datasets/fit-gratings-v1-seed99)/stimuli.csv
$py -c '
import sys; t = sys.stdin.read()
t = t.replace("[dataset fit]\ngenerator = gratings-v1\nseed = 99", "[dataset fit]\nstimuli = " + sys.argv[1] + "\nstimulus_degrees = 4")
sys.stdout.write(t)' "$csv" <"$config" >"$tmp/csv.ini"
grep -q "^stimuli = " "$tmp/csv.ini" || fail "csv config not written"
"$bin" -q run "$tmp/csv.ini" -o "$tmp/csv" >/dev/null
$py - "$tmp/on/pca-test" "$tmp/csv/pca-test" <<'PY'
import json, glob, os, sys
on, csv = sys.argv[1:3]
for f in glob.glob(os.path.join(on, "scores/gratings.V1-pls/*/*.json")):
    g = os.path.join(csv, os.path.relpath(f, on))
    assert json.load(open(f))["score"] == json.load(open(g))["score"], f
print("stimuli-CSV fit set: same selection scores")
PY

# 4. Resume and keys.
"$bin" run "$config" -o "$tmp/on" >"$tmp/rerun.txt" 2>&1
grep -q "6 tasks .*: 6 committed earlier and reused, 0 to compute" "$tmp/rerun.txt" || { cat "$tmp/rerun.txt"; fail "rerun recomputed"; }
sed 's/^selection_pca = 16/selection_pca = 12/' "$config" >"$tmp/k12.ini"
# Another configuration: refused as it is; without the directory's
# fingerprint (as written by an earlier cortexbench) the task keys decide.
"$bin" run "$tmp/k12.ini" -o "$tmp/on" >"$tmp/k12.txt" 2>&1 && fail "another configuration was accepted"
rm "$root/config.sha256"
"$bin" run "$tmp/k12.ini" -o "$tmp/on" >"$tmp/k12.txt" 2>&1
grep -q "6 tasks .*: 3 committed earlier and reused, 3 to compute" "$tmp/k12.txt" || { cat "$tmp/k12.txt"; fail "k change"; }
grep -q '"pca_components": 12' "$root/scores/gratings.V1-pls/tinycnn/features.5.json" || fail "k = 12 not recorded"
echo "resume: rerun reuses all; new k recomputes the 3 selection tasks"

# 5. Configuration errors.
check_err() { # config-text expected-substring
  printf '%s\n' "$1" >"$tmp/bad.ini"
  if "$bin" -q run "$tmp/bad.ini" -o "$tmp/bad" >"$tmp/bad.out" 2>&1; then fail "accepted: $2"; fi
  grep -q "$2" "$tmp/bad.out" || { cat "$tmp/bad.out"; fail "message lacks '$2'"; }
}
base=$(grep -v '^selection_pca' "$config")
check_err "$(echo "$base" | sed 's/^\[suite\]/[suite]\nselection_pca = 8/')" "bad.ini: \[suite\] key 'selection_pca': needs 'selection_pca_dataset'"
check_err "$(echo "$base" | sed 's/^\[suite\]/[suite]\nselection_pca = 8\nselection_pca_dataset = nope/')" "\[suite\] key 'selection_pca_dataset': no \[dataset nope\]"
check_err "$(echo "$base" | sed 's/^\[suite\]/[suite]\nselection_pca_dataset = fit/')" "set without 'selection_pca'"
check_err "$(echo "$base" | sed 's/^\[suite\]/[suite]\nselection_pca = -3\nselection_pca_dataset = fit/')" "key 'selection_pca': expected"
check_err "$(echo "$base" | sed 's/^\[suite\]/[suite]\nselection_pca = 8\nselection_pca_dataset = fit\nlayer_commitment = per-benchmark/')" "needs layer_commitment = per-region"
check_err "$(printf '%s\n[dataset snd]\nstimuli = %s\n' "$(echo "$base" | sed 's/^\[suite\]/[suite]\nselection_pca = 8\nselection_pca_dataset = snd/')" "$csv")
[benchmark x.V1-pls]
dataset = snd" "\[dataset snd\] has no 'assembly'"
# A fit set of sounds for a suite whose selection benchmark is visual.
mkdir -p "$tmp/snd"
cp tests/reference/io/tone_44100.wav "$tmp/snd/"
printf 'stimulus_id,filename\ntone,tone_44100.wav\n' >"$tmp/snd/stimuli.csv"
check_err "$(printf '%s\n[dataset snd]\nstimuli = %s\n' "$(echo "$base" | sed 's/^\[suite\]/[suite]\nselection_pca = 8\nselection_pca_dataset = snd/')" "$tmp/snd/stimuli.csv")" \
  "\[suite\] key 'selection_pca_dataset': \[dataset snd\] is audio, no selection benchmark is"
echo "configuration errors name file, section and key"
echo "pca suite: all checks passed"
