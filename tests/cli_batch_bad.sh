#!/usr/bin/env bash
# Bad jobs fail alone: a missing file, a photo without a face, a mask of the
# wrong size and a seed out of range each fail with their own message in
# status.jsonl, the good job between them is done, and the batch exits 1
# with a one-line summary naming the failed rows. A row's seed means what
# --seed means: its result is that of `barbershop transfer --seed 7`, not the
# stored noise's. Run again, only the failed jobs are tried again.
# With --no-cache, the batch's own cache is gone when it ends.
# usage: cli_batch_bad.sh BARBERSHOP PIPELINE_FIXTURE_DIR BATCH_FIXTURE_DIR PYTHON PHOTO
# PHOTO: an ordinary photo of a face (not square; its mask must have its size).
set -u
cli=$1 weights=$2/weights faces=$3/faces python=$4 photo=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1 BARBERSHOP_PCA_SAMPLES=2000
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
failures=0 passed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}

# A grey 300x200 "photo" with no face in it, and a 60x100 mask for PHOTO.
"$python" -c '
import sys
from PIL import Image
Image.new("RGB", (300, 200), (128, 128, 128)).save(sys.argv[1] + "/no-face.png")
Image.new("L", (60, 100), 255).save(sys.argv[1] + "/tall-mask.png")' "$work"
a="$faces/face 16, aligned.png" b="$faces/face 15, aligned.png"
cat >"$work/jobs.csv" <<CSV
identity,structure,appearance,identity_mask,out,seed
$work/missing.png,"$b","$b",,missing.png,
"$a","$b","$b",,good.png,
"$a","$b","$b",,seed-7.png,7
$work/no-face.png,"$b","$b",,no-face.png,0
"$photo","$b","$b",$work/tall-mask.png,tall-mask.png,
"$a","$b","$b",,big-seed.png,4294967296
CSV
"$cli" batch "$work/jobs.csv" --out "$work/out" --weights "$weights" --no-cache 2>"$work/log"
check "a batch with failed jobs exits 1" test $? -eq 1
check "one summary line names the failed rows" grep -qxF \
  "barbershop: batch: shard 0/1: 6 jobs, 2 done now, 0 done before, 4 failed (rows 1, 4, 5, 6; their errors are in $work/out/status.jsonl; fix them and run the same command again)" \
  "$work/log"
check "the good job between bad ones is done" test -s "$work/out/good.png"
check "failed jobs write nothing" \
  test "$(ls "$work/out")" = "$(printf 'good.png\nseed-7.png\nstatus.jsonl\nstatus.jsonl.lock')"
status_has() { grep "\"row\": $1," "$work/out/status.jsonl" | grep -qF -- "$2"; }
check "the missing file is named in status.jsonl" status_has 1 "\"ok\": false, \"error\": \"cannot read $work/missing.png"
check "no face found is named in status.jsonl" status_has 4 "no face"
check "the wrong mask size is named in status.jsonl" \
  status_has 5 "must have that size, got [100, 60]"
check "the seed out of range is named in status.jsonl" status_has 6 \
  "\"ok\": false, \"error\": \"the seed takes 0 (the generator's stored noise) or 1 to 2147483647 (random noise drawn from that seed), not 4294967296;"
check "the good job's line" status_has 2 '"row": 2, "out": "good.png", "ok": true, "error": null, "seconds": '
check "the batch's own cache is gone" test -z "$(ls -A "$TMPDIR")"

"$cli" transfer --identity "$a" --structure "$b" --appearance "$b" --out "$work/seed-7.png" --weights "$weights" \
  --no-cache --seed 7 2>/dev/null
check "the row with seed 7 equals \`barbershop transfer --seed 7\` byte for byte" cmp "$work/out/seed-7.png" "$work/seed-7.png"
check "the row with seed 7 differs from the row without (the stored noise)" \
  test -n "$(cmp "$work/out/seed-7.png" "$work/out/good.png")"

"$cli" batch "$work/jobs.csv" --out "$work/out" --weights "$weights" --no-cache 2>"$work/again.log"
check "run again, it exits 1 again" test $? -eq 1
check "run again, only the failed jobs are tried" grep -qF "6 jobs, 0 done now, 2 done before, 4 failed" "$work/again.log"
check "status.jsonl: the good job once, the bad ones twice" \
  test "$(sed 's/.*"row": \([0-9]*\),.*/\1/' "$work/out/status.jsonl" | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" = "2 1 1 2 2 2 "
echo "cli_batch_bad: $passed passed, $failures failed"
test $failures -eq 0
