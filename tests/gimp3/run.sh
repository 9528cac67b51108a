#!/usr/bin/env bash
# The GIMP 3 plug-in in a real GIMP 3 (run inside the Debian 13 chroot that
# .ci/gimp3 makes): the same checks as the GIMP 2.10 tests (tests/gimp/),
# driven by GIMP 3's Python-Fu (scenarios.py):
#   headless: a call without a structure layer fails naming it and changes
#     nothing; a transfer adds exactly one layer "Barbershop: 16 + 15/117"
#     right above the identity layer at its size, whose pixels equal the
#     CLI's for the same exported layers; the hair mask adds one black and
#     white layer; a missing weights folder fails naming it and changes nothing;
#   layer types: grey and offset RGBA layers, a 1x1 structure refused;
#   photo: an ordinary photo's face found, the result pasted back;
#   translations: the installed catalogue translates (tests/plugin_translations.sh);
#   undo: GIMP 3 with its UI under Xvfb, a real Ctrl+Z removes the new
#     layer and Ctrl+Y brings it back;
#   dialog: in the same UI, Filters > Barbershop > Hair Transfer... opens
#     the dialog with its title and a found/missing line per weights file
#     (read through AT-SPI); Escape adds no layer, OK with G128.pt chosen as
#     the generator adds one with the CLI's G128.pt pixels, and the dialog
#     opened again shows G128.pt (BB_SCREENSHOT=PNG also saves its picture).
#   group: a layer group of 3 hair shapes gives a result group of 3 layers
#     (named, placed and with the CLI's pixels as single transfers), and one
#     real Ctrl+Z removes it; mismatched and empty groups are refused; a run
#     cancelled after its first style keeps what it made, in one undo step;
#   generator: the transfer's optional generator argument names a file of
#     the weights folder (G128.pt: the CLI's --generator pixels), a missing
#     one is refused by name, and a call without it uses ffhq.pt;
#   progress_window: the optional time-limit argument keeps the result where
#     it stopped; the dialog from the menu, OK: the plug-in's progress window
#     shows a preview, "Stop and keep" adds one layer "... (stopped at ...)"
#     that one real Ctrl+Z removes, and "Cancel" adds nothing
#     (BB_WINDOW_PICTURE=PNG also saves the window's picture).
# usage: run.sh SOURCE_DIR CLI PLUGIN_DIR WEIGHTS FACES PHOTO
# shellcheck source-path=SCRIPTDIR
set -u
src=$1 cli=$2 plugin_dir=$3 weights=$4 faces=$5 photo=$6
size=64  # the random generator's
work=$(mktemp -d)
trap 'stop_gimp_and_xvfb; rm -rf "$work"' EXIT
# check, finish, tiny_transfers, start_xvfb and stop_gimp_and_xvfb are the
# GIMP 2.10 tests' own.
# shellcheck source=../gimp/common.sh
source "$src/tests/gimp/common.sh"
compare() { "$python" "$src/tests/gimp/compare.py" "$@"; }
server_port=0  # no Script-Fu server here: stop_gimp_and_xvfb's quit request finds none
tiny_transfers "$work/cache"

# gimp3_home HOME: a GIMP 3 home never used before, with the plug-in folder
# copied in as a user installs it; no welcome dialog, tips or update check.
gimp3_home() {
  rm -rf "$1"
  mkdir -p "$1/.config/GIMP/3.0/plug-ins"
  cp -r "$plugin_dir" "$1/.config/GIMP/3.0/plug-ins/"
  printf '(config-version "3.0.4")\n(show-welcome-dialog no)\n(check-updates no)\n(show-tips no)\n' \
    >"$1/.config/GIMP/3.0/gimprc"
}

# scenario NAME WEIGHTS SECONDS: gimp-console-3.0 runs scenarios.py's NAME
# in a fresh home; its report lands in $work/NAME/report.txt.
scenario() {
  local started dir=$work/$1
  started=$(date +%s)
  mkdir -p "$dir"
  gimp3_home "$work/home"
  HOME=$work/home BARBERSHOP_WEIGHTS=$2 BB_SCENARIO=$1 BB_DIR=$dir BB_FACES=$faces BB_SIZE=$size BB_PHOTO=$photo \
    timeout "$3" gimp-console-3.0 -i -d -f --batch-interpreter python-fu-eval -b - --quit \
    <"$src/tests/gimp3/scenarios.py" >"$dir/gimp.log" 2>&1
  local status=$?
  echo "GIMP 3 $1: $(seconds_since "$started") s (gimp-console exit $status)"
}

# reported NAME TAG KEY: the value of the scenario's "TAG KEY value" line.
reported() { sed -n "s/^$2 $3 //p" "$work/$1/report.txt" 2>/dev/null | head -1; }

ran_to_end() { grep -q "^$1 done yes" "$work/$1/report.txt" 2>/dev/null; }

# check_unchanged NAME TAG: the call changed no layer's count or pixels.
check_unchanged() {
  check "$2 adds no layer" test "$(reported "$1" "$2" layers-after)" = "$(reported "$1" "$2" layers-before)"
  check "$2 leaves the pixels" compare unchanged "$work/$1" "$2"
}

check_one_new_layer() {  # check_one_new_layer NAME TAG
  check "$2 succeeds" test -z "$(reported "$1" "$2" error)"
  check "$2 adds exactly one layer" \
    test "$(reported "$1" "$2" layers-after)" = $(($(reported "$1" "$2" layers-before) + 1))
  check "$2 leaves the other layers' pixels" compare unchanged "$work/$1" "$2"
}

headless() {
  scenario headless "$weights" 1500
  check "headless: the scenario ran to its end" ran_to_end headless
  check "structure none fails with a message naming the structure" \
    grep -qi "^no-structure error .*structure" "$work/headless/report.txt"
  check_unchanged headless no-structure
  check_one_new_layer headless transfer
  check "new layer named after its sources" test "$(reported headless transfer name)" = "Barbershop: 16 + 15/117"
  check "new layer at the identity layer's size" test "$(reported headless transfer size)" = "${size}x${size}"
  local position identity_position
  read -r position _ identity_position <<<"$(reported headless transfer position)"
  check "new layer right above the identity layer" test "${position:-x}" = "$((${identity_position:-0} - 1))"
  check "the composite is not the identity face" compare differ "$work/headless/transfer.png" "$work/headless/identity.png"
  local started
  started=$(date +%s)
  "$cli" transfer --identity "$work/headless/identity.png" --structure "$work/headless/structure.png" \
    --appearance "$work/headless/appearance.png" --out "$work/cli.png" --weights "$weights" \
    --preset paper --mode realistic --smooth 5 --seed 0 2>"$work/cli.log"
  check "CLI transfer exits 0" test $? -eq 0
  echo "CLI run (embeddings cached): $(seconds_since "$started") s"
  check "plug-in pixels equal the CLI's within 1/255" compare close "$work/headless/transfer.png" "$work/cli.png"
  check_one_new_layer headless hair-mask
  check "hair mask at the identity layer's size" test "$(reported headless hair-mask size)" = "${size}x${size}"
  check "hair mask is only 0 and 255" compare binary "$work/headless/hair-mask.png"

  scenario missing_weights "$work/no-weights" 300
  check "missing weights: the scenario ran to its end" ran_to_end missing_weights
  check "missing weights fail with a message naming the folder" \
    grep -q "^missing-weights error .*$work/no-weights" "$work/missing_weights/report.txt"
  check_unchanged missing_weights missing-weights
}

layer_types() {
  scenario layer_types "$weights" 900
  check "layer types: the scenario ran to its end" ran_to_end layer_types
  for tag in grey rgba; do
    check_one_new_layer layer_types $tag
    check "$tag: mask at the layer's size" test "$(reported layer_types $tag size)" = "${size}x${size}"
    check "$tag: mask is only 0 and 255" compare binary "$work/layer_types/$tag.png"
  done
  check "grey image: the mask layer is grey" test "$(reported layer_types grey is-gray)" = 1
  check "offset layer: the mask lands at its offsets" test "$(reported layer_types rgba offsets)" = "7,5"
  check "a 1x1 structure is refused with its size" \
    grep -q "^tiny error .*structure.*1x1" "$work/layer_types/report.txt"
  check_unchanged layer_types tiny
}

photo() {
  scenario photo "$weights" 1500
  check "photo: the scenario ran to its end" ran_to_end photo
  check_one_new_layer photo photo
  check "photo: the new layer has the photo's size" test "$(reported photo photo size)" = "648x972"
  check "photo: only the face region changed" compare pasted "$work/photo/original.png" "$work/photo/photo.png"
}

translations() {
  check "the installed catalogue translates" bash "$src/tests/plugin_translations.sh" "$src" "$plugin_dir"
}

# undo: GIMP 3 with its UI; scenarios.py's undo adds the layer, then waits
# for each key press this sends with xdotool to the focused image window.
undo() {
  local dir=$work/undo window started
  started=$(date +%s)
  mkdir -p "$dir"
  gimp3_home "$work/home"
  start_xvfb
  HOME=$work/home NO_AT_BRIDGE=1 BARBERSHOP_WEIGHTS=$weights BB_SCENARIO=undo BB_DIR=$dir BB_FACES=$faces \
    BB_SIZE=$size timeout 600 dbus-run-session -- gimp-3.0 --no-splash -d -f \
    --batch-interpreter python-fu-eval -b - --quit <"$src/tests/gimp3/scenarios.py" >"$dir/gimp.log" 2>&1 &
  gimp_pid=$!
  for key in ctrl+z ctrl+y; do
    local press=$([ $key = ctrl+z ] && echo 1 || echo 2)
    for _ in $(seq 1200); do grep -q "^undo ready $press" "$dir/report.txt" 2>/dev/null && break; sleep 0.5; done
    window=$(xdotool search --onlyvisible --name ' – GIMP$' 2>/dev/null | head -1)
    [ -n "$window" ] && xdotool windowfocus --sync "$window" && xdotool key --clearmodifiers $key
    touch "$dir/pressed-$press"
  done
  for _ in $(seq 120); do ran_to_end undo && break; sleep 0.5; done
  stop_gimp_and_xvfb
  echo "GIMP 3 undo: $(seconds_since "$started") s"
  check "undo: the scenario ran to its end" ran_to_end undo
  check "undo: the transfer succeeds" test -z "$(reported undo undo error)"
  local before after
  before=$(reported undo undo layers-before) after=$(reported undo undo layers-after-transfer)
  check "undo: the transfer adds one layer" test "$after" = $((before + 1))
  check "undo: Ctrl+Z removes it" test "$(reported undo undo layers-after-key-1)" = "$before"
  check "undo: Ctrl+Y brings it back" test "$(reported undo undo layers-after-key-2)" = "$after"
}

# dialog: GIMP 3 with its UI, the faces in a display, and Filters >
# Barbershop > Hair Transfer... chosen with the keyboard as a user does,
# three times: the window appears with its title; its "More" section is
# open by itself while a weights file is missing (the first time) and
# opened with Alt+R the other times; Escape closes it and adds no layer;
# G128.pt chosen in the generator list (Alt+G, Down) and OK (Alt+O) run the
# transfer with it on the layers the dialog suggests (the two others, in
# stack order) and add exactly one layer; opened again, the dialog shows
# G128.pt in that list (GIMP remembers the arguments of the last run), and
# Escape closes it. With BB_SCREENSHOT set, the dialog is also saved there
# as a PNG (the README's).
dialog() {
  local dir=$work/show started before window links=$work/dialog-weights
  started=$(date +%s)
  mkdir -p "$dir" "$links"
  ln -s "$weights"/* "$weights/../G128.pt" "$links/"
  rm "$links/vgg.pth"  # the first open lists it missing
  gimp3_home "$work/home"
  start_xvfb
  HOME=$work/home BARBERSHOP_WEIGHTS=$links BB_SCENARIO=show BB_DIR=$dir BB_FACES=$faces \
    BB_SIZE=$size timeout 900 dbus-run-session -- gimp-3.0 --no-splash -d -f \
    --batch-interpreter python-fu-eval -b - --quit <"$src/tests/gimp3/scenarios.py" >"$dir/gimp.log" 2>&1 &
  gimp_pid=$!
  for step in cancel ok again; do
    for _ in $(seq 1200); do grep -q "^show ready $step" "$dir/report.txt" 2>/dev/null && break; sleep 0.5; done
    window=$(open_dialog_from_menu)
    check "dialog ($step): Filters > Barbershop > Hair Transfer... opens a window" test -n "$window"
    if [ -n "$window" ]; then
      check "dialog ($step): its title is Barbershop Hair Transfer" \
        test "$(xdotool getwindowname "$window")" = "Barbershop Hair Transfer"
      # The README's picture: the common case, every weights file there.
      [ $step = ok ] && [ -n "${BB_SCREENSHOT:-}" ] && dialog_screenshot "$window" "$BB_SCREENSHOT"
      xdotool windowfocus --sync "$window"
      [ $step = cancel ] || { xdotool key --clearmodifiers alt+r; sleep 1; }  # opens More
      check "dialog ($step): a line per weights file says found or missing" \
        test "$(window_labels | grep -E '[.](pt|pth) ')" = "$(expected_weight_lines "$links")"
      [ $step = again ] && check "dialog (again): the generator list shows G128.pt, chosen the time before" \
        grep -qx "choice: G128.pt" <<<"$(window_labels)"
      if [ $step = ok ]; then
        for key in alt+g Down alt+o; do xdotool key --clearmodifiers $key; sleep 0.5; done
      else
        xdotool key --clearmodifiers Escape
      fi
      check "dialog ($step): the key closes it" window_closes "$window"
    fi
    touch "$dir/closed-$step"
    ln -sf "$weights/vgg.pth" "$links/"  # all there for OK
  done
  for _ in $(seq 700); do ran_to_end show && break; sleep 0.5; done
  stop_gimp_and_xvfb
  echo "GIMP 3 dialog: $(seconds_since "$started") s"
  check "dialog: the scenario ran to its end" ran_to_end show
  before=$(reported show show layers-before)
  check "dialog: cancelling adds no layer" test "$(reported show show layers-after-cancel)" = "$before"
  check "dialog: OK adds exactly one layer" test "$(reported show show layers-after-ok)" = $((before + 1))
  check "dialog: OK's layer is the face 117 with the others' hair" \
    test "$(reported show show top-layer)" = "Barbershop: 117 + 16/15"
  check "dialog: opened again and closed, it adds no layer" \
    test "$(reported show show layers-after-again)" = $((before + 1))
  "$cli" transfer --identity "$dir/117.png" --structure "$dir/16.png" --appearance "$dir/15.png" \
    --out "$dir/cli-G128.png" --weights "$links" --generator "$links/G128.pt" --preset paper --mode realistic \
    --smooth 5 --seed 0 2>"$dir/cli-G128.log"
  check "dialog: CLI transfer with G128.pt exits 0" test $? -eq 0
  check "dialog: OK's layer has the CLI's pixels with the chosen generator G128.pt" \
    compare close "$dir/top.png" "$dir/cli-G128.png"
}

# open_dialog_from_menu: Filters ▸ Barbershop ▸ Hair Transfer... in the
# image window once it is shown (Alt+R opens Filters; End: its last entry,
# Barbershop; Right, Down: its second item, after Hair Mask...); prints the
# window whose title has "Barbershop", else nothing.
open_dialog_from_menu() {
  local image_window
  image_window=$(window_named ' – GIMP$' 60) || return
  sleep 2  # the display's first drawing
  open_from_menu "$image_window" "alt+r End Right Down Return" "Barbershop"
}

window_closes() {  # window_closes WINDOW: it is unmapped within 10 s
  for _ in $(seq 20); do
    xdotool search --onlyvisible --name "Barbershop" 2>/dev/null | grep -qx "$1" || return 0
    sleep 0.5
  done
  return 1
}

# window_labels: the texts of the dialog's labels, read through AT-SPI
# (GTK's accessibility bridge; the bus's address is on $DISPLAY's root window).
window_labels() { "$python" "$src/tests/gimp3/window_labels.py" "Barbershop Hair Transfer" 2>/dev/null; }

# expected_weight_lines FOLDER: "name found" or "name missing" for each of
# the four files a transfer needs, as the folder holds them.
expected_weight_lines() {
  local file
  for file in ffhq.pt seg.pth vgg16-397923af.pth vgg.pth; do
    if [ -e "$1/$file" ]; then echo "$file found"; else echo "$file missing"; fi
  done
}

# dialog_screenshot WINDOW PNG: the window's pixels, once GTK has drawn it.
dialog_screenshot() {
  sleep 3
  eval "$(xdotool getwindowgeometry --shell "$1")"  # sets X, Y, WIDTH, HEIGHT
  "$python" -c "import sys; from PIL import ImageGrab; x, y, w, h = map(int, sys.argv[2:6]);
ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=sys.argv[1]).save(sys.argv[6], optimize=True)" \
    "$DISPLAY" "$X" "$Y" "$WIDTH" "$HEIGHT" "$2"
  echo "wrote $2 (${WIDTH}x${HEIGHT})"
}

# gimp3_with_ui SCENARIO DIR: scenarios.py's SCENARIO in GIMP 3 with its UI
# under Xvfb, in the background (gimp_pid).
gimp3_with_ui() {
  gimp3_home "$work/home"
  start_xvfb
  HOME=$work/home NO_AT_BRIDGE=1 BARBERSHOP_WEIGHTS=$weights BB_SCENARIO=$1 BB_DIR=$2 BB_FACES=$faces \
    BB_SIZE=$size timeout 900 dbus-run-session -- gimp-3.0 --no-splash -d -f \
    --batch-interpreter python-fu-eval -b - --quit <"$src/tests/gimp3/scenarios.py" >"$2/gimp.log" 2>&1 &
  gimp_pid=$!
}

# descendant PID NAME: the processes named NAME among PID's descendants.
descendant() {
  local child
  for child in $(pgrep -P "$1"); do
    [ "$(cat "/proc/$child/comm" 2>/dev/null)" = "$2" ] && echo "$child"
    descendant "$child" "$2"
  done
}

embeddings() { find "$work/cache" -name "embedding-*.npy.sha256" | wc -l; }

# press_in_image_window KEYS: focuses the image window and sends KEYS.
press_in_image_window() {
  local window
  window=$(xdotool search --onlyvisible --name ' – GIMP$' 2>/dev/null | head -1)
  [ -n "$window" ] && xdotool windowfocus --sync "$window" && xdotool key --clearmodifiers "$1"
}

# group (issue 20): scenarios.py's group, then one Ctrl+Z sent as in undo;
# then its cancel: GIMP's Cancel ends a plug-in with SIGKILL
# (gimp_plug_in_close) and closes the undo group it left open, so the styles
# already made stay, still one undo step. The plug-in is ended here the
# same way, during the second style of the mirrored group. The scenario
# waits while the call runs, so the embedding cache tells how far it got:
# the second new entry is style 2's shape, embedded after style 1's layer
# went in and before style 2's alignment and blending. GIMP's log from the
# cancel on is set aside (gimp-cancel.log): the undo group the plug-in left
# open is expected there.
group() {
  local dir=$work/group started k=0 cached log_size
  started=$(date +%s)
  mkdir -p "$dir"
  gimp3_with_ui group "$dir"
  for _ in $(seq 1700); do grep -q "^group ready 1" "$dir/report.txt" 2>/dev/null && break; sleep 0.5; done
  press_in_image_window ctrl+z
  touch "$dir/pressed-1"
  for _ in $(seq 600); do grep -q "^group ready cancel" "$dir/report.txt" 2>/dev/null && break; sleep 0.5; done
  cached=$(embeddings) log_size=$(stat -c %s "$dir/gimp.log")
  touch "$dir/counted"
  for _ in $(seq 3000); do [ "$(embeddings)" -ge $((cached + 2)) ] && break; sleep 0.1; done
  local plug_in
  plug_in=$(descendant "$gimp_pid" barbershop-gimp | head -1)
  check "group: the plug-in is running when the cache shows style 2, and is killed" \
    test -n "$plug_in" -a "$(embeddings)" -ge $((cached + 2))
  [ -n "$plug_in" ] && kill -KILL "$plug_in"
  for _ in $(seq 600); do grep -q "^group ready 2" "$dir/report.txt" 2>/dev/null && break; sleep 0.5; done
  sleep 1  # a key pressed while the display is still redrawing can be lost
  press_in_image_window ctrl+z
  touch "$dir/pressed-2"
  for _ in $(seq 120); do ran_to_end group && break; sleep 0.5; done
  stop_gimp_and_xvfb
  mv "$dir/gimp.log" "$dir/gimp-cancel.log"
  head -c "$log_size" "$dir/gimp-cancel.log" >"$dir/gimp.log"
  echo "GIMP 3 group: $(seconds_since "$started") s"
  check "group: the scenario ran to its end" ran_to_end group
  check "group: groups of 3 and 2 layers are refused naming both" \
    grep -q "^group mismatch-error .*group has 3 layers and the hair colour group 2" "$dir/report.txt"
  check "group: an empty group is refused" grep -q "^group empty-error .*group has no layers" "$dir/report.txt"
  local before
  before=$(reported group group layers-before)
  check "group: the refused calls add no layer" test "$(reported group group layers-after-refused)" = "$before"
  check "group: the run succeeds" test -z "$(reported group group error)"
  check "group: it adds one top-level layer" test "$(reported group group layers-after)" = $((before + 1))
  check "group: the result is a layer group" test "$(reported group group is-group)" = 1
  check "group: named after the face and the count" \
    test "$(reported group group name)" = "Barbershop: 16 - 3 styles"
  local position identity_position
  read -r position _ identity_position <<<"$(reported group group position)"
  check "group: right above the face" test "${position:-x}" = "$((${identity_position:-0} - 1))"
  check "group: three results named as single transfers, in order" \
    test "$(reported group group names)" = \
         "Barbershop: 16 + shape-15/117|Barbershop: 16 + shape-117/117|Barbershop: 16 + shape-16/117"
  for shape in shape-15 shape-117 shape-16; do
    k=$((k + 1))
    "$cli" transfer --identity "$dir/16.png" --structure "$dir/$shape.png" --appearance "$dir/117.png" \
      --out "$dir/cli-$k.png" --weights "$weights" --preset paper --mode realistic --smooth 5 --seed 0 \
      2>"$dir/cli-$k.log"
    check "group: CLI transfer $k exits 0" test $? -eq 0
    check "group: style $k's pixels equal the CLI's" compare close "$dir/style-$k.png" "$dir/cli-$k.png"
  done
  check "group: one Ctrl+Z removes the result group" test "$(reported group group layers-after-key-1)" = "$before"
  check "group: the result group is gone" test "$(reported group group result-valid)" = 0

  before=$(reported group group layers-before-cancel)
  check "group: the cancelled call ends with an error" test -n "$(reported group group cancel-error)"
  check "group: the cancelled run's group stays" test "$(reported group group cancel-kept-group)" = 1
  check "group: it adds one top-level layer" test "$(reported group group layers-after-cancel)" = $((before + 1))
  local kept
  kept=$(reported group group cancel-kept)
  check "group: it keeps the style finished before the cancel ($kept kept)" test "$kept" = 1
  check "group: one Ctrl+Z removes the cancelled run's group" \
    test "$(reported group group layers-after-key-2)" = "$before"
  check "group: the cancelled run's group is gone" test "$(reported group group cancel-group-valid)" = 0
}

# generator (issue 27): scenarios.py's generator in a weights folder that
# also holds the pipeline fixture's 128x128 G128.pt; each result against
# the CLI's with the same generator.
generator() {
  local links=$work/generator-weights name
  mkdir -p "$links"
  ln -s "$weights"/* "$weights/../G128.pt" "$links/"
  scenario generator "$links" 1500
  check "generator: the scenario ran to its end" ran_to_end generator
  check "a generator the folder lacks is refused by name" \
    grep -q "^missing-generator error .*missing[.]pt" "$work/generator/report.txt"
  check_unchanged generator missing-generator
  local pair tag
  for pair in G128:G128 default-generator:ffhq; do
    tag=${pair%:*} name=${pair#*:}
    check_one_new_layer generator "$tag"
    "$cli" transfer --identity "$work/generator/identity.png" --structure "$work/generator/structure.png" \
      --appearance "$work/generator/appearance.png" --out "$work/generator/cli-$name.png" --weights "$links" \
      --generator "$links/$name.pt" --preset paper --mode realistic --smooth 5 --seed 0 \
      2>"$work/generator/cli-$name.log"
    check "generator: CLI transfer with $name.pt exits 0" test $? -eq 0
    check "generator: $tag's pixels equal the CLI's with $name.pt" \
      compare close "$work/generator/$tag.png" "$work/generator/cli-$name.png"
  done
  check "generator: the two generators give different pixels" \
    compare differ "$work/generator/cli-G128.png" "$work/generator/cli-ffhq.png"
}

# progress_window (issue 28): scenarios.py's progress_window with blending
# long enough (BARBERSHOP_STEPS) that the buttons are pressed long before
# its end; the window is known by its title, which follows the stage.
progress_window() {
  local dir=$work/progress_window started step dialog window blend=3000
  started=$(date +%s)
  mkdir -p "$dir"
  gimp3_home "$work/home"
  start_xvfb
  HOME=$work/home BARBERSHOP_STEPS=w=1,fs=1,mask=1,align1=1,align2=1,blend=$blend BARBERSHOP_WEIGHTS=$weights \
    BB_SCENARIO=progress_window BB_DIR=$dir BB_FACES=$faces BB_SIZE=$size timeout 1200 dbus-run-session -- \
    gimp-3.0 --no-splash -d -f --batch-interpreter python-fu-eval -b - --quit \
    <"$src/tests/gimp3/scenarios.py" >"$dir/gimp.log" 2>&1 &
  gimp_pid=$!
  for step in stop cancel; do
    for _ in $(seq 1200); do grep -q "^progress_window ready $step" "$dir/report.txt" 2>/dev/null && break; sleep 0.5; done
    dialog=$(open_dialog_from_menu)
    check "window ($step): the dialog opens from the menu" test -n "$dialog"
    xdotool windowfocus --sync "${dialog:-0}" && xdotool key --clearmodifiers alt+o
    window=""
    for _ in $(seq 1200); do
      window=$(xdotool search --onlyvisible --name "^Barbershop: blending" 2>/dev/null | head -1)
      [ -n "$window" ] && break
      sleep 0.5
    done
    check "window ($step): the progress window shows blending" test -n "$window"
    if [ $step = stop ]; then
      sleep 3  # a preview every second
      grab "${window:-0}" "$dir/window.png"
      check "window: it shows a preview, not a blank" shows_a_preview "$dir/window.png"
      [ -n "${BB_WINDOW_PICTURE:-}" ] && cp "$dir/window.png" "$BB_WINDOW_PICTURE" && echo "wrote $BB_WINDOW_PICTURE"
    fi
    xdotool windowfocus --sync "${window:-0}"
    xdotool key --clearmodifiers "$([ $step = stop ] && echo alt+s || echo alt+c)"
    check "window ($step): the button closes it" window_closes "${window:-0}"
    touch "$dir/closed-$step"
    if [ $step = stop ]; then
      for _ in $(seq 240); do grep -q "^progress_window ready undo" "$dir/report.txt" 2>/dev/null && break; sleep 0.5; done
      sleep 1  # a key pressed while the display is still redrawing can be lost
      press_in_image_window ctrl+z
      touch "$dir/pressed-undo"
    fi
  done
  for _ in $(seq 120); do ran_to_end progress_window && break; sleep 0.5; done
  stop_gimp_and_xvfb
  echo "GIMP 3 progress window: $(seconds_since "$started") s"
  check "window: the scenario ran to its end" ran_to_end progress_window
  check "window: the time-limited call succeeds" test -z "$(reported progress_window progress_window time-limit-error)"
  check "window: the time limit's layer says where it stopped" \
    grep -Eq "^Barbershop: 16 \+ 15/117 \(stopped at [a-z0-9 ()/]+ [0-9]+/[0-9]+\)$" \
    <<<"$(reported progress_window progress_window time-limit-name)"
  local before
  before=$(reported progress_window progress_window layers-before)
  check "window: Stop and keep adds one layer" \
    test "$(reported progress_window progress_window layers-after-stop)" = $((before + 1))
  check "window: it is named where it stopped" \
    grep -Eq "^Barbershop: [0-9]+ \+ [0-9]+/[0-9]+ \(stopped at blending [0-9]+/$blend\)$" \
    <<<"$(reported progress_window progress_window kept-name)"
  check "window: one Ctrl+Z removes it" test "$(reported progress_window progress_window layers-after-undo)" = "$before"
  check "window: Cancel adds nothing" test "$(reported progress_window progress_window layers-after-cancel)" = "$before"
}

for test in ${BB_GIMP3_TESTS:-headless layer_types photo translations undo group generator dialog progress_window}; do
  "$test"
done
check "no undo group left open" absent "inconsistent state" "$work"/*/gimp.log
if [ "$failures" -ne 0 ]; then
  for log in "$work"/*/gimp.log; do echo "--- $log"; grep -v "^$" "$log" | tail -20; done
  for report in "$work"/*/report.txt; do echo "--- $report"; cat "$report"; done
fi
finish gimp3
