#!/bin/sh
# projsync - tests/cli/cli-daemon.sh: "projsync daemon" (SPEC section 9) on a
# pinned clock: an occurrence before the schedule was added never runs, a
# due one runs once (also with two daemons at once), missed occurrences run
# once, SIGTERM cancels the job running and keeps whole batches, SIGHUP
# reloads the configuration, and a bad configuration stops it at start.
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# The daemons started here, killed if the test ends early.
PIDS=
trap 'for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$T"' \
    EXIT INT TERM

# at EPOCH: pin the program's clock.
at() {
	PROJSYNC_NOW=$1
	export PROJSYNC_NOW
}

# pc ARGS...: the program on the configuration $CONF and history $HIST.
pc() {
	"$PROJSYNC_BIN" -c "$CONF" -H "$HIST" "$@"
}

# njobs: how many jobs the history $HIST holds from the pinned clock's time
# on (the demo's job, on the real clock, is older, and its retention may
# remove it meanwhile).
njobs() {
	pc --json jobs --limit 100000 | python3 -c 'import json, sys
print(sum(1 for j in json.load(sys.stdin) if j["started_at"] >= sys.argv[1]))
' "$(iso "$now")"
}

# last_status: the last run's status of the first schedule in $CONF.
last_status() {
	pc --json schedule list |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["last_status"])'
}

# finished STATUS: STATUS is that of a job that ended.
finished() {
	case "$1" in
	""|None|running) return 1 ;;
	esac
	return 0
}

# iso EPOCH: the time as the JSON output writes it.
iso() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# wait_until WHAT CONDITION [PID...]: poll the shell CONDITION every tenth
# of a second, for a minute at most; fail early if a PID has exited.
wait_until() {
	what=$1
	cond=$2
	shift 2
	tries=0
	until eval "$cond"; do
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null ||
			    fail "process $p ended while waiting for $what"
		done
		tries=$((tries + 1))
		[ "$tries" -lt 600 ] || fail "timed out waiting for $what"
		sleep 0.1
	done
}

# stop_daemon PID SIGNAL: send SIGNAL, wait for the daemon, check exit 0.
stop_daemon() {
	kill "-$2" "$1" || fail "cannot signal daemon $1"
	wait "$1"
	st=$?
	[ "$st" = 0 ] || fail "daemon $1 exited $st after SIG$2"
}

# A time on the minute plus 20 s (so HH:MM of a minute later is one minute
# ahead), far after the real clock, and the demo.
now=$(( $(date -u -d 2090-03-01T10:00:00 +%s) + 20 ))
hm=$(date -u -d "@$((now + 60))" +%H:%M)
due=$(( now + 40 ))	# that occurrence, on the minute
demo
CONF=$T/conf
HIST=$T/hist.db

# Usage.
run ps daemon extra
assert_exit 2
assert_err_contains "unexpected argument 'extra'"
run ps daemon --frob
assert_exit 2
assert_err_contains "unknown option '--frob'"

# ---- (1) once per occurrence, none before the schedule existed ----

at "$now"
run ps schedule add soon demo-dev demo-prod --every daily --at "$hm"
assert_exit 0
# Added at 10:00:20: today's 09:00 has passed and never runs.
run ps schedule add early demo-prod demo-dev --every daily --at 09:00
assert_exit 0
base=$(njobs)

# Nothing is due now: the occurrence of 10:01 is ahead, yesterday's came
# before the schedule was added.
run ps daemon --once
assert_exit 0
assert_out_empty
assert_not_contains "$(err)" "running" "stderr"
assert_eq "$base" "$(njobs)" "jobs before the occurrence"

# A minute and a half later it is due, and runs once.
at $((now + 90))
run ps daemon --once
assert_exit 0
assert_out_empty
assert_err_contains "soon: running the occurrence of $(iso "$due")"
assert_not_contains "$(err)" "early:" "stderr"
assert_eq $((base + 1)) "$(njobs)" "jobs after the occurrence"
run ps --json jobs --limit 1
id=$(json 'd[0]["id"]')
status=$(json 'd[0]["status"]')
assert_eq demo-dev "$(json 'd[0]["source"]')" "the job's source"
assert_eq demo-prod "$(json 'd[0]["target"]')" "the job's target"
assert_eq "$(iso $((now + 90)))" "$(json 'd[0]["started_at"]')" "started"
run ps --json schedule list
assert_eq soon "$(json 'd[0]["name"]')" "the first schedule"
assert_eq "$id" "$(json 'd[0]["last_job_id"]')" "the last job"
assert_eq "$status" "$(json 'd[0]["last_status"]')" "the last status"
assert_eq "$(iso $((now + 90)))" "$(json 'd[0]["last_run"]')" "last run"
assert_eq "$(iso $((due + 86400)))" "$(json 'd[0]["next_run"]')" "next run"
assert_eq null "$(json 'd[1]["last_run"]')" "early never ran"
run ps schedule list
line=$(grep '^soon ' "$T/out") || fail "no row for soon"
assert_contains "$line" "$(date -u -d "@$((now + 90))" '+%Y-%m-%d %H:%M:%S') \
$status (job $id)"

# Again at the same time: nothing (once per occurrence).
run ps daemon --once
assert_exit 0
assert_not_contains "$(err)" "running" "stderr"
assert_eq $((base + 1)) "$(njobs)" "jobs after a second look"

# Three days later: the missed occurrences run once, not three times.  The
# disabled schedule does not run at all.
run ps schedule disable early
assert_exit 0
at $((now + 90 + 3 * 86400))
run ps daemon --once
assert_exit 0
assert_eq 1 "$(grep -c 'running the occurrence' "$T/err")" "runs"
assert_err_contains "soon: running the occurrence of $(iso $((due + 3 * 86400)))"
assert_eq $((base + 2)) "$(njobs)" "jobs three days later"
run ps daemon --once
assert_exit 0
assert_eq $((base + 2)) "$(njobs)" "jobs after another look"

# ---- (2) two daemons at once: one runs the occurrence ----

CONF=$T/conf2
HIST=$T/hist2.db
run pc conn add demo-dev --type sqlite --dsn "$T/demo/dev.db"
assert_exit 0
run pc conn add demo-prod --type sqlite --dsn "$T/demo/prod.db"
assert_exit 0
at "$now"
run pc schedule add race demo-prod demo-dev --every daily --at "$hm"
assert_exit 0
assert_eq 0 "$(njobs)" "jobs before the race"
at $((now + 90))
# The program itself in the background (not through pc), so that $! is its
# process and the signals reach it.
"$PROJSYNC_BIN" -c "$CONF" -H "$HIST" daemon </dev/null \
    >"$T/d1.out" 2>"$T/d1.err" &
d1=$!
"$PROJSYNC_BIN" -c "$CONF" -H "$HIST" daemon </dev/null \
    >"$T/d2.out" 2>"$T/d2.err" &
d2=$!
PIDS="$d1 $d2"
wait_until "a job" '[ "$(njobs)" -ge 1 ]' "$d1" "$d2"
wait_until "the job's end" 'finished "$(last_status)"' "$d1" "$d2"
# Both have beaten (each looks for due schedules right after).
wait_until "two heartbeats" \
    '[ "$(sql "$HIST" "SELECT count(*) FROM daemons")" = 2 ]' "$d1" "$d2"
stop_daemon "$d1" TERM
stop_daemon "$d2" TERM
PIDS=
assert_eq 1 "$(njobs)" "jobs after two daemons"
n=$(cat "$T/d1.err" "$T/d2.err" | grep -c 'race: running the occurrence')
assert_eq 1 "$n" "daemons that ran the occurrence"
grep -q 'info: stopped' "$T/d1.err" || fail "daemon 1 did not say it stopped"
grep -q 'info: stopped' "$T/d2.err" || fail "daemon 2 did not say it stopped"
[ ! -s "$T/d1.out" ] && [ ! -s "$T/d2.out" ] || fail "output on stdout"
run pc schedule list
assert_err_contains "no daemon is running"
run pc daemon --once
assert_exit 0
assert_eq 1 "$(njobs)" "jobs after the race and a look"

# ---- (3) SIGTERM during a long sync: the batch in flight rolls back ----

CONF=$T/conf3
HIST=$T/hist3.db
sqlite3 "$T/big.db" "CREATE TABLE big (id INTEGER PRIMARY KEY,
    name TEXT NOT NULL, qty INTEGER);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c
    WHERE i < 500000)
    INSERT INTO big SELECT i, 'row ' || i, i % 97 FROM c;" ||
    fail "cannot make big.db"
sqlite3 "$T/empty.db" "CREATE TABLE big (id INTEGER PRIMARY KEY,
    name TEXT NOT NULL, qty INTEGER);" || fail "cannot make empty.db"
run pc conn add big --type sqlite --dsn "$T/big.db"
assert_exit 0
run pc conn add empty --type sqlite --dsn "$T/empty.db"
assert_exit 0
at "$now"
run pc schedule add long big empty --every daily --at "$hm" \
    --batch-size 100
assert_exit 0
at $((now + 90))
"$PROJSYNC_BIN" -c "$CONF" -H "$HIST" daemon </dev/null \
    >"$T/d3.out" 2>"$T/d3.err" &
d3=$!
PIDS=$d3
# count: the rows the target holds (committed ones).
count() {
	sqlite3 -batch -noheader -cmd ".timeout 10000" "$T/empty.db" \
	    "SELECT count(*) FROM big"
}
wait_until "rows in the target" '[ "$(count)" -gt 0 ]' "$d3"
stop_daemon "$d3" TERM
PIDS=
rows=$(count)
run pc --json jobs --limit 1
assert_eq cancelled "$(json 'd[0]["status"]')" "the job's status"
assert_eq "$rows" "$(json 'd[0]["inserted"]')" "inserted = rows in the target"
[ "$rows" -gt 0 ] && [ "$rows" -lt 500000 ] ||
    fail "$rows rows in the target"
[ $((rows % 100)) = 0 ] || fail "$rows rows: not whole batches of 100"
run pc --json schedule list
assert_eq cancelled "$(json 'd[0]["last_status"]')" "the schedule's last run"
grep -q 'long: job [0-9]* cancelled' "$T/d3.err" ||
    fail "the daemon did not log the cancelled job"

# ---- (4) SIGHUP reloads the configuration ----

CONF=$T/conf4
HIST=$T/hist4.db
run pc conn add demo-dev --type sqlite --dsn "$T/demo/dev.db"
run pc conn add demo-prod --type sqlite --dsn "$T/demo/prod.db"
at "$now"
run pc schedule add one demo-dev demo-prod --every daily --at 23:00
assert_exit 0
"$PROJSYNC_BIN" -c "$CONF" -H "$HIST" daemon </dev/null \
    >"$T/d4.out" 2>"$T/d4.err" &
d4=$!
PIDS=$d4
wait_until "the daemon's start" 'grep -q "started as" "$T/d4.err"' "$d4"
grep -q ': 1 schedule (' "$T/d4.err" || fail "the start does not say 1 schedule"
run pc schedule add two demo-prod demo-dev --every weekly --on fri \
    --at 23:30
assert_exit 0
kill -HUP "$d4"
wait_until "the reload" 'grep -q "reloaded .*: 2 schedules" "$T/d4.err"' \
    "$d4"
# A file that no longer loads is reported; the daemon keeps the old one.
cp "$CONF" "$T/conf4.good"
printf 'schedules = (\n' >"$CONF"
kill -HUP "$d4"
wait_until "the failed reload" 'grep -q "reload: .*conf4:" "$T/d4.err"' "$d4"
grep -q "keeping the configuration loaded before" "$T/d4.err" ||
    fail "the failed reload does not say the old configuration stays"
stop_daemon "$d4" INT
PIDS=
grep -q 'info: stopped' "$T/d4.err" || fail "daemon 4 did not say it stopped"
cp "$T/conf4.good" "$CONF"

# ---- (5) a bad configuration at start: exit 1 with file:line ----

printf 'schedules = (\n  { name = "a"; every = "hourly"; }\n);\n' \
    >"$T/bad.conf"
run "$PROJSYNC_BIN" -c "$T/bad.conf" -H "$T/hist5.db" daemon
assert_exit 1
assert_out_empty
assert_err_lines 1
assert_err_contains "projsync: $T/bad.conf:2: "
printf 'not a configuration\n' >"$T/bad.conf"
run "$PROJSYNC_BIN" -c "$T/bad.conf" -H "$T/hist5.db" daemon --once
assert_exit 1
assert_err_is "projsync: $T/bad.conf:1: syntax error"

pass
