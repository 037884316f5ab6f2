#!/usr/bin/env bash
#
# projsync - bench/bench-sqlite.sh: benchmark of a one-way SQLite to SQLite
# sync (initial copy and re-sync after small changes) against the sqlite3
# tools doing the same work.
#
# Usage: bench/bench-sqlite.sh [ROWS...]          (default: 100000 1000000)
#
# Environment:
#   PROJSYNC      projsync binary (default ./projsync, relative to the current
#                 folder: run from the build folder)
#   TMPDIR        parent of the work folder (default /tmp)
#   KEEP=1        keep the work folder at the end
#   RESYNC_RUNS   runs of each tool for the re-sync phase, best kept (default 3)
#   INITIAL_RUNS  runs of each tool for the initial sync, best kept (default 1)
#   SYNC_ARGS     extra arguments for "projsync sync" (e.g. "--batch-size 5000")
#
# For each row count N: make src.db with N rows in items and an empty dst.db;
# time "projsync sync src dst" against "sqlite3 src.db .dump | sqlite3 copy.db";
# then change 1% of the rows, insert 0.1% and delete 0.1% in src.db and time a
# second "projsync sync src dst" against "sqldiff --transaction" applied with
# sqlite3 to a copy of the same synced target. Every target is checked equal to
# the source. Goal: each ratio projsync/anchor <= 2.0, peak RSS flat in N.

set -eu

die() {
	echo "bench-sqlite: $*" >&2
	exit 1
}

ROWS=("$@")
if [ ${#ROWS[@]} -eq 0 ]; then
	ROWS=(100000 1000000)
fi
for n in "${ROWS[@]}"; do
	case "$n" in
	''|*[!0-9]*) die "row count '$n' is not a positive integer" ;;
	esac
	[ "$n" -ge 1000 ] || die "row count '$n' is too small (at least 1000)"
done

RESYNC_RUNS=${RESYNC_RUNS:-3}
INITIAL_RUNS=${INITIAL_RUNS:-1}
SYNC_ARGS=${SYNC_ARGS:-}
for v in RESYNC_RUNS INITIAL_RUNS; do
	case "${!v}" in
	''|*[!0-9]*|0) die "$v='${!v}' is not a positive integer" ;;
	esac
done

# Tools.
command -v sqlite3 >/dev/null 2>&1 ||
	die "sqlite3 not found (Debian package sqlite3)"
command -v sqldiff >/dev/null 2>&1 ||
	die "sqldiff not found (Debian package sqlite3-tools)"
command -v sha256sum >/dev/null 2>&1 ||
	die "sha256sum not found (Debian package coreutils)"
if [ ! -x /usr/bin/time ]; then
	echo "bench-sqlite: /usr/bin/time (GNU time, for peak RSS) is missing;" \
	    "installing Debian package 'time'" >&2
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		apt-get install -y -q time >/dev/null ||
			die "could not install package 'time' (try: apt-get update && apt-get install time)"
	else
		die "install GNU time first: sudo apt-get install time"
	fi
	[ -x /usr/bin/time ] || die "/usr/bin/time still missing after install"
fi

PROJSYNC=${PROJSYNC:-./projsync}
case "$PROJSYNC" in
*/*) ;;
*) PROJSYNC=$(command -v "$PROJSYNC" || echo "$PROJSYNC") ;;
esac
[ -f "$PROJSYNC" ] ||
	die "projsync binary '$PROJSYNC' not found (run from the build folder or set PROJSYNC=/path/to/projsync)"
[ -x "$PROJSYNC" ] || die "projsync binary '$PROJSYNC' is not executable"
PROJSYNC=$(cd "$(dirname "$PROJSYNC")" && pwd)/$(basename "$PROJSYNC")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/projsync-bench.XXXXXX") ||
	die "cannot make a work folder under ${TMPDIR:-/tmp}"
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "bench-sqlite: work folder kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SCHEMA="CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER,
    price NUMERIC(12,2), note TEXT, updated_at DATETIME);"

# Deterministic pseudo-random data: h is a multiplicative hash of the id, so
# every run builds the same database. name is about 20 characters, note 40 to
# 80, price has cents, updated_at spreads over 2023.
gen_source() {
	sqlite3 "$1" >/dev/null <<EOF
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
$SCHEMA
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $2),
h(x, h) AS (SELECT x, (x * 2654435761) % 4294967291 FROM c)
INSERT INTO items
SELECT x,
    rtrim(substr('Red   Green Blue  Amber Black White Silver',
	(h % 7) * 6 + 1, 6)) || ' ' ||
    rtrim(substr('bolt    bracket widget  gasket  hinge   panel   spring  ',
	((h / 7) % 7) * 8 + 1, 8)) || printf(' %07d', x),
    h % 1000,
    (h % 10000000) / 100.0,
    substr('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do ' ||
	'eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ' ||
	'ad minim veniam, quis nostrud exercitation ullamco laboris nisi.',
	(h / 13) % 100 + 1, 40 + (h / 17) % 41),
    datetime(1672531200 + h % 31536000, 'unixepoch')
FROM h;
EOF
}

# 1% updates, 0.1% inserts (new ids above N), 0.1% deletes.
mutate_source() {
	local n=$2 ins=$(($2 / 1000))
	sqlite3 "$1" <<EOF
BEGIN;
UPDATE items SET qty = qty + 1, price = price + 0.01,
    note = 'revised: ' || substr(note, 10),
    updated_at = datetime(updated_at, '+1 day')
WHERE id % 100 = 7;
DELETE FROM items WHERE id % 1000 = 3;
WITH RECURSIVE c(x) AS (SELECT $n + 1 UNION ALL SELECT x + 1 FROM c
    WHERE x < $n + $ins)
INSERT INTO items SELECT x, 'New widget' || printf(' %09d', x), x % 50,
    (x % 100000) / 100.0, 'inserted after the initial sync, row ' || x,
    '2024-06-01 12:00:00' FROM c;
COMMIT;
EOF
}

# Content fingerprint of items: values and their storage classes.
fingerprint() {
	sqlite3 "$1" "SELECT count(*), sum(qty), total(price) FROM items;"
	sqlite3 "$1" "SELECT *, typeof(qty), typeof(price), typeof(updated_at)
	    FROM items ORDER BY id;" | sha256sum | cut -c1-16
}

check_equal() {
	local want got
	want=$(fingerprint "$1")
	got=$(fingerprint "$2")
	[ "$want" = "$got" ] ||
		die "$3: $(basename "$2") differs from $(basename "$1") (source: ${want//$'\n'/ }, target: ${got//$'\n'/ })"
}

now() {
	echo "$EPOCHREALTIME"
}

elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

# Smaller of two numbers ("" counts as none).
best() {
	if [ -z "$1" ]; then
		echo "$2"
	else
		awk -v a="$1" -v b="$2" 'BEGIN { print (b < a) ? b : a }'
	fi
}

# Top-level count from the sync JSON document (the first occurrence is the
# job's own, before "tables").
json_field() {
	sed -n "s/^[^[]*\"$2\":\\([^,}]*\\).*/\\1/p" "$1" | tr -d '"'
}

# run_projsync DIR TAG: one "projsync sync src dst"; sets PS_SECS, PS_RSS_KB
# and leaves the JSON document in DIR/TAG.json.
run_projsync() {
	local d=$1 tag=$2 t0 t1 rc
	t0=$(now)
	set +e
	# shellcheck disable=SC2086
	/usr/bin/time -f %M -o "$d/$tag.rss" "$PROJSYNC" -c "$d/ps.conf" \
	    -H "$d/hist.db" sync src dst $SYNC_ARGS --json \
	    >"$d/$tag.json" 2>"$d/$tag.err"
	rc=$?
	set -e
	t1=$(now)
	if [ $rc -ne 0 ]; then
		cat "$d/$tag.err" >&2
		die "$tag: projsync sync exited $rc (output in $d/$tag.json)"
	fi
	[ "$(json_field "$d/$tag.json" status)" = completed ] ||
		die "$tag: job status is not completed: $(cat "$d/$tag.json")"
	PS_SECS=$(elapsed "$t0" "$t1")
	PS_RSS_KB=$(tail -n 1 "$d/$tag.rss")
}

expect_counts() {
	local f=$1 tag=$2 ins=$3 upd=$4 del=$5 got
	got="$(json_field "$f" inserted)/$(json_field "$f" updated)/$(json_field "$f" deleted)"
	[ "$got" = "$ins/$upd/$del" ] ||
		die "$tag: projsync wrote inserted/updated/deleted $got, expected $ins/$upd/$del"
}

RESULTS=()
RSS_LINE=""

report() {
	# rows phase projsync_s anchor_s ratio rows_per_s rss_mb
	local ratio rps mb
	ratio=$(awk -v p="$3" -v a="$4" 'BEGIN { printf "%.2f", (a > 0) ? p / a : 0 }')
	rps=$(awk -v r="$5" -v p="$3" 'BEGIN { printf "%.0f", (p > 0) ? r / p : 0 }')
	mb=$(awk -v k="$6" 'BEGIN { printf "%.1f", k / 1024 }')
	RESULTS+=("$(printf '%-9s %-8s %10s %10s %6s %12s %9s' \
	    "$1" "$2" "$3" "$4" "$ratio" "$rps" "$mb")")
	echo "  $2: projsync ${3}s, anchor ${4}s, ratio $ratio, $rps rows/s," \
	    "peak RSS ${mb} MB" >&2
}

echo "bench-sqlite: $PROJSYNC; work folder $WORK" >&2

for n in "${ROWS[@]}"; do
	d=$WORK/$n
	mkdir -p "$d"
	echo "bench-sqlite: $n rows: generating src.db" >&2
	gen_source "$d/src.db" "$n"
	sqlite3 "$d/empty.db" "$SCHEMA"
	for c in src dst; do
		"$PROJSYNC" -c "$d/ps.conf" -H "$d/hist.db" -q conn add $c \
		    --type sqlite --dsn "$d/$c.db" >/dev/null ||
			die "'$PROJSYNC conn add $c' failed (is it projsync?)"
	done

	# Initial sync into an empty target, with a fresh history each run.
	best_ps="" best_an="" rss_max=0
	for _ in $(seq 1 "$INITIAL_RUNS"); do
		rm -f "$d/dst.db" "$d/hist.db" "$d/copy.db"
		cp "$d/empty.db" "$d/dst.db"
		run_projsync "$d" initial
		expect_counts "$d/initial.json" "initial sync" "$n" 0 0
		best_ps=$(best "$best_ps" "$PS_SECS")
		if [ "$PS_RSS_KB" -gt "$rss_max" ]; then
			rss_max=$PS_RSS_KB
		fi

		t0=$(now)
		sqlite3 "$d/src.db" .dump | sqlite3 "$d/copy.db"
		t1=$(now)
		best_an=$(best "$best_an" "$(elapsed "$t0" "$t1")")
	done
	check_equal "$d/src.db" "$d/dst.db" "initial sync (projsync)"
	check_equal "$d/src.db" "$d/copy.db" "initial sync (anchor)"
	report "$n" initial "$best_ps" "$best_an" "$n" "$rss_max"
	rss_initial=$rss_max

	# Pristine state after the initial sync: target and history.
	cp "$d/dst.db" "$d/dst.synced.db"
	cp "$d/hist.db" "$d/hist.synced.db"
	rm -f "$d/copy.db"

	echo "bench-sqlite: $n rows: changing src.db (1% updates," \
	    "0.1% inserts, 0.1% deletes)" >&2
	mutate_source "$d/src.db" "$n"
	n_upd=$(( (n + 93) / 100 ))
	n_del=$(( (n + 997) / 1000 ))
	n_ins=$(( n / 1000 ))

	best_ps="" best_an="" rss_max=0
	for _ in $(seq 1 "$RESYNC_RUNS"); do
		cp "$d/dst.synced.db" "$d/dst.db"
		cp "$d/hist.synced.db" "$d/hist.db"
		run_projsync "$d" resync
		expect_counts "$d/resync.json" "re-sync" "$n_ins" "$n_upd" "$n_del"
		best_ps=$(best "$best_ps" "$PS_SECS")
		if [ "$PS_RSS_KB" -gt "$rss_max" ]; then
			rss_max=$PS_RSS_KB
		fi
		check_equal "$d/src.db" "$d/dst.db" "re-sync (projsync)"

		cp "$d/dst.synced.db" "$d/dst_copy.db"
		t0=$(now)
		sqldiff --transaction "$d/dst_copy.db" "$d/src.db" >"$d/diff.sql"
		sqlite3 "$d/dst_copy.db" <"$d/diff.sql"
		t1=$(now)
		best_an=$(best "$best_an" "$(elapsed "$t0" "$t1")")
		check_equal "$d/src.db" "$d/dst_copy.db" "re-sync (anchor)"
	done
	compared=$(json_field "$d/resync.json" rows_compared)
	report "$n" re-sync "$best_ps" "$best_an" "$compared" "$rss_max"
	if [ "$rss_max" -gt "$rss_initial" ]; then
		rss_initial=$rss_max
	fi
	RSS_LINE="$RSS_LINE ${n}:$(awk -v k="$rss_initial" 'BEGIN { printf "%.1f", k / 1024 }')MB"
	if [ "${KEEP:-0}" != 1 ]; then
		rm -f "$d"/*.db "$d/diff.sql"
	fi
done

echo
"$PROJSYNC" --version 2>/dev/null | head -n 1 || true
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1); re-sync best of" \
    "$RESYNC_RUNS, initial best of $INITIAL_RUNS; ratio = projsync / anchor" \
    "(goal <= 2.00)"
printf '%-9s %-8s %10s %10s %6s %12s %9s\n' rows phase projsync_s anchor_s \
    ratio rows/s rss_MB
for l in "${RESULTS[@]}"; do
	echo "$l"
done
echo "peak RSS of projsync (max over phases) by rows:$RSS_LINE"
