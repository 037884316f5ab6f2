#!/bin/sh
# projsync - tests/cli/cli-notify.sh: notifications after real syncs.  The
# configured command runs with the job's facts in its environment (and
# only there: a hostile connection name arrives intact and runs nothing);
# the switches choose which outcomes notify; dry runs never do; a failing
# or slow command is logged with the job and changes nothing else.

. "$(dirname "$0")/lib.sh"

run ps demo --dir "$T/demo"
assert_exit 0
# The configuration as "conn add" wrote it, plus notifications.
conf_with() {
	python3 - "$T/conf" "$1" "$2" "$3" <<'PY'
import re, sys
path, on_success, on_conflicts, command = sys.argv[1:5]
text = open(path).read()
text = re.sub(r'notifications\s*=\s*\{[^}]*\};\s*', '', text)
text += ('notifications = { on_failure = true; on_conflicts = %s; '
    'on_success = %s; bell = false; command = "%s"; };\n'
    % (on_conflicts, on_success, command.replace('\\', '\\\\')
       .replace('"', '\\"')))
open(path, 'w').write(text)
PY
}
CMD='printf "%s|%s|%s|%s|%s|%s|%s|%s\n" "$PROJSYNC_JOB_ID" "$PROJSYNC_STATUS" "$PROJSYNC_KIND" "$PROJSYNC_SOURCE" "$PROJSYNC_TARGET" "$PROJSYNC_CONFLICTS" "$PROJSYNC_ERRORS" "$PROJSYNC_INSERTED" >> '"$T/notified"

# Conflicts notify; success does not (on_success false).
conf_with false true "$CMD"
run ps sync demo-dev demo-prod --bidirectional
assert_exit 3
[ -f "$T/notified" ] || fail "the command did not run after a job with conflicts"
assert_eq "2|completed_with_conflicts|conflicts|demo-dev|demo-prod|5|0|8" \
    "$(cat "$T/notified")" "the command's environment"
rm -f "$T/notified"
run ps sync demo-dev demo-prod --bidirectional --dry-run
[ ! -f "$T/notified" ] || fail "a dry run notified"
run ps conflicts resolve --all --strategy source-wins
run ps sync demo-dev demo-prod --bidirectional
assert_exit 0
[ ! -f "$T/notified" ] || fail "a clean job notified with on_success false"

# Success with on_success true; a hostile connection name stays data.
conf_with true true "$CMD"
sqlite3 "$T/x.db" "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
    INSERT INTO t VALUES (1, 'a');"
sqlite3 "$T/y.db" "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
run ps conn add 'x$(touch pwned)' --type sqlite --dsn "$T/x.db"
if [ "$RC" = 0 ]; then
	src='x$(touch pwned)'
else
	# Names are restricted: use a plain one, still with quotes in data.
	src=x
	run ps conn add x --type sqlite --dsn "$T/x.db"
	assert_exit 0
fi
run ps conn add y --type sqlite --dsn "$T/y.db"
assert_exit 0
(cd "$T" && run ps sync "$src" y)
assert_exit 0
[ ! -e "$T/pwned" ] || fail "a connection name was executed"
assert_contains "$(cat "$T/notified")" "|completed|success|$src|y|0|0|1"

# A failing command: logged with the job, the job's status unchanged.
conf_with true true 'exit 7'
sqlite3 "$T/x.db" "INSERT INTO t VALUES (2, 'b');"
run ps sync "$src" y
assert_exit 0
last=$(ps jobs --json | python3 -c 'import json, sys
print(max(j["id"] for j in json.load(sys.stdin)))')
run ps job "$last" --logs
assert_contains "$(cat "$T/out")" "exit status 7"
run ps job "$last" --json
assert_contains "$(cat "$T/out")" '"status":"completed"'
exit 0
