#!/usr/bin/env bash
# Many styles in one call (issue 20): a layer group as the hair shape runs
# one transfer per layer of the group. In a real GIMP 2.10 with its UI on a
# virtual screen (the undo check needs it): a group of 3 shape layers gives a
# new group "Barbershop: 16 - 3 styles" right above the face, holding 3
# result layers named as single transfers name theirs, in the group's order;
# each result's pixels equal the CLI's single transfer of the same layers;
# one real Ctrl+Z removes the whole result group. Groups of different
# lengths and an empty group are refused with a message, adding nothing. A
# run cancelled after its first style keeps what it made, in one undo step.
# usage: group.sh BARBERSHOP PLUGIN_DIR WEIGHTS FACES CACHE
#   CACHE: the embedding cache, emptied here, shared by GIMP and the CLI.
# shellcheck source-path=SCRIPTDIR
set -u
cli=$1 plugin_dir=$2 weights=$3 faces=$4 cache=$5
size=64  # the random generator's
work=$(mktemp -d)
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
trap 'stop_gimp_and_xvfb; rm -rf "$work"' EXIT
rm -rf "$cache"
tiny_transfers "$cache"
export BARBERSHOP_WEIGHTS=$weights

layer() { script_fu "(bb-layer $image \"$1\")"; }
text() { script_fu "$1" | sed 's/^"//; s/"$//'; }  # a string reply, without Scheme's quotes

start=$(date +%s)
gimp_on_screen "$work/home" 1100
image=$(script_fu "(bb-show-group-faces \"$faces\" $size)")
layers=$(layer_count)
check "the image has the three faces and three groups" test "$layers" = 6
for name in 16 117 shape-15 shape-117 shape-16; do
  script_fu "(bb-export $image (bb-layer $image \"$name\") \"$work/$name.png\")" >/dev/null
done
shapes=$(layer shapes) face=$(layer 16) colour=$(layer 117)

# Refused before any work: nothing added.
reply=$(script_fu "(bb-transfer-styles $image $shapes $(layer two))")
check "groups of 3 and 2 layers are refused" test $? -ne 0
check "the message names both lengths" grep -q "group has 3 layers and the hair colour group 2" <<<"$reply"
reply=$(script_fu "(bb-transfer-styles $image $(layer empty) $colour)")
check "an empty shape group is refused" grep -q "group has no layers" <<<"$reply"
check "the refused calls add no layer" test "$(layer_count)" = "$layers"

started=$(date +%s)
group=$(script_fu "(bb-transfer-styles $image $shapes $colour)")
check "the call with a group of shapes succeeds" test $? -eq 0
echo "plug-in call, 3 styles: $(seconds_since "$started") s"
check "the call adds one top-level layer" test "$(layer_count)" = $((layers + 1))
check "the call returns a layer group" test "$(script_fu "(car (gimp-item-is-group $group))")" = 1
check "the result group is named after the face and the count" \
  test "$(text "(car (gimp-item-get-name $group))")" = "Barbershop: 16 - 3 styles"
check "the result group sits right above the face" \
  test "$(script_fu "(car (gimp-image-get-item-position $image $group))")" = \
       "$(($(script_fu "(car (gimp-image-get-item-position $image $face))") - 1))"
names=$(text "(bb-export-styles $image $group \"$work\")")
check "three results named as single transfers, in the group's order" \
  test "$names" = "Barbershop: 16 + shape-15/117|Barbershop: 16 + shape-117/117|Barbershop: 16 + shape-16/117"

# The CLI's single transfers of the same layers, same settings and cache.
k=0
for shape in shape-15 shape-117 shape-16; do
  k=$((k + 1))
  "$cli" transfer --identity "$work/16.png" --structure "$work/$shape.png" --appearance "$work/117.png" \
    --out "$work/cli-$k.png" --weights "$weights" --preset paper --mode realistic --smooth 5 --seed 0 \
    2>"$work/cli-$k.log"
  check "CLI transfer $k exits 0" test $? -eq 0
  check "style $k's pixels equal the CLI's within 1/255" \
    "$python" "$gimp_tests/compare.py" close "$work/style-$k.png" "$work/cli-$k.png"
done
check "the styles differ from the face" "$python" "$gimp_tests/compare.py" differ "$work/style-1.png" "$work/16.png"

# One undo step for the whole run.
script_fu "(gimp-displays-flush)" >/dev/null
window=$(image_window "$image")
check "the image window is shown" test -n "$window"
sleep 1  # a key pressed while the display is still redrawing can be lost
check "one Ctrl+Z removes the result group" press ctrl+z "$layers"
check "the result group is gone" test "$(script_fu "(car (gimp-item-is-valid $group))")" = 0
check "the shape group keeps its 3 layers" test "$(script_fu "(length (bb-children $shapes))")" = 3

check "no undo group left open" absent "inconsistent state" "$work/gimp.log"

# Cancelled after the first style: GIMP's Cancel ends a plug-in with SIGKILL
# (gimp_plug_in_close) and closes the undo group it left open, so the styles
# already made stay, still one undo step. The plug-in is ended here the same
# way, by this test, during the second style of a group of mirrored faces.
# The Script-Fu server answers nothing while the call runs, so the embedding
# cache tells how far it got: the second new entry is style 2's shape, which
# is embedded after style 1's layer went in and before style 2's alignment
# and blending.
mirrored=$(script_fu "(bb-add-mirrored-group $image)")
layers=$(layer_count)
embeddings() { find "$cache" -name "embedding-*.npy.sha256" | wc -l; }
cached=$(embeddings)
script_fu "(bb-transfer-styles $image $mirrored $colour)" >"$work/cancelled-reply" 2>&1 &
client=$!
for _ in $(seq 3000); do [ "$(embeddings)" -ge $((cached + 2)) ] && break; sleep 0.1; done
gimp_itself=$(pgrep -P "$gimp_pid" -x gimp-2.10)
check "the plug-in is running when the cache shows style 2, and is killed" \
  pkill -KILL -P "$gimp_itself" -x barbershop-gimp
wait "$client"
check "the cancelled call ends with an error" test $? -ne 0
cancelled=$(script_fu "(bb-layer $image \"Barbershop: 16 - 3 styles\")")
check "the cancelled run's group stays" test "$(script_fu "(car (gimp-item-is-group $cancelled))")" = 1
kept=$(script_fu "(length (bb-children $cancelled))")
check "it keeps the style finished before the cancel ($kept kept)" test "$kept" = 1
script_fu "(gimp-displays-flush)" >/dev/null
sleep 1
check "one Ctrl+Z removes the cancelled run's group" press ctrl+z "$layers"
check "the cancelled run's group is gone" test "$(script_fu "(car (gimp-item-is-valid $cancelled))")" = 0

stop_gimp_and_xvfb
echo "group test: $(seconds_since "$start") s"
[ "$failures" -ne 0 ] && grep -v -e "^$" -e "Gtk-WARNING" "$work/gimp.log" | tail -30
finish group
