#!/bin/sh
# meson install: puts each compiled <language>.mo at
# LOCALE_DIR/<language>/LC_MESSAGES/DOMAIN.mo, below $DESTDIR when it is set.
# usage: install_catalogues.sh LOCALE_DIR DOMAIN CATALOGUE...
set -eu
locale_dir=$1 domain=$2
shift 2
for catalogue in "$@"; do
  language=$(basename "$catalogue" .mo)
  install -D -m 644 "$catalogue" "${DESTDIR:-}$locale_dir/$language/LC_MESSAGES/$domain.mo"
  echo "Installing $catalogue to ${DESTDIR:-}$locale_dir/$language/LC_MESSAGES/$domain.mo"
done
