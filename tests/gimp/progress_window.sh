#!/usr/bin/env bash
# The plug-in's own progress window (issue 28), in a real GIMP 2.10 with its
# UI on a virtual screen: the transfer dialog opened from the menu (Filters ▸
# Barbershop ▸ Hair Transfer..., with the keys) and OK'd, the window shows a
# preview (the window's grab holds the preview's colours, not only the grey
# of an empty window); "Stop and keep" once blending has begun adds one layer named "... (stopped at blending k/N)", and one real Ctrl+Z
# removes it; a second run's "Cancel" adds nothing. Blending has many steps
# (BARBERSHOP_STEPS) so that the buttons are pressed long before its end.
# usage: progress_window.sh PLUGIN_DIR WEIGHTS FACES CACHE [PICTURE.png]
#   PICTURE.png: where to keep the grab of the window (the README's picture).
# shellcheck source-path=SCRIPTDIR
set -u
plugin_dir=$1 weights=$2 faces=$3 cache=$4 picture=${5:-}
size=64  # the random generator's
blend=3000
work=$(mktemp -d)
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
trap 'stop_gimp_and_xvfb; rm -rf "$work"' EXIT
tiny_transfers "$cache"
export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=$blend BARBERSHOP_WEIGHTS=$weights

start=$(date +%s)
gimp_on_screen "$work/home" 1100
image=$(script_fu "(bb-show-faces \"$faces\" $size)")
script_fu "(gimp-image-set-active-layer $image (bb-layer $image \"16\"))" >/dev/null
layers=$(layer_count)
display_window=$(image_window "$image")
plugin_process="$work/home/.config/GIMP/2.10/plug-ins/barbershop-gimp/barbershop-gimp"
# Filters ▸ Barbershop ▸ Hair Transfer...: Alt+R opens Filters; End, Up,
# Up: Barbershop, above Script-Fu and Goat-exercise; Right opens it on Hair
# Mask...; Down, Return: Hair Transfer...
menu_keys="alt+r End Up Up Right Down Return"

# press_until_gone WINDOW KEY: KEY to WINDOW until it closes (a key sent to
# a window just drawn is now and then lost on this loaded machine).
press_until_gone() {
  for _ in 1 2 3 4 5; do
    timeout 10 xdotool windowfocus --sync "$1" 2>/dev/null
    xdotool key --window "$1" "$2" 2>/dev/null
    for _ in $(seq 50); do
      xdotool search --onlyvisible --name "" 2>/dev/null | grep -qx "$1" || return 0
      sleep 0.2
    done
  done
  return 1
}
# run_until_blending: the dialog opened from the menu on face 16 (the active
# layer; the other faces suggested) and OK'd; sets $window to the progress
# window once its title says blending, which comes after the shape composite.
run_until_blending() {
  local dialog
  dialog=$(open_from_menu "$display_window" "$menu_keys" "^Barbershop Hair Transfer$") ||
    { echo "FAILED: no dialog opened from the menu"; return 1; }
  sleep 2  # keys sent before the dialog is drawn can be lost
  press_until_gone "$dialog" alt+o || { echo "FAILED: the dialog did not take OK"; return 1; }
  window=$(window_named "^Barbershop: blending" 600)
}
# plugin_ends SECONDS: the plug-in's process is gone within SECONDS (the
# run's layer, if any, is in the image by then).
plugin_ends() {
  for _ in $(seq $(($1 * 5))); do
    pgrep -f "$plugin_process" >/dev/null || return 0
    sleep 0.2
  done
  return 1
}
# layer_named PATTERN: "ID NAME" of the image's first layer whose name (as
# Script-Fu prints it, quoted) matches PATTERN, an extended regular
# expression; nothing when no layer does.
layer_named() {
  local id name
  for id in $(script_fu "(bb-layer-ids $image)" | tr -d '()'); do
    name=$(script_fu "(car (gimp-item-get-name $id))")
    grep -Eq "$1" <<<"$name" && echo "$id $name" && return 0
  done
  return 1
}
# Stop and keep.
run_until_blending
check "the progress window shows blending" test -n "${window:-}"
sleep 3  # a preview every second
grab "${window:-0}" "$work/window.png"
check "the window shows a preview, not a blank" shows_a_preview "$work/window.png"
[ -n "$picture" ] && cp "$work/window.png" "$picture" && echo "wrote $picture"
check "Stop and keep closes the window" press_until_gone "${window:-0}" alt+s
check "the plug-in ends" plugin_ends 60
check "Stop and keep adds one layer" test "$(layer_count)" = $((layers + 1))
read -r kept name < <(layer_named "stopped at")
echo "the kept layer: $name"
check "it is named where it stopped" \
  grep -Eq "^\"Barbershop: 16 \\+ [0-9]+/[0-9]+ \\(stopped at blending [0-9]+/$blend\\)\"$" <<<"$name"
script_fu "(gimp-displays-flush)" >/dev/null
window=$(image_window "$image")
sleep 1  # a key pressed while the display is still redrawing can be lost
check "one Ctrl+Z removes the kept layer" press ctrl+z "$layers"
check "the kept layer is gone" test "$(script_fu "(car (gimp-item-is-valid ${kept:-0}))")" = 0

# Cancel.
run_until_blending
check "the second run's window shows blending" test -n "${window:-}"
check "Cancel closes the window" press_until_gone "${window:-0}" alt+c
check "the cancelled plug-in ends" plugin_ends 60
check "Cancel adds nothing" test "$(layer_count)" = "$layers"

stop_gimp_and_xvfb
check "no undo group left open" absent "inconsistent state" "$work/gimp.log"
echo "progress window test: $(seconds_since "$start") s"
[ "$failures" -ne 0 ] && grep -v -e "^$" -e "Gtk-WARNING" "$work/gimp.log" | tail -30
finish progress_window
