#!/usr/bin/env bash
# Runs `barbershop batch` over a job file as a Slurm job array: task i of N
# runs `barbershop batch ... --shard i/N`, so the tasks split the jobs
# between them, each job to exactly one task. See docs/cluster.md.
#
# usage: slurm-batch.sh TASKS JOBS.csv --out DIR [barbershop batch options...]
#   e.g. slurm-batch.sh 8 /shared/jobs.csv --out /shared/results --cache /shared/cache --device cuda
# prints the array's job id.
#
# The results folder and the embedding cache must be on storage every node
# sees: the cache's lock file makes writers take turns, and status.jsonl
# takes each task's lines whole. Submit the same command again after a
# failure or a cancelled task: the jobs already done are skipped.
#
# Environment:
#   BARBERSHOP        the barbershop program (default: `barbershop` on PATH)
#   BARBERSHOP_ARRAY  the task numbers to submit (default 0-(TASKS-1)), e.g.
#                     "1" to submit task 1 alone again; each still takes its
#                     shard of TASKS
#   BARBERSHOP_LOGS   folder of the tasks' logs (default: the current folder)
#   SBATCH_*          sbatch's own settings, e.g. SBATCH_PARTITION=gpu,
#                     SBATCH_GRES=gpu:1, SBATCH_TIMELIMIT=4:00:00
set -euo pipefail

# Inside the array: this task's shard. BARBERSHOP_SHARDS is the array's
# size as submitted; Slurm's own SLURM_ARRAY_TASK_COUNT is that too unless
# only some tasks were submitted (BARBERSHOP_ARRAY).
if [ -n "${SLURM_ARRAY_TASK_ID:-}" ] && [ -n "${BARBERSHOP_SHARDS:-}" ]; then
  exec "${BARBERSHOP:-barbershop}" batch "$@" --shard "$SLURM_ARRAY_TASK_ID/${BARBERSHOP_SHARDS:-$SLURM_ARRAY_TASK_COUNT}"
fi

if [ $# -lt 2 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 TASKS JOBS.csv --out DIR [barbershop batch options...]" >&2
  exit 2
fi
tasks=$1
shift
# The job file is checked now, on the submitting machine, rather than in every task.
"${BARBERSHOP:-barbershop}" batch "$@" --dry-run >/dev/null
export BARBERSHOP_SHARDS=$tasks
exec sbatch --parsable --job-name=barbershop-batch --array="${BARBERSHOP_ARRAY:-0-$((tasks - 1))}" \
  --output="${BARBERSHOP_LOGS:-.}/barbershop-%A_%a.log" "$0" "$@"
