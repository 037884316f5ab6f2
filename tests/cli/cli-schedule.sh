#!/bin/sh
# projsync - tests/cli/cli-schedule.sh: "projsync schedule" (SPEC sections 7
# and 9): add daily, weekly and monthly schedules with sync options, list
# them as a table and as JSON (the next run exact for a pinned clock in UTC),
# enable, disable and remove them; every bad input exits non-zero with one
# line naming the problem and leaves the configuration byte-identical.
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# at TIME: pin the program's clock to TIME ("2027-02-10T12:00:00").
at() {
	PROJSYNC_NOW=$(date -u -d "$1" +%s) || fail "bad time '$1'"
	export PROJSYNC_NOW
}

# --help of the commands.
for cmd in schedule "schedule add" "schedule list" "schedule rm" \
    "schedule enable" "schedule disable" daemon; do
	# shellcheck disable=SC2086
	run ps $cmd --help
	assert_exit 0
	assert_err_empty
	assert_contains "$(head -n 1 "$T/out")" "usage: projsync $cmd" \
	    "help of '$cmd'"
done
run ps help schedule add
assert_exit 0
assert_out_contains "--every"
run ps schedule
assert_exit 2
assert_out_empty
run ps schedule frob
assert_exit 2
assert_err_contains "unknown sub-command 'frob'"

# No configuration yet: an empty list.
run ps schedule list
assert_exit 0
assert_out_empty
assert_err_contains "no schedules"
run ps schedule list --json
assert_exit 0
assert_eq "[]" "$(out)" "an empty list"

demo
at 2027-02-10T12:00:00	# a Wednesday

# Daily, with a few sync options.
run ps schedule add nightly demo-dev demo-prod --every daily --at 02:30 \
    --tables tasks,clients --strategy source --batch-size 50 \
    --bidirectional --stop-on-error
assert_exit 0
assert_out_empty
assert_err_is "added schedule 'nightly': demo-dev -> demo-prod, daily at \
02:30; next run 2027-02-11 02:30:00"
assert_eq 600 "$(mode "$T/conf")" "the configuration's mode"

# Weekly: names in any case are stored in the configuration's form.
run ps schedule add weekly-wed demo-dev demo-prod --every Weekly \
    --at 11:00 --on WEDNESDAY --exclude time_entries --one-way \
    --no-schema-check --auto-migrate --single-transaction \
    --timestamp-column updated_at
assert_exit 0
run ps --json schedule add weekly-today demo-prod demo-dev --every weekly \
    --at 13:00 --on wed
assert_exit 0
assert_json_valid
assert_eq weekly-today "$(json 'd["name"]')" "add --json: name"
assert_eq 2027-02-10T13:00:00Z "$(json 'd["next_run"]')" "add --json: next"
assert_eq null "$(json 'd["last_run"]')" "add --json: last run"

# Monthly: day 31 is the month's last day, whatever the month.
run ps schedule add month-end demo-dev demo-prod --every monthly \
    --at 02:30 --day 31
assert_exit 0
run ps schedule add mid-month demo-dev demo-prod --every MONTHLY \
    --at 00:00 --day 15 -q
assert_exit 0
assert_err_empty

# The configuration holds the canonical forms.
grep -q 'every = "weekly";' "$T/conf" || fail "every not normalized"
grep -q 'on = "wed";' "$T/conf" || fail "on not normalized"
grep -q 'strategy = "source-wins";' "$T/conf" || fail "strategy not stored"
grep -q 'direction = "bidirectional";' "$T/conf" || fail "direction"
grep -q 'day = 31;' "$T/conf" || fail "day not stored"
grep -q 'tables = \[ "tasks", "clients" \];' "$T/conf" || fail "tables"

# The list as JSON: rules, options, next runs in UTC, never run.
run ps schedule list --json
assert_exit 0
assert_err_empty
assert_eq 5 "$(json 'len(d)')" "schedules listed"
assert_eq "nightly weekly-wed weekly-today month-end mid-month" \
    "$(json '" ".join(s["name"] for s in d)')" "names in order"
assert_eq "2027-02-11T02:30:00Z 2027-02-17T11:00:00Z 2027-02-10T13:00:00Z \
2027-02-28T02:30:00Z 2027-02-15T00:00:00Z" \
    "$(json '" ".join(s["next_run"] for s in d)')" "next runs"
assert_eq "daily weekly weekly monthly monthly" \
    "$(json '" ".join(s["every"] for s in d)')" "periods"
assert_eq '[null, "wed", "wed", null, null]' \
    "$(json '[s["on"] for s in d]')" "weekdays"
assert_eq '[null, null, null, 31, 15]' "$(json '[s["day"] for s in d]')" \
    "days"
assert_eq '[true, true, true, true, true]' \
    "$(json '[s["enabled"] for s in d]')" "enabled"
assert_eq '[null, null, null, null, null]' \
    "$(json '[s["last_run"] for s in d]')" "last runs"
assert_eq '[null, null, null, null, null]' \
    "$(json '[s["last_status"] for s in d]')" "last statuses"
assert_eq '[null, null, null, null, null]' \
    "$(json '[s["last_job_id"] for s in d]')" "last jobs"
assert_eq '{"at": "02:30", "auto_migrate": false, "batch_size": 50, "day": null, "direction": "bidirectional", "enabled": true, "every": "daily", "exclude": null, "last_job_id": null, "last_run": null, "last_status": null, "name": "nightly", "next_run": "2027-02-11T02:30:00Z", "no_schema_check": false, "on": null, "single_transaction": false, "source": "demo-dev", "stop_on_error": true, "strategy": "source-wins", "tables": ["tasks", "clients"], "target": "demo-prod", "timestamp_column": null, "when": "daily at 02:30"}' \
    "$(json 'd[0]')" "the daily schedule"
assert_eq '{"at": "11:00", "auto_migrate": true, "batch_size": null, "day": null, "direction": "one-way", "enabled": true, "every": "weekly", "exclude": ["time_entries"], "last_job_id": null, "last_run": null, "last_status": null, "name": "weekly-wed", "next_run": "2027-02-17T11:00:00Z", "no_schema_check": true, "on": "wed", "single_transaction": true, "source": "demo-dev", "stop_on_error": false, "strategy": null, "tables": null, "target": "demo-prod", "timestamp_column": "updated_at", "when": "weekly on wed at 11:00"}' \
    "$(json 'd[1]')" "the weekly schedule"
assert_eq "monthly on day 31 (last day) at 02:30" "$(json 'd[3]["when"]')" \
    "the monthly description"

# Another month and a leap year: day 31 from 2027-04-10 is 2027-04-30, and
# day 30 from 2028-02-10 is 2028-02-29.
at 2027-04-10T12:00:00
run ps schedule list --json
assert_eq 2027-04-30T02:30:00Z "$(json 'd[3]["next_run"]')" "April's last day"
run ps schedule add leap demo-dev demo-prod --every monthly --at 08:00 \
    --day 30
assert_exit 0
at 2028-02-10T12:00:00
run ps schedule list --json
assert_eq 2028-02-29T08:00:00Z "$(json 'd[5]["next_run"]')" "a leap February"
run ps schedule rm leap
assert_exit 0
at 2027-02-10T12:00:00

# The list as a table.
run ps schedule list
assert_exit 0
assert_eq "NAME          SOURCE -> TARGET       WHEN                                   NEXT                 LAST   ENABLED" \
    "$(head -n 1 "$T/out")" "the header"
line=$(grep '^month-end ' "$T/out") || fail "no month-end row"
assert_contains "$line" "demo-dev -> demo-prod"
assert_contains "$line" "monthly on day 31 (last day) at 02:30"
assert_contains "$line" "2027-02-28 02:30:00"
assert_contains "$line" "never"
assert_contains "$line" "yes"
line=$(grep '^weekly-today ' "$T/out") || fail "no weekly-today row"
assert_contains "$line" "demo-prod -> demo-dev"
assert_contains "$line" "weekly on wed at 13:00"
assert_contains "$line" "2027-02-10 13:00:00"
assert_eq 6 "$(wc -l <"$T/out" | tr -d ' ')" "table lines"
assert_err_contains "no daemon is running"

# Local time: the next run in the process's time zone.
TZ=Asia/Tokyo run ps schedule list
line=$(grep '^nightly ' "$T/out") || fail "no nightly row in Tokyo"
assert_contains "$line" "2027-02-11 02:30:00"
TZ=Asia/Tokyo run ps schedule list --json
assert_eq 2027-02-10T17:30:00Z "$(json 'd[0]["next_run"]')" "next in Tokyo"

# Disable and enable.
run ps schedule disable nightly
assert_exit 0
assert_err_is "disabled schedule 'nightly'"
run ps schedule list --json
assert_eq false "$(json 'd[0]["enabled"]')" "disabled"
assert_eq null "$(json 'd[0]["next_run"]')" "no next run when disabled"
grep -q 'enabled = false;' "$T/conf" || fail "disabled not saved"
run ps schedule list
line=$(grep '^nightly ' "$T/out") || fail "no nightly row"
assert_contains "$line" " no"
cp "$T/conf" "$T/conf.before"
run ps schedule disable nightly
assert_exit 0
assert_err_contains "already disabled"
cmp -s "$T/conf" "$T/conf.before" || fail "disable twice changed the file"
run ps --json schedule enable nightly
assert_exit 0
assert_eq true "$(json 'd["enabled"]')" "enable --json"
run ps schedule list --json
assert_eq true "$(json 'd[0]["enabled"]')" "enabled again"
assert_eq 2027-02-11T02:30:00Z "$(json 'd[0]["next_run"]')" "next again"

# Remove, and add again under the same name.
run ps schedule rm mid-month
assert_exit 0
assert_err_is "removed schedule 'mid-month'"
run ps schedule list --json
assert_eq 4 "$(json 'len(d)')" "after rm"
assert_not_contains "$(out)" "mid-month"
run ps --json schedule rm weekly-today
assert_exit 0
assert_eq weekly-today "$(json 'd["removed"]')" "rm --json"
run ps schedule add mid-month demo-dev demo-prod --every monthly \
    --at 00:00 --day 15
assert_exit 0

# Bad input: exit status, one line naming the problem (a usage error adds
# its hint), and the configuration byte for byte as it was.
cp "$T/conf" "$T/conf.snap"
# refused STATUS TEXT ARGS...: "projsync ARGS" exits STATUS, the first line
# of stderr holds TEXT, and nothing changed.
refused() {
	want=$1
	text=$2
	shift 2
	run ps "$@"
	assert_exit "$want"
	assert_out_empty
	assert_contains "$(head -n 1 "$T/err")" "projsync: " "stderr"
	assert_contains "$(head -n 1 "$T/err")" "$text" "the error"
	if [ "$want" = 2 ]; then
		case "$(sed -n 2p "$T/err")" in
		""|"Try 'projsync "*) ;;
		*) fail "a second line that is not a hint" ;;
		esac
		[ "$(wc -l <"$T/err")" -le 2 ] || fail "more than two lines"
	else
		assert_err_lines 1
	fi
	cmp -s "$T/conf" "$T/conf.snap" ||
	    fail "the configuration changed after: $*"
}
A="schedule add x demo-dev demo-prod"
# shellcheck disable=SC2086
{
refused 1 "unknown connection 'nope'" schedule add x nope demo-prod \
    --every daily --at 02:00
refused 1 "unknown connection 'nada'" schedule add x demo-dev nada \
    --every daily --at 02:00
refused 2 "a schedule named 'nightly' already exists" schedule add \
    nightly demo-dev demo-prod --every daily --at 03:00
refused 2 "--at: '25:00' is not a time of day" $A --every daily --at 25:00
refused 2 "--at: '2:30' is not a time of day" $A --every daily --at 2:30
refused 2 "--at: '02:60' is not a time of day" $A --every daily --at 02:60
refused 2 "--at: '02:30pm' is not a time of day" $A --every daily \
    --at 02:30pm
refused 2 "--at is missing" $A --every daily
refused 2 "--every is missing" $A --at 02:00
refused 2 "--every: unknown period 'hourly'" $A --every hourly --at 02:00
refused 2 "--on applies to weekly schedules only" $A --every daily \
    --at 02:00 --on mon
refused 2 "--on applies to weekly schedules only" $A --every monthly \
    --at 02:00 --on mon --day 3
refused 2 "a weekly schedule needs --on" $A --every weekly --at 02:00
refused 2 "--on: unknown weekday 'funday'" $A --every weekly --at 02:00 \
    --on funday
refused 2 "--day: 32 is not a day of the month" $A --every monthly \
    --at 02:00 --day 32
refused 2 "--day: '0' is not a day of the month" $A --every monthly \
    --at 02:00 --day 0
refused 2 "--day: 'first' is not a day of the month" $A --every monthly \
    --at 02:00 --day first
refused 2 "a monthly schedule needs --day" $A --every monthly --at 02:00
refused 2 "--day applies to monthly schedules only" $A --every weekly \
    --at 02:00 --on mon --day 3
refused 2 "unknown strategy 'bogus'" $A --every daily --at 02:00 \
    --strategy bogus
for bad in 0 -5 abc 1.5 "" 99999999999; do
	refused 2 "--batch-size must be a positive integer, not '$bad'" $A \
	    --every daily --at 02:00 --batch-size "$bad"
done
refused 2 "--tables needs at least one table name" $A --every daily \
    --at 02:00 --tables ","
refused 2 "--exclude needs at least one table name" $A --every daily \
    --at 02:00 --exclude ""
refused 2 "--timestamp-column needs a column name" $A --every daily \
    --at 02:00 --timestamp-column ""
refused 2 "SOURCE and TARGET are the same connection 'demo-dev'" \
    schedule add x demo-dev demo-dev --every daily --at 02:00
refused 2 "needs NAME, SOURCE and TARGET" schedule add x demo-dev \
    --every daily --at 02:00
refused 2 "unexpected argument 'more'" $A more --every daily --at 02:00
refused 2 "NAME may not be empty" schedule add "" demo-dev demo-prod \
    --every daily --at 02:00
refused 2 "unknown option '--dry-run'" $A --every daily --at 02:00 \
    --dry-run
refused 2 "option '--at' needs a value" $A --every daily --at
refused 1 "unknown schedule 'nope'" schedule rm nope
refused 1 "unknown schedule 'nope'" schedule enable nope
refused 1 "unknown schedule 'nope'" schedule disable nope
refused 2 "needs a schedule NAME" schedule rm
refused 2 "unexpected argument 'b'" schedule enable a b
refused 2 "unexpected argument 'x'" schedule list x
}

# A configuration that does not load: the file:line error, exit 1.
printf 'schedules = (\n  { name = "a"; source = "demo-dev";\n' >"$T/bad.conf"
run "$PROJSYNC_BIN" -c "$T/bad.conf" -H "$T/hist.db" schedule list
assert_exit 1
assert_err_lines 1
assert_err_contains "$T/bad.conf:"

pass
