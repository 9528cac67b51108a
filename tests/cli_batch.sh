#!/usr/bin/env bash
# `barbershop batch` as a user runs it: a job file with quoted fields is
# checked whole before anything loads (an empty file, a missing or unknown
# column: one line naming the fix); --shard and --devices split the jobs so
# that every job is run exactly once (--dry-run shows the plan); --devices on
# a machine without GPUs says so; a seed column holds whole numbers. Then the
# 6 jobs of the batch fixture are run, the run is killed (SIGKILL) after its
# first result, and the same command again completes the rest: every result
# is written once (status.jsonl has one "ok" line per job), and a result
# equals what `barbershop transfer --seed 0` makes of the same images. The results are kept in
# REFERENCE_DIR for the Slurm test (cli_batch_slurm.sh).
# usage: cli_batch.sh BARBERSHOP PIPELINE_FIXTURE_DIR BATCH_FIXTURE_DIR REFERENCE_DIR
set -u
cli=$1 weights=$2/weights jobs=$3/jobs.csv reference=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1 BARBERSHOP_PCA_SAMPLES=2000
failures=0 passed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
options=(--weights "$weights" --cache "$work/cache" --align off)

# The job file, checked before anything loads.
refused() {  # refused JOBFILE_CONTENT EXPECTED_MESSAGE
  printf '%b' "$1" >"$work/bad.csv"
  "$cli" batch "$work/bad.csv" --out "$work/refused" "${options[@]}" 2>"$work/refused.log"
  [ $? -eq 2 ] && [ "$(wc -l <"$work/refused.log")" -eq 1 ] && grep -qF -- "$2" "$work/refused.log" &&
    [ ! -e "$work/refused/status.jsonl" ] || { cat "$work/refused.log"; false; }
}
check "an empty job file is named" refused "" "the job file $work/bad.csv is empty; its first line names the columns"
check "a missing column is named" refused "identity,appearance\na.png,b.png\n" \
  "has no 'structure' column; its header row must name identity, structure and appearance"
check "an unknown column is named" refused "identity,structure,appearance,colour\na,b,c,d\n" \
  "has an unknown column 'colour'; its header row may name identity, structure, appearance, identity_mask"
check "a header without jobs is named" refused "identity,structure,appearance\n" "has a header row but no jobs"
check "an unclosed quote is named" refused 'identity,structure,appearance\n"a.png,b.png,c.png\n' \
  "has a double quote on line 2 that is never closed"
check "a row with a field too many is named" refused "identity,structure,appearance\na.png,b,c.png,d.png\n" \
  "row 1 of the job file $work/bad.csv has 4 fields but the header names 3 columns"
check "two rows writing one file are named" refused "identity,structure,appearance,out\na,b,c,x.png\nd,e,f,x.png\n" \
  "rows 1 and 2 of the job file $work/bad.csv both write 'x.png'; give each row its own out"
check "a seed that is no whole number is named" refused "identity,structure,appearance,seed\na,b,c,seven\n" \
  "row 1 of the job file $work/bad.csv has the seed 'seven'; a seed is a whole number"
"$cli" batch "$jobs" --out "$work/out" --shard 4/3 "${options[@]}" 2>"$work/shard.log"
check "a shard past the count is refused" grep -qF "not '4/3'" "$work/shard.log"

# The plan: shards i/N with i from 0 or from 1 and GPU workers within a shard
# each take every N-th job, together every job once (rows from the quoted file).
rows_of() { "$cli" batch "$jobs" --out "$work/out" "${options[@]}" --dry-run "$@" | sed -n 's/^row \([0-9]*\) -> .*/\1/p' | tr '\n' ' '; }
check "--dry-run lists all 6 jobs" test "$(rows_of)" = "1 2 3 4 5 6 "
check "shard 0/3 runs rows 1 and 4" test "$(rows_of --shard 0/3)" = "1 4 "
check "shard 3/3 (numbered from 1) is shard 0/3" test "$(rows_of --shard 3/3)" = "1 4 "
check "shard 1/3 runs rows 2 and 5" test "$(rows_of --shard 1/3)" = "2 5 "
check "the shards of 4 cover each job once" \
  test "$(for i in 1 2 3 4; do rows_of --shard $i/4; done | tr -s ' ' '\n' | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 "
"$cli" batch "$jobs" --out "$work/out" "${options[@]}" --dry-run --devices 0,3 >"$work/plan" 2>&1
check "--devices 0,3 gives odd rows to GPU 0, even rows to GPU 3" \
  test "$(grep -c 'to do (cuda:0, shard 0/2)' "$work/plan") $(grep -c 'to do (cuda:3, shard 1/2)' "$work/plan")" = "3 3"
"$cli" batch "$jobs" --out "$work/out" "${options[@]}" --dry-run --shard 1/3 --devices 0,1 >"$work/plan" 2>&1
check "--devices within shard 1/3: row 2 on GPU 0 (shard 1/6), row 5 on GPU 1 (shard 4/6)" \
  test "$(sed -n 's/^row \([0-9]\) .*(cuda:\([0-9]\), shard \(.*\))/\1 \2 \3/p' "$work/plan" | tr '\n' ';')" = "2 0 1/6;5 1 4/6;"
if [ -z "$(command -v nvidia-smi)" ]; then
  "$cli" batch "$jobs" --out "$work/out" "${options[@]}" --devices 0,1 2>"$work/gpu.log"
  check "--devices without a GPU exits 2" test $? -eq 2
  check "--devices without a GPU says so" grep -qF "LibTorch finds no GPU on this machine; leave --devices out" "$work/gpu.log"
fi

# Killed after its first result, then run again: each job done once.
"$cli" batch "$jobs" --out "$work/out" "${options[@]}" 2>"$work/first.log" &
pid=$!
deadline=$((SECONDS + 1200))  # loading and a first job, on a busy machine
until grep -q '"ok": true' "$work/out/status.jsonl" 2>/dev/null || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
kill -KILL $pid
wait $pid 2>/dev/null
done_first=$(ls "$work/out" | grep -c '^[0-9]\.png$')
check "the killed run left some results, not all ($done_first)" test "$done_first" -ge 1 -a "$done_first" -lt 6
started=$SECONDS
"$cli" batch "$jobs" --out "$work/out" "${options[@]}" 2>"$work/second.log"
check "the rerun exits 0" test $? -eq 0
echo "rerun: $((SECONDS - started)) s"
check "the rerun names what it skipped" \
  grep -qF "barbershop: batch: shard 0/1: 6 jobs, $((6 - done_first)) done now, $done_first done before, 0 failed" "$work/second.log"
check "all 6 results are there" test "$(ls "$work/out" | grep -c '^[1-6]\.png$')" -eq 6
check "status.jsonl has 6 lines, each job finished once" \
  test "$(grep '"ok": true' "$work/out/status.jsonl" | sed 's/.*"row": \([0-9]*\),.*/\1/' | sort | uniq -u | tr '\n' ' ')" = "1 2 3 4 5 6 "
check "status.jsonl has no other lines" test "$(wc -l <"$work/out/status.jsonl")" -eq 6
"$cli" batch "$jobs" --out "$work/out" "${options[@]}" 2>"$work/third.log"
check "a third run has nothing to do" grep -qF "0 done now, 6 done before, 0 failed" "$work/third.log"

# A batch result is the transfer's own (row 6: face 117 with the hair of 15),
# and no seed is seed 0, the stored noise.
faces=$(dirname "$jobs")/faces
"$cli" transfer --identity "$faces/face 117, aligned.png" --structure "$faces/face 15, aligned.png" \
  --appearance "$faces/face 15, aligned.png" --out "$work/transfer.png" "${options[@]}" --seed 0 2>/dev/null
check "row 6 (no seed) equals \`barbershop transfer --seed 0\` byte for byte" cmp "$work/out/6.png" "$work/transfer.png"

rm -rf "$reference" && mkdir -p "$reference" && cp "$work"/out/[1-6].png "$reference"/
echo "cli_batch: $passed passed, $failures failed"
test $failures -eq 0
