#!/bin/sh
# projsync - doc/screens/capture.sh: regenerate the text captures of the
# terminal application's screens in this folder (80x24, from tmux
# capture-pane), on the demo data.
#
# Usage: doc/screens/capture.sh [PROJSYNC]   (default: ./projsync)
set -eu

B=${1:-./projsync}
B=$(cd "$(dirname "$B")" && pwd)/$(basename "$B")
OUT=$(cd "$(dirname "$0")" && pwd)
# A fixed folder, so the captures (which show the demo's paths) are the
# same from one run to the next.
W=/tmp/projsync-screens
rm -rf "$W"
mkdir -p "$W"
S="screens-$$"
trap 'tmux -L "$S" kill-server >/dev/null 2>&1; rm -rf "$W"' EXIT
export HOME="$W/home" LC_ALL=C.UTF-8 TZ=UTC
mkdir -p "$HOME"
ps_() { "$B" -c "$W/conf" -H "$W/hist.db" "$@"; }
ps_ -q demo --dir "$W/demo" >/dev/null
ps_ -q sync demo-dev demo-prod --bidirectional >/dev/null || true

tm() { tmux -L "$S" "$@"; }
tm -f /dev/null new-session -d -s c -x 80 -y 24 -e TERM=xterm-256color \
    -e "HOME=$HOME" -e LC_ALL=C.UTF-8 -e TZ=UTC \
    "$B -c '$W/conf' -H '$W/hist.db'"
wait_for() {
	i=0
	until tm capture-pane -p -t c | grep -qF -- "$1"; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "capture: never saw '$1'" >&2; exit 1; }
		sleep 0.05
	done
}
# shot NAME: the screen now, without trailing blanks.
shot() {
	tm capture-pane -p -t c | sed 's/ *$//' >"$OUT/$1.txt"
}

wait_for "ok "
shot dashboard
tm send-keys -t c '?'
wait_for "Keys on every screen"
shot help
tm send-keys -t c q c
wait_for "5 listed"
tm send-keys -t c Space
wait_for "1 marked"
shot conflicts
tm send-keys -t c j Enter
wait_for "Conflict 3"
tm send-keys -t c G k t
wait_for "> Payment"
shot diff
tm send-keys -t c q q n
wait_for "New job"
shot newjob
tm send-keys -t c q Tab Enter
wait_for "Job 2"
shot job
tm send-keys -t c q s
wait_for "Connections"
shot settings
tm send-keys -t c q Q
echo "screens written to $OUT" >&2
