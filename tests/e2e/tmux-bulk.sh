#!/bin/sh
# projsync - tests/e2e/tmux-bulk.sh: a bulk resolution by table filter in
# the terminal application: the count is confirmed before anything is
# written, "no" writes nothing, "yes" resolves exactly the conflicts listed;
# then marks: two marked rows resolved alone.

. "$(dirname "$0")/lib.sh"

q() {
	sqlite3 "$T/demo/$1.db" "$2"
}

pending() {
	run ps conflicts list --json
	python3 -c 'import json, sys
print(" ".join(str(c["id"]) for c in json.load(open(sys.argv[1]))))' "$T/out"
}

demo
assert_eq "1 2 3 4 5" "$(pending)" "pending at first"
src_title=$(q dev "SELECT title FROM tasks WHERE id = 6")

ui_start 80 24
keys c
wait_for "5 listed"
keys T
text tasks
keys Enter
wait_for "2 listed"
keys b
wait_for "trategy"
text source
keys Enter
wait_for "ote"
text "bulk from the source"
keys Enter
wait_for "(y/n)"
assert_screen "2"
# No: nothing is written.
keys n
wait_gone "(y/n)"
assert_eq "1 2 3 4 5" "$(pending)" "pending after answering no"
keys b
wait_for "trategy"
text source-wins
keys Enter
wait_for "ote"
text "bulk from the source"
keys Enter
wait_for "(y/n)"
keys y
wait_for "2 resolved"
wait_for "0 listed"
assert_eq "1 2 5" "$(pending)" "pending after the bulk resolution"
for side in dev prod; do
	assert_eq "$src_title" "$(q $side \
	    "SELECT title FROM tasks WHERE id = 6")" "$side tasks 6"
	assert_eq 1 "$(q $side "SELECT count(*) FROM tasks WHERE id = 7")" \
	    "$side tasks 7"
done

# Marks: clear the filter, mark the first and the last, resolve those.
keys f x
wait_for "3 listed"
assert_screen "table=any"
keys Space
wait_for "1 marked"
keys G Space
wait_for "2 marked"
keys b
wait_for "trategy"
text target
keys Enter
wait_for "ote"
keys Enter
wait_for "(y/n)"
keys y
wait_for "2 resolved"
assert_eq "2" "$(pending)" "pending after resolving the marked ones"
ui_quit
run ps conflicts show 5 --json
assert_contains "$(cat "$T/out")" '"status":"resolved"'
exit 0
