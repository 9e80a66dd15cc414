#!/usr/bin/env bash
# Builds the seed corpus of one fuzz target from real files, at run time
# (nothing from ../shared/data is ever committed):
#   fuzz_onnx      libonnx-testdata models (node, pytorch-*, simple) + ../shared/data/models/*.onnx
#   fuzz_config    the repository's suites and manifests (benchmarks/, tests/, datasets/)
#   fuzz_assembly  assemblies written by cortexbench (generate, import) + ../shared/data/**/*.nc
#   fuzz_stimuli   stimulus sets written by cortexbench (generate) + ../shared/data/**/*.csv
# usage: seeds.sh TARGET OUTDIR     (run from the repository root)
# CORTEXBENCH: the executable used to write files (default: first of build/,
# build-asan/ that exists); cases needing it are skipped without one.
set -euo pipefail
target=$1 out=$2
mkdir -p "$out"
shared=../shared/data
cb=${CORTEXBENCH:-}
for c in build/bin/cortexbench build-asan/bin/cortexbench; do
  [[ -z "$cb" && -x "$c" ]] && cb=$c
done
tmp=$(mktemp -d /tmp/cbseeds.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
put() { # put FILE [MAXBYTES]: copy one seed under a unique name
  local f=$1 max=${2:-1048576}
  [[ -f "$f" ]] || return 0
  (( $(stat -c %s "$f") <= max )) || return 0
  cp "$f" "$out/seed$((n += 1))_$(basename "$f")"
}
generate() { # a small synthetic dataset (stimuli.csv, assembly.nc) in $tmp/g
  [[ -n "$cb" && ! -d "$tmp/g" ]] && "$cb" -q generate gratings-v1 --seed 1 --out "$tmp/g" >/dev/null 2>&1 || true
}

case "$target" in
fuzz_onnx)
  for f in /usr/share/libonnx-testdata/data/*/*/model.onnx; do put "$f" 65536; done
  for f in "$shared"/models/*.onnx; do put "$f" 65536; done
  ;;
fuzz_config)
  for f in benchmarks/*.ini tests/*/*.ini datasets/*.ini; do put "$f"; done
  ;;
fuzz_assembly)
  generate
  put "$tmp/g/assembly.nc"
  if [[ -n "$cb" ]]; then # tiny assemblies: 3 stimuli x 2 repetitions x 3 neuroids
    printf 'stimulus_id,repetition,n1,n2,n3\ns1,0,1,2,3\ns1,1,4,5,6\ns2,0,7,8,9\ns2,1,1,0,2\ns3,0,3,3,1\ns3,1,0,1,0\n' >"$tmp/x.csv"
    "$cb" -q import assembly "$tmp/x.csv" --out "$tmp/tiny.nc" --region V4 >/dev/null 2>&1 && put "$tmp/tiny.nc"
    "$cb" -q import assembly "$tmp/x.csv" --out "$tmp/tiny_t.nc" --time-bin 70:170 >/dev/null 2>&1 && put "$tmp/tiny_t.nc"
  fi
  while IFS= read -r f; do put "$f" 2097152; done < <(find "$shared" -name '*.nc' 2>/dev/null)
  ;;
fuzz_stimuli)
  generate
  put "$tmp/g/stimuli.csv"
  while IFS= read -r f; do put "$f" 262144; done < <(find "$shared" -name '*.csv' 2>/dev/null)
  printf 'stimulus_id,filename,category\n"a,1",a.png,"x ""y"""\r\nb,sub/b.png,z\r\n' >"$out/seed_quoted.csv"
  ;;
*) echo "seeds.sh: unknown target '$target'" >&2; exit 2 ;;
esac
echo "$(ls "$out" | wc -l) seeds for $target in $out"
