#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS from freshly built seeds plus the
# corpus it grew in earlier runs; prints libFuzzer's summary (executions,
# corpus size) and fails on any crash, leak, sanitizer report or timeout.
# usage: run.sh FUZZ_BUILD_DIR TARGET SECONDS     (from the repository root)
# Files: DIR/fuzz/seeds/TARGET (rebuilt each run), DIR/fuzz/corpus/TARGET
# (kept), DIR/fuzz/logs/TARGET.log, crash inputs DIR/fuzz/crashes/TARGET-*.
set -uo pipefail
build=$(cd "$1" && pwd) target=$2 secs=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exe=$build/fuzz/$target
[[ -x "$exe" ]] || { echo "run.sh: $exe not built (cmake --build $1 --target fuzzers)" >&2; exit 1; }
seeds=$build/fuzz/seeds/$target corpus=$build/fuzz/corpus/$target
logs=$build/fuzz/logs crashes=$build/fuzz/crashes
rm -rf "$seeds"
mkdir -p "$corpus" "$logs" "$crashes"
bash "$here/seeds.sh" "$target" "$seeds" || exit 1
case "$target" in
  fuzz_assembly) maxlen=524288 ;;   # HDF5 files: superblock, B-trees, heaps, chunks
  fuzz_onnx) maxlen=65536 ;;
  *) maxlen=131072 ;;
esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$exe" -max_total_time="$secs" -max_len="$maxlen" -timeout=30 -rss_limit_mb=2560 \
  -print_final_stats=1 -artifact_prefix="$crashes/$target-" "$corpus" "$seeds" >"$logs/$target.log" 2>&1
rc=$?
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' "$logs/$target.log"
echo "corpus: $(ls "$corpus" | wc -l) files; exit $rc; log $logs/$target.log"
if [[ $rc -ne 0 ]]; then
  grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$logs/$target.log" | head -20
  exit 1
fi
