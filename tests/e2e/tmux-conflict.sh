#!/bin/sh
# projsync - tests/e2e/tmux-conflict.sh: one conflict reviewed by hand in
# the terminal application: opened from the Conflicts list (filtered by
# table), one field taken from each side, a note, resolved; then both
# databases and the history checked.  At 80x24 and again at 132x43.

. "$(dirname "$0")/lib.sh"

q() {
	sqlite3 "$T/demo/$1.db" "$2"
}

for size in "80 24" "132 43"; do
	rm -rf "$T/demo" "$T/conf" "$T/hist.db"*
	demo
	src_status=$(q dev "SELECT status FROM tasks WHERE id = 6")
	tgt_title=$(q prod "SELECT title FROM tasks WHERE id = 6")
	src_title=$(q dev "SELECT title FROM tasks WHERE id = 6")
	[ "$src_title" != "$tgt_title" ] || fail "the demo has no title conflict"

	# shellcheck disable=SC2086
	ui_start $size
	keys c
	wait_for "projsync > Dashboard > Conflicts"
	wait_for "5 listed"
	keys T
	wait_for "table"
	text tasks
	keys Enter
	wait_for "2 listed"
	assert_screen "table=tasks"
	keys Enter
	wait_for "Conflict 3"
	if [ "$size" = "80 24" ]; then
		# Wide text stays aligned: conflict 1's name holds an emoji
		# and a macron; every field line has its bars in the same
		# display columns.
		keys q
		wait_for "2 listed"
		keys f x
		wait_for "5 listed"
		keys g Enter
		wait_for "Conflict 1"
		wait_for "Robotics"
		screen | python3 -c '
import sys, unicodedata
def cols(line):
    out, w = [], 0
    for ch in line:
        if ch == "|" or ch == "\u2502":
            out.append(w)
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return out
lines = [l for l in sys.stdin.read().splitlines()
         if l.count("|") + l.count("\u2502") >= 3]
assert any("Robotics" in l for l in lines), "no name line"
want = cols(lines[0])
bad = [l for l in lines if cols(l) != want]
assert not bad, "misaligned: %r" % bad
' || { dump; fail "wide text is not aligned"; }
		keys q
		wait_for "5 listed"
		keys T
		text tasks
		keys Enter
		wait_for "2 listed"
		keys Enter
		wait_for "Conflict 3"
	fi
	assert_screen "* title"
	assert_screen "* status"
	# The last field is updated_at; title and status are above it.
	keys G k t
	wait_for "> $(printf %s "$tgt_title" | cut -c1-8)"
	keys k s
	keys N
	wait_for "ote"
	text "kept the new title, é ✓"
	keys Enter
	wait_for "kept the new title"
	keys r
	wait_for "Conflict 3 resolved"
	wait_for "1 listed"
	ui_quit

	for side in dev prod; do
		assert_eq "$tgt_title" "$(q $side \
		    "SELECT title FROM tasks WHERE id = 6")" "$side title"
		assert_eq "$src_status" "$(q $side \
		    "SELECT status FROM tasks WHERE id = 6")" "$side status"
	done
	run ps conflicts show 3 --json
	assert_exit 0
	got=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(c["status"], c.get("outcome"), c.get("note"), sep="|")' "$T/out")
	assert_eq "resolved|merged|kept the new title, é ✓" "$got" \
	    "conflict 3 in the history"
	run ps conflicts list --json
	assert_eq 4 "$(python3 -c 'import json, sys
print(len(json.load(open(sys.argv[1]))))' "$T/out")" "pending conflicts"
done
exit 0
