#!/bin/sh
# Regenerate the build system: autogen.sh && ./configure && make
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi
# automake installs test-driver but not the TAP driver the unit tests use.
d=$(automake --print-libdir)
cp -f "$d/tap-driver.sh" build-aux/tap-driver.sh
[ -f build-aux/test-driver ] || cp -f "$d/test-driver" build-aux/test-driver
chmod +x build-aux/tap-driver.sh build-aux/test-driver
