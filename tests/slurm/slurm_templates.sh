#!/usr/bin/env bash
# Runs the sbatch templates of slurm/ on a real, private, single-node Slurm.
# usage: slurm_templates.sh CORTEXBENCH CONFIG      (from the repository root)
#
# 1. Starts munged, slurmctld and slurmd (Debian's slurm-wlm and munge) with a
#    fresh key and slurm.conf in a private directory under /tmp, on free ports,
#    recording their PIDs; waits until the node is idle.
# 2. Submits, on CONFIG (a small suite):
#      single_node.sbatch -n 2                  (srun --mpi=pmix)
#      multi_node_srun.sbatch   -N 1, 2 ranks   (srun --mpi=pmix)
#      multi_node_mpirun.sbatch -N 1, 2 ranks   (mpirun)
#      submit_array.sh: array_shard.sbatch as a 2-task array (one model each)
#        + gather.sbatch chained with --dependency=afterok
#      requeue.sbatch, its step replaced by slow_first_attempt.sh; once the
#        ranks run, SIGTERM goes to the batch shell only (scancel --batch,
#        what --signal=B:TERM does at the time limit); the job must forward it
#        to both ranks, requeue itself and complete on the second attempt.
#      Interruption, the binary replaced by interruptible.sh (exits 3 on a
#      signal, like cortexbench): multi_node_mpirun.sbatch gets SIGTERM on its
#      batch shell (scancel --batch) and must turn it into SIGUSR1 for
#      mpirun; single_node.sbatch gets SIGTERM on its step (scancel
#      --signal=TERM); both jobs must end FAILED with exit code 3:0, the
#      documented status of an interrupted run.
# 3. Waits (bounded) for every job, checks each ended COMPLETED with exit code
#    0:0 (the interrupted ones FAILED 3:0; scontrol show job; no accounting
#    needed), the rank counts in the logs, and that every leaderboard.csv
#    equals the single-node one byte for byte.
# 4. Always (trap): cancels its jobs, kills exactly the daemons it started (by
#    recorded PID) and removes the private directory.
# Skips (exit 0, "skipped: ...") when Slurm or munge is not installed or when
# not run as root (slurmd must be able to start jobs as any user).
set -euo pipefail
bin=$1 config=$2
[[ $bin == /* ]] || bin=$PWD/$bin
here=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
limit=${CB_SLURM_TEST_LIMIT:-300} # seconds for all jobs together
# CB_SLURM_TEST_KEEP=1 keeps the private directory (logs, outputs) for debugging.

skip() { echo "skipped: $*"; exit 0; }
PATH=$PATH:/usr/sbin:/sbin # the daemons live in sbin
for t in munged slurmctld slurmd sbatch squeue scontrol sinfo scancel setpriv; do
  command -v "$t" >/dev/null 2>&1 || skip "$t not installed (apt-get install slurm-wlm munge)"
done
[[ $(id -u) -eq 0 ]] || skip "needs root to run slurmd"
id munge >/dev/null 2>&1 || skip "no 'munge' user (install the munge package)"
[[ -f $config && -f slurm/single_node.sbatch ]] || { echo "FAIL: run from the repository root with an existing CONFIG"; exit 1; }

# An outer Slurm job (CI inside an allocation) must not leak into ours.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SRUN|SALLOC)_' || true)

S=$(mktemp -d /tmp/cb-slurm.XXXXXX)
chmod 0755 "$S" # munged runs as user munge and must reach its socket directory
mkdir -p "$S"/{munge,state,spool,run,log,out,jobs,marks,marks-mpirun,marks-srun,bin}
daemons=() names=() # PIDs we started and their command names, in start order
jobs_submitted=()
t0=$SECONDS

alive() { # PID NAME: running (not a zombie) and still the process we started
  local st
  [[ -r /proc/$1/stat ]] || return 1
  st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
  [[ $st != Z && $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]
}

cleanup() {
  local status=$? i pid n
  trap - EXIT INT TERM
  set +e
  if ((${#jobs_submitted[@]})); then
    scancel "${jobs_submitted[@]}" 2>/dev/null
    for ((n = 0; n < 20; ++n)); do
      [[ -z $(squeue -h -j "$(IFS=,; echo "${jobs_submitted[*]}")" 2>/dev/null) ]] && break
      sleep 0.5
    done
  fi
  if ((status != 0)); then
    echo "--- logs of the failed run ($S) ---"
    for f in "$S"/jobs/*.out "$S"/log/*.log; do
      [[ -f $f ]] && { echo "== $f"; tail -n 25 "$f"; }
    done
  fi
  # Reverse start order: slurmd, slurmctld, munged. TERM, then KILL after 10 s.
  for ((i = ${#daemons[@]} - 1; i >= 0; --i)); do
    pid=${daemons[i]}
    alive "$pid" "${names[i]}" || continue
    kill -TERM "$pid" 2>/dev/null
    for ((n = 0; n < 100; ++n)); do alive "$pid" "${names[i]}" || break; sleep 0.1; done
    alive "$pid" "${names[i]}" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [[ -n ${CB_SLURM_TEST_KEEP:-} ]]; then echo "kept $S"; else rm -rf "$S"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private copy of the binary: a rebuild during the test cannot disturb the jobs.
cp "$bin" "$S/bin/cortexbench"
bin=$S/bin/cortexbench
"$bin" version >/dev/null || { echo "FAIL: $bin does not run"; exit 1; }

free_port() { # a TCP port nobody listens on, from a random start
  local p=$((20000 + RANDOM % 20000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
start() { # NAME LOG COMMAND...: start in its own session, record the PID
  local name=$1 log=$2
  shift 2
  setsid "$@" </dev/null >"$log" 2>&1 &
  daemons+=($!) names+=("$name")
}

# --- munge: private key and socket ------------------------------------------
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$S/munge"
chmod 0755 "$S/munge" # the socket directory must be searchable by clients
chmod 0400 "$S/munge/munge.key"
socket=$S/munge/munge.socket.2
start munged "$S/log/munged.out" setpriv --reuid=munge --regid=munge --init-groups \
  munged -F --socket="$socket" --key-file="$S/munge/munge.key" --pid-file="$S/munge/munged.pid" \
  --log-file="$S/munge/munged.log" --seed-file="$S/munge/munged.seed"
for ((n = 0; n < 100; ++n)); do [[ -S $socket ]] && break; sleep 0.1; done
[[ -S $socket ]] || { echo "FAIL: munged did not create $socket"; cat "$S/log/munged.out"; exit 1; }

# --- slurm.conf --------------------------------------------------------------
host=$(hostname -s)
cpus=$(nproc)
mem=$(($(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 1024))
((mem > 256)) || mem=256
task_plugin=task/affinity
if ((cpus < 2)); then cpus=2 task_plugin=task/none; fi # 2 ranks on one core: no binding
export SLURM_CONF=$S/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=cbtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket,cred_expire=5
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/run/slurmctld.pid
SlurmdPidFile=$S/run/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=$task_plugin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
ReturnToService=2
MinJobAge=900
SchedulerParameters=sched_interval=2,bf_interval=1
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
start slurmctld "$S/log/slurmctld.out" slurmctld -D -i -f "$SLURM_CONF"
start slurmd "$S/log/slurmd.out" slurmd -D -f "$SLURM_CONF"

state=""
for ((n = 0; n < 300; ++n)); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -n 1) || true
  [[ $state == idle ]] && break
  for ((i = 0; i < ${#daemons[@]}; ++i)); do
    alive "${daemons[i]}" "${names[i]}" || { echo "FAIL: ${names[i]} exited"; exit 1; }
  done
  sleep 0.1
done
[[ $state == idle ]] || { echo "FAIL: node not idle after 30 s (state '$state')"; exit 1; }
echo "slurm up in $((SECONDS - t0)) s: node $host, $cpus CPUs, state dir $S"

# --- submissions (from the repository root: templates cd to SLURM_SUBMIT_DIR)
export CORTEXBENCH=$bin OPENBLAS_NUM_THREADS=1
submit() { # NAME sbatch-arguments...: prints the job id
  local name=$1 id
  shift
  id=$(sbatch --parsable --job-name="$name" --output="$S/jobs/$name.out" "$@") || return 1
  echo "${id%%;*}"
}
j_single=$(submit single -n 2 slurm/single_node.sbatch "$config" "$S/out/single")
j_srun=$(submit srun -N 1 --ntasks-per-node=2 --cpus-per-task=1 slurm/multi_node_srun.sbatch "$config" "$S/out/srun")
j_mpirun=$(submit mpirun -N 1 --ntasks-per-node=2 --cpus-per-task=1 slurm/multi_node_mpirun.sbatch "$config" "$S/out/mpirun")
read -r j_array j_gather < <(slurm/submit_array.sh "$config" "$S/out/array" 2 -- --output="$S/jobs/%x-%j.out")
[[ -n ${j_array:-} && -n ${j_gather:-} ]] || { echo "FAIL: submit_array.sh printed no job ids"; exit 1; }
j_requeue=$(CORTEXBENCH=$here/slow_first_attempt.sh CB_TEST_BIN=$bin CB_TEST_MARKS=$S/marks \
  submit requeue -n 2 slurm/requeue.sbatch "$config" "$S/out/requeue")
j_stop_mpirun=$(CORTEXBENCH=$here/interruptible.sh CB_TEST_MARKS=$S/marks-mpirun \
  submit stop-mpirun -N 1 --ntasks-per-node=2 --cpus-per-task=1 slurm/multi_node_mpirun.sbatch "$config" "$S/out/stop-mpirun")
j_stop_srun=$(CORTEXBENCH=$here/interruptible.sh CB_TEST_MARKS=$S/marks-srun \
  submit stop-srun -n 2 slurm/single_node.sbatch "$config" "$S/out/stop-srun")
jobs_submitted=("$j_single" "$j_srun" "$j_mpirun" "$j_array" "$j_gather" "$j_requeue" "$j_stop_mpirun" "$j_stop_srun")
echo "submitted: single $j_single, srun $j_srun, mpirun $j_mpirun, array $j_array + gather $j_gather, requeue $j_requeue," \
  "interrupted mpirun $j_stop_mpirun and srun $j_stop_srun"

# --- wait --------------------------------------------------------------------
field() { # KEY: value of KEY= in one `scontrol show job -o` line (stdin)
  sed -nE "s/(^|.*[[:space:]])$1=([^[:space:]]*).*/\2/p"
}
terminal='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)$'
job_lines() { scontrol show job -o "$1" 2>/dev/null | grep JobId= || true; }
all_done() { # every job (every array task) in a terminal state
  local j line s
  for j in "${jobs_submitted[@]}"; do
    while IFS= read -r line; do
      s=$(field JobState <<<"$line")
      [[ $s =~ $terminal ]] || return 1
    done < <(job_lines "$j")
  done
  return 0
}
signalled=0 stopped_mpirun=0 stopped_srun=0
deadline=$((SECONDS + limit))
while ((SECONDS < deadline)); do
  if ((!signalled)) && [[ -e $S/marks/started.0 && -e $S/marks/started.1 ]]; then
    scancel --batch --signal=TERM "$j_requeue"
    signalled=1
    echo "requeue job $j_requeue: both ranks running; SIGTERM sent to its batch shell at $((SECONDS - t0)) s"
  fi
  if ((!stopped_mpirun)) && [[ -e $S/marks-mpirun/started.0 && -e $S/marks-mpirun/started.1 ]]; then
    scancel --batch --signal=TERM "$j_stop_mpirun"
    stopped_mpirun=1
    echo "mpirun job $j_stop_mpirun: both ranks running; SIGTERM sent to its batch shell at $((SECONDS - t0)) s"
  fi
  if ((!stopped_srun)) && [[ -e $S/marks-srun/started.0 && -e $S/marks-srun/started.1 ]]; then
    scancel --signal=TERM "$j_stop_srun"
    stopped_srun=1
    echo "srun job $j_stop_srun: both ranks running; SIGTERM sent to its step at $((SECONDS - t0)) s"
  fi
  if ((signalled && stopped_mpirun && stopped_srun)) && all_done; then break; fi
  if job_lines "$j_gather" | grep -q 'Reason=DependencyNeverSatisfied'; then
    echo "FAIL: gather job $j_gather can never start (an array task failed)"; exit 1
  fi
  sleep 0.5
done
((signalled)) || { echo "FAIL: the requeue job's ranks never started"; exit 1; }
((stopped_mpirun && stopped_srun)) || { echo "FAIL: the interrupted jobs' ranks never started"; exit 1; }
all_done || { echo "FAIL: jobs still not finished after $limit s:"; squeue; exit 1; }
echo "all jobs finished at $((SECONDS - t0)) s"

# --- checks ------------------------------------------------------------------
fail=0
bad() { echo "FAIL: $*"; fail=1; }
for j in "${jobs_submitted[@]}"; do
  while IFS= read -r line; do
    id=$(field JobId <<<"$line") name=$(field JobName <<<"$line")
    s=$(field JobState <<<"$line") code=$(field ExitCode <<<"$line")
    if [[ $name == stop-* ]]; then # interrupted: the documented status 3
      [[ $s == FAILED && $code == 3:0 ]] || bad "job $id ($name): state $s, exit code $code, expected FAILED 3:0"
    else
      [[ $s == COMPLETED && $code == 0:0 ]] || bad "job $id ($name): state $s, exit code $code"
    fi
  done < <(job_lines "$j")
done
# How the stand-in ranks were stopped (at least one rank each: the launcher
# may end the other as soon as the first exits).
ls "$S/marks-mpirun" | grep -q '^USR1\.' || bad "interrupted mpirun job: no rank got SIGUSR1 ($(ls "$S/marks-mpirun" | tr '\n' ' '))"
ls "$S/marks-srun" | grep -q '^TERM\.' || bad "interrupted srun job: no rank got SIGTERM ($(ls "$S/marks-srun" | tr '\n' ' '))"
[[ $(job_lines "$j_array" | wc -l) -eq 2 ]] || bad "array job $j_array does not have 2 tasks"
restarts=$(job_lines "$j_requeue" | field Restarts)
[[ $restarts == 1 ]] || bad "requeue job: Restarts=$restarts, expected 1"
# At least one rank must have caught SIGTERM: srun may end the step (SIGKILL)
# as soon as the first rank exits, before the other rank's handler has run.
n_term=$(ls "$S/marks" 2>/dev/null | grep -c '^term\.')
(( n_term >= 1 )) || bad "requeue job: no rank received SIGTERM"
grep -q 'requeueing job' "$S/jobs/requeue.out" || bad "requeue job: no 'requeueing' line in its log"

for name in single srun mpirun requeue; do
  grep -q '^ranks: 2 ' "$S/jobs/$name.out" || bad "$name: not 2 ranks (log: $(grep '^ranks:' "$S/jobs/$name.out"))"
done
for i in 0 1; do
  grep -q "shard $i/2 of" "$S"/jobs/cortexbench-shard-*.out || bad "array: no task ran shard $i/2"
done

suite=$(ls "$S/out/single" 2>/dev/null | head -n 1)
ref=$S/out/single/$suite/leaderboard.csv
if [[ -z $suite || ! -f $ref ]]; then
  bad "single-node job wrote no leaderboard"
else
  rows=$(($(wc -l <"$ref") - 1))
  ((rows >= 2)) || bad "single-node leaderboard has $rows models, expected >= 2"
  for name in srun mpirun array requeue; do
    got=$S/out/$name/$suite/leaderboard.csv
    if [[ ! -f $got ]]; then
      bad "$name: no $got"
    elif ! cmp -s "$ref" "$got"; then
      bad "$name: leaderboard.csv differs from the single-node one"; diff "$ref" "$got" || true
    fi
  done
  [[ -f $S/out/array/$suite/leaderboard.md ]] || bad "gather job wrote no leaderboard.md"
  cat "$S/out/single/$suite/leaderboard.md"
fi
((fail == 0)) || exit 1
echo "slurm templates: single, srun, mpirun, array+gather and requeue give the same leaderboard; interrupted mpirun and srun jobs exit 3 ($((SECONDS - t0)) s)"
