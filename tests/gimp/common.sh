# Shared by the real-GIMP test scripts (sourced): a fresh GIMP home with the
# plug-in and the Script-Fu helpers installed, gimp-console runs, GIMP with
# its UI under Xvfb driven through the Script-Fu server, and the check tally.
# The caller sets $work (a temporary folder it removes).
# shellcheck shell=bash
: "${work:?the test script sets work before sourcing common.sh}"

gimp_tests=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=/usr/bin/python3  # Debian's, with numpy and PIL
passed=0 failures=0

check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}

absent() {  # absent PATTERN FILE...: no FILE has a line matching PATTERN
  ! grep -q "$@"
}

finish() {  # finish TEST-NAME: the tally, and the exit code CTest reads
  echo "$1: $passed passed, $failures failed"
  test $failures -eq 0
}

seconds_since() { echo $(($(date +%s) - $1)); }

# gimp_fresh_home HOME PLUGIN_DIR: a GIMP home never used before, with the
# plug-in folder copied in as a user installs it and the test helpers.
gimp_fresh_home() {
  local home=$1 plugin_dir=$2
  mkdir -p "$home"
  # GIMP creates its folders only in a home it has not seen: let it first.
  HOME=$home timeout 120 gimp-console-2.10 -i -d -f -b '(gimp-quit 0)' >/dev/null 2>&1
  cp -r "$plugin_dir" "$home/.config/GIMP/2.10/plug-ins/"
  cp "$gimp_tests/barbershop-test.scm" "$home/.config/GIMP/2.10/scripts/"
}

# gimp_batch HOME LOG SECONDS EXPRESSION: gimp-console evaluates EXPRESSION and
# quits. Its exit code says nothing about the script: callers judge LOG.
gimp_batch() {
  HOME=$1 timeout "$3" gimp-console-2.10 -i -d -f -b "$4" -b '(gimp-quit 0)' >"$2" 2>&1
}

# tiny_transfers CACHE: the environment of every test transfer: 1-step
# stages, a cheap PCA prior, the embedding cache in CACHE.
tiny_transfers() {
  mkdir -p "$1"
  export XDG_CACHE_HOME=$1 BARBERSHOP_PCA_SAMPLES=2000
  export BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=1
}

# run_scenario WEIGHTS SECONDS EXPRESSION: a fresh home with the plug-in, then
# gimp-console evaluates EXPRESSION with those weights; sets $log to its
# output and prints how long it took.
run_scenario() {
  local started
  started=$(date +%s)
  gimp_fresh_home "$work/home" "$plugin_dir"
  BARBERSHOP_WEIGHTS=$1 gimp_batch "$work/home" "$work/gimp.log" "$2" "$3"
  # shellcheck disable=SC2034  # $log is read by the calling script
  log=$work/gimp.log
  echo "GIMP run: $(seconds_since "$started") s"
}

# reported LOG TAG KEY: the value of the helpers' "BBTEST TAG KEY value" line.
reported() {
  sed -n "s/^script-fu-Warning: BBTEST $2 $3 //p" "$1" | head -1
}

# The undo check needs the GIMP UI, shown on a virtual screen: start_xvfb
# sets DISPLAY and xvfb_pid.
start_xvfb() {
  Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
  DISPLAY=:$(cat "$work/display")
  export DISPLAY
}

# start_gimp_server HOME SECONDS: GIMP with its UI and the Script-Fu server on
# a free local port; sets gimp_pid and server_port. Errors go to GIMP's
# console (gimp.log), not into dialogs.
start_gimp_server() {
  server_port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  HOME=$1 timeout "$2" gimp-2.10 -d -f -s --no-splash \
    -b "(plug-in-script-fu-server RUN-NONINTERACTIVE \"127.0.0.1\" $server_port \"$work/server.log\")" \
    >"$work/gimp.log" 2>&1 &
  gimp_pid=$!
  "$python" "$gimp_tests/script_fu.py" "$server_port" wait 60 &&
    script_fu "(gimp-message-set-handler CONSOLE)" >/dev/null
}

# gimp_on_screen HOME SECONDS: a fresh GIMP home with the plug-in folder
# $plugin_dir, GIMP with its UI on a virtual screen and its Script-Fu server;
# exits the test when GIMP does not start.
gimp_on_screen() {
  gimp_fresh_home "$1" "$plugin_dir"
  start_xvfb
  if ! start_gimp_server "$1" "$2"; then
    echo "FAILED: GIMP with the Script-Fu server did not start"; cat "$work/gimp.log"; exit 1
  fi
}

# layer_count: how many layers GIMP shows in the image $image.
layer_count() { script_fu "(length (bb-layer-ids $image))"; }

# press KEYS EXPECTED-LAYER-COUNT: sends KEYS to the image window $window,
# then waits (up to 10 s) for GIMP to show the expected layer count.
press() {
  xdotool key --window "$window" "$1"
  for _ in $(seq 50); do [ "$(layer_count)" = "$2" ] && return 0; sleep 0.2; done
  return 1
}

# open_transfer_dialog HOME SECONDS SIZE: GIMP with its UI on a virtual
# screen, $repo/samples/faces at SIZE in a display, and the transfer dialog
# opened on them; its call answers only once the dialog is closed, so it
# waits in the background (client, its reply in $work/dialog-reply). Sets
# image to the image's id and dialog to the dialog's window, empty when none
# opened within 30 s.
open_transfer_dialog() {
  start_xvfb
  start_gimp_server "$1" "$2" || { echo "GIMP did not start:"; cat "$work/gimp.log"; return 1; }
  image=$(script_fu "(bb-show-faces \"$repo/samples/faces\" $3)")
  script_fu "(bb-transfer $image RUN-INTERACTIVE (bb-layer $image \"15\"))" >"$work/dialog-reply" 2>&1 &
  client=$!
  dialog=""
  for _ in $(seq 150); do
    dialog=$(xdotool search --onlyvisible --name "^Barbershop Hair Transfer$" 2>/dev/null | head -1)
    [ -n "$dialog" ] && break
    sleep 0.2
  done
}

# grab WINDOW FILE: the window's pixels as a PNG (the progress window tests),
# raised first: with no window manager every window opens at the top left,
# so a message GIMP shows meanwhile would cover it.
grab() {
  xdotool windowraise "$1"
  sleep 1  # its drawing
  eval "$(xdotool getwindowgeometry --shell "$1")"  # sets X, Y, WIDTH, HEIGHT
  "$python" -c "import sys; from PIL import ImageGrab; x, y, w, h = map(int, sys.argv[2:6]);
ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=sys.argv[1]).save(sys.argv[6])" \
    "$DISPLAY" "$X" "$Y" "$WIDTH" "$HEIGHT" "$2"
}

# shows_a_preview FILE: at least 20000 coloured pixels (channels apart by 40 or
# more) of a 320-pixel preview: GTK's window, labels and buttons are grey.
shows_a_preview() {
  "$python" -c "import sys, numpy; from PIL import Image
a = numpy.asarray(Image.open(sys.argv[1]).convert('RGB')).astype(int)
coloured = int(((a.max(axis=2) - a.min(axis=2)) >= 40).sum())
print('coloured pixels in the window:', coloured); sys.exit(coloured < 20000)" "$1"
}

script_fu() {  # script_fu EXPRESSION: prints the reply of the Script-Fu server
  "$python" "$gimp_tests/script_fu.py" "$server_port" "$1"
}

# stop_gimp_and_xvfb: quits GIMP (no reply comes), then stops what is left by PID.
stop_gimp_and_xvfb() {
  if [ -n "${gimp_pid:-}" ]; then
    script_fu "(gimp-quit 1)" >/dev/null 2>&1
    for _ in $(seq 50); do kill -0 "$gimp_pid" 2>/dev/null || break; sleep 0.2; done
    kill "$gimp_pid" 2>/dev/null
    wait "$gimp_pid" 2>/dev/null
    gimp_pid=""
  fi
  if [ -n "${xvfb_pid:-}" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
    xvfb_pid=""
  fi
}

# image_window IMAGE-ID: the X window that shows the image (its title is
# "<name>-<image id>.<view> (...)"), once it is mapped (10 s at most).
image_window() { window_named "[-]$1[.][0-9]+ [(]" 10; }

# window_named PATTERN SECONDS: the first visible window whose title
# matches PATTERN, waiting up to SECONDS for it.
window_named() {
  local found
  for _ in $(seq $(($2 * 5))); do
    found=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1)
    [ -n "$found" ] && echo "$found" && return 0
    sleep 0.2
  done
  return 1
}
# open_from_menu IMAGE-WINDOW KEYS PATTERN: focuses the image window and
# presses KEYS (a menu path, e.g. "alt+r End Right Down Return"), a second
# time after Escapes if no window whose title matches PATTERN came within a
# minute (a key sent before the menu was up goes astray on a busy machine);
# prints that window, or nothing (exit status 1).
open_from_menu() {
  local key window
  for _ in 1 2; do
    timeout 10 xdotool windowfocus --sync "$1" 2>/dev/null
    for key in $2; do xdotool key --clearmodifiers "$key"; sleep 1; done
    window=$(window_named "$3" 60) && echo "$window" && return 0
    for key in Escape Escape Escape; do xdotool key --clearmodifiers "$key"; sleep 0.5; done
  done
  return 1
}
