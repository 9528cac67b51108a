#!/usr/bin/env bash
# `barbershop weights download` and `doctor` against a loopback server
# (weights_server.py) that serves random-weight files in the official
# formats as a mirror, as Google Drive (confirmation page), with a
# connection cut mid-file, with the wrong content and not at all. Each
# downloaded file is compared byte for byte with the served one, and the
# manifest with sha256sum's digests and stat's sizes.
# usage: test_weights_download.sh BARBERSHOP SERVED_DIR PYTHON
set -u
cli=$1 served=$2 python=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
failures=0 passed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); else echo "FAILED: $1"; failures=$((failures + 1)); fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
names="ffhq.pt seg.pth vgg16-397923af.pth vgg.pth"
log=$work/requests.log
: >"$log"

"$python" "$here/weights_server.py" "$served" "$work/port" "$log" 240 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
base=http://127.0.0.1:$(cat "$work/port")
check "server started" test -s "$work/port"

same_as_served() {  # same_as_served DIR: every file identical to the served one
  for name in $names; do cmp -s "$served/$name" "$1/$name" || return 1; done
}
manifest_matches() {  # manifest_matches DIR NAME: its record has sha256sum's digest and stat's size
  grep -qF "\"$2\": {\"sha256\": \"$(sha "$1/$2")\", \"size\": $(stat -c %s "$1/$2")}" "$1/manifest.json"
}
# Every file's name, size, time and digest (the folder's own time changes
# when a partial file comes and goes; its files must not).
folder_state() { (cd "$1" 2>/dev/null && find . -type f -exec stat -c '%n %s %Y' {} + | sort && find . -type f -exec sha256sum {} + | sort); }

# Google Drive's confirmation page, followed to the file; no partial file left.
good=$work/good
"$cli" weights download --weights "$good" --from "$base/drive" >"$work/drive.out" 2>"$work/drive.err"
check "drive: exit 0" test $? -eq 0
check "drive: the four files, identical to the served ones" same_as_served "$good"
for name in $names; do
  check "drive: $name recorded in manifest.json with its sha256 and size" manifest_matches "$good" "$name"
  check "drive: $name reported with its digest" grep -qF "$name: downloaded, $(stat -c %s "$good/$name") bytes, sha256 $(sha "$good/$name"), checked" "$work/drive.out"
  check "drive: $name went through the confirmation form" grep -q "^/drive-download?id=$name&export=download&confirm=t&uuid=1234-abcd " "$log"
done
check "drive: no partial files left" test -z "$(find "$good" -name '*.part')"
check "drive: nothing on stderr" test ! -s "$work/drive.err"

# doctor: all found, all matching the manifest.
"$cli" doctor --weights "$good" --cache "$work/cache" >"$work/doctor.txt" 2>&1
check "doctor: exit 0" test $? -eq 0
for name in $names; do
  check "doctor: $name found with its sha256" grep -qxF "  found    $good/$name  $(stat -c %s "$good/$name") bytes  sha256 $(sha "$good/$name")" "$work/doctor.txt"
done
check "doctor: four manifest matches" test "$(grep -cxF "    manifest: matches" "$work/doctor.txt")" -eq 4

# A second run finds everything there and asks the server for nothing.
requests_before=$(wc -l <"$log")
BARBERSHOP_WEIGHTS_URL_BASE=$base/plain "$cli" weights download --weights "$good" >"$work/again.out" 2>&1
check "again: exit 0" test $? -eq 0
check "again: four files already there" test "$(grep -c ": already in $good" "$work/again.out")" -eq 4
check "again: no request made" test "$(wc -l <"$log")" -eq "$requests_before"

# A connection cut mid-file is resumed with a byte range (the environment
# variable gives the mirror).
cut=$work/cut
BARBERSHOP_WEIGHTS_URL_BASE=$base/cut "$cli" weights download --weights "$cut" >"$work/cut.out" 2>&1
check "cut: exit 0" test $? -eq 0
check "cut: the four files, identical to the served ones" same_as_served "$cut"
for name in $names; do
  half=$(($(stat -c %s "$served/$name") / 2))
  check "cut: $name resumed from byte $half" grep -qxF "/cut/$name bytes=$half-" "$log"
done

# A partial file from an earlier run is resumed, not fetched again.
resume=$work/resume
mkdir -p "$resume"
head -c 1000 "$served/vgg.pth" >"$resume/vgg.pth.part"
"$cli" weights download --weights "$resume" --from "$base/plain" vgg.pth >/dev/null 2>&1
check "resume: exit 0" test $? -eq 0
check "resume: asked for the rest only" grep -qxF "/plain/vgg.pth bytes=1000-" "$log"
check "resume: file identical" cmp -s "$served/vgg.pth" "$resume/vgg.pth"
# ... also behind Drive's page, which answers the ranged request with a 200.
head -c 5000 "$served/seg.pth" >"$resume/seg.pth.part"
"$cli" weights download --weights "$resume" --from "$base/drive" seg.pth >/dev/null 2>&1
check "resume via the Drive page: exit 0" test $? -eq 0
check "resume via the Drive page: the form's address asked for the rest" \
  grep -q "^/drive-download?id=seg.pth&.* bytes=5000-$" "$log"
check "resume via the Drive page: file identical" cmp -s "$served/seg.pth" "$resume/seg.pth"

# Wrong content (seg.pth's bytes as ffhq.pt): refused, the good file and the
# manifest stay, nothing else is written.
before=$(folder_state "$good")
"$cli" weights download --weights "$good" --from "$base/wrong" --replace ffhq.pt >"$work/wrong.out" 2>"$work/wrong.err"
check "wrong: exit 1" test $? -eq 1
check "wrong: one line on stderr" test "$(wc -l <"$work/wrong.err")" -eq 1
check "wrong: it says the file is not usable and the earlier one is kept" \
  grep -q "is not a usable ffhq.pt (.*); it was not installed and the earlier file is kept" "$work/wrong.err"
check "wrong: folder unchanged" test "$before" = "$(folder_state "$good")"

# 404: one line per file, nothing written, not even the folder.
"$cli" weights download --weights "$work/none" --from "$base/missing" ffhq.pt >"$work/404.out" 2>"$work/404.err"
check "404: exit 1" test $? -eq 1
check "404: one line naming HTTP 404" test "$(wc -l <"$work/404.err")" -eq 1 -a "$(grep -c "HTTP 404" "$work/404.err")" -eq 1
check "404: nothing written" test ! -e "$work/none"

# Refused connection (a port nobody listens on): one line, nothing written.
closed_port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$cli" weights download --weights "$work/none" --from "http://127.0.0.1:$closed_port" >"$work/refused.out" 2>"$work/refused.err"
check "refused: exit 2" test $? -eq 2
check "refused: one line saying it cannot reach the host" \
  test "$(wc -l <"$work/refused.err")" -eq 1 -a "$(grep -c "cannot reach 127.0.0.1:$closed_port" "$work/refused.err")" -eq 1
check "refused: nothing written" test ! -e "$work/none"

# An unknown name fails before any download.
requests_before=$(wc -l <"$log")
"$cli" weights download --weights "$work/none" --from "$base/plain" ffhq.pt fhq.pt >/dev/null 2>"$work/typo.err"
check "typo: exit 2 naming the file" test $? -eq 2 -a "$(grep -c "unknown weights file 'fhq.pt'" "$work/typo.err")" -eq 1
check "typo: no request made" test "$(wc -l <"$log")" -eq "$requests_before"

# doctor on a damaged copy: damaged, manifest differs, exit 1.
damaged=$work/damaged
cp -r "$good" "$damaged"
truncate -s 1000 "$damaged/seg.pth"
"$cli" doctor --weights "$damaged" --cache "$work/cache" >"$work/damaged.txt" 2>&1
check "damaged: exit 1" test $? -eq 1
check "damaged: seg.pth damaged with its sha256" grep -qxF "  damaged  $damaged/seg.pth  1000 bytes  sha256 $(sha "$damaged/seg.pth")" "$work/damaged.txt"
check "damaged: manifest differs, recorded size given" grep -qF "    manifest: DIFFERS (recorded $(stat -c %s "$good/seg.pth") bytes" "$work/damaged.txt"
check "damaged: the download command named" grep -qF "barbershop weights download --weights $damaged" "$work/damaged.txt"

echo "test_weights_download: $passed passed, $failures failed"
test $failures -eq 0
