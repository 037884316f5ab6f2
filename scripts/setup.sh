#!/bin/sh
# projsync - scripts/setup.sh: set up a fresh Debian machine and build.
#
#   scripts/setup.sh demo   install what is missing, build, create the SQLite
#                           demo and run a sync on it
#   scripts/setup.sh test   install what is missing, build, run every test:
#                           make check, the same suite under ASan+UBSan, and
#                           make distcheck
#
# Run it as root (or with sudo) for the apt-get step; it installs only the
# packages that are missing.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)

PKGS="build-essential autoconf automake libtool pkg-config \
libsqlite3-dev libconfig-dev libxxhash-dev libcmocka-dev libncurses-dev \
libpq-dev libmariadb-dev libmariadb-dev-compat \
sqlite3 sqlite3-tools postgresql postgresql-client mariadb-server \
mariadb-client valgrind python3 groff-base tmux"

install_pkgs() {
	missing=""
	for p in $PKGS; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "setup: installing$missing"
	if [ "$(id -u)" -ne 0 ]; then
		SUDO=sudo
	else
		SUDO=
	fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null
}

build() {
	# $1: build folder, then configure options.
	dir=$1
	shift
	[ -x configure ] || ./autogen.sh
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -j"$(nproc)" >/dev/null)
}

summary() {
	# Add up automake's counts from every test-suite.log given.
	pass=0 fail=0 skip=0
	for f in "$@"; do
		[ -f "$f" ] || continue
		p=$(sed -n 's/^# PASS: *//p' "$f" | head -1)
		x=$(sed -n 's/^# FAIL: *//p' "$f" | head -1)
		e=$(sed -n 's/^# ERROR: *//p' "$f" | head -1)
		s=$(sed -n 's/^# SKIP: *//p' "$f" | head -1)
		pass=$((pass + ${p:-0}))
		fail=$((fail + ${x:-0} + ${e:-0}))
		skip=$((skip + ${s:-0}))
	done
	echo "$pass passed, $fail failed, $skip skipped"
}

case "${1:-}" in
demo)
	install_pkgs
	build build --enable-werror
	bin="$top/build/projsync"
	"$bin" demo
	"$bin" sync demo-dev demo-prod --bidirectional || true
	echo
	if [ -t 0 ] && [ -t 1 ]; then
		# On a terminal: the application, with the pending conflicts
		# ready to review.
		exec "$bin"
	fi
	"$bin" conflicts list || true
	echo
	echo "projsync is at $bin; on a terminal, run it alone for the" \
	    "terminal application; or try: $bin conflicts show ID"
	;;
test)
	install_pkgs
	rc=0
	build build --enable-werror
	(cd build && make check) || rc=1
	build build-asan --enable-asan --enable-debug
	(cd build-asan && make check) || rc=1
	(cd build && make distcheck >/dev/null) || { echo "make distcheck failed"; rc=1; }
	for d in build build-asan; do
		for f in $d/tests/unit/*.log $d/tests/cli/*.log \
		    $d/tests/e2e/*.log; do
			[ -f "$f" ] || continue
			if grep -qE '^(not ok|FAIL|ERROR)' "$f" 2>/dev/null; then
				echo "== $f"
				tail -n 40 "$f"
			fi
		done
	done
	summary build/test-suite.log build-asan/test-suite.log
	exit $rc
	;;
*)
	echo "usage: scripts/setup.sh demo|test" >&2
	exit 2
	;;
esac
