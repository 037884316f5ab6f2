#!/bin/sh
# projsync - tests/servers-start.sh: the first test of "make check": start
# the private PostgreSQL and MariaDB servers (tests/servers.sh) in a
# temporary folder and leave their settings in tests/servers.env of the
# build folder, where the tests that need them read it.  Without a server
# those tests skip, except under CI=true, where they fail.
srcdir=${PROJSYNC_SRCDIR:-$(dirname "$0")/..}
builddir=${PROJSYNC_BUILDDIR:-.}
mkdir -p "$builddir/tests"
rm -f "$builddir/tests/servers.env" "$builddir/tests/servers.dir"
dir=$(mktemp -d "${TMPDIR:-/tmp}/projsync-servers.XXXXXX") || exit 99
echo "$dir" >"$builddir/tests/servers.dir"
if sh "$srcdir/tests/servers.sh" start "$dir"; then
	cp "$dir/env" "$builddir/tests/servers.env"
	exit 0
fi
# Keep what did start (a partial env), so its tests still run.
[ -s "$dir/env" ] && cp "$dir/env" "$builddir/tests/servers.env"
if [ "${CI:-}" = true ]; then
	echo "servers-start: a test server did not start (CI=true: failing)" >&2
	exit 1
fi
exit 77
