/*
 * projsync - db.h: the driver interface.  One const struct db_ops per engine
 * (db_sqlite.c, and later db_pg.c, db_mysql.c) behind inline wrappers; the
 * engine never sees a PGresult, MYSQL_RES or sqlite3_stmt.
 *
 * A connection belongs to one thread.  Only ops->cancel may be called from
 * another thread.
 */
#ifndef PROJSYNC_DB_H
#define PROJSYNC_DB_H

#include "projsync/common.h"
#include "projsync/value.h"
#include "projsync/schema.h"

struct conn_conf;
struct db_cursor;

#define DB_OPS_VERSION 1

struct db_conn {
	const struct db_ops	*ops;
	void			*priv;	/* sqlite3 *, PGconn *, MYSQL * and friends */
	char			*name;	/* the connection's configured name */
};

/* What scan() reads: NCOLS columns, the NKEY key columns first, ordered by key. */
struct scan_spec {
	const char		*table;	/* as configured; may be "schema.table" */
	int			 ncols;
	char *const		*cols;
	const enum type_family	*fam;	/* this side's family of each column */
	int			 nkey;
	/*
	 * NULL: the whole table, ordered by the key in key_encode() order.
	 * Otherwise a row whose first NKEY cells select one key (at most one
	 * row comes back).
	 */
	const struct row	*key_eq;
};

enum change_op { CH_INSERT, CH_UPDATE, CH_DELETE };

struct change {
	enum change_op	 op;
	struct row	 row;	/* all NCOLS cells; CH_DELETE uses the key cells only */
};

/* Changes for one table on one side, applied in order. */
struct change_batch {
	const char		*table;
	int			 ncols;
	char *const		*cols;
	const enum type_family	*fam;	/* this side's families */
	int			 nkey;
	size_t			 n;
	size_t			 cap;	/* rows allocated in ch */
	struct change		*ch;
};

enum ddl_op {
	DDL_CREATE_TABLE,	/* create TABLE_DEF (all columns, pk, fks) */
	DDL_ADD_COLUMN,		/* add column COL of TABLE_DEF */
	DDL_WIDEN_COLUMN	/* make column COL as wide as TABLE_DEF's */
};

struct db_ops {
	int		 version;	/* DB_OPS_VERSION; append, never reorder */
	const char	*name;		/* "sqlite", "postgresql", "mysql" */

	/* Main thread, once, before any thread starts.  May be NULL. */
	int	(*global_init)(struct ps_error *);

	/*
	 * Open a connection from CONF (dsn and password already resolved by
	 * the caller into PASSWORD, which may be NULL), giving up after
	 * TIMEOUT_S seconds.  Sessions run in UTC.  The error names the
	 * connection and never contains the password.  -1 on failure with
	 * PS_ERR_CONNECT, PS_ERR_AUTH or PS_ERR_NOT_FOUND (database missing).
	 */
	int	(*connect)(struct db_conn *, const struct conn_conf *,
		    const char *password, int timeout_s, struct ps_error *);
	/* Close and free priv; safe on a connection whose connect failed. */
	void	(*close)(struct db_conn *);
	/* Interrupt the statement running now.  Any thread.  May be NULL. */
	int	(*cancel)(struct db_conn *);
	/* "SQLite 3.40.1": the server's version; the caller frees. */
	char	*(*server_version)(struct db_conn *);

	/* Base tables of the connection's database or search path, sorted. */
	int	(*list_tables)(struct db_conn *, char ***names, int *n,
		    struct ps_error *);
	/*
	 * Fill TABLE_DEF for TABLE.  -1 with PS_ERR_NOT_FOUND when the table
	 * does not exist (message names it), other codes for real errors.
	 */
	int	(*describe)(struct db_conn *, const char *table,
		    struct table_def *, struct ps_error *);

	/* Transactions.  begin() also defers foreign-key checks where it can. */
	int	(*begin)(struct db_conn *, struct ps_error *);
	int	(*commit)(struct db_conn *, struct ps_error *);
	int	(*rollback)(struct db_conn *, struct ps_error *);

	/*
	 * Start reading rows as described by SPEC.  Memory stays bounded
	 * whatever the table's size.  Writes through apply() on the same
	 * connection to keys already returned must not disturb the cursor.
	 */
	int	(*scan)(struct db_conn *, const struct scan_spec *,
		    struct db_cursor **, struct ps_error *);
	/*
	 * Fill ROW (row_init'ed with NCOLS cells by the caller; reset here)
	 * with the next row in canonical form.  Returns 1 for a row, 0 at the
	 * end, -1 on error.
	 */
	int	(*next)(struct db_cursor *, struct row *, struct ps_error *);
	void	(*cursor_free)(struct db_cursor *);

	/*
	 * Apply BATCH inside the caller's transaction.  An update that finds
	 * no row inserts it.  On failure returns -1, sets *FAILED to the index
	 * of the change that failed (SIZE_MAX when a set-based write cannot
	 * tell; the engine then retries row by row) and the error to the
	 * database's message (PS_ERR_CONSTRAINT, PS_ERR_VALUE or PS_ERR_DB);
	 * the caller rolls back.
	 */
	int	(*apply)(struct db_conn *, const struct change_batch *,
		    size_t *failed, struct ps_error *);
	/*
	 * Append to SQL the statements apply() would run for BATCH, values as
	 * literals in the engine's dialect, each ending ";\n" (for --sql).
	 */
	void	(*render)(struct db_conn *, const struct change_batch *,
		    struct strbuf *sql);

	/* Run one SQL statement with no result (DDL). */
	int	(*exec)(struct db_conn *, const char *sql, struct ps_error *);
	/*
	 * Append to SQL the DDL for OP in this engine's dialect, from the
	 * engine-independent MODEL (COL is a column index of MODEL for the
	 * column ops).  Returns 0, or 1 when nothing is needed (e.g. SQLite
	 * does not enforce lengths, so widening is a no-op), or -1 with
	 * PS_ERR_UNSUPPORTED.
	 */
	int	(*ddl)(struct db_conn *, enum ddl_op, const struct table_def *model,
		    int col, struct strbuf *sql, struct ps_error *);
	/* Append IDENT quoted by the engine's rules ("a.b" is one name). */
	void	(*quote_ident)(struct strbuf *, const char *ident);
	/*
	 * After rows were written to TABLE: e.g. advance sequences past the
	 * largest key.  May be NULL.
	 */
	int	(*after_write)(struct db_conn *, const struct table_def *,
		    struct ps_error *);
	/*
	 * About how many rows TABLE holds, for progress (cheap: statistics
	 * where the engine keeps them); -1 when unknown.  May be NULL.
	 */
	int64_t	(*estimate)(struct db_conn *, const char *table);
	/*
	 * 1 when begin/apply/commit/rollback may run on another thread
	 * while scan/next run on the caller's (the driver reads through a
	 * session of its own and shares no state between the two): the
	 * engine then writes one batch while it merges the next.
	 */
	int	  async_apply;
	/*
	 * Open one more session on FROM's database, with FROM's settings, for
	 * begin/apply/commit/rollback/after_write only; fill OUT->priv (OUT's
	 * ops and name are set).  The engine writes two batches of a table at
	 * once through it.  Called on the thread that owns FROM while a
	 * writer thread may be using FROM's write session: it must touch
	 * neither session.  May be NULL (async_apply drivers only).
	 */
	int	(*open_writer)(const struct db_conn *from, struct db_conn *out,
		    struct ps_error *);
	/*
	 * Begin, apply BATCH and commit in as few round trips as the driver
	 * can (PostgreSQL: a batch of inserts goes as one "BEGIN; COPY ...;
	 * COMMIT").  Returns 0; or -1 with *STAGE 0 (begin), 1 (apply: rolled
	 * back, *FAILED as apply() sets it) or 2 (commit); or 1 when the
	 * driver does not take this batch in one go and sent nothing (the
	 * caller then uses begin, apply and commit).  May be NULL.
	 */
	int	(*apply_commit)(struct db_conn *, const struct change_batch *,
		    size_t *failed, int *stage, struct ps_error *);
};

/* The driver for a canonical type name, or NULL with an error. */
const struct db_ops *db_driver(const char *type, struct ps_error *);
/* global_init every built-in driver (main thread). */
int	db_global_init(struct ps_error *);
/*
 * Resolve CONF's password (password_env, then password), pick the driver,
 * connect.  On success *OUT is a new connection; free with db_close().
 */
int	db_open(const struct conn_conf *, int timeout_s, struct db_conn **,
	    struct ps_error *);
void	db_close(struct db_conn *);
/* Overwrite a secret (a password, a DSN that may hold one) in place. */
void	db_wipe(char *);
/*
 * A second write session on C's database (ops->open_writer); free with
 * db_close().  -1 with PS_ERR_UNSUPPORTED when the driver has none.
 */
int	db_open_writer(const struct db_conn *c, struct db_conn **out,
	    struct ps_error *);

static inline int
db_list_tables(struct db_conn *c, char ***n, int *k, struct ps_error *e)
{
	return c->ops->list_tables(c, n, k, e);
}
static inline int
db_describe(struct db_conn *c, const char *t, struct table_def *d,
    struct ps_error *e)
{
	return c->ops->describe(c, t, d, e);
}
static inline int
db_begin(struct db_conn *c, struct ps_error *e)
{
	return c->ops->begin(c, e);
}
static inline int
db_commit(struct db_conn *c, struct ps_error *e)
{
	return c->ops->commit(c, e);
}
static inline int
db_rollback(struct db_conn *c, struct ps_error *e)
{
	return c->ops->rollback(c, e);
}
static inline int
db_scan(struct db_conn *c, const struct scan_spec *s, struct db_cursor **cur,
    struct ps_error *e)
{
	return c->ops->scan(c, s, cur, e);
}
static inline int
db_next(struct db_conn *c, struct db_cursor *cur, struct row *r,
    struct ps_error *e)
{
	return c->ops->next(cur, r, e);
}
static inline void
db_cursor_free(struct db_conn *c, struct db_cursor *cur)
{
	if (cur != NULL)
		c->ops->cursor_free(cur);
}
static inline int
db_apply(struct db_conn *c, const struct change_batch *b, size_t *f,
    struct ps_error *e)
{
	return c->ops->apply(c, b, f, e);
}
static inline void
db_render(struct db_conn *c, const struct change_batch *b, struct strbuf *s)
{
	c->ops->render(c, b, s);
}
static inline int
db_exec(struct db_conn *c, const char *sql, struct ps_error *e)
{
	return c->ops->exec(c, sql, e);
}
static inline int
db_ddl(struct db_conn *c, enum ddl_op op, const struct table_def *m, int col,
    struct strbuf *s, struct ps_error *e)
{
	return c->ops->ddl(c, op, m, col, s, e);
}
static inline void
db_quote_ident(struct db_conn *c, struct strbuf *s, const char *i)
{
	c->ops->quote_ident(s, i);
}

/* Change batches: init with the table's shape, add rows, clear to reuse. */
void	change_batch_init(struct change_batch *, const char *table, int ncols,
	    char *const *cols, const enum type_family *fam, int nkey);
struct change *change_batch_add(struct change_batch *, enum change_op,
	    const struct row *);
void	change_batch_clear(struct change_batch *);	/* n = 0, keeps rows' memory */
void	change_batch_free(struct change_batch *);

extern const struct db_ops db_sqlite_ops;
#ifdef HAVE_LIBPQ
extern const struct db_ops db_pg_ops;
#endif
#ifdef HAVE_MYSQL
extern const struct db_ops db_mysql_ops;
#endif

#endif
