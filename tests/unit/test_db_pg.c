/*
 * projsync - test_db_pg.c: the PostgreSQL driver against the live test
 * server (tests/servers.sh): connecting and its errors, listing and
 * describing tables, scans in key order with canonical values of every
 * type family, set-based and row-by-row writes with hostile names and
 * values, writes during an open scan, rendering, DDL, sequences after
 * writes, estimates and cancelling.  Each test works in a schema of its
 * own, named first in the connection's search_path, and drops it.
 */
#include "projsync/common.h"

#ifdef HAVE_LIBPQ

#include <pthread.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "projsync/conf.h"
#include "projsync/db.h"
#include "projsync/schema.h"
#include "projsync/util.h"
#include "projsync/value.h"
#include "testutil.h"

struct fx {
	char		*schema;	/* the test's own schema */
	struct db_conn	*c;		/* search_path = schema */
};

/* A hostile table name and column names: quotes, spaces, a dot. */
#define HT	"we\"ird t.able"

static int	fx_seq;

static int
fx_setup(void **state)
{
	*state = xcalloc(1, sizeof (struct fx));
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx	*fx = *state;
	char		*sql, *out;

	db_close(fx->c);
	if (fx->schema != NULL) {
		xasprintf(&sql, "DROP SCHEMA IF EXISTS \"%s\" CASCADE;\n"
		    "DROP SCHEMA IF EXISTS \"%s_b\" CASCADE;\n", fx->schema,
		    fx->schema);
		out = tu_server_sql("PG", NULL, sql);
		free(out);
		free(sql);
	}
	free(fx->schema);
	free(fx);
	return 0;
}

/* Open CONN named NAME with DSN plus EXTRA and the test's password. */
static int
pg_open(const char *name, const char *dsn, const char *extra,
    const char *password, int timeout, struct db_conn **c,
    struct ps_error *err)
{
	struct conn_conf	 cc;
	char			*full;
	int			 rc;

	memset(&cc, 0, sizeof cc);
	cc.name = (char *)name;
	cc.type = (char *)"postgresql";
	xasprintf(&full, "%s%s%s", dsn, extra != NULL ? " " : "",
	    extra != NULL ? extra : "");
	cc.dsn = full;
	cc.password = (char *)password;
	rc = db_open(&cc, timeout, c, err);
	free(full);
	return rc;
}

/*
 * Start a test: skip without a server, make the test's schema (and
 * SCHEMA_b) and connect with search_path = schema.
 */
static void
fx_open(struct fx *fx)
{
	struct ps_error	 err;
	const char	*dsn;
	char		*sql, *out, *opt;

	dsn = tu_server_dsn("PG");
	xasprintf(&fx->schema, "ps_%ld_%d", (long)getpid(), ++fx_seq);
	xasprintf(&sql, "CREATE SCHEMA \"%s\" AUTHORIZATION projsync;\n"
	    "CREATE SCHEMA \"%s_b\" AUTHORIZATION projsync;\n", fx->schema,
	    fx->schema);
	out = tu_server_sql("PG", NULL, sql);
	free(out);
	free(sql);
	xasprintf(&opt, "options='-csearch_path=%s'", fx->schema);
	if (pg_open("pg", dsn, opt, tu_server_password("PG"), 10, &fx->c,
	    &err) != 0)
		fail_msg("connect: %s", err.msg);
	free(opt);
}

/* Run SQL as the administrator with the test's schema first; output. */
static char *
fx_sql(struct fx *fx, const char *sql)
{
	char	*full, *out;

	xasprintf(&full, "SET search_path = \"%s\", public;\n%s", fx->schema,
	    sql);
	out = tu_server_sql("PG", NULL, full);
	free(full);
	return out;
}

static void
assert_sql(struct fx *fx, const char *sql, const char *want)
{
	char	*got;

	got = fx_sql(fx, sql);
	assert_string_equal(got, want);
	free(got);
}

static void
exec_ok(struct fx *fx, const char *sql)
{
	struct ps_error	err;

	if (db_exec(fx->c, sql, &err) != 0)
		fail_msg("exec: %s\n%s", err.msg, sql);
}

/* Rows of TABLE as text, in strict key order (tu_scan_rows). */
static char *
scan_text(struct db_conn *c, const char *table, char *const *cols,
    const enum type_family *fam, int ncols, int nkey, const struct row *eq)
{
	return tu_scan_rows(c, table, cols, fam, ncols, nkey, eq, 0);
}

/* The canonical form of IN for family FAM (for JSON, whatever it is). */
static char *
canon(enum type_family fam, const char *in)
{
	struct strbuf	sb = STRBUF_INIT;
	struct ps_error	err;

	if (value_canon(fam, in, strlen(in), &sb, &err) != 0)
		fail_msg("canon %s: %s", in, err.msg);
	return sb_detach(&sb);
}

/* ---- connections ---- */

static void
test_registry(void **state)
{
	struct ps_error	 err;

	(void)state;
	assert_ptr_equal(db_driver("postgresql", &err), &db_pg_ops);
	assert_ptr_equal(db_driver("pg", &err), &db_pg_ops);
	assert_int_equal(db_pg_ops.version, DB_OPS_VERSION);
	assert_string_equal(db_pg_ops.name, "postgresql");
}

static void
test_connect(void **state)
{
	struct db_conn	*c = NULL;
	struct ps_error	 err;
	const char	*dsn, *pw, *port;
	char		*v, *uri, *extra;

	dsn = tu_server_dsn("PG");
	pw = tu_server_password("PG");
	port = getenv("PROJSYNC_TEST_PG_PORT");
	assert_non_null(port);
	(void)state;
	/* libpq's own password sources must not help the wrong cases. */
	unsetenv("PGPASSWORD");
	setenv("PGPASSFILE", "/nonexistent/pgpass", 1);

	assert_int_equal(pg_open("prod", dsn, NULL, pw, 5, &c, &err), 0);
	assert_string_equal(c->name, "prod");
	v = c->ops->server_version(c);
	assert_true(strncmp(v, "PostgreSQL ", 11) == 0);
	assert_non_null(strchr(v + 11, '.'));
	free(v);
	db_close(c);
	c = NULL;

	/* A URI. */
	xasprintf(&uri, "postgresql://projsync@127.0.0.1:%s/projsync"
	    "?sslmode=disable", port);
	assert_int_equal(pg_open("prod", uri, NULL, pw, 5, &c, &err), 0);
	db_close(c);
	c = NULL;
	free(uri);

	/* A wrong password: the message never shows it. */
	assert_int_equal(pg_open("prod", dsn, NULL, "s3cr3t-WRONG", 5, &c,
	    &err), -1);
	assert_null(c);
	assert_int_equal(err.code, PS_ERR_AUTH);
	assert_true(strncmp(err.msg, "connection 'prod': ", 19) == 0);
	assert_non_null(strstr(err.msg, "password authentication failed"));
	assert_null(strstr(err.msg, "s3cr3t"));
	assert_null(strchr(err.msg, '\n'));
	/* No password at all. */
	assert_int_equal(pg_open("prod", dsn, NULL, NULL, 5, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_AUTH);

	/* A missing database (the DSN's dbname overridden). */
	assert_int_equal(pg_open("prod", dsn, "dbname=projsync_no_such_db",
	    pw, 5, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "connection 'prod': "));
	assert_non_null(strstr(err.msg, "projsync_no_such_db"));

	/* Nothing listens there. */
	assert_int_equal(pg_open("prod", "host=127.0.0.1 port=1 user=x "
	    "dbname=y", NULL, pw, 5, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONNECT);
	assert_true(strncmp(err.msg, "connection 'prod': ", 19) == 0);
	assert_null(strchr(err.msg, '\n'));

	/* A documentation address nobody answers: bounded by the timeout. */
	assert_int_equal(pg_open("prod", "host=192.0.2.77 port=5432 user=x "
	    "dbname=y sslmode=disable", NULL, pw, 1, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONNECT);
	assert_true(strncmp(err.msg, "connection 'prod': ", 19) == 0);

	/* A malformed DSN. */
	assert_int_equal(pg_open("prod", "host=x nonsense_option=1", NULL, pw,
	    5, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "invalid PostgreSQL DSN"));
	assert_non_null(strstr(err.msg, "nonsense_option"));
	assert_int_equal(pg_open("prod", "password=hunter2 junk", NULL, pw, 5,
	    &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	assert_null(strstr(err.msg, "hunter2"));

	/* The DSN's own options are kept, ours win for the zone. */
	xasprintf(&extra, "application_name=mine options='-c "
	    "TimeZone=Asia/Tokyo -c work_mem=7MB'");
	if (pg_open("prod", dsn, extra, pw, 5, &c, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(db_exec(c, "DO $$ BEGIN IF current_setting("
	    "'TimeZone') <> 'UTC' OR current_setting('application_name') <> "
	    "'mine' OR current_setting('DateStyle') <> 'ISO, MDY' OR "
	    "current_setting('work_mem') <> '7MB' THEN "
	    "RAISE 'bad session'; END IF; END $$", &err), 0);
	db_close(c);
	free(extra);
}

static void
test_list_tables(void **state)
{
	struct fx	*fx = *state;
	struct db_conn	*c = NULL;
	struct ps_error	 err;
	char		**names, *opt, *want;
	int		 n;

	fx_open(fx);
	exec_ok(fx, "CREATE TABLE b (x int);"
	    "CREATE TABLE a (id serial PRIMARY KEY);"
	    "CREATE TABLE \"Z\" (x int);"
	    "CREATE TABLE \"a.b c\" (x int);"
	    "CREATE VIEW v AS SELECT * FROM b;"
	    "CREATE TABLE p (k int) PARTITION BY RANGE (k);"
	    "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);");
	xasprintf(&opt, "CREATE TABLE \"%s_b\".c (x int)", fx->schema);
	exec_ok(fx, opt);
	free(opt);
	assert_int_equal(db_list_tables(fx->c, &names, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_string_equal(names[0], "Z");
	assert_string_equal(names[1], "a");
	assert_string_equal(names[2], "a.b c");
	assert_string_equal(names[3], "b");
	assert_string_equal(names[4], "p");
	assert_null(names[5]);
	util_strv_free(names);

	/* A second schema in the path: its tables come qualified. */
	xasprintf(&opt, "options='-csearch_path=%s,%s_b'", fx->schema,
	    fx->schema);
	assert_int_equal(pg_open("pg2", tu_server_dsn("PG"), opt,
	    tu_server_password("PG"), 5, &c, &err), 0);
	free(opt);
	assert_int_equal(db_list_tables(c, &names, &n, &err), 0);
	assert_int_equal(n, 6);
	xasprintf(&want, "%s_b.c", fx->schema);
	assert_string_equal(names[5], want);
	free(want);
	util_strv_free(names);
	db_close(c);
}

/* ---- describe ---- */

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
citext_ensure(void)
{
	char	*out;

	out = tu_server_sql("PG", NULL,
	    "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public");
	free(out);
}

static void
test_describe_families(void **state)
{
	struct fx		*fx = *state;
	struct table_def	 td;
	struct ps_error		 err;

	fx_open(fx);
	citext_ensure();
	exec_ok(fx, "CREATE TYPE mood AS ENUM ('sad', 'ok');"
	    "CREATE DOMAIN short AS varchar(7) NOT NULL;"
	    "CREATE TABLE f ("
	    "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
	    "s2 smallint NOT NULL DEFAULT 0, s4 serial, i4 integer, "
	    "b8 bigserial, "
	    "n numeric(10,2), n2 numeric, n3 numeric(7), "
	    "r real, d double precision, bo boolean DEFAULT true, "
	    "vc varchar(100) DEFAULT 'x', ch char(3), t text, "
	    "ci public.citext, "
	    "nm name, by bytea, da date, tm time, tm3 time(3), ttz timetz, "
	    "ts timestamp, ts0 timestamp(0), tz timestamptz, "
	    "tz3 timestamptz(3), j json, jb jsonb, u uuid, e mood, "
	    "iv interval, ia int[], dom short, "
	    "g int GENERATED ALWAYS AS (i4 + 1) STORED)");
	assert_int_equal(db_describe(fx->c, "f", &td, &err), 0);
	assert_string_equal(td.schema, fx->schema);
	assert_string_equal(td.name, "f");
	assert_int_equal(td.ncols, 32);
	assert_int_equal(table_def_col(&td, "g"), -1);

	assert_col(&td, "id", TF_INTEGER, -1, 8, -1, 0);
	assert_int_equal(col(&td, "id")->autoincrement, 1);
	assert_null(col(&td, "id")->default_expr);
	assert_string_equal(col(&td, "id")->type_name, "bigint");
	assert_col(&td, "s2", TF_INTEGER, -1, 2, -1, 0);
	assert_string_equal(col(&td, "s2")->default_expr, "0");
	assert_int_equal(col(&td, "s2")->autoincrement, 0);
	assert_col(&td, "s4", TF_INTEGER, -1, 4, -1, 0);
	assert_int_equal(col(&td, "s4")->autoincrement, 1);
	assert_non_null(strstr(col(&td, "s4")->default_expr, "nextval("));
	assert_col(&td, "i4", TF_INTEGER, -1, 4, -1, 1);
	assert_col(&td, "b8", TF_INTEGER, -1, 8, -1, 0);
	assert_int_equal(col(&td, "b8")->autoincrement, 1);
	assert_col(&td, "n", TF_DECIMAL, -1, 10, 2, 1);
	assert_string_equal(col(&td, "n")->type_name, "numeric(10,2)");
	assert_col(&td, "n2", TF_DECIMAL, -1, -1, -1, 1);
	assert_col(&td, "n3", TF_DECIMAL, -1, 7, 0, 1);
	assert_col(&td, "r", TF_FLOAT, -1, 4, -1, 1);
	assert_col(&td, "d", TF_FLOAT, -1, 8, -1, 1);
	assert_col(&td, "bo", TF_BOOLEAN, -1, -1, -1, 1);
	assert_string_equal(col(&td, "bo")->default_expr, "true");
	assert_col(&td, "vc", TF_TEXT, 100, -1, -1, 1);
	assert_string_equal(col(&td, "vc")->type_name,
	    "character varying(100)");
	assert_string_equal(col(&td, "vc")->default_expr,
	    "'x'::character varying");
	assert_col(&td, "ch", TF_TEXT, 3, -1, -1, 1);
	assert_col(&td, "t", TF_TEXT, -1, -1, -1, 1);
	assert_null(col(&td, "t")->default_expr);
	assert_col(&td, "ci", TF_TEXT, -1, -1, -1, 1);
	assert_col(&td, "nm", TF_TEXT, -1, -1, -1, 1);
	assert_col(&td, "by", TF_BINARY, -1, -1, -1, 1);
	assert_col(&td, "da", TF_DATE, -1, -1, -1, 1);
	assert_col(&td, "tm", TF_TIME, -1, -1, 6, 1);
	assert_col(&td, "tm3", TF_TIME, -1, -1, 3, 1);
	assert_col(&td, "ttz", TF_OTHER, -1, -1, -1, 1);
	assert_col(&td, "ts", TF_TIMESTAMP, -1, -1, 6, 1);
	assert_col(&td, "ts0", TF_TIMESTAMP, -1, -1, 0, 1);
	assert_col(&td, "tz", TF_TIMESTAMPTZ, -1, -1, 6, 1);
	assert_col(&td, "tz3", TF_TIMESTAMPTZ, -1, -1, 3, 1);
	assert_col(&td, "j", TF_JSON, -1, -1, -1, 1);
	assert_col(&td, "jb", TF_JSON, -1, -1, -1, 1);
	assert_col(&td, "u", TF_UUID, -1, -1, -1, 1);
	assert_col(&td, "e", TF_TEXT, -1, -1, -1, 1);
	assert_string_equal(col(&td, "e")->type_name, "mood");
	assert_col(&td, "iv", TF_OTHER, -1, -1, -1, 1);
	assert_col(&td, "ia", TF_OTHER, -1, -1, -1, 1);
	/* A domain reads as its base type, its NOT NULL included. */
	assert_col(&td, "dom", TF_TEXT, 7, -1, -1, 0);
	assert_string_equal(col(&td, "dom")->type_name, "short");
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
	char			*sql, *name;

	fx_open(fx);
	exec_ok(fx,
	    "CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, "
	    "  a int, b int, UNIQUE (b, a));"
	    "CREATE TABLE k (x text NOT NULL, y int NOT NULL, z text, "
	    "  pid int REFERENCES parent, pcode text, pa int, pb int, "
	    "  up text, "
	    "  PRIMARY KEY (y, x), "
	    "  FOREIGN KEY (pcode) REFERENCES parent (code), "
	    "  FOREIGN KEY (pb, pa) REFERENCES parent (b, a), "
	    "  FOREIGN KEY (up, y) REFERENCES k (x, y));"
	    "CREATE UNIQUE INDEX k_z ON k (z);"
	    "CREATE UNIQUE INDEX k_part ON k (pa) WHERE pa > 0;"
	    "CREATE UNIQUE INDEX k_expr ON k (lower(z));"
	    "CREATE UNIQUE INDEX k_incl ON k (pb) INCLUDE (pa);"
	    "CREATE INDEX k_plain ON k (pa);"
	    "CREATE TABLE \"x.y\" (\"we\"\"ird\" int PRIMARY KEY);");
	xasprintf(&sql, "CREATE TABLE \"%s_b\".other (id int PRIMARY KEY, "
	    "kx text, ky int, FOREIGN KEY (ky, kx) REFERENCES \"%s\".k (y, x), "
	    "up int REFERENCES \"%s_b\".other)", fx->schema, fx->schema,
	    fx->schema);
	exec_ok(fx, sql);
	free(sql);

	assert_int_equal(db_describe(fx->c, "k", &td, &err), 0);
	assert_int_equal(td.npk, 2);
	assert_string_equal(td.pk[0], "y");
	assert_string_equal(td.pk[1], "x");
	assert_int_equal(col(&td, "y")->nullable, 0);
	assert_int_equal(col(&td, "z")->nullable, 1);
	/* Full unique indexes on columns only, by name. */
	assert_int_equal(td.nidx, 2);
	assert_string_equal(td.idx[0].name, "k_incl");
	assert_int_equal(td.idx[0].ncols, 1);
	assert_string_equal(td.idx[0].cols[0], "pb");
	assert_string_equal(td.idx[1].name, "k_z");
	assert_int_equal(td.idx[1].unique, 1);
	assert_string_equal(td.idx[1].cols[0], "z");
	/* Foreign keys in creation order. */
	assert_int_equal(td.nfk, 4);
	assert_string_equal(td.fks[0].ref_table, "parent");
	assert_int_equal(td.fks[0].ncols, 1);
	assert_string_equal(td.fks[0].cols[0], "pid");
	assert_string_equal(td.fks[0].ref_cols[0], "id");
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
	assert_string_equal(td.fks[3].ref_cols[1], "y");
	table_def_free(&td);

	/* UNIQUE constraints are unique indexes. */
	assert_int_equal(db_describe(fx->c, "parent", &td, &err), 0);
	assert_int_equal(td.nidx, 2);
	assert_int_equal(td.idx[0].ncols, 2);
	assert_string_equal(td.idx[0].cols[0], "b");
	assert_string_equal(td.idx[0].cols[1], "a");
	assert_int_equal(td.idx[1].ncols, 1);
	assert_string_equal(td.idx[1].cols[0], "code");
	table_def_free(&td);

	/* A dot in a name is part of it unless the schema exists. */
	assert_int_equal(db_describe(fx->c, "x.y", &td, &err), 0);
	assert_string_equal(td.name, "x.y");
	assert_string_equal(td.cols[0].name, "we\"ird");
	table_def_free(&td);

	/* A schema-qualified name outside the search path. */
	xasprintf(&name, "%s_b.other", fx->schema);
	assert_int_equal(db_describe(fx->c, name, &td, &err), 0);
	xasprintf(&sql, "%s_b", fx->schema);
	assert_string_equal(td.schema, sql);
	assert_string_equal(td.name, "other");
	assert_int_equal(td.nfk, 2);
	/* The parent in the path's first schema is unqualified. */
	assert_string_equal(td.fks[0].ref_table, "k");
	assert_string_equal(td.fks[0].cols[0], "ky");
	assert_string_equal(td.fks[0].ref_cols[1], "x");
	/* The self-reference is qualified like list_tables names it. */
	assert_string_equal(td.fks[1].ref_table, name);
	table_def_free(&td);
	free(name);
	/* The first schema may be named too. */
	xasprintf(&name, "%s.k", fx->schema);
	assert_int_equal(db_describe(fx->c, name, &td, &err), 0);
	assert_int_equal(td.npk, 2);
	table_def_free(&td);
	free(name);
	free(sql);

	assert_int_equal(db_describe(fx->c, "missing", &td, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "table 'missing' does not exist on "
	    "connection 'pg'");
	xasprintf(&name, "%s.nope", fx->schema);
	assert_int_equal(db_describe(fx->c, name, &td, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	free(name);
}

/* ---- scans ---- */

static void
test_scan_values(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"t",
				    (char *)"vc", (char *)"ch", (char *)"b",
				    (char *)"i2", (char *)"n", (char *)"nu",
				    (char *)"f4", (char *)"f8", (char *)"by",
				    (char *)"d", (char *)"tm", (char *)"ts",
				    (char *)"tz", (char *)"u", (char *)"e",
				    (char *)"iv", (char *)"ttz", (char *)"ci" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_TEXT,
				    TF_TEXT, TF_BOOLEAN, TF_INTEGER,
				    TF_DECIMAL, TF_DECIMAL, TF_FLOAT,
				    TF_FLOAT, TF_BINARY, TF_DATE, TF_TIME,
				    TF_TIMESTAMP, TF_TIMESTAMPTZ, TF_UUID,
				    TF_TEXT, TF_OTHER, TF_OTHER, TF_TEXT };
	char			*jcols[] = { (char *)"id", (char *)"j",
				    (char *)"jb" };
	enum type_family	 jfam[] = { TF_INTEGER, TF_JSON, TF_JSON };
	char			*bcols[] = { (char *)"id", (char *)"t" };
	enum type_family	 bfam[] = { TF_INTEGER, TF_TEXT };
	struct scan_spec	 spec;
	struct db_cursor	*cur = NULL, *cur2 = NULL;
	struct row		 r, key;
	struct ps_error		 err;
	char			*got, *want, *j1, *j2, *p;
	int			 rc;

	fx_open(fx);
	citext_ensure();
	exec_ok(fx, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');"
	    "CREATE TABLE v (id int8 PRIMARY KEY, t text, vc varchar(10), "
	    "ch char(3), b bool, i2 int2, n numeric(10,2), nu numeric, "
	    "f4 float4, f8 float8, by bytea, d date, tm time, ts timestamp, "
	    "tz timestamptz, u uuid, e mood, iv interval, ttz timetz, "
	    "ci public.citext, j json, jb jsonb)");
	/* Written from a session in another zone. */
	free(fx_sql(fx, "SET TimeZone = 'Asia/Tokyo';\n"
	    "INSERT INTO v (id) VALUES (1);\n"
	    "INSERT INTO v VALUES (-9223372036854775808, '', 'it''s', 'ab', "
	    "true, -32768, 0.10, 'NaN', 0.1, 0.1, '\\x00ff005c'::bytea, "
	    "'2024-02-29', '23:59:59.5', '2024-01-02 03:04:05.123456', "
	    "'2021-01-01 10:00:00+02', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', "
	    "'happy', '1 day 02:00:00', '10:00:00+02', 'MiXeD', "
	    "'{\"b\": 1,  \"a\":[1,2]}', '{\"b\": 1,  \"a\":[1,2]}');\n"
	    "INSERT INTO v (id, t, n, nu, f4, f8, by, d, ts, tz) VALUES "
	    "(9223372036854775807, E'q''uote \"dq\" back\\\\slash\\ttab\\n"
	    "nl\\rcr \xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87', -99999.99, "
	    "'-0.000', '-Infinity', 'Infinity', '', 'infinity', '-infinity', "
	    "'infinity');\n"
	    "INSERT INTO v (id, f8, nu, ts) VALUES (5, 'NaN', 0, "
	    "'2024-01-02 03:04:05.100'), (6, '-0', 1e20, NULL), "
	    "(7, 1e20, NULL, NULL), (8, 1.5e-7, NULL, NULL);\n"
	    "INSERT INTO v (id, t) VALUES (4, repeat('x', 1048576) || "
	    "'\xc3\xa9');\n"));

	/* The 1 MB text, by key. */
	row_init(&key, 1);
	row_set_str(&key, 0, "4");
	memset(&spec, 0, sizeof spec);
	spec.table = "v";
	spec.ncols = 2;
	spec.cols = bcols;
	spec.fam = bfam;
	spec.nkey = 1;
	spec.key_eq = &key;
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	row_init(&r, 2);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 1);
	assert_int_equal(row_len(&r, 1), 1048576 + 2);
	assert_int_equal(strspn(row_ptr(&r, 1), "x"), 1048576);
	assert_string_equal(row_ptr(&r, 1) + 1048576, "\xc3\xa9");
	assert_int_equal(db_next(fx->c, cur, &r, &err), 0);
	db_cursor_free(fx->c, cur);
	row_free(&r);
	/* And streamed. */
	got = scan_text(fx->c, "v", bcols, bfam, 2, 1, NULL);
	assert_non_null(p = strstr(got, "\n4|"));
	assert_int_equal(strspn(p + 3, "x"), 1048576);
	assert_true(strncmp(p + 3 + 1048576, "\xc3\xa9\n5|NULL\n", 10) == 0);
	free(got);

	/* Everything but the 1 MB text. */
	free(fx_sql(fx, "UPDATE v SET t = 'big' WHERE id = 4"));
	got = scan_text(fx->c, "v", cols, fam, 20, 1, NULL);
	assert_string_equal(got,
	    "-9223372036854775808||it's|ab |true|-32768|0.1|nan|0.1|0.1|"
	    "x'00ff005c'|2024-02-29|23:59:59.5|2024-01-02 03:04:05.123456|"
	    "2021-01-01 08:00:00+00|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|"
	    "happy|1 day 02:00:00|10:00:00+02|MiXeD\n"
	    "1|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|"
	    "NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
	    "4|big|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|"
	    "NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
	    "5|NULL|NULL|NULL|NULL|NULL|NULL|0|NULL|nan|NULL|NULL|NULL|"
	    "2024-01-02 03:04:05.1|NULL|NULL|NULL|NULL|NULL|NULL\n"
	    "6|NULL|NULL|NULL|NULL|NULL|NULL|100000000000000000000|NULL|0|"
	    "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
	    "7|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|1e+20|NULL|NULL|NULL|"
	    "NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
	    "8|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|1.5e-7|NULL|NULL|"
	    "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
	    "9223372036854775807|q'uote \"dq\" back\\slash\ttab\nnl\rcr "
	    "\xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87|NULL|NULL|NULL|NULL|"
	    "-99999.99|0|-inf|inf|x''|infinity|NULL|-infinity|infinity|NULL|"
	    "NULL|NULL|NULL|NULL\n");
	free(got);

	/* JSON is canonical JSON, whatever value_canon makes of it. */
	got = scan_text(fx->c, "v", jcols, jfam, 3, 1, NULL);
	j1 = canon(TF_JSON, "{\"b\": 1,  \"a\":[1,2]}");
	j2 = canon(TF_JSON, "{\"a\": [1, 2], \"b\": 1}");
	xasprintf(&want, "-9223372036854775808|%s|%s\n1|NULL|NULL\n"
	    "4|NULL|NULL\n5|NULL|NULL\n6|NULL|NULL\n7|NULL|NULL\n"
	    "8|NULL|NULL\n9223372036854775807|NULL|NULL\n", j1, j2);
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(j1);
	free(j2);

	/* A lookup by key, also while a scan streams. */
	spec.ncols = 20;
	spec.cols = cols;
	spec.fam = fam;
	row_set_str(&key, 0, "-9223372036854775808");
	got = scan_text(fx->c, "v", cols, fam, 20, 1, &key);
	assert_non_null(strstr(got, "|x'00ff005c'|"));
	assert_non_null(strstr(got, "|2021-01-01 08:00:00+00|"));
	free(got);
	spec.key_eq = NULL;
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	row_init(&r, 20);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 1);
	row_set_str(&key, 0, "9223372036854775807");
	got = scan_text(fx->c, "v", cols, fam, 20, 1, &key);
	assert_true(strncmp(got, "9223372036854775807|q'uote", 26) == 0);
	free(got);
	row_set_str(&key, 0, "12345");
	got = scan_text(fx->c, "v", cols, fam, 20, 1, &key);
	assert_string_equal(got, "");
	free(got);
	/* A second full scan cannot share the reader. */
	assert_int_equal(db_scan(fx->c, &spec, &cur2, &err), -1);
	assert_null(cur2);
	assert_int_equal(err.code, PS_ERR_INTERNAL);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 1);
	/* Freed half-way: the stream is stopped, the reader usable again. */
	db_cursor_free(fx->c, cur);
	got = scan_text(fx->c, "v", cols, fam, 2, 1, NULL);
	free(got);

	/* A value that does not read as its family names where it is. */
	fam[6] = TF_DATE;
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	while ((rc = db_next(fx->c, cur, &r, &err)) == 1)
		;
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "connection 'pg'"));
	assert_non_null(strstr(err.msg, "table 'v'"));
	assert_non_null(strstr(err.msg, "column 'n'"));
	db_cursor_free(fx->c, cur);
	fam[6] = TF_DECIMAL;

	/* A missing table, a missing column. */
	spec.table = "nope";
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), -1);
	assert_null(cur);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "table 'nope' does not exist on "
	    "connection 'pg'");
	spec.table = "v";
	cols[3] = (char *)"nocol";
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), -1);
	assert_int_equal(err.code, PS_ERR_DB);
	assert_non_null(strstr(err.msg, "nocol"));
	assert_non_null(strstr(err.msg, "table 'v'"));
	row_free(&r);
	row_free(&key);
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
	enum type_family	 ufam[] = { TF_UUID, TF_TEXT };
	enum type_family	 dfam[] = { TF_DECIMAL, TF_TEXT };
	enum type_family	 sfam[] = { TF_TIMESTAMPTZ, TF_TEXT };
	char			*got;

	fx_open(fx);
	citext_ensure();
	exec_ok(fx,
	    "CREATE TABLE i (k int8 PRIMARY KEY, v text);"
	    "INSERT INTO i VALUES (10, 'a'), (-3, 'b'), (2, 'c'), "
	    "(-20, 'd'), (0, 'e'), (-9223372036854775808, 'min');"
	    /* An ICU collation would sort "a" before "B". */
	    "CREATE TABLE t (k text COLLATE \"und-x-icu\" PRIMARY KEY, v text);"
	    "INSERT INTO t VALUES ('\xc3\xa9', '1'), ('a', '2'), "
	    "('\xf0\x9f\x98\x80', '3'), ('B', '4'), ('a ', '5'), ('Z', '6');"
	    "CREATE TABLE ci (k public.citext PRIMARY KEY, v text);"
	    "INSERT INTO ci VALUES ('b', '1'), ('A', '2'), ('C', '3');"
	    "CREATE TYPE lvl AS ENUM ('zz', 'mm', 'aa');"
	    "CREATE TABLE en (k lvl PRIMARY KEY, v text);"
	    "INSERT INTO en VALUES ('zz', '1'), ('mm', '2'), ('aa', '3');"
	    "CREATE TABLE vc (k varchar(5) COLLATE \"en-x-icu\" PRIMARY KEY, "
	    "v text);"
	    "INSERT INTO vc VALUES ('b', '1'), ('A', '2'), ('a', '3');"
	    "CREATE TABLE c (a int, b text, v text, PRIMARY KEY (a, b));"
	    "INSERT INTO c VALUES (2, 'a', '1'), (1, 'b', '2'), "
	    "(1, 'B', '3'), (-1, 'z', '4'), (2, '', '5');"
	    "CREATE TABLE u (k uuid PRIMARY KEY, v text);"
	    "INSERT INTO u VALUES ('ffffffff-0000-0000-0000-000000000000', "
	    "'1'), ('0a000000-0000-0000-0000-000000000000', '2'), "
	    "('a0000000-0000-0000-0000-000000000000', '3');"
	    "CREATE TABLE d (k numeric PRIMARY KEY, v text);"
	    "INSERT INTO d VALUES (10, '1'), (9.5, '2'), (-1, '3'), "
	    "('NaN', '4'), (0.001, '5');"
	    "CREATE TABLE s (k timestamptz PRIMARY KEY, v text);"
	    "INSERT INTO s VALUES ('2024-01-01 10:00:00.5+00', '1'), "
	    "('2024-01-01 10:00:00+00', '2'), "
	    "('2024-01-01 09:59:59+00', '3');");

	got = scan_text(fx->c, "i", cols, ifam, 2, 1, NULL);
	assert_string_equal(got, "-9223372036854775808|min\n-20|d\n-3|b\n"
	    "0|e\n2|c\n10|a\n");
	free(got);
	got = scan_text(fx->c, "t", cols, tfam, 2, 1, NULL);
	assert_string_equal(got, "B|4\nZ|6\na|2\na |5\n\xc3\xa9|1\n"
	    "\xf0\x9f\x98\x80|3\n");
	free(got);
	got = scan_text(fx->c, "ci", cols, tfam, 2, 1, NULL);
	assert_string_equal(got, "A|2\nC|3\nb|1\n");
	free(got);
	got = scan_text(fx->c, "en", cols, tfam, 2, 1, NULL);
	assert_string_equal(got, "aa|3\nmm|2\nzz|1\n");
	free(got);
	got = scan_text(fx->c, "vc", cols, tfam, 2, 1, NULL);
	assert_string_equal(got, "A|2\na|3\nb|1\n");
	free(got);
	got = scan_text(fx->c, "c", ccols, cfam, 3, 2, NULL);
	assert_string_equal(got, "-1|z|4\n1|B|3\n1|b|2\n2||5\n2|a|1\n");
	free(got);
	got = scan_text(fx->c, "u", cols, ufam, 2, 1, NULL);
	assert_string_equal(got, "0a000000-0000-0000-0000-000000000000|2\n"
	    "a0000000-0000-0000-0000-000000000000|3\n"
	    "ffffffff-0000-0000-0000-000000000000|1\n");
	free(got);
	got = scan_text(fx->c, "d", cols, dfam, 2, 1, NULL);
	assert_string_equal(got, "-1|3\n0.001|5\n9.5|2\n10|1\nnan|4\n");
	free(got);
	got = scan_text(fx->c, "s", cols, sfam, 2, 1, NULL);
	assert_string_equal(got, "2024-01-01 09:59:59+00|3\n"
	    "2024-01-01 10:00:00+00|2\n2024-01-01 10:00:00.5+00|1\n");
	free(got);
}

/* ---- writes ---- */

#define NV	14

static char *vcols[NV] = {
	(char *)"i\"d", (char *)"na me", (char *)"vc", (char *)"b",
	(char *)"n", (char *)"f", (char *)"by", (char *)"d", (char *)"tm",
	(char *)"ts", (char *)"tz", (char *)"u", (char *)"e", (char *)"iv"
};
static enum type_family vfam[NV] = {
	TF_INTEGER, TF_TEXT, TF_TEXT, TF_BOOLEAN, TF_DECIMAL, TF_FLOAT,
	TF_BINARY, TF_DATE, TF_TIME, TF_TIMESTAMP, TF_TIMESTAMPTZ, TF_UUID,
	TF_TEXT, TF_OTHER
};

static void
create_hostile(struct fx *fx)
{
	exec_ok(fx, "CREATE TYPE mood AS ENUM ('sad', 'happy');"
	    "CREATE TABLE \"we\"\"ird t.able\" (\"i\"\"d\" bigint PRIMARY KEY, "
	    "\"na me\" text, vc varchar(5), b boolean, n numeric(12,2), "
	    "f float8, by bytea, d date, tm time, ts timestamp, "
	    "tz timestamptz, u uuid, e mood, iv interval)");
}

/* Values of row K, canonical as the engine hands them. */
static void
hostile_row(struct row *r, int k)
{
	static const char	 bin[] = { '\0', '\xff', '\0', '\\', '\t' };

	row_reset(r);
	switch (k) {
	case 1:
		tu_set_row(r, NV, "-9223372036854775808",
		    "q'uote \"dq\" back\\slash\ttab\nnl\rcr \\N \\. "
		    "\xf0\x9f\x98\x80 \xe4\xb8\xad", "it's", "true", "0.1",
		    "0.1", NULL, "2024-02-29", "23:59:59.5",
		    "2024-01-02 03:04:05.123456", "2021-01-01 08:00:00+00",
		    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "happy",
		    "1 day 02:00:00");
		row_set(r, 6, bin, sizeof bin);
		break;
	case 2:
		tu_set_row(r, NV, "9223372036854775807", "", "", "false",
		    "-99999.99", "1e+20", NULL, "infinity", "00:00:00",
		    "-infinity", "infinity", NULL, "sad", NULL);
		row_set(r, 6, "", 0);
		break;
	case 3:
		tu_set_row(r, NV, "3", NULL, NULL, NULL, NULL, "inf", NULL, NULL,
		    NULL, NULL, NULL, NULL, NULL, NULL);
		break;
	case 4:
		tu_set_row(r, NV, "4", "x", NULL, NULL, "0", "nan", NULL, NULL,
		    NULL, NULL, NULL, NULL, NULL, NULL);
		break;
	default:
		tu_set_row(r, NV, "5", "five", "5", "true", "5.5", "-inf", NULL,
		    "2000-01-01", "12:00:00", "2000-01-01 00:00:00",
		    "2000-01-01 00:00:00.000001+00",
		    "00000000-0000-0000-0000-000000000005", "happy",
		    "00:00:05");
		break;
	}
}

/* The scan line of row R. */
static void
row_line(struct strbuf *sb, const struct row *r)
{
	int	i;

	for (i = 0; i < NV; i++) {
		if (i > 0)
			sb_addch(sb, '|');
		tu_add_cell(sb, r, i, vfam[i]);
	}
	sb_addch(sb, '\n');
}

/* Apply B in one transaction, or outside any when TXN is 0. */
static void
apply_ok(struct fx *fx, struct change_batch *b, int txn)
{
	struct ps_error	err;
	size_t		failed = 12345;

	if (txn)
		assert_int_equal(db_begin(fx->c, &err), 0);
	if (db_apply(fx->c, b, &failed, &err) != 0)
		fail_msg("apply: %s (failed %zu)", err.msg, failed);
	if (txn && db_commit(fx->c, &err) != 0)
		fail_msg("commit: %s", err.msg);
}

static void
test_apply_roundtrip(void **state)
{
	struct fx		*fx = *state;
	struct change_batch	 b;
	struct row		 r;
	struct strbuf		 want = STRBUF_INIT;
	struct ps_error		 err;
	size_t			 failed = 99;
	char			*got;
	int			 k;

	fx_open(fx);
	create_hostile(fx);
	change_batch_init(&b, HT, NV, vcols, vfam, 1);
	row_init(&r, NV);

	/* Set-based inserts, inside a transaction. */
	for (k = 1; k <= 4; k++) {
		hostile_row(&r, k);
		change_batch_add(&b, CH_INSERT, &r);
	}
	apply_ok(fx, &b, 1);
	got = scan_text(fx->c, HT, vcols, vfam, NV, 1, NULL);
	hostile_row(&r, 1);
	row_line(&want, &r);
	for (k = 3; k <= 4; k++) {
		hostile_row(&r, k);
		row_line(&want, &r);
	}
	hostile_row(&r, 2);
	row_line(&want, &r);
	assert_string_equal(got, sb_str(&want));
	free(got);
	assert_sql(fx, "SELECT \"na me\" FROM \"we\"\"ird t.able\" "
	    "WHERE \"i\"\"d\" = -9223372036854775808",
	    "q'uote \"dq\" back\\slash\ttab\n"
	    "nl\rcr \\N \\. \xf0\x9f\x98\x80 \xe4\xb8\xad\n");
	assert_sql(fx, "SELECT encode(by, 'hex'), ts, tz, f, e FROM "
	    "\"we\"\"ird t.able\" WHERE \"i\"\"d\" = -9223372036854775808",
	    "00ff005c09\t2024-01-02 03:04:05.123456\t"
	    "2021-01-01 08:00:00+00\t0.1\thappy\n");

	/* Updates (one of a missing row), a delete, an insert; no txn. */
	change_batch_clear(&b);
	tu_set_row(&r, NV, "3", "three", "abc", "false", "3.25", "-0.5", NULL,
	    "1999-12-31", "01:02:03", "1999-12-31 23:59:59",
	    "1999-12-31 23:59:59+00", NULL, NULL, "3 days");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, NV, "99", "missing", NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, NV, "4", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	hostile_row(&r, 5);
	change_batch_add(&b, CH_INSERT, &r);
	apply_ok(fx, &b, 0);
	got = scan_text(fx->c, HT, vcols, vfam, 2, 1, NULL);
	assert_string_equal(got, "-9223372036854775808|q'uote \"dq\" "
	    "back\\slash\ttab\nnl\rcr \\N \\. \xf0\x9f\x98\x80 \xe4\xb8\xad\n"
	    "3|three\n5|five\n99|missing\n"
	    "9223372036854775807|\n");
	free(got);
	assert_sql(fx, "SELECT vc, b, n, f, d, tm, ts, tz, iv FROM "
	    "\"we\"\"ird t.able\" WHERE \"i\"\"d\" = 3",
	    "abc\tf\t3.25\t-0.5\t1999-12-31\t01:02:03\t1999-12-31 23:59:59\t"
	    "1999-12-31 23:59:59+00\t3 days\n");

	/* Row by row (batches of one): the same operations. */
	tu_set_row(&r, NV, "6", "six", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL);
	row_set(&r, 6, "\0\\", 2);
	change_batch_clear(&b);
	change_batch_add(&b, CH_INSERT, &r);
	apply_ok(fx, &b, 1);
	change_batch_clear(&b);
	row_set_str(&r, 1, "six again");
	change_batch_add(&b, CH_UPDATE, &r);
	apply_ok(fx, &b, 1);
	change_batch_clear(&b);
	tu_set_row(&r, NV, "7", "seven", NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	apply_ok(fx, &b, 0);
	change_batch_clear(&b);
	tu_set_row(&r, NV, "5", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	apply_ok(fx, &b, 1);
	got = scan_text(fx->c, HT, vcols, vfam, 2, 1, NULL);
	assert_string_equal(got, "-9223372036854775808|q'uote \"dq\" "
	    "back\\slash\ttab\nnl\rcr \\N \\. \xf0\x9f\x98\x80 \xe4\xb8\xad\n"
	    "3|three\n6|six again\n7|seven\n99|missing\n"
	    "9223372036854775807|\n");
	free(got);
	assert_sql(fx, "SELECT encode(by, 'hex') FROM \"we\"\"ird t.able\" "
	    "WHERE \"i\"\"d\" = 6", "005c\n");

	/* A text value with a NUL byte cannot be stored. */
	change_batch_clear(&b);
	row_set(&r, 1, "a\0b", 3);
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "column 'na me'"));
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, SIZE_MAX);
	assert_int_equal(err.code, PS_ERR_VALUE);

	sb_free(&want);
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

	fx_open(fx);
	exec_ok(fx, "CREATE TABLE ak (a int, b text, PRIMARY KEY (a, b));"
	    "INSERT INTO ak VALUES (1, 'x');");
	change_batch_init(&b, "ak", 2, cols, fam, 2);
	row_init(&r, 2);
	tu_set_row(&r, 2, "1", "x");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 2, "2", "y");
	change_batch_add(&b, CH_UPDATE, &r);
	apply_ok(fx, &b, 1);
	change_batch_clear(&b);
	tu_set_row(&r, 2, "3", "z");
	change_batch_add(&b, CH_UPDATE, &r);
	apply_ok(fx, &b, 1);
	apply_ok(fx, &b, 1);
	assert_sql(fx, "SELECT * FROM ak ORDER BY a", "1\tx\n2\ty\n3\tz\n");
	change_batch_free(&b);
	row_free(&r);
}

static void
test_apply_keys(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"k", (char *)"u",
				    (char *)"j" };
	enum type_family	 fam[] = { TF_BINARY, TF_UUID, TF_JSON };
	struct change_batch	 b;
	struct row		 r;
	char			*got, *want, *j;

	fx_open(fx);
	exec_ok(fx, "CREATE TABLE bk (k bytea PRIMARY KEY, u uuid, j json)");
	change_batch_init(&b, "bk", 3, cols, fam, 1);
	row_init(&r, 3);
	tu_set_row(&r, 3, NULL, "00000000-0000-0000-0000-00000000000a",
	    "{\"a\": \"\\u00e9\\n\"}");
	row_set(&r, 0, "\xff\x00", 2);
	change_batch_add(&b, CH_INSERT, &r);
	row_set(&r, 0, "\x00\x01", 2);
	change_batch_add(&b, CH_INSERT, &r);
	row_set(&r, 0, "", 0);
	change_batch_add(&b, CH_INSERT, &r);
	row_set(&r, 0, "\\\t\n", 3);
	change_batch_add(&b, CH_INSERT, &r);
	apply_ok(fx, &b, 1);
	j = canon(TF_JSON, "{\"a\": \"\\u00e9\\n\"}");
	xasprintf(&want, "x''|00000000-0000-0000-0000-00000000000a|%s\n"
	    "x'0001'|00000000-0000-0000-0000-00000000000a|%s\n"
	    "x'5c090a'|00000000-0000-0000-0000-00000000000a|%s\n"
	    "x'ff00'|00000000-0000-0000-0000-00000000000a|%s\n", j, j, j, j);
	got = scan_text(fx->c, "bk", cols, fam, 3, 1, NULL);
	assert_string_equal(got, want);
	free(got);
	free(want);

	/* By key, one at a time: binary parameters. */
	change_batch_clear(&b);
	tu_set_row(&r, 3, NULL, "ffffffff-ffff-ffff-ffff-ffffffffffff", NULL);
	row_set(&r, 0, "\xff\x00", 2);
	change_batch_add(&b, CH_UPDATE, &r);
	apply_ok(fx, &b, 1);
	change_batch_clear(&b);
	row_set(&r, 0, "\x00\x01", 2);
	change_batch_add(&b, CH_DELETE, &r);
	apply_ok(fx, &b, 1);
	row_set(&r, 0, "\xff\x00", 2);
	got = scan_text(fx->c, "bk", cols, fam, 3, 1, &r);
	assert_string_equal(got,
	    "x'ff00'|ffffffff-ffff-ffff-ffff-ffffffffffff|NULL\n");
	free(got);
	assert_sql(fx, "SELECT encode(k, 'hex') FROM bk ORDER BY k",
	    "\n5c090a\nff00\n");
	free(j);
	change_batch_free(&b);
	row_free(&r);
}

/*
 * Batches in COPY's binary format: edge values of every type it encodes
 * land exactly as the server's own text input reads them (a reference
 * table filled with SQL literals), through the set-based apply and through
 * apply_commit; values it does not encode (infinities, NaN, more than six
 * fraction digits, year 0) go as text; an integer out of its column's range
 * is the server's error, never a wrapped value.
 */
#define BV_COLS	18
static const char *const bv_values[][BV_COLS] = {
	{ "1", "0", "0", "0", "0", "0", "false", "", "", "", "{}", "{}", "",
	  "00000000-0000-0000-0000-000000000000", "2000-01-01", "00:00:00",
	  "2000-01-01 00:00:00", "2000-01-01 00:00:00+00" },
	{ "-9223372036854775808", "-32768", "-2147483648",
	  "-99999999999999.999999", "-0.000000000000000000001",
	  "-1.5e300", "true", "tab\there\nnew line \\ back \xf0\x9f\x98\x80",
	  "12345678", "ab", "{\"a\":[1,2.5,\"x\"],\"b\":null}",
	  "{\"b\":null,\"a\":[1,2.5,\"x\"]}", "\x00\xff\\\t",
	  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "0001-01-01", "24:00:00",
	  "0001-01-01 00:00:00", "1969-12-31 23:59:59.999999+00" },
	{ "9223372036854775807", "32767", "2147483647", "12345678901234.5",
	  "123456789012345678901234567890.1234567890123", "4.9e-324", "true",
	  "caf\xc3\xa9", "x", "abcd", "[]", "[]", "\x01",
	  "ffffffff-ffff-ffff-ffff-ffffffffffff", "9999-12-31",
	  "23:59:59.999999", "9999-12-31 23:59:59.999999",
	  "2038-01-19 03:14:08.000001+00" },
	{ "4", "-1", "10000", "100000000", "0.0001", "0.1", "false", "4",
	  "4", "4", "1", "1", "4", "7c9e6679-7425-40de-944b-e07fc1f90ae7",
	  "1970-01-01", "00:00:00.000001", "1970-01-01 00:00:00.5",
	  "2024-02-29 12:00:00+00" },
	{ "5", "7", "-10000", "-0.5", "0.00010001", "123456789", "true", "5",
	  "5", "5", "\"s\"", "\"s\"", "5", "00000000-0000-0000-0000-000000000005",
	  "2024-02-29", "12:34:56.5", "1999-12-31 23:59:59.1",
	  "1999-12-31 23:59:59.123456+00" },
	/* Each row below makes its whole batch go as text. */
	{ "6", "1", "1", "nan", "inf", "nan", "true", "6", "6", "6", "null",
	  "null", "6", "00000000-0000-0000-0000-000000000006", "infinity",
	  "01:00:00", "-infinity", "infinity" },
	{ "7", "1", "1", "1.0000005", "1", "1", "true", "7", "7", "7", "7",
	  "7", "7", "00000000-0000-0000-0000-000000000007", "2000-01-01",
	  "01:00:00", "2000-01-01 00:00:00.1234565",
	  "2000-01-01 00:00:00.000000001+00" },
	{ "8", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "9", "9", "9", "9", "9", "9", "true", "9", "9", "9", "9", "9", "9",
	  "00000000-0000-0000-0000-000000000009", "2009-09-09", "09:09:09",
	  "2009-09-09 09:09:09", "2009-09-09 09:09:09+00" },
};

static const char bv_ddl[] =
    "(id int8 PRIMARY KEY, i2 int2, i4 int4, n numeric(20,6), nn numeric, "
    "f float8, b bool, t text, vc varchar(8), bp char(4), j json, "
    "jb jsonb, by bytea, u uuid, d date, tm time, ts timestamp(6), "
    "tz timestamptz(6))";

/* The same rows as SQL literals, read by the server's text input. */
static const char bv_ref[] =
    "INSERT INTO bv_ref VALUES "
    "(1, 0, 0, 0, 0, 0, false, '', '', '', '{}', '{}', '', "
    "'00000000-0000-0000-0000-000000000000', '2000-01-01', '00:00:00', "
    "'2000-01-01 00:00:00', '2000-01-01 00:00:00+00'),"
    "(-9223372036854775808, -32768, -2147483648, -99999999999999.999999, "
    "-0.000000000000000000001, -1.5e300, true, "
    "E'tab\\there\\nnew line \\\\ back \\U0001F600', '12345678', 'ab', "
    "'{\"a\":[1,2.5,\"x\"],\"b\":null}', '{\"b\":null,\"a\":[1,2.5,\"x\"]}', "
    "'\\x00ff5c09', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '0001-01-01', "
    "'24:00:00', '0001-01-01 00:00:00', '1969-12-31 23:59:59.999999+00'),"
    "(9223372036854775807, 32767, 2147483647, 12345678901234.5, "
    "123456789012345678901234567890.1234567890123, 4.9e-324, true, "
    "E'caf\\u00e9', 'x', 'abcd', '[]', '[]', '\\x01', "
    "'ffffffff-ffff-ffff-ffff-ffffffffffff', '9999-12-31', "
    "'23:59:59.999999', '9999-12-31 23:59:59.999999', "
    "'2038-01-19 03:14:08.000001+00'),"
    "(4, -1, 10000, 100000000, 0.0001, 0.1, false, '4', '4', '4', '1', "
    "'1', '\\x34', '7c9e6679-7425-40de-944b-e07fc1f90ae7', '1970-01-01', "
    "'00:00:00.000001', '1970-01-01 00:00:00.5', "
    "'2024-02-29 12:00:00+00'),"
    "(5, 7, -10000, -0.5, 0.00010001, 123456789, true, '5', '5', '5', "
    "'\"s\"', '\"s\"', '\\x35', '00000000-0000-0000-0000-000000000005', "
    "'2024-02-29', '12:34:56.5', '1999-12-31 23:59:59.1', "
    "'1999-12-31 23:59:59.123456+00'),"
    "(6, 1, 1, 'nan', 'inf', 'nan', true, '6', '6', '6', 'null', 'null', "
    "'\\x36', '00000000-0000-0000-0000-000000000006', 'infinity', "
    "'01:00:00', '-infinity', 'infinity'),"
    "(7, 1, 1, 1.0000005, 1, 1, true, '7', '7', '7', '7', '7', "
    "'\\x37', '00000000-0000-0000-0000-000000000007', '2000-01-01', "
    "'01:00:00', '2000-01-01 00:00:00.1234565', "
    "'2000-01-01 00:00:00.000000001+00'),"
    "(8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL),"
    "(9, 9, 9, 9, 9, 9, true, '9', '9', '9', '9', '9', '\\x39', "
    "'00000000-0000-0000-0000-000000000009', '2009-09-09', '09:09:09', "
    "'2009-09-09 09:09:09', '2009-09-09 09:09:09+00')";

static const enum type_family bv_fam[BV_COLS] = { TF_INTEGER, TF_INTEGER,
    TF_INTEGER, TF_DECIMAL, TF_DECIMAL, TF_FLOAT, TF_BOOLEAN, TF_TEXT,
    TF_TEXT, TF_TEXT, TF_JSON, TF_JSON, TF_BINARY, TF_UUID, TF_DATE, TF_TIME,
    TF_TIMESTAMP, TF_TIMESTAMPTZ };

static void
bv_batch(struct change_batch *b, struct row *r, int from, int to)
{
	const char	*v;
	char		*c;
	int		 k, i;

	change_batch_clear(b);
	for (k = from; k < to; k++) {
		row_reset(r);
		for (i = 0; i < BV_COLS; i++) {
			if ((v = bv_values[k][i]) == NULL)
				continue;
			if (bv_fam[i] == TF_BINARY) {
				/* Raw bytes; the one with a NUL first. */
				row_set(r, i, v, k == 1 ? 4 : strlen(v));
				continue;
			}
			c = canon(bv_fam[i], v);
			row_set_str(r, i, c);
			free(c);
		}
		change_batch_add(b, CH_INSERT, r);
	}
}

static void
test_apply_binary(void **state)
{
	struct fx		*fx = *state;
	static const char *const names[BV_COLS] = { "id", "i2", "i4", "n",
	    "nn", "f", "b", "t", "vc", "bp", "j", "jb", "by", "u", "d", "tm",
	    "ts", "tz" };
	struct change_batch	 b;
	struct change		 tmp;
	struct row		 r;
	struct ps_error		 err;
	char			*sql, *want;
	size_t			 failed;
	int			 stage;

	fx_open(fx);
	xasprintf(&sql, "CREATE TABLE bv %s; CREATE TABLE bv_ref %s; %s;",
	    bv_ddl, bv_ddl, bv_ref);
	exec_ok(fx, sql);
	free(sql);
	change_batch_init(&b, "bv", BV_COLS, (char **)names, bv_fam, 1);
	row_init(&r, BV_COLS);

	/* Rows 1-3 set-based, 4-5 by apply_commit, then one by one. */
	bv_batch(&b, &r, 0, 3);
	apply_ok(fx, &b, 1);
	bv_batch(&b, &r, 3, 5);
	assert_non_null(fx->c->ops->apply_commit);
	assert_int_equal(fx->c->ops->apply_commit(fx->c, &b, &failed, &stage,
	    &err), 0);
	/* Rows 6 and 8, then 7 and 9: as text, each batch whole. */
	bv_batch(&b, &r, 5, 8);
	tmp = b.ch[1];
	b.ch[1] = b.ch[2];
	b.ch[2] = tmp;
	b.n = 2;
	apply_ok(fx, &b, 1);
	bv_batch(&b, &r, 6, 9);
	tmp = b.ch[1];
	b.ch[1] = b.ch[2];
	b.ch[2] = tmp;
	b.n = 2;
	assert_int_equal(fx->c->ops->apply_commit(fx->c, &b, &failed, &stage,
	    &err), 0);
	want = fx_sql(fx, "SELECT w::text FROM bv_ref w ORDER BY id");
	assert_sql(fx, "SELECT w::text FROM bv w ORDER BY id", want);
	assert_non_null(strstr(want, "(9223372036854775807,32767,2147483647,"
	    "12345678901234.500000,"));
	free(want);
	assert_sql(fx, "SELECT count(*) FROM bv", "9\n");

	/* Year 0 (1 BC to PostgreSQL): refused, as its text input does. */
	bv_batch(&b, &r, 3, 5);
	row_set_str(&b.ch[0].row, 0, "40");
	row_set_str(&b.ch[1].row, 0, "41");
	row_set_str(&b.ch[1].row, 14, "0000-01-01");
	assert_int_equal(fx->c->ops->apply_commit(fx->c, &b, &failed, &stage,
	    &err), -1);
	assert_string_equal(err.sqlstate, "22008");

	/* Out of range for int2 and int4: refused by the server. */
	bv_batch(&b, &r, 3, 5);
	row_set_str(&b.ch[0].row, 0, "40");
	row_set_str(&b.ch[1].row, 0, "41");
	row_set_str(&b.ch[1].row, 1, "40000");
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_string_equal(err.sqlstate, "22003");
	assert_int_equal(db_rollback(fx->c, &err), 0);
	row_set_str(&b.ch[1].row, 1, "7");
	row_set_str(&b.ch[1].row, 2, "-2147483649");
	assert_int_equal(fx->c->ops->apply_commit(fx->c, &b, &failed, &stage,
	    &err), -1);
	assert_string_equal(err.sqlstate, "22003");
	assert_sql(fx, "SELECT count(*) FROM bv WHERE id IN (40, 41)", "0\n");
	change_batch_free(&b);
	row_free(&r);
}

static void
test_apply_errors(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"name",
				    (char *)"parent" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_INTEGER };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed;

	fx_open(fx);
	exec_ok(fx, "CREATE TABLE c (id int PRIMARY KEY, "
	    "name varchar(5) NOT NULL UNIQUE, parent int REFERENCES c);"
	    "INSERT INTO c VALUES (100, 'old', NULL);");
	change_batch_init(&b, "c", 3, cols, fam, 1);
	row_init(&r, 3);

	/* Too long for varchar(5): set-based, then a batch of one. */
	tu_set_row(&r, 3, "1", "ok", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "2", "much too long", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	failed = 7;
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, SIZE_MAX);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_string_equal(err.sqlstate, "22001");
	assert_non_null(strstr(err.msg, "connection 'pg': table 'c': "));
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(db_rollback(fx->c, &err), 0);
	b.n = 1;
	b.ch++;
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_string_equal(err.sqlstate, "22001");
	assert_int_equal(db_rollback(fx->c, &err), 0);
	b.ch--;
	b.n = 2;

	/* The stage table died with the rolled-back transaction: recreated. */
	tu_set_row(&r, 3, "2", "short", NULL);
	row_copy(&b.ch[1].row, &r);
	apply_ok(fx, &b, 1);
	assert_sql(fx, "SELECT * FROM c ORDER BY id",
	    "1\tok\t\n2\tshort\t\n100\told\t\n");

	/* A unique violation, and a NOT NULL one. */
	change_batch_clear(&b);
	tu_set_row(&r, 3, "3", "new", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "4", "old", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, SIZE_MAX);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_string_equal(err.sqlstate, "23505");
	assert_non_null(strstr(err.msg, "(old)"));
	assert_int_equal(db_rollback(fx->c, &err), 0);
	change_batch_clear(&b);
	tu_set_row(&r, 3, "3", NULL, NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_int_equal(db_rollback(fx->c, &err), 0);

	/* Children before their parent in one batch: checked per statement. */
	change_batch_clear(&b);
	tu_set_row(&r, 3, "11", "kid", "10");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "10", "mum", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "100", "old", "10");
	change_batch_add(&b, CH_UPDATE, &r);
	apply_ok(fx, &b, 1);
	/* A dangling reference fails the batch. */
	change_batch_clear(&b);
	tu_set_row(&r, 3, "12", "bad", "42");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "13", "fine", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, SIZE_MAX);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_string_equal(err.sqlstate, "23503");
	assert_int_equal(db_rollback(fx->c, &err), 0);

	/* Several batches in one transaction (the stage is emptied). */
	assert_int_equal(db_begin(fx->c, &err), 0);
	change_batch_clear(&b);
	tu_set_row(&r, 3, "20", "a", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "21", "b", NULL);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	change_batch_clear(&b);
	tu_set_row(&r, 3, "20", "a2", NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 3, "22", "c", "21");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_int_equal(db_commit(fx->c, &err), 0);
	assert_sql(fx, "SELECT * FROM c WHERE id >= 10 ORDER BY id",
	    "10\tmum\t\n11\tkid\t10\n20\ta2\t\n21\tb\t\n22\tc\t21\n"
	    "100\told\t10\n");

	/* A failed statement inside a transaction makes COMMIT fail. */
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_exec(fx->c, "INSERT INTO c VALUES (1, 'x', NULL)",
	    &err), -1);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_int_equal(db_commit(fx->c, &err), -1);
	assert_int_equal(err.code, PS_ERR_DB);
	assert_int_equal(db_rollback(fx->c, &err), 0);

	/* A missing table, a missing column. */
	b.table = "nope";
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, SIZE_MAX);
	assert_int_equal(err.code, PS_ERR_DB);
	assert_string_equal(err.msg, "table 'nope' does not exist on "
	    "connection 'pg'");
	b.table = "c";
	cols[1] = (char *)"nocol";
	b.n = 1;
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_DB);
	assert_non_null(strstr(err.msg, "no column 'nocol'"));
	change_batch_free(&b);
	row_free(&r);
}

static void
test_scan_while_writing(void **state)
{
	struct fx	*fx = *state;

	fx_open(fx);
	exec_ok(fx,
	    "CREATE TABLE i (k int PRIMARY KEY, v text);"
	    "CREATE TABLE t (k text PRIMARY KEY, v text);"
	    "INSERT INTO i SELECT x, 'orig' FROM generate_series(100, 298, 2) "
	    "x;"
	    "INSERT INTO t SELECT k, v FROM i;");
	tu_scan_while_writing(fx->c, "i", TF_INTEGER);
	tu_scan_while_writing(fx->c, "t", TF_TEXT);
	/* The committed batch stays, the rolled-back one is gone. */
	assert_sql(fx, "SELECT k, v FROM i WHERE v <> 'orig' OR "
	    "k IN (156, 216) ORDER BY k",
	    "157\tnew\n158\tchanged\n216\torig\n");
	assert_sql(fx, "SELECT count(*) FROM i", "100\n");
	assert_sql(fx, "SELECT k, v FROM t WHERE v <> 'orig' OR "
	    "k IN ('156', '216') ORDER BY k",
	    "157\tnew\n158\tchanged\n216\torig\n");
	assert_sql(fx, "SELECT count(*) FROM t", "100\n");
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
	struct change_batch	 b;
	struct row		 r;
	struct strbuf		 sql = STRBUF_INIT;
	struct strbuf		 q = STRBUF_INIT;
	struct ps_error		 err;
	char			*want;

	fx_open(fx);
	exec_ok(fx, "CREATE TABLE \"we\"\"ird t.able\" ("
	    "\"i\"\"d\" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
	    "\"na me\" text, bl bytea, n numeric, f float8, ok boolean)");
	change_batch_init(&b, HT, 6, cols, fam, 1);
	row_init(&r, 6);
	tu_set_row(&r, 6, "1", "it's a \\ back", NULL, "1.5", "0.1", "true");
	row_set(&r, 2, "\x00\xab", 2);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 6, "2", "\xf0\x9f\x98\x80", NULL, "nan", "-inf",
	    "false");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 6, "3", NULL, NULL, NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	db_render(fx->c, &b, &sql);
	xasprintf(&want,
	    "INSERT INTO \"%s\".\"we\"\"ird t.able\" (\"i\"\"d\", \"na me\", "
	    "\"bl\", \"n\", \"f\", \"ok\") OVERRIDING SYSTEM VALUE VALUES (1, "
	    "E'it''s a \\\\ back', E'\\\\x00ab'::bytea, 1.5, 0.1, true);\n"
	    "UPDATE \"%s\".\"we\"\"ird t.able\" SET \"na me\" = "
	    "'\xf0\x9f\x98\x80', \"bl\" = NULL, \"n\" = 'nan', "
	    "\"f\" = '-inf', \"ok\" = false WHERE \"i\"\"d\" = 2;\n"
	    "INSERT INTO \"%s\".\"we\"\"ird t.able\" (\"i\"\"d\", \"na me\", "
	    "\"bl\", \"n\", \"f\", \"ok\") OVERRIDING SYSTEM VALUE SELECT 2, "
	    "'\xf0\x9f\x98\x80', NULL, 'nan', '-inf', false WHERE NOT EXISTS "
	    "(SELECT 1 FROM \"%s\".\"we\"\"ird t.able\" "
	    "WHERE \"i\"\"d\" = 2);\n"
	    "DELETE FROM \"%s\".\"we\"\"ird t.able\" WHERE \"i\"\"d\" = 3;\n",
	    fx->schema, fx->schema, fx->schema, fx->schema, fx->schema);
	assert_string_equal(sb_str(&sql), want);
	free(want);

	/* The rendered SQL runs. */
	exec_ok(fx, sql.buf);
	assert_sql(fx, "SELECT \"i\"\"d\", \"na me\", encode(bl, 'hex'), n, f, "
	    "ok FROM \"we\"\"ird t.able\" ORDER BY 1",
	    "1\tit's a \\ back\t00ab\t1.5\t0.1\tt\n"
	    "2\t\xf0\x9f\x98\x80\t\tNaN\t-Infinity\tf\n");

	/* Text that is not valid UTF-8 is left for the server to refuse. */
	change_batch_clear(&b);
	tu_set_row(&r, 6, "4", NULL, NULL, NULL, NULL, NULL);
	row_set(&r, 1, "a\0b", 3);
	change_batch_add(&b, CH_INSERT, &r);
	sb_reset(&sql);
	db_render(fx->c, &b, &sql);
	assert_non_null(strstr(sb_str(&sql), "VALUES (4, "
	    "convert_from(E'\\\\x610062'::bytea, 'UTF8'), NULL"));
	assert_int_equal(db_exec(fx->c, sql.buf, &err), -1);

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
		    a->nullable != b->nullable ||
		    a->autoincrement != b->autoincrement)
			fail_msg("column %s: %s/%d/%d/%d/%d/%d became %s (%s) "
			    "%d/%d/%d/%d/%d", a->name, tf_name(a->family),
			    a->length, a->precision, a->scale, a->nullable,
			    a->autoincrement, tf_name(b->family), b->type_name,
			    b->length, b->precision, b->scale, b->nullable,
			    b->autoincrement);
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
	char			*want, *other;

	fx_open(fx);
	/* A parent with an identity key, from another engine. */
	memset(&p, 0, sizeof p);
	p.name = xstrdup("par ent");
	p.ncols = 2;
	p.cols = xcalloc(2, sizeof *p.cols);
	model_col(&p.cols[0], "id", TF_INTEGER, -1, 8, -1, 0, NULL);
	p.cols[0].autoincrement = 1;
	model_col(&p.cols[1], "name", TF_TEXT, 50, -1, -1, 0,
	    "'it''s'::character varying");
	p.npk = 1;
	p.pk = strv(1, "id");
	assert_int_equal(db_ddl(fx->c, DDL_CREATE_TABLE, &p, -1, &sql, &err),
	    0);
	assert_string_equal(sb_str(&sql), "CREATE TABLE \"par ent\" ("
	    "\"id\" bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL, "
	    "\"name\" varchar(50) NOT NULL DEFAULT 'it''s', "
	    "PRIMARY KEY (\"id\"));\n");
	exec_ok(fx, sql.buf);
	assert_int_equal(db_describe(fx->c, "par ent", &d, &err), 0);
	assert_same_shape(&p, &d);
	assert_string_equal(d.cols[1].default_expr,
	    "'it''s'::character varying");
	table_def_free(&d);

	/* Every family, a composite key, a unique index, foreign keys. */
	memset(&m, 0, sizeof m);
	m.name = xstrdup("all");
	m.ncols = 19;
	m.cols = xcalloc(19, sizeof *m.cols);
	model_col(&m.cols[0], "k1", TF_TEXT, -1, -1, -1, 0, NULL);
	model_col(&m.cols[1], "k2", TF_INTEGER, -1, 4, -1, 0, NULL);
	model_col(&m.cols[2], "dec", TF_DECIMAL, -1, 12, 3, 1, "0.000");
	model_col(&m.cols[3], "decu", TF_DECIMAL, -1, -1, -1, 1, NULL);
	model_col(&m.cols[4], "fl", TF_FLOAT, -1, 8, -1, 1, "-1.5e3");
	model_col(&m.cols[5], "f4", TF_FLOAT, -1, 4, -1, 1, NULL);
	model_col(&m.cols[6], "bo", TF_BOOLEAN, -1, -1, -1, 0, "0");
	model_col(&m.cols[7], "bin", TF_BINARY, -1, -1, -1, 1, NULL);
	model_col(&m.cols[8], "da", TF_DATE, -1, -1, -1, 1, "CURRENT_DATE");
	model_col(&m.cols[9], "ti", TF_TIME, -1, -1, 6, 1, NULL);
	model_col(&m.cols[10], "ts", TF_TIMESTAMP, -1, -1, 6, 1, "now()");
	model_col(&m.cols[11], "tz", TF_TIMESTAMPTZ, -1, -1, 3, 1,
	    "CURRENT_TIMESTAMP");
	model_col(&m.cols[12], "js", TF_JSON, -1, -1, -1, 1, "'{}'");
	model_col(&m.cols[13], "uu", TF_UUID, -1, -1, -1, 0, NULL);
	model_col(&m.cols[14], "pid", TF_INTEGER, -1, 8, -1, 1,
	    "nextval('x_seq'::regclass)");
	model_col(&m.cols[15], "tx", TF_TEXT, 3, -1, -1, 1, "NULL");
	model_col(&m.cols[16], "sm", TF_INTEGER, -1, 2, -1, 1, "7");
	model_col(&m.cols[17], "us", TF_INTEGER, -1, 4, -1, 1, NULL);
	m.cols[17].is_unsigned = 1;
	model_col(&m.cols[18], "self", TF_INTEGER, -1, 4, -1, 1, NULL);
	m.npk = 2;
	m.pk = strv(2, "k2", "k1");
	m.nidx = 2;
	m.idx = xcalloc(2, sizeof *m.idx);
	m.idx[0].name = xstrdup("all_uu");
	m.idx[0].unique = 1;
	m.idx[0].ncols = 1;
	m.idx[0].cols = strv(1, "uu");
	m.idx[1].name = xstrdup("all_pk");
	m.idx[1].unique = 1;
	m.idx[1].ncols = 2;
	m.idx[1].cols = strv(2, "k2", "k1");
	m.nfk = 3;
	m.fks = xcalloc(3, sizeof *m.fks);
	m.fks[0].ncols = 1;
	m.fks[0].cols = strv(1, "pid");
	m.fks[0].ref_table = xstrdup("par ent");
	m.fks[0].ref_cols = strv(1, "id");
	m.fks[1].ncols = 1;
	m.fks[1].cols = strv(1, "pid");
	m.fks[1].ref_table = xstrdup("par ent");
	m.fks[2].ncols = 2;
	m.fks[2].cols = strv(2, "self", "tx");
	m.fks[2].ref_table = xstrdup("all");
	m.fks[2].ref_cols = strv(2, "k2", "k1");
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_CREATE_TABLE, &m, -1, &sql, &err),
	    0);
	assert_string_equal(sb_str(&sql), "CREATE TABLE \"all\" ("
	    "\"k1\" text NOT NULL, \"k2\" integer NOT NULL, "
	    "\"dec\" numeric(12,3) DEFAULT 0.000, \"decu\" numeric, "
	    "\"fl\" double precision DEFAULT -1.5e3, \"f4\" real, "
	    "\"bo\" boolean NOT NULL DEFAULT false, \"bin\" bytea, "
	    "\"da\" date DEFAULT CURRENT_DATE, \"ti\" time(6), "
	    "\"ts\" timestamp(6) DEFAULT CURRENT_TIMESTAMP, "
	    "\"tz\" timestamptz(3) DEFAULT CURRENT_TIMESTAMP, "
	    "\"js\" json DEFAULT '{}', \"uu\" uuid NOT NULL, \"pid\" bigint, "
	    "\"tx\" varchar(3) DEFAULT NULL, \"sm\" smallint DEFAULT 7, "
	    "\"us\" bigint, \"self\" integer, "
	    "PRIMARY KEY (\"k2\", \"k1\"), UNIQUE (\"uu\"), "
	    "FOREIGN KEY (\"pid\") REFERENCES \"par ent\" (\"id\"), "
	    "FOREIGN KEY (\"pid\") REFERENCES \"par ent\", "
	    "FOREIGN KEY (\"self\", \"tx\") REFERENCES \"all\" "
	    "(\"k2\", \"k1\"));\n");
	exec_ok(fx, sql.buf);
	assert_int_equal(db_describe(fx->c, "all", &d, &err), 0);
	m.cols[17].precision = 8;
	m.cols[17].is_unsigned = 0;
	assert_same_shape(&m, &d);
	assert_int_equal(d.nidx, 1);
	assert_string_equal(d.idx[0].cols[0], "uu");
	assert_int_equal(d.nfk, 3);
	assert_string_equal(d.fks[0].ref_table, "par ent");
	assert_string_equal(d.fks[0].ref_cols[0], "id");
	assert_string_equal(d.fks[1].ref_cols[0], "id");
	assert_string_equal(d.fks[2].ref_table, "all");
	table_def_free(&d);

	/* ADD COLUMN (nullable unless it has a default), WIDEN. */
	free(m.name);
	m.name = xstrdup("par ent");
	free(m.cols[13].default_expr);
	m.cols[13].default_expr =
	    xstrdup("'00000000-0000-0000-0000-000000000000'");
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_ADD_COLUMN, &m, 13, &sql, &err), 0);
	assert_string_equal(sb_str(&sql), "ALTER TABLE \"par ent\" ADD COLUMN "
	    "\"uu\" uuid NOT NULL DEFAULT "
	    "'00000000-0000-0000-0000-000000000000';\n");
	exec_ok(fx, sql.buf);
	m.cols[15].nullable = 0;
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_ADD_COLUMN, &m, 15, &sql, &err), 0);
	exec_ok(fx, "INSERT INTO \"par ent\" (name) VALUES ('x')");
	sb_reset(&sql);
	m.cols[15].nullable = 1;
	m.cols[15].default_expr[0] = '\0';
	assert_int_equal(db_ddl(fx->c, DDL_ADD_COLUMN, &m, 15, &sql, &err), 0);
	assert_string_equal(sb_str(&sql), "ALTER TABLE \"par ent\" ADD COLUMN "
	    "\"tx\" varchar(3);\n");
	exec_ok(fx, sql.buf);
	m.cols[15].length = 20;
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_WIDEN_COLUMN, &m, 15, &sql, &err),
	    0);
	assert_string_equal(sb_str(&sql), "ALTER TABLE \"par ent\" ALTER "
	    "COLUMN \"tx\" TYPE varchar(20), ALTER COLUMN \"tx\" "
	    "DROP NOT NULL;\n");
	exec_ok(fx, sql.buf);
	free(m.cols[1].name);
	m.cols[1].name = xstrdup("id");
	m.cols[1].precision = 8;
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_WIDEN_COLUMN, &m, 1, &sql, &err),
	    0);
	assert_string_equal(sb_str(&sql), "ALTER TABLE \"par ent\" ALTER "
	    "COLUMN \"id\" TYPE bigint;\n");
	exec_ok(fx, sql.buf);
	assert_int_equal(db_describe(fx->c, "par ent", &d, &err), 0);
	assert_int_equal(d.ncols, 4);
	assert_int_equal(col(&d, "uu")->family, TF_UUID);
	assert_int_equal(col(&d, "uu")->nullable, 0);
	assert_int_equal(col(&d, "tx")->length, 20);
	assert_int_equal(col(&d, "id")->autoincrement, 1);
	table_def_free(&d);

	/* A model with a schema goes there; its parents resolve by name. */
	free(p.name);
	p.name = xstrdup("kid");
	xasprintf(&other, "%s_b", fx->schema);
	p.schema = xstrdup(other);
	p.nfk = 1;
	p.fks = xcalloc(1, sizeof *p.fks);
	p.fks[0].ncols = 1;
	p.fks[0].cols = strv(1, "id");
	p.fks[0].ref_table = xstrdup("par ent");
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_CREATE_TABLE, &p, -1, &sql, &err),
	    0);
	xasprintf(&want, "CREATE TABLE \"%s\".\"kid\" (\"id\" bigint GENERATED "
	    "BY DEFAULT AS IDENTITY NOT NULL, \"name\" varchar(50) NOT NULL "
	    "DEFAULT 'it''s', PRIMARY KEY (\"id\"), FOREIGN KEY (\"id\") "
	    "REFERENCES \"par ent\");\n", other);
	assert_string_equal(sb_str(&sql), want);
	free(want);
	exec_ok(fx, sql.buf);
	xasprintf(&want, "%s.kid", other);
	assert_int_equal(db_describe(fx->c, want, &d, &err), 0);
	assert_same_shape(&p, &d);
	table_def_free(&d);
	free(want);
	free(other);

	/* exec reports the database's error. */
	assert_int_equal(db_exec(fx->c, "CREATE TABLE \"all\" (x int)", &err),
	    -1);
	assert_int_equal(err.code, PS_ERR_DB);
	assert_string_equal(err.sqlstate, "42P07");
	assert_non_null(strstr(err.msg, "already exists"));

	sb_free(&sql);
	table_def_free(&p);
	table_def_free(&m);
}

/* ---- sequences, estimates, cancelling ---- */

static void
test_after_write(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"v" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT };
	static const char *const tables[] = { "s", "g", "ahead", "empty" };
	struct change_batch	 b;
	struct table_def	 td;
	struct row		 r;
	struct ps_error		 err;
	char			 key[16];
	size_t			 t;
	int			 i;

	fx_open(fx);
	exec_ok(fx, "CREATE TABLE s (id serial PRIMARY KEY, v text);"
	    "CREATE TABLE g (id bigint GENERATED ALWAYS AS IDENTITY "
	    "PRIMARY KEY, v text);"
	    "CREATE TABLE ahead (id serial PRIMARY KEY, v text);"
	    "SELECT setval('ahead_id_seq', 1000);"
	    "CREATE TABLE empty (id smallserial PRIMARY KEY, v text);");
	row_init(&r, 2);
	for (t = 0; t < 3; t++) {
		change_batch_init(&b, tables[t], 2, cols, fam, 1);
		for (i = 1; i <= 10; i++) {
			snprintf(key, sizeof key, "%d", i * 3);
			tu_set_row(&r, 2, key, "x");
			change_batch_add(&b, CH_INSERT, &r);
		}
		apply_ok(fx, &b, 1);
		change_batch_free(&b);
	}
	for (t = 0; t < nitems(tables); t++) {
		assert_int_equal(db_describe(fx->c, tables[t], &td, &err), 0);
		if (fx->c->ops->after_write(fx->c, &td, &err) != 0)
			fail_msg("after_write %s: %s", tables[t], err.msg);
		table_def_free(&td);
	}
	/* Twice changes nothing. */
	assert_int_equal(db_describe(fx->c, "s", &td, &err), 0);
	assert_int_equal(fx->c->ops->after_write(fx->c, &td, &err), 0);
	table_def_free(&td);
	exec_ok(fx, "INSERT INTO s (v) VALUES ('app');"
	    "INSERT INTO g (v) VALUES ('app');"
	    "INSERT INTO ahead (v) VALUES ('app');"
	    "INSERT INTO empty (v) VALUES ('app')");
	assert_sql(fx, "SELECT 's', id FROM s WHERE v = 'app' UNION ALL "
	    "SELECT 'g', id FROM g WHERE v = 'app' UNION ALL "
	    "SELECT 'ahead', id FROM ahead WHERE v = 'app' UNION ALL "
	    "SELECT 'empty', id FROM empty WHERE v = 'app'",
	    "s\t31\ng\t31\nahead\t1001\nempty\t1\n");
	row_free(&r);
}

static void
test_estimate(void **state)
{
	struct fx	*fx = *state;

	fx_open(fx);
	exec_ok(fx, "CREATE TABLE e (id int PRIMARY KEY);"
	    "INSERT INTO e SELECT generate_series(1, 1000)");
	assert_int_equal(fx->c->ops->estimate(fx->c, "e"), -1);
	exec_ok(fx, "ANALYZE e");
	assert_int_equal(fx->c->ops->estimate(fx->c, "e"), 1000);
	assert_int_equal(fx->c->ops->estimate(fx->c, "nope"), -1);
}

struct canceller {
	struct db_conn	*c;
	volatile int	 stop;
};

static void *
cancel_main(void *arg)
{
	struct canceller	*k = arg;

	/* Until the statement is gone: a cancel may come before it runs. */
	while (!k->stop) {
		usleep(100 * 1000);
		if (!k->stop)
			k->c->ops->cancel(k->c);
	}
	return NULL;
}

static void
test_cancel(void **state)
{
	struct fx		*fx = *state;
	struct canceller	 k;
	struct ps_error		 err;
	pthread_t		 th;
	int			 rc;

	fx_open(fx);
	k.c = fx->c;
	k.stop = 0;
	assert_int_equal(pthread_create(&th, NULL, cancel_main, &k), 0);
	rc = db_exec(fx->c, "SELECT pg_sleep(60)", &err);
	k.stop = 1;
	pthread_join(th, NULL);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PS_ERR_CANCELLED);
	assert_string_equal(err.sqlstate, "57014");
	/* The connection still works. */
	exec_ok(fx, "SELECT 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_connect),
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
		cmocka_unit_test_setup_teardown(test_apply_roundtrip,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_allkey, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_keys, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_binary, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_errors, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_while_writing,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_render, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_ddl, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_after_write, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_estimate, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_cancel, fx_setup,
		    fx_teardown),
	};

	return cmocka_run_group_tests_name("db_pg", tests, NULL, NULL);
}

#else /* !HAVE_LIBPQ */

#include <stdio.h>

int
main(void)
{
	puts("1..0 # SKIP built without PostgreSQL support");
	return 0;
}

#endif
