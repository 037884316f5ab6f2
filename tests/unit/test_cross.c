/*
 * projsync - test_cross.c: the sync engine across PostgreSQL, MySQL/MariaDB
 * and SQLite on the live test servers (tests/servers.sh).  In all nine
 * pairings a table of tricky values and a table of text keys, each created
 * in the engine's own dialect, are synced one way into an empty copy, every
 * canonical value is checked on both sides, a second sync finds nothing to
 * do, and the rows travel back into a fresh table of the first engine.
 * PostgreSQL and MySQL meet every strategy in bidirectional three-way rounds
 * and a conflict resolution; foreign-key chains with a self-reference go
 * into empty targets that auto-migrate creates on every engine; schema
 * differences are diffed and migrated across engines; and bad input (a wrong
 * password, a closed port, a missing database or table, a table without a
 * key, a value too long, keys that a collation folds together) gives its
 * error.
 *
 * Every test makes its own databases (CREATE DATABASE on the servers, files
 * for SQLite) and drops them in its teardown: other test programs use the
 * same servers at the same time.
 */
#include "projsync/common.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "projsync/conf.h"
#include "projsync/db.h"
#include "projsync/engine.h"
#include "projsync/history.h"
#include "projsync/util.h"
#include "testutil.h"

enum eng { E_PG, E_MY, E_SQLITE };

#define NEPS	6	/* endpoints a test may create */
#define TIMEOUT	10	/* connect timeout, seconds */

/* A database of one engine, made for one test, and its connection. */
struct ep {
	enum eng	 eng;
	char		*name;	/* the connection's name */
	char		*db;	/* the database's name, or the SQLite file */
};

struct fx {
	char			*dir;
	char			*hpath;
	struct conf		*conf;
	struct history		*hist;
	struct engine_ctx	 ctx;
	int			 nep;
	struct ep		 ep[NEPS];
};

static int	seq;

static const char *
eng_env(enum eng e)
{
	return e == E_PG ? "PG" : "MY";
}

static const char *
eng_type(enum eng e)
{
	switch (e) {
	case E_PG:
		return "postgresql";
	case E_MY:
		return "mysql";
	default:
		return "sqlite";
	}
}

static const char *
eng_label(enum eng e)
{
	switch (e) {
	case E_PG:
		return "pg";
	case E_MY:
		return "my";
	default:
		return "lite";
	}
}

static void
on_event(const struct engine_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == EV_LOG && getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "log: %s\n", ev->message);
}

static int
setup(void **state)
{
	struct fx	*fx;
	struct ps_error	 err;
	char		*cpath;

	fx = xcalloc(1, sizeof *fx);
	fx->dir = tu_tmpdir();
	fx->hpath = tu_path(fx->dir, "history.db");
	cpath = tu_path(fx->dir, "projsync.conf");
	if (conf_load(cpath, &fx->conf, &err) != 0)
		fail_msg("conf_load: %s", err.msg);
	free(cpath);
	if (history_open(fx->hpath, &fx->hist, &err) != 0)
		fail_msg("history_open: %s", err.msg);
	fx->ctx.conf = fx->conf;
	fx->ctx.hist = fx->hist;
	fx->ctx.cb = on_event;
	fx->ctx.cb_arg = fx;
	*state = fx;
	return 0;
}

static void
ep_drop(struct ep *ep)
{
	char	*sql = NULL, *out = NULL;

	switch (ep->eng) {
	case E_PG:
		xasprintf(&sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE);",
		    ep->db);
		out = tu_server_sql("PG", NULL, sql);
		break;
	case E_MY:
		xasprintf(&sql, "DROP DATABASE IF EXISTS `%s`;", ep->db);
		out = tu_server_sql("MY", NULL, sql);
		break;
	case E_SQLITE:
		break;
	}
	free(out);
	free(sql);
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	int		 i;

	history_close(fx->hist);
	for (i = 0; i < fx->nep; i++) {
		ep_drop(&fx->ep[i]);
		free(fx->ep[i].name);
		free(fx->ep[i].db);
	}
	conf_free(fx->conf);
	tu_rmrf(fx->dir);
	free(fx->dir);
	free(fx->hpath);
	free(fx);
	return 0;
}

/* ---- connections and databases ---- */

/* DSN (key=value form) with KEY set to VAL. */
static char *
dsn_set(const char *dsn, const char *key, const char *val)
{
	struct strbuf	 sb = STRBUF_INIT;
	const char	*p = dsn, *end;
	size_t		 klen = strlen(key);
	int		 found = 0;

	while (*p != '\0') {
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		if (sb.len > 0)
			sb_addch(&sb, ' ');
		if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			sb_addf(&sb, "%s=%s", key, val);
			found = 1;
		} else
			sb_add(&sb, p, (size_t)(end - p));
		p = end;
		while (*p == ' ')
			p++;
	}
	if (!found)
		sb_addf(&sb, "%s%s=%s", sb.len > 0 ? " " : "", key, val);
	return sb_detach(&sb);
}

/* The value of KEY in DSN, or DFLT; the caller frees. */
static char *
dsn_get(const char *dsn, const char *key, const char *dflt)
{
	const char	*p = dsn;
	size_t		 klen = strlen(key), n;

	while (*p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			n = strcspn(p, " ");
			return xstrndup(p, n);
		}
		p += strcspn(p, " ");
		while (*p == ' ')
			p++;
	}
	return xstrdup(dflt);
}

/* Add connection NAME to the configuration, with PASSWORD set directly. */
static void
conn_add(struct fx *fx, const char *name, enum eng e, const char *dsn,
    const char *password)
{
	struct conn_conf	*cc;
	struct ps_error		 err;

	if (conf_conn_add(fx->conf, name, eng_type(e), dsn, NULL, &err) != 0)
		fail_msg("conf_conn_add %s: %s", name, err.msg);
	cc = &fx->conf->conns[fx->conf->nconns - 1];
	assert_string_equal(cc->name, name);
	if (password != NULL)
		cc->password = xstrdup(password);
}

/*
 * A new empty database of engine E (skipping the test when its server is
 * not running) and a connection to it, named after the engine and its
 * position ("pg1", "my2", "lite3").
 */
static struct ep *
ep_new(struct fx *fx, enum eng e)
{
	struct ep	*ep;
	const char	*dsn = NULL;
	char		*sql = NULL, *out = NULL, *cdsn = NULL, *user, *file;

	if (e != E_SQLITE)
		dsn = tu_server_dsn(eng_env(e));
	assert_true(fx->nep < NEPS);
	ep = &fx->ep[fx->nep++];
	ep->eng = e;
	xasprintf(&ep->name, "%s%d", eng_label(e), fx->nep);
	xasprintf(&ep->db, "pscross_%ld_%d", (long)getpid(), ++seq);
	switch (e) {
	case E_PG:
		user = dsn_get(dsn, "user", "projsync");
		xasprintf(&sql, "CREATE DATABASE \"%s\" OWNER \"%s\";",
		    ep->db, user);
		free(user);
		out = tu_server_sql("PG", NULL, sql);
		cdsn = dsn_set(dsn, "dbname", ep->db);
		break;
	case E_MY:
		xasprintf(&sql, "CREATE DATABASE `%s` CHARACTER SET utf8mb4 "
		    "COLLATE utf8mb4_general_ci;", ep->db);
		out = tu_server_sql("MY", NULL, sql);
		cdsn = dsn_set(dsn, "database", ep->db);
		break;
	case E_SQLITE:
		xasprintf(&file, "%s/%s.db", fx->dir, ep->name);
		free(ep->db);
		ep->db = file;
		tu_sql(ep->db, "PRAGMA user_version = 1;");
		cdsn = xstrdup(ep->db);
		break;
	}
	conn_add(fx, ep->name, e, cdsn, e == E_SQLITE ? NULL :
	    tu_server_password(eng_env(e)));
	free(cdsn);
	free(out);
	free(sql);
	return ep;
}

/*
 * Run SQL on EP with the engine's own client (psql, mariadb, SQLite) and
 * return its output (rows tab-separated).  Server sessions run in UTC with
 * UTF-8, PostgreSQL as the test's role (so it owns the tables), and MySQL
 * takes backslashes in strings as data, as standard SQL does.
 */
static char *
ep_query(const struct ep *ep, const char *sql)
{
	const char	*dsn;
	char		*full = NULL, *out = NULL, *user, *p;

	switch (ep->eng) {
	case E_PG:
		/* As the test's role, which owns what it creates. */
		if ((dsn = getenv("PROJSYNC_TEST_PG_DSN")) == NULL)
			dsn = "";
		user = dsn_get(dsn, "user", "projsync");
		xasprintf(&full, "SET client_encoding TO 'UTF8';\n"
		    "SET TimeZone TO 'UTC';\nSET ROLE \"%s\";\n%s", user, sql);
		free(user);
		out = tu_server_sql("PG", ep->db, full);
		break;
	case E_MY:
		xasprintf(&full, "SET NAMES utf8mb4;\n"
		    "SET SESSION sql_mode = CONCAT(@@sql_mode, "
		    "',NO_BACKSLASH_ESCAPES');\n"
		    "SET time_zone = '+00:00';\n%s", sql);
		out = tu_server_sql("MY", ep->db, full);
		break;
	case E_SQLITE:
		out = tu_query(ep->db, sql);
		for (p = out; *p != '\0'; p++) {
			if (*p == '|')
				*p = '\t';
		}
		break;
	}
	free(full);
	return out;
}

static void
ep_sql(const struct ep *ep, const char *sql)
{
	if (ep->eng == E_SQLITE)
		tu_sql(ep->db, sql);
	else
		free(ep_query(ep, sql));
}

static long long
ep_count(const struct ep *ep, const char *table, const char *where)
{
	char		*sql, *out;
	long long	 n;

	xasprintf(&sql, "SELECT count(*) FROM %s%s%s;", table,
	    where != NULL ? " WHERE " : "", where != NULL ? where : "");
	out = ep_query(ep, sql);
	n = strtoll(out, NULL, 10);
	free(out);
	free(sql);
	return n;
}

/* A NULL-terminated vector of copies (util_strv_free). */
static char **
strv(const char *first, ...)
{
	va_list		 ap;
	const char	*s;
	char		**v;
	int		 n = 0;

	v = xcalloc(16, sizeof *v);
	va_start(ap, first);
	for (s = first; s != NULL && n < 15; s = va_arg(ap, const char *))
		v[n++] = xstrdup(s);
	va_end(ap);
	return v;
}

/* ---- jobs ---- */

static void
opts_for(struct fx *fx, struct sync_opts *o, const char *src,
    const char *dst, int bidir, enum strategy st)
{
	sync_opts_defaults(o, fx->conf);
	o->source = src;
	o->target = dst;
	o->bidirectional = bidir;
	o->strategy = st;
	o->connect_timeout = TIMEOUT;
}

static void
run(struct fx *fx, const struct sync_opts *o, struct job_result *r)
{
	struct ps_error	err;

	memset(r, 0, sizeof *r);
	if (engine_sync(&fx->ctx, o, r, &err) != 0)
		fail_msg("engine_sync %s -> %s: %s", o->source, o->target,
		    err.msg);
}

/* The warnings and errors of job ID, to stderr. */
static void
show_logs(struct fx *fx, int64_t id)
{
	struct log_row	*logs = NULL;
	struct ps_error	 err;
	int		 n = 0, i;

	if (history_logs(fx->hist, id, &logs, &n, &err) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(logs[i].level, "info") != 0 &&
		    strcmp(logs[i].level, "debug") != 0)
			fprintf(stderr, "  job %lld %s: %.400s\n",
			    (long long)id, logs[i].level, logs[i].message);
	}
	log_rows_free(logs, n);
}

/* The job ended with status ST and ERRORS errors, or the test fails. */
static void
expect_job(struct fx *fx, const struct job_result *r, enum job_status st,
    int64_t errors, const char *what)
{
	int	i;

	if (r->status == st && r->counts.errors == errors)
		return;
	fprintf(stderr, "%s: job %lld is %s with %lld errors, want %s with "
	    "%lld\n", what, (long long)r->job_id, job_status_name(r->status),
	    (long long)r->counts.errors, job_status_name(st),
	    (long long)errors);
	for (i = 0; i < r->ntables; i++)
		fprintf(stderr, "  table %s: %s%s%.300s\n", r->tables[i].name,
		    r->tables[i].status, r->tables[i].message != NULL ?
		    ": " : "", r->tables[i].message != NULL ?
		    r->tables[i].message : "");
	show_logs(fx, r->job_id);
	fail_msg("%s: job status %s, %lld errors", what,
	    job_status_name(r->status), (long long)r->counts.errors);
}

/* A sync with options O finds N keys and nothing to do. */
static void
expect_quiet(struct fx *fx, const struct sync_opts *o, int64_t n,
    const char *what)
{
	struct job_result	r;

	run(fx, o, &r);
	expect_job(fx, &r, JOB_COMPLETED, 0, what);
	assert_int_equal(r.counts.rows_compared, n);
	assert_int_equal(r.counts.inserted, 0);
	assert_int_equal(r.counts.updated, 0);
	assert_int_equal(r.counts.deleted, 0);
	assert_int_equal(r.counts.conflicts, 0);
	job_result_free(&r);
}

/* Whether the log of job ID has a line holding TEXT. */
static int
log_has(struct fx *fx, int64_t id, const char *text)
{
	struct log_row	*logs = NULL;
	struct ps_error	 err;
	int		 n = 0, i, found = 0;

	if (history_logs(fx->hist, id, &logs, &n, &err) != 0)
		fail_msg("history_logs: %s", err.msg);
	for (i = 0; i < n; i++) {
		if (strstr(logs[i].message, text) != NULL)
			found = 1;
	}
	log_rows_free(logs, n);
	return found;
}

static const struct table_result *
table_of(const struct job_result *r, const char *name)
{
	int	i;

	for (i = 0; i < r->ntables; i++) {
		if (strcmp(r->tables[i].name, name) == 0)
			return &r->tables[i];
	}
	fail_msg("job %lld has no table %s", (long long)r->job_id, name);
	return NULL;
}

/* ---- reading through the drivers ---- */

struct scan {
	struct db_conn		*conn;
	struct db_cursor	*cur;
	struct table_def	 def;
	int			 ncols;
	int			 nkey;
	char			**cols;
	enum type_family	*fam;
	struct row		 row;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
describe_on(struct fx *fx, const char *conn, const char *table,
    struct table_def *def)
{
	const struct conn_conf	*cc;
	struct db_conn		*c = NULL;
	struct ps_error		 err;

	memset(def, 0, sizeof *def);
	if ((cc = conf_conn_find(fx->conf, conn)) == NULL)
		fail_msg("no connection %s", conn);
	if (db_open(cc, TIMEOUT, &c, &err) != 0)
		fail_msg("db_open %s: %s", conn, err.msg);
	if (db_describe(c, table, def, &err) != 0)
		fail_msg("describe %s on %s: %s", table, conn, err.msg);
	db_close(c);
}

/*
 * Scan TABLE on connection CONN through its driver: COLS (NULL-terminated,
 * the first NKEY the key) or, when NULL, the primary key then the other
 * columns by name.
 */
static void
scan_open(struct fx *fx, const char *conn, const char *table,
    char *const *cols, int nkey, struct scan *s)
{
	const struct conn_conf	*cc;
	struct scan_spec	 spec;
	struct ps_error		 err;
	int			 i, j, n;

	memset(s, 0, sizeof *s);
	if ((cc = conf_conn_find(fx->conf, conn)) == NULL)
		fail_msg("no connection %s", conn);
	if (db_open(cc, TIMEOUT, &s->conn, &err) != 0)
		fail_msg("db_open %s: %s", conn, err.msg);
	if (db_describe(s->conn, table, &s->def, &err) != 0)
		fail_msg("describe %s on %s: %s", table, conn, err.msg);
	if (cols != NULL) {
		for (n = 0; cols[n] != NULL; n++)
			;
		s->cols = xcalloc((size_t)n + 1, sizeof *s->cols);
		for (i = 0; i < n; i++)
			s->cols[i] = xstrdup(cols[i]);
		s->nkey = nkey;
	} else {
		n = s->def.ncols;
		s->cols = xcalloc((size_t)n + 1, sizeof *s->cols);
		for (i = 0; i < s->def.npk; i++)
			s->cols[i] = xstrdup(s->def.pk[i]);
		s->nkey = s->def.npk;
		for (i = 0, j = s->nkey; i < s->def.ncols; i++) {
			if (!util_strv_contains(s->cols, s->def.cols[i].name))
				s->cols[j++] = xstrdup(s->def.cols[i].name);
		}
		qsort(s->cols + s->nkey, (size_t)(n - s->nkey),
		    sizeof *s->cols, cmp_str);
	}
	assert_true(s->nkey > 0);
	s->ncols = n;
	s->fam = xcalloc((size_t)n, sizeof *s->fam);
	for (i = 0; i < n; i++) {
		if ((j = table_def_col(&s->def, s->cols[i])) == -1)
			fail_msg("%s on %s has no column %s", table, conn,
			    s->cols[i]);
		s->fam[i] = s->def.cols[j].family;
	}
	memset(&spec, 0, sizeof spec);
	spec.table = table;
	spec.ncols = n;
	spec.cols = s->cols;
	spec.fam = s->fam;
	spec.nkey = s->nkey;
	if (db_scan(s->conn, &spec, &s->cur, &err) != 0)
		fail_msg("scan %s on %s: %s", table, conn, err.msg);
	row_init(&s->row, n);
}

static int
scan_next(struct scan *s)
{
	struct ps_error	err;
	int		rc;

	if ((rc = db_next(s->conn, s->cur, &s->row, &err)) < 0)
		fail_msg("reading %s on %s: %s", s->def.name, s->conn->name,
		    err.msg);
	return rc;
}

static void
scan_close(struct scan *s)
{
	db_cursor_free(s->conn, s->cur);
	row_free(&s->row);
	table_def_free(&s->def);
	db_close(s->conn);
	util_strv_free(s->cols);
	free(s->fam);
	memset(s, 0, sizeof *s);
}

/* Cell I of R for people, at most 120 bytes of it. */
static char *
cell_text(const struct row *r, int i, enum type_family fam)
{
	struct strbuf	sb = STRBUF_INIT;

	if (r == NULL)
		return xstrdup("(no row)");
	value_display(r, i, fam, &sb);
	if (sb.len > 120) {
		sb_truncate(&sb, 120);
		sb_addf(&sb, "... (%zu bytes)", row_len(r, i));
	}
	return sb_detach(&sb);
}

/* Compare row GOT of S with WANT cell by cell; WHAT names the side. */
static void
row_check(const struct scan *s, const struct row *got,
    const struct row *want, const char *what, int64_t n)
{
	char	*x, *y;
	int	 i;

	for (i = 0; i < s->ncols; i++) {
		if (got != NULL && want != NULL &&
		    row_equal_range(got, want, i, 1))
			continue;
		x = cell_text(got, i, s->fam[i]);
		y = cell_text(want, i, s->fam[i]);
		fprintf(stderr, "%s: row %lld column %s (%s): got %s, want "
		    "%s\n", what, (long long)n, s->cols[i],
		    tf_name(s->fam[i]), x, y);
		free(x);
		free(y);
		fail_msg("%s: row %lld differs in column %s", what,
		    (long long)n, s->cols[i]);
	}
}

/* TABLE on CONN holds exactly the NWANT rows WANT, in this order. */
static void
assert_rows(struct fx *fx, const char *conn, const char *table,
    char *const *cols, int nkey, const struct row *want, int nwant)
{
	struct scan	s;
	char		what[128];
	int		n = 0;

	snprintf(what, sizeof what, "%s on %s", table, conn);
	scan_open(fx, conn, table, cols, nkey, &s);
	while (scan_next(&s) == 1) {
		if (n >= nwant)
			row_check(&s, &s.row, NULL, what, n);
		row_check(&s, &s.row, &want[n], what, n);
		n++;
	}
	if (n < nwant)
		row_check(&s, NULL, &want[n], what, n);
	scan_close(&s);
}

/*
 * TABLE holds the same rows on connections A and B, read through both
 * drivers in canonical form; returns how many.
 */
static int64_t
assert_same_rows(struct fx *fx, const char *a, const char *b,
    const char *table)
{
	struct scan	sa, sb;
	char		what[160];
	int64_t		n = 0;
	int		ra, rb, i;

	snprintf(what, sizeof what, "%s on %s against %s", table, b, a);
	scan_open(fx, a, table, NULL, 0, &sa);
	scan_open(fx, b, table, sa.cols, sa.nkey, &sb);
	for (i = 0; i < sa.ncols; i++) {
		if (sa.fam[i] != sb.fam[i] && !((sa.fam[i] == TF_TEXT &&
		    sb.fam[i] == TF_OTHER) || (sa.fam[i] == TF_OTHER &&
		    sb.fam[i] == TF_TEXT)))
			fail_msg("%s: column %s is %s on %s, %s on %s", table,
			    sa.cols[i], tf_name(sa.fam[i]), a,
			    tf_name(sb.fam[i]), b);
	}
	for (;;) {
		ra = scan_next(&sa);
		rb = scan_next(&sb);
		if (ra == 0 && rb == 0)
			break;
		row_check(&sa, rb ? &sb.row : NULL, ra ? &sa.row : NULL, what,
		    n);
		n++;
	}
	scan_close(&sa);
	scan_close(&sb);
	return n;
}

/* ---- the tricky table ---- */

#define BIG_UNIT	"0123456789abcdef"
#define BIG_REPEAT	65536
#define BIG_TAIL	"\xc3\xa9\xf0\x9f\x98\x80"	/* é😀 */

/* One row: SQL literals, and the canonical values a driver must read. */
struct tricky {
	const char	*id;
	const char	*txt;		/* raw text; "@big": 1 MB */
	const char	*big;
	const char	*amount;	/* literal */
	const char	*c_amount;	/* canonical */
	const char	*dbl;		/* literal; canonical computed */
	const char	*flag;
	const char	*bin;		/* hex */
	const char	*d;
	const char	*ts;
	const char	*tz[3];		/* one instant: PG, MySQL, SQLite */
	const char	*c_tz;
	const char	*j;
	const char	*c_j;
	const char	*u;
	const char	*c_u;
};

static const struct tricky tricky_rows[] = {
	{ "-9223372036854775808", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, { NULL, NULL, NULL }, NULL, NULL, NULL, NULL, NULL },
	{ "1", "", "0", "0.10", "0.1", "0.1e0", "false", "", "1970-01-01",
	  "1970-01-01 00:00:00",
	  { "1970-01-01 19:00:00-05", "1970-01-02 00:00:00",
	    "1970-01-01T19:00:00-05:00" }, "1970-01-02 00:00:00+00",
	  "[]", "[]", "00000000-0000-0000-0000-000000000000",
	  "00000000-0000-0000-0000-000000000000" },
	{ "2", "it's \"quoted\" and ''twice''", "-9223372036854775808",
	  "-99999.99", "-99999.99", "-1.5e300", "true", "00ff004100",
	  "2024-02-29", "2024-02-29 12:34:56.123456",
	  { "2024-02-29 12:34:56.5+02", "2024-02-29 10:34:56.5",
	    "2024-02-29 12:34:56.5+02:00" }, "2024-02-29 10:34:56.5+00",
	  "{\"b\": [1, 2.50, \"x\"], \"a\": null}",
	  "{\"a\":null,\"b\":[1,2.5,\"x\"]}",
	  "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
	  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" },
	{ "3", "back\\slash \\\\ C:\\path\\n end\\", "9223372036854775807",
	  "1234567890.12", "1234567890.12", "1.0000000000000002e0", "false",
	  "00000000", "2000-01-01", "2038-01-19 03:14:08.000001",
	  { "2038-01-18 22:14:07.999999-05", "2038-01-19 03:14:07.999999",
	    "2038-01-19T03:14:07.999999Z" }, "2038-01-19 03:14:07.999999+00",
	  "{\"x\":{\"z\":1,\"y\":[]}}", "{\"x\":{\"y\":[],\"z\":1}}",
	  "7c9e6679-7425-40de-944b-e07fc1f90ae7",
	  "7c9e6679-7425-40de-944b-e07fc1f90ae7" },
	{ "4", "\xe6\xbc\xa2\xe5\xad\x97 and \xc3\xa9moji \xf0\x9f\x98\x80"
	  "\xf0\x9f\x8e\x89\ttab\nnew line", "-1", "0", "0", "-0.0e0", "true",
	  "f09f9880", "1999-12-31", "1999-12-31 23:59:59.999999",
	  { "2000-01-01 00:59:59+01", "1999-12-31 23:59:59",
	    "1999-12-31 23:59:59" }, "1999-12-31 23:59:59+00",
	  "null", "null", "ffffffff-ffff-ffff-ffff-ffffffffffff",
	  "ffffffff-ffff-ffff-ffff-ffffffffffff" },
	{ "9223372036854775807", "@big", NULL, "12345.6", "12345.6", NULL,
	  NULL, NULL, NULL, NULL, { NULL, NULL, NULL }, NULL, NULL, NULL,
	  NULL, NULL },
};
#define NTRICKY	((int)(sizeof tricky_rows / sizeof tricky_rows[0]))

/* The text keys, in byte order (so also the order of the rows). */
static const char *const tkeys_rows[][2] = {
	{ "", "empty key" },
	{ "B", "upper B" },
	{ "a", "lower a" },
	{ "a ", "a and a trailing space" },
	{ "\xc3\xa9", "e acute" },
	{ "\xf0\x9f\x98\x80", "emoji" },
};
#define NTKEYS	((int)(sizeof tkeys_rows / sizeof tkeys_rows[0]))

static void
lit_str(struct strbuf *sb, const char *s)
{
	if (s == NULL) {
		sb_addstr(sb, "NULL");
		return;
	}
	sb_addch(sb, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			sb_addch(sb, '\'');
		sb_addch(sb, *s);
	}
	sb_addch(sb, '\'');
}

static void
lit_raw(struct strbuf *sb, const char *s)
{
	sb_addstr(sb, s != NULL ? s : "NULL");
}

static void
tricky_ddl(enum eng e, struct strbuf *sb)
{
	switch (e) {
	case E_PG:
		sb_addstr(sb, "CREATE TABLE tricky (id bigint PRIMARY KEY, "
		    "txt text, big bigint, amount numeric(12,2), "
		    "dbl double precision, flag boolean, bin bytea, d date, "
		    "ts timestamp(6), tstz timestamptz(6), j json, u uuid);\n"
		    "CREATE TABLE tkeys (k text PRIMARY KEY, v text);\n");
		break;
	case E_MY:
		sb_addstr(sb, "CREATE TABLE tricky (id BIGINT PRIMARY KEY, "
		    "txt LONGTEXT, big BIGINT, amount DECIMAL(12,2), "
		    "dbl DOUBLE, flag BOOLEAN, bin LONGBLOB, d DATE, "
		    "ts DATETIME(6), tstz TIMESTAMP(6) NULL DEFAULT NULL, "
		    "j JSON, u UUID) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
		    /* NO PAD, so "a" and "a " are two keys. */
		    "CREATE TABLE tkeys (k VARCHAR(20) CHARACTER SET utf8mb4 "
		    "COLLATE utf8mb4_nopad_bin NOT NULL PRIMARY KEY, v TEXT) "
		    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n");
		break;
	case E_SQLITE:
		sb_addstr(sb, "CREATE TABLE tricky (id INTEGER PRIMARY KEY, "
		    "txt TEXT, big INTEGER, amount NUMERIC(12,2), dbl REAL, "
		    "flag BOOLEAN, bin BLOB, d DATE, ts DATETIME(6), "
		    "tstz TIMESTAMPTZ(6), j JSON, u UUID);\n"
		    "CREATE TABLE tkeys (k TEXT PRIMARY KEY, v TEXT);\n");
		break;
	}
}

static void
tricky_insert(enum eng e, struct strbuf *sb)
{
	const struct tricky	*t;
	int			 i;

	for (i = 0; i < NTRICKY; i++) {
		t = &tricky_rows[i];
		sb_addf(sb, "INSERT INTO tricky (id, txt, big, amount, dbl, "
		    "flag, bin, d, ts, tstz, j, u) VALUES (%s, ", t->id);
		if (t->txt != NULL && strcmp(t->txt, "@big") == 0) {
			if (e == E_PG)
				sb_addstr(sb, "repeat('" BIG_UNIT "', 65536) "
				    "|| '" BIG_TAIL "'");
			else if (e == E_MY)
				sb_addstr(sb, "CONCAT(REPEAT('" BIG_UNIT "', "
				    "65536), '" BIG_TAIL "')");
			else
				sb_addstr(sb, "replace(hex(zeroblob(65536)), "
				    "'00', '" BIG_UNIT "') || '" BIG_TAIL "'");
		} else
			lit_str(sb, t->txt);
		sb_addstr(sb, ", ");
		lit_raw(sb, t->big);
		sb_addstr(sb, ", ");
		lit_raw(sb, t->amount);
		sb_addstr(sb, ", ");
		lit_raw(sb, t->dbl);
		sb_addstr(sb, ", ");
		lit_raw(sb, t->flag);
		sb_addstr(sb, ", ");
		if (t->bin == NULL)
			sb_addstr(sb, "NULL");
		else if (e == E_PG)
			sb_addf(sb, "'\\x%s'::bytea", t->bin);
		else
			sb_addf(sb, "X'%s'", t->bin);
		sb_addstr(sb, ", ");
		lit_str(sb, t->d);
		sb_addstr(sb, ", ");
		lit_str(sb, t->ts);
		sb_addstr(sb, ", ");
		lit_str(sb, t->tz[e]);
		sb_addstr(sb, ", ");
		lit_str(sb, t->j);
		sb_addstr(sb, ", ");
		lit_str(sb, t->u);
		sb_addstr(sb, ");\n");
	}
	for (i = 0; i < NTKEYS; i++) {
		sb_addstr(sb, "INSERT INTO tkeys (k, v) VALUES (");
		lit_str(sb, tkeys_rows[i][0]);
		sb_addstr(sb, ", ");
		lit_str(sb, tkeys_rows[i][1]);
		sb_addstr(sb, ");\n");
	}
}

static void
set_opt(struct row *r, int i, const char *v)
{
	if (v != NULL)
		row_set_str(r, i, v);
}

static void
set_hex(struct row *r, int i, const char *hex)
{
	unsigned char	buf[64];
	size_t		n;
	unsigned int	b;

	if (hex == NULL)
		return;
	for (n = 0; hex[2 * n] != '\0' && n < sizeof buf; n++) {
		if (sscanf(hex + 2 * n, "%2x", &b) != 1)
			fail_msg("bad hex %s", hex);
		buf[n] = (unsigned char)b;
	}
	row_set(r, i, buf, n);
}

static void
set_double(struct row *r, int i, const char *lit)
{
	struct strbuf	sb = STRBUF_INIT;

	if (lit == NULL)
		return;
	value_canon_double(strtod(lit, NULL), &sb);
	row_set(r, i, sb.buf, sb.len);
	sb_free(&sb);
}

/* Columns of the tricky table as the expected rows hold them. */
static char **
tricky_cols(void)
{
	return strv("id", "txt", "big", "amount", "dbl", "flag", "bin", "d",
	    "ts", "tstz", "j", "u", NULL);
}

/* The canonical rows every driver must read from the tricky table. */
static struct row *
tricky_want(void)
{
	const struct tricky	*t;
	struct row		*w;
	struct strbuf		 big = STRBUF_INIT;
	int			 i;

	for (i = 0; i < BIG_REPEAT; i++)
		sb_addstr(&big, BIG_UNIT);
	sb_addstr(&big, BIG_TAIL);
	w = xcalloc(NTRICKY, sizeof *w);
	for (i = 0; i < NTRICKY; i++) {
		t = &tricky_rows[i];
		row_init(&w[i], 12);
		set_opt(&w[i], 0, t->id);
		if (t->txt != NULL && strcmp(t->txt, "@big") == 0)
			row_set(&w[i], 1, big.buf, big.len);
		else
			set_opt(&w[i], 1, t->txt);
		set_opt(&w[i], 2, t->big);
		set_opt(&w[i], 3, t->c_amount);
		set_double(&w[i], 4, t->dbl);
		set_opt(&w[i], 5, t->flag);
		set_hex(&w[i], 6, t->bin);
		set_opt(&w[i], 7, t->d);
		set_opt(&w[i], 8, t->ts);
		set_opt(&w[i], 9, t->c_tz);
		set_opt(&w[i], 10, t->c_j);
		set_opt(&w[i], 11, t->c_u);
	}
	sb_free(&big);
	return w;
}

static struct row *
tkeys_want(void)
{
	struct row	*w;
	int		 i;

	w = xcalloc(NTKEYS, sizeof *w);
	for (i = 0; i < NTKEYS; i++) {
		row_init(&w[i], 2);
		row_set_str(&w[i], 0, tkeys_rows[i][0]);
		row_set_str(&w[i], 1, tkeys_rows[i][1]);
	}
	return w;
}

static void
rows_free(struct row *w, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		row_free(&w[i]);
	free(w);
}

/* Both tables of EP hold the tricky rows and the text keys. */
static void
check_tricky(struct fx *fx, const struct ep *ep)
{
	struct row	*w;
	char		**cols;

	cols = tricky_cols();
	w = tricky_want();
	assert_rows(fx, ep->name, "tricky", cols, 1, w, NTRICKY);
	rows_free(w, NTRICKY);
	util_strv_free(cols);
	cols = strv("k", "v", NULL);
	w = tkeys_want();
	assert_rows(fx, ep->name, "tkeys", cols, 1, w, NTKEYS);
	rows_free(w, NTKEYS);
	util_strv_free(cols);
}

/*
 * One pairing: the tricky tables from A to an empty B, checked on both
 * sides, synced again to nothing, then from B back to an empty copy on A's
 * engine.
 */
static void
pair_case(void **state, enum eng x, enum eng y)
{
	struct fx		*fx = *state;
	struct ep		*a, *b, *a2;
	struct sync_opts	 o;
	struct job_result	 r;
	struct strbuf		 ddl = STRBUF_INIT, sql = STRBUF_INIT;
	char			**tables;

	a = ep_new(fx, x);
	b = ep_new(fx, y);
	a2 = ep_new(fx, x);
	tricky_ddl(x, &ddl);
	sb_addstr(&sql, sb_str(&ddl));
	tricky_insert(x, &sql);
	ep_sql(a, sb_str(&sql));
	ep_sql(a2, sb_str(&ddl));
	sb_reset(&ddl);
	tricky_ddl(y, &ddl);
	ep_sql(b, sb_str(&ddl));
	/* What the source holds is what was meant. */
	check_tricky(fx, a);

	tables = strv("tricky", "tkeys", NULL);
	opts_for(fx, &o, a->name, b->name, 0, STRAT_MANUAL);
	o.tables = tables;
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED, 0, "A to B");
	assert_int_equal(r.counts.rows_compared, NTRICKY + NTKEYS);
	assert_int_equal(r.counts.inserted, NTRICKY + NTKEYS);
	assert_int_equal(r.counts.conflicts, 0);
	job_result_free(&r);
	check_tricky(fx, b);
	assert_int_equal(assert_same_rows(fx, a->name, b->name, "tricky"),
	    NTRICKY);
	assert_int_equal(assert_same_rows(fx, a->name, b->name, "tkeys"),
	    NTKEYS);
	expect_quiet(fx, &o, NTRICKY + NTKEYS, "A to B again");

	/* And back into a fresh table on the first engine. */
	opts_for(fx, &o, b->name, a2->name, 0, STRAT_MANUAL);
	o.tables = tables;
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED, 0, "B to A'");
	assert_int_equal(r.counts.inserted, NTRICKY + NTKEYS);
	job_result_free(&r);
	check_tricky(fx, a2);
	assert_int_equal(assert_same_rows(fx, a->name, a2->name, "tricky"),
	    NTRICKY);
	assert_int_equal(assert_same_rows(fx, a->name, a2->name, "tkeys"),
	    NTKEYS);
	expect_quiet(fx, &o, NTRICKY + NTKEYS, "B to A' again");

	util_strv_free(tables);
	sb_free(&ddl);
	sb_free(&sql);
}

static void
test_pair_pg_pg(void **s)
{
	pair_case(s, E_PG, E_PG);
}
static void
test_pair_pg_my(void **s)
{
	pair_case(s, E_PG, E_MY);
}
static void
test_pair_pg_sqlite(void **s)
{
	pair_case(s, E_PG, E_SQLITE);
}
static void
test_pair_my_pg(void **s)
{
	pair_case(s, E_MY, E_PG);
}
static void
test_pair_my_my(void **s)
{
	pair_case(s, E_MY, E_MY);
}
static void
test_pair_my_sqlite(void **s)
{
	pair_case(s, E_MY, E_SQLITE);
}
static void
test_pair_sqlite_pg(void **s)
{
	pair_case(s, E_SQLITE, E_PG);
}
static void
test_pair_sqlite_my(void **s)
{
	pair_case(s, E_SQLITE, E_MY);
}
static void
test_pair_sqlite_sqlite(void **s)
{
	pair_case(s, E_SQLITE, E_SQLITE);
}

/* ---- bidirectional rounds between PostgreSQL and MySQL ---- */

static const char *
kv_ddl(enum eng e)
{
	switch (e) {
	case E_PG:
		return "CREATE TABLE kv (k bigint PRIMARY KEY, v varchar(40), "
		    "updated_at timestamp(6));";
	case E_MY:
		return "CREATE TABLE kv (k BIGINT PRIMARY KEY, v VARCHAR(40), "
		    "updated_at DATETIME(6)) ENGINE=InnoDB DEFAULT "
		    "CHARSET=utf8mb4;";
	default:
		return "CREATE TABLE kv (k INTEGER PRIMARY KEY, "
		    "v VARCHAR(40), updated_at DATETIME(6));";
	}
}

/*
 * Keys 1-12, one per case of the decision table (as in test_engine.c):
 * the base holds 1,3,4,6,7,8,9,10 as "v0"; then both sides drift.
 */
static void
kv_setup(struct fx *fx, struct ep *s, struct ep *t)
{
	struct sync_opts	 o;
	struct job_result	 r;
	struct strbuf		 sb = STRBUF_INIT;
	const char		*base = "INSERT INTO kv VALUES "
	    "(1,'v0','2025-01-01 00:00:00'),(3,'v0','2025-01-01 00:00:00'),"
	    "(4,'v0','2025-01-01 00:00:00'),(6,'v0','2025-01-01 00:00:00'),"
	    "(7,'v0','2025-01-01 00:00:00'),(8,'v0','2025-01-01 00:00:00'),"
	    "(9,'v0','2025-01-01 00:00:00'),(10,'v0','2025-01-01 00:00:00');";

	sb_addf(&sb, "%s\n%s\n", kv_ddl(s->eng), base);
	ep_sql(s, sb_str(&sb));
	sb_reset(&sb);
	sb_addf(&sb, "%s\n%s\n", kv_ddl(t->eng), base);
	ep_sql(t, sb_str(&sb));
	sb_free(&sb);
	opts_for(fx, &o, s->name, t->name, 1, STRAT_MANUAL);
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED, 0, "base");
	assert_int_equal(r.counts.rows_compared, 8);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted + r.counts.conflicts, 0);
	job_result_free(&r);

	ep_sql(s,
	    "INSERT INTO kv VALUES (2,'s-new','2026-01-01 00:00:00');\n"
	    "UPDATE kv SET v='s1', updated_at='2026-01-02 00:00:00' "
	    "WHERE k=4;\n"
	    "DELETE FROM kv WHERE k IN (6,7);\n"
	    "UPDATE kv SET v='s1', updated_at='2026-01-02 00:00:00' "
	    "WHERE k=8;\n"
	    "UPDATE kv SET v='s1', updated_at='2026-01-02 00:00:00' "
	    "WHERE k=10;\n"
	    "INSERT INTO kv VALUES (11,'sX','2026-01-01 00:00:00');\n"
	    "INSERT INTO kv VALUES (12,'same','2026-01-01 00:00:00');\n");
	ep_sql(t,
	    "DELETE FROM kv WHERE k IN (3,4);\n"
	    "INSERT INTO kv VALUES (5,'t-new','2026-01-01 00:00:00');\n"
	    "UPDATE kv SET v='t1', updated_at='2026-01-01 00:00:00' "
	    "WHERE k=7;\n"
	    "UPDATE kv SET v='t1', updated_at='2026-01-01 00:00:00' "
	    "WHERE k=9;\n"
	    "UPDATE kv SET v='t1', updated_at='2026-01-01 00:00:00' "
	    "WHERE k=10;\n"
	    "INSERT INTO kv VALUES (11,'tX','2026-01-02 00:00:00');\n"
	    "INSERT INTO kv VALUES (12,'same','2026-01-01 00:00:00');\n");
}

/* Expected end state: per key, the source value, target value, conflict. */
struct kv_want {
	const char	*s[13];
	const char	*t[13];
	const char	*c[13];	/* conflict status, or NULL */
};

#define P "pending"
#define R "resolved"
#define I "ignored"

static const struct kv_want bidir_manual = {
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, 0, P, 0, 0, P, 0, 0, P, P, 0 },
};
static const struct kv_want bidir_source = {
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "sX",
	    "same" },
	{ 0, 0, 0, 0, R, 0, 0, R, 0, 0, R, R, 0 },
};
static const struct kv_want bidir_target = {
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, 0, R, 0, 0, R, 0, 0, R, R, 0 },
};
static const struct kv_want bidir_ignore = {
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, 0, I, 0, 0, I, 0, 0, I, I, 0 },
};
/* Newer: 10 is newer on the source, 11 on the target; absent rows wait. */
static const struct kv_want bidir_newer = {
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "tX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "s1", "tX",
	    "same" },
	{ 0, 0, 0, 0, P, 0, 0, P, 0, 0, R, R, 0 },
};

/*
 * Undo the escapes of mariadb's batch output (\\, \t, \n, \0) in place.
 */
static void
my_unescape(char *s)
{
	char	*d = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*d++ = *s == 't' ? '\t' : *s == 'n' ? '\n' :
			    *s == '0' ? '\0' : *s;
		} else
			*d++ = *s;
	}
	*d = '\0';
}

/* The v of keys 1-12 on EP ("" when absent), read with the engine's client. */
static void
kv_values(const struct ep *ep, char *v[13])
{
	char	*out, *line, *tab, *save = NULL;
	long	 k;

	memset(v, 0, 13 * sizeof *v);
	out = ep_query(ep, "SELECT k, v FROM kv ORDER BY k;");
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((tab = strchr(line, '\t')) == NULL)
			fail_msg("unexpected output: %s", line);
		*tab = '\0';
		k = strtol(line, NULL, 10);
		if (k < 1 || k > 12)
			fail_msg("unexpected key %ld on %s", k, ep->name);
		if (ep->eng == E_MY)
			my_unescape(tab + 1);
		v[k] = xstrdup(tab + 1);
	}
	free(out);
}

static void
kv_check(struct fx *fx, const struct ep *s, const struct ep *t,
    const struct kv_want *w, const char *what)
{
	struct conflict_filter	 f;
	struct conflict_row	*rows;
	struct ps_error		 err;
	char			*sv[13], *tv[13], want_key[32];
	const char		*status;
	int			 k, n, i;

	kv_values(s, sv);
	kv_values(t, tv);
	for (k = 1; k <= 12; k++) {
		if (strcmp(sv[k] == NULL ? "" : sv[k],
		    w->s[k] == NULL ? "" : w->s[k]) != 0)
			fail_msg("%s: key %d on the source is '%s', want '%s'",
			    what, k, sv[k] == NULL ? "" : sv[k],
			    w->s[k] == NULL ? "" : w->s[k]);
		if (strcmp(tv[k] == NULL ? "" : tv[k],
		    w->t[k] == NULL ? "" : w->t[k]) != 0)
			fail_msg("%s: key %d on the target is '%s', want '%s'",
			    what, k, tv[k] == NULL ? "" : tv[k],
			    w->t[k] == NULL ? "" : w->t[k]);
	}
	for (k = 0; k < 13; k++) {
		free(sv[k]);
		free(tv[k]);
	}
	memset(&f, 0, sizeof f);
	f.status = "all";
	f.table = "kv";
	if (history_conflict_list(fx->hist, &f, &rows, &n, &err) != 0)
		fail_msg("conflict list: %s", err.msg);
	for (k = 1; k <= 12; k++) {
		snprintf(want_key, sizeof want_key, "{\"k\":\"%d\"}", k);
		status = NULL;
		for (i = 0; i < n; i++) {
			if (strcmp(rows[i].key_json, want_key) == 0)
				status = rows[i].status;
		}
		if ((status == NULL) != (w->c[k] == NULL) ||
		    (status != NULL && strcmp(status, w->c[k]) != 0))
			fail_msg("%s: key %d conflict '%s', want '%s'", what,
			    k, status == NULL ? "none" : status,
			    w->c[k] == NULL ? "none" : w->c[k]);
	}
	conflict_rows_free(rows, n);
}

static int
kv_count(const struct kv_want *w, int pending_only)
{
	int	k, n = 0;

	for (k = 1; k <= 12; k++) {
		if (w->c[k] != NULL && (!pending_only ||
		    strcmp(w->c[k], P) == 0))
			n++;
	}
	return n;
}

static void
kv_case(void **state, enum eng x, enum eng y, enum strategy st,
    const struct kv_want *w)
{
	struct fx		*fx = *state;
	struct ep		*s, *t;
	struct sync_opts	 o;
	struct job_result	 r;
	char			 what[96];
	int			 pending = kv_count(w, 1);

	s = ep_new(fx, x);
	t = ep_new(fx, y);
	snprintf(what, sizeof what, "%s to %s, bidirectional %s",
	    eng_type(x), eng_type(y), strategy_name(st));
	kv_setup(fx, s, t);
	opts_for(fx, &o, s->name, t->name, 1, st);
	run(fx, &o, &r);
	expect_job(fx, &r, pending > 0 ? JOB_COMPLETED_WITH_CONFLICTS :
	    JOB_COMPLETED, 0, what);
	assert_int_equal(r.counts.rows_compared, 12);
	assert_int_equal(r.counts.conflicts, kv_count(w, 0));
	assert_int_equal(r.counts.pending_conflicts, pending);
	job_result_free(&r);
	kv_check(fx, s, t, w, what);
	/* Both sides read alike wherever no conflict keeps them apart. */
	if (pending == 0 && st != STRAT_IGNORE)
		assert_int_equal(assert_same_rows(fx, s->name, t->name, "kv"),
		    9);

	/* Round two: nothing new is written, open conflicts are met again. */
	run(fx, &o, &r);
	expect_job(fx, &r, pending > 0 ? JOB_COMPLETED_WITH_CONFLICTS :
	    JOB_COMPLETED, 0, what);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted, 0);
	assert_int_equal(r.counts.pending_conflicts, pending);
	job_result_free(&r);
	kv_check(fx, s, t, w, what);
}

static void
test_kv_pg_my_manual(void **s)
{
	kv_case(s, E_PG, E_MY, STRAT_MANUAL, &bidir_manual);
}
static void
test_kv_pg_my_source(void **s)
{
	kv_case(s, E_PG, E_MY, STRAT_SOURCE_WINS, &bidir_source);
}
static void
test_kv_pg_my_target(void **s)
{
	kv_case(s, E_PG, E_MY, STRAT_TARGET_WINS, &bidir_target);
}
static void
test_kv_pg_my_newer(void **s)
{
	kv_case(s, E_PG, E_MY, STRAT_NEWER_WINS, &bidir_newer);
}
static void
test_kv_pg_my_ignore(void **s)
{
	kv_case(s, E_PG, E_MY, STRAT_IGNORE, &bidir_ignore);
}
static void
test_kv_my_pg_manual(void **s)
{
	kv_case(s, E_MY, E_PG, STRAT_MANUAL, &bidir_manual);
}
static void
test_kv_my_pg_source(void **s)
{
	kv_case(s, E_MY, E_PG, STRAT_SOURCE_WINS, &bidir_source);
}
static void
test_kv_my_pg_target(void **s)
{
	kv_case(s, E_MY, E_PG, STRAT_TARGET_WINS, &bidir_target);
}
static void
test_kv_my_pg_newer(void **s)
{
	kv_case(s, E_MY, E_PG, STRAT_NEWER_WINS, &bidir_newer);
}
static void
test_kv_my_pg_ignore(void **s)
{
	kv_case(s, E_MY, E_PG, STRAT_IGNORE, &bidir_ignore);
}

/* The id of the open conflict of key K in kv. */
static int64_t
kv_conflict(struct fx *fx, int k, const char *status)
{
	struct conflict_filter	 f;
	struct conflict_row	*rows;
	struct ps_error		 err;
	char			 want[32];
	int64_t			 id = 0;
	int			 n, i;

	memset(&f, 0, sizeof f);
	f.status = status;
	f.table = "kv";
	if (history_conflict_list(fx->hist, &f, &rows, &n, &err) != 0)
		fail_msg("%s", err.msg);
	snprintf(want, sizeof want, "{\"k\":\"%d\"}", k);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].key_json, want) == 0)
			id = rows[i].id;
	}
	conflict_rows_free(rows, n);
	if (id == 0)
		fail_msg("no %s conflict for key %d", status, k);
	return id;
}

static char *
kv_value(const struct ep *ep, int k)
{
	char	*v[13], *out;
	int	 i;

	kv_values(ep, v);
	out = xstrdup(v[k] != NULL ? v[k] : "");
	for (i = 0; i < 13; i++)
		free(v[i]);
	return out;
}

static void
assert_kv(const struct ep *ep, int k, const char *want)
{
	char	*v = kv_value(ep, k);

	if (strcmp(v, want) != 0)
		fail_msg("key %d on %s is '%s', want '%s'", k, ep->name, v,
		    want);
	free(v);
}

/*
 * Resolution across engines: update/update conflicts between PostgreSQL
 * and MySQL resolved by source, by target and by a typed field, and a
 * conflict whose row changed since is found stale and left alone.
 */
static void
test_resolve_pg_my(void **state)
{
	struct fx		*fx = *state;
	struct ep		*s, *t;
	struct sync_opts	 o;
	struct job_result	 r;
	struct resolve_opts	 ro;
	struct conflict_row	 c;
	struct ps_error		 err;
	struct strbuf		 sb = STRBUF_INIT;
	char			**set_cols, **set_vals;
	int64_t			 id;
	const char		*rows = "INSERT INTO kv VALUES "
	    "(1,'v0','2025-01-01 00:00:00'),(2,'v0','2025-01-01 00:00:00'),"
	    "(3,'v0','2025-01-01 00:00:00'),(4,'v0','2025-01-01 00:00:00');";

	s = ep_new(fx, E_PG);
	t = ep_new(fx, E_MY);
	sb_addf(&sb, "%s\n%s\n", kv_ddl(E_PG), rows);
	ep_sql(s, sb_str(&sb));
	sb_reset(&sb);
	sb_addf(&sb, "%s\n", kv_ddl(E_MY));
	ep_sql(t, sb_str(&sb));
	sb_free(&sb);
	opts_for(fx, &o, s->name, t->name, 1, STRAT_MANUAL);
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED, 0, "base");
	assert_int_equal(r.counts.inserted, 4);
	job_result_free(&r);
	ep_sql(s, "UPDATE kv SET v = 's1', updated_at = "
	    "'2026-02-02 00:00:00.25';");
	ep_sql(t, "UPDATE kv SET v = 't1', updated_at = "
	    "'2026-02-01 00:00:00.75';");
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED_WITH_CONFLICTS, 0, "conflicts");
	assert_int_equal(r.counts.pending_conflicts, 4);
	job_result_free(&r);

	memset(&ro, 0, sizeof ro);
	ro.connect_timeout = TIMEOUT;
	ro.strategy = STRAT_SOURCE_WINS;
	if (engine_resolve(&fx->ctx, kv_conflict(fx, 1, "pending"), &ro,
	    &err) != 0)
		fail_msg("resolve 1: %s", err.msg);
	assert_kv(s, 1, "s1");
	assert_kv(t, 1, "s1");

	ro.strategy = STRAT_TARGET_WINS;
	if (engine_resolve(&fx->ctx, kv_conflict(fx, 2, "pending"), &ro,
	    &err) != 0)
		fail_msg("resolve 2: %s", err.msg);
	assert_kv(s, 2, "t1");
	assert_kv(t, 2, "t1");

	/* Source, then typed overrides: text and a timestamp. */
	set_cols = strv("v", "updated_at", NULL);
	set_vals = strv("merged 'quote' \\ 😀", "2027-03-04T05:06:07.5", NULL);
	ro.strategy = STRAT_MANUAL;
	ro.nset = 2;
	ro.set_cols = set_cols;
	ro.set_vals = set_vals;
	ro.note = "merged by hand";
	if (engine_resolve(&fx->ctx, kv_conflict(fx, 3, "pending"), &ro,
	    &err) != 0)
		fail_msg("resolve 3: %s", err.msg);
	util_strv_free(set_cols);
	util_strv_free(set_vals);
	assert_kv(s, 3, "merged 'quote' \\ 😀");
	assert_kv(t, 3, "merged 'quote' \\ 😀");
	assert_int_equal(ep_count(t, "kv", "k = 3 AND updated_at = "
	    "'2027-03-04 05:06:07.5'"), 1);
	assert_int_equal(ep_count(s, "kv", "k = 3 AND updated_at = "
	    "'2027-03-04 05:06:07.5'"), 1);

	/* Row 4 changed on the target since: stale, nothing written. */
	id = kv_conflict(fx, 4, "pending");
	ep_sql(t, "UPDATE kv SET v = 't2' WHERE k = 4;");
	memset(&ro, 0, sizeof ro);
	ro.connect_timeout = TIMEOUT;
	ro.strategy = STRAT_SOURCE_WINS;
	assert_int_equal(engine_resolve(&fx->ctx, id, &ro, &err), -1);
	assert_int_equal(err.code, PS_ERR_STALE);
	assert_kv(s, 4, "s1");
	assert_kv(t, 4, "t2");
	memset(&c, 0, sizeof c);
	assert_int_equal(history_conflict_get(fx->hist, id, &c, &err), 0);
	assert_string_equal(c.status, "stale");
	conflict_row_free(&c);

	/* The next sync: 1-3 are settled, 4 is met again. */
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED_WITH_CONFLICTS, 0, "after resolve");
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted, 0);
	assert_int_equal(r.counts.pending_conflicts, 1);
	job_result_free(&r);
	kv_conflict(fx, 4, "pending");
}

/* ---- foreign keys into targets that auto-migrate creates ---- */

static void
fk_ddl(enum eng e, struct strbuf *sb)
{
	switch (e) {
	case E_PG:
		sb_addstr(sb,
		    "CREATE TABLE z_parent (id bigint PRIMARY KEY, "
		    "name varchar(40) NOT NULL);\n"
		    "CREATE TABLE m_child (id bigint PRIMARY KEY, "
		    "parent_id bigint NOT NULL REFERENCES z_parent (id), "
		    "name varchar(40));\n"
		    "CREATE TABLE a_grandchild (id bigint PRIMARY KEY, "
		    "child_id bigint NOT NULL REFERENCES m_child (id), "
		    "name varchar(40));\n"
		    "CREATE TABLE tasks (id bigint PRIMARY KEY, "
		    "parent_id bigint REFERENCES tasks (id), "
		    "name varchar(40));\n");
		break;
	case E_MY:
		sb_addstr(sb,
		    "CREATE TABLE z_parent (id BIGINT PRIMARY KEY, "
		    "name VARCHAR(40) NOT NULL) ENGINE=InnoDB;\n"
		    "CREATE TABLE m_child (id BIGINT PRIMARY KEY, "
		    "parent_id BIGINT NOT NULL, name VARCHAR(40), "
		    "FOREIGN KEY (parent_id) REFERENCES z_parent (id)) "
		    "ENGINE=InnoDB;\n"
		    "CREATE TABLE a_grandchild (id BIGINT PRIMARY KEY, "
		    "child_id BIGINT NOT NULL, name VARCHAR(40), "
		    "FOREIGN KEY (child_id) REFERENCES m_child (id)) "
		    "ENGINE=InnoDB;\n"
		    "CREATE TABLE tasks (id BIGINT PRIMARY KEY, "
		    "parent_id BIGINT, name VARCHAR(40), "
		    "FOREIGN KEY (parent_id) REFERENCES tasks (id)) "
		    "ENGINE=InnoDB;\n");
		break;
	case E_SQLITE:
		sb_addstr(sb,
		    "CREATE TABLE z_parent (id INTEGER PRIMARY KEY, "
		    "name VARCHAR(40) NOT NULL);\n"
		    "CREATE TABLE m_child (id INTEGER PRIMARY KEY, "
		    "parent_id INTEGER NOT NULL REFERENCES z_parent (id), "
		    "name VARCHAR(40));\n"
		    "CREATE TABLE a_grandchild (id INTEGER PRIMARY KEY, "
		    "child_id INTEGER NOT NULL REFERENCES m_child (id), "
		    "name VARCHAR(40));\n"
		    "CREATE TABLE tasks (id INTEGER PRIMARY KEY, "
		    "parent_id INTEGER REFERENCES tasks (id), "
		    "name VARCHAR(40));\n");
		break;
	}
}

/*
 * The rows, each after what it refers to (MySQL checks every row as it
 * goes); in key order, tasks 1, 2, 3 and 5 come before their parents.
 */
#define FK_ROWS \
	"INSERT INTO z_parent VALUES (1,'p1'),(2,'p2'),(3,'p3');\n" \
	"INSERT INTO m_child VALUES (10,1,'c10'),(11,2,'c11'),(12,2,'c12')," \
	"(13,3,'c13');\n" \
	"INSERT INTO a_grandchild VALUES (100,10,'g100'),(101,11,'g101')," \
	"(102,12,'g102'),(103,12,'g103'),(104,13,'g104');\n" \
	"INSERT INTO tasks VALUES (4,NULL,'t4'),(9,NULL,'t9'),(5,4,'t5')," \
	"(1,5,'t1'),(2,1,'t2'),(3,9,'t3'),(6,3,'t6'),(7,6,'t7'),(8,7,'t8');\n"
#define FK_NROWS	21

static void
assert_fk(struct fx *fx, const char *conn, const char *table,
    const char *col, const char *ref)
{
	struct table_def	def;
	int			i, found = 0;

	describe_on(fx, conn, table, &def);
	for (i = 0; i < def.nfk; i++) {
		if (def.fks[i].ncols == 1 &&
		    strcmp(def.fks[i].cols[0], col) == 0 &&
		    def.fks[i].ref_table != NULL &&
		    strcmp(def.fks[i].ref_table, ref) == 0)
			found = 1;
	}
	if (!found)
		fail_msg("%s on %s has no foreign key (%s) -> %s (%d keys%s%s)",
		    table, conn, col, ref, def.nfk,
		    def.nfk > 0 ? ", first to " : "",
		    def.nfk > 0 && def.fks[0].ref_table != NULL ?
		    def.fks[0].ref_table : "");
	table_def_free(&def);
}

static void
fk_same(struct fx *fx, const struct ep *a, const struct ep *b, int np,
    int nc, int ng, int nt)
{
	assert_int_equal(assert_same_rows(fx, a->name, b->name, "z_parent"),
	    np);
	assert_int_equal(assert_same_rows(fx, a->name, b->name, "m_child"),
	    nc);
	assert_int_equal(assert_same_rows(fx, a->name, b->name,
	    "a_grandchild"), ng);
	assert_int_equal(assert_same_rows(fx, a->name, b->name, "tasks"), nt);
}

static void
fk_case(void **state, enum eng x, enum eng y)
{
	struct fx		*fx = *state;
	struct ep		*a, *b;
	struct sync_opts	 o;
	struct job_result	 r;
	struct strbuf		 sb = STRBUF_INIT;
	int			 i;

	a = ep_new(fx, x);
	b = ep_new(fx, y);
	fk_ddl(x, &sb);
	sb_addstr(&sb, FK_ROWS);
	ep_sql(a, sb_str(&sb));
	sb_free(&sb);

	/* Every table is created on the target; small batches. */
	opts_for(fx, &o, a->name, b->name, 0, STRAT_MANUAL);
	o.auto_migrate = 1;
	o.batch_size = 2;
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED, 0, "into an empty target");
	assert_int_equal(r.ntables, 4);
	for (i = 0; i < r.ntables; i++)
		assert_string_equal(r.tables[i].status, "synced");
	assert_int_equal(r.counts.inserted, FK_NROWS);
	job_result_free(&r);
	fk_same(fx, a, b, 3, 4, 5, 9);
	assert_fk(fx, b->name, "m_child", "parent_id", "z_parent");
	assert_fk(fx, b->name, "a_grandchild", "child_id", "m_child");
	assert_fk(fx, b->name, "tasks", "parent_id", "tasks");
	expect_quiet(fx, &o, FK_NROWS, "again");

	/* Deletes of parents and children, and new tasks that point up. */
	ep_sql(a, "DELETE FROM a_grandchild WHERE child_id IN (11, 12);\n"
	    "DELETE FROM m_child WHERE parent_id = 2;\n"
	    "DELETE FROM z_parent WHERE id = 2;\n"
	    "DELETE FROM tasks WHERE id = 8;\n"
	    "DELETE FROM tasks WHERE id = 7;\n"
	    "DELETE FROM tasks WHERE id = 6;\n"
	    "DELETE FROM tasks WHERE id = 3;\n"
	    "INSERT INTO tasks VALUES (12,NULL,'t12'),(11,12,'t11'),"
	    "(10,11,'t10');\n");
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED, 0, "deletes");
	assert_int_equal(r.counts.deleted, 10);
	assert_int_equal(r.counts.inserted, 3);
	assert_int_equal(r.counts.updated, 0);
	job_result_free(&r);
	fk_same(fx, a, b, 2, 2, 2, 8);
	expect_quiet(fx, &o, FK_NROWS - 10 + 3, "after the deletes");
}

static void
test_fk_pg_pg(void **s)
{
	fk_case(s, E_PG, E_PG);
}
static void
test_fk_pg_my(void **s)
{
	fk_case(s, E_PG, E_MY);
}
static void
test_fk_pg_sqlite(void **s)
{
	fk_case(s, E_PG, E_SQLITE);
}
static void
test_fk_my_pg(void **s)
{
	fk_case(s, E_MY, E_PG);
}
static void
test_fk_my_my(void **s)
{
	fk_case(s, E_MY, E_MY);
}
static void
test_fk_my_sqlite(void **s)
{
	fk_case(s, E_MY, E_SQLITE);
}
static void
test_fk_sqlite_pg(void **s)
{
	fk_case(s, E_SQLITE, E_PG);
}
static void
test_fk_sqlite_my(void **s)
{
	fk_case(s, E_SQLITE, E_MY);
}
static void
test_fk_sqlite_sqlite(void **s)
{
	fk_case(s, E_SQLITE, E_SQLITE);
}

/* ---- schema diff and migrate across engines ---- */

static const char *
schema_src_ddl(enum eng e)
{
	switch (e) {
	case E_PG:
	case E_MY:
		return "CREATE TABLE s_add (id bigint PRIMARY KEY, "
		    "name varchar(50), extra varchar(30));\n"
		    "CREATE TABLE s_wide (id bigint PRIMARY KEY, "
		    "name varchar(50));\n"
		    "CREATE TABLE s_fam (id bigint PRIMARY KEY, qty bigint);\n";
	default:
		return "CREATE TABLE s_add (id INTEGER PRIMARY KEY, "
		    "name VARCHAR(50), extra VARCHAR(30));\n"
		    "CREATE TABLE s_wide (id INTEGER PRIMARY KEY, "
		    "name VARCHAR(50));\n"
		    "CREATE TABLE s_fam (id INTEGER PRIMARY KEY, "
		    "qty INTEGER);\n";
	}
}

static const char *
schema_dst_ddl(enum eng e)
{
	switch (e) {
	case E_PG:
	case E_MY:
		return "CREATE TABLE s_add (id bigint PRIMARY KEY, "
		    "name varchar(50));\n"
		    "CREATE TABLE s_wide (id bigint PRIMARY KEY, "
		    "name varchar(10));\n"
		    "CREATE TABLE s_fam (id bigint PRIMARY KEY, "
		    "qty varchar(20));\n";
	default:
		return "CREATE TABLE s_add (id INTEGER PRIMARY KEY, "
		    "name VARCHAR(50));\n"
		    "CREATE TABLE s_wide (id INTEGER PRIMARY KEY, "
		    "name VARCHAR(10));\n"
		    "CREATE TABLE s_fam (id INTEGER PRIMARY KEY, "
		    "qty VARCHAR(20));\n";
	}
}

static const struct schema_diff *
report_table(const struct schema_report *rep, const char *table)
{
	int	i;

	for (i = 0; i < rep->ntables; i++) {
		if (strcmp(rep->tables[i].table, table) == 0)
			return &rep->tables[i];
	}
	fail_msg("the schema report has no table %s", table);
	return NULL;
}

static void
show_diff(const struct schema_diff *d)
{
	int	i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "  %s: %s %s %s: %s\n", d->table,
		    schema_item_kind_name(d->items[i].kind),
		    schema_sev_name(d->items[i].sev),
		    schema_side_name(d->items[i].side), d->items[i].detail);
}

/* D has exactly one item, of KIND and SEV, on the target's COLUMN. */
static void
assert_one_item(const struct schema_diff *d, enum schema_item_kind kind,
    enum schema_sev sev, const char *column)
{
	if (d->n == 1 && d->items[0].kind == kind && d->items[0].sev == sev &&
	    d->items[0].side == SIDE_TARGET && d->items[0].column != NULL &&
	    strcmp(d->items[0].column, column) == 0)
		return;
	show_diff(d);
	fail_msg("%s: %d schema items, want one %s %s on column %s", d->table,
	    d->n, schema_sev_name(sev), schema_item_kind_name(kind), column);
}

static const struct column_def *
col_of(const struct table_def *def, const char *name)
{
	int	i;

	if ((i = table_def_col(def, name)) == -1)
		fail_msg("%s has no column %s", def->name, name);
	return &def->cols[i];
}

static void
schema_case(void **state, enum eng x, enum eng y)
{
	struct fx		*fx = *state;
	struct ep		*a, *b;
	struct schema_report	 rep;
	struct strbuf		 ddl = STRBUF_INIT;
	struct ps_error		 err;
	struct table_def	 def;
	const struct column_def	*cd;
	const struct table_result *tr;
	struct sync_opts	 o;
	struct job_result	 r;
	char			**tables;

	a = ep_new(fx, x);
	b = ep_new(fx, y);
	ep_sql(a, schema_src_ddl(x));
	ep_sql(a, "INSERT INTO s_add VALUES (1,'a','x1'),(2,'b',NULL);\n"
	    "INSERT INTO s_wide VALUES (1,'a name longer than ten'),"
	    "(2,'short');\n"
	    "INSERT INTO s_fam VALUES (1,5);\n");
	ep_sql(b, schema_dst_ddl(y));
	tables = strv("s_add", "s_wide", "s_fam", NULL);

	if (engine_schema_diff(&fx->ctx, a->name, b->name, tables, 0, &rep,
	    &err) != 0)
		fail_msg("schema diff: %s", err.msg);
	assert_int_equal(rep.ntables, 3);
	assert_one_item(report_table(&rep, "s_add"), SI_COLUMN_MISSING,
	    SEV_MINOR, "extra");
	assert_one_item(report_table(&rep, "s_wide"), SI_TYPE_NARROWER,
	    SEV_MINOR, "name");
	assert_one_item(report_table(&rep, "s_fam"), SI_FAMILY_MISMATCH,
	    SEV_MAJOR, "qty");
	assert_true(report_table(&rep, "s_fam")->major);
	schema_report_free(&rep);

	if (engine_schema_migrate(&fx->ctx, a->name, b->name, tables, 0, &rep,
	    &ddl, &err) != 0)
		fail_msg("schema migrate: %s", err.msg);
	assert_non_null(strstr(sb_str(&ddl), "extra"));
	assert_non_null(strstr(sb_str(&ddl), b->name));
	if (report_table(&rep, "s_add")->n != 0) {
		show_diff(report_table(&rep, "s_add"));
		fail_msg("s_add still differs after migrate");
	}
	if (y != E_SQLITE && report_table(&rep, "s_wide")->n != 0) {
		show_diff(report_table(&rep, "s_wide"));
		fail_msg("s_wide still differs after migrate");
	}
	/* The major difference is reported and left alone. */
	assert_one_item(report_table(&rep, "s_fam"), SI_FAMILY_MISMATCH,
	    SEV_MAJOR, "qty");
	schema_report_free(&rep);

	describe_on(fx, b->name, "s_add", &def);
	cd = col_of(&def, "extra");
	assert_int_equal(cd->family, TF_TEXT);
	assert_int_equal(cd->length, 30);
	assert_true(cd->nullable);
	table_def_free(&def);
	if (y != E_SQLITE) {
		describe_on(fx, b->name, "s_wide", &def);
		cd = col_of(&def, "name");
		assert_int_equal(cd->family, TF_TEXT);
		assert_int_equal(cd->length, 50);
		table_def_free(&def);
	}
	describe_on(fx, b->name, "s_fam", &def);
	assert_int_equal(col_of(&def, "qty")->family, TF_TEXT);
	table_def_free(&def);

	/* A sync takes the migrated tables and skips the other. */
	opts_for(fx, &o, a->name, b->name, 0, STRAT_MANUAL);
	o.tables = tables;
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED_WITH_ERRORS, 1, "sync after migrate");
	tr = table_of(&r, "s_fam");
	assert_string_equal(tr->status, "skipped");
	assert_non_null(tr->message);
	assert_non_null(strstr(tr->message, "major schema difference"));
	assert_non_null(strstr(tr->message, "qty"));
	assert_string_equal(table_of(&r, "s_add")->status, "synced");
	assert_string_equal(table_of(&r, "s_wide")->status, "synced");
	assert_int_equal(r.counts.inserted, 4);
	job_result_free(&r);
	assert_int_equal(assert_same_rows(fx, a->name, b->name, "s_add"), 2);
	assert_int_equal(assert_same_rows(fx, a->name, b->name, "s_wide"), 2);
	assert_int_equal(ep_count(b, "s_fam", NULL), 0);
	util_strv_free(tables);
	sb_free(&ddl);
}

static void
test_schema_pg_my(void **s)
{
	schema_case(s, E_PG, E_MY);
}
static void
test_schema_pg_sqlite(void **s)
{
	schema_case(s, E_PG, E_SQLITE);
}
static void
test_schema_my_pg(void **s)
{
	schema_case(s, E_MY, E_PG);
}
static void
test_schema_my_sqlite(void **s)
{
	schema_case(s, E_MY, E_SQLITE);
}
static void
test_schema_sqlite_pg(void **s)
{
	schema_case(s, E_SQLITE, E_PG);
}
static void
test_schema_sqlite_my(void **s)
{
	schema_case(s, E_SQLITE, E_MY);
}

/* ---- bad input ---- */

/* A TCP port on 127.0.0.1 that nothing listens on (just released). */
static int
closed_port(void)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof sa;
	int			fd, port;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fail_msg("socket failed");
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		fail_msg("bind failed");
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* Whether FILE holds the bytes of TEXT. */
static int
file_has(const char *file, const char *text)
{
	FILE	*fp;
	char	*buf;
	long	 size;
	size_t	 n, tl = strlen(text), i;
	int	 found = 0;

	if ((fp = fopen(file, "rb")) == NULL)
		return 0;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	buf = xmalloc((size_t)size + 1);
	n = fread(buf, 1, (size_t)size, fp);
	fclose(fp);
	for (i = 0; i + tl <= n && !found; i++)
		found = memcmp(buf + i, text, tl) == 0;
	free(buf);
	return found;
}

/*
 * A connection that cannot be opened: "engine_conn_test" and a sync both
 * fail with CODE and a message naming the connection; SECRET (the
 * password, when given) is nowhere: not in the message, the job's logs and
 * error, or the history file.
 */
static void
bad_conn(struct fx *fx, const char *name, enum ps_err code,
    const char *secret)
{
	struct ep		*lite;
	struct sync_opts	 o;
	struct job_result	 r;
	struct job_row		 jr;
	struct log_row		*logs = NULL;
	struct ps_error		 err;
	double			 ms;
	char			*version = NULL, *wal;
	int			 n = 0, i;

	ps_error_clear(&err);
	assert_int_equal(engine_conn_test(&fx->ctx, name, TIMEOUT, &ms,
	    &version, &err), -1);
	if (err.code != code)
		fail_msg("conn test %s: %s, want %s: %s", name,
		    ps_err_name(err.code), ps_err_name(code), err.msg);
	assert_non_null(strstr(err.msg, name));
	assert_null(strchr(err.msg, '\n'));
	if (secret != NULL)
		assert_null(strstr(err.msg, secret));
	free(version);

	lite = ep_new(fx, E_SQLITE);
	opts_for(fx, &o, name, lite->name, 0, STRAT_MANUAL);
	memset(&r, 0, sizeof r);
	ps_error_clear(&err);
	assert_int_equal(engine_sync(&fx->ctx, &o, &r, &err), -1);
	assert_int_equal(err.code, code);
	assert_non_null(strstr(err.msg, name));
	if (secret != NULL)
		assert_null(strstr(err.msg, secret));
	assert_true(r.job_id > 0);
	memset(&jr, 0, sizeof jr);
	if (history_job_get(fx->hist, r.job_id, &jr, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(jr.status, "failed");
	assert_non_null(jr.error);
	assert_non_null(strstr(jr.error, name));
	if (secret != NULL)
		assert_null(strstr(jr.error, secret));
	job_row_free(&jr);
	if (history_logs(fx->hist, r.job_id, &logs, &n, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		if (secret != NULL && strstr(logs[i].message, secret) != NULL)
			fail_msg("the password is in the job log: %s",
			    logs[i].message);
	}
	log_rows_free(logs, n);
	job_result_free(&r);
	if (secret != NULL) {
		assert_false(file_has(fx->hpath, secret));
		xasprintf(&wal, "%s-wal", fx->hpath);
		assert_false(file_has(wal, secret));
		free(wal);
	}
}

static void
bad_password(void **state, enum eng e)
{
	struct fx	*fx = *state;
	const char	*dsn;
	char		 secret[64];

	dsn = tu_server_dsn(eng_env(e));
	snprintf(secret, sizeof secret, "Wr0ng-Pa55-%ld-zq", (long)getpid());
	conn_add(fx, "badpw", e, dsn, secret);
	bad_conn(fx, "badpw", PS_ERR_AUTH, secret);
}

static void
test_bad_password_pg(void **s)
{
	bad_password(s, E_PG);
}
static void
test_bad_password_my(void **s)
{
	bad_password(s, E_MY);
}

static void
bad_port(void **state, enum eng e)
{
	struct fx	*fx = *state;
	char		*dsn, port[16];

	snprintf(port, sizeof port, "%d", closed_port());
	dsn = dsn_set(tu_server_dsn(eng_env(e)), "port", port);
	conn_add(fx, "closed", e, dsn, tu_server_password(eng_env(e)));
	free(dsn);
	bad_conn(fx, "closed", PS_ERR_CONNECT, NULL);
}

static void
test_bad_port_pg(void **s)
{
	bad_port(s, E_PG);
}
static void
test_bad_port_my(void **s)
{
	bad_port(s, E_MY);
}

static void
bad_database(void **state, enum eng e)
{
	struct fx	*fx = *state;
	char		*dsn, db[64];

	snprintf(db, sizeof db, "pscross_missing_%ld", (long)getpid());
	dsn = dsn_set(tu_server_dsn(eng_env(e)), e == E_PG ? "dbname" :
	    "database", db);
	conn_add(fx, "nodb", e, dsn, tu_server_password(eng_env(e)));
	free(dsn);
	bad_conn(fx, "nodb", PS_ERR_NOT_FOUND, NULL);
}

static void
test_bad_database_pg(void **s)
{
	bad_database(s, E_PG);
}
static void
test_bad_database_my(void **s)
{
	bad_database(s, E_MY);
}

/* A missing table and a table without a key are skipped; the rest syncs. */
static void
test_missing_table_no_key(void **state)
{
	struct fx		*fx = *state;
	struct ep		*a, *b;
	struct sync_opts	 o;
	struct job_result	 r;
	const struct table_result *tr;
	char			**tables;

	a = ep_new(fx, E_PG);
	b = ep_new(fx, E_MY);
	ep_sql(a, "CREATE TABLE nokey (a text, b integer);\n"
	    "INSERT INTO nokey VALUES ('x', 1), ('y', 2);\n"
	    "CREATE TABLE kv (k bigint PRIMARY KEY, v varchar(40), "
	    "updated_at timestamp(6));\n"
	    "INSERT INTO kv VALUES (1, 'one', NULL);\n");
	ep_sql(b, "CREATE TABLE nokey (a TEXT, b INT);\n");
	ep_sql(b, kv_ddl(E_MY));
	tables = strv("nokey", "kv", "no_such_table", NULL);
	opts_for(fx, &o, a->name, b->name, 0, STRAT_MANUAL);
	o.tables = tables;
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED_WITH_ERRORS, 2, "bad tables");
	assert_int_equal(r.ntables, 3);
	tr = table_of(&r, "nokey");
	assert_string_equal(tr->status, "skipped");
	assert_non_null(tr->message);
	assert_non_null(strstr(tr->message, "no primary key"));
	tr = table_of(&r, "no_such_table");
	assert_string_equal(tr->status, "skipped");
	assert_non_null(tr->message);
	assert_non_null(strstr(tr->message, "does not exist"));
	assert_true(log_has(fx, r.job_id, "no_such_table"));
	assert_string_equal(table_of(&r, "kv")->status, "synced");
	assert_int_equal(r.counts.inserted, 1);
	job_result_free(&r);
	assert_int_equal(ep_count(b, "kv", NULL), 1);
	assert_int_equal(ep_count(b, "nokey", NULL), 0);
	util_strv_free(tables);
}

/*
 * A value too long for the target's column is a row error with its key in
 * the log; the other rows are written (ten emoji fit in ten characters).
 */
static void
too_long(void **state, enum eng x, enum eng y)
{
	struct fx		*fx = *state;
	struct ep		*a, *b;
	struct sync_opts	 o;
	struct job_result	 r;
	int			 i;

	a = ep_new(fx, x);
	b = ep_new(fx, y);
	ep_sql(a, "CREATE TABLE names (id bigint PRIMARY KEY, "
	    "name varchar(50));\n"
	    "INSERT INTO names VALUES (1, 'one'), (2, 'two'), "
	    "(3, 'thirty characters, too long!!'), "
	    "(4, '\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
	    "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80'), "
	    "(5, 'five');\n");
	ep_sql(b, "CREATE TABLE names (id bigint PRIMARY KEY, "
	    "name varchar(10));\n");
	opts_for(fx, &o, a->name, b->name, 0, STRAT_MANUAL);
	for (i = 0; i < 2; i++) {
		run(fx, &o, &r);
		expect_job(fx, &r, JOB_COMPLETED_WITH_ERRORS, 1, "too long");
		assert_int_equal(r.counts.inserted, i == 0 ? 4 : 0);
		assert_true(log_has(fx, r.job_id, "{\"id\":\"3\"}"));
		job_result_free(&r);
	}
	assert_int_equal(ep_count(b, "names", NULL), 4);
	assert_int_equal(ep_count(b, "names", "id = 3"), 0);
	assert_int_equal(ep_count(b, "names", "id = 4"), 1);
}

/*
 * A PostgreSQL target written in batches of 7 gets two batches of a table
 * at once, through a second session, each in its own transaction.  Rows too
 * long for the target still fail alone, by key, and updates and deletes go
 * the same way.
 */
static void
test_two_sessions_pg_pg(void **state)
{
	struct fx		*fx = *state;
	struct ep		*a, *b;
	struct sync_opts	 o;
	struct job_result	 r;
	int64_t			 upd = 0, del = 0, err = 0, left = 0;
	int			 id;

	a = ep_new(fx, E_PG);
	b = ep_new(fx, E_PG);
	ep_sql(a, "CREATE TABLE items (id bigint PRIMARY KEY, "
	    "name varchar(20), qty int);\n"
	    "INSERT INTO items SELECT x, CASE WHEN x % 97 = 0 THEN "
	    "'a name far too long' ELSE 'n' || x END, x % 13 "
	    "FROM generate_series(1, 1000) AS x;\n");
	ep_sql(b, "CREATE TABLE items (id bigint PRIMARY KEY, "
	    "name varchar(10), qty int);\n");
	opts_for(fx, &o, a->name, b->name, 0, STRAT_MANUAL);
	o.batch_size = 7;
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED_WITH_ERRORS, 10, "two sessions");
	assert_int_equal(r.counts.inserted, 990);
	assert_true(log_has(fx, r.job_id, "write session 2"));
	assert_true(log_has(fx, r.job_id, "{\"id\":\"97\"}"));
	assert_true(log_has(fx, r.job_id, "{\"id\":\"970\"}"));
	job_result_free(&r);
	assert_int_equal(ep_count(b, "items", NULL), 990);
	assert_int_equal(ep_count(b, "items",
	    "name = 'n' || id AND qty = id % 13"), 990);

	ep_sql(a, "UPDATE items SET qty = qty + 100 WHERE id % 5 = 0;\n"
	    "DELETE FROM items WHERE id % 7 = 0;\n");
	for (id = 1; id <= 1000; id++) {
		if (id % 97 == 0) {
			err += id % 7 != 0;
			continue;
		}
		if (id % 7 == 0)
			del++;
		else {
			upd += id % 5 == 0;
			left++;
		}
	}
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED_WITH_ERRORS, err, "two sessions");
	assert_int_equal(r.counts.inserted, 0);
	assert_int_equal(r.counts.updated, upd);
	assert_int_equal(r.counts.deleted, del);
	job_result_free(&r);
	assert_int_equal(ep_count(b, "items", NULL), left);
	assert_int_equal(ep_count(b, "items", "name = 'n' || id AND "
	    "qty = id % 13 + CASE WHEN id % 5 = 0 THEN 100 ELSE 0 END"), left);
	assert_int_equal(ep_count(b, "items", "id % 7 = 0"), 0);
}

static void
test_too_long_pg_my(void **s)
{
	too_long(s, E_PG, E_MY);
}
static void
test_too_long_my_pg(void **s)
{
	too_long(s, E_MY, E_PG);
}

/*
 * Keys PostgreSQL holds apart and a MySQL PAD SPACE, case-insensitive
 * collation folds together ("a"/"a ", "B"/"b"): row errors naming the
 * keys, and no row takes another key's values.
 */
static void
test_folded_keys(void **state)
{
	struct fx		*fx = *state;
	struct ep		*a, *b;
	struct sync_opts	 o;
	struct job_result	 r;
	struct scan		 s;
	const char		*k, *v;
	int			 n = 0;

	a = ep_new(fx, E_PG);
	b = ep_new(fx, E_MY);
	ep_sql(a, "CREATE TABLE fold (k text PRIMARY KEY, v text);\n"
	    "INSERT INTO fold VALUES ('B', 'upper B'), ('a', 'lower a'), "
	    "('a ', 'a space'), ('b', 'lower b');\n");
	ep_sql(b, "CREATE TABLE fold (k VARCHAR(20) NOT NULL PRIMARY KEY, "
	    "v TEXT) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n");
	opts_for(fx, &o, a->name, b->name, 0, STRAT_MANUAL);
	run(fx, &o, &r);
	expect_job(fx, &r, JOB_COMPLETED_WITH_ERRORS, 2, "folded keys");
	assert_int_equal(r.counts.inserted, 2);
	assert_true(log_has(fx, r.job_id, "{\"k\":\"a \"}"));
	assert_true(log_has(fx, r.job_id, "{\"k\":\"b\"}"));
	job_result_free(&r);

	scan_open(fx, b->name, "fold", NULL, 0, &s);
	while (scan_next(&s) == 1) {
		k = row_ptr(&s.row, 0);
		v = row_ptr(&s.row, 1);
		if (!((strcmp(k, "B") == 0 && strcmp(v, "upper B") == 0) ||
		    (strcmp(k, "a") == 0 && strcmp(v, "lower a") == 0)))
			fail_msg("the target holds key '%s' with '%s'", k, v);
		n++;
	}
	scan_close(&s);
	assert_int_equal(n, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_pair_pg_pg),
		T(test_pair_pg_my),
		T(test_pair_pg_sqlite),
		T(test_pair_my_pg),
		T(test_pair_my_my),
		T(test_pair_my_sqlite),
		T(test_pair_sqlite_pg),
		T(test_pair_sqlite_my),
		T(test_pair_sqlite_sqlite),
		T(test_kv_pg_my_manual),
		T(test_kv_pg_my_source),
		T(test_kv_pg_my_target),
		T(test_kv_pg_my_newer),
		T(test_kv_pg_my_ignore),
		T(test_kv_my_pg_manual),
		T(test_kv_my_pg_source),
		T(test_kv_my_pg_target),
		T(test_kv_my_pg_newer),
		T(test_kv_my_pg_ignore),
		T(test_resolve_pg_my),
		T(test_fk_pg_pg),
		T(test_fk_pg_my),
		T(test_fk_pg_sqlite),
		T(test_fk_my_pg),
		T(test_fk_my_my),
		T(test_fk_my_sqlite),
		T(test_fk_sqlite_pg),
		T(test_fk_sqlite_my),
		T(test_fk_sqlite_sqlite),
		T(test_schema_pg_my),
		T(test_schema_pg_sqlite),
		T(test_schema_my_pg),
		T(test_schema_my_sqlite),
		T(test_schema_sqlite_pg),
		T(test_schema_sqlite_my),
		T(test_bad_password_pg),
		T(test_bad_password_my),
		T(test_bad_port_pg),
		T(test_bad_port_my),
		T(test_bad_database_pg),
		T(test_bad_database_my),
		T(test_missing_table_no_key),
		T(test_two_sessions_pg_pg),
		T(test_too_long_pg_my),
		T(test_too_long_my_pg),
		T(test_folded_keys),
#undef T
	};

	return cmocka_run_group_tests_name("cross", tests, NULL, NULL);
}
