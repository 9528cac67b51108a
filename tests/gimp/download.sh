#!/usr/bin/env bash
# The plug-in's download (what the dialog's "Download missing files" button
# runs, through its procedure) in a real, headless GIMP, from a loopback
# server (tests/weights_server.py) serving random-weight files: the four
# files arrive identical to the served ones with a manifest; a second call
# asks the server for nothing; a mirror answering 404 fails with a message
# naming it and writes nothing.
# usage: download.sh PLUGIN_DIR SERVED_DIR
# shellcheck source-path=SCRIPTDIR
set -u
plugin_dir=$1 served=$2
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
names="ffhq.pt seg.pth vgg16-397923af.pth vgg.pth"

: >"$work/requests.log"
"$python" "$gimp_tests/../weights_server.py" "$served" "$work/port" "$work/requests.log" 600 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
base=http://127.0.0.1:$(cat "$work/port")

run_scenario "$work/unused" 600 \
  "(bb-download-weights \"$work/weights\" \"$base/drive\" \"$work/none\" \"$base/missing\")"
check "the Script-Fu scenario ran to its end" grep -q "BBTEST download done" "$log"
check "first call succeeds" test "$(reported "$log" download first)" = ok
for name in $names; do
  check "$name identical to the served file" cmp -s "$served/$name" "$work/weights/$name"
  check "$name in manifest.json with sha256sum's digest" \
    grep -qF "\"$name\": {\"sha256\": \"$(sha256sum "$served/$name" | cut -d' ' -f1)\"" "$work/weights/manifest.json"
  check "$name asked for once" test "$(grep -c "^/drive/$name " "$work/requests.log")" -eq 1
done
check "second call succeeds" test "$(reported "$log" download again)" = ok
check "404: the message names HTTP 404" grep -q "BBTEST download bad .*HTTP 404" "$log"
check "404: nothing written" test ! -e "$work/none"
[ "$failures" -eq 0 ] || { echo "--- GIMP output"; grep -v "^$" "$log"; }
finish gimp_download
