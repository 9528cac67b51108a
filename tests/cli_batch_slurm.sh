#!/usr/bin/env bash
# cli/slurm-batch.sh on a real single-node Slurm cluster (Debian's
# slurm-wlm and munge), started here with a generated slurm.conf in a
# temporary folder, no systemd: a 3-task job array over the 6 jobs of the
# batch fixture, one task cancelled (SIGTERM, as scancel does) after its
# first result, the array submitted again; then all 6 results are there,
# each job finished once (status.jsonl), and they equal the single-process
# `barbershop batch` results of cli_batch.sh byte for byte.
# Exit 77 (skipped) only when Slurm's or munge's programs are not installed,
# and never under CI (CI set), whose install step puts them there: the
# issue asks for this test to pass in CI, so a skip there is a failure.
# usage: cli_batch_slurm.sh BARBERSHOP PIPELINE_FIXTURE_DIR BATCH_FIXTURE_DIR REFERENCE_DIR SLURM_BATCH_SH
set -u
cli=$1 weights=$2/weights jobs=$3/jobs.csv reference=$4 submit=$5
export PATH=$PATH:/usr/sbin
for program in munged slurmctld slurmd sbatch squeue scancel sinfo; do
  if ! command -v $program >/dev/null; then
    echo "SKIPPED: $program is not installed (Debian: apt-get install slurm-wlm munge)"
    [ -n "${CI:-}" ] && { echo "FAILED: CI is set, and .ci/install-deps installs Slurm"; exit 1; }
    exit 77
  fi
done
work=$(mktemp -d)
chmod 700 "$work"
daemons=()
cleanup() {
  [ -n "${SLURM_CONF:-}" ] && scancel --quiet --user="$(id -un)" 2>/dev/null
  for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${daemons[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1 BARBERSHOP_PCA_SAMPLES=2000
failures=0 passed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
wait_for() {  # wait_for SECONDS COMMAND...: until COMMAND succeeds
  local deadline=$((SECONDS + $1))
  until "${@:2}"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.3
  done
}
show_logs() { tail -n 20 "$work"/*.log "$work"/logs/* 2>/dev/null; }

# munge, with its own key and socket.
dd if=/dev/urandom of="$work/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge.key"
munged --foreground --force --socket="$work/munge.socket" --key-file="$work/munge.key" \
  --pid-file="$work/munged.pid" --log-file="$work/munged.log" --seed-file="$work/munged.seed" 2>"$work/munged.err" &
daemons+=($!)

# A free port pair for the two daemons.
port=$((20000 + RANDOM % 30000))
host=$(hostname -s)
user=$(id -un)
mkdir -p "$work/state" "$work/spool" "$work/logs"
cat >"$work/slurm.conf" <<CONF
ClusterName=barbershop-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
KillWait=5
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=3 State=UNKNOWN
PartitionName=batch Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
wait_for 20 test -S "$work/munge.socket" || { echo "FAILED: munged did not start"; show_logs; exit 1; }
slurmctld -D -f "$SLURM_CONF" >"$work/slurmctld.out" 2>&1 &
daemons+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/slurmd.out" 2>&1 &
daemons+=($!)
node_idle() { sinfo -h -o %T 2>/dev/null | grep -qx idle; }
if ! wait_for 90 node_idle; then
  echo "FAILED: the Slurm node did not come up"
  show_logs
  exit 1
fi
echo "slurm: node $host idle"

array_done() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }
submit_array() {
  BARBERSHOP=$cli BARBERSHOP_LOGS=$work/logs "$submit" 3 "$jobs" --out "$work/out" --cache "$work/cache" \
    --weights "$weights" --align off
}
status_lines_of() { cat "$work/out/status.jsonl" 2>/dev/null | grep -c "\"shard\": \"$1\""; }
has_finished_a_job() { [ "$(status_lines_of "$1")" -ge 1 ]; }

started=$SECONDS
array=$(submit_array)
check "the array is submitted" test -n "$array"
# Task 1 (rows 2 and 5) is cancelled once it has finished its first job.
check "task 1 finishes its first job" wait_for 900 has_finished_a_job 1/3
scancel "${array}_1"
check "the array ends" wait_for 600 array_done "$array"
echo "first array: $((SECONDS - started)) s"
check "tasks 0 and 2 did their jobs" test -s "$work/out/1.png" -a -s "$work/out/4.png" -a -s "$work/out/3.png" -a -s "$work/out/6.png"
check "the cancelled task left row 5 undone" test "$(ls "$work/out" | grep -c '^[1-6]\.png$')" -eq 5 -a ! -e "$work/out/5.png"

started=$SECONDS
array=$(submit_array)
check "the array ends when submitted again" wait_for 600 array_done "$array"
echo "second array: $((SECONDS - started)) s"
for row in 1 2 3 4 5 6; do
  check "row $row equals the single-process batch's byte for byte" cmp "$work/out/$row.png" "$reference/$row.png"
done
check "status.jsonl: each job finished once" \
  test "$(grep '"ok": true' "$work/out/status.jsonl" | sed 's/.*"row": \([0-9]*\),.*/\1/' | sort | uniq -u | tr '\n' ' ')" = "1 2 3 4 5 6 "
check "status.jsonl: 6 whole lines" test "$(grep -c '^{"row": [0-9]*, .*"pid": [0-9]*}$' "$work/out/status.jsonl")" -eq 6
check "the resubmitted task ran row 5 as shard 1/3" grep -q '"row": 5, .*"ok": true, .*"shard": "1/3"' "$work/out/status.jsonl"
[ $failures -eq 0 ] || show_logs
echo "cli_batch_slurm: $passed passed, $failures failed"
test $failures -eq 0
