#!/bin/sh
# projsync - tests/cli/cli-sync.sh: "sync" on the demo databases: a dry run
# writes nothing and reports what the real run does (counts and exit), --sql
# writes the statements, a bidirectional sync leaves every expected row on
# both sides and the conflicts untouched, a second run changes nothing, the
# --json document, one-way syncs never write the source, and "jobs"/"job"
# show what ran.
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

counts='" ".join(str(d[k]) for k in ("rows_compared", "inserted", "updated", "deleted", "conflicts", "pending_conflicts", "errors"))'

demo
dump "$DEV" >"$T/dev0.sql"
dump "$PROD" >"$T/prod0.sql"

# A dry run: the counts and exit of the real run, nothing written.
run ps sync demo-dev demo-prod --bidirectional --dry-run --json \
    --sql "$T/plan.sql"
assert_exit 3
assert_json_valid
assert_eq completed_with_conflicts "$(json 'd["status"]')" "dry-run status"
assert_eq true "$(json 'd["dry_run"]')"
dry_counts=$(json "$counts")
dry_job=$(json 'd["job_id"]')
dump "$DEV" | cmp -s - "$T/dev0.sql" || fail "the dry run wrote to dev"
dump "$PROD" | cmp -s - "$T/prod0.sql" || fail "the dry run wrote to prod"
[ -s "$T/plan.sql" ] || fail "--sql wrote nothing"
plan=$(cat "$T/plan.sql")
assert_contains "$plan" "INSERT INTO" "plan.sql"
assert_contains "$plan" "UPDATE" "plan.sql"
assert_contains "$plan" "DELETE FROM" "plan.sql"
assert_contains "$plan" "Ünal Tekstil" "plan.sql"
# The dry run leaves no conflicts behind.
run ps conflicts list --json --status all
assert_exit 0
assert_eq 0 "$(json 'len(d)')" "conflicts after a dry run"

# The real run.
run ps sync demo-dev demo-prod --bidirectional --json
assert_exit 3
assert_json_valid
assert_eq completed_with_conflicts "$(json 'd["status"]')" "status"
assert_eq false "$(json 'd["dry_run"]')"
assert_eq "$dry_counts" "$(json "$counts")" "dry run vs real run counts"
assert_eq 5 "$(json 'd["pending_conflicts"]')" "pending conflicts"
assert_eq 0 "$(json 'd["errors"]')" "errors"
job=$(json 'd["job_id"]')
[ "$job" -gt "$dry_job" ] || fail "job ids do not grow"
# Every field of SPEC 7, and tables whose counts add up to the job's.
for k in job_id status rows_compared inserted updated deleted conflicts \
    pending_conflicts errors duration_s tables; do
	assert_eq true "$(json "'$k' in d")" "member $k"
done
assert_eq "clients,projects,tags,task_tags,tasks,time_entries" \
    "$(json '",".join(sorted(t["name"] for t in d["tables"]))')" "tables"
for k in rows_compared inserted updated deleted conflicts pending_conflicts \
    errors; do
	assert_eq "$(json "d['$k']")" "$(json "sum(t['$k'] for t in d['tables'])")" \
	    "sum of the tables' $k"
done
assert_eq "synced" "$(json '",".join(sorted(set(t["status"] for t in d["tables"])))')"

# dev's changes reached prod.
assert_eq "Ünal Tekstil A.Ş." "$(sql "$PROD" "SELECT name FROM clients WHERE id = 7")"
assert_eq "Showroom 🧵|7" "$(sql "$PROD" "SELECT name, client_id FROM projects WHERE id = 9")"
assert_eq "21|Lighting 💡" "$(sql "$PROD" "SELECT parent_task_id, title FROM tasks WHERE id = 22")"
assert_eq 1 "$(sql "$PROD" "SELECT count(*) FROM time_entries WHERE id = 25")"
assert_eq "done|1" "$(sql "$PROD" "SELECT status, done FROM tasks WHERE id = 3")"
assert_eq "2024-07-31" "$(sql "$PROD" "SELECT due_on FROM projects WHERE id = 1")"
assert_eq 0 "$(sql "$PROD" "SELECT count(*) FROM task_tags WHERE task_id = 9 AND tag_id = 5")"
assert_eq 0 "$(sql "$PROD" "SELECT count(*) FROM time_entries WHERE id = 24")"
# prod's changes reached dev.
assert_eq "Grip force tuning" "$(sql "$DEV" "SELECT note FROM time_entries WHERE id = 26")"
assert_eq "review 👀" "$(sql "$DEV" "SELECT name FROM tags WHERE id = 7")"
assert_eq 1 "$(sql "$DEV" "SELECT count(*) FROM task_tags WHERE task_id = 10 AND tag_id = 7")"
assert_eq "60000.00" "$(sql "$DEV" "SELECT printf('%.2f', budget) FROM projects WHERE id = 3")"
assert_eq 1 "$(sql "$DEV" "SELECT priority FROM tasks WHERE id = 17")"
assert_eq 0 "$(sql "$DEV" "SELECT count(*) FROM task_tags WHERE task_id = 18 AND tag_id = 3")"
assert_eq 0 "$(sql "$DEV" "SELECT count(*) FROM time_entries WHERE id = 23")"
# Deleted on prod with their task: gone from dev too (the task is a conflict).
assert_eq 0 "$(sql "$DEV" "SELECT count(*) FROM time_entries WHERE task_id = 7")"
# The conflicting rows kept each side's version.
assert_eq "hello@osaka-robotics.jp" "$(sql "$DEV" "SELECT email FROM clients WHERE id = 2")"
assert_eq "support@osaka-robotics.jp" "$(sql "$PROD" "SELECT email FROM clients WHERE id = 2")"
assert_eq 1 "$(sql "$DEV" "SELECT count(*) FROM tasks WHERE id = 7")"
assert_eq 0 "$(sql "$PROD" "SELECT count(*) FROM tasks WHERE id = 7")"
assert_eq 0 "$(sql "$DEV" "SELECT count(*) FROM tags WHERE id = 6")"
assert_eq "#9ca3af" "$(sql "$PROD" "SELECT color FROM tags WHERE id = 6")"
assert_eq 90 "$(sql "$DEV" "SELECT minutes FROM time_entries WHERE id = 5")"
assert_eq 75 "$(sql "$PROD" "SELECT minutes FROM time_entries WHERE id = 5")"
# Every other row is the same on both sides.
same() {
	a=$(sql "$DEV" "$1")
	b=$(sql "$PROD" "$1")
	[ -n "$a" ] || fail "no rows for: $1"
	[ "$a" = "$b" ] || fail "dev and prod differ for: $1"
}
same "SELECT * FROM clients WHERE id <> 2 ORDER BY id"
same "SELECT * FROM projects ORDER BY id"
same "SELECT * FROM tasks WHERE id NOT IN (6, 7) ORDER BY id"
same "SELECT * FROM time_entries WHERE id <> 5 ORDER BY id"
same "SELECT * FROM tags WHERE id <> 6 ORDER BY id"
same "SELECT * FROM task_tags ORDER BY task_id, tag_id"

# A second run: nothing to write, the same conflicts pending.
run ps sync demo-dev demo-prod --bidirectional --json
assert_exit 3
assert_eq "0 0 0 0" "$(json '" ".join(str(d[k]) for k in ("inserted", "updated", "deleted", "errors"))')" "second run"
assert_eq 5 "$(json 'd["pending_conflicts"]')" "second run pending"
dump "$DEV" >"$T/dev1.sql"
dump "$PROD" >"$T/prod1.sql"

# The human report: one line per table, a summary and a hint.
run ps sync demo-dev demo-prod --bidirectional --tables clients,tasks
assert_exit 3
assert_eq 3 "$(wc -l <"$T/out" | tr -d ' ')" "report lines"
assert_out_contains "clients "
assert_out_contains "tasks "
assert_out_contains "completed_with_conflicts: "
assert_out_contains "0 inserted, 0 updated, 0 deleted, 3 conflicts (3 pending), 0 errors in "
assert_err_contains "projsync conflicts list --job "
run ps -q sync demo-dev demo-prod --bidirectional
assert_exit 3
assert_out_empty
assert_err_empty
# --exclude leaves tables out.
run ps sync demo-dev demo-prod --bidirectional --exclude tasks,clients --json
assert_eq "projects,tags,task_tags,time_entries" \
    "$(json '",".join(sorted(t["name"] for t in d["tables"]))')" "--exclude"
dump "$DEV" | cmp -s - "$T/dev1.sql" || fail "a sync with nothing to do wrote to dev"
dump "$PROD" | cmp -s - "$T/prod1.sql" || fail "a sync with nothing to do wrote to prod"

# jobs and job show what ran.
run ps jobs --json
assert_exit 0
assert_json_valid
assert_eq "$job" "$(json '[j for j in d if j["id"] == '"$job"'][0]["id"]')"
assert_eq "completed_with_conflicts demo-dev demo-prod false" \
    "$(json '" ".join(str(x).lower() if isinstance(x, bool) else str(x) for x in [[j for j in d if j["id"] == '"$job"'][0][k] for k in ("status", "source", "target", "dry_run")])')"
assert_eq true "$(json '[j for j in d if j["id"] == '"$dry_job"'][0]["dry_run"]')"
assert_contains "$(json '[j for j in d if j["id"] == '"$job"'][0]["started_at"]')" "T" "started_at"
assert_contains "$(json '[j for j in d if j["id"] == '"$job"'][0]["finished_at"]')" "Z" "finished_at"
assert_eq 5 "$(json '[j for j in d if j["id"] == '"$job"'][0]["pending_conflicts"]')"
# Newest first, and --limit.
assert_eq true "$(json 'all(d[i]["id"] > d[i + 1]["id"] for i in range(len(d) - 1))')" "job order"
run ps jobs --limit 2 --json
assert_eq 2 "$(json 'len(d)')" "jobs --limit 2"
run ps jobs
assert_exit 0
assert_out_contains "STATUS"
assert_out_contains "completed_with_conflicts"
run ps job "$job" --json
assert_exit 0
assert_eq "$job" "$(json 'd["id"]')"
assert_eq 6 "$(json 'len(d["tables"])')" "job tables"
assert_eq true "$(json 'len(d["logs"]) > 0')" "job logs"
assert_eq true "$(json 'all(set(l) >= {"time", "level", "message"} for l in d["logs"])')"
run ps job "$job" --logs
assert_exit 0
assert_out_contains "job $job"
assert_out_contains "time_entries"
assert_out_contains "log"
run ps job 99999
assert_exit 1
assert_err_lines 1

# One-way never writes the source.
run ps demo --dir "$T/demo"
dump "$DEV" >"$T/dev2.sql"
run ps sync demo-dev demo-prod --json
assert_exit 3
assert_eq false "$(json 'd["bidirectional"]')"
dump "$DEV" | cmp -s - "$T/dev2.sql" || fail "a one-way sync wrote to the source"
assert_eq "Ünal Tekstil A.Ş." "$(sql "$PROD" "SELECT name FROM clients WHERE id = 7")"
# prod's own new row is a conflict (none/insert) under one-way, not copied.
assert_eq 0 "$(sql "$DEV" "SELECT count(*) FROM time_entries WHERE id = 26")"

# source-wins settles every conflict: both sides end equal.
run ps demo --dir "$T/demo"
run ps sync demo-dev demo-prod --bidirectional --strategy source-wins --json
assert_exit 0
assert_eq completed "$(json 'd["status"]')"
assert_eq 0 "$(json 'd["pending_conflicts"]')"
assert_eq 5 "$(json 'd["conflicts"]')"
for t in "clients ORDER BY id" "projects ORDER BY id" "tasks ORDER BY id" \
    "time_entries ORDER BY id" "tags ORDER BY id" \
    "task_tags ORDER BY task_id, tag_id"; do
	same "SELECT * FROM $t"
done
assert_eq "hello@osaka-robotics.jp" "$(sql "$PROD" "SELECT email FROM clients WHERE id = 2")"

# On a terminal, a progress bar is drawn on stderr (and cleared); with -q or
# when stderr is not a terminal, none.  script(1) gives the sync a pty.
if command -v script >/dev/null 2>&1; then
	run ps demo --dir "$T/demo"
	script -qec "'$PROJSYNC_BIN' -c '$T/conf' -H '$T/hist.db' sync demo-dev demo-prod --bidirectional" \
	    "$T/typescript" >/dev/null 2>&1 </dev/null || true
	assert_contains "$(cat "$T/typescript")" "tasks 22/22 [####################]" "progress bar on a terminal"
	assert_contains "$(cat "$T/typescript")" "clients 7/7" "progress bar names the table"
	run ps demo --dir "$T/demo"
	run ps sync demo-dev demo-prod --bidirectional
	assert_not_contains "$(err)" "[####" "progress bar without a terminal"
fi

pass
