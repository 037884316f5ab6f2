#!/bin/sh
# projsync - tests/cli/cli-basic.sh: the frame of the command line: --help
# of every command, --version, usage errors (exit 2, one line plus a hint),
# global options before and after the command, "conn" add/list/test/rm with
# the configuration's mode, and "demo" (twice: the same state, no duplicate
# connections).
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# --version and the top-level help.
run ps --version
assert_exit 0
assert_out_contains "projsync "
run ps --help
assert_exit 0
assert_out_contains "usage: projsync"
assert_err_empty

# No command: the usage on stderr, exit 2, nothing on stdout.
run "$PROJSYNC_BIN" -c "$T/conf" -H "$T/hist.db"
assert_exit 2
assert_out_empty
assert_err_contains "usage: projsync"

# --help on every command and sub-command: usage on stdout, exit 0.
for cmd in demo conn "conn add" "conn list" "conn test" "conn rm" schema \
    "schema diff" "schema migrate" sync jobs job conflicts "conflicts list" \
    "conflicts show" "conflicts resolve" ui; do
	# shellcheck disable=SC2086
	run ps $cmd --help
	assert_exit 0
	assert_err_empty
	assert_contains "$(head -n 1 "$T/out")" "usage: projsync ${cmd%% *}" \
	    "help of '$cmd'"
done
run ps help sync
assert_exit 0
assert_out_contains "usage: projsync sync"
run ps help conflicts resolve
assert_exit 0
assert_out_contains "usage: projsync conflicts resolve"
# -h works too, and --help wins over missing operands.
run ps sync -h
assert_exit 0
assert_out_contains "--bidirectional"

# Usage errors: one line naming the problem, one hint, exit 2.
run ps sync --frob
assert_exit 2
assert_out_empty
assert_err_is "projsync: sync: unknown option '--frob'
Try 'projsync sync --help'."
run ps conn add x --dsn /tmp/x.db --frob=1
assert_exit 2
assert_err_is "projsync: conn add: unknown option '--frob'
Try 'projsync conn add --help'."
run ps sync a
assert_exit 2
assert_err_lines 2
assert_err_contains "projsync: sync: needs SOURCE and TARGET"
run ps sync a b --tables
assert_exit 2
assert_err_contains "option '--tables' needs a value"
run ps frob
assert_exit 2
assert_err_is "projsync: unknown command 'frob'
Try 'projsync --help'."
run ps conn frob
assert_exit 2
assert_err_contains "unknown sub-command 'frob'"
run ps conn
assert_exit 2
assert_out_empty
run ps conn add x --type sqlite
assert_exit 2
assert_err_contains "--dsn is required"
run ps conn add x --type nosuchdb --dsn x
assert_exit 2
assert_err_contains "unknown type 'nosuchdb'"
run ps conflicts list --status nope
assert_exit 2
assert_err_contains "unknown status 'nope'"
run ps job abc
assert_exit 2
assert_err_contains "'abc' is not a job ID"
run ps --json=yes conn list
assert_exit 2
assert_err_contains "option '--json' takes no value"
[ ! -e "$T/conf" ] || fail "a usage error wrote the configuration"

# The terminal application needs a terminal: without one it says so and
# changes nothing.
run ps ui
assert_exit 1
assert_err_is "projsync: the terminal application needs a terminal (stdin and stdout)"
[ ! -e "$T/conf" ] || fail "ui without a terminal wrote the configuration"

# conn add / list / test / rm.
sqlite3 "$T/a.db" "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
run ps conn add alpha --type sqlite --dsn "$T/a.db"
assert_exit 0
assert_out_empty
[ -f "$T/conf" ] || fail "conn add did not write $T/conf"
# Who changed the settings, in the history (SPEC section 2).
assert_eq "$(id -un)|added connection 'alpha' (sqlite)" \
    "$(sqlite3 "$T/hist.db" "SELECT os_user || '|' || what FROM settings_log
    ORDER BY id DESC LIMIT 1")" "the settings change in the history"
assert_eq 600 "$(mode "$T/conf")" "mode of the configuration"
run ps conn add beta --type sqlite --dsn "sqlite:$T/missing.db"
assert_exit 0
run ps conn add secret --type pg \
    --dsn "postgresql://app:hunter2@db.example:5432/app"
assert_exit 0
assert_err_contains "holds a password"
assert_eq 600 "$(mode "$T/conf")" "mode of the configuration"

# A duplicate name changes nothing.
cp "$T/conf" "$T/conf.before"
run ps conn add alpha --type sqlite --dsn "$T/other.db"
[ "$RC" != 0 ] || fail "a duplicate connection was accepted"
assert_err_contains "alpha"
cmp -s "$T/conf" "$T/conf.before" || fail "a refused conn add changed the file"

run ps conn list
assert_exit 0
assert_out_contains "alpha"
assert_out_contains "$T/a.db"
assert_out_contains "postgresql://app:****@db.example:5432/app"
assert_not_contains "$(out)" "hunter2" "conn list"
# --json after the command, then before it.
run ps conn list --json
assert_exit 0
assert_json_valid
assert_eq 3 "$(json 'len(d)')" "connections"
assert_eq "alpha sqlite" "$(json '" ".join([d[0]["name"], d[0]["type"]])')"
assert_eq "postgresql://app:****@db.example:5432/app" \
    "$(json '[c for c in d if c["name"] == "secret"][0]["dsn"]')"
run ps --json conn list
assert_exit 0
assert_eq 3 "$(json 'len(d)')" "connections (--json first)"

run ps conn test alpha
assert_exit 0
assert_out_contains "alpha: ok ("
assert_out_contains "SQLite 3."
run ps conn test alpha beta
assert_exit 1
assert_out_contains "alpha: ok ("
assert_out_contains "beta: failed: "
[ ! -e "$T/missing.db" ] || fail "conn test created the missing database"
run ps conn test --json alpha beta
assert_exit 1
assert_eq "true false" "$(json '" ".join(["true" if c["ok"] else "false" for c in d])')"
assert_eq "null" "$(json 'd[0]["error"]')"
run ps conn test nope
assert_exit 1
assert_err_is "projsync: unknown connection 'nope'"

run ps conn rm beta
assert_exit 0
run ps conn rm beta
assert_exit 1
assert_err_is "projsync: unknown connection 'beta'"
run ps conn list --json
assert_eq "alpha secret" "$(json '" ".join(c["name"] for c in d)')"
assert_eq 600 "$(mode "$T/conf")" "mode after conn rm"

# -q: nothing for people.
run ps -q conn add gamma --type sqlite --dsn "$T/a.db"
assert_exit 0
assert_out_empty
assert_err_empty

# The demo: two databases, connections, idempotent.
demo
assert_out_contains "demo-dev"
assert_out_contains "projsync -c '$T/conf' -H '$T/hist.db' sync demo-dev demo-prod --bidirectional"
for t in clients projects tasks time_entries tags task_tags; do
	n=$(sql "$DEV" "SELECT count(*) FROM $t")
	[ "$n" -gt 0 ] || fail "demo: $t is empty on dev"
done
assert_eq 6 "$(sql "$DEV" "SELECT count(*) FROM sqlite_master WHERE type = 'table'")" "demo tables"
assert_eq "Ōsaka Robotics 🤖" "$(sql "$PROD" "SELECT name FROM clients WHERE id = 2")"
# The two sides differ (drift), in both directions.
[ "$(sql "$DEV" "SELECT count(*) FROM clients WHERE id = 7")" = 1 ] ||
    fail "demo: dev lacks its new client"
[ "$(sql "$PROD" "SELECT count(*) FROM clients WHERE id = 7")" = 0 ] ||
    fail "demo: prod has dev's new client"
[ "$(sql "$PROD" "SELECT count(*) FROM time_entries WHERE id = 26")" = 1 ] ||
    fail "demo: prod lacks its new time entry"
dump "$DEV" >"$T/dev1.sql"
dump "$PROD" >"$T/prod1.sql"
run ps conn list --json
assert_eq 1 "$(json 'len([c for c in d if c["name"] == "demo-dev"])')" "demo-dev"
assert_eq "$DEV" "$(json '[c for c in d if c["name"] == "demo-dev"][0]["dsn"]')"
assert_eq 1 "$(json 'len([c for c in d if c["name"] == "demo-prod"])')" "demo-prod"
assert_eq 600 "$(mode "$T/conf")" "mode after demo"

# Again, after a sync changed both files: the same state, no duplicates.
run ps sync demo-dev demo-prod --bidirectional
assert_exit 3
demo
dump "$DEV" >"$T/dev2.sql"
dump "$PROD" >"$T/prod2.sql"
cmp -s "$T/dev1.sql" "$T/dev2.sql" || fail "demo twice: dev differs"
cmp -s "$T/prod1.sql" "$T/prod2.sql" || fail "demo twice: prod differs"
run ps conn list --json
assert_eq 5 "$(json 'len(d)')" "connections after two demos"
# And the next sync meets the same changes as the first.
run ps sync demo-dev demo-prod --bidirectional --json
assert_exit 3
assert_eq 5 "$(json 'd["pending_conflicts"]')" "pending conflicts after a second demo"

# A demo connection pointing elsewhere is updated, not duplicated.
run ps conn rm demo-dev
run ps conn add demo-dev --type sqlite --dsn "$T/a.db"
demo
run ps conn list --json
assert_eq "$DEV" "$(json '[c for c in d if c["name"] == "demo-dev"][0]["dsn"]')"
assert_eq 5 "$(json 'len(d)')" "connections after the update"

# --json demo: one document.
run ps --json demo --dir "$T/demo"
assert_exit 0
assert_eq "demo-dev demo-prod" "$(json '" ".join(d["connections"])')"

pass
