#!/usr/bin/env bash
# `barbershop transfer` as a user runs it: a whole transfer with tiny step
# counts writes a PNG and the --dump files, in which another generator
# (--generator), --smooth and the hair masks of identity, structure and
# target act as docs/method.md says (cli_transfer_check.py); Ctrl-C stops it with
# exit code 130 and leaves no file; missing weights are named; an output
# folder that does not exist is refused before anything loads, and so are a
# seed out of range and the old --noise, in one line saying what to write
# (the seeds' images: cli_batch.sh and cli_batch_bad.sh).
# usage: cli_transfer.sh BARBERSHOP PIPELINE_FIXTURE_DIR FACES_DIR PYTHON
set -u
cli=$1 fixtures=$2 weights=$2/weights faces=$3 python=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=2 BARBERSHOP_PCA_SAMPLES=2000
failures=0 passed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}

args=(--identity "$faces/16.png" --structure "$faces/15.png" --appearance "$faces/117.png" --weights "$weights" --no-cache)
# One whole transfer with a 128x128 generator, --smooth 2 and painted hair
# masks; the checker computes what the output and the dumps must hold from
# the mask files alone.
smooth=2
"$cli" transfer "${args[@]}" --generator "$fixtures/G128.pt" --smooth $smooth \
  --identity-mask "$fixtures/masks/identity.png" --structure-mask "$fixtures/masks/structure.png" \
  --target-mask "$fixtures/masks/target.png" --out "$work/out.png" --dump "$work/dump" 2>"$work/log"
check "transfer exits 0" test $? -eq 0
check "progress printed per stage" grep -q "^blending: 100%" "$work/log"
check "--generator, --smooth and the masks act as docs/method.md says" \
  "$python" "$(dirname "$0")/cli_transfer_check.py" "$work/out.png" "$work/dump" "$fixtures/masks" 128 $smooth "$faces/16.png"

# Ctrl-C once the run is past loading: exit 130, nothing written.
"$cli" transfer "${args[@]}" --out "$work/cancelled.png" --dump "$work/cancelled" 2>"$work/cancel.log" &
pid=$!
for _ in $(seq 600); do grep -q "embedding" "$work/cancel.log" 2>/dev/null && break; sleep 0.5; done
kill -INT $pid
wait $pid
check "Ctrl-C exits 130" test $? -eq 130
check "Ctrl-C writes no output" test ! -e "$work/cancelled.png"
check "Ctrl-C writes no dump" test ! -e "$work/cancelled"
check "Ctrl-C leaves no temporary file" test -z "$(ls -A "$work" | grep -v -e '^out.png$' -e '^dump$' -e 'log$')"

"$cli" transfer "${args[@]/$weights/$work/nowhere}" --out "$work/x.png" 2>"$work/missing.log"
check "missing weights exit 2" test $? -eq 2
check "missing weights named" grep -q "vgg16-397923af.pth" "$work/missing.log"
check "no output without weights" test ! -e "$work/x.png"

# An output the engine cannot write is refused before anything loads.
"$cli" transfer "${args[@]}" --out "$work/missing/x.png" 2>"$work/out-folder.log"
check "missing output folder exits 2" test $? -eq 2
check "missing output folder named, with the flag" \
  grep -q "the folder $work/missing does not exist; create it first (--out)" "$work/out-folder.log"
check "missing output folder refused before the transfer" test "$(grep -c embedding "$work/out-folder.log")" -eq 0
"$cli" transfer "${args[@]}" --out "$work/x.gif2" 2>"$work/out-format.log"
check "unwritable format exits 2" test $? -eq 2
check "unwritable format named" grep -q "'gif2' is not an image format this build writes" "$work/out-format.log"

# The seed, as every host means it (noise_of_seed, engine/settings.h).
refused() {  # refused EXPECTED_MESSAGE TRANSFER_OPTIONS...: exit 2, one line, nothing written
  "$cli" transfer "${args[@]}" --out "$work/refused.png" "${@:2}" 2>"$work/refused.log"
  [ $? -eq 2 ] && [ "$(wc -l <"$work/refused.log")" -eq 1 ] && grep -qF -- "$1" "$work/refused.log" &&
    [ ! -e "$work/refused.png" ] || { cat "$work/refused.log"; false; }
}
range="the seed takes 0 (the generator's stored noise) or 1 to 2147483647 (random noise drawn from that seed)"
check "--seed -1 is refused before anything loads" refused "$range, not -1; pick a seed in that range (--seed)" --seed -1
check "--seed 4294967296 is refused, not cut to 32 bits" refused "$range, not 4294967296;" --seed 4294967296
check "--noise random is refused, saying how to write it" \
  refused "--noise was replaced by --seed: write --seed N (1 to 2147483647) for random noise from seed N" \
  --noise random --seed 5
check "--noise stored is refused, saying how to write it" \
  refused "and --seed 0 or nothing for the stored noise (was --noise stored)" --noise stored
echo "cli_transfer: $passed passed, $failures failed"
test $failures -eq 0
