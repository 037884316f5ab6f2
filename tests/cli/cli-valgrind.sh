#!/bin/sh
# projsync - tests/cli/cli-valgrind.sh: the main commands under valgrind's
# memcheck: no invalid access and no definite or indirect leak.  Skipped
# (77) without valgrind, or when the program was built with the sanitizers
# (which valgrind cannot run).
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "$TEST_NAME: SKIP: valgrind is not installed" >&2
	exit 77
fi
if [ -n "${PROJSYNC_ASAN:-}" ] ||
    ldd "$PROJSYNC_BIN" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	echo "$TEST_NAME: SKIP: built with the sanitizers" >&2
	exit 77
fi

# vg ARGS...: the program under memcheck; exit 99 on a memory error.
vg() {
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --error-exitcode=99 "$PROJSYNC_BIN" -c "$T/conf" -H "$T/hist.db" "$@"
}
# check EXPECTED-EXIT ARGS...
check() {
	want=$1
	shift
	run vg "$@"
	[ "$RC" != 99 ] || fail "valgrind found memory errors in: $*"
	assert_exit "$want"
}

check 0 conn list
check 0 demo --dir "$T/demo"
check 0 conn list --json
check 0 conn test demo-dev demo-prod
check 3 sync demo-dev demo-prod --bidirectional --dry-run --sql "$T/plan.sql"
check 3 sync demo-dev demo-prod --bidirectional --json
check 3 sync demo-dev demo-prod --bidirectional
check 0 conflicts list
check 0 conflicts list --json --status all
id=$(json 'd[0]["id"]')
check 0 conflicts show "$id"
check 0 conflicts show "$id" --json
check 0 conflicts resolve "$id" --strategy source --note "valgrind"
check 0 conflicts resolve --all --strategy target --table tasks
check 0 jobs
check 0 jobs --json
check 0 job 2 --logs --json
check 0 schema diff demo-dev demo-prod --json
check 0 schema migrate demo-dev demo-prod --dry-run
check 2 sync demo-dev demo-prod --frob
check 1 sync demo-dev nope
check 0 schedule add nightly demo-dev demo-prod --every monthly --day 31 \
    --at 02:30 --tables tasks,tags --strategy newer
check 0 schedule list --json
check 0 schedule disable nightly
check 0 schedule enable nightly
check 0 daemon --once
check 2 schedule add bad demo-dev demo-prod --every weekly --at 25:00
check 0 schedule rm nightly

pass
