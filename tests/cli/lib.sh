# projsync - tests/cli/lib.sh: what the command-line tests share.  Sourced
# by tests/cli/*.sh: a temporary HOME with its XDG folders, a "ps" wrapper
# that runs the program on a configuration and history of its own, "run" to
# capture a command's exit status, stdout and stderr, and assertions that
# end the test with exit 1 and a readable report.
#
# Environment: PROJSYNC_BIN (the program; default ./projsync) and
# PROJSYNC_SRCDIR (the source tree), as "make check" sets them.

PROJSYNC_BIN=${PROJSYNC_BIN:-$(pwd)/projsync}
PROJSYNC_SRCDIR=${PROJSYNC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TEST_NAME=$(basename "$0" .sh)

if [ ! -x "$PROJSYNC_BIN" ]; then
	echo "$TEST_NAME: $PROJSYNC_BIN is not built" >&2
	exit 1
fi
for tool in sqlite3 python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$TEST_NAME: SKIP: $tool is not installed" >&2
		exit 77
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/projsync-cli.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM

HOME="$T/home"
XDG_CONFIG_HOME="$T/home/.config"
XDG_DATA_HOME="$T/home/.local/share"
LC_ALL=C.UTF-8
TZ=UTC
export HOME XDG_CONFIG_HOME XDG_DATA_HOME LC_ALL TZ
unset PROJSYNC_CONFIG PROJSYNC_HISTORY PROJSYNC_NOW NO_COLOR
mkdir -p "$HOME"

# The program on this test's own configuration and history.
ps() {
	"$PROJSYNC_BIN" -c "$T/conf" -H "$T/hist.db" "$@"
}

# run CMD...: run CMD with stdout in $T/out and stderr in $T/err; RC is
# its exit status.
run() {
	"$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	LAST="$*"
}

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	if [ -n "${LAST:-}" ]; then
		echo "--- last command: $LAST (exit ${RC:-?})" >&2
		echo "--- stdout:" >&2
		head -c 3000 "$T/out" >&2 2>/dev/null
		echo "--- stderr:" >&2
		head -c 3000 "$T/err" >&2 2>/dev/null
	fi
	exit 1
}

# assert_exit N: the last run exited N.
assert_exit() {
	[ "$RC" = "$1" ] || fail "expected exit $1, got $RC"
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

# assert_contains TEXT PATTERN [WHAT]: TEXT holds the fixed string PATTERN.
assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "${3:-text} does not contain '$2': '$1'" ;;
	esac
}

# assert_not_contains TEXT PATTERN [WHAT]
assert_not_contains() {
	case "$1" in
	*"$2"*) fail "${3:-text} contains '$2': '$1'" ;;
	*) ;;
	esac
}

# The last run's stdout and stderr as text.
out() { cat "$T/out"; }
err() { cat "$T/err"; }

assert_out_contains() { assert_contains "$(out)" "$1" stdout; }
assert_err_contains() { assert_contains "$(err)" "$1" stderr; }
assert_out_empty() {
	[ ! -s "$T/out" ] || fail "stdout is not empty"
}
assert_err_empty() {
	[ ! -s "$T/err" ] || fail "stderr is not empty"
}
# assert_err_lines N: stderr has exactly N lines.
assert_err_lines() {
	n=$(wc -l <"$T/err" | tr -d ' ')
	[ "$n" = "$1" ] || fail "stderr has $n lines, expected $1"
}
# assert_err_is TEXT: stderr is exactly TEXT (one or more lines).
assert_err_is() {
	[ "$(err)" = "$1" ] || fail "stderr is not '$1'"
}

# sql FILE QUERY: the query's rows, columns joined by '|'.
sql() {
	sqlite3 -batch -noheader "$1" "$2"
}

# dump FILE: the whole database as SQL text, to compare states.
dump() {
	sqlite3 -batch "$1" .dump
}

# json EXPR: evaluate the Python expression EXPR with d = the last run's
# stdout parsed as JSON (which must be the only thing there).
json() {
	python3 -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
v = eval(sys.argv[2])
if isinstance(v, bool):
    print("true" if v else "false")
elif isinstance(v, (dict, list)):
    print(json.dumps(v, sort_keys=True))
elif v is None:
    print("null")
else:
    print(v)
' "$T/out" "$1" || fail "stdout is not JSON or '$1' failed"
}

# assert_json_valid: the last run's stdout is exactly one JSON document.
assert_json_valid() {
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/out" \
	    2>/dev/null || fail "stdout is not one JSON document"
}

# mode FILE: the permission bits in octal ("600").
mode() {
	stat -c %a "$1"
}

# demo: make the demo databases in $T/demo; DEV and PROD name them.
demo() {
	run ps demo --dir "$T/demo"
	assert_exit 0
	DEV="$T/demo/dev.db"
	PROD="$T/demo/prod.db"
}

pass() {
	echo "PASS: $TEST_NAME"
	exit 0
}
