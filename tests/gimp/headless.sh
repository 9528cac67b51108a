#!/usr/bin/env bash
# The plug-in in a real, headless GIMP (gimp-console, fresh HOME): the sample
# faces as layers of one image at the generator's size; a call without a
# structure layer fails with a message and changes nothing; a transfer adds
# exactly one layer, named and placed as the issue says, whose pixels equal
# the CLI's output for the exported layers; the hair mask adds one black and
# white layer; with a missing weights folder the call fails with a message
# and changes nothing. gimp-console exits 0 even when a script fails, so only
# its output is judged.
# usage: headless.sh BARBERSHOP PLUGIN_DIR WEIGHTS FACES CACHE
#   PLUGIN_DIR: the built plug-in folder; CACHE: the embedding cache, emptied
#   here, shared by the plug-in run and the CLI run (and then the undo test).
# shellcheck source-path=SCRIPTDIR
set -u
cli=$1 plugin_dir=$2 weights=$3 faces=$4 cache=$5
size=64  # the random generator's
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
rm -rf "$cache"
tiny_transfers "$cache"

run_scenario "$weights" 1500 "(bb-headless-with-weights \"$faces\" $size \"$work\")"
check "the Script-Fu scenario ran to its end" grep -q "BBTEST headless done" "$log"

# No structure layer: a message naming it, the image as it was.
before=$(reported "$log" no-structure layers-before)
check "structure -1 fails with a message naming the structure" \
  grep -qi "BBTEST no-structure error .*structure" "$log"
check "structure -1 adds no layer" test "$(reported "$log" no-structure layers-after)" = "$before"
check "structure -1 leaves the pixels" "$python" "$gimp_tests/compare.py" unchanged "$work" no-structure

# The transfer: one new layer right above the identity layer.
check "transfer succeeds" test -z "$(reported "$log" transfer error)"
check "transfer adds exactly one layer" \
  test "$(reported "$log" transfer layers-after)" = $(($(reported "$log" transfer layers-before) + 1))
check "new layer named after its sources" \
  test "$(reported "$log" transfer name)" = "Barbershop: 16 + 15/117"
check "new layer at the identity layer's size" test "$(reported "$log" transfer size)" = "${size}x${size}"
read -r position _ identity_position <<<"$(reported "$log" transfer position)"
check "new layer right above the identity layer" test "${position:-x}" = "$((${identity_position:-0} - 1))"
check "transfer leaves the other layers' pixels" "$python" "$gimp_tests/compare.py" unchanged "$work" transfer
check "the composite is not the identity face" \
  "$python" "$gimp_tests/compare.py" differ "$work/transfer.png" "$work/identity.png"

# The CLI on the layers GIMP exported, same settings, same embedding cache.
start=$(date +%s)
"$cli" transfer --identity "$work/identity.png" --structure "$work/structure.png" \
  --appearance "$work/appearance.png" --out "$work/cli.png" --weights "$weights" \
  --preset paper --mode realistic --smooth 5 --seed 0 2>"$work/cli.log"
check "CLI transfer exits 0" test $? -eq 0
echo "CLI run (embeddings cached): $(seconds_since "$start") s"
check "plug-in pixels equal the CLI's within 1/255" \
  "$python" "$gimp_tests/compare.py" close "$work/transfer.png" "$work/cli.png"

# The hair mask: one more layer, white hair on black.
check "hair mask succeeds" test -z "$(reported "$log" hair-mask error)"
check "hair mask adds exactly one layer" \
  test "$(reported "$log" hair-mask layers-after)" = $(($(reported "$log" hair-mask layers-before) + 1))
check "hair mask at the identity layer's size" test "$(reported "$log" hair-mask size)" = "${size}x${size}"
check "hair mask is only 0 and 255" "$python" "$gimp_tests/compare.py" binary "$work/hair-mask.png"
check "hair mask leaves the other layers' pixels" "$python" "$gimp_tests/compare.py" unchanged "$work" hair-mask

# A missing weights folder: a message naming it, the image as it was.
start=$(date +%s)
BARBERSHOP_WEIGHTS=$work/no-weights gimp_batch "$work/home" "$work/missing.log" 300 \
  "(bb-headless-missing-weights \"$faces\" $size \"$work\")"
echo "GIMP run without weights: $(seconds_since "$start") s"
check "missing weights: the scenario ran to its end" grep -q "BBTEST missing-weights done" "$work/missing.log"
check "missing weights fail with a message naming the folder" \
  grep -q "BBTEST missing-weights error .*$work/no-weights" "$work/missing.log"
check "missing weights add no layer" \
  test "$(reported "$work/missing.log" missing-weights layers-after)" = \
       "$(reported "$work/missing.log" missing-weights layers-before)"
check "missing weights leave the pixels" "$python" "$gimp_tests/compare.py" unchanged "$work" missing-weights

check "no undo group left open" absent "inconsistent state" "$log" "$work/missing.log"
if [ "$failures" -ne 0 ]; then
  echo "--- GIMP output"; grep -v "^$" "$log" "$work/missing.log"; echo "--- CLI output"; tail -5 "$work/cli.log"
fi
finish headless
