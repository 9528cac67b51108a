#!/usr/bin/env bash
# The CMake and the Meson build (meson-compat/) compile the same sources: every
# .cpp under engine/, cli/ and plugin/ is in exactly one source list
# (engine/sources/<target>.txt, cli/sources/<target>.txt, plugin/sources/<host>.txt),
# every listed file exists, and no build
# file names a .cpp of its own. Given a configured CMake (Ninja) build folder,
# it also configures the Meson build and compares what the two really compile,
# target by target: a file or target that one build has and the other lacks
# fails here.
# usage: meson_sources.sh SOURCE_DIR [CMAKE_BUILD_DIR [MESON_SETUP_ARG...]]
set -u
src=$1 cmake_build=${2:-}
shift $(($# < 2 ? $# : 2))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAILED: $1"; failures=$((failures + 1)); }

# list_entries LIST FOLDER: the files LIST names (comments and blank lines
# left out, as both builds read it), as paths under the source root.
list_entries() {
  grep -v -e '^#' -e '^$' "$src/$1" | sed "s|^|$2/|"
}

cd "$src" || exit 1
{
  for list in engine/sources/*.txt; do list_entries "$list" engine; done
  for list in cli/sources/*.txt; do list_entries "$list" cli; done
  for list in plugin/sources/*.txt; do list_entries "$list" plugin; done
} | sort >"$work/listed"
find engine cli plugin -name '*.cpp' | sort >"$work/present"

for file in $(comm -23 "$work/present" <(sort -u "$work/listed")); do
  fail "$file is in no source list (engine/sources/<target>.txt, cli/sources/<target>.txt or plugin/sources/<host>.txt)"
done
for file in $(comm -13 "$work/present" <(sort -u "$work/listed")); do
  fail "$file is listed but does not exist"
done
for file in $(uniq -d "$work/listed"); do
  fail "$file is in more than one source list"
done
for build_file in engine/CMakeLists.txt cli/CMakeLists.txt plugin/CMakeLists.txt meson-compat/meson.build; do
  grep -v '^\s*#' "$build_file" | grep -q '\.cpp' &&
    fail "$build_file names a .cpp file: list it in a source list instead"
done

# What the two builds compile: "target source" lines for the engine's
# libraries, the CLI (with its argument parser) and the plug-in.
compiled_by_cmake() {
  ninja -C "$cmake_build" -t targets all |
    sed -n -E 's#^(engine|cli|plugin)/CMakeFiles/([^/]+)\.dir/(.+\.cpp)\.o:.*#\2 \1/\3#p' | sort
}
compiled_by_meson() {
  meson introspect --targets "$work/meson" |
    /usr/bin/python3 -c '
import json, os, sys
root = os.path.realpath(sys.argv[1])
for target in json.load(sys.stdin):
    for group in target["target_sources"]:
        for source in group["sources"]:
            if source.endswith(".cpp"):
                    print(target["name"], os.path.relpath(os.path.realpath(source), root))' "$src" | sort
}

if [ -n "$cmake_build" ]; then
  if meson setup "$@" "$work/meson" "$src/meson-compat" >"$work/setup.log" 2>&1; then
    compiled_by_cmake >"$work/cmake"
    compiled_by_meson >"$work/meson-targets"
    [ -s "$work/cmake" ] || fail "found no engine or plug-in sources in $cmake_build (not a Ninja build?)"
    if diff "$work/cmake" "$work/meson-targets" >"$work/diff"; then
      echo "CMake and Meson compile the same $(wc -l <"$work/cmake") sources into the same targets"
    else
      fail "CMake (<) and Meson (>) compile different sources: $(grep '^[<>]' "$work/diff" | tr '\n' ' ')"
    fi
  else
    cat "$work/setup.log"
    fail "meson setup of meson-compat/ failed"
  fi
fi

echo "meson_sources: $failures failed"
test $failures -eq 0
