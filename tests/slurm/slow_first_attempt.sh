#!/usr/bin/env bash
# Stands in for cortexbench in the requeue test (CORTEXBENCH=this script).
# First attempt of the job: marks that the rank started, then waits until
# SIGTERM reaches it, marks that too and exits 143. Later attempts (after
# `scontrol requeue`, SLURM_RESTART_COUNT >= 1) run the real binary.
# Environment: CB_TEST_BIN (real cortexbench), CB_TEST_MARKS (directory).
set -u
if (( ${SLURM_RESTART_COUNT:-0} == 0 )); then
  rank=${SLURM_PROCID:-0}
  sleeper=""
  trap 'touch "$CB_TEST_MARKS/term.$rank"; [[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null; exit 143' TERM
  touch "$CB_TEST_MARKS/started.$rank"
  sleep 300 &
  sleeper=$!
  wait "$sleeper"
  exit 1 # never signalled: the test fails on the missing marks
fi
exec "$CB_TEST_BIN" "$@"
