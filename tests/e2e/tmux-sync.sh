#!/bin/sh
# projsync - tests/e2e/tmux-sync.sh: syncs driven from the terminal
# application.  A sync started from the New job form on the demo runs to its
# counts (checked against the history and the databases); a long sync is
# cancelled from its Job detail (the batch in flight rolled back: the target
# holds whole batches, as many rows as the job says it inserted) and the
# next sync resumes it; quitting while a sync runs asks first, then cancels
# it and exits 0.

. "$(dirname "$0")/lib.sh"

demo_fresh() {
	run ps demo --dir "$T/demo"
	assert_exit 0
}

job_field() {
	run ps job "$1" --json
	assert_exit 0
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/out" "$2"
}

last_job() {
	ps jobs --json | python3 -c 'import json, sys
print(max(j["id"] for j in json.load(sys.stdin)))'
}

# 1. The demo, both ways, from the New job form.
demo_fresh
ui_start 80 24
keys n
wait_for "projsync > Dashboard > New job"
assert_screen "demo-dev"
assert_screen "demo-prod"
# Direction is the third field: make it bidirectional.
keys j j l
wait_for "bidirectional"
keys s
wait_for "projsync > Dashboard > Job"
wait_for "conflicts]" 30
assert_screen "compared"
assert_screen "tasks"
ui_quit
# Job 1 is the demo's own first sync; the one started here is the last.
job=$(last_job)
assert_eq 2 "$job" "the job started from the form"
assert_eq completed_with_conflicts "$(job_field "$job" status)" "job 2"
assert_eq 5 "$(job_field "$job" pending_conflicts)" "job 2 pending"
assert_eq 8 "$(job_field "$job" inserted)" "job 2 inserted"
assert_eq 7 "$(job_field "$job" deleted)" "job 2 deleted"
assert_eq "$(sqlite3 "$T/demo/dev.db" "SELECT count(*) FROM projects")" \
    "$(sqlite3 "$T/demo/prod.db" "SELECT count(*) FROM projects")" \
    "projects on both sides"

# 2. A long sync, cancelled from its Job detail, then resumed.
ROWS=600000
TABLE="CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);"
sqlite3 "$T/big.db" "$TABLE
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $ROWS)
INSERT INTO items SELECT x, 'item ' || x, x % 97 FROM c;"
sqlite3 "$T/big2.db" "$TABLE"
# Only these two connections: the form's defaults are big -> big2.
run ps conn rm demo-dev
assert_exit 0
run ps conn rm demo-prod
assert_exit 0
run ps conn add big --type sqlite --dsn "$T/big.db"
assert_exit 0
run ps conn add big2 --type sqlite --dsn "$T/big2.db"
assert_exit 0

ui_start 80 24
keys n
wait_for "New job"
keys s
wait_for "projsync > Dashboard > Job"
wait_for "running"
assert_screen "big -> big2"
keys x
wait_for "(y/n)"
keys y
wait_for "cancelled]" 60
ui_quit
job=$(last_job)
assert_eq cancelled "$(job_field "$job" status)" "the cancelled job"
inserted=$(job_field "$job" inserted)
n=$(sqlite3 "$T/big2.db" "SELECT count(*) FROM items")
assert_eq "$inserted" "$n" "rows in the target after the cancel"
[ "$n" -lt "$ROWS" ] || fail "the job ended before the cancel ($n rows)"
[ $((n % 1000)) -eq 0 ] || fail "the target holds $n rows: not whole batches"
run ps sync big big2
assert_exit 0
assert_eq "$ROWS" "$(sqlite3 "$T/big2.db" "SELECT count(*) FROM items")" \
    "rows after the resumed sync"

# 3. Quitting while a sync runs: asked, then cancelled.
sqlite3 "$T/big2.db" "DELETE FROM items"
rm -f "$T/hist.db"*
ui_start 80 24
keys n
wait_for "New job"
keys s
wait_for "running"
keys Q
wait_for "(y/n)"
keys y
i=0
while ! ui_exited && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
ui_exited || { dump; fail "the application did not quit"; }
assert_eq 0 "$(cat "$T/ui.status")" "exit status after quitting"
run ps jobs --json
assert_contains "$(cat "$T/out")" '"status":"cancelled"'
exit 0
