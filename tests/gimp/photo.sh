#!/usr/bin/env bash
# An ordinary photo in the plug-in (issue 6): the sample photo (scaled down)
# as the identity layer with a painted hair mask, faces 15 and 117 for the
# hair. The plug-in finds the
# face, aligns it, transfers and pastes the result back: one new layer of the
# photo's size, changed around the face, bit-identical below the aligned
# square (the photo's lower half), and the photo layer itself untouched.
# usage: photo.sh PLUGIN_DIR WEIGHTS FACES CACHE PHOTO
# shellcheck source-path=SCRIPTDIR
set -u
plugin_dir=$1 weights=$2 faces=$3 cache=$4 photo=$5
size=64 width=648  # the random generator's size; a quarter of the photo's width
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
tiny_transfers "$cache"

run_scenario "$weights" 1500 "(bb-photo-transfer \"$photo\" $width \"$faces\" $size \"$work\")"
check "the Script-Fu scenario ran to its end" grep -q "BBTEST photo done" "$log"
check "transfer on a photo succeeds" test -z "$(reported "$log" photo error)"
check "adds exactly one layer" \
  test "$(reported "$log" photo layers-after)" = $(($(reported "$log" photo layers-before) + 1))
check "the new layer has the photo's size" test "$(reported "$log" photo size)" = "${width}x$((width * 3 / 2))"
check "only the face region changed" "$python" "$gimp_tests/compare.py" pasted "$work/original.png" "$work/photo.png"
check "the photo layer and the others are untouched" "$python" "$gimp_tests/compare.py" unchanged "$work" photo
check "no undo group left open" absent "inconsistent state" "$log"
[ "$failures" -eq 0 ] || { echo "--- GIMP output"; grep -v "^$" "$log"; }
finish photo
