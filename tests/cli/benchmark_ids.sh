#!/usr/bin/env bash
# Benchmark ids of `cortexbench score`: the assembly's BrainIO identifier when it has one, else the file name;
# every score records the assembly's SHA-256, and `cortexbench leaderboard` refuses one id on two different
# assemblies (two files both called assembly.nc) with one line naming both score files.
set -euo pipefail
CB=$1
PY=/usr/bin/python3
if ! $PY -c "import h5py, numpy" 2>/dev/null; then echo "SKIP: /usr/bin/python3 lacks h5py or numpy"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$PY "$(dirname "$0")/make_constant_inputs.py" "$tmp"
mkdir -p "$tmp/a" "$tmp/b" "$tmp/s"
"$CB" import assembly "$tmp/asm.npy" --out "$tmp/a/assembly.nc" --stimulus-ids "$tmp/ids.txt" >/dev/null
"$CB" import assembly "$tmp/asm.npy" --out "$tmp/b/assembly.nc" --stimulus-ids "$tmp/ids.txt" --region V4 >/dev/null
"$CB" import assembly "$tmp/asm.npy" --out "$tmp/named.nc" --stimulus-ids "$tmp/ids.txt" --identifier lab.V4 >/dev/null
score() { "$CB" score --activations "$tmp/acts.h5" --layer good --assembly "$1" --out "$2" 2>/dev/null >/dev/null; }
field() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
score "$tmp/named.nc" "$tmp/s/named.json"
[[ $(field "$tmp/s/named.json" benchmark) == lab.V4 ]] || { echo "FAIL: id not the BrainIO identifier"; exit 1; }
want=$(sha256sum "$tmp/named.nc" | cut -c1-64)
[[ $(field "$tmp/s/named.json" assembly_sha256) == "$want" ]] || { echo "FAIL: assembly_sha256 is not the file's"; exit 1; }
score "$tmp/a/assembly.nc" "$tmp/s/a.json"
score "$tmp/b/assembly.nc" "$tmp/s/b.json"
[[ $(field "$tmp/s/a.json" benchmark) == assembly ]] || { echo "FAIL: id not the file name"; exit 1; }
if "$CB" leaderboard "$tmp/s/a.json" "$tmp/s/b.json" >"$tmp/out" 2>"$tmp/err"; then
  echo "FAIL: leaderboard accepted one id on two assemblies"; exit 1
fi
[[ $(wc -l <"$tmp/err") == 1 ]] && grep -q "a.json and .*b.json: benchmark id 'assembly' names two different" "$tmp/err" ||
  { echo "FAIL: want one line naming both files, got: $(cat "$tmp/err")"; exit 1; }
"$CB" leaderboard "$tmp/s/a.json" "$tmp/s/named.json" >/dev/null 2>&1 || { echo "FAIL: distinct ids refused"; exit 1; }
echo "benchmark ids: identifier / file name ids, assembly SHA-256 recorded, clash refused naming both files"
