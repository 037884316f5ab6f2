/*
 * projsync - test_schema.c: the table model and the schema comparison
 * (schema.c: every rule of SPEC section 6 in one-way and bidirectional mode,
 * the key choice), and the engine's schema step on real SQLite files
 * (engine_schema.c: migration, dry runs, the diff and migrate commands).
 */
#include "projsync/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "projsync/conf.h"
#include "projsync/util.h"
#include "../../src/engine_int.h"
#include "testutil.h"

/* ---- building table definitions by hand ---- */

static void
tdef_init(struct table_def *t, const char *name)
{
	memset(t, 0, sizeof *t);
	t->name = xstrdup(name);
}

static struct column_def *
tdef_col(struct table_def *t, const char *name, const char *type,
    enum type_family fam, int nullable)
{
	struct column_def	*c;

	t->cols = xreallocarray(t->cols, (size_t)t->ncols + 1, sizeof *t->cols);
	c = &t->cols[t->ncols++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->type_name = xstrdup(type);
	c->family = fam;
	c->length = -1;
	c->precision = -1;
	c->scale = -1;
	c->nullable = nullable;
	return c;
}

static char **
strv_make(int n, va_list ap)
{
	char	**v;
	int	  i;

	v = xcalloc((size_t)n, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = xstrdup(va_arg(ap, const char *));
	return v;
}

static void
tdef_pk(struct table_def *t, int n, ...)
{
	va_list	ap;

	va_start(ap, n);
	t->pk = strv_make(n, ap);
	t->npk = n;
	va_end(ap);
}

static void
tdef_idx(struct table_def *t, const char *name, int unique, int n, ...)
{
	struct index_def	*ix;
	va_list			 ap;

	t->idx = xreallocarray(t->idx, (size_t)t->nidx + 1, sizeof *t->idx);
	ix = &t->idx[t->nidx++];
	ix->name = xstrdup(name);
	ix->unique = unique;
	va_start(ap, n);
	ix->cols = strv_make(n, ap);
	ix->ncols = n;
	va_end(ap);
}

/* items(id integer pk, name text NOT NULL, note text) on both sides. */
static void
tdef_items(struct table_def *t)
{
	struct column_def	*c;

	tdef_init(t, "items");
	c = tdef_col(t, "id", "INTEGER", TF_INTEGER, 0);
	c->precision = 8;
	tdef_col(t, "name", "TEXT", TF_TEXT, 0);
	tdef_col(t, "note", "TEXT", TF_TEXT, 1);
	tdef_pk(t, 1, "id");
}

static struct column_def *
colp(struct table_def *t, const char *name)
{
	int	i;

	i = table_def_col(t, name);
	assert_true(i >= 0);
	return &t->cols[i];
}

/* The items of D as "kind/sev/side/column" lines, to assert on. */
static char *
diff_text(const struct schema_diff *d)
{
	struct strbuf	sb = STRBUF_INIT;
	int		i;

	for (i = 0; i < d->n; i++)
		sb_addf(&sb, "%s/%s/%s/%s\n",
		    schema_item_kind_name(d->items[i].kind),
		    schema_sev_name(d->items[i].sev),
		    schema_side_name(d->items[i].side),
		    d->items[i].column != NULL ? d->items[i].column : "-");
	return sb_detach(&sb);
}

static void
assert_diff(const struct table_def *s, const struct table_def *t, int bidir,
    const char *want, int major)
{
	struct schema_diff	 d;
	char			*got;

	schema_compare("items", s, t, bidir, &d);
	got = diff_text(&d);
	assert_string_equal(got, want);
	assert_int_equal(d.major, major);
	assert_string_equal(d.table, "items");
	free(got);
	schema_diff_free(&d);
}

/* The detail of the only item of the comparison. */
static void
assert_detail(const struct table_def *s, const struct table_def *t, int bidir,
    const char *want)
{
	struct schema_diff	d;

	schema_compare("items", s, t, bidir, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].detail, want);
	schema_diff_free(&d);
}

/* ---- schema_compare ---- */

static void
test_compare_identical(void **state)
{
	struct table_def	s, t;
	struct schema_diff	d;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	assert_diff(&s, &t, 0, "", 0);
	assert_diff(&s, &t, 1, "", 0);
	/* Absent on both sides: nothing to say here (the engine refuses). */
	schema_compare("items", NULL, NULL, 1, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.major, 0);
	schema_diff_free(&d);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_table_missing(void **state)
{
	struct table_def	s;

	(void)state;
	tdef_items(&s);
	assert_diff(&s, NULL, 0, "table_missing/minor/target/-\n", 0);
	assert_diff(&s, NULL, 1, "table_missing/minor/target/-\n", 0);
	assert_detail(&s, NULL, 0, "table 'items' is missing on target");
	/* Missing on the source: one-way sends nothing from there. */
	assert_diff(NULL, &s, 0, "", 0);
	assert_diff(NULL, &s, 1, "table_missing/minor/source/-\n", 0);
	assert_detail(NULL, &s, 1, "table 'items' is missing on source");
	table_def_free(&s);
}

static void
test_compare_column_missing(void **state)
{
	struct table_def	s, t;
	struct column_def	*c;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	c = tdef_col(&s, "tag", "varchar(20)", TF_TEXT, 1);
	c->length = 20;
	assert_diff(&s, &t, 0, "column_missing/minor/target/tag\n", 0);
	assert_detail(&s, &t, 0, "column 'tag' (varchar(20)) is missing on "
	    "target");
	/* Only on the target and nullable: the source can go without it. */
	assert_diff(&t, &s, 0, "", 0);
	assert_diff(&t, &s, 1, "column_missing/minor/source/tag\n", 0);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_column_missing_not_null(void **state)
{
	struct table_def	s, t;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	tdef_col(&s, "qty", "INTEGER", TF_INTEGER, 0);
	/* One-way: the target takes it as a nullable column. */
	assert_diff(&s, &t, 0, "column_missing/minor/target/qty\n", 0);
	/* Bidirectional: rows from the target could not fill the source's. */
	assert_diff(&s, &t, 1, "column_missing/minor/target/qty\n"
	    "not_null_unfillable/major/source/qty\n", 1);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_not_null_unfillable(void **state)
{
	struct table_def	 s, t;
	struct column_def	*c;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	c = tdef_col(&t, "qty", "INTEGER", TF_INTEGER, 0);
	assert_diff(&s, &t, 0, "not_null_unfillable/major/target/qty\n", 1);
	assert_detail(&s, &t, 0, "column 'qty' is NOT NULL without default "
	    "on target and missing on source");
	assert_diff(&s, &t, 1, "not_null_unfillable/major/target/qty\n"
	    "column_missing/minor/source/qty\n", 1);
	/* The database fills it: a default, or autoincrement. */
	c->default_expr = xstrdup("0");
	assert_diff(&s, &t, 0, "", 0);
	free(c->default_expr);
	c->default_expr = NULL;
	c->autoincrement = 1;
	assert_diff(&s, &t, 0, "", 0);
	c->autoincrement = 0;
	c->nullable = 1;
	assert_diff(&s, &t, 0, "", 0);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_family(void **state)
{
	struct table_def	 s, t;
	struct column_def	*c;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	c = colp(&t, "note");
	c->family = TF_INTEGER;
	free(c->type_name);
	c->type_name = xstrdup("INTEGER");
	assert_diff(&s, &t, 0, "family_mismatch/major/target/note\n", 1);
	/* Reported once, whatever the direction. */
	assert_diff(&s, &t, 1, "family_mismatch/major/target/note\n", 1);
	assert_diff(&t, &s, 1, "family_mismatch/major/target/note\n", 1);
	assert_detail(&s, &t, 0, "column 'note' is integer (INTEGER) on "
	    "target, text (TEXT) on source");
	/* Other and text hold the same values. */
	c->family = TF_OTHER;
	assert_diff(&s, &t, 1, "", 0);
	assert_diff(&t, &s, 1, "", 0);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_text_length(void **state)
{
	struct table_def	 s, t;
	struct column_def	*c;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	c = colp(&t, "note");
	c->length = 50;
	free(c->type_name);
	c->type_name = xstrdup("varchar(50)");
	assert_diff(&s, &t, 0, "type_narrower/minor/target/note\n", 0);
	assert_detail(&s, &t, 0, "column 'note' is varchar(50) on target, "
	    "TEXT on source");
	/* The same type name of another size says the sizes. */
	free(c->type_name);
	c->type_name = xstrdup("TEXT");
	c->length = 65535;
	assert_detail(&s, &t, 0, "column 'note' is TEXT (up to 65535) on "
	    "target, TEXT (unbounded) on source");
	free(c->type_name);
	c->type_name = xstrdup("varchar(50)");
	c->length = 50;
	/* The target is wider: no difference one-way; bidirectional, yes. */
	assert_diff(&t, &s, 0, "", 0);
	assert_diff(&t, &s, 1, "type_narrower/minor/source/note\n", 0);
	/* Both bounded. */
	colp(&s, "note")->length = 40;
	assert_diff(&s, &t, 1, "type_narrower/minor/source/note\n", 0);
	colp(&s, "note")->length = 60;
	assert_diff(&s, &t, 1, "type_narrower/minor/target/note\n", 0);
	colp(&s, "note")->length = 50;
	assert_diff(&s, &t, 1, "", 0);
	/* Binary the same way. */
	c->family = TF_BINARY;
	colp(&s, "note")->family = TF_BINARY;
	colp(&s, "note")->length = -1;
	assert_diff(&s, &t, 0, "type_narrower/minor/target/note\n", 0);
	table_def_free(&s);
	table_def_free(&t);
}

/* Source decimal(SP,SS) against target decimal(TP,TS). */
static void
check_decimal(int sp, int ss, int tp, int ts, const char *want)
{
	struct table_def	 s, t;
	struct column_def	*c;

	tdef_init(&s, "items");
	tdef_init(&t, "items");
	c = tdef_col(&s, "price", "", TF_DECIMAL, 1);
	c->precision = sp;
	c->scale = ss;
	c = tdef_col(&t, "price", "", TF_DECIMAL, 1);
	c->precision = tp;
	c->scale = ts;
	assert_diff(&s, &t, 0, want, 0);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_decimal(void **state)
{
	struct table_def	 s, t;
	struct column_def	*c;
	const char		*n = "type_narrower/minor/target/price\n";

	(void)state;
	check_decimal(10, 2, 10, 2, "");
	check_decimal(10, 2, 8, 2, n);		/* fewer digits */
	check_decimal(10, 4, 10, 2, n);		/* smaller scale */
	check_decimal(10, 2, 12, 2, "");
	check_decimal(10, 2, 12, 4, "");
	check_decimal(10, 2, 11, 4, n);	/* 7 digits before the point */
	check_decimal(-1, -1, 10, 2, n);	/* unbounded source */
	check_decimal(10, 2, -1, -1, "");	/* unbounded target */

	/* Without a declared type, the detail names the family and width. */
	tdef_init(&s, "items");
	tdef_init(&t, "items");
	c = tdef_col(&s, "price", NULL, TF_DECIMAL, 1);
	c->precision = 10;
	c->scale = 2;
	c = tdef_col(&t, "price", NULL, TF_DECIMAL, 1);
	c->precision = 8;
	c->scale = 2;
	assert_detail(&s, &t, 0, "column 'price' is decimal(8,2) on target, "
	    "decimal(10,2) on source");
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_integer(void **state)
{
	struct table_def	 s, t;
	struct column_def	*sc, *tc;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	sc = colp(&s, "id");
	tc = colp(&t, "id");
	tc->precision = 4;
	assert_diff(&s, &t, 0, "type_narrower/minor/target/id\n", 0);
	assert_diff(&t, &s, 0, "", 0);
	assert_diff(&t, &s, 1, "type_narrower/minor/source/id\n", 0);
	/* Unknown storage: nothing to compare. */
	tc->precision = -1;
	assert_diff(&s, &t, 1, "", 0);
	/* An unsigned source does not fit a signed target of its size. */
	sc->precision = 4;
	sc->is_unsigned = 1;
	tc->precision = 4;
	assert_diff(&s, &t, 0, "type_narrower/minor/target/id\n", 0);
	tc->precision = 8;
	assert_diff(&s, &t, 0, "", 0);
	tc->precision = 4;
	tc->is_unsigned = 1;
	assert_diff(&s, &t, 0, "", 0);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_fraction_digits(void **state)
{
	struct table_def	 s, t;
	struct column_def	*sc, *tc;
	enum type_family	 fams[] = { TF_TIME, TF_TIMESTAMP,
				    TF_TIMESTAMPTZ };
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems(fams); i++) {
		tdef_init(&s, "items");
		tdef_init(&t, "items");
		sc = tdef_col(&s, "at", "", fams[i], 1);
		tc = tdef_col(&t, "at", "", fams[i], 1);
		sc->scale = 6;
		tc->scale = 0;
		assert_diff(&s, &t, 0, "type_narrower/minor/target/at\n", 0);
		assert_diff(&t, &s, 0, "", 0);
		tc->scale = -1;		/* unknown */
		assert_diff(&s, &t, 1, "", 0);
		table_def_free(&s);
		table_def_free(&t);
	}

	/* Floats are not compared by width. */
	tdef_init(&s, "items");
	tdef_init(&t, "items");
	tdef_col(&s, "f", "DOUBLE", TF_FLOAT, 1)->precision = 8;
	tdef_col(&t, "f", "REAL", TF_FLOAT, 1)->precision = 4;
	assert_diff(&s, &t, 1, "", 0);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_nullability(void **state)
{
	struct table_def	 s, t;
	struct column_def	*tc;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	tc = colp(&t, "note");
	tc->nullable = 0;
	assert_diff(&s, &t, 0, "type_narrower/minor/target/note\n", 0);
	assert_detail(&s, &t, 0, "column 'note' is NOT NULL on target, "
	    "nullable on source");
	assert_diff(&t, &s, 0, "", 0);
	assert_diff(&t, &s, 1, "type_narrower/minor/source/note\n", 0);
	/* A default does not help: the sync writes the NULL itself. */
	tc->default_expr = xstrdup("''");
	assert_diff(&s, &t, 0, "type_narrower/minor/target/note\n", 0);
	/* Narrower and NOT NULL: one item, both reasons. */
	tc->length = 10;
	free(tc->type_name);
	tc->type_name = xstrdup("varchar(10)");
	assert_detail(&s, &t, 0, "column 'note' is varchar(10) on target, TEXT "
	    "on source; NOT NULL on target, nullable on source");
	/* Autoincrement fills a NULL itself. */
	tc->length = -1;
	tc->autoincrement = 1;
	assert_diff(&s, &t, 0, "", 0);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_pk(void **state)
{
	struct table_def	s, t;

	(void)state;
	tdef_items(&s);
	tdef_items(&t);
	free(t.pk[0]);
	free(t.pk);
	tdef_pk(&t, 1, "name");
	assert_diff(&s, &t, 0, "pk_differs/major/target/-\n", 1);
	assert_diff(&s, &t, 1, "pk_differs/major/target/-\n", 1);
	assert_detail(&s, &t, 0, "primary key is (name) on target, (id) on "
	    "source");
	/* Order counts. */
	free(s.pk[0]);
	free(s.pk);
	tdef_pk(&s, 2, "id", "name");
	free(t.pk[0]);
	free(t.pk);
	tdef_pk(&t, 2, "name", "id");
	assert_diff(&s, &t, 1, "pk_differs/major/target/-\n", 1);
	/* One side without a primary key is no difference by itself. */
	free(t.pk[0]);
	free(t.pk[1]);
	free(t.pk);
	t.pk = NULL;
	t.npk = 0;
	assert_diff(&s, &t, 1, "", 0);
	assert_diff(&t, &s, 1, "", 0);
	table_def_free(&s);
	table_def_free(&t);
}

static void
test_compare_names(void **state)
{
	(void)state;
	assert_string_equal(schema_item_kind_name(SI_TABLE_MISSING),
	    "table_missing");
	assert_string_equal(schema_item_kind_name(SI_COLUMN_MISSING),
	    "column_missing");
	assert_string_equal(schema_item_kind_name(SI_TYPE_NARROWER),
	    "type_narrower");
	assert_string_equal(schema_item_kind_name(SI_FAMILY_MISMATCH),
	    "family_mismatch");
	assert_string_equal(schema_item_kind_name(SI_PK_DIFFERS),
	    "pk_differs");
	assert_string_equal(schema_item_kind_name(SI_NOT_NULL_UNFILLABLE),
	    "not_null_unfillable");
	assert_string_equal(schema_sev_name(SEV_MINOR), "minor");
	assert_string_equal(schema_sev_name(SEV_MAJOR), "major");
	assert_string_equal(schema_side_name(SIDE_SOURCE), "source");
	assert_string_equal(schema_side_name(SIDE_TARGET), "target");
}

/* ---- the table model ---- */

static void
test_def_copy(void **state)
{
	struct table_def	 s, c;
	struct fk_def		*fk;

	(void)state;
	tdef_items(&s);
	s.schema = xstrdup("app");
	colp(&s, "note")->default_expr = xstrdup("'x'");
	tdef_idx(&s, "items_name", 1, 1, "name");
	s.fks = xcalloc(1, sizeof *s.fks);
	s.nfk = 1;
	fk = &s.fks[0];
	fk->ncols = 1;
	fk->cols = xcalloc(1, sizeof *fk->cols);
	fk->cols[0] = xstrdup("id");
	fk->ref_cols = xcalloc(1, sizeof *fk->ref_cols);	/* the pk */
	fk->ref_table = xstrdup("parent");

	table_def_copy(&c, &s);
	table_def_free(&s);
	assert_null(s.name);
	assert_int_equal(s.ncols, 0);

	assert_string_equal(c.schema, "app");
	assert_string_equal(c.name, "items");
	assert_int_equal(c.ncols, 3);
	assert_int_equal(table_def_col(&c, "id"), 0);
	assert_int_equal(table_def_col(&c, "note"), 2);
	assert_int_equal(table_def_col(&c, "NOTE"), -1);
	assert_int_equal(table_def_col(&c, "nope"), -1);
	assert_string_equal(c.cols[2].default_expr, "'x'");
	assert_int_equal(c.cols[0].precision, 8);
	assert_int_equal(c.npk, 1);
	assert_string_equal(c.pk[0], "id");
	assert_int_equal(c.nidx, 1);
	assert_int_equal(c.idx[0].unique, 1);
	assert_string_equal(c.idx[0].cols[0], "name");
	assert_int_equal(c.nfk, 1);
	assert_string_equal(c.fks[0].ref_table, "parent");
	assert_null(c.fks[0].name);
	assert_null(c.fks[0].ref_cols[0]);
	table_def_free(&c);
	/* Freeing twice is harmless: free zeroes. */
	table_def_free(&c);
}

/* ---- table_def_key ---- */

static char *
key_text(const struct table_def *t, char *const *kc, int nkc, int *rc,
    struct ps_error *err)
{
	struct strbuf	  sb = STRBUF_INIT;
	char		**names = NULL;
	int		  i;

	*rc = table_def_key(t, kc, nkc, &names, err);
	if (*rc < 0) {
		assert_null(names);
		return NULL;
	}
	for (i = 0; i < *rc; i++)
		sb_addf(&sb, "%s%s", i > 0 ? "," : "", names[i]);
	assert_null(names[*rc]);
	util_strv_free(names);
	return sb_detach(&sb);
}

static void
test_key_choice(void **state)
{
	struct table_def	 t;
	struct ps_error		 err;
	char			 n1[] = "name", n2[] = "note";
	char			*kc[] = { n1, n2, NULL };
	char			*k;
	int			 rc;

	(void)state;
	tdef_items(&t);
	/* The primary key. */
	k = key_text(&t, NULL, 0, &rc, &err);
	assert_int_equal(rc, 1);
	assert_string_equal(k, "id");
	free(k);
	/* key_columns win over it. */
	k = key_text(&t, kc, 2, &rc, &err);
	assert_int_equal(rc, 2);
	assert_string_equal(k, "name,note");
	free(k);

	/* No primary key: the first unique index on NOT NULL columns. */
	free(t.pk[0]);
	free(t.pk);
	t.pk = NULL;
	t.npk = 0;
	tdef_idx(&t, "by_note", 0, 1, "id");		/* not unique */
	/* note is nullable: not this one. */
	tdef_idx(&t, "by_name_note", 1, 2, "name", "note");
	tdef_idx(&t, "by_name_id", 1, 2, "name", "id");
	tdef_idx(&t, "by_id", 1, 1, "id");
	k = key_text(&t, NULL, 0, &rc, &err);
	assert_int_equal(rc, 2);
	assert_string_equal(k, "name,id");
	free(k);
	table_def_free(&t);
}

static void
test_key_errors(void **state)
{
	struct table_def	 t;
	struct ps_error		 err;
	char			 id[] = "id", zz[] = "zz";
	char			*bad[] = { id, zz, NULL };
	char			*twice[] = { id, id, NULL };
	char			*k;
	int			 rc;

	(void)state;
	tdef_items(&t);
	free(t.schema);
	t.schema = xstrdup("app");
	ps_error_clear(&err);
	k = key_text(&t, bad, 2, &rc, &err);
	assert_null(k);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PS_ERR_NO_KEY);
	assert_string_equal(err.msg,
	    "key column 'zz' does not exist in table 'app.items'");

	ps_error_clear(&err);
	k = key_text(&t, twice, 2, &rc, &err);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PS_ERR_NO_KEY);
	assert_string_equal(err.msg,
	    "key column 'id' is named twice for table 'app.items'");

	/* No pk, only a unique index on a nullable column. */
	free(t.pk[0]);
	free(t.pk);
	t.pk = NULL;
	t.npk = 0;
	free(t.schema);
	t.schema = NULL;
	tdef_idx(&t, "by_note", 1, 1, "note");
	ps_error_clear(&err);
	k = key_text(&t, NULL, 0, &rc, &err);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PS_ERR_NO_KEY);
	assert_string_equal(err.msg, "table 'items' has no primary key, no "
	    "unique index on NOT NULL columns and no key_columns setting");
	table_def_free(&t);
}

/* ---- the engine's schema step on SQLite files ---- */

struct fixture {
	char		*dir;
	char		*a;	/* DIR/a.db: the source */
	char		*b;	/* DIR/b.db: the target */
	struct conf	*conf;
	struct engine_ctx ctx;
	struct strbuf	 log;	/* the engine's log lines */
	struct db_conn	*src;
	struct db_conn	*dst;
	struct table_def sdef;
	struct table_def ddef;
	struct schema_diff diff;
	struct strbuf	 ddl;
};

static void
fx_event(const struct engine_event *ev, void *arg)
{
	struct fixture	*fx = arg;

	if (ev->type == EV_LOG && ev->message != NULL)
		sb_addf(&fx->log, "%s\n", ev->message);
}

static int
fx_setup(void **state)
{
	static const char *const names[] = { "a", "b", NULL };
	struct fixture		*fx;

	fx = xcalloc(1, sizeof *fx);
	fx->dir = tu_tmpdir();
	fx->a = tu_path(fx->dir, "a.db");
	fx->b = tu_path(fx->dir, "b.db");
	/* Both files exist (empty) before anything connects. */
	tu_sql(fx->a, "PRAGMA user_version = 0;");
	tu_sql(fx->b, "PRAGMA user_version = 0;");
	fx->conf = tu_conf_sqlite(fx->dir, names);
	fx->ctx.conf = fx->conf;
	fx->ctx.cb = fx_event;
	fx->ctx.cb_arg = fx;
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fixture	*fx = *state;

	table_def_free(&fx->sdef);
	table_def_free(&fx->ddef);
	schema_diff_free(&fx->diff);
	if (fx->src != NULL)
		db_close(fx->src);
	if (fx->dst != NULL)
		db_close(fx->dst);
	conf_free(fx->conf);
	sb_free(&fx->log);
	sb_free(&fx->ddl);
	tu_rmrf(fx->dir);
	free(fx->dir);
	free(fx->a);
	free(fx->b);
	free(fx);
	return 0;
}

static void
fx_open(struct fixture *fx)
{
	struct ps_error	err;

	if (engine_open(&fx->ctx, "a", 5, &fx->src, &err) != 0)
		fail_msg("engine_open a: %s", err.msg);
	if (engine_open(&fx->ctx, "b", 5, &fx->dst, &err) != 0)
		fail_msg("engine_open b: %s", err.msg);
}

/* Run the schema step on TABLE; frees what the previous run left. */
static int
fx_step(struct fixture *fx, const char *table, int bidir, int migrate,
    int dry_run, struct ps_error *err)
{
	table_def_free(&fx->sdef);
	table_def_free(&fx->ddef);
	schema_diff_free(&fx->diff);
	ps_error_clear(err);
	return engine_schema_table(&fx->ctx, 0, fx->src, fx->dst, table, bidir,
	    migrate, dry_run, &fx->sdef, &fx->ddef, &fx->diff, &fx->ddl, err);
}

static void
fx_step_ok(struct fixture *fx, const char *table, int bidir, int migrate,
    int dry_run)
{
	struct ps_error	err;

	if (fx_step(fx, table, bidir, migrate, dry_run, &err) != 0)
		fail_msg("engine_schema_table %s: %s", table, err.msg);
}

static const char *items_sql =
    "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " note TEXT, qty INTEGER NOT NULL);"
    "INSERT INTO items VALUES (1, 'one', 'n1', 10), (2, 'two', NULL, 20);";

static void
test_engine_create_table(void **state)
{
	struct fixture	*fx = *state;
	char		*s;

	tu_sql(fx->a, items_sql);
	fx_open(fx);

	/* Without auto-migrate: reported, nothing done. */
	fx_step_ok(fx, "items", 0, 0, 0);
	s = diff_text(&fx->diff);
	assert_string_equal(s, "table_missing/minor/target/-\n");
	free(s);
	assert_non_null(fx->sdef.name);
	assert_null(fx->ddef.name);
	assert_int_equal(fx->ddl.len, 0);
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'items'"), 0);

	/* With it: created, and identical on recompare. */
	fx_step_ok(fx, "items", 0, 1, 0);
	assert_int_equal(fx->diff.n, 0);
	assert_int_equal(fx->diff.major, 0);
	assert_non_null(fx->ddef.name);
	assert_int_equal(fx->ddef.ncols, 4);
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'items'"), 1);
	assert_int_equal(strncmp(sb_str(&fx->ddl), "-- b\n", 5), 0);
	assert_non_null(strstr(sb_str(&fx->ddl), "CREATE TABLE"));
	assert_non_null(strstr(sb_str(&fx->log), "CREATE TABLE"));
	/* The new table takes the source's rows and keeps NOT NULL. */
	tu_sql(fx->b, "INSERT INTO items VALUES (1, 'one', NULL, 10);");
	s = tu_query(fx->b, "SELECT \"notnull\" FROM pragma_table_info('items')"
	    " WHERE name = 'qty'");
	assert_string_equal(s, "1\n");
	free(s);
	/* The source is untouched. */
	assert_int_equal(tu_query_int(fx->a, "SELECT count(*) FROM items"), 2);
}

static void
test_engine_add_column(void **state)
{
	struct fixture	*fx = *state;
	char		*s;

	tu_sql(fx->a, items_sql);
	tu_sql(fx->b, "CREATE TABLE items (id INTEGER PRIMARY KEY,"
	    " name TEXT NOT NULL);"
	    "INSERT INTO items VALUES (1, 'one');");
	fx_open(fx);

	fx_step_ok(fx, "items", 0, 0, 0);
	s = diff_text(&fx->diff);
	assert_string_equal(s, "column_missing/minor/target/note\n"
	    "column_missing/minor/target/qty\n");
	free(s);

	fx_step_ok(fx, "items", 0, 1, 0);
	/*
	 * Both added to a table with rows; qty, NOT NULL without default on
	 * the source, as nullable.  What remains: qty is nullable on the
	 * target, which is no difference (wider).
	 */
	assert_int_equal(fx->diff.n, 0);
	s = tu_query(fx->b, "SELECT name, \"notnull\" FROM "
	    "pragma_table_info('items') ORDER BY cid");
	assert_string_equal(s, "id|0\nname|1\nnote|0\nqty|0\n");
	free(s);
	s = tu_query(fx->b, "SELECT * FROM items");
	assert_string_equal(s, "1|one|NULL|NULL\n");
	free(s);
	assert_non_null(strstr(sb_str(&fx->ddl), "-- b\n"));
}

static void
test_engine_major_untouched(void **state)
{
	struct fixture	*fx = *state;
	char		*before, *after, *s;

	tu_sql(fx->a, items_sql);
	tu_sql(fx->b, "CREATE TABLE items (id INTEGER PRIMARY KEY,"
	    " name BLOB NOT NULL, qty INTEGER NOT NULL, code TEXT NOT NULL);");
	fx_open(fx);
	before = tu_query(fx->b, "SELECT sql FROM sqlite_master");

	fx_step_ok(fx, "items", 0, 1, 0);
	s = diff_text(&fx->diff);
	assert_string_equal(s, "family_mismatch/major/target/name\n"
	    "column_missing/minor/target/note\n"
	    "not_null_unfillable/major/target/code\n");
	free(s);
	assert_int_equal(fx->diff.major, 1);
	/* A table the sync skips is left alone, minor items included. */
	after = tu_query(fx->b, "SELECT sql FROM sqlite_master");
	assert_string_equal(before, after);
	assert_int_equal(fx->ddl.len, 0);
	free(before);
	free(after);
}

static void
test_engine_widen_noop(void **state)
{
	struct fixture	*fx = *state;
	char		*s;

	/* SQLite does not enforce lengths: its driver has nothing to run. */
	tu_sql(fx->a, "CREATE TABLE items (id INTEGER PRIMARY KEY,"
	    " note TEXT);");
	tu_sql(fx->b, "CREATE TABLE items (id INTEGER PRIMARY KEY,"
	    " note VARCHAR(10));");
	fx_open(fx);
	fx_step_ok(fx, "items", 0, 1, 0);
	s = diff_text(&fx->diff);
	assert_string_equal(s, "type_narrower/minor/target/note\n");
	free(s);
	assert_int_equal(fx->ddl.len, 0);
	assert_non_null(strstr(sb_str(&fx->log), "nothing to change on 'b'"));
	s = tu_query(fx->b, "SELECT type FROM pragma_table_info('items')"
	    " WHERE name = 'note'");
	assert_string_equal(s, "VARCHAR(10)\n");
	free(s);
}

static void
test_engine_dry_run(void **state)
{
	struct fixture	*fx = *state;
	char		*s;

	tu_sql(fx->a, items_sql);
	tu_sql(fx->a, "CREATE TABLE tags (id INTEGER PRIMARY KEY, tag TEXT);");
	tu_sql(fx->b, "CREATE TABLE tags (id INTEGER PRIMARY KEY);");
	fx_open(fx);

	fx_step_ok(fx, "items", 0, 1, 1);
	s = diff_text(&fx->diff);
	assert_string_equal(s, "table_missing/minor/target/-\n");
	free(s);
	fx_step_ok(fx, "tags", 0, 1, 1);
	s = diff_text(&fx->diff);
	assert_string_equal(s, "column_missing/minor/target/tag\n");
	free(s);

	/* The DDL is there, one block per statement, and nothing ran. */
	assert_int_equal(strncmp(sb_str(&fx->ddl), "-- b\n", 5), 0);
	assert_non_null(strstr(sb_str(&fx->ddl), "CREATE TABLE"));
	assert_non_null(strstr(sb_str(&fx->ddl), ";\n-- b\n"));
	assert_non_null(strstr(sb_str(&fx->ddl), "ALTER TABLE"));
	assert_int_equal(fx->ddl.buf[fx->ddl.len - 1], '\n');
	assert_non_null(strstr(sb_str(&fx->log), "would run"));
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'items'"), 0);
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "pragma_table_info('tags')"), 1);
}

static void
test_engine_absent_both(void **state)
{
	struct fixture	*fx = *state;
	struct ps_error	 err;

	fx_open(fx);
	assert_int_equal(fx_step(fx, "nope", 0, 1, 0, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg,
	    "table 'nope' does not exist on 'a' or 'b'");
	assert_null(fx->sdef.name);
	assert_null(fx->ddef.name);
	assert_int_equal(fx->diff.n, 0);
}

static void
test_engine_bidirectional(void **state)
{
	struct fixture	*fx = *state;
	char		*s;

	/*
	 * Each side lacks a nullable column the other has; the source also
	 * has q NOT NULL without default, which rows from the target cannot
	 * fill until the target has the column too.
	 */
	tu_sql(fx->a, "CREATE TABLE items (id INTEGER PRIMARY KEY, a TEXT,"
	    " q INTEGER NOT NULL);");
	tu_sql(fx->b, "CREATE TABLE items (id INTEGER PRIMARY KEY, b TEXT);");
	fx_open(fx);

	fx_step_ok(fx, "items", 1, 0, 0);
	s = diff_text(&fx->diff);
	assert_string_equal(s, "column_missing/minor/target/a\n"
	    "column_missing/minor/target/q\n"
	    "column_missing/minor/source/b\n"
	    "not_null_unfillable/major/source/q\n");
	free(s);
	assert_int_equal(fx->diff.major, 1);

	/* Adding q to the target cures the major item: migration goes on. */
	fx_step_ok(fx, "items", 1, 1, 0);
	s = diff_text(&fx->diff);
	assert_string_equal(s, "type_narrower/minor/source/q\n");
	free(s);
	assert_int_equal(fx->diff.major, 0);
	assert_string_equal(fx->diff.items[0].detail,
	    "column 'q' is NOT NULL on source, nullable on target");
	assert_int_equal(tu_query_int(fx->a, "SELECT count(*) FROM "
	    "pragma_table_info('items') WHERE name = 'b'"), 1);
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "pragma_table_info('items') WHERE name IN ('a', 'q')"), 2);
	assert_non_null(strstr(sb_str(&fx->ddl), "-- a\n"));
	assert_non_null(strstr(sb_str(&fx->ddl), "-- b\n"));
}

static void
test_engine_commands(void **state)
{
	struct fixture		*fx = *state;
	struct schema_report	 rep;
	struct ps_error		 err;
	char			 child[] = "child", nope[] = "nope";
	char			 extra[] = "extra";
	char			*only[] = { child, NULL };
	char			*missing[] = { nope, NULL };

	/* The child sorts before its parent: migrate makes the parent first. */
	tu_sql(fx->a, "CREATE TABLE child (id INTEGER PRIMARY KEY,"
	    " parent_id INTEGER REFERENCES zparent (id));"
	    "CREATE TABLE zparent (id INTEGER PRIMARY KEY, name TEXT);");
	tu_sql(fx->b, "CREATE TABLE extra (id INTEGER PRIMARY KEY);");

	assert_int_equal(engine_schema_diff(&fx->ctx, "a", "b", NULL, 0, &rep,
	    &err), 0);
	assert_int_equal(rep.ntables, 2);
	assert_string_equal(rep.tables[0].table, "child");
	assert_string_equal(rep.tables[1].table, "zparent");
	assert_int_equal(rep.tables[0].n, 1);
	assert_int_equal(rep.tables[0].items[0].kind, SI_TABLE_MISSING);
	schema_report_free(&rep);

	/* Bidirectional: the tables of both sides. */
	assert_int_equal(engine_schema_diff(&fx->ctx, "a", "b", NULL, 1, &rep,
	    &err), 0);
	assert_int_equal(rep.ntables, 3);
	assert_string_equal(rep.tables[1].table, "extra");
	assert_int_equal(rep.tables[1].items[0].side, SIDE_SOURCE);
	schema_report_free(&rep);

	/* Unknown table. */
	assert_int_equal(engine_schema_diff(&fx->ctx, "a", "b", missing, 0,
	    &rep, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg,
	    "table 'nope' does not exist on 'a' or 'b'");
	schema_report_free(&rep);
	/* One-way from a table only the target has. */
	missing[0] = extra;
	assert_int_equal(engine_schema_diff(&fx->ctx, "a", "b", missing, 0,
	    &rep, &err), -1);
	assert_string_equal(err.msg, "table 'extra' does not exist on 'a'");
	schema_report_free(&rep);

	/* A dry run of one table changes nothing. */
	assert_int_equal(engine_schema_migrate(&fx->ctx, "a", "b", only, 1,
	    &rep, &fx->ddl, &err), 0);
	assert_int_equal(rep.ntables, 1);
	assert_non_null(strstr(sb_str(&fx->ddl), "CREATE TABLE"));
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'child'"), 0);
	schema_report_free(&rep);
	sb_reset(&fx->ddl);

	/* Migrate everything: parents first, then nothing remains. */
	assert_int_equal(engine_schema_migrate(&fx->ctx, "a", "b", NULL, 0,
	    &rep, &fx->ddl, &err), 0);
	assert_int_equal(rep.ntables, 2);
	assert_string_equal(rep.tables[0].table, "zparent");
	assert_string_equal(rep.tables[1].table, "child");
	assert_int_equal(rep.tables[0].n, 0);
	assert_int_equal(rep.tables[1].n, 0);
	assert_true(strstr(sb_str(&fx->ddl), "zparent") <
	    strstr(sb_str(&fx->ddl), "child"));
	schema_report_free(&rep);
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "sqlite_master WHERE name IN ('child', 'zparent')"), 2);

	assert_int_equal(engine_schema_diff(&fx->ctx, "a", "b", NULL, 0, &rep,
	    &err), 0);
	assert_int_equal(rep.ntables, 2);
	assert_int_equal(rep.tables[0].n + rep.tables[1].n, 0);
	schema_report_free(&rep);

	/* Unknown connection. */
	assert_int_equal(engine_schema_diff(&fx->ctx, "a", "zz", NULL, 0, &rep,
	    &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_int_equal(rep.ntables, 0);
	schema_report_free(&rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_identical),
		cmocka_unit_test(test_compare_table_missing),
		cmocka_unit_test(test_compare_column_missing),
		cmocka_unit_test(test_compare_column_missing_not_null),
		cmocka_unit_test(test_compare_not_null_unfillable),
		cmocka_unit_test(test_compare_family),
		cmocka_unit_test(test_compare_text_length),
		cmocka_unit_test(test_compare_decimal),
		cmocka_unit_test(test_compare_integer),
		cmocka_unit_test(test_compare_fraction_digits),
		cmocka_unit_test(test_compare_nullability),
		cmocka_unit_test(test_compare_pk),
		cmocka_unit_test(test_compare_names),
		cmocka_unit_test(test_def_copy),
		cmocka_unit_test(test_key_choice),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test_setup_teardown(test_engine_create_table,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_engine_add_column,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_engine_major_untouched,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_engine_widen_noop,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_engine_dry_run,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_engine_absent_both,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_engine_bidirectional,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_engine_commands,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
