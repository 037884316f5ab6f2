/*
 * projsync - schema.c: the engine-independent table model (struct table_def:
 * free, copy, column lookup, key choice) and the comparison of two sides of a
 * table (SPEC section 6).
 *
 * How schema_compare() decides.  Only what stops data flowing in the sync's
 * direction counts: one-way checks the target as the receiving side of the
 * source; bidirectional also checks the source as the receiving side of the
 * target.  A side that is wider is never a difference.  Column names match
 * exactly (case included), as the engine names them in its statements.
 *
 * - The table missing on a receiving side: minor SI_TABLE_MISSING.  Nothing
 *   else is compared then.  A table missing on a side that only sends gives
 *   no item.
 * - A column missing on a receiving side: minor SI_COLUMN_MISSING, always.
 *   The receiving side takes it as a nullable column (or NOT NULL with its
 *   default, when it has one), which an ALTER can add to a table with rows;
 *   the sending side then always has a value to give.  When the column is NOT
 *   NULL without default on a side that also receives (bidirectional), the
 *   check in the other direction reports that side as major
 *   SI_NOT_NULL_UNFILLABLE, so the pair stays major until migrated.
 * - A column only on the receiving side that is NOT NULL, has no default and
 *   is not filled by the database (autoincrement): major
 *   SI_NOT_NULL_UNFILLABLE, since inserts from the other side would fail.
 * - Different type families: major SI_FAMILY_MISMATCH, reported once (side:
 *   the target).  TF_OTHER and TF_TEXT count as one family: both hold the
 *   value's text as stored.
 * - Same family, receiving side narrower: minor SI_TYPE_NARROWER.  Text and
 *   binary by length (-1, unbounded, is the widest); decimal by its digits
 *   before the point (precision - scale) and its scale, an unknown precision
 *   (-1) counting as unbounded; integer by storage bytes, and an unsigned
 *   sending column is also narrower on a signed receiving one of no more
 *   bytes; time, timestamp and timestamptz by fractional-second digits, only
 *   when both sides know them.  Floats are not compared by width.
 * - A receiving column NOT NULL (and not autoincrement) where the sending
 *   one is nullable: minor, part of the same column's SI_TYPE_NARROWER item
 *   ("NOT NULL on target, nullable on source").  A default does not help
 *   here, since the sync writes the NULL explicitly; such a value fails as a
 *   row error.  One item per column and side, so migration widens a column
 *   once.
 * - Both primary keys known and different (names and order): major
 *   SI_PK_DIFFERS, reported once (side: the target).  One side without a
 *   primary key is no difference by itself.
 */
#include "projsync/common.h"
#include "projsync/schema.h"
#include "projsync/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Copy a vector of N strings (entries may be NULL); NULL when N is 0. */
static char **
schema_strv_copy(char *const *v, int n)
{
	char	**out;
	int	  i;

	if (n <= 0 || v == NULL)
		return NULL;
	out = xcalloc((size_t)n, sizeof *out);
	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void
column_def_free(struct column_def *c)
{
	free(c->name);
	free(c->type_name);
	free(c->default_expr);
	memset(c, 0, sizeof *c);
}

static void
column_def_copy(struct column_def *dst, const struct column_def *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->type_name = xstrdup(src->type_name);
	dst->default_expr = xstrdup(src->default_expr);
}

void
table_def_free(struct table_def *t)
{
	int	i;

	if (t == NULL)
		return;
	free(t->schema);
	free(t->name);
	for (i = 0; i < t->ncols; i++)
		column_def_free(&t->cols[i]);
	free(t->cols);
	util_strvn_free(t->pk, t->npk);
	for (i = 0; i < t->nidx; i++) {
		free(t->idx[i].name);
		util_strvn_free(t->idx[i].cols, t->idx[i].ncols);
	}
	free(t->idx);
	for (i = 0; i < t->nfk; i++) {
		free(t->fks[i].name);
		free(t->fks[i].ref_table);
		util_strvn_free(t->fks[i].cols, t->fks[i].ncols);
		util_strvn_free(t->fks[i].ref_cols, t->fks[i].ncols);
	}
	free(t->fks);
	memset(t, 0, sizeof *t);
}

int
table_def_col(const struct table_def *t, const char *name)
{
	int	i;

	if (t == NULL || name == NULL)
		return -1;
	for (i = 0; i < t->ncols; i++) {
		if (t->cols[i].name != NULL &&
		    strcmp(t->cols[i].name, name) == 0)
			return i;
	}
	return -1;
}

void
table_def_copy(struct table_def *dst, const struct table_def *src)
{
	int	i;

	memset(dst, 0, sizeof *dst);
	dst->schema = xstrdup(src->schema);
	dst->name = xstrdup(src->name);

	if (src->ncols > 0) {
		dst->cols = xcalloc((size_t)src->ncols, sizeof *dst->cols);
		for (i = 0; i < src->ncols; i++)
			column_def_copy(&dst->cols[i], &src->cols[i]);
		dst->ncols = src->ncols;
	}

	dst->pk = schema_strv_copy(src->pk, src->npk);
	dst->npk = dst->pk != NULL ? src->npk : 0;

	if (src->nidx > 0) {
		dst->idx = xcalloc((size_t)src->nidx, sizeof *dst->idx);
		for (i = 0; i < src->nidx; i++) {
			dst->idx[i].name = xstrdup(src->idx[i].name);
			dst->idx[i].unique = src->idx[i].unique;
			dst->idx[i].cols = schema_strv_copy(src->idx[i].cols,
			    src->idx[i].ncols);
			if (dst->idx[i].cols != NULL)
				dst->idx[i].ncols = src->idx[i].ncols;
		}
		dst->nidx = src->nidx;
	}

	if (src->nfk > 0) {
		dst->fks = xcalloc((size_t)src->nfk, sizeof *dst->fks);
		for (i = 0; i < src->nfk; i++) {
			dst->fks[i].name = xstrdup(src->fks[i].name);
			dst->fks[i].ref_table = xstrdup(src->fks[i].ref_table);
			dst->fks[i].cols = schema_strv_copy(src->fks[i].cols,
			    src->fks[i].ncols);
			dst->fks[i].ref_cols = schema_strv_copy(
			    src->fks[i].ref_cols, src->fks[i].ncols);
			if (dst->fks[i].cols != NULL)
				dst->fks[i].ncols = src->fks[i].ncols;
		}
		dst->nfk = src->nfk;
	}
}

/* "schema.name" or "name", for messages; the caller frees. */
static char *
table_def_display(const struct table_def *t)
{
	const char	*name;
	char		*s;

	name = t->name != NULL ? t->name : "";
	if (t->schema != NULL && *t->schema != '\0')
		xasprintf(&s, "%s.%s", t->schema, name);
	else
		s = xstrdup(name);
	return s;
}

/* A NULL-terminated copy of N names, as table_def_key() hands out. */
static char **
table_def_key_names(char *const *v, int n)
{
	char	**out;
	int	  i;

	out = xcalloc((size_t)n + 1, sizeof *out);
	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	out[n] = NULL;
	return out;
}

int
table_def_key(const struct table_def *t, char *const *key_columns,
    int nkey_columns, char ***names, struct ps_error *err)
{
	const struct index_def	*ix;
	char			*tname = NULL;
	int			 i, j, c, ok, rc = -1;

	*names = NULL;
	tname = table_def_display(t);

	if (key_columns != NULL && nkey_columns > 0) {
		for (i = 0; i < nkey_columns; i++) {
			if (key_columns[i] == NULL ||
			    table_def_col(t, key_columns[i]) == -1) {
				ps_error_set(err, PS_ERR_NO_KEY,
				    "key column '%s' does not exist in table "
				    "'%s'", key_columns[i] != NULL ?
				    key_columns[i] : "", tname);
				goto out;
			}
			for (j = 0; j < i; j++) {
				if (strcmp(key_columns[j], key_columns[i]) != 0)
					continue;
				ps_error_set(err, PS_ERR_NO_KEY,
				    "key column '%s' is named twice for table "
				    "'%s'", key_columns[i], tname);
				goto out;
			}
		}
		*names = table_def_key_names(key_columns, nkey_columns);
		rc = nkey_columns;
		goto out;
	}

	if (t->npk > 0) {
		*names = table_def_key_names(t->pk, t->npk);
		rc = t->npk;
		goto out;
	}

	for (i = 0; i < t->nidx; i++) {
		ix = &t->idx[i];
		if (!ix->unique || ix->ncols <= 0)
			continue;
		ok = 1;
		for (j = 0; j < ix->ncols && ok; j++) {
			c = table_def_col(t, ix->cols[j]);
			if (c == -1 || t->cols[c].nullable)
				ok = 0;
		}
		if (ok) {
			*names = table_def_key_names(ix->cols, ix->ncols);
			rc = ix->ncols;
			goto out;
		}
	}

	ps_error_set(err, PS_ERR_NO_KEY, "table '%s' has no primary key, no "
	    "unique index on NOT NULL columns and no key_columns setting",
	    tname);
out:
	free(tname);
	return rc;
}

const char *
schema_item_kind_name(enum schema_item_kind kind)
{
	switch (kind) {
	case SI_TABLE_MISSING:
		return "table_missing";
	case SI_COLUMN_MISSING:
		return "column_missing";
	case SI_TYPE_NARROWER:
		return "type_narrower";
	case SI_FAMILY_MISMATCH:
		return "family_mismatch";
	case SI_PK_DIFFERS:
		return "pk_differs";
	case SI_NOT_NULL_UNFILLABLE:
		return "not_null_unfillable";
	}
	return "unknown";
}

const char *
schema_sev_name(enum schema_sev sev)
{
	return sev == SEV_MAJOR ? "major" : "minor";
}

const char *
schema_side_name(enum schema_side side)
{
	return side == SIDE_SOURCE ? "source" : "target";
}

void
schema_diff_free(struct schema_diff *d)
{
	int	i;

	if (d == NULL)
		return;
	free(d->table);
	for (i = 0; i < d->n; i++) {
		free(d->items[i].column);
		free(d->items[i].detail);
	}
	free(d->items);
	memset(d, 0, sizeof *d);
}

/* Append an item; takes DETAIL (allocated). */
static void
schema_diff_add(struct schema_diff *d, enum schema_item_kind kind,
    enum schema_sev sev, enum schema_side side, const char *column,
    char *detail)
{
	struct schema_item	*it;

	d->items = xreallocarray(d->items, (size_t)d->n + 1, sizeof *d->items);
	it = &d->items[d->n++];
	it->kind = kind;
	it->sev = sev;
	it->side = side;
	it->column = xstrdup(column);
	it->detail = detail;
	if (sev == SEV_MAJOR)
		d->major = 1;
}

/* The column's type for people: as declared, else its family and width. */
static void
schema_type_desc(struct strbuf *sb, const struct column_def *c)
{
	if (c->type_name != NULL && *c->type_name != '\0') {
		sb_addstr(sb, c->type_name);
		return;
	}
	sb_addstr(sb, tf_name(c->family));
	if ((c->family == TF_TEXT || c->family == TF_BINARY) && c->length >= 0)
		sb_addf(sb, "(%d)", c->length);
	else if (c->family == TF_DECIMAL && c->precision >= 0)
		sb_addf(sb, "(%d,%d)", c->precision,
		    c->scale >= 0 ? c->scale : 0);
}

/* " (up to N)" or " (unbounded)" for a text or binary column. */
static void
schema_size_desc(struct strbuf *sb, const struct column_def *c)
{
	if (c->family != TF_TEXT && c->family != TF_BINARY)
		return;
	if (c->length >= 0)
		sb_addf(sb, " (up to %d)", c->length);
	else
		sb_addstr(sb, " (unbounded)");
}

/* Families that hold the same values. */
static int
schema_family_compatible(enum type_family a, enum type_family b)
{
	if (a == b)
		return 1;
	if ((a == TF_TEXT && b == TF_OTHER) || (a == TF_OTHER && b == TF_TEXT))
		return 1;
	return 0;
}

/* Whether RECV, of the same family as SEND, cannot hold all its values. */
static int
schema_type_narrower(const struct column_def *send,
    const struct column_def *recv)
{
	int	ss, rs;

	switch (send->family) {
	case TF_TEXT:
	case TF_BINARY:
		if (recv->length < 0)
			return 0;
		return send->length < 0 || recv->length < send->length;
	case TF_DECIMAL:
		if (recv->precision < 0)
			return 0;
		if (send->precision < 0)
			return 1;
		ss = send->scale > 0 ? send->scale : 0;
		rs = recv->scale > 0 ? recv->scale : 0;
		return rs < ss || recv->precision - rs < send->precision - ss;
	case TF_INTEGER:
		if (send->precision <= 0 || recv->precision <= 0)
			return 0;
		if (recv->precision < send->precision)
			return 1;
		return send->is_unsigned && !recv->is_unsigned &&
		    recv->precision <= send->precision;
	case TF_TIME:
	case TF_TIMESTAMP:
	case TF_TIMESTAMPTZ:
		if (send->scale < 0 || recv->scale < 0)
			return 0;
		return recv->scale < send->scale;
	default:
		return 0;
	}
}

/* NOT NULL on RECV where SEND is nullable (autoincrement fills itself). */
static int
schema_null_narrower(const struct column_def *send,
    const struct column_def *recv)
{
	return send->nullable && !recv->nullable && !recv->autoincrement;
}

/* A NOT NULL column the database cannot fill when an insert omits it. */
static int
schema_col_unfillable(const struct column_def *c)
{
	return !c->nullable && c->default_expr == NULL && !c->autoincrement;
}

static void
schema_pk_text(struct strbuf *sb, const struct table_def *t)
{
	int	i;

	sb_addch(sb, '(');
	for (i = 0; i < t->npk; i++)
		sb_addf(sb, "%s%s", i > 0 ? ", " : "", t->pk[i]);
	sb_addch(sb, ')');
}

static int
schema_pk_equal(const struct table_def *a, const struct table_def *b)
{
	int	i;

	if (a->npk != b->npk)
		return 0;
	for (i = 0; i < a->npk; i++) {
		if (strcmp(a->pk[i], b->pk[i]) != 0)
			return 0;
	}
	return 1;
}

/*
 * Report what RECV (on side RSIDE) lacks or has narrower to take the data of
 * SEND.  FIRST is set on the first pass only: the symmetric items (family,
 * primary key) are reported there, once.
 */
static void
schema_check(const struct table_def *send, const struct table_def *recv,
    enum schema_side rside, int first, struct schema_diff *out)
{
	const struct column_def	*sc, *rc;
	const char		*rname, *sname;
	struct strbuf		 sb = STRBUF_INIT;
	int			 i, j, narrow, nulls;

	rname = schema_side_name(rside);
	sname = schema_side_name(rside == SIDE_TARGET ? SIDE_SOURCE :
	    SIDE_TARGET);

	if (send == NULL)
		return;
	if (recv == NULL) {
		sb_addf(&sb, "table '%s' is missing on %s", out->table, rname);
		schema_diff_add(out, SI_TABLE_MISSING, SEV_MINOR, rside, NULL,
		    sb_detach(&sb));
		return;
	}

	if (first && send->npk > 0 && recv->npk > 0 &&
	    !schema_pk_equal(send, recv)) {
		sb_addstr(&sb, "primary key is ");
		schema_pk_text(&sb, recv);
		sb_addf(&sb, " on %s, ", rname);
		schema_pk_text(&sb, send);
		sb_addf(&sb, " on %s", sname);
		schema_diff_add(out, SI_PK_DIFFERS, SEV_MAJOR, rside, NULL,
		    sb_detach(&sb));
	}

	for (i = 0; i < send->ncols; i++) {
		sc = &send->cols[i];
		if ((j = table_def_col(recv, sc->name)) == -1) {
			sb_addf(&sb, "column '%s' (", sc->name);
			schema_type_desc(&sb, sc);
			sb_addf(&sb, ") is missing on %s", rname);
			schema_diff_add(out, SI_COLUMN_MISSING, SEV_MINOR,
			    rside, sc->name, sb_detach(&sb));
			continue;
		}
		rc = &recv->cols[j];

		if (!schema_family_compatible(sc->family, rc->family)) {
			if (!first)
				continue;
			sb_addf(&sb, "column '%s' is %s (", sc->name,
			    tf_name(rc->family));
			schema_type_desc(&sb, rc);
			sb_addf(&sb, ") on %s, %s (", rname,
			    tf_name(sc->family));
			schema_type_desc(&sb, sc);
			sb_addf(&sb, ") on %s", sname);
			schema_diff_add(out, SI_FAMILY_MISMATCH, SEV_MAJOR,
			    rside, sc->name, sb_detach(&sb));
			continue;
		}

		narrow = sc->family == rc->family &&
		    schema_type_narrower(sc, rc);
		nulls = schema_null_narrower(sc, rc);
		if (!narrow && !nulls)
			continue;
		sb_addf(&sb, "column '%s' is ", sc->name);
		if (narrow) {
			schema_type_desc(&sb, rc);
			/* "text" means other sizes on other engines: say so. */
			if (rc->type_name != NULL && sc->type_name != NULL &&
			    strcasecmp(rc->type_name, sc->type_name) == 0)
				schema_size_desc(&sb, rc);
			sb_addf(&sb, " on %s, ", rname);
			schema_type_desc(&sb, sc);
			if (rc->type_name != NULL && sc->type_name != NULL &&
			    strcasecmp(rc->type_name, sc->type_name) == 0)
				schema_size_desc(&sb, sc);
			sb_addf(&sb, " on %s", sname);
		}
		if (nulls)
			sb_addf(&sb, "%sNOT NULL on %s, nullable on %s",
			    narrow ? "; " : "", rname, sname);
		schema_diff_add(out, SI_TYPE_NARROWER, SEV_MINOR, rside,
		    sc->name, sb_detach(&sb));
	}

	for (j = 0; j < recv->ncols; j++) {
		rc = &recv->cols[j];
		if (table_def_col(send, rc->name) != -1 ||
		    !schema_col_unfillable(rc))
			continue;
		sb_addf(&sb, "column '%s' is NOT NULL without default on %s "
		    "and missing on %s", rc->name, rname, sname);
		schema_diff_add(out, SI_NOT_NULL_UNFILLABLE, SEV_MAJOR, rside,
		    rc->name, sb_detach(&sb));
	}
	sb_free(&sb);
}

void
schema_compare(const char *table, const struct table_def *src,
    const struct table_def *dst, int bidirectional, struct schema_diff *out)
{
	memset(out, 0, sizeof *out);
	if (table == NULL)
		table = src != NULL && src->name != NULL ? src->name :
		    dst != NULL && dst->name != NULL ? dst->name : "";
	out->table = xstrdup(table);
	schema_check(src, dst, SIDE_TARGET, 1, out);
	if (bidirectional)
		schema_check(dst, src, SIDE_SOURCE, 0, out);
}
