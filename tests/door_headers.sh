#!/usr/bin/env bash
# The engine's door, enforced (issue 27, item 3; docs/architecture.md, "The
# door"): the hosts (cli/, plugin/, bench/) include only headers at the top
# of engine/, and those headers (and the engine/*.h they include in turn)
# include no LibTorch header (ATen, torch, c10) and no inner header. The
# build keeps LibTorch's include paths from the hosts; this also catches an
# inner header that happens to need no LibTorch.
# usage: door_headers.sh SOURCE_DIR
set -u
cd "$1" || exit 1
failures=0
fail() { echo "FAILED: $1"; failures=$((failures + 1)); }

# Hosts: every "engine/..." include names a file at the top of engine/.
while IFS= read -r hit; do
  fail "$hit: a host includes an inner header of the engine; go through a door header (engine/*.h)"
done < <(grep -rn --include='*.cpp' --include='*.h' '#include "engine/[^"]*/' cli plugin bench)

# top_level_includes FILE...: the engine/*.h the files include.
top_level_includes() {
  sed -n 's/^[[:space:]]*#include "\(engine\/[^"\/]*\.h\)".*/\1/p' "$@" | sort -u
}

# The door: what the hosts include, and what that includes, to the end.
doors=$(top_level_includes $(find cli plugin bench -name '*.cpp' -o -name '*.h'))
[ -n "$doors" ] || fail "found no door header included by cli/, plugin/ or bench/"
while :; do
  existing=$(for header in $doors; do [ -f "$header" ] && echo "$header"; done)
  more=$( (echo "$doors"; [ -n "$existing" ] && top_level_includes $existing) | sort -u)
  [ "$more" = "$doors" ] && break
  doors=$more
done

for header in $doors; do
  [ -f "$header" ] || { fail "$header is included but does not exist"; continue; }
  while IFS= read -r hit; do
    fail "$header:$hit: a door header includes LibTorch"
  done < <(grep -n '#include <\(ATen\|torch\|c10\)/' "$header")
  while IFS= read -r hit; do
    fail "$header:$hit: a door header includes an inner header"
  done < <(grep -n '#include "engine/[^"]*/' "$header")
done

[ "$failures" -eq 0 ] && echo "door headers checked: $(echo $doors); the hosts include no inner header"
[ "$failures" -eq 0 ]
