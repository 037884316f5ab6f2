/*
 * projsync - db_pg.c: the PostgreSQL driver (const struct db_ops db_pg_ops):
 * connecting through libpq (a main connection for writes, transactions and
 * DDL, and a read-only one for scans), describing tables from pg_catalog,
 * streaming scans in key order with COPY TO STDOUT into canonical values,
 * writing change batches with COPY (binary where every value has an exact
 * binary form, else text) straight into the table for inserts, or through
 * a typed temporary stage table and set-based statements, rendering them
 * as SQL, DDL from the
 * engine-independent table model, and advancing sequences after writes.
 *
 * Table names: "a.b" is table b of schema a when a schema a exists,
 * otherwise one name; an unqualified name resolves through the session's
 * search_path.  list_tables() and foreign keys name tables of the first
 * schema of the search path unqualified and the others as "schema.table".
 */
#include "projsync/common.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libpq-fe.h>

#include "projsync/conf.h"
#include "projsync/db.h"
#include "projsync/util.h"

/* Session settings every connection asks for in its startup packet. */
#define PG_SESSION_OPTIONS \
	"-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres " \
	"-c extra_float_digits=3 -c bytea_output=hex"

/* COPY data is handed to libpq in pieces of about this size. */
#define PG_COPY_CHUNK	(256 * 1024)

/* One column of a table as the writers and the scan's ORDER BY need it. */
struct pg_col {
	char	*name;
	char	*type;		/* format_type() of the (domain's base) type */
	char	*base;		/* its pg_type.typname: "int4", "bpchar" */
	char	 identity;	/* attidentity: 'a', 'd' or 0 */
};

/* A resolved table. */
struct pg_table {
	char		*schema;
	char		*name;
	char		*oid;	/* as text, for parameters */
	char		*ref;	/* "schema"."name", quoted */
	int		 ncols;
	struct pg_col	*cols;
};

/* How a column goes in binary COPY (see "binary COPY"). */
enum pg_bin {
	PGB_NONE,
	PGB_CHAR,		/* "char": the stage's operation */
	PGB_INT2,
	PGB_INT4,
	PGB_INT8,
	PGB_NUMERIC,
	PGB_FLOAT8,
	PGB_BOOL,
	PGB_TEXT,		/* text, varchar, bpchar, json */
	PGB_JSONB,
	PGB_BYTEA,
	PGB_UUID,
	PGB_DATE,
	PGB_TIME,
	PGB_TIMESTAMP,
	PGB_TIMESTAMPTZ
};

/*
 * A binary COPY inserts row by row.  Otherwise the server buffers up to
 * 1000 rows between flushes (in binary format it has no line bytes to stop
 * it sooner), each in a tuple slot of its own that registers the table's
 * row type with the statement's resource owner; all are the same entry, so
 * registering and releasing them costs the square of their number (seen
 * on PostgreSQL 15: 15% of all the CPU of a 1M-row copy in batches of
 * 1000).  A volatile condition in the COPY's WHERE clause (PostgreSQL 12
 * and later) makes it insert each row at once through one slot: the target
 * sessions then spend about a sixth less CPU on that copy than in text.
 */
#define PG_BIN_WHERE	"WHERE random() >= 0"

/*
 * What apply() keeps per table shape (table name and column list): the
 * column types, the statements, and the temporary stage table batches are
 * copied into.
 */
struct pg_shape {
	char		*key;		/* table, columns, each NUL-ended */
	size_t		 keylen;
	int		 ncols;
	char		*ref;		/* quoted target */
	char		**types;	/* each column's type, for the stage */
	int		 always;	/* writes a GENERATED ALWAYS identity */
	char		*stage;		/* quoted stage table name */
	unsigned	 stageno;	/* ... projsync_stage_N */
	int		 created;	/* the stage table exists */
	int		 in_txn;	/* ... in the open transaction */
	char		*sql_copy;
	char		*sql_copy_direct;	/* COPY target (cols) FROM STDIN */
	char		*sql_copy_txn;	/* BEGIN; the same; COMMIT */
	int		 binary;	/* every column has a binary kind */
	enum pg_bin	*bin;		/* ... each one's */
	char		*sql_copy_bin;	/* the three, binary */
	char		*sql_copy_direct_bin;
	char		*sql_copy_txn_bin;
	char		*sql_del;	/* DELETE ... USING stage */
	char		*sql_upd;	/* UPDATE ... RETURNING the keys */
	char		*sql_ins;	/* INSERT ... SELECT FROM stage WHERE */
	char		*sql_missing;	/* the updates that found no row */
	struct pg_shape	*next;
};

/* What db_conn->priv points to. */
struct pg_conn {
	PGconn			*main;
	PGconn			*reader;
	PGcancel		*main_cancel;
	PGcancel		*reader_cancel;
	struct db_cursor	*streaming;	/* the COPY on the reader */
	struct pg_shape		*shapes;
	unsigned		 nstage;	/* stage names handed out */
	int			 version;	/* PQserverVersion() */
	/* What open_writer() connects with (wiped on close). */
	char			*dsn;
	char			*password;
	char			*options;
	int			 timeout_s;
};

struct db_cursor {
	struct pg_conn		*pc;	/* NULL once the connection closed */
	PGconn			*conn;
	PGresult		*res;	/* key_eq: the whole result */
	int			 next_row;
	int			 copying;	/* a COPY is streaming */
	int			 done;
	char			*table;
	char			*connname;
	int			 ncols;
	char			**cols;
	enum type_family	*fam;
	struct strbuf		 tmp;	/* an unescaped field */
	struct strbuf		 bin;	/* a decoded bytea */
};

static void	pg_quote_ident(struct strbuf *, const char *);
static enum pg_bin pg_bin_kind(const char *, enum type_family);
static int	pg_copy_rows(struct pg_conn *, const struct change_batch *,
		    int);

static void
pg_quote_ident(struct strbuf *sb, const char *ident)
{
	const char	*p;

	sb_addch(sb, '"');
	for (p = ident; *p != '\0'; p++) {
		if (*p == '"')
			sb_addch(sb, '"');
		sb_addch(sb, *p);
	}
	sb_addch(sb, '"');
}

static void
pg_add_collist(struct strbuf *sb, char *const *cols, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		pg_quote_ident(sb, cols[i]);
	}
}

/*
 * Append MSG (libpq or server text, possibly several lines) as one line:
 * lines joined by "; " (continuation lines, which start with a tab, as a
 * new sentence), LOCATION lines dropped, trailing space trimmed.
 */
static void
pg_add_one_line(struct strbuf *sb, const char *msg)
{
	const char	*p, *e, *s;
	size_t		 start = sb->len;
	int		 cont;

	for (p = msg; *p != '\0'; p = *e == '\0' ? e : e + 1) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		cont = *p == '\t' || *p == ' ';
		for (s = p; s < e && isspace((unsigned char)*s); s++)
			/* nothing */;
		if (s == e || strncmp(s, "LOCATION:", 9) == 0)
			continue;
		if (sb->len > start && cont)
			sb_addstr(sb, strchr(".:;?!", sb->buf[sb->len - 1]) !=
			    NULL ? " " : ". ");
		else if (sb->len > start)
			sb_addstr(sb, "; ");
		sb_add(sb, s, (size_t)(e - s));
		while (sb->len > start && isspace((unsigned char)
		    sb->buf[sb->len - 1]))
			sb_truncate(sb, sb->len - 1);
	}
}

/* Map a SQLSTATE of a failed statement to a ps_err code. */
static enum ps_err
pg_err_code(const char *state)
{
	if (state == NULL || strlen(state) != 5)
		return PS_ERR_DB;
	if (strncmp(state, "23", 2) == 0)
		return PS_ERR_CONSTRAINT;
	if (strncmp(state, "22", 2) == 0)
		return PS_ERR_VALUE;
	if (strcmp(state, "57014") == 0)
		return PS_ERR_CANCELLED;
	if (strncmp(state, "08", 2) == 0)
		return PS_ERR_CONNECT;
	return PS_ERR_DB;
}

/*
 * Set ERR from a failed result RES (or the connection's message when RES
 * is NULL): "connection 'C'[: table 'T']: message[: detail]".
 */
static void
pg_set_err(struct ps_error *err, PGconn *conn, const PGresult *res,
    const char *connname, const char *table)
{
	struct strbuf	 sb = STRBUF_INIT;
	const char	*state = NULL, *primary = NULL, *detail = NULL;
	enum ps_err	 code;

	if (err == NULL)
		return;
	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	}
	code = pg_err_code(state);
	if (state == NULL && conn != NULL && PQstatus(conn) == CONNECTION_BAD)
		code = PS_ERR_CONNECT;
	sb_addf(&sb, "connection '%s': ", connname);
	if (table != NULL)
		sb_addf(&sb, "table '%s': ", table);
	if (primary != NULL) {
		pg_add_one_line(&sb, primary);
		if (detail != NULL) {
			sb_addstr(&sb, " (");
			pg_add_one_line(&sb, detail);
			sb_addch(&sb, ')');
		}
	} else if (res != NULL && *PQresultErrorMessage(res) != '\0')
		pg_add_one_line(&sb, PQresultErrorMessage(res));
	else if (conn != NULL && *PQerrorMessage(conn) != '\0')
		pg_add_one_line(&sb, PQerrorMessage(conn));
	else
		sb_addstr(&sb, "unknown error");
	ps_error_set(err, code, "%s", sb_str(&sb));
	if (state != NULL && strlen(state) == 5)
		memcpy(err->sqlstate, state, 6);
	sb_free(&sb);
}

/*
 * Run SQL with N text parameters on CONN.  Returns the result (tuples or
 * command), or NULL with ERR set.
 */
static PGresult *
pg_query(PGconn *conn, const char *sql, int n, const char *const *params,
    const char *connname, const char *table, struct ps_error *err)
{
	PGresult	*res;
	int		 st;

	res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	pg_set_err(err, conn, res, connname, table);
	PQclear(res);
	return NULL;
}

/* Run SQL (one or more statements, no parameters, no rows wanted). */
static int
pg_exec_on(PGconn *conn, const char *sql, const char *connname,
    const char *table, struct ps_error *err)
{
	PGresult	*res;
	int		 st;

	res = PQexec(conn, sql);
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(res);
		return 0;
	}
	pg_set_err(err, conn, res, connname, table);
	PQclear(res);
	return -1;
}

static char *
pg_dup_value(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return xstrdup(PQgetvalue(res, row, col));
}

/* ---- connections ---- */

/* The SQLSTATE in a verbose libpq message ("FATAL:  28P01: ..."), or "". */
static void
pg_msg_sqlstate(const char *msg, char state[6])
{
	const char	*p;
	int		 i;

	state[0] = '\0';
	for (p = strstr(msg, ":  "); p != NULL; p = strstr(p + 1, ":  ")) {
		for (i = 0; i < 5; i++)
			if (!isdigit((unsigned char)p[3 + i]) &&
			    !isupper((unsigned char)p[3 + i]))
				break;
		if (i == 5 && p[8] == ':' && p[9] == ' ') {
			memcpy(state, p + 3, 5);
			state[5] = '\0';
			return;
		}
	}
}

/* MSG as one line without the SQLSTATE that verbose errors add. */
static void
pg_add_connect_msg(struct strbuf *sb, const char *msg, const char *state)
{
	struct strbuf	 tmp = STRBUF_INIT;
	char		 pat[16];
	char		*p;

	pg_add_one_line(&tmp, msg);
	if (*state != '\0' && tmp.buf != NULL) {
		snprintf(pat, sizeof pat, ":  %s: ", state);
		if ((p = strstr(tmp.buf, pat)) != NULL)
			memmove(p + 3, p + 10, strlen(p + 10) + 1);
	}
	/* "FATAL:  x" reads better as "FATAL: x". */
	while (tmp.buf != NULL && (p = strstr(tmp.buf, ":  ")) != NULL)
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
	sb_addstr(sb, tmp.len > 0 ? tmp.buf : "connection failed");
	sb_free(&tmp);
}

/* Server notices ("table ... does not exist, skipping") are not shown. */
static void
pg_notice_ignore(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static double
pg_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Open one connection with KEYS/VALS, giving up after TIMEOUT_S seconds
 * (none when 0).  Returns the connection, or NULL with ERR set.
 */
static PGconn *
pg_open_one(const struct db_conn *c, const char *const *keys,
    const char *const *vals, int timeout_s, struct ps_error *err)
{
	PGconn			*conn;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	struct pollfd		 pfd;
	struct strbuf		 sb = STRBUF_INIT;
	double			 deadline = 0, left;
	char			 state[6];
	enum ps_err		 code = PS_ERR_CONNECT;
	int			 timedout = 0, wait;

	conn = PQconnectStartParams(keys, vals, 1);
	if (conn == NULL) {
		ps_error_set(err, PS_ERR_CONNECT, "connection '%s': out of "
		    "memory starting a PostgreSQL connection", c->name);
		return NULL;
	}
	/* Verbose messages carry the SQLSTATE, the only reliable sign. */
	PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
	if (timeout_s > 0)
		deadline = pg_now() + timeout_s;
	if (PQstatus(conn) == CONNECTION_BAD)
		st = PGRES_POLLING_FAILED;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		pfd.fd = PQsocket(conn);
		pfd.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		pfd.revents = 0;
		wait = -1;
		if (timeout_s > 0) {
			left = deadline - pg_now();
			if (left <= 0) {
				timedout = 1;
				break;
			}
			wait = (int)(left * 1000) + 1;
		}
		if (poll(&pfd, 1, wait) == -1 && errno != EINTR)
			break;
		if (pfd.revents == 0 && timeout_s > 0 &&
		    deadline - pg_now() <= 0) {
			timedout = 1;
			break;
		}
		st = PQconnectPoll(conn);
	}
	if (st == PGRES_POLLING_OK && PQstatus(conn) == CONNECTION_OK) {
		PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
		PQsetNoticeProcessor(conn, pg_notice_ignore, NULL);
		return conn;
	}

	sb_addf(&sb, "connection '%s': ", c->name);
	if (timedout) {
		sb_addf(&sb, "timeout expired after %d s connecting to "
		    "PostgreSQL", timeout_s);
		if (PQhost(conn) != NULL && *PQhost(conn) != '\0')
			sb_addf(&sb, " at %s port %s", PQhost(conn),
			    PQport(conn) != NULL ? PQport(conn) : "");
	} else {
		pg_msg_sqlstate(PQerrorMessage(conn), state);
		if (strcmp(state, "28P01") == 0 ||
		    strcmp(state, "28000") == 0 ||
		    strstr(PQerrorMessage(conn), "no password supplied") !=
		    NULL)
			code = PS_ERR_AUTH;
		else if (strcmp(state, "3D000") == 0)
			code = PS_ERR_NOT_FOUND;
		pg_add_connect_msg(&sb, PQerrorMessage(conn), state);
	}
	ps_error_set(err, code, "%s", sb_str(&sb));
	sb_free(&sb);
	PQfinish(conn);
	return NULL;
}

static void pg_close(struct db_conn *);

/* Whether the DSN may hold a password: "password=", or a URI's user:pw@. */
static int
pg_has_password(const char *dsn)
{
	const char	*p;

	if (strstr(dsn, "://") != NULL && strchr(dsn, '@') != NULL)
		return 1;
	for (p = dsn; *p != '\0'; p++)
		if (strncasecmp(p, "password", 8) == 0)
			return 1;
	return 0;
}

/*
 * Fill KEYS/VALS (8 slots) for PQconnectStartParams: later keywords
 * override what the DSN says.  Returns the index of "options".
 */
static int
pg_keys(const char **keys, const char **vals, const char *dsn,
    const char *password, const char *options)
{
	int	n = 0, optpos;

	keys[n] = "fallback_application_name";
	vals[n++] = "projsync";
	keys[n] = "dbname";
	vals[n++] = dsn;
	if (password != NULL && *password != '\0') {
		keys[n] = "password";
		vals[n++] = password;
	}
	keys[n] = "client_encoding";
	vals[n++] = "UTF8";
	optpos = n;
	keys[n] = "options";
	vals[n++] = options;
	keys[n] = NULL;
	vals[n] = NULL;
	return optpos;
}

static int
pg_connect(struct db_conn *c, const struct conn_conf *conf,
    const char *password, int timeout_s, struct ps_error *err)
{
	struct pg_conn		*pc;
	PQconninfoOption	*opts = NULL, *o;
	const char		*keys[8], *vals[8];
	const char		*dsn, *dsnopts = NULL;
	char			*msg = NULL, *options = NULL, *roptions = NULL;
	int			 optpos, ret = -1;

	pc = xcalloc(1, sizeof *pc);
	c->priv = pc;
	dsn = conf->dsn != NULL ? conf->dsn : "";

	opts = PQconninfoParse(dsn, &msg);
	if (opts == NULL) {
		/* A message could quote the DSN, password and all. */
		if (msg != NULL && !pg_has_password(dsn))
			ps_error_set(err, PS_ERR_CONFIG, "connection '%s': "
			    "invalid PostgreSQL DSN: %.*s", c->name,
			    (int)strcspn(msg, "\n"), msg);
		else
			ps_error_set(err, PS_ERR_CONFIG, "connection '%s': "
			    "invalid PostgreSQL DSN", c->name);
		goto out;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "options") == 0 && o->val != NULL)
			dsnopts = o->val;
	xasprintf(&options, "%s%s%s", dsnopts != NULL ? dsnopts : "",
	    dsnopts != NULL ? " " : "", PG_SESSION_OPTIONS);
	xasprintf(&roptions, "%s -c default_transaction_read_only=on",
	    options);

	optpos = pg_keys(keys, vals, dsn, password, options);
	if ((pc->main = pg_open_one(c, keys, vals, timeout_s, err)) == NULL)
		goto out;
	vals[optpos] = roptions;
	if ((pc->reader = pg_open_one(c, keys, vals, timeout_s, err)) == NULL)
		goto out;
	pc->main_cancel = PQgetCancel(pc->main);
	pc->reader_cancel = PQgetCancel(pc->reader);
	pc->version = PQserverVersion(pc->main);
	pc->dsn = xstrdup(dsn);
	if (password != NULL && *password != '\0')
		pc->password = xstrdup(password);
	pc->options = xstrdup(options);
	pc->timeout_s = timeout_s;
	if (pc->version < 100000) {
		ps_error_set(err, PS_ERR_UNSUPPORTED, "connection '%s': "
		    "PostgreSQL %d.%d is too old (10 or later is needed)",
		    c->name, pc->version / 10000, pc->version / 100 % 100);
		goto out;
	}
	ret = 0;

out:
	if (ret != 0)
		pg_close(c);
	PQconninfoFree(opts);
	PQfreemem(msg);
	free(options);
	free(roptions);
	return ret;
}

static void
pg_shape_free(struct pg_shape *s)
{
	free(s->key);
	free(s->ref);
	util_strvn_free(s->types, s->ncols);
	free(s->stage);
	free(s->sql_copy);
	free(s->sql_copy_direct);
	free(s->sql_copy_txn);
	free(s->bin);
	free(s->sql_copy_bin);
	free(s->sql_copy_direct_bin);
	free(s->sql_copy_txn_bin);
	free(s->sql_del);
	free(s->sql_upd);
	free(s->sql_ins);
	free(s->sql_missing);
	free(s);
}

/* Forget every shape (and with it the stage tables' state). */
static void
pg_shapes_clear(struct pg_conn *pc)
{
	struct pg_shape	*s, *next;

	for (s = pc->shapes; s != NULL; s = next) {
		next = s->next;
		pg_shape_free(s);
	}
	pc->shapes = NULL;
}

/* Forget shape S. */
static void
pg_shape_drop(struct pg_conn *pc, struct pg_shape *s)
{
	struct pg_shape	**pp;

	for (pp = &pc->shapes; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			pg_shape_free(s);
			return;
		}
	}
}

static void
pg_close(struct db_conn *c)
{
	struct pg_conn	*pc = c->priv;

	if (pc == NULL)
		return;
	if (pc->streaming != NULL) {
		/* The cursor outlives us: it must not touch the connection. */
		pc->streaming->pc = NULL;
		pc->streaming->conn = NULL;
		pc->streaming->copying = 0;
		pc->streaming->done = 1;
	}
	pg_shapes_clear(pc);
	db_wipe(pc->dsn);
	db_wipe(pc->password);
	free(pc->dsn);
	free(pc->password);
	free(pc->options);
	if (pc->main_cancel != NULL)
		PQfreeCancel(pc->main_cancel);
	if (pc->reader_cancel != NULL)
		PQfreeCancel(pc->reader_cancel);
	if (pc->main != NULL)
		PQfinish(pc->main);
	if (pc->reader != NULL)
		PQfinish(pc->reader);
	free(pc);
	c->priv = NULL;
}

/* A second write session: a main connection only, no reader. */
static int
pg_open_writer(const struct db_conn *from, struct db_conn *out,
    struct ps_error *err)
{
	const struct pg_conn	*fc = from->priv;
	struct pg_conn		*pc;
	const char		*keys[8], *vals[8];

	pc = xcalloc(1, sizeof *pc);
	out->priv = pc;
	(void)pg_keys(keys, vals, fc->dsn, fc->password, fc->options);
	if ((pc->main = pg_open_one(out, keys, vals, fc->timeout_s,
	    err)) == NULL)
		return -1;
	pc->main_cancel = PQgetCancel(pc->main);
	pc->version = PQserverVersion(pc->main);
	return 0;
}

/*
 * Ask the server to stop what both connections are running.  PQcancel is
 * safe from any thread; a connection with nothing running ignores it.
 */
static int
pg_cancel(struct db_conn *c)
{
	struct pg_conn	*pc = c->priv;
	char		 buf[256];
	int		 rc = 0;

	if (pc == NULL)
		return 0;
	if (pc->main_cancel != NULL &&
	    !PQcancel(pc->main_cancel, buf, sizeof buf))
		rc = -1;
	if (pc->reader_cancel != NULL &&
	    !PQcancel(pc->reader_cancel, buf, sizeof buf))
		rc = -1;
	return rc;
}

static char *
pg_server_version(struct db_conn *c)
{
	struct pg_conn	*pc = c->priv;
	char		*s;
	int		 v = pc->version;

	if (v >= 100000)
		xasprintf(&s, "PostgreSQL %d.%d", v / 10000, v % 10000);
	else
		xasprintf(&s, "PostgreSQL %d.%d.%d", v / 10000,
		    v / 100 % 100, v % 100);
	return s;
}

/* ---- tables ---- */

static void
pg_table_free(struct pg_table *t)
{
	int	i;

	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].type);
		free(t->cols[i].base);
	}
	free(t->cols);
	free(t->schema);
	free(t->name);
	free(t->oid);
	free(t->ref);
	memset(t, 0, sizeof *t);
}

/* The column NAME of T, or NULL. */
static const struct pg_col *
pg_table_col(const struct pg_table *t, const char *name)
{
	int	i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

static int
pg_table_load_cols(PGconn *conn, const char *connname, const char *table,
    struct pg_table *t, struct ps_error *err)
{
	PGresult	*res;
	const char	*params[1];
	const char	*id;
	int		 i;

	params[0] = t->oid;
	res = pg_query(conn, "SELECT a.attname, format_type(bt.oid, "
	    "CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END), "
	    "bt.typname, a.attidentity "
	    "FROM pg_catalog.pg_attribute a "
	    "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	    "JOIN pg_catalog.pg_type bt ON bt.oid = "
	    "CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END "
	    "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND "
	    "NOT a.attisdropped ORDER BY a.attnum", 1, params, connname,
	    table, err);
	if (res == NULL)
		return -1;
	t->ncols = PQntuples(res);
	t->cols = xcalloc((size_t)t->ncols + 1, sizeof *t->cols);
	for (i = 0; i < t->ncols; i++) {
		t->cols[i].name = xstrdup(PQgetvalue(res, i, 0));
		t->cols[i].type = xstrdup(PQgetvalue(res, i, 1));
		t->cols[i].base = xstrdup(PQgetvalue(res, i, 2));
		id = PQgetvalue(res, i, 3);
		t->cols[i].identity = id[0];
	}
	PQclear(res);
	return 0;
}

/*
 * Resolve TABLE on CONN: "a.b" is table b of schema a when that schema
 * exists, else one name looked up through the search path.  Returns 1 and
 * fills T (with its columns when COLS is set), 0 when there is no such
 * table (T->ref still holds the reference to write), -1 on error.
 */
static int
pg_table_load(PGconn *conn, const char *connname, const char *table,
    int cols, struct pg_table *t, struct ps_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	PGresult	*res = NULL;
	const char	*params[2];
	const char	*dot;
	char		*schema = NULL;
	int		 ret = -1, found = 0;

	memset(t, 0, sizeof *t);
	dot = strchr(table, '.');
	if (dot != NULL && dot != table && dot[1] != '\0') {
		schema = xstrndup(table, (size_t)(dot - table));
		params[0] = schema;
		params[1] = dot + 1;
		res = pg_query(conn, "SELECT c.oid, n.nspname, c.relname "
		    "FROM pg_catalog.pg_namespace n "
		    "LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid "
		    "AND c.relname = $2 AND c.relkind IN "
		    "('r', 'p', 'v', 'm', 'f') WHERE n.nspname = $1", 2, params,
		    connname, table, err);
		if (res == NULL)
			goto out;
		if (PQntuples(res) == 1) {
			pg_quote_ident(&sb, schema);
			sb_addch(&sb, '.');
			pg_quote_ident(&sb, dot + 1);
			t->ref = sb_detach(&sb);
			found = !PQgetisnull(res, 0, 0);
			if (!found) {
				ret = 0;
				goto out;
			}
		} else {
			PQclear(res);
			res = NULL;
		}
	}
	if (res == NULL) {
		pg_quote_ident(&sb, table);
		t->ref = sb_detach(&sb);
		params[0] = t->ref;
		res = pg_query(conn, "SELECT c.oid, n.nspname, c.relname "
		    "FROM pg_catalog.pg_class c "
		    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		    "WHERE c.oid = pg_catalog.to_regclass($1) AND c.relkind IN "
		    "('r', 'p', 'v', 'm', 'f')", 1, params, connname, table,
		    err);
		if (res == NULL)
			goto out;
		if (PQntuples(res) != 1) {
			ret = 0;
			goto out;
		}
	}
	t->oid = xstrdup(PQgetvalue(res, 0, 0));
	t->schema = xstrdup(PQgetvalue(res, 0, 1));
	t->name = xstrdup(PQgetvalue(res, 0, 2));
	free(t->ref);
	pg_quote_ident(&sb, t->schema);
	sb_addch(&sb, '.');
	pg_quote_ident(&sb, t->name);
	t->ref = sb_detach(&sb);
	if (cols && pg_table_load_cols(conn, connname, table, t, err) != 0)
		goto out;
	ret = 1;

out:
	if (ret == -1)
		pg_table_free(t);
	PQclear(res);
	free(schema);
	sb_free(&sb);
	return ret;
}

static void
pg_not_found(struct ps_error *err, const char *table, const char *connname)
{
	ps_error_set(err, PS_ERR_NOT_FOUND, "table '%s' does not exist on "
	    "connection '%s'", table, connname);
}

static int
pg_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
pg_list_tables(struct db_conn *c, char ***names, int *n,
    struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	PGresult	*res;
	char		**v;
	int		 i, k;

	*names = NULL;
	*n = 0;
	res = pg_query(pc->main, "SELECT CASE WHEN n.nspname = "
	    "(pg_catalog.current_schemas(false))[1] THEN c.relname "
	    "ELSE n.nspname || '.' || c.relname END "
	    "FROM pg_catalog.pg_class c "
	    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	    "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND "
	    "n.nspname = ANY (pg_catalog.current_schemas(false))", 0, NULL,
	    c->name, NULL, err);
	if (res == NULL) {
		ps_error_prefix(err, "listing tables");
		return -1;
	}
	k = PQntuples(res);
	v = xcalloc((size_t)k + 1, sizeof *v);
	for (i = 0; i < k; i++)
		v[i] = xstrdup(PQgetvalue(res, i, 0));
	PQclear(res);
	qsort(v, (size_t)k, sizeof *v, pg_strcmp_p);
	*names = v;
	*n = k;
	return 0;
}

/*
 * Fill the family, length, precision and scale of CD from the base type
 * BASE (pg_type.typname), its TYPTYPE and type modifier TYPMOD.
 */
static void
pg_type_family(const char *base, char typtype, int typmod,
    struct column_def *cd)
{
	int	scale;

	cd->length = cd->precision = cd->scale = -1;
	cd->family = TF_OTHER;
	if (typtype == 'e') {
		cd->family = TF_TEXT;
		return;
	}
	if (strcmp(base, "int2") == 0 || strcmp(base, "int4") == 0 ||
	    strcmp(base, "int8") == 0) {
		cd->family = TF_INTEGER;
		cd->precision = base[3] - '0';
	} else if (strcmp(base, "numeric") == 0) {
		cd->family = TF_DECIMAL;
		if (typmod >= 4) {
			cd->precision = ((typmod - 4) >> 16) & 0xffff;
			/* The scale is 11 bits, signed since PostgreSQL 15. */
			scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
			cd->scale = scale;
		}
	} else if (strcmp(base, "float4") == 0) {
		cd->family = TF_FLOAT;
		cd->precision = 4;
	} else if (strcmp(base, "float8") == 0) {
		cd->family = TF_FLOAT;
		cd->precision = 8;
	} else if (strcmp(base, "bool") == 0)
		cd->family = TF_BOOLEAN;
	else if (strcmp(base, "varchar") == 0 || strcmp(base, "bpchar") == 0) {
		cd->family = TF_TEXT;
		if (typmod >= 4)
			cd->length = typmod - 4;
	} else if (strcmp(base, "text") == 0 || strcmp(base, "citext") == 0 ||
	    strcmp(base, "name") == 0)
		cd->family = TF_TEXT;
	else if (strcmp(base, "bytea") == 0)
		cd->family = TF_BINARY;
	else if (strcmp(base, "date") == 0)
		cd->family = TF_DATE;
	else if (strcmp(base, "time") == 0) {
		cd->family = TF_TIME;
		cd->scale = typmod >= 0 ? typmod : 6;
	} else if (strcmp(base, "timestamp") == 0) {
		cd->family = TF_TIMESTAMP;
		cd->scale = typmod >= 0 ? typmod : 6;
	} else if (strcmp(base, "timestamptz") == 0) {
		cd->family = TF_TIMESTAMPTZ;
		cd->scale = typmod >= 0 ? typmod : 6;
	} else if (strcmp(base, "json") == 0 || strcmp(base, "jsonb") == 0)
		cd->family = TF_JSON;
	else if (strcmp(base, "uuid") == 0)
		cd->family = TF_UUID;
}

static int
pg_describe_columns(struct pg_conn *pc, const char *connname,
    const char *table, const struct pg_table *t, struct table_def *td,
    struct ps_error *err)
{
	struct column_def	*cd;
	PGresult		*res;
	const char		*params[1];
	char			*sql;
	const char		*ident, *dflt;
	int			 i, n;

	xasprintf(&sql, "SELECT a.attname, "
	    "pg_catalog.format_type(a.atttypid, a.atttypmod), bt.typname, "
	    "bt.typtype, CASE WHEN t.typtype = 'd' THEN t.typtypmod "
	    "ELSE a.atttypmod END, "
	    "a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), "
	    "pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity "
	    "FROM pg_catalog.pg_attribute a "
	    "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	    "JOIN pg_catalog.pg_type bt ON bt.oid = "
	    "CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END "
	    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND "
	    "d.adnum = a.attnum "
	    "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND "
	    "NOT a.attisdropped%s ORDER BY a.attnum",
	    pc->version >= 120000 ? " AND a.attgenerated = ''" : "");
	params[0] = t->oid;
	res = pg_query(pc->main, sql, 1, params, connname, table, err);
	free(sql);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	td->cols = xcalloc((size_t)n + 1, sizeof *td->cols);
	for (i = 0; i < n; i++) {
		cd = &td->cols[td->ncols++];
		cd->name = xstrdup(PQgetvalue(res, i, 0));
		cd->type_name = xstrdup(PQgetvalue(res, i, 1));
		pg_type_family(PQgetvalue(res, i, 2), PQgetvalue(res, i, 3)[0],
		    atoi(PQgetvalue(res, i, 4)), cd);
		cd->nullable = PQgetvalue(res, i, 5)[0] != 't';
		cd->default_expr = pg_dup_value(res, i, 6);
		ident = PQgetvalue(res, i, 7);
		dflt = cd->default_expr;
		if (cd->family == TF_INTEGER && (*ident == 'a' ||
		    *ident == 'd' || (dflt != NULL &&
		    strncmp(dflt, "nextval(", 8) == 0)))
			cd->autoincrement = 1;
	}
	PQclear(res);
	return 0;
}

/* The primary key and the unique indexes (full, on columns only). */
static int
pg_describe_indexes(struct pg_conn *pc, const char *connname,
    const char *table, const struct pg_table *t, struct table_def *td,
    struct ps_error *err)
{
	struct index_def	*ix = NULL;
	PGresult		*res;
	const char		*params[1];
	const char		*name, *last = NULL;
	int			 i, n, primary;

	params[0] = t->oid;
	res = pg_query(pc->main, "SELECT ci.relname, i.indisprimary, "
	    "a.attname FROM pg_catalog.pg_index i "
	    "JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid "
	    "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY "
	    "AS k(attnum, ord) "
	    "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND "
	    "a.attnum = k.attnum "
	    "WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid AND "
	    "i.indpred IS NULL AND i.indexprs IS NULL AND "
	    "k.ord <= i.indnkeyatts "
	    "ORDER BY i.indisprimary DESC, ci.relname COLLATE \"C\", k.ord",
	    1, params, connname, table, err);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		name = PQgetvalue(res, i, 0);
		primary = PQgetvalue(res, i, 1)[0] == 't';
		if (primary) {
			td->pk = xreallocarray(td->pk, (size_t)td->npk + 2,
			    sizeof *td->pk);
			td->pk[td->npk++] = xstrdup(PQgetvalue(res, i, 2));
			td->pk[td->npk] = NULL;
			continue;
		}
		if (last == NULL || strcmp(last, name) != 0) {
			td->idx = xreallocarray(td->idx, (size_t)td->nidx + 1,
			    sizeof *td->idx);
			ix = &td->idx[td->nidx++];
			memset(ix, 0, sizeof *ix);
			ix->name = xstrdup(name);
			ix->unique = 1;
			last = name;
		}
		ix->cols = xreallocarray(ix->cols, (size_t)ix->ncols + 2,
		    sizeof *ix->cols);
		ix->cols[ix->ncols++] = xstrdup(PQgetvalue(res, i, 2));
		ix->cols[ix->ncols] = NULL;
	}
	PQclear(res);
	return 0;
}

/* Foreign keys in creation order; the parent named as list_tables does. */
static int
pg_describe_fks(struct pg_conn *pc, const char *connname, const char *table,
    const struct pg_table *t, struct table_def *td, struct ps_error *err)
{
	struct fk_def	*fk = NULL;
	PGresult	*res;
	const char	*params[1];
	const char	*oid, *last = NULL;
	int		 i, n;

	params[0] = t->oid;
	res = pg_query(pc->main, "SELECT con.oid, con.conname, "
	    "CASE WHEN rn.nspname = (pg_catalog.current_schemas(false))[1] "
	    "THEN rc.relname ELSE rn.nspname || '.' || rc.relname END, "
	    "a.attname, ra.attname "
	    "FROM pg_catalog.pg_constraint con "
	    "JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid "
	    "JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace "
	    "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) "
	    "WITH ORDINALITY AS k(att, ratt, ord) "
	    "JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND "
	    "a.attnum = k.att "
	    "JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid "
	    "AND ra.attnum = k.ratt "
	    "WHERE con.conrelid = $1::oid AND con.contype = 'f' "
	    "ORDER BY con.oid, k.ord", 1, params, connname, table, err);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		oid = PQgetvalue(res, i, 0);
		if (last == NULL || strcmp(last, oid) != 0) {
			td->fks = xreallocarray(td->fks, (size_t)td->nfk + 1,
			    sizeof *td->fks);
			fk = &td->fks[td->nfk++];
			memset(fk, 0, sizeof *fk);
			fk->name = xstrdup(PQgetvalue(res, i, 1));
			fk->ref_table = xstrdup(PQgetvalue(res, i, 2));
			last = oid;
		}
		fk->cols = xreallocarray(fk->cols, (size_t)fk->ncols + 2,
		    sizeof *fk->cols);
		fk->ref_cols = xreallocarray(fk->ref_cols,
		    (size_t)fk->ncols + 2, sizeof *fk->ref_cols);
		fk->cols[fk->ncols] = xstrdup(PQgetvalue(res, i, 3));
		fk->ref_cols[fk->ncols] = xstrdup(PQgetvalue(res, i, 4));
		fk->ncols++;
		fk->cols[fk->ncols] = NULL;
		fk->ref_cols[fk->ncols] = NULL;
	}
	PQclear(res);
	return 0;
}

static int
pg_describe(struct db_conn *c, const char *table, struct table_def *td,
    struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	struct pg_table	 t;
	int		 rc;

	memset(td, 0, sizeof *td);
	rc = pg_table_load(pc->main, c->name, table, 0, &t, err);
	if (rc == 0)
		pg_not_found(err, table, c->name);
	if (rc != 1)
		goto fail;
	td->schema = xstrdup(t.schema);
	td->name = xstrdup(t.name);
	if (pg_describe_columns(pc, c->name, table, &t, td, err) != 0 ||
	    pg_describe_indexes(pc, c->name, table, &t, td, err) != 0 ||
	    pg_describe_fks(pc, c->name, table, &t, td, err) != 0)
		goto fail;
	pg_table_free(&t);
	return 0;

fail:
	pg_table_free(&t);
	table_def_free(td);
	return -1;
}

/* ---- values ---- */

static int
pg_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode bytea output (hex "\x0a0b", or the escape format) at S (LEN
 * bytes) into OUT.  Returns -1 when it is neither.
 */
static int
pg_bytea_decode(const char *s, size_t len, struct strbuf *out)
{
	size_t	i;
	int	hi, lo;

	sb_reset(out);
	if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
		if ((len - 2) % 2 != 0)
			return -1;
		sb_grow(out, (len - 2) / 2);
		for (i = 2; i < len; i += 2) {
			if ((hi = pg_hexval(s[i])) < 0 ||
			    (lo = pg_hexval(s[i + 1])) < 0)
				return -1;
			out->buf[out->len++] = (char)(hi << 4 | lo);
		}
		out->buf[out->len] = '\0';
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (s[i] != '\\') {
			sb_addch(out, s[i]);
			continue;
		}
		if (i + 1 < len && s[i + 1] == '\\') {
			sb_addch(out, '\\');
			i++;
		} else if (i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' &&
		    s[i + 3] <= '7') {
			sb_addch(out, (s[i + 1] - '0') << 6 |
			    (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 3;
		} else
			return -1;
	}
	return 0;
}

/*
 * Set cell I of R from S (LEN bytes, PostgreSQL's text output of the
 * column) in the canonical form of the cursor's family.
 */
static int
pg_set_cell(struct db_cursor *cur, struct row *r, int i, const char *s,
    size_t len, struct ps_error *err)
{
	enum type_family	fam = cur->fam[i];

	switch (fam) {
	case TF_TEXT:
	case TF_OTHER:
	case TF_INTEGER:
		row_set(r, i, s, len);
		return 0;
	case TF_BOOLEAN:
		if (len == 1 && (*s == 't' || *s == 'f')) {
			row_set(r, i, *s == 't' ? "true" : "false",
			    *s == 't' ? 4 : 5);
			return 0;
		}
		break;
	case TF_BINARY:
		if (pg_bytea_decode(s, len, &cur->bin) != 0) {
			ps_error_set(err, PS_ERR_VALUE, "connection '%s', "
			    "table '%s', column '%s': unreadable bytea value",
			    cur->connname, cur->table, cur->cols[i]);
			return -1;
		}
		row_set(r, i, cur->bin.buf != NULL ? cur->bin.buf : "",
		    cur->bin.len);
		return 0;
	default:
		break;
	}
	if (row_set_canon(r, i, fam, s, len, err) != 0) {
		ps_error_prefix(err, "connection '%s', table '%s', column '%s'",
		    cur->connname, cur->table, cur->cols[i]);
		return -1;
	}
	return 0;
}

/* Undo COPY text escapes of S (LEN bytes) into OUT. */
static void
pg_copy_unescape(const char *s, size_t len, struct strbuf *out)
{
	const char	*e = s + len;
	int		 v, k, d;

	sb_reset(out);
	sb_grow(out, len);
	while (s < e) {
		if (*s != '\\' || s + 1 == e) {
			out->buf[out->len++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'b':
			v = '\b';
			break;
		case 'f':
			v = '\f';
			break;
		case 'n':
			v = '\n';
			break;
		case 'r':
			v = '\r';
			break;
		case 't':
			v = '\t';
			break;
		case 'v':
			v = '\v';
			break;
		case 'x':
			v = 0;
			for (k = 0; k < 2 && s + 1 < e &&
			    (d = pg_hexval(s[1])) >= 0; k++, s++)
				v = v * 16 + d;
			if (k == 0)
				v = 'x';
			break;
		default:
			if (*s >= '0' && *s <= '7') {
				v = *s - '0';
				for (k = 1; k < 3 && s + 1 < e && s[1] >= '0' &&
				    s[1] <= '7'; k++, s++)
					v = v * 8 + (s[1] - '0');
			} else
				v = (unsigned char)*s;
			break;
		}
		out->buf[out->len++] = (char)v;
		s++;
	}
	out->buf[out->len] = '\0';
}

/* Parse one COPY text row (LINE, LEN bytes with its newline) into R. */
static int
pg_copy_row(struct db_cursor *cur, const char *line, size_t len,
    struct row *r, struct ps_error *err)
{
	const char	*p = line, *e = line + len, *f;
	size_t		 n;
	int		 i;

	if (e > p && e[-1] == '\n')
		e--;
	for (i = 0; i < cur->ncols; i++) {
		f = p;
		while (p < e && *p != '\t')
			p++;
		n = (size_t)(p - f);
		if (i < cur->ncols - 1) {
			if (p == e)
				goto bad;
			p++;
		} else if (p != e)
			goto bad;
		if (n == 2 && f[0] == '\\' && f[1] == 'N') {
			row_set_null(r, i);
			continue;
		}
		if (memchr(f, '\\', n) != NULL) {
			pg_copy_unescape(f, n, &cur->tmp);
			f = cur->tmp.buf;
			n = cur->tmp.len;
		}
		if (pg_set_cell(cur, r, i, f, n, err) != 0)
			return -1;
	}
	return 0;
bad:
	ps_error_set(err, PS_ERR_DB, "connection '%s', table '%s': a COPY "
	    "row does not have %d columns", cur->connname, cur->table,
	    cur->ncols);
	return -1;
}

/*
 * Parameters for cells FROM..FROM+N-1 of R: text, binary values in binary
 * format.  Returns -1 when a text value holds a NUL byte (PostgreSQL text
 * cannot), naming the column.
 */
static int
pg_params(const struct row *r, int from, int n, const enum type_family *fam,
    char *const *cols, const char **vals, int *lens, int *fmts,
    struct ps_error *err)
{
	int	i, k;

	for (k = 0; k < n; k++) {
		i = from + k;
		lens[k] = 0;
		fmts[k] = 0;
		if (row_null(r, i)) {
			vals[k] = NULL;
			continue;
		}
		vals[k] = row_ptr(r, i);
		if (fam[i] == TF_BINARY) {
			fmts[k] = 1;
			lens[k] = (int)row_len(r, i);
		} else if (memchr(vals[k], '\0', row_len(r, i)) != NULL) {
			ps_error_set(err, PS_ERR_VALUE, "column '%s': a NUL "
			    "byte cannot be stored in a PostgreSQL %s value",
			    cols[i], tf_name(fam[i]));
			return -1;
		}
	}
	return 0;
}

/* ---- scans ---- */

/* Stop a COPY still streaming on the cursor's connection and drain it. */
static void
pg_cursor_stop(struct db_cursor *cur)
{
	PGresult	*res;
	char		*buf, errbuf[256];

	if (cur->copying && cur->conn != NULL) {
		if (cur->pc != NULL && cur->pc->reader_cancel != NULL)
			(void)PQcancel(cur->pc->reader_cancel, errbuf,
			    sizeof errbuf);
		while (PQgetCopyData(cur->conn, &buf, 0) > 0)
			PQfreemem(buf);
		while ((res = PQgetResult(cur->conn)) != NULL)
			PQclear(res);
	}
	cur->copying = 0;
	cur->done = 1;
	if (cur->pc != NULL && cur->pc->streaming == cur)
		cur->pc->streaming = NULL;
}

static void
pg_cursor_free(struct db_cursor *cur)
{
	if (cur == NULL)
		return;
	pg_cursor_stop(cur);
	PQclear(cur->res);
	util_strvn_free(cur->cols, cur->ncols);
	free(cur->fam);
	free(cur->table);
	free(cur->connname);
	sb_free(&cur->tmp);
	sb_free(&cur->bin);
	free(cur);
}

/* Append the ORDER BY term of key column NAME (family FAM, type COL). */
static void
pg_add_order(struct strbuf *sb, const char *name, enum type_family fam,
    const struct pg_col *col)
{
	pg_quote_ident(sb, name);
	switch (fam) {
	case TF_INTEGER:
	case TF_DECIMAL:
	case TF_FLOAT:
	case TF_BOOLEAN:
	case TF_TIME:
		/* By value, as key_encode() orders them. */
		return;
	case TF_DATE:
	case TF_TIMESTAMP:
	case TF_TIMESTAMPTZ:
	case TF_UUID:
	case TF_BINARY:
		/* Their natural order is the order of their canonical bytes. */
		return;
	case TF_TEXT:
		if (col != NULL && (strcmp(col->base, "text") == 0 ||
		    strcmp(col->base, "varchar") == 0 ||
		    strcmp(col->base, "bpchar") == 0)) {
			sb_addstr(sb, " COLLATE \"C\"");
			return;
		}
		break;
	default:
		break;
	}
	/* citext, enums, json, anything else: by the bytes of its text. */
	sb_addstr(sb, "::text COLLATE \"C\"");
}

static int
pg_scan(struct db_conn *c, const struct scan_spec *spec,
    struct db_cursor **out, struct ps_error *err)
{
	struct pg_conn		*pc = c->priv;
	struct db_cursor	*cur;
	struct pg_table		 t;
	struct strbuf		 sql = STRBUF_INIT;
	PGconn			*conn;
	PGresult		*res = NULL;
	const char		**vals = NULL;
	int			*lens = NULL, *fmts = NULL;
	int			 i, rc;

	*out = NULL;
	memset(&t, 0, sizeof t);
	if (spec->ncols <= 0 || spec->nkey < 0 || spec->nkey > spec->ncols ||
	    (spec->key_eq != NULL && spec->nkey == 0)) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': scan of %d "
		    "columns with %d key columns", spec->table, spec->ncols,
		    spec->nkey);
		return -1;
	}
	if (spec->key_eq == NULL && pc->streaming != NULL) {
		ps_error_set(err, PS_ERR_INTERNAL, "connection '%s': table "
		    "'%s': another scan is still open", c->name, spec->table);
		return -1;
	}
	/* A lookup while a scan streams on the reader uses the main one. */
	conn = pc->streaming == NULL ? pc->reader : pc->main;

	cur = xcalloc(1, sizeof *cur);
	cur->pc = pc;
	cur->conn = conn;
	cur->table = xstrdup(spec->table);
	cur->connname = xstrdup(c->name);
	cur->ncols = spec->ncols;
	cur->cols = xcalloc((size_t)spec->ncols, sizeof *cur->cols);
	cur->fam = xcalloc((size_t)spec->ncols, sizeof *cur->fam);
	for (i = 0; i < spec->ncols; i++) {
		cur->cols[i] = xstrdup(spec->cols[i]);
		cur->fam[i] = spec->fam[i];
	}

	rc = pg_table_load(conn, c->name, spec->table, spec->key_eq == NULL,
	    &t, err);
	if (rc == 0)
		pg_not_found(err, spec->table, c->name);
	if (rc != 1)
		goto fail;

	if (spec->key_eq != NULL) {
		sb_addstr(&sql, "SELECT ");
		pg_add_collist(&sql, spec->cols, spec->ncols);
		sb_addf(&sql, " FROM %s", t.ref);
		for (i = 0; i < spec->nkey; i++) {
			sb_addstr(&sql, i == 0 ? " WHERE " : " AND ");
			pg_quote_ident(&sql, spec->cols[i]);
			sb_addf(&sql, " = $%d", i + 1);
		}
		vals = xcalloc((size_t)spec->nkey, sizeof *vals);
		lens = xcalloc((size_t)spec->nkey, sizeof *lens);
		fmts = xcalloc((size_t)spec->nkey, sizeof *fmts);
		if (pg_params(spec->key_eq, 0, spec->nkey, spec->fam,
		    spec->cols, vals, lens, fmts, err) != 0) {
			ps_error_prefix(err, "connection '%s', table '%s'",
			    c->name, spec->table);
			goto fail;
		}
		res = PQexecParams(conn, sql.buf, spec->nkey, NULL, vals, lens,
		    fmts, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			pg_set_err(err, conn, res, c->name, spec->table);
			goto fail;
		}
		cur->res = res;
		res = NULL;
		goto done;
	}

	sb_addstr(&sql, "COPY (SELECT ");
	pg_add_collist(&sql, spec->cols, spec->ncols);
	sb_addf(&sql, " FROM %s", t.ref);
	for (i = 0; i < spec->nkey; i++) {
		sb_addstr(&sql, i == 0 ? " ORDER BY " : ", ");
		pg_add_order(&sql, spec->cols[i], spec->fam[i],
		    pg_table_col(&t, spec->cols[i]));
	}
	sb_addstr(&sql, ") TO STDOUT");
	res = PQexec(conn, sql.buf);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		pg_set_err(err, conn, res, c->name, spec->table);
		goto fail;
	}
	PQclear(res);
	res = NULL;
	cur->copying = 1;
	pc->streaming = cur;

done:
	pg_table_free(&t);
	sb_free(&sql);
	free(vals);
	free(lens);
	free(fmts);
	*out = cur;
	return 0;

fail:
	PQclear(res);
	pg_table_free(&t);
	sb_free(&sql);
	free(vals);
	free(lens);
	free(fmts);
	pg_cursor_free(cur);
	return -1;
}

/* The end of a COPY: its final result says whether all went well. */
static int
pg_copy_end(struct db_cursor *cur, struct ps_error *err)
{
	PGresult	*res;
	int		 ret = 0;

	while ((res = PQgetResult(cur->conn)) != NULL) {
		if (ret == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
			pg_set_err(err, cur->conn, res, cur->connname,
			    cur->table);
			ret = -1;
		}
		PQclear(res);
	}
	cur->copying = 0;
	cur->done = 1;
	if (cur->pc != NULL && cur->pc->streaming == cur)
		cur->pc->streaming = NULL;
	return ret;
}

static int
pg_next(struct db_cursor *cur, struct row *r, struct ps_error *err)
{
	char	*buf = NULL;
	int	 len, i, rc;

	row_reset(r);
	if (cur->done)
		return 0;
	if (cur->res != NULL) {
		if (cur->next_row >= PQntuples(cur->res)) {
			cur->done = 1;
			return 0;
		}
		for (i = 0; i < cur->ncols; i++) {
			if (PQgetisnull(cur->res, cur->next_row, i)) {
				row_set_null(r, i);
				continue;
			}
			if (pg_set_cell(cur, r, i, PQgetvalue(cur->res,
			    cur->next_row, i), (size_t)PQgetlength(cur->res,
			    cur->next_row, i), err) != 0)
				return -1;
		}
		cur->next_row++;
		return 1;
	}
	if (cur->conn == NULL) {
		ps_error_set(err, PS_ERR_INTERNAL, "connection '%s' closed "
		    "while table '%s' was being read", cur->connname,
		    cur->table);
		return -1;
	}
	len = PQgetCopyData(cur->conn, &buf, 0);
	if (len > 0) {
		rc = pg_copy_row(cur, buf, (size_t)len, r, err);
		PQfreemem(buf);
		return rc == 0 ? 1 : -1;
	}
	if (len == -1)
		return pg_copy_end(cur, err) == 0 ? 0 : -1;
	pg_set_err(err, cur->conn, NULL, cur->connname, cur->table);
	(void)pg_copy_end(cur, NULL);
	return -1;
}

/* About how many rows TABLE holds, from the planner's statistics. */
static int64_t
pg_estimate(struct db_conn *c, const char *table)
{
	struct pg_conn	*pc = c->priv;
	struct pg_table	 t;
	PGresult	*res;
	const char	*params[1];
	int64_t		 n = -1;
	double		 tuples;

	if (pg_table_load(pc->main, c->name, table, 0, &t, NULL) != 1)
		goto out;
	params[0] = t.oid;
	res = pg_query(pc->main, "SELECT reltuples, relpages "
	    "FROM pg_catalog.pg_class WHERE oid = $1::oid", 1, params,
	    c->name, table, NULL);
	if (res != NULL && PQntuples(res) == 1) {
		tuples = strtod(PQgetvalue(res, 0, 0), NULL);
		/* Never analyzed: -1 (PostgreSQL 14) or 0 with no pages. */
		if (tuples > 0 || (tuples == 0 &&
		    atoi(PQgetvalue(res, 0, 1)) > 0))
			n = (int64_t)(tuples + 0.5);
	}
	PQclear(res);
out:
	pg_table_free(&t);
	return n;
}

/* ---- transactions ---- */

/* The transaction ended: stage tables it created are gone unless COMMITTED. */
static void
pg_txn_end(struct pg_conn *pc, int committed)
{
	struct pg_shape	*s;

	for (s = pc->shapes; s != NULL; s = s->next) {
		if (s->in_txn && !committed)
			s->created = 0;
		s->in_txn = 0;
	}
}

static int
pg_exec(struct db_conn *c, const char *sql, struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	int		 rc;

	rc = pg_exec_on(pc->main, sql, c->name, NULL, err);
	/* DDL may change the tables shapes were made from. */
	pg_shapes_clear(pc);
	return rc;
}

static int
pg_begin(struct db_conn *c, struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;

	return pg_exec_on(pc->main, "BEGIN", c->name, NULL, err);
}

static int
pg_commit(struct db_conn *c, struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	PGresult	*res;
	int		 ret = -1;

	res = PQexec(pc->main, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		pg_set_err(err, pc->main, res, c->name, NULL);
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
		/* COMMIT of a failed transaction answers ROLLBACK. */
		ps_error_set(err, PS_ERR_DB, "connection '%s': the transaction "
		    "failed and was rolled back", c->name);
	else
		ret = 0;
	PQclear(res);
	pg_txn_end(pc, ret == 0);
	return ret;
}

static int
pg_rollback(struct db_conn *c, struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	int		 rc = 0;

	if (PQtransactionStatus(pc->main) != PQTRANS_IDLE)
		rc = pg_exec_on(pc->main, "ROLLBACK", c->name, NULL, err);
	pg_txn_end(pc, 0);
	return rc;
}

/* ---- writes ---- */

/* " WHERE t."k1" = s."c0" AND ..." for the first NKEY columns. */
static void
pg_add_join(struct strbuf *sb, const struct change_batch *b)
{
	int	i;

	for (i = 0; i < b->nkey; i++) {
		sb_addstr(sb, " AND t.");
		pg_quote_ident(sb, b->cols[i]);
		sb_addf(sb, " = s.\"c%d\"", i);
	}
}

/*
 * The shape of batch B: found in the connection's list, or made from the
 * table's catalogue.  NULL with ERR set when the table or a column is
 * missing.
 */
static struct pg_shape *
pg_shape_get(struct db_conn *c, const struct change_batch *b,
    struct ps_error *err)
{
	struct pg_conn		*pc = c->priv;
	struct pg_shape		*s;
	struct pg_table		 t;
	struct strbuf		 key = STRBUF_INIT, sb = STRBUF_INIT;
	const struct pg_col	*col;
	int			 i, rc;

	sb_addstr(&key, b->table);
	sb_addch(&key, '\0');
	for (i = 0; i < b->ncols; i++) {
		sb_addstr(&key, b->cols[i]);
		sb_addch(&key, '\0');
	}
	for (s = pc->shapes; s != NULL; s = s->next)
		if (s->keylen == key.len && memcmp(s->key, key.buf,
		    key.len) == 0) {
			sb_free(&key);
			return s;
		}

	rc = pg_table_load(pc->main, c->name, b->table, 1, &t, err);
	if (rc == 0)
		ps_error_set(err, PS_ERR_DB, "table '%s' does not exist on "
		    "connection '%s'", b->table, c->name);
	if (rc != 1) {
		pg_table_free(&t);
		sb_free(&key);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->keylen = key.len;
	s->key = sb_detach(&key);
	s->ncols = b->ncols;
	s->ref = xstrdup(t.ref);
	s->types = xcalloc((size_t)b->ncols, sizeof *s->types);
	s->bin = xcalloc((size_t)b->ncols, sizeof *s->bin);
	s->binary = 1;
	for (i = 0; i < b->ncols; i++) {
		if ((col = pg_table_col(&t, b->cols[i])) == NULL) {
			ps_error_set(err, PS_ERR_DB, "connection '%s': table "
			    "'%s' has no column '%s'", c->name, b->table,
			    b->cols[i]);
			pg_table_free(&t);
			pg_shape_free(s);
			return NULL;
		}
		s->types[i] = xstrdup(col->type);
		if (col->identity == 'a')
			s->always = 1;
		if ((s->bin[i] = pg_bin_kind(col->base, b->fam[i])) ==
		    PGB_NONE)
			s->binary = 0;
	}
	pg_table_free(&t);
	s->stageno = ++pc->nstage;
	xasprintf(&s->stage, "pg_temp.\"projsync_stage_%u\"", s->stageno);

	xasprintf(&s->sql_copy, "COPY %s FROM STDIN", s->stage);
	sb_addf(&sb, "COPY %s (", s->ref);
	pg_add_collist(&sb, b->cols, b->ncols);
	sb_addstr(&sb, ") FROM STDIN");
	s->sql_copy_direct = sb_detach(&sb);
	xasprintf(&s->sql_copy_txn, "BEGIN; %s; COMMIT", s->sql_copy_direct);
	/* See PG_BIN_WHERE. */
	if (pc->version < 120000)
		s->binary = 0;
	xasprintf(&s->sql_copy_bin, "%s (FORMAT binary) %s", s->sql_copy,
	    PG_BIN_WHERE);
	xasprintf(&s->sql_copy_direct_bin, "%s (FORMAT binary) %s",
	    s->sql_copy_direct, PG_BIN_WHERE);
	xasprintf(&s->sql_copy_txn_bin, "BEGIN; %s; COMMIT",
	    s->sql_copy_direct_bin);
	sb_addf(&sb, "DELETE FROM %s AS t USING %s AS s WHERE s.\"_op\" = 'D'",
	    s->ref, s->stage);
	pg_add_join(&sb, b);
	s->sql_del = sb_detach(&sb);
	/* The keys of the updated rows; with no other column, those found. */
	if (b->nkey < b->ncols) {
		sb_addf(&sb, "UPDATE %s AS t SET ", s->ref);
		for (i = b->nkey; i < b->ncols; i++) {
			if (i > b->nkey)
				sb_addstr(&sb, ", ");
			pg_quote_ident(&sb, b->cols[i]);
			sb_addf(&sb, " = s.\"c%d\"", i);
		}
		sb_addf(&sb, " FROM %s AS s WHERE s.\"_op\" = 'U'", s->stage);
		pg_add_join(&sb, b);
		sb_addstr(&sb, " RETURNING ");
	} else
		sb_addstr(&sb, "SELECT ");
	for (i = 0; i < b->nkey; i++)
		sb_addf(&sb, "%ss.\"c%d\"", i > 0 ? ", " : "", i);
	if (b->nkey == b->ncols) {
		sb_addf(&sb, " FROM %s AS s JOIN %s AS t ON s.\"_op\" = 'U'",
		    s->stage, s->ref);
		pg_add_join(&sb, b);
	}
	s->sql_upd = sb_detach(&sb);
	sb_addf(&sb, "INSERT INTO %s (", s->ref);
	pg_add_collist(&sb, b->cols, b->ncols);
	sb_addstr(&sb, ")");
	if (s->always)
		sb_addstr(&sb, " OVERRIDING SYSTEM VALUE");
	sb_addstr(&sb, " SELECT ");
	for (i = 0; i < b->ncols; i++)
		sb_addf(&sb, "%ss.\"c%d\"", i > 0 ? ", " : "", i);
	sb_addf(&sb, " FROM %s AS s WHERE ", s->stage);
	s->sql_ins = sb_detach(&sb);
	sb_addstr(&sb, "(s.\"_op\" = 'U' AND NOT EXISTS (SELECT 1 FROM u "
	    "WHERE true");
	for (i = 0; i < b->nkey; i++)
		sb_addf(&sb, " AND u.\"c%d\" = s.\"c%d\"", i, i);
	sb_addstr(&sb, "))");
	s->sql_missing = sb_detach(&sb);

	s->next = pc->shapes;
	pc->shapes = s;
	return s;
}

/* Create the stage table of S (in the open transaction). */
static int
pg_stage_create(struct db_conn *c, struct pg_shape *s,
    const struct change_batch *b, struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	struct strbuf	 sb = STRBUF_INIT;
	int		 i, rc;

	sb_addf(&sb, "CREATE TEMP TABLE \"projsync_stage_%u\" "
	    "(\"_op\" \"char\"", s->stageno);
	for (i = 0; i < b->ncols; i++)
		sb_addf(&sb, ", \"c%d\" %s", i, s->types[i]);
	sb_addstr(&sb, ") ON COMMIT DELETE ROWS");
	rc = pg_exec_on(pc->main, sb.buf, c->name, b->table, err);
	sb_free(&sb);
	if (rc == 0) {
		s->created = 1;
		s->in_txn = 1;
	}
	return rc;
}

/* Bytes COPY text escapes: backslash, tab, newline, carriage return. */
static const unsigned char pg_copy_special[256] = {
	['\\'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/*
 * Write LEN bytes at P at O as a COPY text field of family FAM: room for
 * pg_copy_room(LEN) bytes must be there.  Returns the end of what it wrote.
 */
static char *
pg_copy_put(char *o, const char *p, size_t len, enum type_family fam)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 i;

	if (fam == TF_BINARY) {
		memcpy(o, "\\\\x", 3);
		o += 3;
		for (i = 0; i < len; i++) {
			*o++ = hex[u[i] >> 4];
			*o++ = hex[u[i] & 15];
		}
		return (o);
	}
	for (i = 0; i < len; i++) {
		if (!pg_copy_special[u[i]]) {
			*o++ = (char)u[i];
			continue;
		}
		*o++ = '\\';
		*o++ = u[i] == '\\' ? '\\' : u[i] == '\t' ? 't' :
		    u[i] == '\n' ? 'n' : 'r';
	}
	return (o);
}

/* The most pg_copy_put() writes for LEN bytes. */
static size_t
pg_copy_room(size_t len)
{
	return (3 + 2 * len);
}

/* ---- binary COPY ---- */

/*
 * Batches go to the server in COPY's binary format when every column has a
 * type listed here and the batch's values all encode: the server then
 * skips parsing numbers, dates and times from text, the larger part of its
 * work on a plain insert.  Anything else (another type, a value this does
 * not encode exactly: NaN, infinities, BC or year 0 dates, more than six
 * fraction digits, an integer out of the column's range) sends the batch
 * as text, where the server parses (or refuses) it as it always has.
 */

/* A batch whose values pass this many bytes goes as streamed text. */
#define PG_BIN_MAX	(4 * 1024 * 1024)

/* Days from 2000-01-01 (PostgreSQL's epoch) to 1970-01-01. */
#define PG_EPOCH_DAYS	10957

/* How column type BASE (pg_type.typname) holding family FAM goes. */
static enum pg_bin
pg_bin_kind(const char *base, enum type_family fam)
{
	static const struct {
		const char		*base;
		enum type_family	 fam;
		enum pg_bin		 kind;
	} kinds[] = {
		{ "int2", TF_INTEGER, PGB_INT2 },
		{ "int4", TF_INTEGER, PGB_INT4 },
		{ "int8", TF_INTEGER, PGB_INT8 },
		{ "numeric", TF_DECIMAL, PGB_NUMERIC },
		{ "float8", TF_FLOAT, PGB_FLOAT8 },
		{ "bool", TF_BOOLEAN, PGB_BOOL },
		{ "text", TF_TEXT, PGB_TEXT },
		{ "varchar", TF_TEXT, PGB_TEXT },
		{ "bpchar", TF_TEXT, PGB_TEXT },
		{ "json", TF_JSON, PGB_TEXT },
		{ "jsonb", TF_JSON, PGB_JSONB },
		{ "bytea", TF_BINARY, PGB_BYTEA },
		{ "uuid", TF_UUID, PGB_UUID },
		{ "date", TF_DATE, PGB_DATE },
		{ "time", TF_TIME, PGB_TIME },
		{ "timestamp", TF_TIMESTAMP, PGB_TIMESTAMP },
		{ "timestamptz", TF_TIMESTAMPTZ, PGB_TIMESTAMPTZ },
	};
	size_t	i;

	for (i = 0; i < nitems(kinds); i++)
		if (kinds[i].fam == fam && strcmp(kinds[i].base, base) == 0)
			return kinds[i].kind;
	return PGB_NONE;
}

/* Big-endian integers and bytes at *O, which the caller made room for. */
static void
pg_w16(char **o, uint16_t v)
{
	(*o)[0] = (char)(v >> 8);
	(*o)[1] = (char)v;
	*o += 2;
}

static void
pg_w32(char **o, uint32_t v)
{
	(*o)[0] = (char)(v >> 24);
	(*o)[1] = (char)(v >> 16);
	(*o)[2] = (char)(v >> 8);
	(*o)[3] = (char)v;
	*o += 4;
}

static void
pg_w64(char **o, uint64_t v)
{
	pg_w32(o, (uint32_t)(v >> 32));
	pg_w32(o, (uint32_t)v);
}

static void
pg_wbytes(char **o, const void *p, size_t n)
{
	memcpy(*o, p, n);
	*o += n;
}

/* N decimal digits at *P (advanced) into *V; -1 unless all are digits. */
static int
pg_bin_digits(const char **p, const char *e, int n, int *v)
{
	int	x = 0;

	if (e - *p < n)
		return -1;
	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return -1;
		x = x * 10 + (*(*p)++ - '0');
	}
	*v = x;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 1). */
static int64_t
pg_bin_civil_days(int y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD" at *P into days since 2000-01-01. */
static int
pg_bin_date(const char **p, const char *e, int64_t *days)
{
	static const int	mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			y, m, d;

	if (pg_bin_digits(p, e, 4, &y) != 0 || *p == e || *(*p)++ != '-' ||
	    pg_bin_digits(p, e, 2, &m) != 0 || *p == e || *(*p)++ != '-' ||
	    pg_bin_digits(p, e, 2, &d) != 0)
		return -1;
	/* Year 0 is 1 BC to PostgreSQL: left to its text input. */
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0))))
		return -1;
	*days = pg_bin_civil_days(y, m, d) - PG_EPOCH_DAYS;
	return 0;
}

/* "HH:MM:SS[.f{1,6}]" at *P into microseconds (at most 24:00:00). */
static int
pg_bin_time(const char **p, const char *e, int64_t *us)
{
	int	h, m, s, f = 0, n = 0;

	if (pg_bin_digits(p, e, 2, &h) != 0 || *p == e || *(*p)++ != ':' ||
	    pg_bin_digits(p, e, 2, &m) != 0 || *p == e || *(*p)++ != ':' ||
	    pg_bin_digits(p, e, 2, &s) != 0)
		return -1;
	if (*p < e && **p == '.') {
		(*p)++;
		while (*p < e && **p >= '0' && **p <= '9') {
			if (++n > 6)
				return -1;
			f = f * 10 + (*(*p)++ - '0');
		}
		if (n == 0)
			return -1;
		while (n++ < 6)
			f *= 10;
	}
	if (m > 59 || s > 59 || h > 24 || (h == 24 && (m | s | f) != 0))
		return -1;
	*us = ((int64_t)h * 3600 + m * 60 + s) * 1000000 + f;
	return 0;
}

/* A canonical integer within [LO, HI]. */
static int
pg_bin_int(const char *p, size_t len, int64_t lo, int64_t hi, int64_t *v)
{
	const char	*e = p + len;
	uint64_t	 mag = 0;
	int		 neg = 0;

	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == e || e - p > 19)
		return -1;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		mag = mag * 10 + (uint64_t)(*p - '0');
	}
	if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return *v < lo || *v > hi ? -1 : 0;
}

/*
 * A canonical decimal as PostgreSQL's binary numeric: digits in base
 * 10000, the weight of the first, the sign, the display scale.
 */
static int
pg_bin_numeric(char **o, const char *p, size_t len)
{
	const char	*e = p + len, *dot, *ip, *fp;
	size_t		 ni, nf, k, ng, first, last;
	uint16_t	 g[1024];
	int		 neg = 0, i, weight, v;

	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == e)
		return -1;
	dot = memchr(p, '.', (size_t)(e - p));
	ip = p;
	ni = (size_t)((dot != NULL ? dot : e) - p);
	fp = dot != NULL ? dot + 1 : e;
	nf = (size_t)(e - fp);
	if (ni == 0 || (dot != NULL && nf == 0) || nf > 1000)
		return -1;
	for (k = 0; k < ni; k++)
		if (ip[k] < '0' || ip[k] > '9')
			return -1;
	for (k = 0; k < nf; k++)
		if (fp[k] < '0' || fp[k] > '9')
			return -1;
	if (ni == 1 && ip[0] == '0')
		ni = 0;
	/* Groups of four: the integer part from the point leftwards. */
	ng = (ni + 3) / 4 + (nf + 3) / 4;
	if (ng > nitems(g))
		return -1;
	weight = (int)((ni + 3) / 4) - 1;
	k = 0;
	for (i = 0; i < (int)((ni + 3) / 4); i++) {
		v = 0;
		/* Digit positions 4i .. 4i+3 of the left-padded part. */
		for (int d = 0; d < 4; d++) {
			ptrdiff_t pos = (ptrdiff_t)(i * 4 + d) -
			    (ptrdiff_t)((4 - ni % 4) % 4);
			v = v * 10 + (pos >= 0 ? ip[pos] - '0' : 0);
		}
		g[k++] = (uint16_t)v;
	}
	for (i = 0; i < (int)((nf + 3) / 4); i++) {
		v = 0;
		for (int d = 0; d < 4; d++) {
			size_t pos = (size_t)(i * 4 + d);
			v = v * 10 + (pos < nf ? fp[pos] - '0' : 0);
		}
		g[k++] = (uint16_t)v;
	}
	first = 0;
	while (first < ng && g[first] == 0) {
		first++;
		weight--;
	}
	last = ng;
	while (last > first && g[last - 1] == 0)
		last--;
	if (first == last) {
		weight = 0;
		neg = 0;
	}
	if (weight < INT16_MIN || weight > INT16_MAX)
		return -1;
	pg_w32(o, (uint32_t)(8 + 2 * (last - first)));
	pg_w16(o, (uint16_t)(last - first));
	pg_w16(o, (uint16_t)(int16_t)weight);
	pg_w16(o, neg ? 0x4000 : 0x0000);
	pg_w16(o, (uint16_t)nf);
	for (k = first; k < last; k++)
		pg_w16(o, g[k]);
	return 0;
}

static int
pg_bin_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * One field at *O: its length, then its bytes (at most pg_bin_room(LEN)).
 * -1 when the value cannot go as KIND.
 */
static int
pg_bin_field(char **o, enum pg_bin kind, const char *p, size_t len)
{
	const char	*e = p + len;
	int64_t		 v, days, us;
	double		 d;
	uint64_t	 bits;
	unsigned char	 u[16];
	int		 i, hi, lo;

	switch (kind) {
	case PGB_CHAR:
		if (len != 1)
			return -1;
		pg_w32(o, 1);
		pg_wbytes(o, p, 1);
		return 0;
	case PGB_INT2:
		if (pg_bin_int(p, len, INT16_MIN, INT16_MAX, &v) != 0)
			return -1;
		pg_w32(o, 2);
		pg_w16(o, (uint16_t)(int16_t)v);
		return 0;
	case PGB_INT4:
		if (pg_bin_int(p, len, INT32_MIN, INT32_MAX, &v) != 0)
			return -1;
		pg_w32(o, 4);
		pg_w32(o, (uint32_t)(int32_t)v);
		return 0;
	case PGB_INT8:
		if (pg_bin_int(p, len, INT64_MIN, INT64_MAX, &v) != 0)
			return -1;
		pg_w32(o, 8);
		pg_w64(o, (uint64_t)v);
		return 0;
	case PGB_NUMERIC:
		return pg_bin_numeric(o, p, len);
	case PGB_FLOAT8:
		/* Finite values only: infinities and NaN go as text. */
		if (value_parse_float(p, len, &d) != 0 || !isfinite(d))
			return -1;
		memcpy(&bits, &d, sizeof bits);
		pg_w32(o, 8);
		pg_w64(o, bits);
		return 0;
	case PGB_BOOL:
		if (len == 4 && memcmp(p, "true", 4) == 0)
			u[0] = 1;
		else if (len == 5 && memcmp(p, "false", 5) == 0)
			u[0] = 0;
		else
			return -1;
		pg_w32(o, 1);
		pg_wbytes(o, u, 1);
		return 0;
	case PGB_TEXT:
	case PGB_BYTEA:
		if (len > INT32_MAX)
			return -1;
		pg_w32(o, (uint32_t)len);
		pg_wbytes(o, p, len);
		return 0;
	case PGB_JSONB:
		if (len >= INT32_MAX)
			return -1;
		pg_w32(o, (uint32_t)len + 1);
		*(*o)++ = 1;	/* jsonb's format version */
		pg_wbytes(o, p, len);
		return 0;
	case PGB_UUID:
		if (len != 36)
			return -1;
		for (i = 0; i < 16; i++) {
			while (p < e && *p == '-')
				p++;
			if (e - p < 2 || (hi = pg_bin_hexval(p[0])) < 0 ||
			    (lo = pg_bin_hexval(p[1])) < 0)
				return -1;
			u[i] = (unsigned char)(hi << 4 | lo);
			p += 2;
		}
		if (p != e)
			return -1;
		pg_w32(o, 16);
		pg_wbytes(o, u, 16);
		return 0;
	case PGB_DATE:
		if (pg_bin_date(&p, e, &days) != 0 || p != e)
			return -1;
		pg_w32(o, 4);
		pg_w32(o, (uint32_t)(int32_t)days);
		return 0;
	case PGB_TIME:
		if (pg_bin_time(&p, e, &us) != 0 || p != e)
			return -1;
		pg_w32(o, 8);
		pg_w64(o, (uint64_t)us);
		return 0;
	case PGB_TIMESTAMP:
	case PGB_TIMESTAMPTZ:
		if (pg_bin_date(&p, e, &days) != 0 || p == e || *p++ != ' ' ||
		    pg_bin_time(&p, e, &us) != 0 || us >= 86400000000LL)
			return -1;
		if (kind == PGB_TIMESTAMPTZ) {
			if (e - p != 3 || memcmp(p, "+00", 3) != 0)
				return -1;
			p += 3;
		}
		if (p != e)
			return -1;
		pg_w32(o, 8);
		pg_w64(o, (uint64_t)(days * 86400000000LL + us));
		return 0;
	case PGB_NONE:
		break;
	}
	return -1;
}

/* The most pg_bin_field() writes for a value of LEN bytes. */
static size_t
pg_bin_room(size_t len)
{
	/* The length, and a numeric's 8-byte head and 2 bytes per 4 digits
	 * (with one partial group on each side of the point). */
	return 4 + 16 + len;
}

/*
 * Whether batch B goes as binary COPY data (DIRECT: the table's columns;
 * else the stage's, the operation first), then in OUT: the shape allows
 * it, its values are not too many bytes, and each encodes.
 */
static int
pg_bin_batch(const struct pg_shape *s, const struct change_batch *b,
    int direct, struct strbuf *out)
{
	static const char	 sig[11] = "PGCOPY\n\377\r\n";
	const struct change	*ch;
	size_t			 k, need, bytes = 0;
	char			*o, op;
	int			 i;

	if (!s->binary)
		return 0;
	sb_reset(out);
	sb_grow(out, sizeof sig + 8 + 2);
	o = out->buf;
	pg_wbytes(&o, sig, sizeof sig);
	pg_w32(&o, 0);		/* flags */
	pg_w32(&o, 0);		/* header extension */
	for (k = 0; k < b->n; k++) {
		ch = &b->ch[k];
		need = 2 + 5 + 2;
		for (i = 0; i < b->ncols; i++)
			if (!row_null(&ch->row, i)) {
				bytes += row_len(&ch->row, i);
				need += pg_bin_room(row_len(&ch->row, i));
			} else
				need += 4;
		if (bytes > PG_BIN_MAX)
			return 0;
		out->len = (size_t)(o - out->buf);
		sb_grow(out, need);
		o = out->buf + out->len;
		pg_w16(&o, (uint16_t)(b->ncols + (direct ? 0 : 1)));
		if (!direct) {
			op = ch->op == CH_INSERT ? 'I' : ch->op == CH_UPDATE ?
			    'U' : 'D';
			(void)pg_bin_field(&o, PGB_CHAR, &op, 1);
		}
		for (i = 0; i < b->ncols; i++) {
			if (row_null(&ch->row, i) ||
			    (ch->op == CH_DELETE && i >= b->nkey))
				pg_w32(&o, UINT32_MAX);
			else if (pg_bin_field(&o, s->bin[i],
			    row_ptr(&ch->row, i), row_len(&ch->row, i)) != 0)
				return 0;
		}
	}
	pg_w16(&o, UINT16_MAX);	/* the trailer: -1 */
	out->len = (size_t)(o - out->buf);
	return 1;
}

/* Send OUT (a whole COPY's data) in chunks: 1, or 0 when sending failed. */
static int
pg_bin_send(PGconn *conn, const struct strbuf *out)
{
	size_t	off, n;

	for (off = 0; off < out->len; off += n) {
		n = out->len - off;
		if (n > PG_COPY_CHUNK)
			n = PG_COPY_CHUNK;
		if (PQputCopyData(conn, out->buf + off, (int)n) != 1)
			return 0;
	}
	return 1;
}

/*
 * Send the rows of B with COPY: into the stage table of S with each row's
 * operation first, or (DIRECT) straight into the target table.
 */
static int
pg_stage_fill(struct db_conn *c, struct pg_shape *s,
    const struct change_batch *b, int direct, struct ps_error *err)
{
	struct pg_conn		*pc = c->priv;
	PGresult		*res;
	struct strbuf		 bin = STRBUF_INIT;
	int			 binary, ok, done = 0, bad = 0, ret = -1;

	binary = pg_bin_batch(s, b, direct, &bin);
	res = PQexec(pc->main, binary ? (direct ? s->sql_copy_direct_bin :
	    s->sql_copy_bin) : (direct ? s->sql_copy_direct : s->sql_copy));
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_set_err(err, pc->main, res, c->name, b->table);
		PQclear(res);
		sb_free(&bin);
		return -1;
	}
	PQclear(res);
	ok = binary ? pg_bin_send(pc->main, &bin) :
	    pg_copy_rows(pc, b, direct);
	sb_free(&bin);
	if (PQputCopyEnd(pc->main, ok ? NULL : "projsync: sending failed")
	    != 1)
		ok = 0;
	while ((res = PQgetResult(pc->main)) != NULL) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			done = 1;
		else if (!bad) {
			pg_set_err(err, pc->main, res, c->name, b->table);
			bad = 1;
		}
		PQclear(res);
	}
	if (!bad && (!ok || !done)) {
		pg_set_err(err, pc->main, NULL, c->name, b->table);
		bad = 1;
	}
	if (!bad)
		ret = 0;
	return ret;
}

/*
 * Send B's rows as COPY text (DIRECT: the table's columns; else the
 * stage's, with the operation first).  1, or 0 when sending failed.
 */
static int
pg_copy_rows(struct pg_conn *pc, const struct change_batch *b, int direct)
{
	const struct change	*ch;
	struct strbuf		 sb = STRBUF_INIT;
	size_t			 k, need;
	char			*o;
	int			 i, ok = 1;

	for (k = 0; k < b->n && ok; k++) {
		ch = &b->ch[k];
		/* Room for the row, then write it in place. */
		need = 2 + (size_t)b->ncols * 3;
		for (i = 0; i < b->ncols; i++)
			if (!row_null(&ch->row, i))
				need += pg_copy_room(row_len(&ch->row, i));
		sb_grow(&sb, need);
		o = sb.buf + sb.len;
		if (!direct)
			*o++ = ch->op == CH_INSERT ? 'I' :
			    ch->op == CH_UPDATE ? 'U' : 'D';
		for (i = 0; i < b->ncols; i++) {
			if (!direct || i > 0)
				*o++ = '\t';
			if (row_null(&ch->row, i) ||
			    (ch->op == CH_DELETE && i >= b->nkey)) {
				memcpy(o, "\\N", 2);
				o += 2;
			} else
				o = pg_copy_put(o, row_ptr(&ch->row, i),
				    row_len(&ch->row, i), b->fam[i]);
		}
		*o++ = '\n';
		sb.len = (size_t)(o - sb.buf);
		sb.buf[sb.len] = '\0';
		if (sb.len >= PG_COPY_CHUNK || k + 1 == b->n) {
			ok = PQputCopyData(pc->main, sb.buf, (int)sb.len) == 1;
			sb_reset(&sb);
		}
	}
	sb_free(&sb);
	return ok;
}

/* Apply B (two changes or more) with set-based statements. */
static int
pg_apply_set(struct db_conn *c, const struct change_batch *b,
    struct ps_error *err)
{
	struct pg_conn		*pc = c->priv;
	struct pg_shape		*s;
	struct strbuf		 sql = STRBUF_INIT;
	size_t			 k, nd = 0, nu = 0, ni = 0;
	int			 own, ret = -1;

	own = PQtransactionStatus(pc->main) == PQTRANS_IDLE;
	if (own && pg_exec_on(pc->main, "BEGIN", c->name, NULL, err) != 0)
		return -1;
	if ((s = pg_shape_get(c, b, err)) == NULL)
		goto out;
	for (k = 0; k < b->n; k++) {
		if (b->ch[k].op == CH_DELETE)
			nd++;
		else if (b->ch[k].op == CH_UPDATE)
			nu++;
		else
			ni++;
	}
	/*
	 * Only inserts (an initial copy): COPY straight into the table, as
	 * fast as the server loads.  COPY checks foreign keys at its end, as
	 * one statement does.
	 */
	if (ni == b->n && !s->always) {
		if (pg_stage_fill(c, s, b, 1, err) != 0)
			goto fail;
		ret = 0;
		goto out;
	}
	if (!s->created && pg_stage_create(c, s, b, err) != 0)
		goto out;
	if (pg_stage_fill(c, s, b, 0, err) != 0)
		goto fail;
	/*
	 * One statement, so foreign keys are checked once all rows are in,
	 * whatever their order in the batch.  The deletes run first (they
	 * free unique values), then the updates (their keys come back), then
	 * the inserts, with the updates that found no row: the one-time
	 * filters on the CTEs' counts make them run before the insert.
	 */
	if (ni == 0 && nu == 0)
		sb_addf(&sql, "%s;\n", s->sql_del);
	else {
		if (nd > 0 || nu > 0)
			sb_addstr(&sql, "WITH ");
		if (nd > 0)
			sb_addf(&sql, "d AS (%s RETURNING 1)%s", s->sql_del,
			    nu > 0 ? ", " : " ");
		if (nu > 0)
			sb_addf(&sql, "u AS (%s) ", s->sql_upd);
		sb_addstr(&sql, s->sql_ins);
		if (nd > 0)
			sb_addstr(&sql, "(SELECT count(*) FROM d) >= 0 AND ");
		if (nu > 0)
			sb_addf(&sql, "(SELECT count(*) FROM u) >= 0 AND "
			    "(s.\"_op\" = 'I' OR %s)", s->sql_missing);
		else
			sb_addstr(&sql, "s.\"_op\" = 'I'");
		sb_addstr(&sql, ";\n");
	}
	/* The next batch of this transaction starts from an empty stage. */
	sb_addf(&sql, "TRUNCATE %s", s->stage);
	if (pg_exec_on(pc->main, sql.buf, c->name, b->table, err) != 0)
		goto fail;
	ret = 0;
	goto out;

fail:
	/* A catalogue error may mean the table changed: start afresh. */
	if (err != NULL && strncmp(err->sqlstate, "42", 2) == 0)
		pg_shape_drop(pc, s);
out:
	if (own) {
		if (ret == 0 && pg_exec_on(pc->main, "COMMIT", c->name, NULL,
		    err) != 0)
			ret = -1;
		if (ret != 0 && PQtransactionStatus(pc->main) != PQTRANS_IDLE)
			(void)pg_exec_on(pc->main, "ROLLBACK", c->name, NULL,
			    NULL);
		pg_txn_end(pc, ret == 0);
	}
	sb_free(&sql);
	return ret;
}

/* Apply the single change CH of B with plain statements. */
static int
pg_apply_one(struct db_conn *c, const struct change_batch *b,
    const struct change *ch, struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	struct pg_shape	*s;
	struct strbuf	 sql = STRBUF_INIT;
	PGresult	*res = NULL;
	const char	**vals;
	int		*lens, *fmts;
	int		 i, n, ret = -1;

	vals = xcalloc((size_t)b->ncols, sizeof *vals);
	lens = xcalloc((size_t)b->ncols, sizeof *lens);
	fmts = xcalloc((size_t)b->ncols, sizeof *fmts);
	n = ch->op == CH_DELETE ? b->nkey : b->ncols;
	if (pg_params(&ch->row, 0, n, b->fam, b->cols, vals, lens, fmts,
	    err) != 0) {
		ps_error_prefix(err, "connection '%s': table '%s'", c->name,
		    b->table);
		goto out;
	}
	if ((s = pg_shape_get(c, b, err)) == NULL)
		goto out;

	if (ch->op == CH_DELETE) {
		sb_addf(&sql, "DELETE FROM %s WHERE ", s->ref);
		for (i = 0; i < b->nkey; i++) {
			if (i > 0)
				sb_addstr(&sql, " AND ");
			pg_quote_ident(&sql, b->cols[i]);
			sb_addf(&sql, " = $%d", i + 1);
		}
	} else if (ch->op == CH_UPDATE && b->nkey < b->ncols) {
		sb_addf(&sql, "UPDATE %s SET ", s->ref);
		for (i = b->nkey; i < b->ncols; i++) {
			if (i > b->nkey)
				sb_addstr(&sql, ", ");
			pg_quote_ident(&sql, b->cols[i]);
			sb_addf(&sql, " = $%d", i + 1);
		}
		for (i = 0; i < b->nkey; i++) {
			sb_addstr(&sql, i == 0 ? " WHERE " : " AND ");
			pg_quote_ident(&sql, b->cols[i]);
			sb_addf(&sql, " = $%d", i + 1);
		}
	}
	if (sql.len > 0) {
		res = PQexecParams(pc->main, sql.buf, n, NULL, vals, lens,
		    fmts, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			goto fail;
		if (ch->op == CH_DELETE || strcmp(PQcmdTuples(res), "0") != 0) {
			ret = 0;
			goto out;
		}
		PQclear(res);
		res = NULL;
	}

	/* An insert, or an update that found no row. */
	sb_reset(&sql);
	sb_addf(&sql, "INSERT INTO %s (", s->ref);
	pg_add_collist(&sql, b->cols, b->ncols);
	sb_addch(&sql, ')');
	if (s->always)
		sb_addstr(&sql, " OVERRIDING SYSTEM VALUE");
	sb_addstr(&sql, ch->op == CH_UPDATE ? " SELECT " : " VALUES (");
	for (i = 0; i < b->ncols; i++)
		sb_addf(&sql, "%s$%d", i > 0 ? ", " : "", i + 1);
	if (ch->op == CH_UPDATE) {
		sb_addf(&sql, " WHERE NOT EXISTS (SELECT 1 FROM %s WHERE ",
		    s->ref);
		for (i = 0; i < b->nkey; i++) {
			if (i > 0)
				sb_addstr(&sql, " AND ");
			pg_quote_ident(&sql, b->cols[i]);
			sb_addf(&sql, " = $%d", i + 1);
		}
	}
	sb_addch(&sql, ')');
	res = PQexecParams(pc->main, sql.buf, b->ncols, NULL, vals, lens, fmts,
	    0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		goto fail;
	ret = 0;
	goto out;

fail:
	pg_set_err(err, pc->main, res, c->name, b->table);
	if (err != NULL && strncmp(err->sqlstate, "42", 2) == 0)
		pg_shape_drop(pc, s);
out:
	PQclear(res);
	sb_free(&sql);
	free(vals);
	free(lens);
	free(fmts);
	return ret;
}

static int
pg_apply(struct db_conn *c, const struct change_batch *b, size_t *failed,
    struct ps_error *err)
{
	*failed = 0;
	if (b->n == 0)
		return 0;
	if (b->ncols <= 0 || b->nkey <= 0 || b->nkey > b->ncols) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': %d columns with "
		    "%d key columns cannot be written", b->table, b->ncols,
		    b->nkey);
		return -1;
	}
	if (b->n == 1)
		return pg_apply_one(c, b, &b->ch[0], err);
	if (pg_apply_set(c, b, err) != 0) {
		*failed = SIZE_MAX;
		return -1;
	}
	return 0;
}

/*
 * A batch of inserts in one round trip more than its rows: "BEGIN; COPY
 * ...; COMMIT" as one query, the rows streamed in between (libpq hands the
 * COPY over in the middle of a multi-statement query; the statements after
 * a failing one do not run).  Other batches: 1, nothing sent.
 */
static int
pg_apply_commit(struct db_conn *c, const struct change_batch *b,
    size_t *failed, int *stage, struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	struct pg_shape	*s;
	PGresult	*res;
	struct strbuf	 bin = STRBUF_INIT;
	size_t		 k;
	int		 binary, ok, nok = 0, bad = 0;

	*stage = 1;
	*failed = SIZE_MAX;
	if (b->n < 2 || b->ncols <= 0 || b->nkey <= 0 || b->nkey > b->ncols ||
	    PQtransactionStatus(pc->main) != PQTRANS_IDLE)
		return 1;
	for (k = 0; k < b->n; k++)
		if (b->ch[k].op != CH_INSERT)
			return 1;
	if ((s = pg_shape_get(c, b, err)) == NULL)
		return -1;
	if (s->always)
		return 1;
	binary = pg_bin_batch(s, b, 1, &bin);
	res = PQexec(pc->main, binary ? s->sql_copy_txn_bin : s->sql_copy_txn);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_set_err(err, pc->main, res, c->name, b->table);
		PQclear(res);
		sb_free(&bin);
		goto fail;
	}
	PQclear(res);
	ok = binary ? pg_bin_send(pc->main, &bin) : pg_copy_rows(pc, b, 1);
	sb_free(&bin);
	if (PQputCopyEnd(pc->main, ok ? NULL : "projsync: sending failed")
	    != 1)
		ok = 0;
	/* The COPY's result, then the COMMIT's. */
	while ((res = PQgetResult(pc->main)) != NULL) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK && !bad) {
			if (++nok == 2 && strcmp(PQcmdStatus(res),
			    "COMMIT") != 0) {
				ps_error_set(err, PS_ERR_DB, "connection '%s': "
				    "the transaction failed and was rolled "
				    "back", c->name);
				bad = 1;
			}
		} else if (!bad) {
			pg_set_err(err, pc->main, res, c->name, b->table);
			bad = 1;
		}
		PQclear(res);
	}
	if (!bad && (!ok || nok < 2)) {
		pg_set_err(err, pc->main, NULL, c->name, b->table);
		bad = 1;
	}
	if (!bad) {
		pg_txn_end(pc, 1);
		return 0;
	}
	if (nok >= 1)
		*stage = 2;	/* the rows went in; the commit failed */
fail:
	if (PQtransactionStatus(pc->main) != PQTRANS_IDLE)
		(void)pg_exec_on(pc->main, "ROLLBACK", c->name, NULL, NULL);
	pg_txn_end(pc, 0);
	return -1;
}

/* ---- rendering ---- */

/* Append libpq's escaped literal ESC (which may start with a space). */
static void
pg_add_escaped(struct strbuf *sb, const char *esc)
{
	while (*esc == ' ')
		esc++;
	sb_addstr(sb, esc);
}

/* Append the string P (LEN bytes) as a literal escaped by libpq. */
static void
pg_add_string(PGconn *conn, struct strbuf *sb, const char *p, size_t len)
{
	struct strbuf	 hex = STRBUF_INIT;
	char		*esc = NULL;

	if (memchr(p, '\0', len) == NULL)
		esc = PQescapeLiteral(conn, p, len);
	if (esc != NULL) {
		pg_add_escaped(sb, esc);
		PQfreemem(esc);
		return;
	}
	/* Not valid text (a NUL, bad UTF-8): let the server say so. */
	sb_addstr(&hex, "\\x");
	sb_addhex(&hex, p, len);
	esc = PQescapeLiteral(conn, hex.buf, hex.len);
	sb_addstr(sb, "convert_from(");
	pg_add_escaped(sb, esc != NULL ? esc : "''");
	sb_addstr(sb, "::bytea, 'UTF8')");
	PQfreemem(esc);
	sb_free(&hex);
}

static int pg_is_number(const char *, size_t);

/*
 * Append cell I of R as a literal of family FAM: numbers and booleans as
 * they are, binary as a bytea literal, anything else as a string.
 */
static void
pg_add_literal(PGconn *conn, struct strbuf *sb, const struct row *r, int i,
    enum type_family fam)
{
	struct strbuf	 hex = STRBUF_INIT;
	const char	*p;
	size_t		 len;
	char		*esc;

	if (row_null(r, i)) {
		sb_addstr(sb, "NULL");
		return;
	}
	p = row_ptr(r, i);
	len = row_len(r, i);
	if (((fam == TF_INTEGER || fam == TF_DECIMAL || fam == TF_FLOAT) &&
	    pg_is_number(p, len)) || (fam == TF_BOOLEAN &&
	    (strcmp(p, "true") == 0 || strcmp(p, "false") == 0))) {
		sb_add(sb, p, len);
		return;
	}
	if (fam != TF_BINARY) {
		pg_add_string(conn, sb, p, len);
		return;
	}
	sb_addstr(&hex, "\\x");
	sb_addhex(&hex, p, len);
	esc = PQescapeLiteral(conn, hex.buf, hex.len);
	pg_add_escaped(sb, esc != NULL ? esc : "''");
	sb_addstr(sb, "::bytea");
	PQfreemem(esc);
	sb_free(&hex);
}

/* " WHERE "k1" = lit AND ..." */
static void
pg_render_where(PGconn *conn, struct strbuf *sb, const struct change_batch *b,
    const struct row *r)
{
	int	i;

	for (i = 0; i < b->nkey; i++) {
		sb_addstr(sb, i == 0 ? " WHERE " : " AND ");
		pg_quote_ident(sb, b->cols[i]);
		sb_addstr(sb, " = ");
		pg_add_literal(conn, sb, r, i, b->fam[i]);
	}
}

static void
pg_render_insert(PGconn *conn, struct strbuf *sb, const char *ref,
    int always, const struct change_batch *b, const struct row *r,
    int missing)
{
	int	i;

	sb_addf(sb, "INSERT INTO %s (", ref);
	pg_add_collist(sb, b->cols, b->ncols);
	sb_addch(sb, ')');
	if (always)
		sb_addstr(sb, " OVERRIDING SYSTEM VALUE");
	sb_addstr(sb, missing ? " SELECT " : " VALUES (");
	for (i = 0; i < b->ncols; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		pg_add_literal(conn, sb, r, i, b->fam[i]);
	}
	if (missing) {
		sb_addf(sb, " WHERE NOT EXISTS (SELECT 1 FROM %s", ref);
		pg_render_where(conn, sb, b, r);
	}
	sb_addstr(sb, ");\n");
}

static void
pg_render(struct db_conn *c, const struct change_batch *b, struct strbuf *out)
{
	struct pg_conn		*pc = c->priv;
	const struct change	*ch;
	const struct pg_col	*col;
	struct pg_table		 t;
	struct strbuf		 name = STRBUF_INIT;
	size_t			 k;
	int			 i, always = 0;

	if (b->n == 0 || b->nkey <= 0 || b->nkey > b->ncols)
		return;
	/* On an error (T zeroed) the name is rendered as one identifier. */
	(void)pg_table_load(pc->main, c->name, b->table, 1, &t, NULL);
	for (i = 0; i < b->ncols; i++)
		if ((col = pg_table_col(&t, b->cols[i])) != NULL &&
		    col->identity == 'a')
			always = 1;
	if (t.ref == NULL) {
		pg_quote_ident(&name, b->table);
		t.ref = sb_detach(&name);
	}
	for (k = 0; k < b->n; k++) {
		ch = &b->ch[k];
		switch (ch->op) {
		case CH_INSERT:
			pg_render_insert(pc->main, out, t.ref, always, b,
			    &ch->row, 0);
			break;
		case CH_UPDATE:
			if (b->nkey < b->ncols) {
				sb_addf(out, "UPDATE %s SET ", t.ref);
				for (i = b->nkey; i < b->ncols; i++) {
					if (i > b->nkey)
						sb_addstr(out, ", ");
					pg_quote_ident(out, b->cols[i]);
					sb_addstr(out, " = ");
					pg_add_literal(pc->main, out, &ch->row,
					    i, b->fam[i]);
				}
				pg_render_where(pc->main, out, b, &ch->row);
				sb_addstr(out, ";\n");
			}
			pg_render_insert(pc->main, out, t.ref, always, b,
			    &ch->row, 1);
			break;
		case CH_DELETE:
			sb_addf(out, "DELETE FROM %s", t.ref);
			pg_render_where(pc->main, out, b, &ch->row);
			sb_addstr(out, ";\n");
			break;
		}
	}
	pg_table_free(&t);
}

/* ---- DDL ---- */

/* 1 when P (LEN bytes) is a plain number: [+-]digits[.digits][e[+-]digits]. */
static int
pg_is_number(const char *p, size_t len)
{
	const char	*e = p + len;
	int		 digits = 0;

	if (p < e && (*p == '+' || *p == '-'))
		p++;
	for (; p < e && isdigit((unsigned char)*p); p++)
		digits = 1;
	if (p < e && *p == '.')
		for (p++; p < e && isdigit((unsigned char)*p); p++)
			digits = 1;
	if (!digits)
		return 0;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p == e || !isdigit((unsigned char)*p))
			return 0;
		while (p < e && isdigit((unsigned char)*p))
			p++;
	}
	return p == e;
}

/*
 * Append the PostgreSQL spelling of default EXPR for a column of family
 * FAM when it is a plain literal (a number, a quoted string with an
 * optional "::type" cast, NULL, TRUE/FALSE) or the current date or time.
 * Returns 1 when appended, 0 for anything else (function calls such as
 * nextval(...)).
 */
static int
pg_default_literal(PGconn *conn, const char *expr, enum type_family fam,
    struct strbuf *sb)
{
	static const char *const times[] = {
		"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
		"LOCALTIMESTAMP", "LOCALTIME"
	};
	struct strbuf	 str = STRBUF_INIT;
	const char	*p, *q;
	size_t		 len, i, n;
	int		 dt;

	if (expr == NULL)
		return 0;
	p = expr;
	len = strlen(p);
	for (;;) {
		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len < 2 || p[0] != '(' || p[len - 1] != ')')
			break;
		p++;
		len -= 2;
	}
	if (len == 0)
		return 0;
	if (len == 4 && strncasecmp(p, "NULL", 4) == 0) {
		sb_addstr(sb, "NULL");
		return 1;
	}
	if ((len == 4 && strncasecmp(p, "TRUE", 4) == 0) ||
	    (fam == TF_BOOLEAN && len == 1 && *p == '1')) {
		sb_addstr(sb, "true");
		return 1;
	}
	if ((len == 5 && strncasecmp(p, "FALSE", 5) == 0) ||
	    (fam == TF_BOOLEAN && len == 1 && *p == '0')) {
		sb_addstr(sb, "false");
		return 1;
	}
	dt = fam == TF_DATE || fam == TF_TIME || fam == TF_TIMESTAMP ||
	    fam == TF_TIMESTAMPTZ;
	for (i = 0; i < nitems(times); i++) {
		n = strlen(times[i]);
		if (dt && len >= n && strncasecmp(p, times[i], n) == 0 &&
		    (len == n || (len == n + 2 && p[n] == '(' &&
		    p[n + 1] == ')'))) {
			sb_addstr(sb, times[i]);
			return 1;
		}
	}
	if (dt && len == 5 && strncasecmp(p, "now()", 5) == 0) {
		sb_addstr(sb, "CURRENT_TIMESTAMP");
		return 1;
	}
	if (pg_is_number(p, len)) {
		if (fam == TF_TEXT || fam == TF_OTHER)
			pg_add_string(conn, sb, p, len);
		else
			sb_add(sb, p, len);
		return 1;
	}
	if (p[0] != '\'')
		return 0;
	/* A quoted string, '' inside, then nothing or a "::type" cast. */
	for (q = p + 1; q < p + len; q++) {
		if (*q != '\'') {
			sb_addch(&str, *q);
			continue;
		}
		if (q + 1 < p + len && q[1] == '\'') {
			sb_addch(&str, '\'');
			q++;
			continue;
		}
		break;
	}
	if (q >= p + len)
		goto no;
	q++;
	if (q < p + len && (q + 1 >= p + len || q[0] != ':' || q[1] != ':'))
		goto no;
	pg_add_string(conn, sb, str.buf != NULL ? str.buf : "", str.len);
	sb_free(&str);
	return 1;
no:
	sb_free(&str);
	return 0;
}

/* Append the PostgreSQL type of a column of the model. */
static void
pg_add_type(struct strbuf *sb, const struct column_def *cd)
{
	int	p;

	switch (cd->family) {
	case TF_INTEGER:
		p = cd->precision;
		/* An unsigned column needs the next size up. */
		if (cd->is_unsigned && p > 0 && p < 8)
			p = p == 1 ? 2 : p * 2;
		if (p == 1 || p == 2)
			sb_addstr(sb, "smallint");
		else if (p == 3 || p == 4)
			sb_addstr(sb, "integer");
		else
			sb_addstr(sb, "bigint");
		break;
	case TF_DECIMAL:
		if (cd->precision > 0 && cd->precision <= 1000 &&
		    cd->scale >= 0 && cd->scale <= 1000)
			sb_addf(sb, "numeric(%d,%d)", cd->precision,
			    cd->scale);
		else if (cd->precision > 0 && cd->precision <= 1000)
			sb_addf(sb, "numeric(%d)", cd->precision);
		else
			sb_addstr(sb, "numeric");
		break;
	case TF_FLOAT:
		sb_addstr(sb, cd->precision == 4 ? "real" : "double precision");
		break;
	case TF_BOOLEAN:
		sb_addstr(sb, "boolean");
		break;
	case TF_TEXT:
		if (cd->length > 0 && cd->length <= 10485760)
			sb_addf(sb, "varchar(%d)", cd->length);
		else
			sb_addstr(sb, "text");
		break;
	case TF_BINARY:
		sb_addstr(sb, "bytea");
		break;
	case TF_DATE:
		sb_addstr(sb, "date");
		break;
	case TF_TIME:
	case TF_TIMESTAMP:
	case TF_TIMESTAMPTZ:
		sb_addstr(sb, cd->family == TF_TIME ? "time" :
		    cd->family == TF_TIMESTAMP ? "timestamp" : "timestamptz");
		if (cd->scale >= 0)
			sb_addf(sb, "(%d)", cd->scale > 6 ? 6 : cd->scale);
		break;
	case TF_JSON:
		/* json keeps the text as written; jsonb would reorder keys. */
		sb_addstr(sb, "json");
		break;
	case TF_UUID:
		sb_addstr(sb, "uuid");
		break;
	default:
		sb_addstr(sb, "text");
		break;
	}
}

/* Append one column definition (IDENTITY only when creating). */
static void
pg_add_coldef(PGconn *conn, struct strbuf *sb, const struct column_def *cd,
    int create)
{
	struct strbuf	dflt = STRBUF_INIT;
	int		ident;

	pg_quote_ident(sb, cd->name);
	sb_addch(sb, ' ');
	pg_add_type(sb, cd);
	ident = create && cd->autoincrement && cd->family == TF_INTEGER;
	if (ident)
		sb_addstr(sb, " GENERATED BY DEFAULT AS IDENTITY");
	if (!cd->nullable || ident)
		sb_addstr(sb, " NOT NULL");
	if (!ident && pg_default_literal(conn, cd->default_expr, cd->family,
	    &dflt)) {
		sb_addstr(sb, " DEFAULT ");
		sb_add(sb, dflt.buf, dflt.len);
	}
	sb_free(&dflt);
}

/*
 * The reference to write for a table of the model: SCHEMA.NAME when a
 * schema is given, else NAME as written (split at its first dot when that
 * schema exists), left to the search path.
 */
static char *
pg_model_ref(struct db_conn *c, const char *schema, const char *name,
    struct ps_error *err)
{
	struct pg_conn	*pc = c->priv;
	struct pg_table	 t;
	struct strbuf	 sb = STRBUF_INIT;
	char		*ref;

	if (schema != NULL && *schema != '\0') {
		pg_quote_ident(&sb, schema);
		sb_addch(&sb, '.');
		pg_quote_ident(&sb, name);
		return sb_detach(&sb);
	}
	if (strchr(name, '.') == NULL) {
		/* The search path finds it, as it finds configured names. */
		pg_quote_ident(&sb, name);
		return sb_detach(&sb);
	}
	if (pg_table_load(pc->main, c->name, name, 0, &t, err) == -1)
		return NULL;
	ref = t.ref;
	t.ref = NULL;
	pg_table_free(&t);
	return ref;
}

static int
pg_ddl(struct db_conn *c, enum ddl_op op, const struct table_def *m,
    int col, struct strbuf *sb, struct ps_error *err)
{
	struct pg_conn		*pc = c->priv;
	const struct column_def	*cd;
	const struct fk_def	*fk;
	const struct index_def	*ix;
	char			*ref = NULL, *pref;
	int			 i, k, refs, inpk, ret = -1;

	if (op != DDL_CREATE_TABLE && (col < 0 || col >= m->ncols)) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': no column %d to "
		    "change", m->name, col);
		return -1;
	}
	if (op == DDL_CREATE_TABLE && m->ncols <= 0) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': no columns to "
		    "create", m->name);
		return -1;
	}
	if ((ref = pg_model_ref(c, m->schema, m->name, err)) == NULL)
		return -1;

	switch (op) {
	case DDL_ADD_COLUMN:
		sb_addf(sb, "ALTER TABLE %s ADD COLUMN ", ref);
		pg_add_coldef(pc->main, sb, &m->cols[col], 0);
		sb_addstr(sb, ";\n");
		ret = 0;
		goto out;
	case DDL_WIDEN_COLUMN:
		cd = &m->cols[col];
		sb_addf(sb, "ALTER TABLE %s ALTER COLUMN ", ref);
		pg_quote_ident(sb, cd->name);
		sb_addstr(sb, " TYPE ");
		pg_add_type(sb, cd);
		inpk = 0;
		for (i = 0; i < m->npk; i++)
			if (strcmp(m->pk[i], cd->name) == 0)
				inpk = 1;
		if (cd->nullable && !inpk) {
			sb_addstr(sb, ", ALTER COLUMN ");
			pg_quote_ident(sb, cd->name);
			sb_addstr(sb, " DROP NOT NULL");
		}
		sb_addstr(sb, ";\n");
		ret = 0;
		goto out;
	case DDL_CREATE_TABLE:
		break;
	default:
		ps_error_set(err, PS_ERR_UNSUPPORTED, "table '%s': DDL "
		    "operation %d is not supported on PostgreSQL", m->name,
		    op);
		goto out;
	}

	sb_addf(sb, "CREATE TABLE %s (", ref);
	for (i = 0; i < m->ncols; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		pg_add_coldef(pc->main, sb, &m->cols[i], 1);
	}
	if (m->npk > 0) {
		sb_addstr(sb, ", PRIMARY KEY (");
		pg_add_collist(sb, m->pk, m->npk);
		sb_addch(sb, ')');
	}
	for (k = 0; k < m->nidx; k++) {
		ix = &m->idx[k];
		if (!ix->unique || ix->ncols <= 0)
			continue;
		if (ix->ncols == m->npk) {
			for (i = 0; i < ix->ncols; i++)
				if (strcmp(ix->cols[i], m->pk[i]) != 0)
					break;
			if (i == ix->ncols)
				continue;
		}
		sb_addstr(sb, ", UNIQUE (");
		pg_add_collist(sb, ix->cols, ix->ncols);
		sb_addch(sb, ')');
	}
	for (k = 0; k < m->nfk; k++) {
		fk = &m->fks[k];
		if (fk->ncols <= 0 || fk->ref_table == NULL)
			continue;
		if ((pref = pg_model_ref(c, NULL, fk->ref_table, err)) == NULL)
			goto out;
		sb_addstr(sb, ", FOREIGN KEY (");
		pg_add_collist(sb, fk->cols, fk->ncols);
		sb_addf(sb, ") REFERENCES %s", pref);
		free(pref);
		refs = fk->ref_cols != NULL;
		for (i = 0; refs && i < fk->ncols; i++)
			if (fk->ref_cols[i] == NULL)
				refs = 0;
		if (refs) {
			sb_addstr(sb, " (");
			pg_add_collist(sb, fk->ref_cols, fk->ncols);
			sb_addch(sb, ')');
		}
	}
	sb_addstr(sb, ");\n");
	ret = 0;
out:
	free(ref);
	return ret;
}

/* ---- sequences ---- */

/*
 * Move the sequence behind each serial or identity column of TD past the
 * largest value in the column, so the application's next insert does not
 * collide; a sequence already ahead is left alone.
 */
static int
pg_after_write(struct db_conn *c, const struct table_def *td,
    struct ps_error *err)
{
	struct pg_conn			*pc = c->priv;
	const struct column_def		*cd;
	struct strbuf			 ref = STRBUF_INIT, sql = STRBUF_INIT;
	PGresult			*res = NULL;
	const char			*params[2];
	char				*seq = NULL;
	int				 i, ret = -1;

	if (td->schema != NULL) {
		pg_quote_ident(&ref, td->schema);
		sb_addch(&ref, '.');
	}
	pg_quote_ident(&ref, td->name);
	for (i = 0; i < td->ncols; i++) {
		cd = &td->cols[i];
		if (!cd->autoincrement || cd->family != TF_INTEGER)
			continue;
		params[0] = ref.buf;
		params[1] = cd->name;
		res = pg_query(pc->main, "SELECT "
		    "pg_catalog.pg_get_serial_sequence($1, $2)", 2, params,
		    c->name, td->name, err);
		if (res == NULL)
			goto out;
		seq = pg_dup_value(res, 0, 0);
		PQclear(res);
		res = NULL;
		if (seq == NULL)
			continue;
		sb_reset(&sql);
		sb_addstr(&sql, "SELECT pg_catalog.setval($1::regclass, m.v) "
		    "FROM (SELECT max(");
		pg_quote_ident(&sql, cd->name);
		sb_addf(&sql, ") AS v FROM %s) m, %s s WHERE m.v IS NOT NULL "
		    "AND m.v >= s.last_value + CASE WHEN s.is_called THEN 1 "
		    "ELSE 0 END", ref.buf, seq);
		params[0] = seq;
		res = pg_query(pc->main, sql.buf, 1, params, c->name, td->name,
		    err);
		if (res == NULL) {
			ps_error_prefix(err, "advancing sequence %s", seq);
			goto out;
		}
		PQclear(res);
		res = NULL;
		free(seq);
		seq = NULL;
	}
	ret = 0;
out:
	PQclear(res);
	free(seq);
	sb_free(&ref);
	sb_free(&sql);
	return ret;
}

const struct db_ops db_pg_ops = {
	.version = DB_OPS_VERSION,
	.name = "postgresql",
	.global_init = NULL,
	.connect = pg_connect,
	.close = pg_close,
	.cancel = pg_cancel,
	.server_version = pg_server_version,
	.list_tables = pg_list_tables,
	.describe = pg_describe,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.scan = pg_scan,
	.next = pg_next,
	.cursor_free = pg_cursor_free,
	.apply = pg_apply,
	.render = pg_render,
	.exec = pg_exec,
	.ddl = pg_ddl,
	.quote_ident = pg_quote_ident,
	.after_write = pg_after_write,
	.estimate = pg_estimate,
	.async_apply = 1,
	.open_writer = pg_open_writer,
	.apply_commit = pg_apply_commit,
};
