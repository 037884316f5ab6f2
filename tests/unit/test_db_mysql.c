/*
 * projsync - test_db_mysql.c: the MySQL/MariaDB driver against the live
 * test server (tests/servers.sh): DSN forms, option files and connection
 * errors, describing every type family and keys, scans in byte order with
 * canonical values, set-based and row-by-row writes with hostile names and
 * values, keys a collation folds together, writes during an open scan,
 * cancelling, rendering and DDL round trips.  Each run works in a
 * database of its own, dropped at the end.
 */
#include "projsync/common.h"

#ifdef HAVE_MYSQL

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

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

/* The test database ("psmy_PID"), created on first use. */
static char	*tdb;

struct fx {
	struct db_conn	*c;
};

static char	*my_out(const char *);

/* Run SQL as root in the test database, ignoring its output. */
static void
my_sql(const char *sql)
{
	free(my_out(sql));
}

/* Run SQL as root in the test database (UTF-8) and return its output. */
static char *
my_out(const char *sql)
{
	char	*full, *out;

	xasprintf(&full, "SET NAMES utf8mb4; %s", sql);
	out = tu_server_sql("MY", tdb, full);
	free(full);
	return out;
}

static void
assert_out(const char *sql, const char *want)
{
	char	*got;

	got = my_out(sql);
	assert_string_equal(got, want);
	free(got);
}

/* The server's DSN with DATABASE (NULL: the test database) appended. */
static char *
dsn_with(const char *database)
{
	char	*dsn;

	xasprintf(&dsn, "%s database=%s", tu_server_dsn("MY"),
	    database != NULL ? database : tdb);
	return dsn;
}

static int
open_conn(const char *name, const char *dsn, const char *password,
    struct db_conn **c, struct ps_error *err)
{
	struct conn_conf	cc;

	memset(&cc, 0, sizeof cc);
	cc.name = (char *)name;
	cc.type = (char *)"mysql";
	cc.dsn = (char *)dsn;
	cc.password = (char *)password;
	return db_open(&cc, 5, c, err);
}

static int
fx_setup(void **state)
{
	struct fx	*fx;
	struct ps_error	 err;
	char		*dsn, *sql;

	fx = xcalloc(1, sizeof *fx);
	*state = fx;
	if (getenv("PROJSYNC_TEST_MY_DSN") == NULL)
		return 0;	/* the test skips itself */
	if (tdb == NULL) {
		xasprintf(&tdb, "psmy_%ld", (long)getpid());
		xasprintf(&sql, "DROP DATABASE IF EXISTS %s; CREATE DATABASE "
		    "%s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci", tdb,
		    tdb);
		free(tu_server_sql("MY", "mysql", sql));
		free(sql);
	}
	dsn = dsn_with(NULL);
	if (open_conn("my", dsn, tu_server_password("MY"), &fx->c, &err) != 0)
		fail_msg("db_open: %s", err.msg);
	free(dsn);
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx	*fx = *state;

	if (fx->c != NULL)
		db_close(fx->c);
	free(fx);
	return 0;
}

static int
group_setup(void **state)
{
	struct ps_error	err;

	(void)state;
	return db_global_init(&err);
}

static int
group_teardown(void **state)
{
	char	*sql;

	(void)state;
	if (tdb != NULL) {
		xasprintf(&sql, "DROP DATABASE IF EXISTS %s; "
		    "DROP DATABASE IF EXISTS %s_other", tdb, tdb);
		free(tu_server_sql("MY", "mysql", sql));
		free(sql);
		free(tdb);
	}
	return 0;
}

static char *
scan_text(struct db_conn *c, const char *table, char *const *cols,
    const enum type_family *fam, int ncols, int nkey, const struct row *eq)
{
	return tu_scan_rows(c, table, cols, fam, ncols, nkey, eq, 0);
}

/* ---- connections ---- */

static void
test_connect(void **state)
{
	struct fx	*fx = *state;
	struct db_conn	*c = NULL;
	struct ps_error	 err;
	struct strbuf	 enc = STRBUF_INIT;
	struct conn_conf cc;
	struct sockaddr_in sa;
	socklen_t	 salen;
	const char	*port, *sock, *pw, *p;
	char		*dsn, *v, *dir, *path, *home, **names;
	FILE		*f;
	int		 n, lsock;

	(void)tu_server_dsn("MY");
	port = getenv("PROJSYNC_TEST_MY_PORT");
	sock = getenv("PROJSYNC_TEST_MY_SOCKET");
	pw = tu_server_password("MY");
	assert_non_null(port);
	assert_non_null(pw);

	assert_ptr_equal(db_driver("mysql", &err), &db_mysql_ops);
	assert_ptr_equal(db_driver("mariadb", &err), &db_mysql_ops);
	assert_string_equal(db_mysql_ops.name, "mysql");
	v = fx->c->ops->server_version(fx->c);
	assert_true(strncmp(v, "MariaDB 10.", 11) == 0 ||
	    strncmp(v, "MySQL ", 6) == 0);
	assert_null(strchr(v, '-'));
	free(v);

	/* The URI form, percent-decoding, the password in it. */
	xasprintf(&dsn, "mysql://proj%%73ync@127.0.0.1:%s/%s?ssl-mode=DISABLED",
	    port, tdb);
	assert_int_equal(open_conn("uri", dsn, pw, &c, &err), 0);
	db_close(c);
	free(dsn);
	xasprintf(&dsn, "mariadb://projsync:%s@127.0.0.1:%s/%s", pw, port,
	    tdb);
	assert_int_equal(open_conn("uri", dsn, NULL, &c, &err), 0);
	db_close(c);
	free(dsn);

	/* The socket form, as key=value and as a URI host. */
	if (sock != NULL) {
		xasprintf(&dsn, "socket=%s user=projsync database=%s", sock,
		    tdb);
		if (open_conn("sock", dsn, pw, &c, &err) != 0)
			fail_msg("socket: %s", err.msg);
		db_close(c);
		free(dsn);
		sb_addstr(&enc, "mysql://projsync@");
		for (p = sock; *p != '\0'; p++) {
			if (*p == '/')
				sb_addstr(&enc, "%2F");
			else
				sb_addch(&enc, *p);
		}
		sb_addf(&enc, "/%s", tdb);
		if (open_conn("sock", sb_str(&enc), pw, &c, &err) != 0)
			fail_msg("socket URI %s: %s", sb_str(&enc), err.msg);
		db_close(c);
		sb_free(&enc);
	}

	/* No database: connecting works, listing tables says why not. */
	xasprintf(&dsn, "mysql://projsync@127.0.0.1:%s", port);
	assert_int_equal(open_conn("nodb", dsn, pw, &c, &err), 0);
	assert_int_equal(db_list_tables(c, &names, &n, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	assert_string_equal(err.msg, "connection 'nodb': no database selected "
	    "(name one in the DSN)");
	db_close(c);
	free(dsn);

	/* A wrong password: PS_ERR_AUTH, and the password is not shown. */
	dsn = dsn_with(NULL);
	assert_int_equal(open_conn("prod", dsn, "Wr0ng-Secret", &c, &err), -1);
	assert_null(c);
	assert_int_equal(err.code, PS_ERR_AUTH);
	assert_non_null(strstr(err.msg, "connection 'prod'"));
	assert_non_null(strstr(err.msg, "Access denied"));
	assert_null(strstr(err.msg, "Wr0ng-Secret"));
	free(dsn);

	/* A missing database. */
	dsn = dsn_with("no_such_db_here");
	assert_int_equal(open_conn("prod", dsn, pw, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "connection 'prod'"));
	assert_non_null(strstr(err.msg, "no_such_db_here"));
	free(dsn);

	/* A closed port. */
	assert_int_equal(open_conn("prod", "host=127.0.0.1 port=1 user=x",
	    pw, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONNECT);
	assert_non_null(strstr(err.msg, "connection 'prod'"));

	/* A server that never greets: the connect timeout ends the wait. */
	lsock = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lsock >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	salen = sizeof sa;
	assert_int_equal(bind(lsock, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(lsock, 4), 0);
	assert_int_equal(getsockname(lsock, (struct sockaddr *)&sa, &salen),
	    0);
	xasprintf(&dsn, "host=127.0.0.1 port=%d user=projsync",
	    ntohs(sa.sin_port));
	memset(&cc, 0, sizeof cc);
	cc.name = (char *)"silent";
	cc.type = (char *)"mysql";
	cc.dsn = dsn;
	assert_int_equal(db_open(&cc, 1, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONNECT);
	assert_non_null(strstr(err.msg, "connection 'silent'"));
	close(lsock);
	free(dsn);

	/* TLS settings reach the library: this server has no TLS. */
	xasprintf(&dsn, "%s ssl-mode=REQUIRED", tu_server_dsn("MY"));
	assert_int_equal(open_conn("tls", dsn, pw, &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONNECT);
	assert_non_null(strstr(err.msg, "connection 'tls'"));
	free(dsn);

	/* Bad DSNs name what is wrong. */
	assert_int_equal(open_conn("bad", "host=127.0.0.1 colour=blue", pw,
	    &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "connection 'bad': unknown DSN "
	    "parameter 'colour'"));
	assert_int_equal(open_conn("bad", "host=127.0.0.1 port=99999", pw,
	    &c, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "bad port '99999'"));
	assert_int_equal(open_conn("bad", "mysql://u@h/db?ssl-mode=SOMETIMES",
	    pw, &c, &err), -1);
	assert_non_null(strstr(err.msg, "bad ssl-mode 'SOMETIMES'"));
	assert_int_equal(open_conn("bad", "mysql://u@h:12x/db", pw, &c, &err),
	    -1);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	assert_int_equal(open_conn("bad", "just some words", pw, &c, &err),
	    -1);
	assert_int_equal(err.code, PS_ERR_CONFIG);

	/* Without a password, ~/.my.cnf supplies one. */
	dir = tu_tmpdir();
	path = tu_path(dir, ".my.cnf");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[client]\npassword=%s\n", pw);
	fclose(f);
	home = getenv("HOME") != NULL ? xstrdup(getenv("HOME")) : NULL;
	setenv("HOME", dir, 1);
	dsn = dsn_with(NULL);
	c = NULL;
	if (open_conn("cnf", dsn, NULL, &c, &err) != 0)
		fail_msg("~/.my.cnf: %s", err.msg);
	db_close(c);
	free(dsn);
	if (home != NULL) {
		setenv("HOME", home, 1);
		free(home);
	} else
		unsetenv("HOME");
	tu_rmrf(dir);
	free(path);
	free(dir);
}

/* ---- catalogue ---- */

static void
test_list_tables(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	char		**names;
	int		 n, i, seen = 0;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE lt_b (x INT); CREATE TABLE lt_a (x INT); "
	    "CREATE TABLE `LT_Z` (x INT); CREATE TABLE `lt a.b` (x INT); "
	    "CREATE VIEW lt_v AS SELECT * FROM lt_b");
	assert_int_equal(db_list_tables(fx->c, &names, &n, &err), 0);
	for (i = 0; i < n; i++) {
		if (i > 0)
			assert_true(strcmp(names[i - 1], names[i]) < 0);
		assert_string_not_equal(names[i], "lt_v");
		if (strncmp(names[i], "lt", 2) == 0 ||
		    strncmp(names[i], "LT", 2) == 0)
			seen++;
	}
	assert_null(names[n]);
	assert_int_equal(seen, 4);
	util_strv_free(names);
	my_sql("DROP VIEW lt_v; DROP TABLE lt_b, lt_a, `LT_Z`, `lt a.b`");
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
assert_default(const struct table_def *td, const char *name, const char *d)
{
	const struct column_def *cd = col(td, name);

	if (d == NULL && cd->default_expr == NULL)
		return;
	if (d == NULL || cd->default_expr == NULL ||
	    strcmp(d, cd->default_expr) != 0)
		fail_msg("column %s: default %s, expected %s", name,
		    cd->default_expr != NULL ? cd->default_expr : "(none)",
		    d != NULL ? d : "(none)");
}

#define FAMILIES_TABLE \
	"CREATE TABLE fam (" \
	"id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, " \
	"k VARCHAR(20) NOT NULL, " \
	"b TINYINT(1) DEFAULT 1, bo BOOLEAN NOT NULL DEFAULT FALSE, " \
	"ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, " \
	"i INT NOT NULL DEFAULT 0, bi BIGINT, y YEAR, " \
	"dc DECIMAL(10,2) DEFAULT 0.10, f FLOAT, d DOUBLE, " \
	"c CHAR(3), v VARCHAR(100) DEFAULT 'it''s \\\\ x', tt TINYTEXT, " \
	"tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, " \
	"bn BINARY(4), vb VARBINARY(16), bl BLOB, lb LONGBLOB, " \
	"dt DATE, tm TIME(3), dtt DATETIME(6), ts TIMESTAMP(6) NULL, " \
	"ts0 TIMESTAMP NULL, j JSON, u UUID, e ENUM('x','yy') DEFAULT 'x', " \
	"st SET('p','q'), bt BIT(3), g POINT, " \
	"gen INT AS (i + 1) VIRTUAL, " \
	"cr DATETIME DEFAULT CURRENT_TIMESTAMP, " \
	"PRIMARY KEY (id, k), UNIQUE KEY uv (v), UNIQUE KEY upre (tx(10)), " \
	"UNIQUE KEY uab (i, bi), KEY plain (mi))"

static void
test_describe_families(void **state)
{
	struct fx		*fx = *state;
	struct table_def	 td;
	struct ps_error		 err;

	(void)tu_server_dsn("MY");
	my_sql(FAMILIES_TABLE);
	assert_int_equal(db_describe(fx->c, "fam", &td, &err), 0);
	assert_string_equal(td.name, "fam");
	assert_null(td.schema);
	assert_int_equal(td.ncols, 35);
	assert_int_equal(table_def_col(&td, "gen"), -1);

	assert_col(&td, "id", TF_INTEGER, -1, 8, -1, 0);
	assert_int_equal(col(&td, "id")->is_unsigned, 1);
	assert_int_equal(col(&td, "id")->autoincrement, 1);
	assert_default(&td, "id", NULL);
	assert_col(&td, "k", TF_TEXT, 20, -1, -1, 0);
	assert_string_equal(col(&td, "k")->type_name, "varchar(20)");
	assert_col(&td, "b", TF_BOOLEAN, -1, -1, -1, 1);
	assert_default(&td, "b", "TRUE");
	assert_col(&td, "bo", TF_BOOLEAN, -1, -1, -1, 0);
	assert_default(&td, "bo", "FALSE");
	assert_col(&td, "ti", TF_INTEGER, -1, 1, -1, 1);
	assert_col(&td, "si", TF_INTEGER, -1, 2, -1, 1);
	assert_int_equal(col(&td, "si")->is_unsigned, 1);
	assert_int_equal(col(&td, "ti")->is_unsigned, 0);
	assert_col(&td, "mi", TF_INTEGER, -1, 3, -1, 1);
	assert_col(&td, "i", TF_INTEGER, -1, 4, -1, 0);
	assert_default(&td, "i", "0");
	assert_int_equal(col(&td, "i")->autoincrement, 0);
	assert_col(&td, "bi", TF_INTEGER, -1, 8, -1, 1);
	assert_default(&td, "bi", NULL);
	assert_col(&td, "y", TF_INTEGER, -1, 2, -1, 1);
	assert_col(&td, "dc", TF_DECIMAL, -1, 10, 2, 1);
	assert_default(&td, "dc", "0.10");
	assert_col(&td, "f", TF_FLOAT, -1, 4, -1, 1);
	assert_col(&td, "d", TF_FLOAT, -1, 8, -1, 1);
	assert_col(&td, "c", TF_TEXT, 3, -1, -1, 1);
	assert_col(&td, "v", TF_TEXT, 100, -1, -1, 1);
	assert_default(&td, "v", "'it''s \\ x'");
	assert_col(&td, "tt", TF_TEXT, 255, -1, -1, 1);
	assert_col(&td, "tx", TF_TEXT, 65535, -1, -1, 1);
	assert_col(&td, "mt", TF_TEXT, 16777215, -1, -1, 1);
	assert_col(&td, "lt", TF_TEXT, -1, -1, -1, 1);
	assert_col(&td, "bn", TF_BINARY, 4, -1, -1, 1);
	assert_col(&td, "vb", TF_BINARY, 16, -1, -1, 1);
	assert_col(&td, "bl", TF_BINARY, 65535, -1, -1, 1);
	assert_col(&td, "lb", TF_BINARY, -1, -1, -1, 1);
	assert_col(&td, "dt", TF_DATE, -1, -1, -1, 1);
	assert_col(&td, "tm", TF_TIME, -1, -1, 3, 1);
	assert_col(&td, "dtt", TF_TIMESTAMP, -1, -1, 6, 1);
	assert_col(&td, "ts", TF_TIMESTAMPTZ, -1, -1, 6, 1);
	assert_col(&td, "ts0", TF_TIMESTAMPTZ, -1, -1, 0, 1);
	assert_col(&td, "j", TF_JSON, -1, -1, -1, 1);
	assert_string_equal(col(&td, "j")->type_name, "json");
	assert_col(&td, "u", TF_UUID, -1, -1, -1, 1);
	assert_col(&td, "e", TF_TEXT, 2, -1, -1, 1);
	assert_default(&td, "e", "'x'");
	assert_col(&td, "st", TF_TEXT, 3, -1, -1, 1);
	assert_col(&td, "bt", TF_OTHER, -1, -1, -1, 1);
	assert_col(&td, "g", TF_OTHER, -1, -1, -1, 1);
	assert_col(&td, "cr", TF_TIMESTAMP, -1, -1, 0, 1);
	assert_default(&td, "cr", "CURRENT_TIMESTAMP");

	assert_int_equal(td.npk, 2);
	assert_string_equal(td.pk[0], "id");
	assert_string_equal(td.pk[1], "k");
	/* Unique indexes on whole columns, by name; not the prefix one. */
	assert_int_equal(td.nidx, 2);
	assert_string_equal(td.idx[0].name, "uab");
	assert_int_equal(td.idx[0].unique, 1);
	assert_int_equal(td.idx[0].ncols, 2);
	assert_string_equal(td.idx[0].cols[0], "i");
	assert_string_equal(td.idx[0].cols[1], "bi");
	assert_string_equal(td.idx[1].name, "uv");
	assert_int_equal(td.idx[1].ncols, 1);
	assert_string_equal(td.idx[1].cols[0], "v");
	assert_int_equal(td.nfk, 0);
	table_def_free(&td);
	my_sql("DROP TABLE fam");
}

static void
test_describe_keys(void **state)
{
	struct fx		*fx = *state;
	struct table_def	 td;
	struct ps_error		 err;
	char			*sql, *name;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE parent (a INT, b VARCHAR(10), "
	    "  PRIMARY KEY (b, a));"
	    "CREATE TABLE child (id INT PRIMARY KEY, pa INT, pb VARCHAR(10), "
	    "  up INT, "
	    "  CONSTRAINT fk_self FOREIGN KEY (up) REFERENCES child (id), "
	    "  CONSTRAINT fk_parent FOREIGN KEY (pb, pa) "
	    "    REFERENCES parent (b, a));"
	    "CREATE TABLE `we``ird.t` (`c ``1` INT PRIMARY KEY)");
	assert_int_equal(db_describe(fx->c, "child", &td, &err), 0);
	assert_int_equal(td.npk, 1);
	assert_string_equal(td.pk[0], "id");
	assert_int_equal(td.nfk, 2);
	assert_string_equal(td.fks[0].name, "fk_parent");
	assert_string_equal(td.fks[0].ref_table, "parent");
	assert_int_equal(td.fks[0].ncols, 2);
	assert_string_equal(td.fks[0].cols[0], "pb");
	assert_string_equal(td.fks[0].cols[1], "pa");
	assert_string_equal(td.fks[0].ref_cols[0], "b");
	assert_string_equal(td.fks[0].ref_cols[1], "a");
	assert_string_equal(td.fks[1].name, "fk_self");
	assert_string_equal(td.fks[1].ref_table, "child");
	assert_string_equal(td.fks[1].cols[0], "up");
	assert_string_equal(td.fks[1].ref_cols[0], "id");
	table_def_free(&td);

	assert_int_equal(db_describe(fx->c, "parent", &td, &err), 0);
	assert_int_equal(td.npk, 2);
	assert_string_equal(td.pk[0], "b");
	assert_string_equal(td.pk[1], "a");
	assert_int_equal(col(&td, "a")->nullable, 0);
	table_def_free(&td);

	/* A dot in a name of this database is part of the name. */
	assert_int_equal(db_describe(fx->c, "we`ird.t", &td, &err), 0);
	assert_null(td.schema);
	assert_string_equal(td.name, "we`ird.t");
	assert_string_equal(td.cols[0].name, "c `1");
	table_def_free(&td);

	/* "db.table" addresses another database. */
	xasprintf(&sql, "CREATE DATABASE %s_other; "
	    "CREATE TABLE %s_other.elsewhere (x INT PRIMARY KEY, y TEXT)",
	    tdb, tdb);
	my_sql(sql);
	free(sql);
	xasprintf(&name, "%s_other.elsewhere", tdb);
	assert_int_equal(db_describe(fx->c, name, &td, &err), 0);
	assert_non_null(td.schema);
	assert_true(strncmp(td.schema, tdb, strlen(tdb)) == 0);
	assert_string_equal(td.name, "elsewhere");
	assert_int_equal(td.ncols, 2);
	table_def_free(&td);
	free(name);

	assert_int_equal(db_describe(fx->c, "missing", &td, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "table 'missing' does not exist on "
	    "connection 'my'");
	my_sql("DROP TABLE child, parent, `we``ird.t`");
}

/* ---- scans ---- */

static void
test_scan_values(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"t",
				    (char *)"bi", (char *)"ub", (char *)"dc",
				    (char *)"b", (char *)"bn", (char *)"d",
				    (char *)"tm", (char *)"dt", (char *)"ts",
				    (char *)"j", (char *)"u", (char *)"f",
				    (char *)"db", (char *)"e" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_INTEGER,
				    TF_INTEGER, TF_DECIMAL, TF_BOOLEAN,
				    TF_BINARY, TF_DATE, TF_TIME, TF_TIMESTAMP,
				    TF_TIMESTAMPTZ, TF_JSON, TF_UUID, TF_FLOAT,
				    TF_FLOAT, TF_TEXT };
	char			*big[] = { (char *)"id", (char *)"t" };
	enum type_family	 bigfam[] = { TF_INTEGER, TF_TEXT };
	struct scan_spec	 spec;
	struct db_cursor	*cur;
	struct row		 r;
	struct ps_error		 err;
	char			*got;
	size_t			 k;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE vals (id INT PRIMARY KEY, t TEXT, bi BIGINT, "
	    "ub BIGINT UNSIGNED, dc DECIMAL(10,2), b TINYINT(1), "
	    "bn VARBINARY(16), d DATE, tm TIME(6), dt DATETIME(6), "
	    "ts TIMESTAMP(6) NULL, j JSON, u UUID, f FLOAT, db DOUBLE, "
	    "e ENUM('x','y'));"
	    "INSERT INTO vals (id) VALUES (1);"
	    "INSERT INTO vals VALUES (2, '', -9223372036854775808, "
	    "18446744073709551615, 0.10, 1, X'00FF00', '2021-02-03', "
	    "'-12:34:56.5', '2021-01-01 00:00:00.000001', "
	    "'2038-01-19 03:14:07.999999', '{\"a\": [1, 2]}', "
	    "'00000000-0000-0000-0000-0000000000AB', 0.1, 0.1, 'y');"
	    "INSERT INTO vals VALUES (3, 'it''s \\\\ \"q\" \xf0\x9f\x98\x80 "
	    "\xe4\xb8\xad\xe6\x96\x87', 9223372036854775807, 0, -99999.99, 0, "
	    "X'', '0001-01-01', '838:59:59', '9999-12-31 23:59:59.999999', "
	    "'1970-01-01 00:00:01', '[]', "
	    "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 3.5, 1e300, 'x');"
	    "INSERT INTO vals (id, t, dc, tm, dt, f, db) VALUES (4, "
	    "'tab\\there', 0, '00:00:00', '2000-02-29 12:00:00', -0.25, "
	    "-1.5e-7);"
	    "CREATE TABLE bigt (id INT PRIMARY KEY, t LONGTEXT);"
	    "INSERT INTO bigt VALUES (1, REPEAT('\xc3\xa9x', 349526))");
	got = scan_text(fx->c, "vals", cols, fam, 16, 1, NULL);
	assert_string_equal(got,
	    "1|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|"
	    "NULL|NULL|NULL\n"
	    "2||-9223372036854775808|18446744073709551615|0.1|true|"
	    "x'00ff00'|2021-02-03|-12:34:56.5|2021-01-01 00:00:00.000001|"
	    "2038-01-19 03:14:07.999999+00|{\"a\":[1,2]}|"
	    "00000000-0000-0000-0000-0000000000ab|0.1|0.1|y\n"
	    "3|it's \\ \"q\" \xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87|"
	    "9223372036854775807|0|-99999.99|false|x''|0001-01-01|838:59:59|"
	    "9999-12-31 23:59:59.999999|1970-01-01 00:00:01+00|[]|"
	    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|3.5|1e+300|x\n"
	    "4|tab\there|NULL|NULL|0|NULL|NULL|NULL|00:00:00|"
	    "2000-02-29 12:00:00|NULL|NULL|NULL|-0.25|-1.5e-7|NULL\n");
	free(got);

	/* FLOAT: the shortest text of the float, not the server's 6 digits. */
	my_sql("CREATE TABLE fl (id INT PRIMARY KEY, f FLOAT);"
	    "INSERT INTO fl VALUES (1, 0.3333333), (2, 16777217), "
	    "(3, 3.4028234e38), (4, -1.17549435e-38), (5, 0.1), (6, NULL)");
	big[1] = (char *)"f";
	bigfam[1] = TF_FLOAT;
	got = scan_text(fx->c, "fl", big, bigfam, 2, 1, NULL);
	assert_string_equal(got, "1|0.3333333\n2|16777216\n"
	    "3|3.4028235e+38\n4|-1.1754944e-38\n5|0.1\n6|NULL\n");
	free(got);
	big[1] = (char *)"t";
	bigfam[1] = TF_TEXT;

	/* A 1 MB text comes whole. */
	memset(&spec, 0, sizeof spec);
	spec.table = "bigt";
	spec.ncols = 2;
	spec.cols = big;
	spec.fam = bigfam;
	spec.nkey = 1;
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	row_init(&r, 2);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 1);
	assert_int_equal(row_len(&r, 1), 3 * 349526);
	for (k = 0; k < row_len(&r, 1); k += 3)
		assert_memory_equal(row_ptr(&r, 1) + k, "\xc3\xa9x", 3);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 0);
	db_cursor_free(fx->c, cur);

	/* A value that does not read as its family names where it is. */
	spec.table = "vals";
	spec.ncols = 2;
	spec.cols = cols;
	bigfam[1] = TF_DATE;
	spec.fam = bigfam;
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 1);
	assert_int_equal(db_next(fx->c, cur, &r, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "connection 'my', table 'vals', "
	    "column 't'"));
	db_cursor_free(fx->c, cur);
	/* The reader, stopped early and now idle, serves the next scan. */
	big[1] = (char *)"f";
	bigfam[1] = TF_FLOAT;
	got = scan_text(fx->c, "fl", big, bigfam, 2, 1, NULL);
	assert_string_equal(got, "1|0.3333333\n2|16777216\n"
	    "3|3.4028235e+38\n4|-1.1754944e-38\n5|0.1\n6|NULL\n");
	free(got);
	big[1] = (char *)"t";

	/* A missing table or column. */
	spec.table = "nope";
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "table 'nope' does not exist on "
	    "connection 'my'");
	spec.table = "vals";
	spec.cols = big;
	big[1] = (char *)"zz";
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), -1);
	assert_int_equal(err.code, PS_ERR_DB);
	assert_non_null(strstr(err.msg, "'zz'"));
	row_free(&r);
	my_sql("DROP TABLE vals, bigt, fl");
}

static void
test_scan_order(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"k", (char *)"n" };
	enum type_family	 fam[] = { TF_TEXT, TF_INTEGER };
	char			*ucols[] = { (char *)"u" };
	enum type_family	 ufam[] = { TF_UUID };
	char			*ccols[] = { (char *)"a", (char *)"b",
				    (char *)"v" };
	enum type_family	 cfam[] = { TF_TEXT, TF_INTEGER, TF_TEXT };
	struct row		 eq;
	char			*got;

	(void)tu_server_dsn("MY");
	/* Case-insensitive, PAD SPACE: only bytes give one order. */
	my_sql("CREATE TABLE ord (k VARCHAR(20) COLLATE utf8mb4_general_ci "
	    "PRIMARY KEY, n INT);"
	    "INSERT INTO ord VALUES ('a', 1), ('B', 2), "
	    "('\xc3\xa9', 3), ('\xf0\x9f\x98\x80', 4), ('Z', 5), ('_', 6), "
	    "('ab', 7);"
	    "CREATE TABLE pad (k VARCHAR(20) COLLATE utf8mb4_general_ci, "
	    "n INT, KEY (k));"
	    "INSERT INTO pad VALUES ('a ', 1), ('a', 2), ('a\\t', 3), "
	    "('A', 4), ('', 5);"
	    "CREATE TABLE uu (u UUID PRIMARY KEY);"
	    "INSERT INTO uu VALUES ('00000002-0000-1000-8000-000000000001'), "
	    "('00000001-0000-1000-8000-000000000002'), "
	    "('ffffffff-0000-4000-8000-000000000000');"
	    "CREATE TABLE comp (a VARCHAR(5) COLLATE utf8mb4_nopad_bin, b INT, "
	    "v TEXT, PRIMARY KEY (a, b));"
	    "INSERT INTO comp VALUES ('b', 1, 'x'), ('a', 2, 'y'), "
	    "('a', -1, 'z'), ('A', 9, 'w');"
	    "CREATE TABLE en (k ENUM('b', 'a', 'C') COLLATE utf8mb4_nopad_bin "
	    "PRIMARY KEY, n INT);"
	    "INSERT INTO en VALUES ('a', 1), ('b', 2), ('C', 3)");
	got = scan_text(fx->c, "ord", cols, fam, 2, 1, NULL);
	assert_string_equal(got, "B|2\nZ|5\n_|6\na|1\nab|7\n\xc3\xa9|3\n"
	    "\xf0\x9f\x98\x80|4\n");
	free(got);
	got = scan_text(fx->c, "pad", cols, fam, 2, 1, NULL);
	assert_string_equal(got, "|5\nA|4\na|2\na\t|3\na |1\n");
	free(got);
	got = scan_text(fx->c, "uu", ucols, ufam, 1, 1, NULL);
	assert_string_equal(got,
	    "00000001-0000-1000-8000-000000000002\n"
	    "00000002-0000-1000-8000-000000000001\n"
	    "ffffffff-0000-4000-8000-000000000000\n");
	free(got);
	got = scan_text(fx->c, "comp", ccols, cfam, 3, 2, NULL);
	assert_string_equal(got, "A|9|w\na|-1|z\na|2|y\nb|1|x\n");
	free(got);
	/* An ENUM sorts by its members' positions, not its text. */
	got = scan_text(fx->c, "en", cols, fam, 2, 1, NULL);
	assert_string_equal(got, "C|3\na|1\nb|2\n");
	free(got);

	/* key_eq matches bytes: "a" is neither "A" nor "a ". */
	row_init(&eq, 2);
	tu_set_row(&eq, 2, "a", NULL);
	got = scan_text(fx->c, "pad", cols, fam, 2, 1, &eq);
	assert_string_equal(got, "a|2\n");
	free(got);
	tu_set_row(&eq, 2, "a ", NULL);
	got = scan_text(fx->c, "pad", cols, fam, 2, 1, &eq);
	assert_string_equal(got, "a |1\n");
	free(got);
	tu_set_row(&eq, 2, "b", NULL);
	got = scan_text(fx->c, "ord", cols, fam, 2, 1, &eq);
	assert_string_equal(got, "");
	free(got);
	tu_set_row(&eq, 2, "B", NULL);
	got = scan_text(fx->c, "ord", cols, fam, 2, 1, &eq);
	assert_string_equal(got, "B|2\n");
	free(got);
	row_free(&eq);
	row_init(&eq, 3);
	tu_set_row(&eq, 3, "a", "-1", NULL);
	got = scan_text(fx->c, "comp", ccols, cfam, 3, 2, &eq);
	assert_string_equal(got, "a|-1|z\n");
	free(got);
	row_free(&eq);
	my_sql("DROP TABLE ord, pad, uu, comp, en");
}

/* ---- writes ---- */

/* The hostile table: backticks, quotes, spaces in every name. */
#define HT	"we`ird t'able\""

static void
test_apply_hostile(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"k`ey", (char *)"v a'l",
				    (char *)"b\\in", (char *)"fl\"ag" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_BINARY,
				    TF_BOOLEAN };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed;
	char			*got;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE `we``ird t'able\"` (`k``ey` INT PRIMARY KEY, "
	    "`v a'l` VARCHAR(50), `b\\in` VARBINARY(10), `fl\"ag` BOOLEAN)");
	change_batch_init(&b, HT, 4, cols, fam, 1);
	row_init(&r, 4);
	tu_set_row(&r, 4, "1", "it's \\ \"q\"; DROP TABLE x; --", NULL, "true");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 4, "2", "\xf0\x9f\x98\x80 \xe4\xb8\xad", NULL, "false");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 4, "3", "", NULL, NULL);
	row_set(&r, 2, "\0\x01'\\", 4);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	if (db_apply(fx->c, &b, &failed, &err) != 0)
		fail_msg("apply: %s", err.msg);
	assert_int_equal(db_commit(fx->c, &err), 0);
	got = scan_text(fx->c, HT, cols, fam, 4, 1, NULL);
	assert_string_equal(got,
	    "1|it's \\ \"q\"; DROP TABLE x; --|NULL|true\n"
	    "2|\xf0\x9f\x98\x80 \xe4\xb8\xad|NULL|false\n"
	    "3||x'0001275c'|NULL\n");
	free(got);

	/* Mixed: update, update of a missing row, delete, insert. */
	change_batch_clear(&b);
	tu_set_row(&r, 4, "2", "two", NULL, "true");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 4, "9", "nine", NULL, NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 4, "3", NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	tu_set_row(&r, 4, "1", NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	tu_set_row(&r, 4, "5", "five", NULL, "false");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	if (db_apply(fx->c, &b, &failed, &err) != 0)
		fail_msg("apply: %s", err.msg);
	assert_int_equal(db_commit(fx->c, &err), 0);
	got = scan_text(fx->c, HT, cols, fam, 4, 1, NULL);
	assert_string_equal(got, "2|two|NULL|true\n5|five|NULL|false\n"
	    "9|nine|NULL|NULL\n");
	free(got);

	/* Batches of one: plain statements. */
	change_batch_clear(&b);
	tu_set_row(&r, 4, "5", "FIVE", NULL, "true");
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	change_batch_clear(&b);
	tu_set_row(&r, 4, "6", "six", NULL, NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	change_batch_clear(&b);
	tu_set_row(&r, 4, "9", NULL, NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	got = scan_text(fx->c, HT, cols, fam, 4, 1, NULL);
	assert_string_equal(got, "2|two|NULL|true\n5|FIVE|NULL|true\n"
	    "6|six|NULL|NULL\n");
	free(got);

	/* Rolled back: nothing stays. */
	change_batch_clear(&b);
	tu_set_row(&r, 4, "7", "seven", NULL, NULL);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 4, "8", "eight", NULL, NULL);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_begin(fx->c, &err), 0);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_int_equal(db_rollback(fx->c, &err), 0);
	assert_out("SELECT COUNT(*) FROM `we``ird t'able\"`", "3\n");

	change_batch_free(&b);
	row_free(&r);
	my_sql("DROP TABLE `we``ird t'able\"`");
}

static void
test_apply_families(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"dc",
				    (char *)"f", (char *)"d", (char *)"tm",
				    (char *)"dt", (char *)"ts", (char *)"j",
				    (char *)"u", (char *)"ub" };
	enum type_family	 fam[] = { TF_INTEGER, TF_DECIMAL, TF_FLOAT,
				    TF_DATE, TF_TIME, TF_TIMESTAMP,
				    TF_TIMESTAMPTZ, TF_JSON, TF_UUID,
				    TF_INTEGER };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed;
	char			*got;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE af (id BIGINT PRIMARY KEY, dc DECIMAL(12,4), "
	    "f DOUBLE, d DATE, tm TIME(6), dt DATETIME(6), "
	    "ts TIMESTAMP(6) NULL, j JSON, u UUID, ub BIGINT UNSIGNED)");
	change_batch_init(&b, "af", 10, cols, fam, 1);
	row_init(&r, 10);
	tu_set_row(&r, 10, "-9223372036854775808", "-12345678.1234", "0.1",
	    "2024-02-29", "-838:59:59", "2024-02-29 23:59:59.5",
	    "2030-01-02 03:04:05.25+00", "{\"k\": \"v\"}",
	    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "18446744073709551615");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 10, "9223372036854775807", "0.5", "-1e+300", "0001-01-01",
	    "00:00:00.000001", "1000-01-01 00:00:00", "1970-01-01 00:00:01+00",
	    "[1, 2]", "00000000-0000-0000-0000-000000000000", "0");
	change_batch_add(&b, CH_INSERT, &r);
	if (db_apply(fx->c, &b, &failed, &err) != 0)
		fail_msg("apply: %s", err.msg);
	got = scan_text(fx->c, "af", cols, fam, 10, 1, NULL);
	assert_string_equal(got,
	    "-9223372036854775808|-12345678.1234|0.1|2024-02-29|-838:59:59|"
	    "2024-02-29 23:59:59.5|2030-01-02 03:04:05.25+00|{\"k\":\"v\"}|"
	    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|18446744073709551615\n"
	    "9223372036854775807|0.5|-1e+300|0001-01-01|00:00:00.000001|"
	    "1000-01-01 00:00:00|1970-01-01 00:00:01+00|[1,2]|"
	    "00000000-0000-0000-0000-000000000000|0\n");
	free(got);
	/* The server holds what was written, in UTC. */
	assert_out("SELECT ts, dc FROM af ORDER BY id",
	    "2030-01-02 03:04:05.250000\t-12345678.1234\n"
	    "1970-01-01 00:00:01.000000\t0.5000\n");

	/* Values MySQL cannot hold are row errors of their own kind. */
	change_batch_clear(&b);
	tu_set_row(&r, 10, "1", "nan", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_VALUE);
	change_batch_clear(&b);
	tu_set_row(&r, 10, "1", NULL, NULL, NULL, NULL, NULL,
	    "2040-01-01 00:00:00+00", NULL, NULL, NULL);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "connection 'my', table 'af'"));
	change_batch_free(&b);
	row_free(&r);
	my_sql("DROP TABLE af");
}

static void
test_apply_errors(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"v" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE short (id INT PRIMARY KEY, v VARCHAR(5) NOT NULL, "
	    "UNIQUE KEY (v));"
	    "INSERT INTO short VALUES (100, 'taken')");
	change_batch_init(&b, "short", 2, cols, fam, 1);
	row_init(&r, 2);

	/* Too long, in a multi-row statement: the row cannot be told. */
	tu_set_row(&r, 2, "1", "ok");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 2, "2", "toolong");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 2, "3", "ok3");
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_true(failed == SIZE_MAX);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "connection 'my', table 'short'"));
	assert_non_null(strstr(err.msg, "too long"));
	assert_out("SELECT COUNT(*) FROM short", "1\n");

	/* A batch of one names its row. */
	change_batch_clear(&b);
	tu_set_row(&r, 2, "2", "toolong");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_VALUE);
	change_batch_clear(&b);
	tu_set_row(&r, 2, "2", NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);

	/*
	 * Another unique index holds the value: never an update of row
	 * 100, but an error, in a batch and alone.
	 */
	change_batch_clear(&b);
	tu_set_row(&r, 2, "4", "four");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 2, "5", "taken");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_true(failed == SIZE_MAX);
	change_batch_clear(&b);
	tu_set_row(&r, 2, "5", "taken");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_non_null(strstr(err.msg, "Duplicate entry 'taken'"));
	assert_non_null(strstr(err.msg, "(writing key {\"id\":\"5\"})"));
	assert_out("SELECT id, v FROM short", "100\ttaken\n");

	/* Rows of a missing table. */
	change_batch_free(&b);
	change_batch_init(&b, "gone", 2, cols, fam, 1);
	change_batch_add(&b, CH_INSERT, &r);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	change_batch_free(&b);
	row_free(&r);
	my_sql("DROP TABLE short");
}

static void
test_apply_folding(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"k", (char *)"v" };
	enum type_family	 fam[] = { TF_TEXT, TF_INTEGER };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE ci (k VARCHAR(10) COLLATE utf8mb4_general_ci "
	    "PRIMARY KEY, v INT);"
	    "INSERT INTO ci VALUES ('a', 1);"
	    "CREATE TABLE nk (k VARCHAR(10) COLLATE utf8mb4_general_ci, v INT);"
	    "INSERT INTO nk VALUES ('A', 1), ('a', 2), ('a ', 3)");
	change_batch_init(&b, "ci", 2, cols, fam, 1);
	row_init(&r, 2);

	/* "A" while "a" exists: a row error naming both keys. */
	tu_set_row(&r, 2, "A", "5");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_non_null(strstr(err.msg, "connection 'my', table 'ci'"));
	assert_non_null(strstr(err.msg, "key {\"k\":\"A\"} collides with "
	    "existing key {\"k\":\"a\"}"));
	/* An update of "A" finds no "A" and cannot insert it either. */
	b.ch[0].op = CH_UPDATE;
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_non_null(strstr(err.msg, "{\"k\":\"a\"}"));
	/* Trailing spaces: "a " is another key that PAD SPACE folds. */
	tu_set_row(&b.ch[0].row, 2, "a ", "6");
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_non_null(strstr(err.msg, "key {\"k\":\"a \"} collides with "
	    "existing key {\"k\":\"a\"}"));
	/* In a batch the statement fails whole; nothing changes. */
	change_batch_clear(&b);
	tu_set_row(&r, 2, "b", "2");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 2, "A", "5");
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_true(failed == SIZE_MAX);
	/* Two keys of one batch that fold together fail it too. */
	change_batch_clear(&b);
	tu_set_row(&r, 2, "C", "3");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 2, "c", "4");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_true(failed == SIZE_MAX);
	assert_out("SELECT k, v FROM ci", "a\t1\n");
	/* Updating "a" itself works, in a batch. */
	change_batch_clear(&b);
	tu_set_row(&r, 2, "a", "7");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 2, "d", "8");
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_out("SELECT k, v FROM ci ORDER BY k", "a\t7\nd\t8\n");

	/* Without a unique key: row by row, "a" never touches "A". */
	change_batch_free(&b);
	change_batch_init(&b, "nk", 2, cols, fam, 1);
	tu_set_row(&r, 2, "a", "20");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 2, "b", "30");
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_out("SELECT HEX(k), v FROM nk ORDER BY v",
	    "41\t1\n6120\t3\n61\t20\n62\t30\n");
	change_batch_clear(&b);
	tu_set_row(&r, 2, "a", NULL);
	change_batch_add(&b, CH_DELETE, &r);
	tu_set_row(&r, 2, "zz", NULL);
	change_batch_add(&b, CH_DELETE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	assert_out("SELECT HEX(k), v FROM nk ORDER BY v",
	    "41\t1\n6120\t3\n62\t30\n");
	change_batch_free(&b);
	row_free(&r);
	my_sql("DROP TABLE ci, nk");
}

static void
test_apply_composite(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"a", (char *)"b",
				    (char *)"v" };
	enum type_family	 fam[] = { TF_TEXT, TF_INTEGER, TF_TEXT };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed;
	char			*got;
	int			 i;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE cp (a VARCHAR(10), b INT, v TEXT, "
	    "PRIMARY KEY (a, b));"
	    "CREATE TABLE allk (a VARCHAR(10), b INT, v INT, "
	    "PRIMARY KEY (a, b, v))");
	change_batch_init(&b, "cp", 3, cols, fam, 2);
	row_init(&r, 3);
	tu_set_row(&r, 3, "x", "1", "a");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "x", "2", "b");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "y", "1", "c");
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	change_batch_clear(&b);
	tu_set_row(&r, 3, "x", "1", NULL);
	change_batch_add(&b, CH_DELETE, &r);
	tu_set_row(&r, 3, "y", "1", NULL);
	change_batch_add(&b, CH_DELETE, &r);
	tu_set_row(&r, 3, "x", "2", "B");
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	got = scan_text(fx->c, "cp", cols, fam, 3, 2, NULL);
	assert_string_equal(got, "x|2|B\n");
	free(got);
	change_batch_free(&b);

	/* Every column in the key: an update inserts what is missing. */
	fam[2] = TF_INTEGER;
	change_batch_init(&b, "allk", 3, cols, fam, 3);
	for (i = 0; i < 2; i++) {
		change_batch_clear(&b);
		tu_set_row(&r, 3, "k", "1", "1");
		change_batch_add(&b, CH_UPDATE, &r);
		if (i == 1) {
			tu_set_row(&r, 3, "k", "1", "2");
			change_batch_add(&b, CH_UPDATE, &r);
		}
		assert_int_equal(db_apply(fx->c, &b, &failed, &err), 0);
	}
	assert_out("SELECT a, b, v FROM allk ORDER BY v",
	    "k\t1\t1\nk\t1\t2\n");
	change_batch_free(&b);
	row_free(&r);
	my_sql("DROP TABLE cp, allk");
}

static void
test_apply_packets(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"t" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT };
	struct change_batch	 b;
	struct row		 r;
	struct ps_error		 err;
	size_t			 failed, mb = 1 << 20;
	char			*big, id[16], *maxp, *want;
	long long		 max;
	int			 i;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE pk (id INT PRIMARY KEY, t LONGTEXT)");
	maxp = my_out("SELECT @@max_allowed_packet");
	max = atoll(maxp);
	free(maxp);
	assert_true(max > 0);
	big = xmalloc((size_t)max + 2);
	memset(big, 'x', (size_t)max + 1);
	big[max + 1] = '\0';
	change_batch_init(&b, "pk", 2, cols, fam, 1);
	row_init(&r, 2);

	/* More than one statement can carry: split, all written. */
	for (i = 0; i < (int)((size_t)max / mb) + 4; i++) {
		snprintf(id, sizeof id, "%d", i);
		tu_set_row(&r, 2, id, NULL);
		row_set(&r, 1, big, mb);
		change_batch_add(&b, i % 2 ? CH_UPDATE : CH_INSERT, &r);
	}
	if (db_apply(fx->c, &b, &failed, &err) != 0)
		fail_msg("apply: %s", err.msg);
	xasprintf(&want, "%d\t1048576\t1048576\n", i);
	assert_out("SELECT COUNT(*), MIN(LENGTH(t)), MAX(LENGTH(t)) FROM pk",
	    want);
	free(want);

	/* A row larger than any statement is refused before it is sent. */
	change_batch_clear(&b);
	tu_set_row(&r, 2, "1", "small");
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 2, "2", NULL);
	row_set(&r, 1, big, (size_t)max + 1);
	change_batch_add(&b, CH_UPDATE, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "max_allowed_packet"));
	change_batch_clear(&b);
	change_batch_add(&b, CH_INSERT, &r);
	assert_int_equal(db_apply(fx->c, &b, &failed, &err), -1);
	assert_int_equal(failed, 0);
	assert_int_equal(err.code, PS_ERR_VALUE);
	/* The connection is still good. */
	assert_out("SELECT COUNT(*) FROM pk WHERE id = 1 AND LENGTH(t) = 1048576",
	    "1\n");
	change_batch_free(&b);
	row_free(&r);
	free(big);
	my_sql("DROP TABLE pk");
}

static void
test_scan_while_writing(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"v" };
	enum type_family	 fam[] = { TF_INTEGER, TF_INTEGER };
	struct scan_spec	 spec;
	struct db_cursor	*cur = NULL, *cur2 = NULL;
	struct change_batch	 b;
	struct row		 r, w;
	struct ps_error		 err;
	size_t			 failed;
	char			 id[32];
	int			 n = 0, rc, i;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE big (id INT PRIMARY KEY, v INT);"
	    "SET max_recursive_iterations = 100000;"
	    "INSERT INTO big WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL "
	    "SELECT n + 1 FROM s WHERE n < 5000) SELECT n, 0 FROM s");
	memset(&spec, 0, sizeof spec);
	spec.table = "big";
	spec.ncols = 2;
	spec.cols = cols;
	spec.fam = fam;
	spec.nkey = 1;
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	/* Only one full scan at a time on a connection. */
	assert_int_equal(db_scan(fx->c, &spec, &cur2, &err), -1);
	assert_int_equal(err.code, PS_ERR_INTERNAL);
	row_init(&r, 2);
	row_init(&w, 2);
	change_batch_init(&b, "big", 2, cols, fam, 1);
	while ((rc = db_next(fx->c, cur, &r, &err)) == 1) {
		n++;
		snprintf(id, sizeof id, "%d", n);
		assert_string_equal(row_ptr(&r, 0), id);
		if (n % 100 != 0)
			continue;
		/* Write the keys read so far, and a new one, meanwhile. */
		change_batch_clear(&b);
		for (i = n - 99; i <= n; i++) {
			snprintf(id, sizeof id, "%d", i);
			tu_set_row(&w, 2, id, "1");
			change_batch_add(&b, CH_UPDATE, &w);
		}
		snprintf(id, sizeof id, "%d", 100000 + n);
		tu_set_row(&w, 2, id, "2");
		change_batch_add(&b, CH_INSERT, &w);
		assert_int_equal(db_begin(fx->c, &err), 0);
		if (db_apply(fx->c, &b, &failed, &err) != 0)
			fail_msg("apply during scan: %s", err.msg);
		assert_int_equal(db_commit(fx->c, &err), 0);
		/* A key_eq scan runs beside the open one. */
		snprintf(id, sizeof id, "%d", n);
		tu_set_row(&w, 2, id, NULL);
		spec.key_eq = &w;
		assert_int_equal(db_scan(fx->c, &spec, &cur2, &err), 0);
		assert_int_equal(db_next(fx->c, cur2, &w, &err), 1);
		assert_string_equal(row_ptr(&w, 1), "1");
		assert_int_equal(db_next(fx->c, cur2, &w, &err), 0);
		db_cursor_free(fx->c, cur2);
		spec.key_eq = NULL;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 5000);
	db_cursor_free(fx->c, cur);
	assert_out("SELECT COUNT(*), SUM(v) FROM big", "5050\t5100\n");

	/* A scan left early frees the reader for the next one. */
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	assert_int_equal(db_next(fx->c, cur, &r, &err), 1);
	db_cursor_free(fx->c, cur);
	assert_int_equal(db_scan(fx->c, &spec, &cur, &err), 0);
	n = 0;
	while ((rc = db_next(fx->c, cur, &r, &err)) == 1)
		n++;
	assert_int_equal(rc, 0);
	assert_int_equal(n, 5050);
	db_cursor_free(fx->c, cur);

	/* Statistics give an estimate. */
	my_sql("ANALYZE TABLE big");
	assert_true(fx->c->ops->estimate(fx->c, "big") > 1000);
	assert_int_equal(fx->c->ops->estimate(fx->c, "nope"), -1);
	change_batch_free(&b);
	row_free(&r);
	row_free(&w);
	my_sql("DROP TABLE big");
}

struct canceller {
	struct db_conn	*c;
};

static void *
cancel_later(void *arg)
{
	struct canceller	*cl = arg;

	usleep(300 * 1000);
	cl->c->ops->cancel(cl->c);
	return NULL;
}

static void
test_cancel(void **state)
{
	struct fx		*fx = *state;
	struct canceller	 cl;
	struct ps_error		 err;
	pthread_t		 t;

	(void)tu_server_dsn("MY");
	cl.c = fx->c;
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &cl), 0);
	assert_int_equal(db_exec(fx->c, "SELECT SLEEP(20)", &err), -1);
	assert_int_equal(err.code, PS_ERR_CANCELLED);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/* ---- render and DDL ---- */

static void
test_render(void **state)
{
	struct fx		*fx = *state;
	char			*cols[] = { (char *)"id", (char *)"t",
				    (char *)"b" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT, TF_BINARY };
	char			*kcols[] = { (char *)"k", (char *)"v" };
	enum type_family	 kfam[] = { TF_TEXT, TF_BOOLEAN };
	struct change_batch	 b;
	struct row		 r;
	struct strbuf		 sb = STRBUF_INIT;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE rt (id INT PRIMARY KEY, t TEXT, b BLOB);"
	    "CREATE TABLE rk (k VARCHAR(5), v BOOLEAN)");
	change_batch_init(&b, "rt", 3, cols, fam, 1);
	row_init(&r, 3);
	tu_set_row(&r, 3, "1", "it's\n\\", NULL);
	row_set(&r, 2, "\0\xff", 2);
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 3, "2", NULL, NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	tu_set_row(&r, 3, "3", NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	tu_set_row(&r, 3, "4", NULL, NULL);
	change_batch_add(&b, CH_DELETE, &r);
	db_render(fx->c, &b, &sb);
	assert_string_equal(sb_str(&sb),
	    "INSERT INTO `rt` (`id`, `t`, `b`) VALUES "
	    "(1, 'it\\'s\\n\\\\', X'00ff'), (2, NULL, NULL) "
	    "ON DUPLICATE KEY UPDATE `id` = IF(`id` <=> VALUES(`id`), `id`, "
	    "NULL), `t` = VALUES(`t`), `b` = VALUES(`b`);\n"
	    "DELETE FROM `rt` WHERE `id` IN (3, 4);\n");
	change_batch_clear(&b);
	sb_reset(&sb);
	tu_set_row(&r, 3, "5", "x", NULL);
	change_batch_add(&b, CH_UPDATE, &r);
	db_render(fx->c, &b, &sb);
	assert_string_equal(sb_str(&sb),
	    "UPDATE `rt` SET `t` = 'x', `b` = NULL WHERE `id` = 5;\n"
	    "INSERT INTO `rt` (`id`, `t`, `b`) SELECT 5, 'x', NULL FROM DUAL "
	    "WHERE NOT EXISTS (SELECT 1 FROM `rt` WHERE `id` = 5);\n");
	/* The rendered SQL runs. */
	assert_int_equal(db_exec(fx->c, sb_str(&sb), NULL), 0);
	assert_out("SELECT id, t FROM rt", "5\tx\n");
	change_batch_free(&b);

	/* No unique key, a folding collation: row by row, bytes compared. */
	change_batch_init(&b, "rk", 2, kcols, kfam, 1);
	row_free(&r);
	row_init(&r, 2);
	tu_set_row(&r, 2, "a", "true");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 2, "b", NULL);
	change_batch_add(&b, CH_DELETE, &r);
	sb_reset(&sb);
	db_render(fx->c, &b, &sb);
	assert_string_equal(sb_str(&sb),
	    "INSERT INTO `rk` (`k`, `v`) VALUES ('a', 1);\n"
	    "DELETE FROM `rk` WHERE `k` = 'b' AND CAST(`k` AS BINARY) = "
	    "CAST('b' AS BINARY);\n");
	change_batch_free(&b);
	row_free(&r);
	sb_free(&sb);
	my_sql("DROP TABLE rt, rk");
}

/* Assert that A and B describe the same table (but for names). */
static void
assert_same_def(const struct table_def *a, const struct table_def *b)
{
	const struct column_def	*x, *y;
	int			 i, k;

	assert_int_equal(a->ncols, b->ncols);
	for (i = 0; i < a->ncols; i++) {
		x = &a->cols[i];
		y = &b->cols[i];
		if (strcmp(x->name, y->name) != 0 || x->family != y->family ||
		    x->length != y->length || x->precision != y->precision ||
		    x->scale != y->scale || x->nullable != y->nullable ||
		    x->is_unsigned != y->is_unsigned ||
		    x->autoincrement != y->autoincrement ||
		    (x->default_expr == NULL) != (y->default_expr == NULL) ||
		    (x->default_expr != NULL &&
		    strcmp(x->default_expr, y->default_expr) != 0))
			fail_msg("column %s: %s %s len %d prec %d scale %d "
			    "null %d default %s / %s %s len %d prec %d scale "
			    "%d null %d default %s", x->name, x->type_name,
			    tf_name(x->family), x->length, x->precision,
			    x->scale, x->nullable, x->default_expr != NULL ?
			    x->default_expr : "-", y->type_name,
			    tf_name(y->family), y->length, y->precision,
			    y->scale, y->nullable, y->default_expr != NULL ?
			    y->default_expr : "-");
	}
	assert_int_equal(a->npk, b->npk);
	for (i = 0; i < a->npk; i++)
		assert_string_equal(a->pk[i], b->pk[i]);
	assert_int_equal(a->nidx, b->nidx);
	for (k = 0; k < a->nidx; k++) {
		assert_int_equal(a->idx[k].ncols, b->idx[k].ncols);
		for (i = 0; i < a->idx[k].ncols; i++)
			assert_string_equal(a->idx[k].cols[i],
			    b->idx[k].cols[i]);
	}
	assert_int_equal(a->nfk, b->nfk);
	for (k = 0; k < a->nfk; k++) {
		assert_int_equal(a->fks[k].ncols, b->fks[k].ncols);
		for (i = 0; i < a->fks[k].ncols; i++) {
			assert_string_equal(a->fks[k].cols[i],
			    b->fks[k].cols[i]);
			assert_string_equal(a->fks[k].ref_cols[i],
			    b->fks[k].ref_cols[i]);
		}
	}
}

static void
test_ddl_roundtrip(void **state)
{
	struct fx		*fx = *state;
	struct table_def	 src, dst;
	struct strbuf		 sql = STRBUF_INIT;
	struct ps_error		 err;
	int			 k;

	(void)tu_server_dsn("MY");
	my_sql("CREATE TABLE dparent (a INT PRIMARY KEY);"
	    "CREATE TABLE dsrc ("
	    "id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, k VARCHAR(20) NOT NULL, "
	    "b TINYINT(1) DEFAULT 1, ti TINYINT, si SMALLINT UNSIGNED, "
	    "mi MEDIUMINT, i INT NOT NULL DEFAULT 0, "
	    "dc DECIMAL(10,2) DEFAULT 0.10, f FLOAT, d DOUBLE, "
	    "v VARCHAR(100) DEFAULT 'it''s \\\\ x', tx TEXT, mt MEDIUMTEXT, "
	    "lt LONGTEXT, vb VARBINARY(16), bl BLOB, lb LONGBLOB, "
	    "dt DATE, tm TIME(3), dtt DATETIME(6), ts TIMESTAMP(6) NULL, "
	    "j JSON, u UUID, pa INT, up BIGINT UNSIGNED, "
	    "cr DATETIME DEFAULT CURRENT_TIMESTAMP, "
	    "PRIMARY KEY (id), UNIQUE KEY uv (v), UNIQUE KEY uk (k, i), "
	    "FOREIGN KEY (pa) REFERENCES dparent (a), "
	    "FOREIGN KEY (up) REFERENCES dsrc (id))");
	assert_int_equal(db_describe(fx->c, "dsrc", &src, &err), 0);
	free(src.name);
	src.name = xstrdup("ddst");
	for (k = 0; k < src.nfk; k++) {
		if (strcmp(src.fks[k].ref_table, "dsrc") == 0) {
			free(src.fks[k].ref_table);
			src.fks[k].ref_table = xstrdup("ddst");
		}
	}
	if (db_ddl(fx->c, DDL_CREATE_TABLE, &src, -1, &sql, &err) != 0)
		fail_msg("ddl: %s", err.msg);
	assert_true(strstr(sb_str(&sql), "COLLATE=utf8mb4_nopad_bin;\n") !=
	    NULL);
	if (db_exec(fx->c, sb_str(&sql), &err) != 0)
		fail_msg("exec %s: %s", sb_str(&sql), err.msg);
	assert_int_equal(db_describe(fx->c, "ddst", &dst, &err), 0);
	assert_same_def(&src, &dst);
	table_def_free(&dst);

	/* Add a column, widen another. */
	sb_reset(&sql);
	free(src.cols[1].name);
	src.cols[1].name = xstrdup("added");
	src.cols[1].nullable = 1;
	assert_int_equal(db_ddl(fx->c, DDL_ADD_COLUMN, &src, 1, &sql, &err),
	    0);
	assert_int_equal(db_exec(fx->c, sb_str(&sql), &err), 0);
	sb_reset(&sql);
	k = table_def_col(&src, "v");
	src.cols[k].length = 200;
	assert_int_equal(db_ddl(fx->c, DDL_WIDEN_COLUMN, &src, k, &sql, &err),
	    0);
	if (db_exec(fx->c, sb_str(&sql), &err) != 0)
		fail_msg("exec %s: %s", sb_str(&sql), err.msg);
	assert_int_equal(db_describe(fx->c, "ddst", &dst, &err), 0);
	assert_int_equal(dst.ncols, src.ncols + 1);
	assert_col(&dst, "added", TF_TEXT, 20, -1, -1, 1);
	assert_col(&dst, "v", TF_TEXT, 200, -1, -1, 1);
	assert_default(&dst, "v", "'it''s \\ x'");
	table_def_free(&dst);
	assert_out("SELECT COLLATION_NAME FROM information_schema.COLUMNS "
	    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ddst' AND "
	    "COLUMN_NAME = 'v'", "utf8mb4_nopad_bin\n");
	table_def_free(&src);
	sb_free(&sql);
	my_sql("DROP TABLE ddst, dsrc, dparent");
}

/* A column of a model as another engine (PostgreSQL) describes it. */
static void
model_col(struct column_def *cd, const char *name, enum type_family fam,
    int length, int precision, int scale, int nullable, const char *dflt)
{
	memset(cd, 0, sizeof *cd);
	cd->name = xstrdup(name);
	cd->type_name = xstrdup("pg");
	cd->family = fam;
	cd->length = length;
	cd->precision = precision;
	cd->scale = scale;
	cd->nullable = nullable;
	cd->default_expr = xstrdup(dflt);
}

static void
test_ddl_foreign_model(void **state)
{
	struct fx		*fx = *state;
	struct table_def	 m, d;
	struct strbuf		 sql = STRBUF_INIT;
	struct ps_error		 err;
	char			*cols[] = { (char *)"id", (char *)"name" };
	enum type_family	 fam[] = { TF_INTEGER, TF_TEXT };
	struct change_batch	 b;
	struct row		 r;
	size_t			 failed;
	char			*got;

	(void)tu_server_dsn("MY");
	memset(&m, 0, sizeof m);
	m.name = xstrdup("from_pg");
	m.ncols = 11;
	m.cols = xcalloc(11, sizeof *m.cols);
	model_col(&m.cols[0], "id", TF_INTEGER, -1, 8, -1, 0,
	    "nextval('from_pg_id_seq'::regclass)");
	m.cols[0].autoincrement = 1;
	model_col(&m.cols[1], "name", TF_TEXT, -1, -1, -1, 0, NULL);
	model_col(&m.cols[2], "note", TF_TEXT, 20000, -1, -1, 1, NULL);
	model_col(&m.cols[3], "data", TF_BINARY, -1, -1, -1, 1, NULL);
	model_col(&m.cols[4], "amount", TF_DECIMAL, -1, -1, -1, 1, NULL);
	model_col(&m.cols[5], "at", TF_TIMESTAMPTZ, -1, -1, 6, 1, NULL);
	model_col(&m.cols[6], "flag", TF_BOOLEAN, -1, -1, -1, 0, "true");
	model_col(&m.cols[7], "made", TF_TIMESTAMP, -1, -1, -1, 1,
	    "CURRENT_TIMESTAMP");
	model_col(&m.cols[8], "price", TF_DECIMAL, -1, 12, 2, 1,
	    "'0.00'::numeric");
	model_col(&m.cols[9], "label", TF_TEXT, 10, -1, -1, 1,
	    "'it''s'::character varying");
	model_col(&m.cols[10], "doc", TF_JSON, -1, -1, -1, 1, NULL);
	m.npk = 1;
	m.pk = xcalloc(2, sizeof *m.pk);
	m.pk[0] = xstrdup("id");
	m.nidx = 1;
	m.idx = xcalloc(1, sizeof *m.idx);
	m.idx[0].name = xstrdup("from_pg_name_key");
	m.idx[0].unique = 1;
	m.idx[0].ncols = 1;
	m.idx[0].cols = xcalloc(2, sizeof *m.idx[0].cols);
	m.idx[0].cols[0] = xstrdup("name");

	assert_int_equal(db_ddl(fx->c, DDL_CREATE_TABLE, &m, -1, &sql, &err),
	    0);
	if (db_exec(fx->c, sb_str(&sql), &err) != 0)
		fail_msg("exec %s: %s", sb_str(&sql), err.msg);
	assert_int_equal(db_describe(fx->c, "from_pg", &d, &err), 0);
	assert_col(&d, "id", TF_INTEGER, -1, 8, -1, 0);
	assert_int_equal(col(&d, "id")->autoincrement, 1);
	assert_col(&d, "name", TF_TEXT, 255, -1, -1, 0);
	assert_col(&d, "note", TF_TEXT, 65535, -1, -1, 1);
	assert_col(&d, "data", TF_BINARY, -1, -1, -1, 1);
	assert_col(&d, "amount", TF_DECIMAL, -1, 65, 30, 1);
	assert_col(&d, "at", TF_TIMESTAMPTZ, -1, -1, 6, 1);
	assert_col(&d, "flag", TF_BOOLEAN, -1, -1, -1, 0);
	assert_default(&d, "flag", "TRUE");
	assert_col(&d, "made", TF_TIMESTAMP, -1, -1, 6, 1);
	assert_default(&d, "made", "CURRENT_TIMESTAMP");
	assert_col(&d, "price", TF_DECIMAL, -1, 12, 2, 1);
	assert_default(&d, "price", "0.00");
	assert_col(&d, "label", TF_TEXT, 10, -1, -1, 1);
	assert_default(&d, "label", "'it''s'");
	assert_col(&d, "doc", TF_JSON, -1, -1, -1, 1);
	assert_int_equal(d.nidx, 1);
	assert_string_equal(d.idx[0].cols[0], "name");
	table_def_free(&d);

	/* Created keys compare bytes: "a", "A" and "a " are three keys. */
	change_batch_init(&b, "from_pg", 2, cols, fam, 1);
	row_init(&r, 2);
	tu_set_row(&r, 2, "1", "a");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 2, "2", "A");
	change_batch_add(&b, CH_INSERT, &r);
	tu_set_row(&r, 2, "3", "a ");
	change_batch_add(&b, CH_INSERT, &r);
	if (db_apply(fx->c, &b, &failed, &err) != 0)
		fail_msg("apply: %s", err.msg);
	cols[0] = (char *)"name";
	cols[1] = (char *)"id";
	fam[0] = TF_TEXT;
	fam[1] = TF_INTEGER;
	got = scan_text(fx->c, "from_pg", cols, fam, 2, 1, NULL);
	assert_string_equal(got, "A|2\na|1\na |3\n");
	free(got);

	/* MySQL has no type for these. */
	m.cols[4].precision = 100;
	m.cols[4].scale = 2;
	sb_reset(&sql);
	assert_int_equal(db_ddl(fx->c, DDL_CREATE_TABLE, &m, -1, &sql, &err),
	    -1);
	assert_int_equal(err.code, PS_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "'amount'"));
	assert_int_equal(sql.len, 0);
	change_batch_free(&b);
	row_free(&r);
	table_def_free(&m);
	sb_free(&sql);
	my_sql("DROP TABLE from_pg");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connect, fx_setup,
		    fx_teardown),
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
		cmocka_unit_test_setup_teardown(test_apply_hostile, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_families, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_errors, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_folding, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_composite, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_apply_packets, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_scan_while_writing,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cancel, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_render, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_ddl_roundtrip, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_ddl_foreign_model,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("db_mysql", tests, group_setup,
	    group_teardown);
}

#else /* !HAVE_MYSQL */

#include <stdio.h>

int
main(void)
{
	puts("1..0 # SKIP built without MySQL support");
	return 0;
}

#endif
