#!/usr/bin/env bash
# `barbershop transfer --preview DIR` and `--time-limit`, and `barbershop
# batch --time-limit`, as a user runs them, with tiny step counts on the
# random 64-px weights: the preview files' names, sizes and the last one
# equal to --out; a limit that is already up keeps the first generated
# composite (the shape preview), exits 0 and says where it stopped; a bad
# limit is refused before anything loads.
# usage: cli_previews.sh BARBERSHOP PIPELINE_FIXTURE_DIR FACES_DIR PYTHON
set -u
cli=$1 weights=$2/weights faces=$(cd "$3" && pwd) python=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=4 BARBERSHOP_PCA_SAMPLES=2000
failures=0 passed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
# A PNG's width x height, from its header.
png_size() {
  "$python" -c 'import struct, sys; w, h = struct.unpack(">II", open(sys.argv[1], "rb").read()[16:24]); print(f"{w}x{h}")' "$1"
}
all_sized() {  # all_sized SIZE FILE...: every file has SIZE
  for file in "${@:2}"; do test "$(png_size "$file")" = "$1" || { echo "$file is $(png_size "$file")"; return 1; }; done
}

args=(--identity "$faces/16.png" --structure "$faces/15.png" --appearance "$faces/117.png" --weights "$weights"
      --no-cache --align off)
size=$(png_size "$faces/16.png")

# Every moment: layout, shape, colour after blending steps 1 and 2 of 4, final.
"$cli" transfer "${args[@]}" --preview "$work/previews" --out "$work/out.png" 2>"$work/log"
check "transfer with --preview exits 0" test $? -eq 0
check "previews named NN-<moment>.png in order" \
  test "$(ls "$work/previews" | tr '\n' ' ')" = "01-layout.png 02-shape.png 03-colour.png 04-colour.png 05-final.png "
check "previews have the identity image's size ($size)" all_sized "$size" "$work"/previews/*.png
check "the last preview is --out" cmp -s "$work/previews/05-final.png" "$work/out.png"
check "no stop reported without a limit" test "$(grep -c "stopped" "$work/log")" -eq 0

# A limit already up: kept at the first generated composite.
"$cli" transfer "${args[@]}" --time-limit 0.000001 --preview "$work/limited" --out "$work/limited.png" \
  2>"$work/limited.log"
check "--time-limit exits 0" test $? -eq 0
check "--time-limit says where it stopped" \
  grep -q "stopped the transfer at alignment (2/2), step 1 of 1" "$work/limited.log"
check "--time-limit keeps the shape preview" cmp -s "$work/limited/02-shape.png" "$work/limited.png"
check "previews up to the stop" \
  test "$(ls "$work/limited" | tr '\n' ' ')" = "01-layout.png 02-shape.png 03-final.png "
check "the kept result has the identity image's size" all_sized "$size" "$work/limited.png"

# A limit that is not a number of seconds: refused before anything loads.
"$cli" transfer "${args[@]}" --time-limit soon --out "$work/x.png" 2>"$work/bad.log"
check "a bad --time-limit exits 2" test $? -eq 2
check "a bad --time-limit is named" grep -q -- "--time-limit takes seconds" "$work/bad.log"
check "nothing written for a bad --time-limit" test ! -e "$work/x.png"

# batch: the limit applies to each job.
printf 'identity,structure,appearance\n%s,%s,%s\n%s,%s,%s\n' "$faces/16.png" "$faces/15.png" "$faces/117.png" \
  "$faces/15.png" "$faces/16.png" "$faces/117.png" >"$work/jobs.csv"
"$cli" batch "$work/jobs.csv" --out "$work/batch" --weights "$weights" --no-cache --align off --time-limit 0.000001 \
  2>"$work/batch.log"
check "batch --time-limit exits 0" test $? -eq 0
check "batch says where each job stopped" \
  test "$(grep -c "the time limit stopped it at alignment (2/2), step 1 of 1" "$work/batch.log")" -eq 2
check "batch keeps each job's result" all_sized "$size" "$work/batch/1.png" "$work/batch/2.png"

echo "cli_previews: $passed passed, $failures failed"
test $failures -eq 0
