#!/usr/bin/env bash
# Prepares every fetched dataset a suite configuration reads: for each
# ${CORTEXBENCH_HOME}/datasets/ID/ path in CONFIG, runs scripts/prepare-ID.sh
# when the dataset needs a conversion step, else `cortexbench fetch ID`
# (files verified against datasets/ID.ini; nothing is fetched twice).
# usage: scripts/prepare.sh CONFIG [--mirror URL|DIR]
#   (clusters without internet: a pre-staged copy, e.g. --mirror ../shared/data)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${CORTEXBENCH:-$ROOT/build/bin/cortexbench}
[[ $# -ge 1 && -f $1 ]] || { echo "usage: scripts/prepare.sh CONFIG [--mirror URL|DIR]" >&2; exit 2; }
config=$1
shift
[[ -x $bin ]] || { echo "prepare: build cortexbench first (scripts/build.sh)" >&2; exit 1; }
ids=$(grep -v '^[[:space:]]*[;#]' "$config" | grep -o '\${CORTEXBENCH_HOME}/datasets/[A-Za-z0-9_.-]*' \
  | sed 's|.*/datasets/||' | sort -u || true)
for id in $ids; do
  if [[ -x $ROOT/scripts/prepare-$id.sh ]]; then
    CORTEXBENCH=$bin "$ROOT/scripts/prepare-$id.sh" "$@" >/dev/null
  else
    "$bin" -q fetch "$id" --no-progress "$@" >/dev/null
  fi
  echo "prepared $id"
done
