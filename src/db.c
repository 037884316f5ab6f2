/*
 * projsync - db.c: the driver registry, opening and closing connections, and
 * change batches (the rows apply() writes).
 */
#include "projsync/common.h"

#include <stdlib.h>
#include <string.h>

#include "projsync/conf.h"
#include "projsync/db.h"

/*
 * Every engine projsync knows.  An engine that was not built in keeps its
 * entry with OPS NULL, so asking for it says how to get it rather than
 * calling the type unknown.
 */
static const struct db_driver_entry {
	const char		*type;
	const struct db_ops	*ops;
	const char		*missing;	/* error when OPS is NULL */
} db_drivers[] = {
	{ "sqlite", &db_sqlite_ops, NULL },
#ifdef HAVE_LIBPQ
	{ "postgresql", &db_pg_ops, NULL },
#else
	{ "postgresql", NULL,
	    "built without PostgreSQL support (configure --with-postgresql)" },
#endif
#ifdef HAVE_MYSQL
	{ "mysql", &db_mysql_ops, NULL },
#else
	{ "mysql", NULL,
	    "built without MySQL support (configure --with-mysql)" },
#endif
};

void
db_wipe(char *s)
{
	volatile char	*p;

	if (s == NULL)
		return;
	for (p = s; *p != '\0'; p++)
		*p = '\0';
}

const struct db_ops *
db_driver(const char *type, struct ps_error *err)
{
	const char	*canon;
	size_t		 i;

	if (type == NULL || *type == '\0') {
		ps_error_set(err, PS_ERR_USAGE, "no connection type given "
		    "(expected sqlite, postgresql or mysql)");
		return NULL;
	}
	if ((canon = conn_type_canonical(type)) == NULL)
		canon = type;
	for (i = 0; i < nitems(db_drivers); i++) {
		if (strcmp(db_drivers[i].type, canon) != 0)
			continue;
		if (db_drivers[i].ops == NULL) {
			ps_error_set(err, PS_ERR_UNSUPPORTED, "%s",
			    db_drivers[i].missing);
			return NULL;
		}
		return db_drivers[i].ops;
	}
	ps_error_set(err, PS_ERR_USAGE, "unknown connection type '%s' "
	    "(expected sqlite, postgresql or mysql)", type);
	return NULL;
}

int
db_global_init(struct ps_error *err)
{
	const struct db_ops	*ops;
	size_t			 i;

	for (i = 0; i < nitems(db_drivers); i++) {
		ops = db_drivers[i].ops;
		if (ops == NULL || ops->global_init == NULL)
			continue;
		if (ops->global_init(err) != 0)
			return -1;
	}
	return 0;
}

int
db_open(const struct conn_conf *conf, int timeout_s, struct db_conn **out,
    struct ps_error *err)
{
	const struct db_ops	*ops;
	struct db_conn		*c = NULL;
	char			*password = NULL;
	int			 rc = -1;

	*out = NULL;
	if ((ops = db_driver(conf->type, err)) == NULL) {
		ps_error_prefix(err, "connection '%s'", conf->name);
		goto out;
	}
	if (conn_password(conf, &password, err) != 0)
		goto out;

	c = xcalloc(1, sizeof *c);
	c->ops = ops;
	c->name = xstrdup(conf->name);
	if (ops->connect(c, conf, password, timeout_s, err) != 0) {
		db_close(c);
		goto out;
	}
	*out = c;
	rc = 0;

out:
	db_wipe(password);
	free(password);
	return rc;
}

int
db_open_writer(const struct db_conn *c, struct db_conn **out,
    struct ps_error *err)
{
	struct db_conn	*w;

	*out = NULL;
	if (c->ops->open_writer == NULL) {
		ps_error_set(err, PS_ERR_UNSUPPORTED, "connection '%s': %s has "
		    "no second write session", c->name, c->ops->name);
		return -1;
	}
	w = xcalloc(1, sizeof *w);
	w->ops = c->ops;
	w->name = xstrdup(c->name);
	if (c->ops->open_writer(c, w, err) != 0) {
		db_close(w);
		return -1;
	}
	*out = w;
	return 0;
}

void
db_close(struct db_conn *c)
{
	if (c == NULL)
		return;
	c->ops->close(c);
	free(c->name);
	free(c);
}

void
change_batch_init(struct change_batch *b, const char *table, int ncols,
    char *const *cols, const enum type_family *fam, int nkey)
{
	memset(b, 0, sizeof *b);
	b->table = table;
	b->ncols = ncols;
	b->cols = cols;
	b->fam = fam;
	b->nkey = nkey;
}

/*
 * Append a copy of ROW with OP.  Slots past n keep the memory of rows added
 * before a clear, and row_copy() reuses it.  Returns the new change, valid
 * until the next add.
 */
struct change *
change_batch_add(struct change_batch *b, enum change_op op,
    const struct row *row)
{
	struct change	*ch;
	size_t		 cap;

	if (b->n == b->cap) {
		cap = b->cap == 0 ? 64 : b->cap * 2;
		b->ch = xreallocarray(b->ch, cap, sizeof *b->ch);
		memset(b->ch + b->cap, 0, (cap - b->cap) * sizeof *b->ch);
		b->cap = cap;
	}
	ch = &b->ch[b->n++];
	ch->op = op;
	row_copy(&ch->row, row);
	return ch;
}

void
change_batch_clear(struct change_batch *b)
{
	b->n = 0;
}

void
change_batch_free(struct change_batch *b)
{
	size_t	i;

	for (i = 0; i < b->cap; i++) {
		/* Slots never used are still zeroed. */
		if (b->ch[i].row.cells != NULL || b->ch[i].row.data.buf != NULL)
			row_free(&b->ch[i].row);
	}
	free(b->ch);
	b->ch = NULL;
	b->n = 0;
	b->cap = 0;
}
