#!/usr/bin/env bash
# Regenerates docs/plugin-dialog.png, the README's picture of the plug-in's
# dialog: GIMP with its UI on a virtual screen (Xvfb) and a fresh HOME, the
# sample faces as layers, plug-in-barbershop called interactively through
# the Script-Fu server; the dialog window is captured, then cancelled.
# usage: tests/gimp/screenshot.sh PLUGIN_DIR [WEIGHTS] [OUT.png]
#   PLUGIN_DIR: the built plug-in folder (build/plugin/barbershop-gimp);
#   WEIGHTS: a weights folder, linked into the default place
#   (~/.local/share/barbershop/weights) so the dialog lists its files.
# Needs the packages of .ci/install-deps (gimp, xvfb, xdotool, python3-pil).
# shellcheck source-path=SCRIPTDIR
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
plugin_dir=$1 weights=${2:-} out=${3:-$repo/docs/plugin-dialog.png}
work=$(mktemp -d)
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
trap 'stop_gimp_and_xvfb; rm -rf "$work"' EXIT
home=$work/home

gimp_fresh_home "$home" "$plugin_dir"
if [ -n "$weights" ]; then
  mkdir -p "$home/.local/share/barbershop"
  ln -s "$(cd "$weights" && pwd)" "$home/.local/share/barbershop/weights"
fi
open_transfer_dialog "$home" 300 256 || exit 1
[ -n "$dialog" ] || { echo "the dialog did not open:"; cat "$work/gimp.log" "$work/dialog-reply"; exit 1; }
sleep 2  # let GTK draw the whole dialog
eval "$(xdotool getwindowgeometry --shell "$dialog")"  # sets X, Y, WIDTH, HEIGHT
mkdir -p "$(dirname "$out")"
"$python" -c "import sys; from PIL import ImageGrab; x, y, w, h = map(int, sys.argv[2:6]);
ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=sys.argv[1]).save(sys.argv[6])" \
  "$DISPLAY" "$X" "$Y" "$WIDTH" "$HEIGHT" "$out"
xdotool key --window "$dialog" Escape 2>/dev/null  # the dialog is gone before the key-up: BadWindow
wait $client
echo "wrote $out (${WIDTH}x${HEIGHT}); the cancelled call answered: $(cat "$work/dialog-reply")"
