# projsync - tests/e2e/lib.sh: what the terminal application's end-to-end
# tests share.  Sourced by tests/e2e/*.sh after tests/cli/lib.sh (the
# temporary HOME, "ps", "run" and the assertions): the program runs in a
# detached tmux session on a private socket, keys go in with send-keys, and
# the screen is read back with capture-pane and polled for what a person
# would wait to see (never a bare sleep).

. "$(dirname "$0")/../cli/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $TEST_NAME: tmux is not installed (CI)" >&2
		exit 1
	fi
	echo "$TEST_NAME: SKIP: tmux is not installed" >&2
	exit 77
fi

E2E_SOCK="projsync-e2e-$$"
trap 'tmux -L "$E2E_SOCK" kill-server >/dev/null 2>&1; rm -rf "$T"' \
    EXIT INT TERM

tm() {
	tmux -L "$E2E_SOCK" "$@"
}

# ui_start COLS LINES [VAR=VALUE...]: start the application on this test's
# configuration and history in a COLS x LINES terminal (TERM defaults to
# xterm-256color) and wait for the dashboard.
ui_start() {
	local cols=$1 lines=$2 envs="" kv
	shift 2
	rm -f "$T/ui.status"
	envs="-e TERM=${UI_TERM:-xterm-256color}"
	for kv in "$@"; do
		envs="$envs -e $kv"
	done
	# shellcheck disable=SC2086
	tm -f /dev/null new-session -d -s e2e -x "$cols" -y "$lines" $envs \
	    -e "HOME=$HOME" -e "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" \
	    -e "XDG_DATA_HOME=$XDG_DATA_HOME" -e LC_ALL=C.UTF-8 -e TZ=UTC \
	    "$PROJSYNC_BIN -c '$T/conf' -H '$T/hist.db'; echo \$? >'$T/ui.status'" \; \
	    set-option -t e2e remain-on-exit on >/dev/null ||
		fail "tmux cannot start a session"
	wait_for "projsync > Dashboard"
}

# keys KEY...: type keys (tmux key names: Enter, Escape, Up, Tab, C-c...).
keys() {
	tm send-keys -t e2e "$@"
}

# text STRING: type STRING literally.
text() {
	tm send-keys -t e2e -l "$1"
}

# screen: what the terminal shows now.
screen() {
	tm capture-pane -p -t e2e
}

# dump: the screen, framed, on stderr (for failure reports).
dump() {
	echo "--- screen:" >&2
	screen >&2
	echo "---" >&2
}

# wait_for TEXT [SECONDS]: wait until the screen shows the fixed string
# TEXT (default 15 s), else fail showing the screen.
wait_for() {
	local i=0 limit=$(( ${2:-15} * 20 ))
	while [ $i -lt $limit ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	dump
	fail "the screen never showed '$1'"
}

# wait_gone TEXT [SECONDS]: wait until the screen no longer shows TEXT.
wait_gone() {
	local i=0 limit=$(( ${2:-15} * 20 ))
	while [ $i -lt $limit ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.05
		i=$((i + 1))
	done
	dump
	fail "the screen still shows '$1'"
}

# assert_screen TEXT: the screen shows TEXT now.
assert_screen() {
	screen | grep -qF -- "$1" || { dump; fail "the screen lacks '$1'"; }
}

# assert_no_screen TEXT: the screen does not show TEXT now.
assert_no_screen() {
	if screen | grep -qF -- "$1"; then
		dump
		fail "the screen shows '$1'"
	fi
}

# ui_exited: 0 when the application has ended (its status is written).
ui_exited() {
	[ -s "$T/ui.status" ]
}

# ui_quit: quit from wherever the application is (answering yes when it
# asks) and check that it ended with status 0.
ui_quit() {
	local i=0 st
	keys Q
	while ! ui_exited && [ $i -lt 300 ]; do
		if screen | grep -qF "(y/n)"; then
			keys y
		fi
		sleep 0.05
		i=$((i + 1))
	done
	ui_exited || { dump; fail "the application did not quit"; }
	st=$(cat "$T/ui.status" 2>/dev/null)
	[ "$st" = 0 ] || { dump; fail "the application exited '$st'"; }
	tm kill-session -t e2e >/dev/null 2>&1
}

# demo: the demo databases and connections of this test's configuration,
# synced both ways once (5 conflicts pending).
demo() {
	run ps demo --dir "$T/demo"
	assert_exit 0
	run ps sync demo-dev demo-prod --bidirectional
	assert_exit 3
}
