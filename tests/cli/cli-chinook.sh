#!/bin/sh
# projsync - tests/cli/cli-chinook.sh: real data through the command line.
# The Chinook sample database (11 tables, about 15,600 rows, accents, quotes,
# backslashes, a self-referencing foreign key, a composite key, money and
# timestamps) is loaded into a fresh PostgreSQL database, synced with
# --auto-migrate into a fresh MySQL database and a new SQLite file, and from
# each of them back into another fresh PostgreSQL database.  Every copy has
# the same row count per table, the same tricky values and the same foreign
# keys; projsync itself, syncing each pair again (for real, and as a dry run
# between copies that never met), finds nothing to insert, update or delete
# and no conflict.
#
# Needs the servers of tests/servers.sh (their settings in the environment or
# in $PROJSYNC_BUILDDIR/tests/servers.env) and the data set in
# $PROJSYNC_SRCDIR/../shared/datasets/chinook; skips (77) without either,
# except that under CI=true missing servers fail the test.
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

data="$PROJSYNC_SRCDIR/../shared/datasets/chinook"
if [ ! -f "$data/Chinook_PostgreSql.sql" ]; then
	echo "$TEST_NAME: SKIP: no Chinook data set in $data" >&2
	exit 77
fi
if [ -z "${PROJSYNC_TEST_PG_DSN:-}" ] && [ -n "${PROJSYNC_BUILDDIR:-}" ] &&
    [ -f "$PROJSYNC_BUILDDIR/tests/servers.env" ]; then
	. "$PROJSYNC_BUILDDIR/tests/servers.env"
fi
if [ -z "${PROJSYNC_TEST_PG_DSN:-}" ] || [ -z "${PROJSYNC_TEST_MY_DSN:-}" ]; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $TEST_NAME: the PostgreSQL and MariaDB test servers" \
		    "are not running (tests/servers.sh)" >&2
		exit 1
	fi
	echo "$TEST_NAME: SKIP: the test servers are not running" >&2
	exit 77
fi

TABLES="album artist customer employee genre invoice invoice_line media_type
playlist playlist_track track"

u=$$
SRC=pscross_chinook_src_$u
MY=pscross_chinook_my_$u
BACK_MY=pscross_chinook_back_my_$u
BACK_LITE=pscross_chinook_back_lite_$u
LITE="$T/chinook.db"
PGUSER_=$(printf '%s\n' "$PROJSYNC_TEST_PG_DSN" |
    sed -n 's/.*user=\([^ ]*\).*/\1/p')
[ -n "$PGUSER_" ] || PGUSER_=projsync

pg_admin() {
	$PROJSYNC_TEST_PG_ADMIN "$@"
}
my_admin() {
	$PROJSYNC_TEST_MY_ADMIN "$@"
}
cleanup() {
	for db in "$SRC" "$BACK_MY" "$BACK_LITE"; do
		pg_admin -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
		    >/dev/null 2>&1
	done
	my_admin -e "DROP DATABASE IF EXISTS \`$MY\`" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# pg DB QUERY / my DB QUERY / lite QUERY: the rows, tab-separated.
pg() {
	pg_admin -d "$1" -A -t -F '	' -c "$2"
}
my() {
	my_admin -N -B -r "$1" -e "$2"
}
lite() {
	sqlite3 -batch -noheader -separator '	' "$LITE" "$1"
}

pg_dsn() {
	printf '%s\n' "$PROJSYNC_TEST_PG_DSN" | sed "s/dbname=[^ ]*/dbname=$1/"
}
my_dsn() {
	printf '%s\n' "$PROJSYNC_TEST_MY_DSN" | sed "s/database=[^ ]*/database=$1/"
}

# ---- the source: Chinook_PostgreSql.sql in a fresh database ----
for db in "$SRC" "$BACK_MY" "$BACK_LITE"; do
	pg_admin -d postgres -c "CREATE DATABASE \"$db\" OWNER \"$PGUSER_\"" \
	    >/dev/null || fail "cannot create the PostgreSQL database $db"
done
my_admin -e "CREATE DATABASE \`$MY\` CHARACTER SET utf8mb4" ||
    fail "cannot create the MySQL database $MY"
{
	echo "SET client_encoding TO 'UTF8';"
	# The tables belong to the test's role, which projsync logs in as.
	echo "SET ROLE \"$PGUSER_\";"
	grep -v -E '^(DROP DATABASE|CREATE DATABASE|\\c )' \
	    "$data/Chinook_PostgreSql.sql"
} >"$T/chinook.sql"
pg_admin -d "$SRC" -f "$T/chinook.sql" >"$T/load.log" 2>&1 ||
    { cat "$T/load.log" >&2; fail "loading Chinook_PostgreSql.sql"; }
: >"$LITE"

total=0
for t in $TABLES; do
	n=$(pg "$SRC" "SELECT count(*) FROM $t") || fail "counting $t"
	[ "$n" -gt 0 ] || fail "table $t is empty after the load"
	total=$((total + n))
done
[ "$total" -gt 15000 ] || fail "only $total rows loaded"

CHINOOK_PG_PW=$PROJSYNC_TEST_PG_PASSWORD
CHINOOK_MY_PW=$PROJSYNC_TEST_MY_PASSWORD
export CHINOOK_PG_PW CHINOOK_MY_PW
run ps conn add src --type postgresql --dsn "$(pg_dsn "$SRC")" \
    --password-env CHINOOK_PG_PW
assert_exit 0
run ps conn add my --type mysql --dsn "$(my_dsn "$MY")" \
    --password-env CHINOOK_MY_PW
assert_exit 0
run ps conn add lite --type sqlite --dsn "$LITE"
assert_exit 0
run ps conn add back-my --type postgresql --dsn "$(pg_dsn "$BACK_MY")" \
    --password-env CHINOOK_PG_PW
assert_exit 0
run ps conn add back-lite --type postgresql --dsn "$(pg_dsn "$BACK_LITE")" \
    --password-env CHINOOK_PG_PW
assert_exit 0

counts='" ".join(str(d[k]) for k in ("inserted", "updated", "deleted", "conflicts", "pending_conflicts", "errors"))'

# sync_all SRC DST [OPTIONS]: a sync that writes every row, without errors.
sync_all() {
	run ps --json sync "$@"
	assert_exit 0
	assert_json_valid
	assert_eq completed "$(json 'd["status"]')" "status of sync $*"
	assert_eq "$total 0 0 0 0 0" "$(json "$counts")" "counts of sync $*"
	assert_eq 11 "$(json 'len(d["tables"])')" "tables of sync $*"
	assert_eq "" "$(json '" ".join(t["name"] for t in d["tables"] if t["status"] != "synced")')" \
	    "tables not synced by sync $*"
}

# sync_none SRC DST [OPTIONS]: a sync that finds every row equal.
sync_none() {
	run ps --json sync "$@"
	assert_exit 0
	assert_json_valid
	assert_eq completed "$(json 'd["status"]')" "status of sync $*"
	assert_eq "0 0 0 0 0 0" "$(json "$counts")" "counts of sync $*"
	assert_eq "$total" "$(json 'd["rows_compared"]')" \
	    "rows compared by sync $*"
}

# ---- out of PostgreSQL, into tables that --auto-migrate creates ----
sync_all src my --auto-migrate
sync_none src my
sync_all src lite --auto-migrate
sync_none src lite

# ---- and back into fresh PostgreSQL databases ----
sync_all my back-my --auto-migrate
sync_none my back-my
sync_all lite back-lite --auto-migrate
sync_none lite back-lite

# Copies that never met hold the same rows (a dry run writes nothing).
sync_none src back-my --dry-run
sync_none src back-lite --dry-run
sync_none my lite --dry-run
sync_none back-my back-lite --dry-run

# ---- the same row counts everywhere, read with each engine's client ----
for t in $TABLES; do
	n=$(pg "$SRC" "SELECT count(*) FROM $t")
	assert_eq "$n" "$(my "$MY" "SELECT count(*) FROM $t")" "MySQL rows of $t"
	assert_eq "$n" "$(lite "SELECT count(*) FROM $t")" "SQLite rows of $t"
	assert_eq "$n" "$(pg "$BACK_MY" "SELECT count(*) FROM $t")" \
	    "rows of $t back from MySQL"
	assert_eq "$n" "$(pg "$BACK_LITE" "SELECT count(*) FROM $t")" \
	    "rows of $t back from SQLite"
done

# ---- tricky values, read with each engine's client ----
# Backslashes (track 3435), accents and quotes, money, timestamps.
q_track="SELECT name FROM track WHERE track_id = 3435"
want=$(pg "$SRC" "$q_track")
assert_contains "$want" 'Cavalleria Rusticana \ Act \ Intermezzo' "track 3435"
assert_eq "$want" "$(my "$MY" "$q_track")" "track 3435 on MySQL"
assert_eq "$want" "$(lite "$q_track")" "track 3435 on SQLite"
assert_eq "$want" "$(pg "$BACK_MY" "$q_track")" "track 3435 back from MySQL"
assert_eq "$want" "$(pg "$BACK_LITE" "$q_track")" "track 3435 back from SQLite"

# Queries whose answers must be the same on the source and on each copy
# back in PostgreSQL, one per line.
cat >"$T/queries" <<'SQL'
SELECT md5(string_agg(name, '|' ORDER BY artist_id)) FROM artist
SELECT md5(string_agg(title, '|' ORDER BY album_id)) FROM album
SELECT md5(string_agg(coalesce(composer, '-'), '|' ORDER BY track_id)) FROM track
SELECT md5(string_agg(c::text, '|' ORDER BY customer_id)) FROM customer c
SELECT sum(total)::text || ' ' || sum(total * invoice_id)::text FROM invoice
SELECT sum(unit_price * quantity)::text FROM invoice_line
SELECT md5(string_agg(i::text, '|' ORDER BY invoice_id)) FROM invoice i
SELECT md5(string_agg(e::text, '|' ORDER BY employee_id)) FROM employee e
SELECT md5(string_agg(t::text, '|' ORDER BY track_id)) FROM track t
SELECT md5(string_agg(p::text, '|' ORDER BY playlist_id, track_id)) FROM playlist_track p
SELECT count(*) FROM track WHERE name LIKE '%''%'
SELECT table_name || '.' || column_name || ' ' || data_type || '(' || numeric_precision || ',' || numeric_scale || ')' FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'numeric' ORDER BY 1
SELECT tc.table_name || '.' || k.column_name || ' -> ' || u.table_name FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name) JOIN information_schema.constraint_column_usage u USING (constraint_schema, constraint_name) WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public' ORDER BY 1
SQL
for db in "$BACK_MY" "$BACK_LITE"; do
	while IFS= read -r q; do
		assert_eq "$(pg "$SRC" "$q")" "$(pg "$db" "$q")" "$db: $q"
	done <"$T/queries"
done
# The self-reference came through: every employee but the first reports.
assert_eq 7 "$(my "$MY" "SELECT count(*) FROM employee WHERE reports_to IS NOT NULL")" \
    "employees reporting on MySQL"
assert_eq 7 "$(lite "SELECT count(*) FROM employee WHERE reports_to IS NOT NULL")" \
    "employees reporting on SQLite"

# ---- a change travels, and a re-sync after it is empty again ----
pg "$SRC" "UPDATE artist SET name = name || ' (o''k) \\ 😀' WHERE artist_id = 1;
    DELETE FROM playlist_track WHERE playlist_id = 1 AND track_id = 3402" \
    >/dev/null || fail "changing the source"
for dst in my lite; do
	run ps --json sync src "$dst"
	assert_exit 0
	assert_eq completed "$(json 'd["status"]')" "status after a change ($dst)"
	assert_eq "0 1 1 0 0 0" "$(json "$counts")" "counts after a change ($dst)"
	run ps --json sync src "$dst"
	assert_exit 0
	assert_eq "0 0 0 0 0 0" "$(json "$counts")" "re-sync after a change ($dst)"
done
assert_eq "$(pg "$SRC" "SELECT name FROM artist WHERE artist_id = 1")" \
    "$(lite "SELECT name FROM artist WHERE artist_id = 1")" "artist 1 on SQLite"

pass
