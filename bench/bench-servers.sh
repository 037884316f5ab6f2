#!/usr/bin/env bash
#
# projsync - bench/bench-servers.sh: benchmark of projsync against PostgreSQL
# and MariaDB (initial copies within and across engines, a MariaDB re-sync
# after small changes) next to the engines' own tools doing the same work.
#
# Usage: bench/bench-servers.sh [ROWS...]         (default: 100000 1000000)
#
# Environment:
#   PROJSYNC      projsync binary (default ./projsync, relative to the current
#                 folder: run from the build folder)
#   TMPDIR        parent of the work folder (default /tmp)
#   KEEP=1        keep the work folder at the end (the servers are stopped)
#   RESYNC_RUNS   runs of each tool for the re-sync phase, best kept (default 3)
#   INITIAL_RUNS  runs of each tool for the initial copies, best kept (default 1)
#   SYNC_ARGS     extra arguments for "projsync sync" (e.g. "--batch-size 5000")
#
# The script starts private servers with tests/servers.sh in its work folder
# and stops them on exit. For each row count N it builds items with N rows in
# a source database of each engine, then times:
#   1. pg-pg     projsync sync into an empty table, against
#                psql '\copy ... to stdout' | psql '\copy items from stdin'
#                (goal: ratio projsync/anchor <= 1.5)
#   2. my-my     the same in MariaDB, against mariadb-dump | mariadb
#                (the ratio is reported)
#   3. pg-my, my-pg  across engines (seconds and rows/s; no anchor)
#   4. my-resync after 1% updates, 0.1% inserts and 0.1% deletes in the MariaDB
#                source, projsync sync again from the synced state, against
#                pt-table-sync --execute on a copy of the same synced target
#                (goal: projsync at least 5x faster, ratio <= 0.20)
#   5. projsync's peak RSS at each N (goal: under 64 MB, flat in N)
# Every target is checked equal to its source after every run.

set -eu

die() {
	echo "bench-servers: $*" >&2
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
SERVERS=$(cd "$(dirname "$0")/.." && pwd)/tests/servers.sh
[ -f "$SERVERS" ] || die "$SERVERS not found (run the script from its place in the source tree)"
need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found (Debian package $2)"
}
need psql postgresql-client
need mariadb mariadb-client
need mariadb-dump mariadb-client
need mariadbd mariadb-server
need pt-table-sync percona-toolkit
need python3 python3
need sha256sum coreutils
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 ||
	die "PostgreSQL server not found (Debian package postgresql)"
if [ ! -x /usr/bin/time ]; then
	echo "bench-servers: /usr/bin/time (GNU time, for peak RSS) is missing;" \
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
# The servers run as postgres and mysql when we are root: let them in.
chmod 755 "$WORK"
SRV=$WORK/servers
cleanup() {
	sh "$SERVERS" stop "$SRV" >/dev/null 2>&1 || true
	if [ "${KEEP:-0}" = 1 ]; then
		echo "bench-servers: work folder kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench-servers: $PROJSYNC; work folder $WORK; starting servers" >&2
sh "$SERVERS" start "$SRV" >&2 || die "tests/servers.sh could not start both servers"
# shellcheck disable=SC1091
. "$SRV/env"
[ -n "${PROJSYNC_TEST_PG_PORT:-}" ] || die "PostgreSQL did not come up"
[ -n "${PROJSYNC_TEST_MY_PORT:-}" ] || die "MariaDB did not come up"
PG_PORT=$PROJSYNC_TEST_PG_PORT
MY_PORT=$PROJSYNC_TEST_MY_PORT
MY_SOCK=$PROJSYNC_TEST_MY_SOCKET
# Passwords stay in the environment: projsync reads them through
# --password-env, psql through PGPASSWORD, the mariadb clients through
# MYSQL_PWD. pt-table-sync alone takes its password on the command line.
export PGPASSWORD=$PROJSYNC_TEST_PG_PASSWORD
export MYSQL_PWD=$PROJSYNC_TEST_MY_PASSWORD

# SQL clients. pg DB: psql as the projsync role over TCP (it owns the
# databases); my: mariadb as root on the socket; my_tcp DB: mariadb as
# projsync over TCP (what the anchors use).
pg() {
	PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U projsync \
	    -d "$1" "${@:2}"
}
my() {
	mariadb --no-defaults --socket="$MY_SOCK" -uroot "$@"
}
my_tcp() {
	mariadb --no-defaults --protocol=TCP -h127.0.0.1 -P"$MY_PORT" \
	    -uprojsync "$@"
}

PG_DBS="bench_src bench_dst bench_anchor bench_from_my"
MY_DBS="bench_src bench_dst bench_anchor bench_from_pg bench_synced bench_pt"

PG_TABLE="CREATE TABLE items(id bigint PRIMARY KEY, name varchar(100),
    qty int, price numeric(12,2), note text, updated_at timestamp);"
MY_TABLE="CREATE TABLE items(id bigint PRIMARY KEY, name varchar(100),
    qty int, price numeric(12,2), note text, updated_at datetime(6))
    ENGINE=InnoDB;"

COLORS="'Red   Green Blue  Amber Black White Silver'"
PARTS="'bolt    bracket widget  gasket  hinge   panel   spring  '"
LOREM="'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi.'"

# Fresh, empty databases on both servers.
reset_dbs() {
	local db
	for db in $PG_DBS; do
		pg postgres -c "DROP DATABASE IF EXISTS $db"
		pg postgres -c "CREATE DATABASE $db"
		pg "$db" -c "$PG_TABLE"
	done
	for db in $MY_DBS; do
		my -e "DROP DATABASE IF EXISTS $db;
		    CREATE DATABASE $db CHARACTER SET utf8mb4
			COLLATE utf8mb4_general_ci;
		    USE $db; $MY_TABLE"
	done
}

# The same deterministic data in both engines, built on the server: h is a
# multiplicative hash of the id; name about 20 characters, note 40 to 80,
# price with cents, timestamps over 2023 (as bench-sqlite.sh).
gen_pg() {
	pg bench_src <<EOF
INSERT INTO items
SELECT x,
    rtrim(substr($COLORS, (h % 7)::int * 6 + 1, 6)) || ' ' ||
    rtrim(substr($PARTS, ((h / 7) % 7)::int * 8 + 1, 8)) || ' ' ||
    lpad(x::text, greatest(7, length(x::text)), '0'),
    h % 1000,
    (h % 10000000) / 100.0,
    substr($LOREM, ((h / 13) % 100)::int + 1, 40 + ((h / 17) % 41)::int),
    timestamp '2023-01-01 00:00:00' + make_interval(secs => h % 31536000)
FROM (SELECT x, (x * 2654435761) % 4294967291 AS h
    FROM generate_series(1::bigint, $1) AS x) AS s;
VACUUM ANALYZE items;
EOF
}

gen_my() {
	my bench_src <<EOF
INSERT INTO items
SELECT x,
    CONCAT(RTRIM(SUBSTR($COLORS, (h % 7) * 6 + 1, 6)), ' ',
	RTRIM(SUBSTR($PARTS, ((h DIV 7) % 7) * 8 + 1, 8)), ' ',
	LPAD(x, GREATEST(7, LENGTH(x)), '0')),
    h % 1000,
    (h % 10000000) / 100,
    SUBSTR($LOREM, (h DIV 13) % 100 + 1, 40 + (h DIV 17) % 41),
    TIMESTAMP'2023-01-01 00:00:00' + INTERVAL (h % 31536000) SECOND
FROM (SELECT seq AS x, (seq * 2654435761) % 4294967291 AS h
    FROM seq_1_to_$1) AS s;
ANALYZE TABLE items;
EOF
}

# 1% updates, 0.1% inserts (new ids above N), 0.1% deletes.
mutate_my() {
	local n=$1 ins=$(($1 / 1000))
	my bench_src >/dev/null <<EOF
START TRANSACTION;
UPDATE items SET qty = qty + 1, price = price + 0.01,
    note = CONCAT('revised: ', SUBSTR(note, 10)),
    updated_at = updated_at + INTERVAL 1 DAY
WHERE id % 100 = 7;
DELETE FROM items WHERE id % 1000 = 3;
INSERT INTO items SELECT seq, CONCAT('New widget ', LPAD(seq, 9, '0')),
    seq % 50, (seq % 100000) / 100,
    CONCAT('inserted after the initial sync, row ', seq),
    '2024-06-01 12:00:00'
FROM seq_$((n + 1))_to_$((n + ins));
COMMIT;
ANALYZE TABLE items;
EOF
}

# Fingerprints. Within an engine: row count and an ordered checksum of whole
# rows. Across engines: count, sum(qty), sum(price) and a SHA-256 of every row
# written out the same way by both engines, in key order.
fp_pg() {
	pg "$1" -A -t -F ' ' -c "SELECT count(*),
	    md5(string_agg(t::text, ',' ORDER BY id)) FROM items t"
}
fp_my() {
	my -N -B "$1" -e "SELECT COUNT(*),
	    SUM(CRC32(CONCAT_WS('|', id, name, qty, price, note, updated_at))),
	    BIT_XOR(CRC32(CONCAT_WS('#', id, qty, price, updated_at)))
	    FROM items"
}
xfp_pg() {
	pg "$1" -A -t -F ' ' -c "SELECT count(*), sum(qty), sum(price) FROM items"
	pg "$1" -A -t -c "SELECT concat_ws('|', id, name, qty, price, note,
	    to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US')) FROM items
	    ORDER BY id" | sha256sum | cut -c1-16
}
xfp_my() {
	my -N -B "$1" -e "SELECT COUNT(*), SUM(qty), SUM(price) FROM items" |
	    tr '\t' ' '
	my -N -B -r "$1" -e "SELECT CONCAT_WS('|', id, name, qty, price, note,
	    DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f')) FROM items
	    ORDER BY id" | sha256sum | cut -c1-16
}

# check_equal WHAT FP_SRC SRC_DB FP_DST DST_DB
check_equal() {
	local want got
	want=$("$2" "$3")
	got=$("$4" "$5")
	if [ -z "$want" ] || [ "$want" != "$got" ]; then
		die "$1: target $5 differs from source $3 (source: ${want//$'\n'/ }, target: ${got//$'\n'/ })"
	fi
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

# json_field FILE NAME: a top-level member of projsync's JSON document.
json_field() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# run_projsync TAG SOURCE TARGET HISTORY: one "projsync sync"; sets PS_SECS
# and PS_RSS_KB and leaves the JSON document in WORK/TAG.json.
run_projsync() {
	local tag=$1 t0 t1 rc
	t0=$(now)
	set +e
	# shellcheck disable=SC2086
	/usr/bin/time -f %M -o "$WORK/$tag.rss" "$PROJSYNC" -c "$WORK/ps.conf" \
	    -H "$4" sync "$2" "$3" $SYNC_ARGS --json \
	    >"$WORK/$tag.json" 2>"$WORK/$tag.err"
	rc=$?
	set -e
	t1=$(now)
	if [ $rc -ne 0 ]; then
		cat "$WORK/$tag.err" >&2
		die "$tag: projsync sync $2 $3 exited $rc (output in $WORK/$tag.json)"
	fi
	[ "$(json_field "$WORK/$tag.json" status)" = completed ] ||
		die "$tag: job status is not completed: $(cat "$WORK/$tag.json")"
	PS_SECS=$(elapsed "$t0" "$t1")
	PS_RSS_KB=$(tail -n 1 "$WORK/$tag.rss")
	if [ "$PS_RSS_KB" -gt "$RSS_N" ]; then
		RSS_N=$PS_RSS_KB
	fi
	if [ "$PS_RSS_KB" -gt "$PHASE_RSS" ]; then
		PHASE_RSS=$PS_RSS_KB
	fi
}

expect_counts() {
	local f=$WORK/$1.json got
	got="$(json_field "$f" inserted)/$(json_field "$f" updated)/$(json_field "$f" deleted)"
	[ "$got" = "$2/$3/$4" ] ||
		die "$1: projsync wrote inserted/updated/deleted $got, expected $2/$3/$4"
}

# A fresh history file.
hist_fresh() {
	rm -f "$1" "$1-wal" "$1-shm"
}

# Copy a history file with its WAL, if any.
hist_copy() {
	rm -f "$2" "$2-wal" "$2-shm"
	cp "$1" "$2"
	if [ -f "$1-wal" ]; then
		cp "$1-wal" "$2-wal"
	fi
}

# MariaDB: DB.items := bench_synced.items (the state after the initial sync).
my_restore() {
	my "$1" -e "DROP TABLE items; CREATE TABLE items LIKE bench_synced.items;
	    INSERT INTO items SELECT * FROM bench_synced.items; ANALYZE TABLE items" \
	    >/dev/null
}

RESULTS=()
RSS_LINE=""
MISSED=""

# report ROWS PHASE PROJSYNC_S ANCHOR_S GOAL ROWS_FOR_RATE RSS_KB
# GOAL is the largest ratio projsync/anchor that meets it, or "-" (none).
report() {
	local ratio="-" verdict="-" rps mb
	if [ "$4" != "-" ]; then
		ratio=$(awk -v p="$3" -v a="$4" 'BEGIN { printf "%.2f", (a > 0) ? p / a : 0 }')
	fi
	if [ "$5" != "-" ]; then
		if awk -v r="$ratio" -v g="$5" 'BEGIN { exit !(r <= g) }'; then
			verdict=met
		else
			verdict=MISSED
			MISSED="$MISSED $2@$1"
		fi
	fi
	rps=$(awk -v r="$6" -v p="$3" 'BEGIN { printf "%.0f", (p > 0) ? r / p : 0 }')
	mb=$(awk -v k="$7" 'BEGIN { printf "%.1f", k / 1024 }')
	RESULTS+=("$(printf '%-9s %-10s %10s %10s %6s %6s %-7s %10s %7s' \
	    "$1" "$2" "$3" "$4" "$ratio" "$5" "$verdict" "$rps" "$mb")")
	if [ "$4" = "-" ]; then
		echo "  $2: projsync ${3}s, $rps rows/s, peak RSS ${mb} MB" >&2
	else
		echo "  $2: projsync ${3}s, anchor ${4}s, ratio $ratio," \
		    "$rps rows/s, peak RSS ${mb} MB" >&2
	fi
}

# Connections: passwords come from the environment only.
add_conn() {
	"$PROJSYNC" -c "$WORK/ps.conf" -H "$WORK/hist-setup.db" -q conn add \
	    "$1" --type "$2" --dsn "$3" --password-env "$4" >/dev/null ||
		die "'$PROJSYNC conn add $1' failed (is it projsync?)"
}
for db in src dst from_my; do
	add_conn "pg_$db" postgresql \
	    "host=127.0.0.1 port=$PG_PORT user=projsync dbname=bench_$db" \
	    PROJSYNC_TEST_PG_PASSWORD
done
for db in src dst from_pg; do
	add_conn "my_$db" mysql \
	    "host=127.0.0.1 port=$MY_PORT user=projsync database=bench_$db" \
	    PROJSYNC_TEST_MY_PASSWORD
done

for n in "${ROWS[@]}"; do
	RSS_N=0
	echo "bench-servers: $n rows: generating the sources" >&2
	reset_dbs
	t0=$(now)
	gen_pg "$n"
	t1=$(now)
	gen_my "$n" >/dev/null
	t2=$(now)
	echo "  generated in $(elapsed "$t0" "$t1")s (PostgreSQL)," \
	    "$(elapsed "$t1" "$t2")s (MariaDB)" >&2

	# 1. pg-pg: projsync against psql \copy | psql \copy.
	echo "bench-servers: $n rows: initial pg-pg" >&2
	best_ps="" best_an="" PHASE_RSS=0
	for i in $(seq 1 "$INITIAL_RUNS"); do
		if [ "$i" -gt 1 ]; then
			pg bench_dst -c "TRUNCATE items"
			pg bench_anchor -c "TRUNCATE items"
		fi
		hist_fresh "$WORK/hist-pgpg.db"
		run_projsync pg-pg pg_src pg_dst "$WORK/hist-pgpg.db"
		expect_counts pg-pg "$n" 0 0
		best_ps=$(best "$best_ps" "$PS_SECS")

		t0=$(now)
		pg bench_src -c '\copy (SELECT * FROM items) TO STDOUT' |
		    pg bench_anchor -c '\copy items FROM STDIN'
		t1=$(now)
		best_an=$(best "$best_an" "$(elapsed "$t0" "$t1")")
	done
	check_equal "pg-pg (projsync)" fp_pg bench_src fp_pg bench_dst
	check_equal "pg-pg (anchor)" fp_pg bench_src fp_pg bench_anchor
	report "$n" pg-pg "$best_ps" "$best_an" 1.50 "$n" "$PHASE_RSS"

	# 2. my-my: projsync against mariadb-dump | mariadb.
	echo "bench-servers: $n rows: initial my-my" >&2
	best_ps="" best_an="" PHASE_RSS=0
	for i in $(seq 1 "$INITIAL_RUNS"); do
		if [ "$i" -gt 1 ]; then
			my bench_dst -e "TRUNCATE items"
		fi
		hist_fresh "$WORK/hist-mymy.db"
		run_projsync my-my my_src my_dst "$WORK/hist-mymy.db"
		expect_counts my-my "$n" 0 0
		best_ps=$(best "$best_ps" "$PS_SECS")

		t0=$(now)
		mariadb-dump --no-defaults --protocol=TCP -h127.0.0.1 \
		    -P"$MY_PORT" -uprojsync bench_src items |
		    my_tcp bench_anchor
		t1=$(now)
		best_an=$(best "$best_an" "$(elapsed "$t0" "$t1")")
	done
	check_equal "my-my (projsync)" fp_my bench_src fp_my bench_dst
	check_equal "my-my (anchor)" fp_my bench_src fp_my bench_anchor
	report "$n" my-my "$best_ps" "$best_an" - "$n" "$PHASE_RSS"
	# The synced state, for the re-sync runs.
	my bench_synced -e "DROP TABLE items;
	    CREATE TABLE items LIKE bench_dst.items;
	    INSERT INTO items SELECT * FROM bench_dst.items"
	hist_copy "$WORK/hist-mymy.db" "$WORK/hist-mymy.synced.db"

	# 3. Across engines: projsync alone.
	echo "bench-servers: $n rows: initial pg-my and my-pg" >&2
	best_ps="" PHASE_RSS=0
	for i in $(seq 1 "$INITIAL_RUNS"); do
		if [ "$i" -gt 1 ]; then
			my bench_from_pg -e "TRUNCATE items"
		fi
		hist_fresh "$WORK/hist-pgmy.db"
		run_projsync pg-my pg_src my_from_pg "$WORK/hist-pgmy.db"
		expect_counts pg-my "$n" 0 0
		best_ps=$(best "$best_ps" "$PS_SECS")
	done
	check_equal "pg-my (projsync)" xfp_pg bench_src xfp_my bench_from_pg
	report "$n" pg-my "$best_ps" - - "$n" "$PHASE_RSS"

	best_ps="" PHASE_RSS=0
	for i in $(seq 1 "$INITIAL_RUNS"); do
		if [ "$i" -gt 1 ]; then
			pg bench_from_my -c "TRUNCATE items"
		fi
		hist_fresh "$WORK/hist-mypg.db"
		run_projsync my-pg my_src pg_from_my "$WORK/hist-mypg.db"
		expect_counts my-pg "$n" 0 0
		best_ps=$(best "$best_ps" "$PS_SECS")
	done
	check_equal "my-pg (projsync)" xfp_my bench_src xfp_pg bench_from_my
	report "$n" my-pg "$best_ps" - - "$n" "$PHASE_RSS"

	# 4. Re-sync in MariaDB: projsync against pt-table-sync.
	echo "bench-servers: $n rows: changing the MariaDB source (1% updates," \
	    "0.1% inserts, 0.1% deletes)" >&2
	mutate_my "$n"
	n_upd=$(( (n + 93) / 100 ))
	n_del=$(( (n + 997) / 1000 ))
	n_ins=$(( n / 1000 ))
	echo "bench-servers: $n rows: re-sync my-my" >&2
	best_ps="" best_an="" PHASE_RSS=0
	for _ in $(seq 1 "$RESYNC_RUNS"); do
		my_restore bench_dst
		hist_copy "$WORK/hist-mymy.synced.db" "$WORK/hist-mymy.db"
		run_projsync my-resync my_src my_dst "$WORK/hist-mymy.db"
		expect_counts my-resync "$n_ins" "$n_upd" "$n_del"
		best_ps=$(best "$best_ps" "$PS_SECS")
		check_equal "my-resync (projsync)" fp_my bench_src fp_my bench_dst

		my_restore bench_pt
		t0=$(now)
		set +e
		pt-table-sync --execute \
		    "h=127.0.0.1,P=$MY_PORT,u=projsync,p=$MYSQL_PWD,D=bench_src,t=items" \
		    D=bench_pt >"$WORK/pt.out" 2>&1
		rc=$?
		set -e
		t1=$(now)
		# 2: differences found and fixed.
		if [ $rc -ne 2 ]; then
			cat "$WORK/pt.out" >&2
			die "pt-table-sync exited $rc (expected 2, differences fixed)"
		fi
		best_an=$(best "$best_an" "$(elapsed "$t0" "$t1")")
		check_equal "my-resync (anchor)" fp_my bench_src fp_my bench_pt
	done
	compared=$(json_field "$WORK/my-resync.json" rows_compared)
	report "$n" my-resync "$best_ps" "$best_an" 0.20 "$compared" "$PHASE_RSS"

	RSS_LINE="$RSS_LINE ${n}:$(awk -v k="$RSS_N" 'BEGIN { printf "%.1f", k / 1024 }')MB"
	if awk -v k="$RSS_N" 'BEGIN { exit !(k >= 64 * 1024) }'; then
		MISSED="$MISSED rss@$n"
	fi
done

echo
"$PROJSYNC" --version 2>/dev/null | head -n 1 || true
echo "$(psql --version | head -n 1); $(mariadb --no-defaults --version)"
echo "re-sync best of $RESYNC_RUNS, initial best of $INITIAL_RUNS;" \
    "ratio = projsync / anchor; goal = largest ratio that meets it"
echo "anchors: pg-pg psql \\copy | psql \\copy; my-my mariadb-dump | mariadb;" \
    "my-resync pt-table-sync --execute"
printf '%-9s %-10s %10s %10s %6s %6s %-7s %10s %7s\n' rows phase projsync_s \
    anchor_s ratio goal verdict rows/s rss_MB
for l in "${RESULTS[@]}"; do
	echo "$l"
done
echo "peak RSS of projsync (max over phases) by rows:$RSS_LINE (goal < 64 MB, flat)"
if [ -n "$MISSED" ]; then
	echo "goals missed:$MISSED"
else
	echo "all goals met"
fi
