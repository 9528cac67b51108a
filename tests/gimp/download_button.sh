#!/usr/bin/env bash
# The transfer dialog's "Download missing files" button, pressed for real:
# GIMP with its UI on a virtual screen (Xvfb), an empty weights folder, the
# loopback server (tests/weights_server.py) as the mirror
# ($BARBERSHOP_WEIGHTS_URL_BASE). The button (its mnemonic, Alt+D) is
# pressed while the server is slow and pressed again to cancel: a partial
# file stays, no file gets its final name. Then, the server fast again, a
# third press resumes and fetches all four files, identical to the served
# ones, while the dialog stays open; the dialog is then cancelled with the
# image unchanged.
# usage: download_button.sh PLUGIN_DIR SERVED_DIR [SCREENSHOT.png]
#   SCREENSHOT: where to save the dialog after the download (and, as
#   SCREENSHOT-downloading.png, during the slow one)
# shellcheck source-path=SCRIPTDIR
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
plugin_dir=$1 served=$2 screenshot=${3:-}
work=$(mktemp -d)
server_pid=
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; stop_gimp_and_xvfb; rm -rf "$work"' EXIT
names="ffhq.pt seg.pth vgg16-397923af.pth vgg.pth"

: >"$work/requests.log"
"$python" "$gimp_tests/../weights_server.py" "$served" "$work/port" "$work/requests.log" 600 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
export BARBERSHOP_WEIGHTS_URL_BASE=http://127.0.0.1:$(cat "$work/port")/switch
echo slow >"$work/requests.log.route"
export BARBERSHOP_WEIGHTS=$work/weights
mkdir -p "$BARBERSHOP_WEIGHTS"

gimp_fresh_home "$work/home" "$plugin_dir"
open_transfer_dialog "$work/home" 500 64 || exit 1
check "the dialog opened" test -n "$dialog"
sleep 2
xdotool windowactivate --sync "$dialog" 2>/dev/null || xdotool windowfocus --sync "$dialog" 2>/dev/null
press_download() { xdotool key --window "$dialog" alt+d; }
capture() {  # capture FILE: the dialog window as a PNG, when screenshots were asked for
  [ -n "$screenshot" ] && [ -n "$dialog" ] || return 0
  eval "$(xdotool getwindowgeometry --shell "$dialog")"  # sets X, Y, WIDTH, HEIGHT
  "$python" -c "import sys; from PIL import ImageGrab; x, y, w, h = map(int, sys.argv[2:6]);
ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=sys.argv[1]).save(sys.argv[6])" \
    "$DISPLAY" "$X" "$Y" "$WIDTH" "$HEIGHT" "$1"
}

# Start slowly, then cancel once the partial file has grown.
press_download
for _ in $(seq 100); do [ -s "$BARBERSHOP_WEIGHTS/ffhq.pt.part" ] && break; sleep 0.1; done
sleep 1
capture "${screenshot%.png}-downloading.png"
press_download
sleep 2
part_size=$(stat -c %s "$BARBERSHOP_WEIGHTS/ffhq.pt.part" 2>/dev/null || echo 0)
sleep 1
check "cancel: the partial file stays ($part_size bytes)" test "$part_size" -gt 0
check "cancel: it stopped growing" test "$(stat -c %s "$BARBERSHOP_WEIGHTS/ffhq.pt.part" 2>/dev/null)" = "$part_size"
check "cancel: no file has its final name" test ! -e "$BARBERSHOP_WEIGHTS/ffhq.pt"
check "cancel: the dialog is still open" test -n "$(xdotool search --onlyvisible --name "^Barbershop Hair Transfer$" 2>/dev/null)"

# Fast again: the next press resumes the partial file and fetches the rest.
echo drive >"$work/requests.log.route"
press_download
all_there() { for name in $names; do [ -f "$BARBERSHOP_WEIGHTS/$name" ] || return 1; done; }
for _ in $(seq 300); do all_there && break; sleep 0.2; done
sleep 1
for name in $names; do
  check "$name downloaded by the button, identical to the served file" cmp -s "$served/$name" "$BARBERSHOP_WEIGHTS/$name"
done
check "manifest.json written" test -s "$BARBERSHOP_WEIGHTS/manifest.json"
check "ffhq.pt resumed from the cancelled partial file" \
  grep -q "^/drive-download?id=ffhq.pt&.* bytes=$part_size-$" "$work/requests.log"
check "the dialog is still open" test -n "$(xdotool search --onlyvisible --name "^Barbershop Hair Transfer$" 2>/dev/null)"
capture "$screenshot"
xdotool key --window "$dialog" Escape 2>/dev/null
wait $client
check "the cancelled dialog added no layer" test "$(script_fu "(car (gimp-image-get-layers $image))")" = 3
[ "$failures" -eq 0 ] || { echo "--- GIMP output"; cat "$work/gimp.log" "$work/dialog-reply"; }
finish gimp_download_button
