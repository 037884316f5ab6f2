#!/bin/sh
# projsync - tests/e2e/tmux-dashboard.sh: the first screen as people see it
# after "projsync demo" and a sync: the dashboard with the demo pair's
# pending conflicts ready to review, at 80x24 and 132x43; help; a resize
# to too small and back; NO_COLOR; and the terminals it must work under
# (xterm-256color, screen, tmux-256color, vt100).

. "$(dirname "$0")/lib.sh"

demo

for size in "80 24" "132 43"; do
	# shellcheck disable=SC2086
	ui_start $size
	wait_for "ok "		# the connection tests came back
	assert_screen "Recent jobs"
	assert_screen "demo-dev -> demo-prod"
	assert_screen "conflicts"
	assert_screen "demo-dev <> demo-prod"
	assert_screen "tasks"
	assert_screen "demo-prod     ok"
	assert_screen "q quit"
	# The scheduler's health and the history's size.
	assert_screen "Daemon: never run"
	assert_screen "History: "
	# The throughput of the two jobs, as a chart.
	assert_screen "rows/s "
	# The pending counts per table add up to the job's 5.
	total=$(screen | sed 's/│.*//; s/|.*//' | awk '
	    /^>? +(clients|tags|tasks|time_entries) / { n += $(NF - 1) }
	    END { print n + 0 }')
	assert_eq 5 "$total" "pending conflicts on the dashboard"

	keys '?'
	wait_for "Keys on every screen"
	assert_screen "projsync > Dashboard > Help"
	keys q
	wait_gone "Keys on every screen"
	assert_screen "Recent jobs"
	ui_quit
done

# Too small, then back: the message, then the screen again.
ui_start 80 24
tm resize-window -t e2e -x 60 -y 20
wait_for "Terminal too small: 60x20"
tm resize-window -t e2e -x 100 -y 30
wait_for "Recent jobs"
assert_no_screen "too small"
assert_screen "conflicts"
ui_quit

# NO_COLOR: markers carry the meaning (the cursor's '>').
ui_start 80 24 NO_COLOR=1
wait_for "> Open conflicts"
screen | grep -q '^>  *clients' || { dump; fail "no cursor marker under NO_COLOR"; }
keys j
wait_for ">  tags"
ui_quit

# A daemon running with a schedule: alive on the dashboard, with the
# schedule's next run; stopped: not running.
run ps schedule add nightly demo-dev demo-prod --every daily --at 02:30
assert_exit 0
"$PROJSYNC_BIN" -c "$T/conf" -H "$T/hist.db" daemon 2>"$T/daemon.err" &
dpid=$!
i=0
until grep -q "started" "$T/daemon.err" 2>/dev/null || [ $i -ge 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
ui_start 80 24
wait_for "Daemon: alive"
assert_screen "nightly"
assert_screen "next "
ui_quit
kill -TERM $dpid
wait $dpid || fail "the daemon did not exit 0 on SIGTERM"
ui_start 80 24
wait_for "Daemon: not running"
ui_quit

for term in screen tmux-256color vt100; do
	UI_TERM=$term ui_start 80 24
	wait_for "Open conflicts"
	assert_screen "demo-dev -> demo-prod"
	ui_quit
done
exit 0
