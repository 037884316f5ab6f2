#!/usr/bin/env bash
#
# projsync - bench/bench-ui.sh: how fast the terminal application answers a
# key while a big sync runs, against the same keys on an idle screen.
#
# Usage: bench/bench-ui.sh [ROWS] [KEYS]   (defaults: 1000000 rows, 40 keys)
#
# Environment: PROJSYNC (the binary, default ./projsync: run from the build
# folder), TMPDIR (parent of the work folder).
#
# It builds a SQLite source of ROWS rows (as bench-sqlite.sh does) and an
# empty target, starts "projsync" in a detached 80x24 tmux session, and
# times KEYS round trips of "?" (the help screen opens) and "q" (it closes):
# from send-keys until capture-pane shows the change, polled every 2 ms.
# First on the idle dashboard (the anchor: what tmux and polling cost by
# themselves), then while the sync started from the New job form runs.  It
# prints the median, 95th percentile and maximum of each, and the ratio of
# the busy medians to the idle ones.  The sync must still be running after
# the busy round (else ROWS is too small to measure) and must end completed.
set -euo pipefail

ROWS=${1:-1000000}
KEYS=${2:-40}
PROJSYNC=${PROJSYNC:-./projsync}
PROJSYNC=$(cd "$(dirname "$PROJSYNC")" && pwd)/$(basename "$PROJSYNC")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/projsync-bench-ui.XXXXXX")
SOCK="bench-ui-$$"
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$WORK"' EXIT

die() { echo "bench-ui: $*" >&2; exit 1; }
command -v tmux >/dev/null || die "tmux is not installed"
command -v sqlite3 >/dev/null || die "sqlite3 is not installed"
[ -x "$PROJSYNC" ] || die "$PROJSYNC is not built"

export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" \
    XDG_DATA_HOME="$WORK/home/.local/share" LC_ALL=C.UTF-8 TZ=UTC
mkdir -p "$HOME"
ps_() { "$PROJSYNC" -c "$WORK/conf" -H "$WORK/hist.db" "$@"; }

echo "bench-ui: building a source of $ROWS rows" >&2
TABLE="CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER,
    price NUMERIC(12,2), note TEXT, updated_at DATETIME);"
sqlite3 "$WORK/src.db" "$TABLE
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $ROWS)
INSERT INTO items SELECT x, 'item ' || x, x % 1000, (x % 100000) / 100.0,
    substr('Lorem ipsum dolor sit amet, consectetur adipiscing elit', 1,
    20 + x % 30), '2023-01-01 00:00:00' FROM c;"
sqlite3 "$WORK/dst.db" "$TABLE"
ps_ -q conn add bench-src --type sqlite --dsn "$WORK/src.db"
ps_ -q conn add bench-dst --type sqlite --dsn "$WORK/dst.db"

tm() { tmux -L "$SOCK" "$@"; }
tm -f /dev/null new-session -d -s b -x 80 -y 24 -e TERM=xterm-256color \
    -e "HOME=$HOME" -e "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
    -e "XDG_DATA_HOME=$XDG_DATA_HOME" -e LC_ALL=C.UTF-8 \
    "$PROJSYNC -c '$WORK/conf' -H '$WORK/hist.db'"

now_ns() { date +%s%N; }
shows() { tm capture-pane -p -t b | grep -qF -- "$1"; }
# wait_for TEXT: poll until the screen shows TEXT (30 s at most).
wait_for() {
	local end=$(( $(now_ns) + 30000000000 ))
	until shows "$1"; do
		[ "$(now_ns)" -lt "$end" ] || die "the screen never showed '$1'"
		sleep 0.002
	done
}
wait_gone() {
	local end=$(( $(now_ns) + 30000000000 ))
	while shows "$1"; do
		[ "$(now_ns)" -lt "$end" ] || die "the screen kept '$1'"
		sleep 0.002
	done
}

# round FILE: KEYS round trips of "?" and "q", one latency in ms per line.
round() {
	local i t0 t1
	: >"$1"
	for ((i = 0; i < KEYS; i++)); do
		t0=$(now_ns)
		tm send-keys -t b '?'
		wait_for "Keys on every screen"
		t1=$(now_ns)
		echo "$(( (t1 - t0) / 1000 ))" >>"$1"
		t0=$(now_ns)
		tm send-keys -t b q
		wait_gone "Keys on every screen"
		t1=$(now_ns)
		echo "$(( (t1 - t0) / 1000 ))" >>"$1"
	done
}

# stats FILE: "median p95 max" in ms.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
	    m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.95 + 0.5)]
	    printf "%.1f %.1f %.1f", m / 1000, p / 1000, v[NR] / 1000 }'
}

wait_for "Recent jobs"
echo "bench-ui: idle round ($KEYS keys x 2)" >&2
round "$WORK/idle"

# Start the sync from the New job form (bench-src -> bench-dst).
tm send-keys -t b n
wait_for "New job"
tm send-keys -t b s
wait_for "running"
echo "bench-ui: busy round while the sync runs" >&2
round "$WORK/busy"
if ! tm capture-pane -p -t b | grep -qF "running"; then
	die "the sync ended before the busy round did: use more rows"
fi
echo "bench-ui: waiting for the sync to end" >&2
t0=$(now_ns)
until ps_ jobs --json 2>/dev/null | grep -q '"status": *"completed"'; do
	[ $(( $(now_ns) - t0 )) -lt 600000000000 ] || die "the sync never ended"
	sleep 0.5
done
n=$(sqlite3 "$WORK/dst.db" "SELECT count(*) FROM items")
[ "$n" = "$ROWS" ] || die "the target holds $n rows, not $ROWS"

read -r im ip ix <<<"$(stats "$WORK/idle")"
read -r bm bp bx <<<"$(stats "$WORK/busy")"
echo "rows      round  keys  median_ms  p95_ms  max_ms"
printf "%-9s %-6s %4d  %9s  %6s  %6s\n" "$ROWS" idle $((KEYS * 2)) \
    "$im" "$ip" "$ix"
printf "%-9s %-6s %4d  %9s  %6s  %6s\n" "$ROWS" busy $((KEYS * 2)) \
    "$bm" "$bp" "$bx"
awk -v b="$bm" -v i="$im" -v bp="$bp" 'BEGIN {
    printf "busy/idle median ratio %.2f; busy p95 %.1f ms (goal: a key " \
        "answered in under 50 ms)\n", b / i, bp }'
