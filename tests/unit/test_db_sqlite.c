/*
 * projsync - test_db_sqlite.c: the driver registry, change batches and the
 * SQLite driver against real temporary database files: connecting,
 * describing tables, scans in key order with canonical values, writes with
 * hostile names and values, writes during an open scan, rendering and DDL.
 */
#include "projsync/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "projsync/conf.h"
#include "projsync/db.h"
#include "projsync/schema.h"
#include "projsync/util.h"
#include "projsync/value.h"
#include "testutil.h"

struct fx {
	char		*dir;
	char		*path;
	struct db_conn	*c;
};

/* A hostile table name and column names: quotes, spaces, a dot. */
#define HT	"we\"ird t.able"

static int
fx_setup(void **state)
{
	struct fx		*fx;
	struct conn_conf	 cc;
	struct ps_error		 err;

	fx = xcalloc(1, sizeof *fx);
	fx->dir = tu_tmpdir();
	fx->path = tu_path(fx->dir, "t.db");
	tu_sql(fx->path, "PRAGMA user_version = 1");
	memset(&cc, 0, sizeof cc);
	cc.name = (char *)"local";
	cc.type = (char *)"sqlite";
	cc.dsn = fx->path;
	if (db_open(&cc, 5, &fx->c, &err) != 0)
		fail_msg("db_open: %s", err.msg);
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx	*fx = *state;

	db_close(fx->c);
	tu_rmrf(fx->dir);
	free(fx->dir);
	free(fx->path);
	free(fx);
	return 0;
}

/* Rows of TABLE as text, in strict key order (tu_scan_rows). */
static char *
scan_text(struct db_conn *c, const char *table, char *const *cols,
    const enum type_family *fam, int ncols, int nkey, const struct row *eq)
{
	return tu_scan_rows(c, table, cols, fam, ncols, nkey, eq, 0);
}

static void
assert_query(const char *path, const char *sql, const char *want)
{
	char	*got;

	got = tu_query(path, sql);
	assert_string_equal(got, want);
	free(got);
}

/* ---- registry, connections, batches ---- */

static void
test_registry(void **state)
{
	struct ps_error	 err;

	(void)state;
	assert_ptr_equal(db_driver("sqlite", &err), &db_sqlite_ops);
	assert_int_equal(db_sqlite_ops.version, DB_OPS_VERSION);
	assert_string_equal(db_sqlite_ops.name, "sqlite");
#ifdef HAVE_LIBPQ
	assert_ptr_equal(db_driver("postgresql", &err), &db_pg_ops);
	assert_ptr_equal(db_driver("pg", &err), &db_pg_ops);
#else
	assert_null(db_driver("postgresql", &err));
	assert_int_equal(err.code, PS_ERR_UNSUPPORTED);
	assert_string_equal(err.msg, "built without PostgreSQL support "
	    "(configure --with-postgresql)");
#endif
#ifdef HAVE_MYSQL
	assert_ptr_equal(db_driver("mysql", &err), &db_mysql_ops);
	assert_ptr_equal(db_driver("mariadb", &err), &db_mysql_ops);
#else
	assert_null(db_driver("mysql", &err));
	assert_int_equal(err.code, PS_ERR_UNSUPPORTED);
	assert_string_equal(err.msg, "built without MySQL support "
	    "(configure --with-mysql)");
#endif
	assert_null(db_driver("oracle", &err));
	assert_int_equal(err.code, PS_ERR_USAGE);
	assert_non_null(strstr(err.msg, "'oracle'"));
	assert_int_equal(db_global_init(&err), 0);
}

static void
test_connect(void **state)
{
	struct fx		*fx = *state;
	struct conn_conf	 cc;
	struct db_conn		*c = NULL;
	struct ps_error		 err;
	FILE			*f;
	char			*missing, *dsn, *want, *v;

	memset(&cc, 0, sizeof cc);
	cc.name = (char *)"prod";
	cc.type = (char *)"sqlite";

	missing = tu_path(fx->dir, "nope/x.db");
	cc.dsn = missing;
	assert_int_equal(db_open(&cc, 5, &c, &err), -1);
	assert_null(c);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	xasprintf(&want, "connection 'prod': SQLite database %s does not "
	    "exist", missing);
	assert_string_equal(err.msg, want);
	free(want);

	/* "sqlite:PATH" and "sqlite://PATH" name the same file. */
	xasprintf(&dsn, "sqlite:%s", fx->path);
	cc.dsn = dsn;
	assert_int_equal(db_open(&cc, 5, &c, &err), 0);
	assert_string_equal(c->name, "prod");
	v = c->ops->server_version(c);
	assert_true(strncmp(v, "SQLite 3.", 9) == 0);
	free(v);
	db_close(c);
	free(dsn);
	xasprintf(&dsn, "sqlite://%s", fx->path);
	cc.dsn = dsn;
	assert_int_equal(db_open(&cc, 5, &c, &err), 0);
	db_close(c);
	free(dsn);

	/* A file that is not a database. */
	dsn = tu_path(fx->dir, "junk.db");
	f = fopen(dsn, "w");
	assert_non_null(f);
	fputs("this is not an SQLite database, just some text that is long "
	    "enough to hold a header\n", f);
	fclose(f);
	cc.dsn = dsn;
	assert_int_equal(db_open(&cc, 5, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONNECT);
	assert_non_null(strstr(err.msg, "connection 'prod'"));
	free(dsn);

#ifndef HAVE_LIBPQ
	/* An unsupported engine is named with the connection. */
	cc.type = (char *)"postgresql";
	cc.dsn = (char *)"host=localhost";
	assert_int_equal(db_open(&cc, 5, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_UNSUPPORTED);
	assert_string_equal(err.msg, "connection 'prod': built without "
	    "PostgreSQL support (configure --with-postgresql)");
#endif
	free(missing);
}

static void
test_batch(void **state)
{
	struct change_batch	 b;
	struct change		*ch;
	struct row		 r;
	char			*cols[] = { (char *)"id", (char *)"v" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT };
	char			 v[32];
	void			*mem;
	int			 i;

	(void)state;
	change_batch_init(&b, "t", 2, cols, fam, 1);
	row_init(&r, 2);
	for (i = 0; i < 200; i++) {
		row_reset(&r);
		snprintf(v, sizeof v, "%d", i);
		row_set_str(&r, 0, v);
		row_set_str(&r, 1, "value");
		ch = change_batch_add(&b, CH_INSERT, &r);
		assert_int_equal(ch->op, CH_INSERT);
	}
	assert_int_equal(b.n, 200);
	assert_true(b.cap >= 200);
	assert_string_equal(row_ptr(&b.ch[150].row, 0), "150");
	/* The batch owns copies: changing R changes nothing in it. */
	row_reset(&r);
	row_set_str(&r, 0, "x");
	assert_string_equal(row_ptr(&b.ch[199].row, 0), "199");

	mem = b.ch[0].row.data.buf;
	change_batch_clear(&b);
	assert_int_equal(b.n, 0);
	row_set_str(&r, 1, NULL);
	ch = change_batch_add(&b, CH_DELETE, &r);
	assert_ptr_equal(ch, &b.ch[0]);
	assert_ptr_equal(b.ch[0].row.data.buf, mem);
	assert_int_equal(ch->op, CH_DELETE);
	assert_string_equal(row_ptr(&ch->row, 0), "x");
	assert_true(row_null(&ch->row, 1));
	change_batch_free(&b);
	assert_null(b.ch);
	row_free(&r);
}

/* ---- catalogue ---- */

static void
test_list_tables(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	char		**names;
	int		 n;

	tu_sql(fx->path,
	    "CREATE TABLE b (x);"
	    "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);"
	    "CREATE TABLE \"Z\" (x);"
	    "CREATE TABLE \"a.b c\" (x);"
	    "CREATE VIEW v AS SELECT * FROM b;"
	    "CREATE INDEX bx ON b (x);"
	    "INSERT INTO a DEFAULT VALUES;");
	assert_int_equal(db_list_tables(fx->c, &names, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "Z");
	assert_string_equal(names[1], "a");
	assert_string_equal(names[2], "a.b c");
	assert_string_equal(names[3], "b");
	assert_null(names[4]);
	util_strv_free(names);
}

static const struct column_def *
col(const struct table_def *td, const char *name)
{
	int	i;

	i = table_def_col(td, name);
	if (i < 0)
		fail_msg("no column %s", name);
	return &td->cols[i];
}

static void
assert_col(const struct table_def *td, const char *name,
    enum type_family fam, int length, int precision, int scale,
    int nullable)
{
	const struct column_def *cd = col(td, name);

	if (cd->family != fam || cd->length != length ||
	    cd->precision != precision || cd->scale != scale ||
	    cd->nullable != nullable)
		fail_msg("column %s (%s): family %s length %d precision %d "
		    "scale %d nullable %d", name, cd->type_name,
		    tf_name(cd->family), cd->length, cd->precision, cd->scale,
		    cd->nullable);
}

static void
test_describe_families(void **state)
{
	struct fx		*fx = *state;
	struct table_def	 td;
	struct ps_error		 err;

	tu_sql(fx->path, "CREATE TABLE f ("
	    "id INTEGER PRIMARY KEY, "
	    "i INT NOT NULL DEFAULT 0, bi BIGINT, ti TINYINT(1), "
	    "ub UNSIGNED BIG INT, "
	    "b BOOLEAN, b2 bool, "
	    "d DATE, dt DATETIME, ts TIMESTAMP(3), "
	    "tz TIMESTAMPTZ, tz2 timestamp with time zone, tm TIME, "
	    "n NUMERIC(10,2), n2 DECIMAL(7), n3 NUMERIC, n4 decimal(12, 4), "
	    "j JSON, u UUID, "
	    "v VARCHAR(100) DEFAULT 'x', vc NVARCHAR(20), ch CHARACTER(3), "
	    "cl CLOB, tx TEXT, "
	    "bl BLOB, vb VARBINARY(16), "
	    "r REAL, fl FLOAT, db DOUBLE PRECISION, "
	    "o, money MONEY, "
	    "g INT GENERATED ALWAYS AS (i + 1) VIRTUAL, "
	    "c DATETIME DEFAULT CURRENT_TIMESTAMP)");
	assert_int_equal(db_describe(fx->c, "f", &td, &err), 0);
	assert_string_equal(td.name, "f");
	assert_null(td.schema);
	assert_int_equal(td.ncols, 32);
	assert_int_equal(table_def_col(&td, "g"), -1);

	assert_col(&td, "id", TF_INTEGER, -1, 8, -1, 0);
	assert_int_equal(col(&td, "id")->autoincrement, 1);
	assert_col(&td, "i", TF_INTEGER, -1, 8, -1, 0);
	assert_int_equal(col(&td, "i")->autoincrement, 0);
	assert_string_equal(col(&td, "i")->default_expr, "0");
	assert_col(&td, "bi", TF_INTEGER, -1, 8, -1, 1);
	assert_col(&td, "ti", TF_INTEGER, -1, 8, -1, 1);
	assert_col(&td, "ub", TF_INTEGER, -1, 8, -1, 1);
	assert_int_equal(col(&td, "ub")->is_unsigned, 1);
	assert_col(&td, "b", TF_BOOLEAN, -1, -1, -1, 1);
	assert_col(&td, "b2", TF_BOOLEAN, -1, -1, -1, 1);
	assert_col(&td, "d", TF_DATE, -1, -1, -1, 1);
	assert_col(&td, "dt", TF_TIMESTAMP, -1, -1, -1, 1);
	assert_col(&td, "ts", TF_TIMESTAMP, -1, -1, 3, 1);
	assert_col(&td, "tz", TF_TIMESTAMPTZ, -1, -1, -1, 1);
	assert_col(&td, "tz2", TF_TIMESTAMPTZ, -1, -1, -1, 1);
	assert_col(&td, "tm", TF_TIME, -1, -1, -1, 1);
	assert_col(&td, "n", TF_DECIMAL, -1, 10, 2, 1);
	assert_col(&td, "n2", TF_DECIMAL, -1, 7, 0, 1);
	assert_col(&td, "n3", TF_DECIMAL, -1, -1, -1, 1);
	assert_col(&td, "n4", TF_DECIMAL, -1, 12, 4, 1);
	assert_col(&td, "j", TF_JSON, -1, -1, -1, 1);
	assert_col(&td, "u", TF_UUID, -1, -1, -1, 1);
	assert_col(&td, "v", TF_TEXT, 100, -1, -1, 1);
	assert_string_equal(col(&td, "v")->type_name, "VARCHAR(100)");
	assert_string_equal(col(&td, "v")->default_expr, "'x'");
	assert_col(&td, "vc", TF_TEXT, 20, -1, -1, 1);
	assert_col(&td, "ch", TF_TEXT, 3, -1, -1, 1);
	assert_col(&td, "cl", TF_TEXT, -1, -1, -1, 1);
	assert_col(&td, "tx", TF_TEXT, -1, -1, -1, 1);
	assert_null(col(&td, "tx")->default_expr);
	assert_col(&td, "bl", TF_BINARY, -1, -1, -1, 1);
	assert_col(&td, "vb", TF_BINARY, 16, -1, -1, 1);
	assert_col(&td, "r", TF_FLOAT, -1, -1, -1, 1);
	assert_col(&td, "fl", TF_FLOAT, -1, -1, -1, 1);
	assert_col(&td, "db", TF_FLOAT, -1, -1, -1, 1);
	assert_col(&td, "o", TF_OTHER, -1, -1, -1, 1);
	assert_col(&td, "money", TF_DECIMAL, -1, -1, -1, 1);
	assert_string_equal(col(&td, "c")->default_expr, "CURRENT_TIMESTAMP");
	assert_int_equal(td.npk, 1);
	assert_string_equal(td.pk[0], "id");
	assert_int_equal(td.nidx, 0);
	assert_int_equal(td.nfk, 0);
	table_def_free(&td);
}

static void
test_describe_keys(void **state)
{
	struct fx		*fx = *state;
	struct table_def	 td;
	struct ps_error		 err;

	tu_sql(fx->path,
	    "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE, "
	    "  a INT, b INT, UNIQUE (b, a));"
	    "CREATE TABLE k (x TEXT NOT NULL, y INT NOT NULL, z TEXT, "
	    "  pid INT REFERENCES parent, pcode TEXT, pa INT, pb INT, "
	    "  up TEXT, "
	    "  PRIMARY KEY (y, x), "
	    "  FOREIGN KEY (pcode) REFERENCES parent (code), "
	    "  FOREIGN KEY (pb, pa) REFERENCES parent (b, a), "
	    "  FOREIGN KEY (up, y) REFERENCES k (x, y));"
	    "CREATE UNIQUE INDEX k_z ON k (z);"
	    "CREATE UNIQUE INDEX k_part ON k (pa) WHERE pa > 0;"
	    "CREATE UNIQUE INDEX k_expr ON k (lower(z));"
	    "CREATE INDEX k_plain ON k (pb);"
	    "CREATE TABLE w (a TEXT PRIMARY KEY, b INTEGER) WITHOUT ROWID;"
	    "CREATE TABLE \"x.y\" (\"we\"\"ird\" INTEGER PRIMARY KEY);");

	assert_int_equal(db_describe(fx->c, "k", &td, &err), 0);
	assert_int_equal(td.npk, 2);
	assert_string_equal(td.pk[0], "y");
	assert_string_equal(td.pk[1], "x");
	assert_int_equal(col(&td, "y")->autoincrement, 0);
	assert_int_equal(col(&td, "y")->nullable, 0);
	assert_int_equal(col(&td, "z")->nullable, 1);
	/* Full unique indexes on columns only. */
	assert_int_equal(td.nidx, 1);
	assert_string_equal(td.idx[0].name, "k_z");
	assert_int_equal(td.idx[0].unique, 1);
	assert_int_equal(td.idx[0].ncols, 1);
	assert_string_equal(td.idx[0].cols[0], "z");
	/* Foreign keys in declaration order. */
	assert_int_equal(td.nfk, 4);
	assert_string_equal(td.fks[0].ref_table, "parent");
	assert_int_equal(td.fks[0].ncols, 1);
	assert_string_equal(td.fks[0].cols[0], "pid");
	assert_null(td.fks[0].ref_cols);
	assert_string_equal(td.fks[1].cols[0], "pcode");
	assert_string_equal(td.fks[1].ref_cols[0], "code");
	assert_int_equal(td.fks[2].ncols, 2);
	assert_string_equal(td.fks[2].cols[0], "pb");
	assert_string_equal(td.fks[2].cols[1], "pa");
	assert_string_equal(td.fks[2].ref_cols[0], "b");
	assert_string_equal(td.fks[2].ref_cols[1], "a");
	assert_string_equal(td.fks[3].ref_table, "k");
	assert_string_equal(td.fks[3].cols[0], "up");
	assert_string_equal(td.fks[3].cols[1], "y");
	assert_string_equal(td.fks[3].ref_cols[0], "x");
	table_def_free(&td);

	/* UNIQUE constraints come as their autoindexes. */
	assert_int_equal(db_describe(fx->c, "parent", &td, &err), 0);
	assert_int_equal(td.nidx, 2);
	assert_int_equal(td.idx[0].ncols, 1);
	assert_string_equal(td.idx[0].cols[0], "code");
	assert_int_equal(td.idx[1].ncols, 2);
	assert_string_equal(td.idx[1].cols[0], "b");
	assert_string_equal(td.idx[1].cols[1], "a");
	table_def_free(&td);

	/* A text key is not the rowid; WITHOUT ROWID keys are NOT NULL. */
	assert_int_equal(db_describe(fx->c, "w", &td, &err), 0);
	assert_int_equal(td.npk, 1);
	assert_int_equal(col(&td, "a")->autoincrement, 0);
	assert_int_equal(col(&td, "a")->nullable, 0);
	assert_int_equal(td.nidx, 0);
	table_def_free(&td);

	/* Names with dots are one name; "main." addresses the schema. */
	assert_int_equal(db_describe(fx->c, "x.y", &td, &err), 0);
	assert_string_equal(td.cols[0].name, "we\"ird");
	assert_int_equal(td.cols[0].autoincrement, 1);
	table_def_free(&td);
	assert_int_equal(db_describe(fx->c, "main.w", &td, &err), 0);
	assert_string_equal(td.name, "w");
	assert_int_equal(td.ncols, 2);
	table_def_free(&td);

	assert_int_equal(db_describe(fx->c, "missing", &td, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "table 'missing' does not exist on "
	    "connection 'local'");
	assert_int_equal(db_describe(fx->c, "main.nope", &td, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "table 'main.nope' does not exist on "
	    "connection 'local'");
}

/* ---- scans ---- */

static void
test_scan_values(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"t",
				    (char *)"f", (char *)"b", (char *)"n",
				    (char *)"bl", (char *)"d", (char *)"u" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_FLOAT,
				    TF_BOOLEAN, TF_DECIMAL, TF_BINARY,
				    TF_TIMESTAMP, TF_UUID };
	struct scan_spec	 spec;
	struct db_cursor	*cur = NULL;
	struct row		 r;
	struct ps_error		 err;
	char			*got;
	int			 rc;

	tu_sql(fx->path, "CREATE TABLE s (id INTEGER PRIMARY KEY, t TEXT, "
	    "f REAL, b BOOLEAN, n NUMERIC(10,2), bl BLOB, d DATETIME, u UUID);"
	    "INSERT INTO s VALUES (5, ' pad  ', 0.1, 1, '1.50', x'00ff00', "
	    "'2024-01-02T03:04:05.500', "
	    "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11');"
	    "INSERT INTO s VALUES (-7, '', 1e20, 0, 3, x'', "
	    "'2024-01-02', NULL);"
	    "INSERT INTO s VALUES (0, NULL, -2, 'true', 0.1, NULL, NULL, NULL);"
	    "INSERT INTO s VALUES (-100, 'x', 3, NULL, -0.0, 'text', NULL, "
	    "NULL);"
	    "INSERT INTO s VALUES (9223372036854775807, 'max', NULL, NULL, "
	    "NULL, NULL, NULL, NULL);");
	got = scan_text(fx->c, "s", cols, fam, 8, 1, NULL);
	assert_string_equal(got,
	    "-100|x|3|NULL|0|x'74657874'|NULL|NULL\n"
	    "-7||1e+20|false|3|x''|2024-01-02 00:00:00|NULL\n"
	    "0|NULL|-2|true|0.1|NULL|NULL|NULL\n"
	    "5| pad  |0.1|true|1.5|x'00ff00'|2024-01-02 03:04:05.5|"
	    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\n"
	    "9223372036854775807|max|NULL|NULL|NULL|NULL|NULL|NULL\n");
	free(got);

	/* A value that does not read as its family names where it is. */
	tu_sql(fx->path, "INSERT INTO s (id, d) VALUES (6, 'next tuesday')");
	memset(&spec, 0, sizeof spec);
	spec.table = "s";
	spec.ncols = 8;
	spec.cols = cols;
	spec.fam = fam;
	spec.nkey = 1;
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	row_init(&r, 8);
	while ((rc = db_next(fx->c, cur, &r, &err)) == 1)
		;
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "table 's'"));
	assert_non_null(strstr(err.msg, "column 'd'"));
	assert_non_null(strstr(err.msg, "next tuesday"));
	db_cursor_free(fx->c, cur);
	row_free(&r);

	/* A missing table. */
	spec.table = "nope";
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), -1);
	assert_null(cur);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "table 'nope' does not exist on "
	    "connection 'local'");
}

static void
test_scan_order(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"k", (char *)"v" };
	char			*ccols[] = { (char *)"a", (char *)"b",
				    (char *)"v" };
	enum type_family	 ifam[] = { TF_INTEGER, TF_TEXT };
	enum type_family	 tfam[] = { TF_TEXT, TF_TEXT };
	enum type_family	 cfam[] = { TF_INTEGER, TF_TEXT, TF_TEXT };
	char			*got;

	tu_sql(fx->path,
	    "CREATE TABLE i (k INTEGER PRIMARY KEY, v TEXT);"
	    "INSERT INTO i VALUES (10, 'a'), (-3, 'b'), (2, 'c'), "
	    "(-20, 'd'), (0, 'e'), (-9223372036854775808, 'min');"
	    /* A NOCASE column still scans in byte order. */
	    "CREATE TABLE t (k TEXT PRIMARY KEY COLLATE NOCASE, v TEXT);"
	    "INSERT INTO t VALUES ('é', '1'), ('a', '2'), ('😀', '3'), "
	    "('B', '4'), ('a ', '5'), ('Z', '6');"
	    "CREATE TABLE c (a INT, b TEXT, v TEXT, PRIMARY KEY (a, b));"
	    "INSERT INTO c VALUES (2, 'a', '1'), (1, 'b', '2'), "
	    "(1, 'B', '3'), (-1, 'z', '4'), (2, '', '5');");

	got = scan_text(fx->c, "i", cols, ifam, 2, 1, NULL);
	assert_string_equal(got, "-9223372036854775808|min\n-20|d\n-3|b\n"
	    "0|e\n2|c\n10|a\n");
	free(got);
	got = scan_text(fx->c, "t", cols, tfam, 2, 1, NULL);
	assert_string_equal(got, "B|4\nZ|6\na|2\na |5\né|1\n😀|3\n");
	free(got);
	got = scan_text(fx->c, "c", ccols, cfam, 3, 2, NULL);
	assert_string_equal(got, "-1|z|4\n1|B|3\n1|b|2\n2||5\n2|a|1\n");
	free(got);
}

static void
test_scan_key_eq(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"a", (char *)"b",
				    (char *)"v" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_TEXT };
	struct scan_spec	 spec;
	struct db_cursor	*cur = NULL;
	struct ps_error		 err;
	struct row		 key;
	char			*got;

	tu_sql(fx->path,
	    "CREATE TABLE c (a INT, b TEXT COLLATE NOCASE, v TEXT, "
	    "PRIMARY KEY (a, b));"
	    "INSERT INTO c VALUES (1, 'x', 'one'), (1, 'y', 'two'), "
	    "(2, 'x', 'three');");
	row_init(&key, 3);
	row_set_str(&key, 0, "1");
	row_set_str(&key, 1, "y");
	got = scan_text(fx->c, "c", cols, fam, 3, 2, &key);
	assert_string_equal(got, "1|y|two\n");
	free(got);
	/* Keys match byte for byte, whatever the column's collation. */
	row_reset(&key);
	row_set_str(&key, 0, "1");
	row_set_str(&key, 1, "Y");
	got = scan_text(fx->c, "c", cols, fam, 3, 2, &key);
	assert_string_equal(got, "");
	free(got);
	row_reset(&key);
	row_set_str(&key, 0, "3");
	row_set_str(&key, 1, "x");
	got = scan_text(fx->c, "c", cols, fam, 3, 2, &key);
	assert_string_equal(got, "");
	free(got);

	/* The cursor keeps its own copy of the key. */
	row_reset(&key);
	row_set_str(&key, 0, "2");
	row_set_str(&key, 1, "x");
	memset(&spec, 0, sizeof spec);
	spec.table = "c";
	spec.ncols = 3;
	spec.cols = cols;
	spec.fam = fam;
	spec.nkey = 2;
	spec.key_eq = &key;
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	row_free(&key);
	row_init(&key, 3);
	row_set_str(&key, 0, "1");
	row_set_str(&key, 1, "y");
	assert_int_equal(db_next(fx->c, cur, &key, &err), 1);
	assert_string_equal(row_ptr(&key, 2), "three");
	assert_int_equal(db_next(fx->c, cur, &key, &err), 0);
	assert_int_equal(db_next(fx->c, cur, &key, &err), 0);
	db_cursor_free(fx->c, cur);
	row_free(&key);
}

static void
test_cancel(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"k" };
	enum type_family	 fam[] = { TF_INTEGER };
	struct scan_spec	 spec;
	struct db_cursor	*cur = NULL;
	struct row		 r;
	struct ps_error		 err;

	tu_sql(fx->path, "CREATE TABLE i (k INTEGER PRIMARY KEY);"
	    "INSERT INTO i VALUES (1), (2), (3);");
	memset(&spec, 0, sizeof spec);
	spec.table = "i";
	spec.ncols = 1;
	spec.cols = cols;
	spec.fam = fam;
	spec.nkey = 1;
	row_init(&r, 1);
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 1);
	assert_int_equal(fx->c->ops->cancel(fx->c), 0);
	assert_int_equal(db_next(fx->c, cur, &r, &err), -1);
	assert_int_equal(err.code, PS_ERR_CANCELLED);
	assert_non_null(strstr(err.msg, "table 'i'"));
	db_cursor_free(fx->c, cur);
	/* The connection works on. */
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 1);
	assert_string_equal(row_ptr(&r, 0), "1");
	db_cursor_free(fx->c, cur);
	row_free(&r);
}

static void
test_apply_hostile(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"i\"d", (char *)"na me",
				    (char *)"a.b", (char *)"n", (char *)"f",
				    (char *)"ok" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_BINARY,
				    TF_DECIMAL, TF_FLOAT, TF_BOOLEAN };
	static const char	 sqltext[] = "'); DROP TABLE t; --";
	static const char	 blob[] = { 'a', '\0', '\'', '\\', '\0', 'z' };
	static const char	 nultext[] = { 'n', '\0', 'l' };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed;
	char			*got;

	tu_sql(fx->path, "CREATE TABLE \"we\"\"ird t.able\" ("
	    "\"i\"\"d\" INTEGER PRIMARY KEY, \"na me\" TEXT, \"a.b\" BLOB, "
	    "n NUMERIC(10,2), f REAL, ok BOOLEAN);"
	    "CREATE TABLE t (x)");
	change_batch_init(&b, HT, 6, cols, fam, 1);
	row_init(&r, 6);
	tu_set_row(&r, 6, "1", sqltext, "x", "1.5", "0.1", "true");
	row_set(&r, 2, blob, sizeof blob);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 6, "2", "back\\slash \"dq\" it's", NULL, "-12.25", "-1e+20",
	    "false");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 6, "3", "emoji 😀 and 中文 ", "", "0", "inf", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 6, "4", NULL, NULL, NULL, "nan", NULL);
	row_set(&r, 1, nultext, sizeof nultext);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 6, "5", "gone", NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_INSERT, &r);

	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_int_equal(db_commit(fx->c, &err), 0);

	/* Byte-exact, with the storage classes SPEC section 4 promises. */
	assert_query(fx->path, "SELECT \"i\"\"d\", hex(\"na me\"), "
	    "typeof(\"na me\"), hex(\"a.b\"), typeof(\"a.b\"), n, typeof(f), "
	    "ok FROM \"we\"\"ird t.able\" ORDER BY 1",
	    "1|27293B2044524F50205441424C4520743B202D2D|text|6100275C007A|"
	    "blob|1.5|real|1\n"
	    "2|6261636B5C736C61736820226471222069742773|text||null|-12.25|"
	    "real|0\n"
	    "3|656D6F6A6920F09F988020616E6420E4B8ADE6968720|text||blob|0|"
	    "real|NULL\n"
	    "4|6E006C|text||null|NULL|text|NULL\n"
	    "5|676F6E65|text||null|NULL|null|NULL\n");
	assert_query(fx->path, "SELECT count(*) FROM t", "0\n");
	got = scan_text(fx->c, HT, cols, fam, 6, 1, NULL);
	assert_string_equal(got,
	    "1|'); DROP TABLE t; --|x'6100275c007a'|1.5|0.1|true\n"
	    "2|back\\slash \"dq\" it's|NULL|-12.25|-1e+20|false\n"
	    "3|emoji 😀 and 中文 |x''|0|inf|NULL\n"
	    "4|n\\0l|NULL|NULL|nan|NULL\n"
	    "5|gone|NULL|NULL|NULL|NULL\n");
	free(got);

	/* Update, an update of a missing row, delete. */
	change_batch_clear(&b);
	tu_set_row(&r, 6, "2", "new 'value'", NULL, "7", "2.5", "true");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 6, "9", "was missing", NULL, NULL, NULL, "false");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 6, "5", NULL, NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	tu_set_row(&r, 6, "77", NULL, NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_int_equal(db_commit(fx->c, &err), 0);
	assert_query(fx->path, "SELECT \"i\"\"d\", \"na me\", n, f, ok FROM "
	    "\"we\"\"ird t.able\" WHERE \"i\"\"d\" IN (2, 5, 9) ORDER BY 1",
	    "2|new 'value'|7|2.5|1\n9|was missing|NULL|NULL|0\n");
	assert_int_equal(tu_query_int(fx->path, "SELECT count(*) FROM "
	    "\"we\"\"ird t.able\""), 5);
	change_batch_free(&b);
	row_free(&r);
}

static void
test_apply_allkey(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"a", (char *)"b" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed;

	tu_sql(fx->path, "CREATE TABLE l (a INT, b TEXT, PRIMARY KEY (a, b));"
	    "INSERT INTO l VALUES (1, 'x');");
	change_batch_init(&b, "l", 2, cols, fam, 2);
	row_init(&r, 2);
	tu_set_row(&r, 2, "1", "x");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 2, "2", "y");
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_query(fx->path, "SELECT * FROM l ORDER BY 1", "1|x\n2|y\n");
	change_batch_free(&b);
	row_free(&r);
}

static void
test_apply_constraint(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"v",
				    (char *)"pid" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_INTEGER };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed = 99;

	tu_sql(fx->path, "CREATE TABLE c (id INTEGER PRIMARY KEY, "
	    "v TEXT NOT NULL UNIQUE, pid INT REFERENCES c (id));"
	    "INSERT INTO c VALUES (100, 'old', NULL);");
	change_batch_init(&b, "c", 3, cols, fam, 1);
	row_init(&r, 3);
	tu_set_row(&r, 3, "1", "a", "2");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "2", "b", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "3", "old", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "4", "d", NULL);
	change_batch_add(&b, CH_INSERT, &r);

	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 2);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_non_null(strstr(err.msg, "table 'c'"));
	assert_non_null(strstr(err.msg, "UNIQUE"));
	assert_int_equal(db_rollback(fx->c, &err), 0);
	assert_query(fx->path, "SELECT * FROM c", "100|old|NULL\n");

	/* A NULL in a NOT NULL column. */
	b.ch[2].row.cells[1].null = 1;
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 2);
	assert_non_null(strstr(err.msg, "NOT NULL"));
	assert_int_equal(db_rollback(fx->c, &err), 0);
	/* A child before its parent goes in: keys are checked at commit. */
	change_batch_clear(&b);
	tu_set_row(&r, 3, "1", "a", "2");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "2", "b", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_int_equal(db_commit(fx->c, &err), 0);
	assert_query(fx->path, "SELECT * FROM c ORDER BY id",
	    "1|a|2\n2|b|NULL\n100|old|NULL\n");

	/* A dangling reference fails the commit. */
	change_batch_clear(&b);
	tu_set_row(&r, 3, "5", "e", "42");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_int_equal(db_commit(fx->c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_int_equal(db_rollback(fx->c, &err), 0);
	assert_int_equal(tu_query_int(fx->path, "SELECT count(*) FROM c"), 3);

	/* A missing table. */
	b.table = "nope";
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_DB);
	assert_non_null(strstr(err.msg, "table 'nope'"));
	change_batch_free(&b);
	row_free(&r);
}

static void
test_scan_while_writing(void **state)
{
	struct fx	*fx = *state;

	tu_sql(fx->path,
	    "CREATE TABLE i (k INTEGER PRIMARY KEY, v TEXT);"
	    "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT);"
	    "WITH RECURSIVE s(x) AS (SELECT 100 UNION ALL SELECT x + 2 "
	    "FROM s WHERE x < 298) "
	    "INSERT INTO i SELECT x, 'orig' FROM s;"
	    "INSERT INTO t SELECT k, v FROM i;");
	tu_scan_while_writing(fx->c, "i", TF_INTEGER);
	tu_scan_while_writing(fx->c, "t", TF_TEXT);
	/* The committed batch stays, the rolled-back one is gone. */
	assert_query(fx->path, "SELECT k, v FROM i WHERE v <> 'orig' OR "
	    "k IN (156, 216) ORDER BY k", "157|new\n158|changed\n216|orig\n");
	assert_query(fx->path, "SELECT count(*) FROM i", "100\n");
	assert_query(fx->path, "SELECT k, v FROM t WHERE v <> 'orig' OR "
	    "k IN ('156', '216') ORDER BY k",
	    "157|new\n158|changed\n216|orig\n");
	assert_query(fx->path, "SELECT count(*) FROM t", "100\n");
}

static void
test_render(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"i\"d", (char *)"na me",
				    (char *)"bl", (char *)"n", (char *)"f",
				    (char *)"ok" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_BINARY,
				    TF_DECIMAL, TF_FLOAT, TF_BOOLEAN };
	static const char	 bad[] = { 'a', '\0', 'b', '\xff' };
	struct change_batch	 b;
	struct row		 r;
	struct strbuf		 sql = STRBUF_INIT;
	struct strbuf		 q = STRBUF_INIT;

	change_batch_init(&b, HT, 6, cols, fam, 1);
	row_init(&r, 6);
	tu_set_row(&r, 6, "1", "it's", NULL, "1.5", "0.1", "true");
	row_set(&r, 2, "\x00\xab", 2);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 6, "2", NULL, NULL, NULL, "-inf", "false");
	row_set(&r, 1, bad, sizeof bad);
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 6, "99999999999999999999", NULL, NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	db_render(fx->c, &b, &sql);
	assert_string_equal(sb_str(&sql),
	    "INSERT INTO \"we\"\"ird t.able\" (\"i\"\"d\", \"na me\", \"bl\", "
	    "\"n\", \"f\", \"ok\") VALUES (1, 'it''s', X'00ab', '1.5', 0.1, "
	    "1);\n"
	    "UPDATE \"we\"\"ird t.able\" SET \"na me\" = "
	    "CAST(X'610062ff' AS TEXT), \"bl\" = NULL, \"n\" = NULL, "
	    "\"f\" = -9e999, \"ok\" = 0 WHERE \"i\"\"d\" = 2;\n"
	    "INSERT INTO \"we\"\"ird t.able\" (\"i\"\"d\", \"na me\", \"bl\", "
	    "\"n\", \"f\", \"ok\") SELECT 2, CAST(X'610062ff' AS TEXT), NULL, "
	    "NULL, -9e999, 0 WHERE NOT EXISTS (SELECT 1 FROM "
	    "\"we\"\"ird t.able\" WHERE \"i\"\"d\" = 2);\n"
	    "DELETE FROM \"we\"\"ird t.able\" WHERE "
	    "\"i\"\"d\" = '99999999999999999999';\n");

	/* The rendered SQL runs. */
	tu_sql(fx->path, "CREATE TABLE \"we\"\"ird t.able\" ("
	    "\"i\"\"d\" INTEGER PRIMARY KEY, \"na me\" TEXT, bl BLOB, "
	    "n NUMERIC, f REAL, ok BOOLEAN)");
	tu_sql(fx->path, sql.buf);
	assert_query(fx->path, "SELECT \"i\"\"d\", hex(\"na me\"), hex(bl), "
	    "n, f, ok FROM \"we\"\"ird t.able\" ORDER BY 1",
	    "1|69742773|00AB|1.5|0.1|1\n2|610062FF||NULL|-Inf|0\n");

	db_quote_ident(fx->c, &q, "a\"b.c d");
	assert_string_equal(sb_str(&q), "\"a\"\"b.c d\"");
	sb_free(&q);
	sb_free(&sql);
	change_batch_free(&b);
	row_free(&r);
}

/* ---- DDL ---- */

static void
model_col(struct column_def *cd, const char *name, enum type_family fam,
    int length, int precision, int scale, int nullable, const char *dflt)
{
	memset(cd, 0, sizeof *cd);
	cd->name = xstrdup(name);
	cd->type_name = xstrdup(tf_name(fam));
	cd->family = fam;
	cd->length = length;
	cd->precision = precision;
	cd->scale = scale;
	cd->nullable = nullable;
	cd->default_expr = xstrdup(dflt);
}

static char **
strv(int n, ...)
{
	va_list	  ap;
	char	**v;
	int	  i;

	v = xcalloc((size_t)n + 1, sizeof *v);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		v[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	return v;
}

static void
assert_same_shape(const struct table_def *m, const struct table_def *d)
{
	const struct column_def	*a, *b;
	int			 i;

	assert_int_equal(d->ncols, m->ncols);
	for (i = 0; i < m->ncols; i++) {
		a = &m->cols[i];
		b = &d->cols[i];
		assert_string_equal(b->name, a->name);
		if (a->family != b->family || a->length != b->length ||
		    a->precision != b->precision || a->scale != b->scale ||
		    a->nullable != b->nullable)
			fail_msg("column %s: %s/%d/%d/%d/%d became %s (%s) "
			    "%d/%d/%d/%d", a->name, tf_name(a->family),
			    a->length, a->precision, a->scale, a->nullable,
			    tf_name(b->family), b->type_name, b->length,
			    b->precision, b->scale, b->nullable);
	}
	assert_int_equal(d->npk, m->npk);
	for (i = 0; i < m->npk; i++)
		assert_string_equal(d->pk[i], m->pk[i]);
}

static void
test_ddl(void **state)
{
	struct fx		*fx = *state;
	struct table_def	 p, m, d;
	struct strbuf		 sql = STRBUF_INIT;
	struct ps_error		 err;

	/* A parent with an integer key (the rowid), from another engine. */
	memset(&p, 0, sizeof p);
	p.schema = xstrdup("public");
	p.name = xstrdup("par ent");
	p.ncols = 2;
	p.cols = xcalloc(2, sizeof *p.cols);
	model_col(&p.cols[0], "id", TF_INTEGER, -1, 8, -1, 0,
	    "nextval('par_id_seq'::regclass)");
	model_col(&p.cols[1], "name", TF_TEXT, 50, -1, -1, 0,
	    "'it''s'::character varying");
	p.npk = 1;
	p.pk = strv(1, "id");
	assert_int_equal(db_ddl(fx->c, DDL_CREATE_TABLE, &p, -1, &sql, &err),
	    0);
	assert_string_equal(sb_str(&sql), "CREATE TABLE \"par ent\" ("
	    "\"id\" INTEGER PRIMARY KEY, "
	    "\"name\" VARCHAR(50) NOT NULL DEFAULT 'it''s');\n");
	assert_int_equal(db_exec(fx->c, sql.buf, &err), 0);
	assert_int_equal(db_describe(fx->c, "par ent", &d, &err), 0);
	assert_same_shape(&p, &d);
	assert_int_equal(d.cols[0].autoincrement, 1);
	assert_string_equal(d.cols[1].default_expr, "'it''s'");
	table_def_free(&d);

	/* Every family, a composite key, a unique index, foreign keys. */
	memset(&m, 0, sizeof m);
	m.name = xstrdup("all");
	m.ncols = 16;
	m.cols = xcalloc(16, sizeof *m.cols);
	model_col(&m.cols[0], "k1", TF_TEXT, -1, -1, -1, 0, NULL);
	model_col(&m.cols[1], "k2", TF_INTEGER, -1, 8, -1, 0, NULL);
	model_col(&m.cols[2], "dec", TF_DECIMAL, -1, 12, 3, 1, "0.000");
	model_col(&m.cols[3], "decu", TF_DECIMAL, -1, -1, -1, 1, NULL);
	model_col(&m.cols[4], "fl", TF_FLOAT, -1, -1, -1, 1, "-1.5e3");
	model_col(&m.cols[5], "bo", TF_BOOLEAN, -1, -1, -1, 0, "false");
	model_col(&m.cols[6], "bin", TF_BINARY, -1, -1, -1, 1, NULL);
	model_col(&m.cols[7], "bin16", TF_BINARY, 16, -1, -1, 1, NULL);
	model_col(&m.cols[8], "da", TF_DATE, -1, -1, -1, 1, "CURRENT_DATE");
	model_col(&m.cols[9], "ti", TF_TIME, -1, -1, -1, 1, NULL);
	model_col(&m.cols[10], "ts", TF_TIMESTAMP, -1, -1, 6, 1,
	    "now()");
	model_col(&m.cols[11], "tz", TF_TIMESTAMPTZ, -1, -1, -1, 1,
	    "CURRENT_TIMESTAMP");
	model_col(&m.cols[12], "js", TF_JSON, -1, -1, -1, 1, NULL);
	model_col(&m.cols[13], "uu", TF_UUID, -1, -1, -1, 0, NULL);
	model_col(&m.cols[14], "pid", TF_INTEGER, -1, 8, -1, 1, NULL);
	model_col(&m.cols[15], "tx", TF_TEXT, 3, -1, -1, 1, "NULL");
	m.npk = 2;
	m.pk = strv(2, "k2", "k1");
	m.nidx = 1;
	m.idx = xcalloc(1, sizeof *m.idx);
	m.idx[0].name = xstrdup("all_uu");
	m.idx[0].unique = 1;
	m.idx[0].ncols = 1;
	m.idx[0].cols = strv(1, "uu");
	m.nfk = 2;
	m.fks = xcalloc(2, sizeof *m.fks);
	m.fks[0].ncols = 1;
	m.fks[0].cols = strv(1, "pid");
	m.fks[0].ref_table = xstrdup("par ent");
	m.fks[0].ref_cols = strv(1, "id");
	m.fks[1].ncols = 1;
	m.fks[1].cols = strv(1, "pid");
	m.fks[1].ref_table = xstrdup("par ent");
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_CREATE_TABLE, &m, -1, &sql, &err),
	    0);
	assert_string_equal(sb_str(&sql), "CREATE TABLE \"all\" ("
	    "\"k1\" TEXT NOT NULL, \"k2\" INTEGER NOT NULL, "
	    "\"dec\" NUMERIC(12,3) DEFAULT 0.000, \"decu\" NUMERIC, "
	    "\"fl\" REAL DEFAULT -1.5e3, \"bo\" BOOLEAN NOT NULL DEFAULT 0, "
	    "\"bin\" BLOB, \"bin16\" BLOB(16), "
	    "\"da\" DATE DEFAULT CURRENT_DATE, \"ti\" TIME, "
	    "\"ts\" DATETIME(6), \"tz\" TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP, "
	    "\"js\" JSON, \"uu\" UUID NOT NULL, \"pid\" INTEGER, "
	    "\"tx\" VARCHAR(3) DEFAULT NULL, "
	    "PRIMARY KEY (\"k2\", \"k1\"), UNIQUE (\"uu\"), "
	    "FOREIGN KEY (\"pid\") REFERENCES \"par ent\" (\"id\"), "
	    "FOREIGN KEY (\"pid\") REFERENCES \"par ent\");\n");
	assert_int_equal(db_exec(fx->c, sql.buf, &err), 0);
	assert_int_equal(db_describe(fx->c, "all", &d, &err), 0);
	assert_same_shape(&m, &d);
	assert_int_equal(d.nidx, 1);
	assert_string_equal(d.idx[0].cols[0], "uu");
	assert_int_equal(d.nfk, 2);
	assert_string_equal(d.fks[0].ref_table, "par ent");
	assert_string_equal(d.fks[0].ref_cols[0], "id");
	assert_null(d.fks[1].ref_cols);
	table_def_free(&d);

	/* ADD COLUMN: NOT NULL needs a constant default, or goes nullable. */
	free(m.cols[13].default_expr);
	m.cols[13].default_expr =
	    xstrdup("'00000000-0000-0000-0000-000000000000'");
	free(m.name);
	m.name = xstrdup("par ent");
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_ADD_COLUMN, &m, 13, &sql, &err), 0);
	assert_string_equal(sb_str(&sql), "ALTER TABLE \"par ent\" ADD COLUMN "
	    "\"uu\" UUID NOT NULL DEFAULT "
	    "'00000000-0000-0000-0000-000000000000';\n");
	assert_int_equal(db_exec(fx->c, sql.buf, &err), 0);
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_ADD_COLUMN, &m, 11, &sql, &err), 0);
	assert_string_equal(sb_str(&sql), "ALTER TABLE \"par ent\" ADD COLUMN "
	    "\"tz\" TIMESTAMPTZ;\n");
	assert_int_equal(db_exec(fx->c, sql.buf, &err), 0);
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_ADD_COLUMN, &m, 0, &sql, &err), 0);
	assert_string_equal(sb_str(&sql), "ALTER TABLE \"par ent\" ADD COLUMN "
	    "\"k1\" TEXT;\n");
	assert_int_equal(db_exec(fx->c, sql.buf, &err), 0);
	assert_int_equal(db_describe(fx->c, "par ent", &d, &err), 0);
	assert_int_equal(d.ncols, 5);
	assert_int_equal(col(&d, "uu")->family, TF_UUID);
	assert_int_equal(col(&d, "uu")->nullable, 0);
	assert_int_equal(col(&d, "k1")->nullable, 1);
	table_def_free(&d);

	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_WIDEN_COLUMN, &m, 15, &sql, &err),
	    1);
	assert_int_equal(sql.len, 0);

	/* exec reports the database's error. */
	assert_int_equal(db_exec(fx->c, "CREATE TABLE \"all\" (x)", &err), -1);
	assert_int_equal(err.code, PS_ERR_DB);
	assert_non_null(strstr(err.msg, "already exists"));

	sb_free(&sql);
	table_def_free(&p);
	table_def_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test_setup_teardown(test_connect, fx_setup,
		    fx_teardown),
		cmocka_unit_test(test_batch),
		cmocka_unit_test_setup_teardown(test_list_tables, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_describe_families,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_describe_keys, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_values, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_order, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_key_eq, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_cancel, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_hostile, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_allkey, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_constraint,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_while_writing,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_render, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_ddl, fx_setup,
		    fx_teardown),
	};

	return cmocka_run_group_tests_name("db_sqlite", tests, NULL, NULL);
}
