#!/bin/sh
# projsync - tests/cli/cli-badinput.sh: bad input gets a clear one-line
# error and changes nothing (SPEC section 10): an unknown connection, an
# unknown option, a bad --batch-size, --sql without --dry-run, a missing
# SQLite file, a missing table, a table without a key, a malformed
# configuration and a configuration with a plain password readable by
# others.
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

demo
snapshot() {
	dump "$DEV" >"$T/dev.snap"
	dump "$PROD" >"$T/prod.snap"
	cp "$T/conf" "$T/conf.snap"
}
unchanged() {
	dump "$DEV" | cmp -s - "$T/dev.snap" || fail "$1: dev changed"
	dump "$PROD" | cmp -s - "$T/prod.snap" || fail "$1: prod changed"
	cmp -s "$T/conf" "$T/conf.snap" || fail "$1: the configuration changed"
}
jobs_count() {
	"$PROJSYNC_BIN" -c "$T/conf" -H "$T/hist.db" --json jobs --limit 100000 |
	    python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}
snapshot
njobs=$(jobs_count)
[ "$njobs" -ge 1 ] || fail "the demo recorded no job"

# An unknown connection: no job is even recorded.
run ps sync demo-dev nope
assert_exit 1
assert_out_empty
assert_err_is "projsync: unknown connection 'nope'"
run ps sync nope demo-prod --json
assert_exit 1
assert_out_empty
assert_err_is "projsync: unknown connection 'nope'"
unchanged "unknown connection"
assert_eq "$njobs" "$(jobs_count)" "jobs after an unknown connection"

# An unknown option, and options in the wrong place.
run ps sync demo-dev demo-prod --bidirectionnal
assert_exit 2
assert_err_is "projsync: sync: unknown option '--bidirectionnal'
Try 'projsync sync --help'."
run ps conflicts resolve 1 --strategy source --frob
assert_exit 2
assert_err_is "projsync: conflicts resolve: unknown option '--frob'
Try 'projsync conflicts resolve --help'."
run ps sync demo-dev demo-prod extra
assert_exit 2
assert_err_contains "unexpected argument 'extra'"
run ps sync demo-dev demo-prod --strategy sometimes
assert_exit 2
assert_err_contains "unknown strategy 'sometimes'"
unchanged "unknown option"
assert_eq "$njobs" "$(jobs_count)" "jobs after usage errors"

# --batch-size must be a positive integer.
for bad in 0 -5 abc 1.5 "" 99999999999; do
	run ps sync demo-dev demo-prod --batch-size="$bad"
	assert_exit 2
	assert_err_lines 2
	assert_err_contains "--batch-size must be a positive integer, not '$bad'"
done
unchanged "bad --batch-size"

# --sql without --dry-run: refused, the file not created.
run ps sync demo-dev demo-prod --sql "$T/plan.sql"
assert_exit 2
assert_err_is "projsync: sync: --sql needs --dry-run
Try 'projsync sync --help'."
[ ! -e "$T/plan.sql" ] || fail "--sql without --dry-run created the file"
unchanged "--sql without --dry-run"
assert_eq "$njobs" "$(jobs_count)" "jobs after bad options"

# A missing SQLite file: a one-line error naming it; the file is not made.
run ps conn add ghost --type sqlite --dsn "$T/ghost.db"
assert_exit 0
snapshot
run ps sync ghost demo-prod
assert_exit 1
assert_out_empty
assert_err_lines 1
assert_err_contains "$T/ghost.db"
assert_err_contains "does not exist"
[ ! -e "$T/ghost.db" ] || fail "the missing database was created"
unchanged "missing sqlite file"
run ps sync ghost demo-prod --json
assert_exit 1
assert_json_valid
assert_eq failed "$(json 'd["status"]')"
assert_contains "$(json 'd["error"]')" "does not exist" "error member"

# A table missing on both sides.
run ps sync demo-dev demo-prod --tables nosuch --json
assert_exit 1
assert_eq "completed_with_errors" "$(json 'd["status"]')"
assert_contains "$(json 'd["tables"][0]["message"]')" "nosuch" "missing table message"
assert_err_lines 1
assert_err_contains "nosuch"
unchanged "missing table"

# A table without a usable key: skipped with a message, exit 1.
sqlite3 "$DEV" "CREATE TABLE nokey (a TEXT, b TEXT);
INSERT INTO nokey VALUES ('x', 'y');"
sqlite3 "$PROD" "CREATE TABLE nokey (a TEXT, b TEXT);"
snapshot
run ps sync demo-dev demo-prod --tables nokey --json
assert_exit 1
assert_eq "completed_with_errors skipped" "$(json 'd["status"] + " " + d["tables"][0]["status"]')"
assert_contains "$(json 'd["tables"][0]["message"]')" "key" "no-key message"
assert_eq 0 "$(sql "$PROD" "SELECT count(*) FROM nokey")"
unchanged "table without a key"
run ps sync demo-dev demo-prod --tables nokey
assert_exit 1
assert_err_lines 1
assert_err_contains "nokey"
assert_out_contains "completed_with_errors"

# A malformed configuration: FILE:LINE in a one-line message.
printf 'connections = (\n  { name = "x"; type = ; }\n);\n' >"$T/bad.conf"
cp "$T/bad.conf" "$T/bad.snap"
run "$PROJSYNC_BIN" -c "$T/bad.conf" -H "$T/hist.db" conn list
assert_exit 1
assert_out_empty
assert_err_lines 1
assert_err_contains "$T/bad.conf:2:"
run "$PROJSYNC_BIN" -c "$T/bad.conf" -H "$T/hist.db" conn add y \
    --type sqlite --dsn "$T/y.db"
assert_exit 1
assert_err_contains "$T/bad.conf:2:"
cmp -s "$T/bad.conf" "$T/bad.snap" || fail "a malformed configuration was rewritten"
printf '# comment\ndefaults = {\n  batch_size = "many";\n};\n' >"$T/bad2.conf"
run "$PROJSYNC_BIN" -c "$T/bad2.conf" -H "$T/hist.db" sync a b
assert_exit 1
assert_err_lines 1
assert_err_contains "$T/bad2.conf:3:"
assert_err_contains "batch_size"
# PROJSYNC_CONFIG is read the same way.
run env PROJSYNC_CONFIG="$T/bad.conf" "$PROJSYNC_BIN" -H "$T/hist.db" conn list
assert_exit 1
assert_err_contains "$T/bad.conf:2:"

# A plain password in a configuration readable by others is refused.
printf 'connections = (\n  { name = "x"; type = "sqlite"; dsn = "%s"; password = "hunter2"; }\n);\n' \
    "$T/x.db" >"$T/pw.conf"
chmod 644 "$T/pw.conf"
run "$PROJSYNC_BIN" -c "$T/pw.conf" -H "$T/hist.db" conn list
assert_exit 1
assert_out_empty
assert_err_lines 1
assert_err_contains "$T/pw.conf"
assert_err_contains "chmod 600"
assert_not_contains "$(err)" "hunter2" "stderr"
assert_eq 644 "$(mode "$T/pw.conf")" "mode left to its owner"
chmod 600 "$T/pw.conf"
run "$PROJSYNC_BIN" -c "$T/pw.conf" -H "$T/hist.db" conn list --json
assert_exit 0
assert_eq x "$(json 'd[0]["name"]')"
assert_not_contains "$(out)" "hunter2" "stdout"

# A job id that is not one, and one that does not exist.
run ps job 12x
assert_exit 2
run ps job 424242
assert_exit 1
assert_err_is "projsync: no job 424242"
run ps jobs --limit 0
assert_exit 2
run ps conflicts list --job -3
assert_exit 2

pass
