#!/bin/sh
# projsync - tests/cli/cli-schema.sh: "schema diff" (exit 3 on a missing
# column and a missing table, the --json document), "schema migrate"
# (--dry-run changes nothing; then diff exits 0; a major difference is left
# and exits 1) and "sync --auto-migrate" creating a missing table.
. "${PROJSYNC_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

A="$T/a.db"
B="$T/b.db"
sqlite3 "$A" "
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);
INSERT INTO items VALUES (1, 'one', 'first'), (2, 'two', NULL);
CREATE TABLE extra (id INTEGER PRIMARY KEY,
    v VARCHAR(20) NOT NULL DEFAULT 'x');
INSERT INTO extra VALUES (1, 'e1');
CREATE TABLE mism (id INTEGER PRIMARY KEY, amount INTEGER);"
sqlite3 "$B" "
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO items VALUES (1, 'one');
CREATE TABLE mism (id INTEGER PRIMARY KEY, amount BLOB);"
run ps conn add a --type sqlite --dsn "$A"
assert_exit 0
run ps conn add b --type sqlite --dsn "$B"
assert_exit 0

# diff: the missing table and column are minor, the family mismatch major.
run ps schema diff a b --tables items,extra
assert_exit 3
assert_eq 2 "$(wc -l <"$T/out" | tr -d ' ')" "difference lines"
assert_out_contains "items: minor: column 'note'"
assert_out_contains "extra: minor: table 'extra'"
run ps schema diff a b --json
assert_exit 3
assert_json_valid
assert_eq 3 "$(json 'd["differences"]')" "differences"
assert_eq "column_missing minor target note" \
    "$(json '" ".join(str(x) for x in [[t for t in d["tables"] if t["name"] == "items"][0]["differences"][0][k] for k in ("kind", "severity", "side", "column")])')"
assert_eq "table_missing minor target None" \
    "$(json '" ".join(str(x) for x in [[t for t in d["tables"] if t["name"] == "extra"][0]["differences"][0][k] for k in ("kind", "severity", "side", "column")])')"
assert_eq "family_mismatch major" \
    "$(json '" ".join([t for t in d["tables"] if t["name"] == "mism"][0]["differences"][0][k] for k in ("kind", "severity"))')"
assert_eq true "$(json '[t for t in d["tables"] if t["name"] == "mism"][0]["major"]')"

# migrate --dry-run: the DDL, nothing executed.
dump "$B" >"$T/b0.sql"
run ps schema migrate a b --tables items,extra --dry-run
assert_exit 0
assert_out_contains "-- b"
assert_out_contains "CREATE TABLE"
assert_out_contains "ALTER TABLE"
assert_err_contains "dry run"
dump "$B" | cmp -s - "$T/b0.sql" || fail "migrate --dry-run changed b"
run ps schema migrate a b --tables items,extra --dry-run --json
assert_exit 0
assert_eq "b b" "$(json '" ".join(x["connection"] for x in d["ddl"])')"

# migrate: the table and the column appear; diff then finds nothing.
run ps schema migrate a b --tables items,extra
assert_exit 0
assert_eq 1 "$(sql "$B" "SELECT count(*) FROM sqlite_master WHERE name = 'extra'")"
assert_eq 1 "$(sql "$B" "SELECT count(*) FROM pragma_table_info('items') WHERE name = 'note'")"
assert_eq "one|" "$(sql "$B" "SELECT name, note FROM items WHERE id = 1")"
run ps schema diff a b --tables items,extra
assert_exit 0
assert_out_empty
run ps schema migrate a b --tables items,extra
assert_exit 0
assert_out_empty
assert_err_contains "nothing to migrate"

# A major difference is not migrated: exit 1, the table unchanged.
dump "$B" >"$T/b1.sql"
run ps schema migrate a b
assert_exit 1
assert_err_contains "mism: major:"
dump "$B" | cmp -s - "$T/b1.sql" || fail "migrate changed b despite a major difference"
run ps schema diff a b
assert_exit 3

# sync skips a table missing on the target without --auto-migrate ...
sqlite3 "$A" "
CREATE TABLE fresh (id INTEGER PRIMARY KEY, label TEXT, price DECIMAL(8,2));
INSERT INTO fresh VALUES (1, 'a', '1.50'), (2, 'b ✓', NULL);"
run ps sync a b --tables fresh --json
assert_exit 1
assert_eq "completed_with_errors skipped" "$(json 'd["status"] + " " + d["tables"][0]["status"]')"
assert_contains "$(json 'd["tables"][0]["message"]')" "auto-migrate" "the skip message"
assert_eq 0 "$(sql "$B" "SELECT count(*) FROM sqlite_master WHERE name = 'fresh'")"
# ... and creates it with --auto-migrate, then fills it.
run ps sync a b --tables fresh --auto-migrate --json
assert_exit 0
assert_eq "completed 2" "$(json 'd["status"] + " " + str(d["inserted"])')"
assert_eq "1|a|1.5
2|b ✓|" "$(sql "$B" "SELECT * FROM fresh ORDER BY id")"
run ps schema diff a b --tables fresh
assert_exit 0
# The major difference skips its table in a sync too.
run ps sync a b --tables mism --json
assert_exit 1
assert_eq skipped "$(json 'd["tables"][0]["status"]')"
assert_contains "$(json 'd["tables"][0]["message"]')" "major" "the skip message"

# Bad input: unknown connection, missing operand.
run ps schema diff a nope
assert_exit 1
assert_err_is "projsync: unknown connection 'nope'"
run ps schema diff a
assert_exit 2
run ps schema migrate a b --frob
assert_exit 2

pass
