#!/bin/sh
# projsync - tests/e2e/tmux-settings.sh: connections added and tested from
# the Settings screen.  A SQLite one tests ok with its latency; a PostgreSQL
# one on the test server with a wrong password shows the server's refusal,
# never the password, and the application lives on (it answers keys and
# quits cleanly).  Both are saved to the configuration.  Needs the private
# test servers (tests/servers.sh) for the PostgreSQL part.

. "$(dirname "$0")/lib.sh"

WRONG="wrong-pw-$$-secret"
demo
sqlite3 "$T/extra.db" "CREATE TABLE t (id INTEGER PRIMARY KEY);"

have_pg=0
if [ -n "${PROJSYNC_TEST_PG_DSN:-}" ] && ps conn add probe --type pg \
    --dsn "$PROJSYNC_TEST_PG_DSN" >/dev/null 2>&1; then
	ps conn test probe >/dev/null 2>&1
	# A build without the driver says so; anything else means it is in.
	if ! ps conn test probe 2>&1 | grep -q "built without"; then
		have_pg=1
	fi
	ps conn rm probe >/dev/null 2>&1
fi
if [ $have_pg = 0 ] && [ "${CI:-}" = true ]; then
	fail "no PostgreSQL test server (or driver) under CI=true"
fi

ui_start 80 24 "PGBAD_PW=$WRONG"
keys s
wait_for "projsync > Dashboard > Settings"
wait_for "[Connections]"
keys a
wait_for "New connection name"
text extra
keys Enter
wait_for "Type"
text sqlite
keys Enter
wait_for "SQLite file"
text "$T/extra.db"
keys Enter
wait_for "extra"
keys t
wait_for "ok in"
assert_screen "SQLite 3"
# The change is in the history, with who made it (the History section).
keys Tab Tab Tab Tab
wait_for "[History]"
wait_for "connection 'extra' added"
assert_screen "$(id -un)"
keys Tab
wait_for "[Connections]"

if [ $have_pg = 1 ]; then
	keys a
	wait_for "New connection name"
	text pgbad
	keys Enter
	wait_for "Type"
	text postgresql
	keys Enter
	wait_for "DSN"
	text "$PROJSYNC_TEST_PG_DSN"
	keys Enter
	wait_for "Password environment variable"
	text PGBAD_PW
	keys Enter
	wait_for "pgbad"
	keys t
	wait_for "authentication failed" 20
	assert_no_screen "$WRONG"
	# It lives on: another section, and back.
	keys Tab
	wait_for "[Defaults]"
	keys Tab Tab Tab Tab
	wait_for "[Connections]"
	assert_no_screen "$WRONG"
fi
ui_quit

run ps conn list --json
assert_exit 0
assert_contains "$(cat "$T/out")" '"extra"'
if [ $have_pg = 1 ]; then
	assert_contains "$(cat "$T/out")" '"pgbad"'
	assert_contains "$(cat "$T/out")" '"password_env":"PGBAD_PW"'
fi
if grep -q "$WRONG" "$T/conf" "$T/hist.db"* 2>/dev/null; then
	fail "the password reached the configuration or the history"
fi
exit 0
