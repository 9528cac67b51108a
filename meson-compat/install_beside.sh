#!/bin/sh
# meson install: copies built files into FOLDER (below $DESTDIR when it is
# set), for a file that must also be somewhere its target does not install it
# (the GPU module, beside the plug-in as in PREFIX/lib).
# usage: install_beside.sh FOLDER FILE...
set -eu
folder=$1
shift
for file in "$@"; do
  install -D -m 755 "$file" "${DESTDIR:-}$folder/$(basename "$file")"
  echo "Installing $file to ${DESTDIR:-}$folder"
done
