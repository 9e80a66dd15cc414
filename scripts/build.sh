#!/usr/bin/env bash
# Configures (once) and builds a CMake preset: scripts/build.sh [default|asan|native]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
preset=${1:-default}
case "$preset" in
  default) dir=build ;;
  asan) dir=build-asan ;;
  native) dir=build-native ;;
  *) echo "usage: scripts/build.sh [default|asan|native]" >&2; exit 2 ;;
esac
cd "$ROOT"
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
  cmake --preset "$preset" >/dev/null
fi
cmake --build --preset "$preset" -j "$(nproc)" >/dev/null 2>"$dir/build-errors.log" || {
  cat "$dir/build-errors.log" >&2
  cmake --build --preset "$preset" -j 1 2>&1 | grep -E "error|Error" | head -40 >&2
  exit 1
}
