#!/usr/bin/env bash
# The plug-in on layers that are not plain RGB: a grey image and an RGBA
# layer with offsets (through the Hair Mask procedure, which reads the layer
# as the transfer does), and a 1x1 structure layer from another image, which
# is refused with a message naming its size before any work, the image
# unchanged.
# usage: layer_types.sh PLUGIN_DIR WEIGHTS FACES CACHE
# shellcheck source-path=SCRIPTDIR
set -u
plugin_dir=$1 weights=$2 faces=$3
size=64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

run_scenario "$weights" 600 "(bb-layer-types \"$faces\" $size \"$work\")"
check "the Script-Fu scenario ran to its end" grep -q "BBTEST layer-types done" "$log"
for tag in grey rgba; do
  check "$tag: hair mask succeeds" test -z "$(reported "$log" $tag error)"
  check "$tag: adds exactly one layer" \
    test "$(reported "$log" $tag layers-after)" = $(($(reported "$log" $tag layers-before) + 1))
  check "$tag: mask at the layer's size" test "$(reported "$log" $tag size)" = "${size}x${size}"
  check "$tag: mask is only 0 and 255" "$python" "$gimp_tests/compare.py" binary "$work/$tag.png"
  check "$tag: other layers untouched" "$python" "$gimp_tests/compare.py" unchanged "$work" $tag
done
check "grey image: the new layer is grey" test "$(reported "$log" grey is-gray)" = 1
check "RGBA layer: the mask sits at the layer's offsets" test "$(reported "$log" rgba offsets)" = "7,5"
check "1x1 structure: refused with its size" grep -q "BBTEST tiny error .*structure.*1x1" "$log"
check "1x1 structure: no layer added" \
  test "$(reported "$log" tiny layers-after)" = "$(reported "$log" tiny layers-before)"
check "1x1 structure: pixels unchanged" "$python" "$gimp_tests/compare.py" unchanged "$work" tiny
check "no undo group left open" absent "inconsistent state" "$log"
[ "$failures" -eq 0 ] || { echo "--- GIMP output"; grep -v "^$" "$log"; }
finish layer_types
