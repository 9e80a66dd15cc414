#!/usr/bin/env bash
# Strong scaling of a suite from 1 to 2 MPI ranks (not a test; docs/scaling.md).
#
#   benchmarks/perf/scaling.sh [-b BUILD_DIR] [-c CONFIG] [-r REPS] [-n "1 2"] [-o SCRATCH] [-k] [-s]
#
# Runs `cortexbench run CONFIG --fresh` REPS times (default 3) on each rank count
# (default 1 and 2, interleaved so that a burst of load from other users hits
# both), every rank with one OpenBLAS thread (OPENBLAS_NUM_THREADS=1), and prints
#   - the wall time of every run, the medians, and the strong-scaling efficiency
#     T1 / (N * TN) of the medians (and of each repetition's pair);
#   - the per-stage table (median over runs of the slowest rank's time);
#   - the per-task costs measured on the first 1-rank run (tasks run one after
#     another there, so the gap between consecutive output files is the cost of
#     one task): activations per image per model, scoring per task by layer
#     width, bytes per activations file.
# Defaults: BUILD_DIR build, CONFIG benchmarks/default.ini, SCRATCH a new
# directory under /tmp, removed at the end unless -k (activations are deleted
# after each run: the default suite writes ~3.6 GB of them). The SHA-256 of CONFIG
# is recorded with every run: if CONFIG changes during the measurement, only runs
# of the last version are compared. -s only summarises the runs already in SCRATCH.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="$ROOT/build"
config="$ROOT/benchmarks/default.ini"
reps=3
counts="1 2"
scratch=""
keep=0
summary_only=0
usage() { echo "usage: benchmarks/perf/scaling.sh [-b BUILD_DIR] [-c CONFIG] [-r REPS] [-n \"1 2\"] [-o SCRATCH] [-k] [-s]" >&2; exit 2; }
while getopts ":b:c:r:n:o:ksh" opt; do
  case "$opt" in
    b) build=$OPTARG ;;
    c) config=$OPTARG ;;
    r) [[ "$OPTARG" =~ ^[1-9][0-9]*$ ]] || usage; reps=$OPTARG ;;
    n) counts=$OPTARG ;;
    o) scratch=$OPTARG ;;
    k) keep=1 ;;
    s) summary_only=1; keep=1 ;;
    h) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[[ $# -eq 0 ]] || usage
bin="$build/bin/cortexbench"
[[ -x "$bin" ]] || { echo "scaling.sh: $bin not found (build first: scripts/build.sh)" >&2; exit 1; }
[[ -f "$config" ]] || { echo "scaling.sh: $config: no such file" >&2; exit 1; }
PY=/usr/bin/python3
"$PY" -c 'import h5py' 2>/dev/null || { echo "scaling.sh: needs /usr/bin/python3 with h5py (apt-get install python3-h5py)" >&2; exit 1; }
if [[ $summary_only -eq 1 && -z "$scratch" ]]; then echo "scaling.sh: -s needs -o SCRATCH" >&2; exit 2; fi
if [[ -z "$scratch" ]]; then scratch=$(mktemp -d /tmp/cb-scaling.XXXXXX); else mkdir -p "$scratch"; fi

export OPENBLAS_NUM_THREADS=1
# Debian's OpenBLAS misdetects some AVX-512 virtual CPUs; name the core when it has AVX-512.
if [[ -z "${OPENBLAS_CORETYPE:-}" ]] && grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
if [[ $EUID -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
max_n=0
for n in $counts; do (( n > max_n )) && max_n=$n; done
flags=(--bind-to none)
if (( max_n > $(nproc) )); then flags+=(--oversubscribe); fi

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs online, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM"
echo "software: $("$bin" version 2>/dev/null | tr "\n" ";" | sed "s/  */ /g; s/;$//")"
echo "config: $config; $reps repetitions of $counts ranks; OPENBLAS_NUM_THREADS=1; scratch $scratch"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

results="$scratch/runs.tsv" # ranks, repetition, wall seconds, log, SHA-256 of CONFIG
if [[ $summary_only -eq 1 ]]; then
  [[ -f "$results" ]] || { echo "scaling.sh: no $results to summarise" >&2; exit 1; }
  reps=0
else
  : >"$results"
fi
for ((r = 1; r <= reps; ++r)); do
  for n in $counts; do
    out="$scratch/n$n-r$r"
    log="$scratch/n$n-r$r.log"
    sum=$(sha256sum "$config" | cut -c1-16)
    t0=$(date +%s.%N)
    if ! mpirun "${flags[@]}" -n "$n" "$bin" run "$config" --fresh -o "$out" >"$log" 2>&1; then
      echo "scaling.sh: run with $n ranks failed; see $log" >&2
      tail -5 "$log" >&2
      exit 1
    fi
    t1=$(date +%s.%N)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    printf '%s\t%s\t%.3f\t%s\t%s\n' "$n" "$r" "$wall" "$log" "$sum" >>"$results"
    printf 'run %d, %d rank(s): %.1f s (load %s)\n' "$r" "$n" "$wall" "$(cut -d' ' -f1 /proc/loadavg)"
    if [[ $n -eq 1 && ! -f "$scratch/costs.txt" ]]; then
      "$PY" - "$out" >"$scratch/costs.txt" <<'EOF'
# Per-task costs of a 1-rank run, from the modification times of its outputs.
import glob, os, sys
import h5py
import numpy as np
root = glob.glob(os.path.join(sys.argv[1], "*"))[0]
work = os.path.join(root, "work")
datasets_done = max((os.path.getmtime(p) for p in glob.glob(os.path.join(work, "datasets", "**"), recursive=True)),
                    default=None)
acts = sorted(glob.glob(os.path.join(work, "activations", "*", "*.h5")), key=os.path.getmtime)
width = {}
print("activations files (model, stimulus set: images, layers, features per image, MB, s, ms per image):")
prev = datasets_done
for p in acts:
    t = os.path.getmtime(p)
    with h5py.File(p, "r") as h:
        n = h["stimulus_id"].shape[0]
        feats = {}
        if "layers" in h:  # activations version 1
            for name, d in h["layers"].items():
                feats[name.replace("%2F", "/").replace("%2E", ".").replace("%25", "%")] = d.shape[1]
        for d in h.values():  # version 2: variables (stimulus_id, per-stimulus shape...) with `layer`
            if "layer" in d.attrs:
                feats[d.attrs["layer"]] = int(np.prod(d.shape[1:]))
    model, sset = os.path.basename(os.path.dirname(p)), os.path.basename(p)[:-3]
    for l, f in feats.items():
        width[(model, sset, l)] = (n, f)
    dt = t - prev if prev else float("nan")
    print(f"  {model:14s} {sset:16s} {n:5d} {len(feats):3d} {sum(feats.values()):9d} "
          f"{os.path.getsize(p) / 1e6:8.1f} {dt:7.2f} {1e3 * dt / n:8.2f}")
    prev = t
scores = sorted(glob.glob(os.path.join(root, "scores", "*", "*", "*.json")), key=os.path.getmtime)
print("score tasks in completion order (benchmark, model, layer: images, features, s); the first has no predecessor:")
prev = None
for p in scores:
    t = os.path.getmtime(p)
    layer = os.path.basename(p)[:-5]
    model = os.path.basename(os.path.dirname(p))
    bench = os.path.basename(os.path.dirname(os.path.dirname(p)))
    sset = bench.split(".")[0]
    n, f = width.get((model, sset, layer), (0, 0))
    dt = t - prev if prev else float("nan")
    print(f"  {bench:28s} {model:14s} {layer:18s} {n:5d} {f:9d} {dt:7.3f}")
    prev = t
EOF
    fi
    rm -rf "$out"/*/work/activations
  done
done
[[ $summary_only -eq 1 ]] || echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$results" <<'EOF'
import re, statistics, sys
runs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
runs = [x + ["?"] * (5 - len(x)) for x in runs]
versions = list(dict.fromkeys(x[4] for x in runs))
if len(versions) > 1:
    print(f"\nwarning: the config changed during the measurement ({len(versions)} versions); "
          f"only the runs of the last version are compared")
    runs = [x for x in runs if x[4] == versions[-1]]
by_n = {}
pairs = {}  # repetition -> {n: wall}
stages = {}  # (n, stage) -> [max seconds per run]
for n, r, wall, log, _ in runs:
    n = int(n)
    pairs.setdefault(r, {})[n] = float(wall)
    by_n.setdefault(n, []).append(float(wall))
    text = open(log, errors="replace").read()
    table = text.split("Stage timings over", 1)
    if len(table) < 2:
        continue
    for line in table[1].splitlines()[2:]:
        m = re.match(r"^\s+(\S.*?)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s", line)
        if not m:
            break
        stages.setdefault((n, m.group(1)), []).append(float(m.group(2)))
med = {n: statistics.median(v) for n, v in by_n.items()}
print("\nwall time (s) per run, and median:")
for n in sorted(by_n):
    print(f"  {n} rank{'s' if n > 1 else ' '}: " + "  ".join(f"{v:7.1f}" for v in by_n[n]) + f"   median {med[n]:7.1f}")
base = min(med)
for n in sorted(med):
    if n != base:
        eff = (med[base] * base) / (n * med[n])
        print(f"strong-scaling efficiency {base} -> {n} ranks: T{base}*{base} / ({n} * T{n}) = {eff:.3f}"
              f"  (speed-up {med[base] / med[n]:.2f})")
for r, p in pairs.items():
    if len(p) > 1:
        lo, hi = min(p), max(p)
        print(f"  repetition {r}: T{lo}*{lo} / ({hi} * T{hi}) = {p[lo] * lo / (hi * p[hi]):.3f}")
names = []
for (n, s) in stages:
    if s not in names:
        names.append(s)
ns = sorted(by_n)
print("\nper stage, median over runs of the slowest rank (s):")
print("  " + f"{'stage':22s}" + "".join(f"{str(n) + ' rank(s)':>12s}" for n in ns) + f"{'speed-up':>10s}")
for s in names:
    vals = [statistics.median(stages[(n, s)]) if (n, s) in stages else float("nan") for n in ns]
    sp = vals[0] / vals[-1] if vals[-1] > 0 else float("nan")
    print("  " + f"{s:22s}" + "".join(f"{v:12.2f}" for v in vals) + f"{sp:10.2f}")
EOF
if [[ -f "$scratch/costs.txt" ]]; then
  echo
  echo "per-task costs (first 1-rank run, one task after another):"
  cat "$scratch/costs.txt"
fi
if [[ $keep -eq 0 ]]; then rm -rf "$scratch"; else echo "kept $scratch"; fi
