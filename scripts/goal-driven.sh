#!/usr/bin/env bash
# The goal-driven experiment end to end (benchmarks/goal-driven.ini): trains synit_cnn on synthetic-it
# categorisation (benchmarks/goal-driven-train.ini; resumes or does nothing when the run is complete), writes one
# [model ckpt-STEP] section per checkpoint into benchmarks/goal-driven.ini with the test accuracy that
# results/goal-driven/train/curve.csv recorded at that step (task_accuracy), then scores every checkpoint:
# results/goal-driven/. Under 2 ranks by default (NP=1 for one process).
# usage: scripts/goal-driven.sh          (from the repository root, after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CORTEXBENCH:-build/bin/cortexbench}
np=${NP:-2}
run() { if [[ $np -gt 1 ]]; then mpirun --allow-run-as-root --bind-to none -n "$np" "$@"; else "$@"; fi; }
out=results/goal-driven
mkdir -p "$out"
run "$bin" train benchmarks/goal-driven-train.ini -o "$out/train" | tee "$out/train.log.tmp"
# the evaluation lines of the run (none when it was already complete: the old log stays)
if grep -q '^step .*test' "$out/train.log.tmp"; then
  grep -E '^(training|step .*test)' "$out/train.log.tmp" | sed -E 's/ +[0-9]+ images\/s.*//' >"$out/train/log.txt"
fi
rm -f "$out/train.log.tmp"
/usr/bin/python3 - "$out/train/curve.csv" benchmarks/goal-driven.ini <<'PY'
import csv, sys
curve, suite = sys.argv[1:3]
rows = list(csv.DictReader(open(curve)))
begin = "; ---- models (written by scripts/goal-driven.sh from results/goal-driven/train/curve.csv) ----\n"
end = "; ---- end of models ----\n"
text = open(suite).read()
head, rest = text.split(begin)
_, tail = rest.split(end)
sections = []
for r in rows:
    step = int(r["step"])
    sections.append(
        f"[model ckpt-{step:04d}]\n"
        f"onnx = ../results/goal-driven/train/checkpoints/step-{step:08d}.onnx\n"
        "mean = 0.5, 0.5, 0.5\nstd = 0.25, 0.25, 0.25\nvisual_degrees = 8\n"
        "layers = features.2, features.5, features.8, avgpool, classifier\n"
        f"task_accuracy = {float(r['test_accuracy']):.5f}\n")
note = ("; synit_cnn after STEP optimiser steps (step 0: the initial weights); inputs (pixel / 255 - 0.5) / 0.25 as\n"
        "; in training, gray (luma) for the 1-channel input; task_accuracy: curve.csv's test accuracy at that step.\n")
open(suite, "w").write(head + begin + note + "\n".join(sections) + end + tail)
PY
run "$bin" run benchmarks/goal-driven.ini -o results
