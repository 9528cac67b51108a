#!/usr/bin/env bash
# One Ctrl+Z undoes the whole plug-in call, for real: GIMP 2.10's PDB cannot
# undo, so GIMP runs with its UI on a virtual screen (Xvfb), shows the faces
# image, runs plug-in-barbershop through the Script-Fu server, and xdotool
# presses Ctrl+Z in the image window once: the new layer is gone and every
# layer's pixels are as before. Ctrl+Y brings the layer back.
# usage: undo.sh PLUGIN_DIR WEIGHTS FACES CACHE
#   CACHE: the embedding cache (the headless test fills it for these inputs).
# shellcheck source-path=SCRIPTDIR
set -u
plugin_dir=$1 weights=$2 faces=$3 cache=$4
size=64  # the random generator's
work=$(mktemp -d)
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
trap 'stop_gimp_and_xvfb; rm -rf "$work"' EXIT
mkdir -p "$cache"
export XDG_CACHE_HOME=$cache BARBERSHOP_WEIGHTS=$weights BARBERSHOP_PCA_SAMPLES=2000
export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1

start=$(date +%s)
gimp_on_screen "$work/home" 1100
image=$(script_fu "(bb-show-faces \"$faces\" $size)")
layers=$(layer_count)
check "the faces image has three layers" test "$layers" = 3
script_fu "(bb-export-layers $image \"$work\" \"undo-before\")" >/dev/null

start_transfer=$(date +%s)
new_layer=$(script_fu "(car (bb-transfer $image RUN-NONINTERACTIVE (bb-layer $image \"15\")))")
check "the plug-in call succeeds" test $? -eq 0
echo "plug-in call: $(seconds_since "$start_transfer") s"
check "the plug-in adds one layer" test "$(layer_count)" = $((layers + 1))

script_fu "(gimp-displays-flush)" >/dev/null
window=$(image_window "$image")
check "the image window is shown" test -n "$window"
sleep 1  # a key pressed while the display is still redrawing can be lost
check "one Ctrl+Z removes the new layer" press ctrl+z "$layers"
check "the new layer is no longer in the image" \
  test "$(script_fu "(if (member $new_layer (bb-layer-ids $image)) 1 0)")" = 0
script_fu "(bb-export-layers $image \"$work\" \"undo-after\")" >/dev/null
check "every layer's pixels are as before" "$python" "$gimp_tests/compare.py" unchanged "$work" undo
check "Ctrl+Y brings the layer back" press ctrl+y $((layers + 1))

stop_gimp_and_xvfb
check "no undo group left open" absent "inconsistent state" "$work/gimp.log"
echo "undo test: $(seconds_since "$start") s"
[ "$failures" -ne 0 ] && grep -v -e "^$" -e "Gtk-WARNING" "$work/gimp.log" | tail -30
finish undo
