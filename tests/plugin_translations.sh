#!/usr/bin/env bash
# Every user-visible string of the plug-in is in po/POTFILES' files and has a
# German translation, and the compiled catalogue in the plug-in folder really
# translates: a source string added without updating po/ fails here.
# usage: plugin_translations.sh SOURCE_DIR PLUGIN_BUILD_DIR
set -u
src=$1 plugin=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAILED: $1"; failures=$((failures + 1)); }

# Files that mark strings for translation must be listed in POTFILES.
for file in $(cd "$src" && grep -l -E '\b_\(|N_\(' plugin/*/*.cpp); do
  grep -qx "$file" "$src/po/POTFILES" || fail "$file marks strings but is not in po/POTFILES"
done

(cd "$src" && xgettext --from-code=UTF-8 -C --keyword=_ --keyword=N_ -o "$work/now.pot" -f po/POTFILES) ||
  fail "xgettext could not read the sources"
msgcmp "$src/po/de.po" "$work/now.pot" || fail "po/de.po lacks strings the sources use (run the barbershop-gimp-pot target, then translate)"
untranslated=$(msgattrib --untranslated --no-obsolete "$src/po/de.po" | grep -c '^msgid "[^"]' || true)
[ "$untranslated" -eq 0 ] || fail "po/de.po has $untranslated untranslated strings"

mo="$plugin/locale/de/LC_MESSAGES/barbershop-gimp.mo"
[ -s "$mo" ] || fail "no compiled German catalogue at $mo"
# The compiled catalogue, read back, turns a dialog label into German (read
# with msgunfmt: gettext(1) ignores LANGUAGE in the C.UTF-8 locale of newer
# glibc, as in Debian 13, and no other locale need be installed).
got=$(msgunfmt "$mo" | msggrep --msgid -e '^Barbershop Hair Transfer$' | sed -n 's/^msgstr "\(..*\)"$/\1/p')
[ "$got" = "Barbershop – Haare übertragen" ] || fail "gettext gave '$got' for the dialog title"

echo "plugin_translations: $failures failed"
test $failures -eq 0
