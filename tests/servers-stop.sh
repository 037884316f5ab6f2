#!/bin/sh
# projsync - tests/servers-stop.sh: the last test of "make check": stop the
# servers tests/servers-start.sh started, by PID, and remove their folder.
srcdir=${PROJSYNC_SRCDIR:-$(dirname "$0")/..}
builddir=${PROJSYNC_BUILDDIR:-.}
f="$builddir/tests/servers.dir"
[ -f "$f" ] || exit 77
dir=$(cat "$f")
sh "$srcdir/tests/servers.sh" stop "$dir"
case "$dir" in
*/projsync-servers.*) rm -rf "$dir" ;;
esac
rm -f "$f" "$builddir/tests/servers.env"
exit 0
