#!/bin/sh
# Builds the tree out of source in $BUILDDIR (default ./build); extra arguments go to configure.
# BUILDDIR=build-san scripts/build.sh --enable-sanitizers builds the sanitizer variant.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
cd "$top"
[ -x configure ] || autoreconf -fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ]; then
	"$top/configure" -q --enable-werror "$@"
fi
make -j"$(nproc)"
