#!/bin/sh
# projsync - tests/cli/cli-conflicts.sh: "conflicts" after a sync of the
# demo: list with its filters, show side by side, resolve by --strategy, by
# --set and --null with a note (the rows checked on both sides), a stale
# conflict (a row changed after the sync: exit 1, nothing written), and
# resolve --all over a table and a job.
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

demo
run ps sync demo-dev demo-prod --bidirectional --json
assert_exit 3
job=$(json 'd["job_id"]')

# list: the five conflicts of the demo, with the members of SPEC 7.
run ps conflicts list --json
assert_exit 0
assert_json_valid
assert_eq 5 "$(json 'len(d)')" "pending conflicts"
assert_eq "delete/update update/delete update/update update/update update/update" \
    "$(json '" ".join(sorted(c["kind"] for c in d))')" "kinds"
assert_eq "pending" "$(json '",".join(sorted(set(c["status"] for c in d)))')"
assert_eq "$job" "$(json '",".join(sorted(set(str(c["job_id"]) for c in d)))')"
for k in id job_id table key kind status columns source target; do
	assert_eq true "$(json "all('$k' in c for c in d)")" "member $k"
done
# Look the conflicts up by table and key.
cid() {
	run ps conflicts list --json --status all
	json "[c for c in d if c['table'] == '$1' and c['key'] == {'id': '$2'}][0]['id']"
}
c_client=$(cid clients 2)
c_task6=$(cid tasks 6)
c_task7=$(cid tasks 7)
c_entry=$(cid time_entries 5)
c_tag=$(cid tags 6)
run ps conflicts list --json
assert_eq '["email", "updated_at"]' \
    "$(json "[c for c in d if c['id'] == $c_client][0]['columns']")" "columns"
assert_eq "hello@osaka-robotics.jp support@osaka-robotics.jp" \
    "$(json "' '.join([c for c in d if c['id'] == $c_client][0][s]['email'] for s in ('source', 'target'))")"
assert_eq null "$(json "[c for c in d if c['id'] == $c_task7][0]['target']")" \
    "absent target row"
# Filters.
run ps conflicts list --json --table tasks
assert_eq "$c_task6 $c_task7" "$(json '" ".join(str(c["id"]) for c in d)')" "--table"
run ps conflicts list --json --column email
assert_eq "$c_client" "$(json '" ".join(str(c["id"]) for c in d)')" "--column"
run ps conflicts list --json --job "$job"
assert_eq 5 "$(json 'len(d)')" "--job"
run ps conflicts list --json --job 99999
assert_eq 0 "$(json 'len(d)')" "--job of another job"
run ps conflicts list --json --status resolved
assert_eq 0 "$(json 'len(d)')" "resolved before any resolution"
# The listing for people.
run ps conflicts list
assert_exit 0
assert_eq 6 "$(wc -l <"$T/out" | tr -d ' ')" "list lines"
assert_out_contains "update/delete"
assert_out_contains "id=7"

# show: side by side, '*' on the differing columns.
run ps conflicts show "$c_client"
assert_exit 0
assert_out_contains "conflict $c_client"
line=$(grep 'email' "$T/out")
assert_contains "$line" "* email" "email line"
assert_contains "$line" "hello@osaka-robotics.jp" "email line"
assert_contains "$line" "support@osaka-robotics.jp" "email line"
line=$(grep 'country' "$T/out")
assert_not_contains "$line" "*" "country line"
run ps conflicts show "$c_client" --json
assert_exit 0
assert_eq "$c_client clients update/update" "$(json '" ".join(str(d[k]) for k in ("id", "table", "kind"))')"
run ps conflicts show 99999
assert_exit 1
assert_err_lines 1

# resolve by strategy: the target's version on both sides.
run ps conflicts resolve "$c_client" --strategy target
assert_exit 0
assert_eq "support@osaka-robotics.jp" "$(sql "$DEV" "SELECT email FROM clients WHERE id = 2")"
assert_eq "support@osaka-robotics.jp" "$(sql "$PROD" "SELECT email FROM clients WHERE id = 2")"
assert_eq "$(sql "$PROD" "SELECT * FROM clients WHERE id = 2")" \
    "$(sql "$DEV" "SELECT * FROM clients WHERE id = 2")" "client 2"
run ps conflicts show "$c_client" --json
assert_eq "resolved" "$(json 'd["status"]')"
# A resolved conflict cannot be resolved again.
run ps conflicts resolve "$c_client" --strategy source
[ "$RC" != 0 ] || fail "a resolved conflict was resolved again"
assert_err_lines 1
assert_eq "support@osaka-robotics.jp" "$(sql "$DEV" "SELECT email FROM clients WHERE id = 2")"

# resolve by --set and --null with a note: the source, then the overrides.
run ps conflicts resolve "$c_task6" --set status=review --null priority \
    --note "merged by hand"
assert_exit 0
for db in "$DEV" "$PROD"; do
	assert_eq "Payment via Stripe & PayPal|review|" \
	    "$(sql "$db" "SELECT title, status, priority FROM tasks WHERE id = 6")" \
	    "task 6 in $db"
	assert_eq 1 "$(sql "$db" "SELECT priority IS NULL FROM tasks WHERE id = 6")"
done
run ps conflicts show "$c_task6" --json
assert_eq "resolved|merged by hand" "$(json 'd["status"] + "|" + d["note"]')"
assert_eq true "$(json 'd["resolved_by"] is not None and d["resolved_at"] is not None')"
assert_eq "review" "$(json 'd["result"]["status"]')"
# Bad overrides change nothing.
run ps conflicts resolve "$c_task7" --set nosuchcolumn=1
[ "$RC" != 0 ] || fail "an unknown column was accepted"
assert_err_lines 1
assert_eq 0 "$(sql "$PROD" "SELECT count(*) FROM tasks WHERE id = 7")"
run ps conflicts resolve "$c_task7" --set priority
assert_exit 2
assert_err_contains "--set needs COL=VALUE"
run ps conflicts resolve "$c_task7" --strategy manual
assert_exit 2
assert_err_contains "unknown strategy 'manual'"
run ps conflicts resolve "$c_task7"
assert_exit 2
run ps conflicts resolve --all --table tasks
assert_exit 2
assert_err_contains "--all needs --strategy"
run ps conflicts resolve 99999 --strategy source
assert_exit 1
assert_err_lines 1

# Stale: prod's row changes after the sync; nothing is written.
sqlite3 "$PROD" "UPDATE time_entries SET minutes = 100 WHERE id = 5"
dump "$DEV" >"$T/dev.sql"
dump "$PROD" >"$T/prod.sql"
run ps conflicts resolve "$c_entry" --strategy source --note "too late"
assert_exit 1
assert_err_is "projsync: conflict $c_entry is stale: the rows changed since the sync; run the sync again"
dump "$DEV" | cmp -s - "$T/dev.sql" || fail "a stale resolution wrote to dev"
dump "$PROD" | cmp -s - "$T/prod.sql" || fail "a stale resolution wrote to prod"
assert_eq 100 "$(sql "$PROD" "SELECT minutes FROM time_entries WHERE id = 5")"
run ps conflicts show "$c_entry" --json
assert_eq stale "$(json 'd["status"]')"
run ps conflicts list --json --status stale
assert_eq "$c_entry" "$(json '" ".join(str(c["id"]) for c in d)')" "--status stale"

# resolve --all over a table: the update/delete of task 7, source wins.
run ps conflicts resolve --all --table tasks --strategy source
assert_exit 0
assert_out_contains "1 matched, 1 resolved, 0 stale, 0 failed"
assert_eq "Push notifications|6.0" "$(sql "$PROD" "SELECT title, estimate_hours FROM tasks WHERE id = 7")"
assert_eq "$(sql "$DEV" "SELECT * FROM tasks WHERE id = 7")" \
    "$(sql "$PROD" "SELECT * FROM tasks WHERE id = 7")" "task 7"
# resolve --all over a job, as JSON: the tag (delete/update) goes.
run ps conflicts resolve --all --job "$job" --strategy source --json
assert_exit 0
assert_eq "1 1 0 0" "$(json '" ".join(str(d[k]) for k in ("matched", "resolved", "stale", "failed"))')"
assert_eq 0 "$(sql "$PROD" "SELECT count(*) FROM tags WHERE id = 6")"
run ps conflicts list --json
assert_eq 0 "$(json 'len(d)')" "pending after resolve --all"
run ps conflicts list --json --status resolved
assert_eq 4 "$(json 'len(d)')" "resolved"

# The next sync meets only the stale row again.
run ps sync demo-dev demo-prod --bidirectional --json
assert_exit 3
assert_eq 1 "$(json 'd["pending_conflicts"]')" "pending after the resync"
run ps conflicts list --json
assert_eq "time_entries" "$(json '" ".join(c["table"] for c in d)')"
c_entry2=$(json 'd[0]["id"]')
run ps conflicts resolve "$c_entry2" --strategy target
assert_exit 0
assert_eq 100 "$(sql "$DEV" "SELECT minutes FROM time_entries WHERE id = 5")"
run ps sync demo-dev demo-prod --bidirectional --json
assert_exit 0
assert_eq "completed 0" "$(json 'd["status"] + " " + str(d["conflicts"])')"

pass
