/*
 * projsync - db_sqlite.c: the SQLite driver (const struct db_ops
 * db_sqlite_ops): connecting to a database file, describing tables from the
 * pragmas, scanning in key order into canonical values, writing change
 * batches through cached prepared statements, rendering them as SQL, and
 * DDL from the engine-independent table model.
 */
#include "projsync/common.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "projsync/conf.h"
#include "projsync/db.h"

/* A prepared write statement, cached per connection under its SQL text. */
struct sqlite_stmt {
	char			*sql;
	sqlite3_stmt		*st;
	struct sqlite_stmt	*next;
};

/* What db_conn->priv points to. */
struct sqlite_conn {
	sqlite3			*db;
	struct sqlite_stmt	*stmts;
};

struct db_cursor {
	sqlite3_stmt		*st;
	char			*table;
	char			*conn;	/* the connection's name */
	int			 ncols;
	char			**cols;
	enum type_family	*fam;
	int			 done;
	struct strbuf		 tmp;
};

/* A table name split into an optional schema ("main", "temp") and a name. */
struct sqlite_tref {
	const char	*schema;	/* NULL: unqualified */
	const char	*name;
};

static sqlite3 *
sqlite_db(struct db_conn *c)
{
	return ((struct sqlite_conn *)c->priv)->db;
}

static void
sqlite_quote_ident(struct strbuf *sb, const char *ident)
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

/* Map an SQLite result code of a failed step or prepare to a ps_err code. */
static enum ps_err
sqlite_err_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return PS_ERR_CONSTRAINT;
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
		return PS_ERR_VALUE;
	case SQLITE_INTERRUPT:
		return PS_ERR_CANCELLED;
	default:
		return PS_ERR_DB;
	}
}

/* Set ERR from the connection's last error, prefixed with "table 'T': ". */
static void
sqlite_set_err(struct ps_error *err, sqlite3 *db, int rc, const char *table)
{
	if (err == NULL)
		return;
	if (table != NULL)
		ps_error_set(err, sqlite_err_code(rc), "table '%s': %s", table,
		    sqlite3_errmsg(db));
	else
		ps_error_set(err, sqlite_err_code(rc), "%s",
		    sqlite3_errmsg(db));
	err->native = sqlite3_extended_errcode(db);
}

/* 1 when TABLE exists as a table or view in SCHEMA ("main" or "temp"). */
static int
sqlite_table_exists(sqlite3 *db, const char *schema, const char *table)
{
	sqlite3_stmt	*st = NULL;
	char		*sql;
	int		 found = 0;

	xasprintf(&sql, "SELECT 1 FROM \"%s\".sqlite_master WHERE type IN "
	    "('table', 'view') AND name = ?1 COLLATE NOCASE", schema);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	free(sql);
	return found;
}

/*
 * Split TABLE: "main.t" and "temp.t" address t in that schema when it exists
 * there; any other string (dots included) is one table name.
 */
static void
sqlite_tref(sqlite3 *db, const char *table, struct sqlite_tref *tr)
{
	static const char *const schemas[] = { "main", "temp" };
	size_t	i, len;

	tr->schema = NULL;
	tr->name = table;
	for (i = 0; i < nitems(schemas); i++) {
		len = strlen(schemas[i]);
		if (strncasecmp(table, schemas[i], len) != 0 ||
		    table[len] != '.' || table[len + 1] == '\0')
			continue;
		if (sqlite_table_exists(db, schemas[i], table + len + 1)) {
			tr->schema = schemas[i];
			tr->name = table + len + 1;
		}
		return;
	}
}

/* Append the quoted, possibly schema-qualified, table reference. */
static void
sqlite_add_tref(struct strbuf *sb, const struct sqlite_tref *tr)
{
	if (tr->schema != NULL) {
		sqlite_quote_ident(sb, tr->schema);
		sb_addch(sb, '.');
	}
	sqlite_quote_ident(sb, tr->name);
}

/* ---- connections ---- */

static int
sqlite_connect(struct db_conn *c, const struct conn_conf *conf,
    const char *password, int timeout_s, struct ps_error *err)
{
	struct sqlite_conn	*sc;
	const char		*path;
	struct stat		 sb;
	char			*msg = NULL;
	int			 rc;

	(void)password;
	sc = xcalloc(1, sizeof *sc);
	c->priv = sc;

	path = conf->dsn != NULL ? conf->dsn : "";
	if (strncmp(path, "sqlite://", 9) == 0)
		path += 9;
	else if (strncmp(path, "sqlite:", 7) == 0)
		path += 7;
	if (*path == '\0') {
		ps_error_set(err, PS_ERR_USAGE, "connection '%s': no SQLite "
		    "database path in the DSN", c->name);
		return -1;
	}
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			ps_error_set(err, PS_ERR_NOT_FOUND, "connection '%s': "
			    "SQLite database %s does not exist", c->name, path);
		else
			ps_error_set(err, PS_ERR_CONNECT, "connection '%s': "
			    "%s: %s", c->name, path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		ps_error_set(err, PS_ERR_CONNECT, "connection '%s': %s is a "
		    "directory, not an SQLite database", c->name, path);
		return -1;
	}

	/* One thread uses a connection at a time: no mutex on each call. */
	rc = sqlite3_open_v2(path, &sc->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ps_error_set(err, PS_ERR_CONNECT, "connection '%s': cannot "
		    "open SQLite database %s: %s", c->name, path,
		    sc->db != NULL ? sqlite3_errmsg(sc->db) :
		    sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_extended_result_codes(sc->db, 1);
	sqlite3_busy_timeout(sc->db, timeout_s > 0 ? timeout_s * 1000 : 0);
	/* Reading the schema tells a database from any other file. */
	rc = sqlite3_exec(sc->db, "PRAGMA foreign_keys = ON; "
	    "SELECT count(*) FROM sqlite_master", NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		ps_error_set(err, PS_ERR_CONNECT, "connection '%s': SQLite "
		    "database %s: %s", c->name, path,
		    msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void
sqlite_close(struct db_conn *c)
{
	struct sqlite_conn	*sc = c->priv;
	struct sqlite_stmt	*s, *next;

	if (sc == NULL)
		return;
	for (s = sc->stmts; s != NULL; s = next) {
		next = s->next;
		sqlite3_finalize(s->st);
		free(s->sql);
		free(s);
	}
	/* A cursor still open keeps the handle alive until it is freed. */
	sqlite3_close_v2(sc->db);
	free(sc);
	c->priv = NULL;
}

static int
sqlite_cancel(struct db_conn *c)
{
	struct sqlite_conn	*sc = c->priv;

	if (sc != NULL && sc->db != NULL)
		sqlite3_interrupt(sc->db);
	return 0;
}

static char *
sqlite_server_version(struct db_conn *c)
{
	char	*s;

	(void)c;
	xasprintf(&s, "SQLite %s", sqlite3_libversion());
	return s;
}

/* ---- catalogue ---- */

static int
sqlite_list_tables(struct db_conn *c, char ***names, int *n,
    struct ps_error *err)
{
	sqlite3		*db = sqlite_db(c);
	sqlite3_stmt	*st = NULL;
	char		**v = NULL;
	int		 k = 0, cap = 0, rc, ret = -1;

	*names = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master "
	    "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
	    "AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL %' "
	    "ORDER BY name COLLATE BINARY", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k + 1 >= cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		v[k++] = xstrdup((const char *)sqlite3_column_text(st, 0));
		v[k] = NULL;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	*names = v;
	*n = k;
	v = NULL;
	ret = 0;
	goto out;

fail:
	sqlite_set_err(err, db, rc, NULL);
	ps_error_prefix(err, "connection '%s': listing tables", c->name);
out:
	if (v != NULL) {
		while (k > 0)
			free(v[--k]);
		free(v);
	}
	sqlite3_finalize(st);
	return ret;
}

/* The index of column NAME in TD, or -1. */
static int
sqlite_col_index(const struct table_def *td, const char *name)
{
	int	i;

	for (i = 0; i < td->ncols; i++)
		if (strcmp(td->cols[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * Prepare a query on a table-valued pragma (pragma_table_xinfo and the
 * like): ARG is bound to ?1 and SCHEMA, when not NULL, to ?2.
 */
static int
sqlite_pragma_prepare(sqlite3 *db, const char *cols, const char *pragma,
    const char *arg, const char *schema, const char *order,
    sqlite3_stmt **st)
{
	char	*sql;
	int	 rc;

	xasprintf(&sql, "SELECT %s FROM %s(?1%s) %s", cols, pragma,
	    schema != NULL ? ", ?2" : "", order);
	rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(*st, 1, arg, -1, SQLITE_TRANSIENT);
	if (schema != NULL)
		sqlite3_bind_text(*st, 2, schema, -1, SQLITE_STATIC);
	return SQLITE_OK;
}

/*
 * Read "(a)" or "(a, b)" at P into A and B (-1 when absent).  Returns the
 * number of integers read.
 */
static int
sqlite_type_args(const char *p, int *a, int *b)
{
	char	*end;
	long	 v;

	*a = *b = -1;
	if ((p = strchr(p, '(')) == NULL)
		return 0;
	v = strtol(p + 1, &end, 10);
	if (end == p + 1 || v < 0 || v > INT32_MAX)
		return 0;
	*a = (int)v;
	while (isspace((unsigned char)*end))
		end++;
	if (*end != ',')
		return 1;
	p = end + 1;
	v = strtol(p, &end, 10);
	if (end == p || v < 0 || v > INT32_MAX)
		return 1;
	*b = (int)v;
	return 2;
}

/*
 * Fill the family, length, precision and scale of CD from its declared type
 * DECL (SPEC section 4): well-known names first, then SQLite's affinity
 * rules.
 */
static void
sqlite_type_family(const char *decl, struct column_def *cd)
{
	char		 up[128], base[128];
	const char	*p;
	size_t		 i, j;
	int		 a, b, nargs, depth = 0, space = 0;

	cd->length = cd->precision = cd->scale = -1;
	/* UP: upper case; BASE: without "(...)", single spaces. */
	for (i = 0, j = 0, p = decl; *p != '\0' && i < sizeof up - 1; p++) {
		up[i++] = (char)toupper((unsigned char)*p);
		if (*p == '(')
			depth++;
		if (depth == 0 && j < sizeof base - 1) {
			if (isspace((unsigned char)*p))
				space = 1;
			else {
				if (space && j > 0 && j < sizeof base - 2)
					base[j++] = ' ';
				space = 0;
				base[j++] = (char)toupper((unsigned char)*p);
			}
		}
		if (*p == ')' && depth > 0)
			depth--;
	}
	up[i] = '\0';
	base[j] = '\0';
	nargs = sqlite_type_args(up, &a, &b);
	cd->is_unsigned = strstr(up, "UNSIGNED") != NULL;

	if (strcmp(base, "BOOLEAN") == 0 || strcmp(base, "BOOL") == 0)
		cd->family = TF_BOOLEAN;
	else if (strcmp(base, "DATE") == 0)
		cd->family = TF_DATE;
	else if (strcmp(base, "DATETIME") == 0 ||
	    strcmp(base, "TIMESTAMP") == 0 ||
	    strcmp(base, "TIMESTAMP WITHOUT TIME ZONE") == 0) {
		cd->family = TF_TIMESTAMP;
		cd->scale = a;
	} else if (strcmp(base, "TIMESTAMPTZ") == 0 ||
	    strcmp(base, "TIMESTAMP WITH TIME ZONE") == 0) {
		cd->family = TF_TIMESTAMPTZ;
		cd->scale = a;
	} else if (strcmp(base, "TIME") == 0 ||
	    strcmp(base, "TIME WITHOUT TIME ZONE") == 0) {
		cd->family = TF_TIME;
		cd->scale = a;
	} else if (strcmp(base, "NUMERIC") == 0 ||
	    strcmp(base, "DECIMAL") == 0) {
		cd->family = TF_DECIMAL;
		if (nargs >= 1) {
			cd->precision = a;
			cd->scale = nargs == 2 ? b : 0;
		}
	} else if (strcmp(base, "JSON") == 0 || strcmp(base, "JSONB") == 0)
		cd->family = TF_JSON;
	else if (strcmp(base, "UUID") == 0)
		cd->family = TF_UUID;
	else if (strcmp(base, "BINARY") == 0 ||
	    strcmp(base, "VARBINARY") == 0 || strcmp(base, "BYTEA") == 0) {
		cd->family = TF_BINARY;
		cd->length = a;
	} else if (strstr(up, "INT") != NULL) {
		cd->family = TF_INTEGER;
		cd->precision = 8;
	} else if (strstr(up, "CHAR") != NULL || strstr(up, "CLOB") != NULL ||
	    strstr(up, "TEXT") != NULL) {
		cd->family = TF_TEXT;
		cd->length = a;
	} else if (strstr(up, "BLOB") != NULL) {
		cd->family = TF_BINARY;
		cd->length = a;
	} else if (base[0] == '\0')
		cd->family = TF_OTHER;
	else if (strstr(up, "REAL") != NULL || strstr(up, "FLOA") != NULL ||
	    strstr(up, "DOUB") != NULL)
		cd->family = TF_FLOAT;
	else {
		cd->family = TF_DECIMAL;
		if (nargs >= 1) {
			cd->precision = a;
			cd->scale = nargs == 2 ? b : 0;
		}
	}
}

/*
 * The columns of the table into TD; *PKPOS (allocated here, the caller
 * frees) gets each column's position in the primary key, 0 when not in it.
 */
static int
sqlite_describe_columns(sqlite3 *db, const struct sqlite_tref *tr,
    struct table_def *td, int **pkpos)
{
	sqlite3_stmt		*st = NULL;
	struct column_def	*cd;
	const char		*type, *dflt;
	int			 rc, cap = 0;

	rc = sqlite_pragma_prepare(db, "name, type, \"notnull\", dflt_value, "
	    "pk, hidden", "pragma_table_xinfo", tr->name, tr->schema,
	    "ORDER BY cid", &st);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* Hidden and generated columns cannot be written. */
		if (sqlite3_column_int(st, 5) != 0)
			continue;
		if (td->ncols == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			td->cols = xreallocarray(td->cols, (size_t)cap,
			    sizeof *td->cols);
			*pkpos = xreallocarray(*pkpos, (size_t)cap,
			    sizeof **pkpos);
		}
		cd = &td->cols[td->ncols];
		memset(cd, 0, sizeof *cd);
		cd->name = xstrdup((const char *)sqlite3_column_text(st, 0));
		type = (const char *)sqlite3_column_text(st, 1);
		cd->type_name = xstrdup(type != NULL ? type : "");
		sqlite_type_family(cd->type_name, cd);
		cd->nullable = sqlite3_column_int(st, 2) == 0;
		dflt = (const char *)sqlite3_column_text(st, 3);
		cd->default_expr = xstrdup(dflt);
		(*pkpos)[td->ncols] = sqlite3_column_int(st, 4);
		td->ncols++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Read the columns of index NAME into IX; 0 when one is an expression. */
static int
sqlite_describe_index(sqlite3 *db, const struct sqlite_tref *tr,
    const char *name, struct index_def *ix, int *rcp)
{
	sqlite3_stmt	*st = NULL;
	const char	*col;
	int		 rc, ok = 1;

	ix->name = xstrdup(name);
	ix->unique = 1;
	rc = sqlite_pragma_prepare(db, "name", "pragma_index_info", name,
	    tr->schema, "ORDER BY seqno", &st);
	if (rc != SQLITE_OK) {
		*rcp = rc;
		return 0;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((col = (const char *)sqlite3_column_text(st, 0)) == NULL) {
			ok = 0;
			continue;
		}
		ix->cols = xreallocarray(ix->cols, (size_t)ix->ncols + 2,
		    sizeof *ix->cols);
		ix->cols[ix->ncols++] = xstrdup(col);
		ix->cols[ix->ncols] = NULL;
	}
	if (rc != SQLITE_DONE)
		*rcp = rc;
	sqlite3_finalize(st);
	return ok && ix->ncols > 0;
}

static void
sqlite_index_free(struct index_def *ix)
{
	int	i;

	for (i = 0; i < ix->ncols; i++)
		free(ix->cols[i]);
	free(ix->cols);
	free(ix->name);
	memset(ix, 0, sizeof *ix);
}

/*
 * Unique indexes of the table (full, on columns), sorted by name.  Sets
 * *HASPK when the primary key has an index of its own, which is so for
 * every primary key but a rowid alias.
 */
static int
sqlite_describe_indexes(sqlite3 *db, const struct sqlite_tref *tr,
    struct table_def *td, int *haspk)
{
	sqlite3_stmt	*st = NULL;
	const char	*name, *origin;
	int		 rc, rc2 = SQLITE_OK;

	*haspk = 0;
	rc = sqlite_pragma_prepare(db, "name, \"unique\", origin, partial",
	    "pragma_index_list", tr->name, tr->schema,
	    "ORDER BY name COLLATE BINARY", &st);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		origin = (const char *)sqlite3_column_text(st, 2);
		if (origin != NULL && strcmp(origin, "pk") == 0) {
			*haspk = 1;
			continue;
		}
		if (name == NULL || sqlite3_column_int(st, 1) == 0 ||
		    sqlite3_column_int(st, 3) != 0)
			continue;
		td->idx = xreallocarray(td->idx, (size_t)td->nidx + 1,
		    sizeof *td->idx);
		memset(&td->idx[td->nidx], 0, sizeof *td->idx);
		if (sqlite_describe_index(db, tr, name, &td->idx[td->nidx],
		    &rc2))
			td->nidx++;
		else
			sqlite_index_free(&td->idx[td->nidx]);
		if (rc2 != SQLITE_OK)
			break;
	}
	sqlite3_finalize(st);
	if (rc2 != SQLITE_OK)
		return rc2;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Foreign keys in the order they were declared (SQLite numbers them back to
 * front).
 */
static int
sqlite_describe_fks(sqlite3 *db, const struct sqlite_tref *tr,
    struct table_def *td)
{
	sqlite3_stmt	*st = NULL;
	struct fk_def	*fk = NULL;
	const char	*from, *to, *parent;
	int		 rc, id, last = -1, anyto = 0, i;

	rc = sqlite_pragma_prepare(db, "id, \"table\", \"from\", \"to\"",
	    "pragma_foreign_key_list", tr->name, tr->schema,
	    "ORDER BY id DESC, seq", &st);
	if (rc != SQLITE_OK)
		return rc;
	for (;;) {
		rc = sqlite3_step(st);
		id = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
		if (fk != NULL && (rc != SQLITE_ROW || id != last)) {
			/* Close the previous key. */
			if (!anyto) {
				for (i = 0; i < fk->ncols; i++)
					free(fk->ref_cols[i]);
				free(fk->ref_cols);
				fk->ref_cols = NULL;
			}
			fk = NULL;
		}
		if (rc != SQLITE_ROW)
			break;
		if (fk == NULL) {
			td->fks = xreallocarray(td->fks, (size_t)td->nfk + 1,
			    sizeof *td->fks);
			fk = &td->fks[td->nfk++];
			memset(fk, 0, sizeof *fk);
			parent = (const char *)sqlite3_column_text(st, 1);
			fk->ref_table = xstrdup(parent != NULL ? parent : "");
			last = id;
			anyto = 0;
		}
		from = (const char *)sqlite3_column_text(st, 2);
		to = (const char *)sqlite3_column_text(st, 3);
		fk->cols = xreallocarray(fk->cols, (size_t)fk->ncols + 2,
		    sizeof *fk->cols);
		fk->ref_cols = xreallocarray(fk->ref_cols,
		    (size_t)fk->ncols + 2,
		    sizeof *fk->ref_cols);
		fk->cols[fk->ncols] = xstrdup(from != NULL ? from : "");
		fk->ref_cols[fk->ncols] = xstrdup(to);
		if (to != NULL)
			anyto = 1;
		fk->ncols++;
		fk->cols[fk->ncols] = NULL;
		fk->ref_cols[fk->ncols] = NULL;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
sqlite_describe(struct db_conn *c, const char *table, struct table_def *td,
    struct ps_error *err)
{
	sqlite3			*db = sqlite_db(c);
	struct sqlite_tref	 tr;
	struct column_def	*cd;
	int			*pkpos = NULL;
	int			 rc, i, k, haspk;

	memset(td, 0, sizeof *td);
	sqlite_tref(db, table, &tr);
	if ((rc = sqlite_describe_columns(db, &tr, td, &pkpos)) != SQLITE_OK)
		goto fail;
	if (td->ncols == 0) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "table '%s' does not exist "
		    "on connection '%s'", table, c->name);
		goto out;
	}
	td->name = xstrdup(tr.name);

	/* The primary key in key order: pk holds each column's position. */
	for (i = 0; i < td->ncols; i++)
		if (pkpos[i] > td->npk && pkpos[i] <= td->ncols)
			td->npk = pkpos[i];
	if (td->npk > 0) {
		td->pk = xcalloc((size_t)td->npk + 1, sizeof *td->pk);
		for (i = 0; i < td->ncols; i++)
			if (pkpos[i] > 0 && pkpos[i] <= td->npk)
				td->pk[pkpos[i] - 1] =
				    xstrdup(td->cols[i].name);
		for (k = 0; k < td->npk; k++)
			if (td->pk[k] == NULL)
				td->pk[k] = xstrdup("");
	}

	if ((rc = sqlite_describe_indexes(db, &tr, td, &haspk)) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite_describe_fks(db, &tr, td)) != SQLITE_OK)
		goto fail;

	/* "INTEGER PRIMARY KEY" makes the column the rowid. */
	if (td->npk == 1 && !haspk) {
		i = sqlite_col_index(td, td->pk[0]);
		cd = i >= 0 ? &td->cols[i] : NULL;
		if (cd != NULL && strcasecmp(cd->type_name, "INTEGER") == 0) {
			cd->autoincrement = 1;
			cd->nullable = 0;
		}
	}
	free(pkpos);
	return 0;

fail:
	sqlite_set_err(err, db, rc, NULL);
	ps_error_prefix(err, "connection '%s': describing table '%s'",
	    c->name, table);
out:
	free(pkpos);
	table_def_free(td);
	return -1;
}

/* ---- binding and literals ---- */

/* Parse LEN bytes at P as a whole int64 ("true"/"false" read as 1/0). */
static int
sqlite_parse_int(const char *p, size_t len, sqlite3_int64 *v)
{
	char	*end;

	if (len == 4 && memcmp(p, "true", 4) == 0) {
		*v = 1;
		return 0;
	}
	if (len == 5 && memcmp(p, "false", 5) == 0) {
		*v = 0;
		return 0;
	}
	if (len == 0 || len > 24 || isspace((unsigned char)*p))
		return -1;
	errno = 0;
	*v = strtoll(p, &end, 10);
	if (errno != 0 || end != p + len)
		return -1;
	return 0;
}

/* Parse LEN bytes at P as a whole double. */
static int
sqlite_parse_double(const char *p, size_t len, double *v)
{
	char	*end;

	if (len == 0 || len > 64 || isspace((unsigned char)*p))
		return -1;
	*v = strtod(p, &end);
	if (end != p + len)
		return -1;
	return 0;
}

/*
 * Bind cell I of ROW to parameter N as SQLite should store a value of family
 * FAM (SPEC section 4).  DTOR is SQLITE_STATIC when the row outlives the
 * step, else SQLITE_TRANSIENT (SQLite copies the bytes).
 */
static int
sqlite_bind(sqlite3_stmt *st, int n, const struct row *r, int i,
    enum type_family fam, sqlite3_destructor_type dtor)
{
	const char	*p;
	size_t		 len;
	sqlite3_int64	 iv;
	double		 dv;

	if (row_null(r, i))
		return sqlite3_bind_null(st, n);
	p = row_ptr(r, i);
	len = row_len(r, i);
	switch (fam) {
	case TF_INTEGER:
	case TF_BOOLEAN:
		if (sqlite_parse_int(p, len, &iv) == 0)
			return sqlite3_bind_int64(st, n, iv);
		break;
	case TF_FLOAT:
		/* SQLite would store a NaN as NULL: keep it as text. */
		if (sqlite_parse_double(p, len, &dv) == 0 && !isnan(dv))
			return sqlite3_bind_double(st, n, dv);
		break;
	case TF_BINARY:
		return sqlite3_bind_blob64(st, n, p, len, dtor);
	default:
		break;
	}
	return sqlite3_bind_text64(st, n, p, len, dtor, SQLITE_UTF8);
}

/* 1 when LEN bytes at P are valid UTF-8 without NUL. */
static int
sqlite_utf8_plain(const char *p, size_t len)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	while (i < len) {
		if (u[i] == 0)
			return 0;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf) {
			n = 1;
			cp = u[i] & 0x1f;
		} else if (u[i] >= 0xe0 && u[i] <= 0xef) {
			n = 2;
			cp = u[i] & 0x0f;
		} else if (u[i] >= 0xf0 && u[i] <= 0xf4) {
			n = 3;
			cp = u[i] & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 ||
		    (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += n + 1;
	}
	return 1;
}

static void
sqlite_add_string(struct strbuf *sb, const char *p, size_t len)
{
	size_t	i;

	if (!sqlite_utf8_plain(p, len)) {
		sb_addstr(sb, "CAST(X'");
		sb_addhex(sb, p, len);
		sb_addstr(sb, "' AS TEXT)");
		return;
	}
	sb_addch(sb, '\'');
	for (i = 0; i < len; i++) {
		if (p[i] == '\'')
			sb_addch(sb, '\'');
		sb_addch(sb, p[i]);
	}
	sb_addch(sb, '\'');
}

/*
 * 1 when P (LEN bytes) is a plain decimal number that SQL reads as one
 * literal: [+-] digits [. digits] [e [+-] digits], or [+-] . digits ...
 */
static int
sqlite_is_number(const char *p, size_t len)
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

/* Append cell I of ROW as the literal that sqlite_bind() would bind. */
static void
sqlite_add_literal(struct strbuf *sb, const struct row *r, int i,
    enum type_family fam)
{
	const char	*p;
	size_t		 len;
	sqlite3_int64	 iv;
	double		 dv;

	if (row_null(r, i)) {
		sb_addstr(sb, "NULL");
		return;
	}
	p = row_ptr(r, i);
	len = row_len(r, i);
	switch (fam) {
	case TF_INTEGER:
	case TF_BOOLEAN:
		if (sqlite_parse_int(p, len, &iv) == 0) {
			sb_addf(sb, "%lld", (long long)iv);
			return;
		}
		break;
	case TF_FLOAT:
		if (sqlite_parse_double(p, len, &dv) == 0 && !isnan(dv)) {
			if (isinf(dv))
				sb_addstr(sb, dv < 0 ? "-9e999" : "9e999");
			else if (sqlite_is_number(p, len))
				sb_add(sb, p, len);
			else
				sb_addf(sb, "%.17g", dv);
			return;
		}
		break;
	case TF_BINARY:
		sb_addstr(sb, "X'");
		sb_addhex(sb, p, len);
		sb_addch(sb, '\'');
		return;
	default:
		break;
	}
	sqlite_add_string(sb, p, len);
}

/*
 * Append the parameter ?N of column I, or, with R, the literal of that
 * cell.
 */
static void
sqlite_add_value(struct strbuf *sb, const struct change_batch *b,
    const struct row *r, int i)
{
	if (r == NULL)
		sb_addf(sb, "?%d", i + 1);
	else
		sqlite_add_literal(sb, r, i, b->fam[i]);
}

/* 1 when a key of family FAM is compared byte by byte. */
static int
sqlite_fam_bytes(enum type_family fam)
{
	return fam != TF_INTEGER && fam != TF_DECIMAL && fam != TF_FLOAT &&
	    fam != TF_BOOLEAN;
}

/* "k1" = ?1 AND "k2" = ?2 (or literals from R). */
static void
sqlite_add_where(struct strbuf *sb, const struct change_batch *b,
    const struct row *r)
{
	int	i;

	sb_addstr(sb, " WHERE ");
	for (i = 0; i < b->nkey; i++) {
		if (i > 0)
			sb_addstr(sb, " AND ");
		sqlite_quote_ident(sb, b->cols[i]);
		sb_addstr(sb, " = ");
		sqlite_add_value(sb, b, r, i);
	}
}

static void
sqlite_add_collist(struct strbuf *sb, char *const *cols, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		sqlite_quote_ident(sb, cols[i]);
	}
}

/* INSERT INTO t (cols) VALUES (...) */
static void
sqlite_sql_insert(struct strbuf *sb, const struct sqlite_tref *tr,
    const struct change_batch *b, const struct row *r)
{
	int	i;

	sb_addstr(sb, "INSERT INTO ");
	sqlite_add_tref(sb, tr);
	sb_addstr(sb, " (");
	sqlite_add_collist(sb, b->cols, b->ncols);
	sb_addstr(sb, ") VALUES (");
	for (i = 0; i < b->ncols; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		sqlite_add_value(sb, b, r, i);
	}
	sb_addch(sb, ')');
}

/*
 * INSERT INTO t (cols) SELECT ... WHERE NOT EXISTS (row with that key): the
 * insert half of an update, as one statement.
 */
static void
sqlite_sql_insert_missing(struct strbuf *sb, const struct sqlite_tref *tr,
    const struct change_batch *b, const struct row *r)
{
	int	i;

	sb_addstr(sb, "INSERT INTO ");
	sqlite_add_tref(sb, tr);
	sb_addstr(sb, " (");
	sqlite_add_collist(sb, b->cols, b->ncols);
	sb_addstr(sb, ") SELECT ");
	for (i = 0; i < b->ncols; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		sqlite_add_value(sb, b, r, i);
	}
	sb_addstr(sb, " WHERE NOT EXISTS (SELECT 1 FROM ");
	sqlite_add_tref(sb, tr);
	sqlite_add_where(sb, b, r);
	sb_addch(sb, ')');
}

/* UPDATE t SET nonkey = ... WHERE keys */
static void
sqlite_sql_update(struct strbuf *sb, const struct sqlite_tref *tr,
    const struct change_batch *b, const struct row *r)
{
	int	i;

	sb_addstr(sb, "UPDATE ");
	sqlite_add_tref(sb, tr);
	sb_addstr(sb, " SET ");
	for (i = b->nkey; i < b->ncols; i++) {
		if (i > b->nkey)
			sb_addstr(sb, ", ");
		sqlite_quote_ident(sb, b->cols[i]);
		sb_addstr(sb, " = ");
		sqlite_add_value(sb, b, r, i);
	}
	sqlite_add_where(sb, b, r);
}

/* DELETE FROM t WHERE keys */
static void
sqlite_sql_delete(struct strbuf *sb, const struct sqlite_tref *tr,
    const struct change_batch *b, const struct row *r)
{
	sb_addstr(sb, "DELETE FROM ");
	sqlite_add_tref(sb, tr);
	sqlite_add_where(sb, b, r);
}

/* ---- scans ---- */

static void
sqlite_cursor_free(struct db_cursor *cur)
{
	int	i;

	if (cur == NULL)
		return;
	sqlite3_finalize(cur->st);
	for (i = 0; i < cur->ncols; i++)
		free(cur->cols[i]);
	free(cur->cols);
	free(cur->fam);
	free(cur->table);
	free(cur->conn);
	sb_free(&cur->tmp);
	free(cur);
}

static int
sqlite_scan(struct db_conn *c, const struct scan_spec *spec,
    struct db_cursor **out, struct ps_error *err)
{
	sqlite3			*db = sqlite_db(c);
	struct db_cursor	*cur;
	struct sqlite_tref	 tr;
	struct strbuf		 sql = STRBUF_INIT;
	int			 i, rc;

	*out = NULL;
	if (spec->ncols <= 0 || spec->nkey < 0 || spec->nkey > spec->ncols) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': scan of %d "
		    "columns with %d key columns", spec->table, spec->ncols,
		    spec->nkey);
		return -1;
	}
	cur = xcalloc(1, sizeof *cur);
	cur->table = xstrdup(spec->table);
	cur->conn = xstrdup(c->name);
	cur->ncols = spec->ncols;
	cur->cols = xcalloc((size_t)spec->ncols, sizeof *cur->cols);
	cur->fam = xcalloc((size_t)spec->ncols, sizeof *cur->fam);
	for (i = 0; i < spec->ncols; i++) {
		cur->cols[i] = xstrdup(spec->cols[i]);
		cur->fam[i] = spec->fam[i];
	}

	sqlite_tref(db, spec->table, &tr);
	sb_addstr(&sql, "SELECT ");
	sqlite_add_collist(&sql, spec->cols, spec->ncols);
	sb_addstr(&sql, " FROM ");
	sqlite_add_tref(&sql, &tr);
	for (i = 0; i < spec->nkey; i++) {
		if (spec->key_eq != NULL)
			sb_addstr(&sql, i == 0 ? " WHERE " : " AND ");
		else
			sb_addstr(&sql, i == 0 ? " ORDER BY " : ", ");
		sqlite_quote_ident(&sql, spec->cols[i]);
		if (spec->key_eq != NULL)
			sb_addf(&sql, " = ?%d", i + 1);
		if (sqlite_fam_bytes(spec->fam[i]))
			sb_addstr(&sql, " COLLATE BINARY");
	}
	rc = sqlite3_prepare_v2(db, sql.buf, -1, &cur->st, NULL);
	if (rc != SQLITE_OK) {
		if (!sqlite_table_exists(db, tr.schema != NULL ? tr.schema :
		    "main", tr.name) && !sqlite_table_exists(db, "temp",
		    tr.name))
			ps_error_set(err, PS_ERR_NOT_FOUND, "table '%s' does "
			    "not exist on connection '%s'", spec->table,
			    c->name);
		else
			sqlite_set_err(err, db, rc, spec->table);
		goto fail;
	}
	if (spec->key_eq != NULL) {
		for (i = 0; i < spec->nkey; i++) {
			rc = sqlite_bind(cur->st, i + 1, spec->key_eq, i,
			    spec->fam[i], SQLITE_TRANSIENT);
			if (rc != SQLITE_OK) {
				sqlite_set_err(err, db, rc, spec->table);
				goto fail;
			}
		}
	}
	sb_free(&sql);
	*out = cur;
	return 0;

fail:
	sb_free(&sql);
	sqlite_cursor_free(cur);
	return -1;
}

/*
 * Cell I of the current row into ROW in canonical form, taking the fast way
 * for the storage classes a column of its family usually holds.
 */
static int
sqlite_next_cell(struct db_cursor *cur, struct row *r, int i,
    struct ps_error *err)
{
	sqlite3_stmt		*st = cur->st;
	enum type_family	 fam = cur->fam[i];
	const char		*p;
	sqlite3_int64		 iv;
	double			 dv;
	int			 n;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		row_set_null(r, i);
		return 0;
	case SQLITE_INTEGER:
		iv = sqlite3_column_int64(st, i);
		if (fam == TF_INTEGER || fam == TF_DECIMAL) {
			/* An integer is its own canonical decimal. */
			sb_reset(&cur->tmp);
			value_canon_int64(iv, &cur->tmp);
			row_set(r, i, cur->tmp.buf, cur->tmp.len);
			return 0;
		}
		if (fam == TF_BOOLEAN && (iv == 0 || iv == 1)) {
			row_set(r, i, iv ? "true" : "false", iv ? 4 : 5);
			return 0;
		}
		break;
	case SQLITE_FLOAT:
		dv = sqlite3_column_double(st, i);
		if (fam == TF_FLOAT) {
			sb_reset(&cur->tmp);
			value_canon_double(dv, &cur->tmp);
			row_set(r, i, cur->tmp.buf, cur->tmp.len);
			return 0;
		}
		if (fam == TF_DECIMAL) {
			/* As SQLite itself shows a REAL: 15 digits. */
			sb_reset(&cur->tmp);
			value_canon_decimal_double(dv, &cur->tmp);
			row_set(r, i, cur->tmp.buf, cur->tmp.len);
			return 0;
		}
		break;
	case SQLITE_TEXT:
		if (fam == TF_TEXT) {
			p = (const char *)sqlite3_column_text(st, i);
			row_set(r, i, p, (size_t)sqlite3_column_bytes(st, i));
			return 0;
		}
		break;
	case SQLITE_BLOB:
		if (fam == TF_BINARY || fam == TF_TEXT || fam == TF_JSON ||
		    fam == TF_OTHER) {
			p = sqlite3_column_blob(st, i);
			row_set(r, i, p != NULL ? p : "",
			    (size_t)sqlite3_column_bytes(st, i));
			return 0;
		}
		break;
	}
	p = (const char *)sqlite3_column_text(st, i);
	n = sqlite3_column_bytes(st, i);
	if (row_set_canon(r, i, fam, p != NULL ? p : "", (size_t)n, err) != 0)
		goto bad;
	return 0;

bad:
	ps_error_prefix(err, "connection '%s', table '%s', column '%s'",
	    cur->conn, cur->table, cur->cols[i]);
	return -1;
}

static int
sqlite_next(struct db_cursor *cur, struct row *r, struct ps_error *err)
{
	int	i, rc;

	row_reset(r);
	if (cur->done)
		return 0;
	rc = sqlite3_step(cur->st);
	if (rc == SQLITE_DONE) {
		cur->done = 1;
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite_set_err(err, sqlite3_db_handle(cur->st), rc,
		    cur->table);
		ps_error_prefix(err, "connection '%s'", cur->conn);
		return -1;
	}
	for (i = 0; i < cur->ncols; i++)
		if (sqlite_next_cell(cur, r, i, err) != 0)
			return -1;
	return 1;
}

/*
 * SQLite keeps no row count: count(*) walks the smallest index, about a
 * tenth of a second per million rows, done once per table for progress.
 */
static int64_t
sqlite_estimate(struct db_conn *c, const char *table)
{
	sqlite3			*db = sqlite_db(c);
	sqlite3_stmt		*st = NULL;
	struct sqlite_tref	 tr;
	struct strbuf		 sb = STRBUF_INIT;
	int64_t			 n = -1;

	sqlite_tref(db, table, &tr);
	sb_addstr(&sb, "SELECT count(*) FROM ");
	sqlite_add_tref(&sb, &tr);
	if (sqlite3_prepare_v2(db, sb.buf, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sb_free(&sb);
	return n;
}

/* ---- transactions and writes ---- */

static int
sqlite_exec(struct db_conn *c, const char *sql, struct ps_error *err)
{
	sqlite3	*db = sqlite_db(c);
	char	*msg = NULL;
	int	 rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		ps_error_set(err, sqlite_err_code(rc), "connection '%s': %s",
		    c->name, msg != NULL ? msg : sqlite3_errstr(rc));
		if (err != NULL)
			err->native = sqlite3_extended_errcode(db);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
sqlite_begin(struct db_conn *c, struct ps_error *err)
{
	return sqlite_exec(c, "BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON",
	    err);
}

static int
sqlite_commit(struct db_conn *c, struct ps_error *err)
{
	return sqlite_exec(c, "COMMIT", err);
}

static int
sqlite_rollback(struct db_conn *c, struct ps_error *err)
{
	/* SQLite may have rolled back already (after some errors). */
	if (sqlite3_get_autocommit(sqlite_db(c)))
		return 0;
	return sqlite_exec(c, "ROLLBACK", err);
}

/* The cached statement for SQL, prepared on first use. */
static int
sqlite_stmt_get(struct sqlite_conn *sc, const char *sql, sqlite3_stmt **st)
{
	struct sqlite_stmt	*s, **pp;
	int			 rc;

	for (pp = &sc->stmts; (s = *pp) != NULL; pp = &s->next) {
		if (strcmp(s->sql, sql) == 0) {
			/* Move to the front: the next batch asks again. */
			*pp = s->next;
			s->next = sc->stmts;
			sc->stmts = s;
			*st = s->st;
			return SQLITE_OK;
		}
	}
	rc = sqlite3_prepare_v3(sc->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	s = xcalloc(1, sizeof *s);
	s->sql = xstrdup(sql);
	s->st = *st;
	s->next = sc->stmts;
	sc->stmts = s;
	return SQLITE_OK;
}

/* Bind the first parameters of ST from ROW's cells and run it once. */
static int
sqlite_run(sqlite3_stmt *st, const struct change_batch *b,
    const struct row *r)
{
	int	i, n, rc;

	n = sqlite3_bind_parameter_count(st);
	for (i = 0; i < n && i < b->ncols; i++)
		if ((rc = sqlite_bind(st, i + 1, r, i, b->fam[i],
		    SQLITE_STATIC)) != SQLITE_OK)
			goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		rc = SQLITE_OK;
out:
	sqlite3_reset(st);
	return rc;
}

enum sqlite_kind { SK_INSERT, SK_UPDATE, SK_INSERT_MISSING, SK_DELETE };

static int
sqlite_apply(struct db_conn *c, const struct change_batch *b, size_t *failed,
    struct ps_error *err)
{
	struct sqlite_conn	*sc = c->priv;
	sqlite3_stmt		*st[4] = { NULL, NULL, NULL, NULL };
	struct sqlite_tref	 tr;
	struct strbuf		 sql = STRBUF_INIT;
	const struct change	*ch;
	size_t			 k;
	int			 rc = SQLITE_OK, kind, allkey;

	*failed = 0;
	if (b->n == 0)
		return 0;
	if (b->ncols <= 0 || b->nkey <= 0 || b->nkey > b->ncols) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': %d columns with "
		    "%d key columns cannot be written", b->table, b->ncols,
		    b->nkey);
		return -1;
	}
	sqlite_tref(sc->db, b->table, &tr);
	allkey = b->nkey == b->ncols;
	for (k = 0; k < b->n; k++) {
		ch = &b->ch[k];
		switch (ch->op) {
		case CH_INSERT:
			kind = SK_INSERT;
			break;
		case CH_UPDATE:
			kind = allkey ? SK_INSERT_MISSING : SK_UPDATE;
			break;
		default:
			kind = SK_DELETE;
			break;
		}
		if (st[kind] == NULL) {
			sb_reset(&sql);
			if (kind == SK_INSERT)
				sqlite_sql_insert(&sql, &tr, b, NULL);
			else if (kind == SK_UPDATE)
				sqlite_sql_update(&sql, &tr, b, NULL);
			else if (kind == SK_INSERT_MISSING)
				sqlite_sql_insert_missing(&sql, &tr, b, NULL);
			else
				sqlite_sql_delete(&sql, &tr, b, NULL);
			if ((rc = sqlite_stmt_get(sc, sql.buf, &st[kind])) !=
			    SQLITE_OK)
				goto fail;
		}
		if ((rc = sqlite_run(st[kind], b, &ch->row)) != SQLITE_OK)
			goto fail;
		if (kind != SK_UPDATE || sqlite3_changes(sc->db) > 0)
			continue;
		/* The update found no row: insert it. */
		if (st[SK_INSERT] == NULL) {
			sb_reset(&sql);
			sqlite_sql_insert(&sql, &tr, b, NULL);
			if ((rc = sqlite_stmt_get(sc, sql.buf, &st[SK_INSERT]))
			    != SQLITE_OK)
				goto fail;
		}
		if ((rc = sqlite_run(st[SK_INSERT], b, &ch->row)) != SQLITE_OK)
			goto fail;
	}
	sb_free(&sql);
	return 0;

fail:
	*failed = k;
	sqlite_set_err(err, sc->db, rc, b->table);
	sb_free(&sql);
	return -1;
}

static void
sqlite_render(struct db_conn *c, const struct change_batch *b,
    struct strbuf *out)
{
	struct sqlite_tref	 tr;
	const struct change	*ch;
	size_t			 k;

	if (b->n == 0 || b->nkey <= 0 || b->nkey > b->ncols)
		return;
	sqlite_tref(sqlite_db(c), b->table, &tr);
	for (k = 0; k < b->n; k++) {
		ch = &b->ch[k];
		switch (ch->op) {
		case CH_INSERT:
			sqlite_sql_insert(out, &tr, b, &ch->row);
			break;
		case CH_UPDATE:
			if (b->nkey < b->ncols) {
				sqlite_sql_update(out, &tr, b, &ch->row);
				sb_addstr(out, ";\n");
			}
			sqlite_sql_insert_missing(out, &tr, b, &ch->row);
			break;
		case CH_DELETE:
			sqlite_sql_delete(out, &tr, b, &ch->row);
			break;
		}
		sb_addstr(out, ";\n");
	}
}

/* ---- DDL ---- */

/*
 * Append the SQLite spelling of DEFAULT EXPR when it is a plain literal:
 * a number, a quoted string (a PostgreSQL "::type" cast after it is
 * dropped), NULL, TRUE/FALSE (as 1/0), or, when NOW is set, CURRENT_TIMESTAMP,
 * CURRENT_DATE or CURRENT_TIME.  Returns 1 when appended, 0 for anything
 * else (function calls such as nextval(...) or now()).
 */
static int
sqlite_default_literal(const char *expr, int now, int *isnull,
    struct strbuf *sb)
{
	static const char *const times[] = {
		"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"
	};
	const char	*p, *q;
	size_t		 len, i;

	*isnull = 0;
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
		*isnull = 1;
		sb_addstr(sb, "NULL");
		return 1;
	}
	if (len == 4 && strncasecmp(p, "TRUE", 4) == 0) {
		sb_addch(sb, '1');
		return 1;
	}
	if (len == 5 && strncasecmp(p, "FALSE", 5) == 0) {
		sb_addch(sb, '0');
		return 1;
	}
	for (i = 0; i < nitems(times); i++) {
		if (now && len == strlen(times[i]) &&
		    strncasecmp(p, times[i], len) == 0) {
			sb_addstr(sb, times[i]);
			return 1;
		}
	}
	if (sqlite_is_number(p, len)) {
		sb_add(sb, p, len);
		return 1;
	}
	if (p[0] != '\'')
		return 0;
	/* A quoted string, '' inside, then nothing or a "::type" cast. */
	for (q = p + 1; q < p + len; q++) {
		if (*q != '\'')
			continue;
		if (q + 1 < p + len && q[1] == '\'') {
			q++;
			continue;
		}
		break;
	}
	if (q >= p + len)
		return 0;
	q++;
	if (q < p + len && (q + 1 >= p + len || q[0] != ':' || q[1] != ':'))
		return 0;
	sb_add(sb, p, (size_t)(q - p));
	return 1;
}

/* Append the SQLite type of a column of the model. */
static void
sqlite_add_type(struct strbuf *sb, const struct column_def *cd)
{
	switch (cd->family) {
	case TF_INTEGER:
		sb_addstr(sb, "INTEGER");
		break;
	case TF_DECIMAL:
		if (cd->precision > 0 && cd->scale >= 0)
			sb_addf(sb, "NUMERIC(%d,%d)", cd->precision, cd->scale);
		else if (cd->precision > 0)
			sb_addf(sb, "NUMERIC(%d)", cd->precision);
		else
			sb_addstr(sb, "NUMERIC");
		break;
	case TF_FLOAT:
		sb_addstr(sb, "REAL");
		break;
	case TF_BOOLEAN:
		sb_addstr(sb, "BOOLEAN");
		break;
	case TF_TEXT:
		if (cd->length > 0)
			sb_addf(sb, "VARCHAR(%d)", cd->length);
		else
			sb_addstr(sb, "TEXT");
		break;
	case TF_BINARY:
		if (cd->length > 0)
			sb_addf(sb, "BLOB(%d)", cd->length);
		else
			sb_addstr(sb, "BLOB");
		break;
	case TF_DATE:
		sb_addstr(sb, "DATE");
		break;
	case TF_TIME:
		sb_addstr(sb, "TIME");
		break;
	case TF_TIMESTAMP:
		sb_addstr(sb, "DATETIME");
		break;
	case TF_TIMESTAMPTZ:
		sb_addstr(sb, "TIMESTAMPTZ");
		break;
	case TF_JSON:
		sb_addstr(sb, "JSON");
		break;
	case TF_UUID:
		sb_addstr(sb, "UUID");
		break;
	default:
		sb_addstr(sb, "TEXT");
		break;
	}
	/* Fractional-second digits: ignored by SQLite, read by describe. */
	if ((cd->family == TF_TIME || cd->family == TF_TIMESTAMP ||
	    cd->family == TF_TIMESTAMPTZ) && cd->scale >= 0)
		sb_addf(sb, "(%d)", cd->scale);
}

/*
 * Append one column definition.  ADD is set for ALTER TABLE ADD COLUMN,
 * where SQLite takes only constant defaults and a NOT NULL column needs a
 * non-NULL one (without it the column is added nullable).
 */
static void
sqlite_add_coldef(struct strbuf *sb, const struct column_def *cd, int rowid,
    int add)
{
	struct strbuf	dflt = STRBUF_INIT;
	int		has, isnull;

	sqlite_quote_ident(sb, cd->name);
	sb_addch(sb, ' ');
	if (rowid) {
		sb_addstr(sb, "INTEGER PRIMARY KEY");
		return;
	}
	sqlite_add_type(sb, cd);
	has = sqlite_default_literal(cd->default_expr, !add, &isnull, &dflt);
	if (!cd->nullable && (!add || (has && !isnull)))
		sb_addstr(sb, " NOT NULL");
	if (has) {
		sb_addstr(sb, " DEFAULT ");
		sb_add(sb, dflt.buf, dflt.len);
	}
	sb_free(&dflt);
}

static int
sqlite_ddl(struct db_conn *c, enum ddl_op op, const struct table_def *m,
    int col, struct strbuf *sb, struct ps_error *err)
{
	struct sqlite_tref	 tr;
	const struct fk_def	*fk;
	const struct index_def	*ix;
	int			 i, k, rowid = -1, refs;

	(void)c;
	tr.schema = NULL;
	if (m->schema != NULL && (strcasecmp(m->schema, "main") == 0 ||
	    strcasecmp(m->schema, "temp") == 0))
		tr.schema = m->schema;
	tr.name = m->name;

	switch (op) {
	case DDL_WIDEN_COLUMN:
		return 1;
	case DDL_ADD_COLUMN:
		if (col < 0 || col >= m->ncols) {
			ps_error_set(err, PS_ERR_USAGE, "table '%s': no "
			    "column %d to add", m->name, col);
			return -1;
		}
		sb_addstr(sb, "ALTER TABLE ");
		sqlite_add_tref(sb, &tr);
		sb_addstr(sb, " ADD COLUMN ");
		sqlite_add_coldef(sb, &m->cols[col], 0, 1);
		sb_addstr(sb, ";\n");
		return 0;
	case DDL_CREATE_TABLE:
		break;
	default:
		ps_error_set(err, PS_ERR_UNSUPPORTED, "table '%s': DDL "
		    "operation %d is not supported on SQLite", m->name, op);
		return -1;
	}
	if (m->ncols <= 0) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': no columns to "
		    "create", m->name);
		return -1;
	}

	/* A single integer primary key becomes the rowid. */
	if (m->npk == 1 && (i = sqlite_col_index(m, m->pk[0])) >= 0 &&
	    m->cols[i].family == TF_INTEGER)
		rowid = i;

	sb_addstr(sb, "CREATE TABLE ");
	sqlite_add_tref(sb, &tr);
	sb_addstr(sb, " (");
	for (i = 0; i < m->ncols; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		sqlite_add_coldef(sb, &m->cols[i], i == rowid, 0);
	}
	if (m->npk > 0 && rowid < 0) {
		sb_addstr(sb, ", PRIMARY KEY (");
		sqlite_add_collist(sb, m->pk, m->npk);
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
		sqlite_add_collist(sb, ix->cols, ix->ncols);
		sb_addch(sb, ')');
	}
	for (k = 0; k < m->nfk; k++) {
		fk = &m->fks[k];
		if (fk->ncols <= 0 || fk->ref_table == NULL)
			continue;
		sb_addstr(sb, ", FOREIGN KEY (");
		sqlite_add_collist(sb, fk->cols, fk->ncols);
		sb_addstr(sb, ") REFERENCES ");
		sqlite_quote_ident(sb, fk->ref_table);
		refs = fk->ref_cols != NULL;
		for (i = 0; refs && i < fk->ncols; i++)
			if (fk->ref_cols[i] == NULL)
				refs = 0;
		if (refs) {
			sb_addstr(sb, " (");
			sqlite_add_collist(sb, fk->ref_cols, fk->ncols);
			sb_addch(sb, ')');
		}
	}
	sb_addstr(sb, ");\n");
	return 0;
}

const struct db_ops db_sqlite_ops = {
	.version = DB_OPS_VERSION,
	.name = "sqlite",
	.global_init = NULL,
	.connect = sqlite_connect,
	.close = sqlite_close,
	.cancel = sqlite_cancel,
	.server_version = sqlite_server_version,
	.list_tables = sqlite_list_tables,
	.describe = sqlite_describe,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.scan = sqlite_scan,
	.next = sqlite_next,
	.cursor_free = sqlite_cursor_free,
	.apply = sqlite_apply,
	.render = sqlite_render,
	.exec = sqlite_exec,
	.ddl = sqlite_ddl,
	.quote_ident = sqlite_quote_ident,
	.after_write = NULL,
	.estimate = sqlite_estimate,
};
