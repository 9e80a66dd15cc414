#!/usr/bin/env bash
# Stands in for cortexbench in the interruption tests of slurm_templates.sh
# (CORTEXBENCH=this script): marks that the rank started, waits for SIGTERM,
# SIGINT or SIGUSR1, marks which one arrived and exits 3, the status of an
# interrupted cortexbench run (tested on the real binary by the mpi tests).
# Environment: CB_TEST_MARKS (directory). The rank comes from Slurm (srun) or
# Open MPI (mpirun).
set -u
rank=${OMPI_COMM_WORLD_RANK:-${SLURM_PROCID:-0}} # (a batch script has SLURM_PROCID=0: Open MPI first)
sleeper=""
for s in TERM INT USR1; do
  trap "touch \"\$CB_TEST_MARKS/$s.$rank\"; [[ -n \$sleeper ]] && kill -KILL \"\$sleeper\" 2>/dev/null; exit 3" "$s"
done
touch "$CB_TEST_MARKS/started.$rank"
# The sleeper ignores the signals (Slurm signals every process of a step):
# only this script's trap ends the wait.
(trap '' TERM INT USR1; exec sleep 300) &
sleeper=$!
wait "$sleeper"
exit 1 # never signalled: the test fails on the missing marks
