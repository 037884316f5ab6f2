/*
 * projsync - engine_schema.c: the engine's schema step (SPEC section 6):
 * describe a table on both sides, compare them, migrate the minor differences
 * with each driver's own DDL; and the "schema diff" and "schema migrate"
 * commands built on it (SPEC section 7).
 *
 * Migration changes only the side that lacks something, using the other
 * side's definition as the model: a missing table is created whole, a
 * missing column is added as nullable (or with its default, when it has one)
 * so the ALTER works on a table with rows, and a narrower column is widened
 * to a type that holds both sides' values.  Nothing is ever dropped or
 * narrowed.  Major differences are only reported, and a table with a major
 * difference that migration cannot cure is not changed at all (the sync
 * skips it).
 */
#include "projsync/common.h"

#include <stdlib.h>
#include <string.h>

#include "projsync/conf.h"
#include "projsync/util.h"
#include "engine_int.h"

/* Connect timeout in seconds when there is no configuration to say. */
#define ENGINE_SCHEMA_TIMEOUT	10

static const char *
engine_schema_conn_name(const struct db_conn *c)
{
	return c->name != NULL ? c->name : c->ops->name;
}

/*
 * Describe TABLE on C into DEF.  A table that does not exist is no error:
 * DEF is left zeroed and *FOUND 0.  Returns -1 on any other error.
 */
static int
engine_schema_describe(struct db_conn *c, const char *table,
    struct table_def *def, int *found, struct ps_error *err)
{
	struct ps_error	e;

	memset(def, 0, sizeof *def);
	*found = 0;
	ps_error_clear(&e);
	if (db_describe(c, table, def, &e) == 0) {
		*found = 1;
		return 0;
	}
	table_def_free(def);
	if (e.code == PS_ERR_NOT_FOUND)
		return 0;
	if (err != NULL)
		*err = e;
	return -1;
}

/* The next integer storage size that holds an unsigned one of N bytes. */
static int
engine_schema_int_wider(int n)
{
	if (n < 2)
		return 2;
	if (n < 4)
		return 4;
	return 8;
}

/*
 * Make M (a copy of the receiving column) wide enough for the values of S
 * (the sending column): the wider of both widths, nullable when either is.
 * The declared type name becomes the sending side's when the type changes.
 */
static void
engine_schema_widen_col(struct column_def *m, const struct column_def *s)
{
	int	changed = 0, ms, ss, d;

	switch (m->family) {
	case TF_TEXT:
	case TF_BINARY:
		if (m->length >= 0 &&
		    (s->length < 0 || s->length > m->length)) {
			m->length = s->length;
			changed = 1;
		}
		break;
	case TF_DECIMAL:
		if (m->precision < 0)
			break;
		if (s->precision < 0) {
			m->precision = -1;
			m->scale = -1;
			changed = 1;
			break;
		}
		ms = m->scale > 0 ? m->scale : 0;
		ss = s->scale > 0 ? s->scale : 0;
		d = m->precision - ms;
		if (s->precision - ss > d)
			d = s->precision - ss;
		if (ss > ms)
			ms = ss;
		if (d + ms != m->precision || ms != m->scale) {
			m->precision = d + ms;
			m->scale = ms;
			changed = 1;
		}
		break;
	case TF_INTEGER:
		if (m->precision <= 0 || s->precision <= 0)
			break;
		if (s->is_unsigned && !m->is_unsigned &&
		    m->precision <= s->precision) {
			if (s->precision >= 8) {
				/* No signed type holds it: keep unsigned. */
				m->precision = s->precision;
				m->is_unsigned = 1;
			} else
				m->precision = engine_schema_int_wider(
				    s->precision);
			changed = 1;
		} else if (s->precision > m->precision) {
			m->precision = s->precision;
			changed = 1;
		}
		break;
	case TF_TIME:
	case TF_TIMESTAMP:
	case TF_TIMESTAMPTZ:
		if (m->scale >= 0 && s->scale > m->scale) {
			m->scale = s->scale;
			changed = 1;
		}
		break;
	default:
		break;
	}
	if (changed) {
		free(m->type_name);
		m->type_name = xstrdup(s->type_name);
	}
	if (s->nullable)
		m->nullable = 1;
}

/* Whether the ';' at P ends a statement: only blanks follow on its line. */
static int
engine_schema_stmt_end(const char *p)
{
	for (p++; *p == ' ' || *p == '\t' || *p == '\r'; p++)
		;
	return *p == '\0' || *p == '\n';
}

/*
 * Append the driver's DDL TEXT to DDL one statement per line, each after a
 * "-- CONN" line and ending in ";".  Statements end at a ';' that ends a
 * line (or the text); line breaks inside one become single spaces.
 */
static void
engine_schema_ddl_add(struct strbuf *ddl, const char *conn, const char *text)
{
	const char	*p;
	int		 brk;

	p = text;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == ';')
			p++;
		if (*p == '\0')
			break;
		sb_addf(ddl, "-- %s\n", conn);
		brk = 0;
		for (; *p != '\0'; p++) {
			if (*p == ';' && engine_schema_stmt_end(p))
				break;
			if (*p == '\n' || *p == '\r') {
				brk = 1;
				continue;
			}
			if (brk) {
				brk = 0;
				while (*p == ' ' || *p == '\t')
					p++;
				if (*p == '\0')
					break;
				if (*p == '\n' || *p == '\r' ||
				    (*p == ';' && engine_schema_stmt_end(p))) {
					p--;
					continue;
				}
				sb_addch(ddl, ' ');
			}
			sb_addch(ddl, *p);
		}
		while (ddl->len > 0 && (ddl->buf[ddl->len - 1] == ' ' ||
		    ddl->buf[ddl->len - 1] == '\t'))
			sb_truncate(ddl, ddl->len - 1);
		sb_addstr(ddl, ";\n");
	}
}

/* TEXT on one line, for the log. */
static char *
engine_schema_one_line(const char *text)
{
	char	*s, *p;
	size_t	 len;

	s = xstrdup(text);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	}
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
	return s;
}

/*
 * Migrate one minor ITEM of TABLE on RECV (whose definition is RDEF, absent
 * when the table is missing), modelled on SDEF, the other side's.  Sets
 * *CHANGED when a statement was executed.  Returns 0, or -1 on an error.
 */
static int
engine_schema_apply(struct engine_ctx *ctx, int64_t job_id, const char *table,
    const struct schema_item *item, struct db_conn *recv,
    const struct table_def *rdef, const struct table_def *sdef,
    int same_driver, int dry_run, struct strbuf *ddl, int *changed,
    struct ps_error *err)
{
	struct table_def	 model;
	struct column_def	*mc;
	struct strbuf		 stmt = STRBUF_INIT;
	enum ddl_op		 op;
	const char		*name;
	char			*line = NULL;
	int			 col = -1, rcol, rc, ret = -1;

	name = engine_schema_conn_name(recv);
	table_def_copy(&model, sdef);

	switch (item->kind) {
	case SI_TABLE_MISSING:
		op = DDL_CREATE_TABLE;
		if (!same_driver) {
			/* Another engine's schema name means nothing here. */
			free(model.schema);
			model.schema = NULL;
		}
		break;
	case SI_COLUMN_MISSING:
	case SI_TYPE_NARROWER:
		op = item->kind == SI_COLUMN_MISSING ? DDL_ADD_COLUMN :
		    DDL_WIDEN_COLUMN;
		col = table_def_col(&model, item->column);
		rcol = table_def_col(rdef, item->column);
		if (col == -1 || (op == DDL_WIDEN_COLUMN && rcol == -1)) {
			ps_error_set(err, PS_ERR_INTERNAL, "table '%s': column "
			    "'%s' is not where the comparison found it", table,
			    item->column != NULL ? item->column : "");
			goto out;
		}
		/* The statement alters the receiving side's own table. */
		free(model.schema);
		free(model.name);
		model.schema = xstrdup(rdef->schema);
		model.name = xstrdup(rdef->name);
		mc = &model.cols[col];
		if (op == DDL_ADD_COLUMN) {
			if (mc->default_expr == NULL)
				mc->nullable = 1;
			mc->autoincrement = 0;
		} else {
			free(mc->name);
			free(mc->type_name);
			free(mc->default_expr);
			*mc = rdef->cols[rcol];
			mc->name = xstrdup(rdef->cols[rcol].name);
			mc->type_name = xstrdup(rdef->cols[rcol].type_name);
			mc->default_expr = xstrdup(
			    rdef->cols[rcol].default_expr);
			engine_schema_widen_col(mc, &sdef->cols[col]);
		}
		break;
	default:
		ret = 0;
		goto out;
	}

	rc = db_ddl(recv, op, &model, col, &stmt, err);
	if (rc == -1) {
		ps_error_prefix(err, "table '%s' on '%s'", table, name);
		goto out;
	}
	if (rc == 1 || stmt.len == 0) {
		engine_log(ctx, job_id, LOG_INFO, "table '%s': %s: nothing to "
		    "change on '%s'", table, item->detail, name);
		ret = 0;
		goto out;
	}

	line = engine_schema_one_line(sb_str(&stmt));
	if (ddl != NULL)
		engine_schema_ddl_add(ddl, name, sb_str(&stmt));
	engine_log(ctx, job_id, LOG_INFO, "table '%s': %s: %s on '%s': %s",
	    table, item->detail, dry_run ? "would run" : "running", name, line);
	if (!dry_run) {
		if (db_exec(recv, sb_str(&stmt), err) != 0) {
			ps_error_prefix(err, "table '%s' on '%s'", table, name);
			goto out;
		}
		*changed = 1;
	}
	ret = 0;
out:
	free(line);
	sb_free(&stmt);
	table_def_free(&model);
	return ret;
}

/*
 * Whether DIFF has a major item that migration cannot cure.  A column NOT
 * NULL without default on one side and missing on the other is cured by
 * adding it there (then the sync always has a value for it); anything else
 * major blocks migration, so a table the sync will skip is left untouched.
 */
static int
engine_schema_blocked(const struct schema_diff *diff)
{
	const struct schema_item	*it, *o;
	int				 i, j, cured;

	for (i = 0; i < diff->n; i++) {
		it = &diff->items[i];
		if (it->sev != SEV_MAJOR)
			continue;
		if (it->kind != SI_NOT_NULL_UNFILLABLE)
			return 1;
		cured = 0;
		for (j = 0; j < diff->n && !cured; j++) {
			o = &diff->items[j];
			cured = o->kind == SI_COLUMN_MISSING &&
			    o->side != it->side && o->column != NULL &&
			    strcmp(o->column, it->column) == 0;
		}
		if (!cured)
			return 1;
	}
	return 0;
}

/*
 * The schema step of one table; see engine_int.h.  On failure SDEF, DDEF and
 * DIFF are freed (left zeroed), so the caller has nothing to free.
 */
int
engine_schema_table(struct engine_ctx *ctx, int64_t job_id,
    struct db_conn *src, struct db_conn *dst, const char *table,
    int bidirectional, int auto_migrate, int dry_run, struct table_def *sdef,
    struct table_def *ddef, struct schema_diff *diff, struct strbuf *ddl,
    struct ps_error *err)
{
	const struct schema_item *it;
	struct db_conn		*recv;
	const struct table_def	*rdef, *model;
	int			 sfound, dfound, same, changed = 0, i;

	memset(diff, 0, sizeof *diff);
	memset(ddef, 0, sizeof *ddef);
	if (engine_schema_describe(src, table, sdef, &sfound, err) != 0)
		goto fail;
	if (engine_schema_describe(dst, table, ddef, &dfound, err) != 0)
		goto fail;
	if (!sfound && !dfound) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "table '%s' does not exist "
		    "on '%s' or '%s'", table, engine_schema_conn_name(src),
		    engine_schema_conn_name(dst));
		goto fail;
	}
	schema_compare(table, sfound ? sdef : NULL, dfound ? ddef : NULL,
	    bidirectional, diff);
	if (!auto_migrate || engine_schema_blocked(diff))
		return 0;

	same = src->ops == dst->ops;
	for (i = 0; i < diff->n; i++) {
		it = &diff->items[i];
		if (it->sev != SEV_MINOR)
			continue;
		if (it->side == SIDE_TARGET) {
			recv = dst;
			rdef = ddef;
			model = sdef;
		} else {
			recv = src;
			rdef = sdef;
			model = ddef;
		}
		if (engine_schema_apply(ctx, job_id, table, it, recv, rdef,
		    model, same, dry_run, ddl, &changed, err) != 0)
			goto fail;
	}
	if (!changed)
		return 0;

	/* Compare again: the diff shows what remains. */
	table_def_free(sdef);
	table_def_free(ddef);
	schema_diff_free(diff);
	if (engine_schema_describe(src, table, sdef, &sfound, err) != 0)
		goto fail;
	if (engine_schema_describe(dst, table, ddef, &dfound, err) != 0)
		goto fail;
	schema_compare(table, sfound ? sdef : NULL, dfound ? ddef : NULL,
	    bidirectional, diff);
	return 0;

fail:
	table_def_free(sdef);
	table_def_free(ddef);
	schema_diff_free(diff);
	return -1;
}

void
schema_report_free(struct schema_report *r)
{
	int	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ntables; i++)
		schema_diff_free(&r->tables[i]);
	free(r->tables);
	memset(r, 0, sizeof *r);
}

static int
engine_schema_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The tables to compare: TABLES (duplicates dropped) when given, else every
 * table of SRC, and with BOTH those of DST too, sorted.  Returns the count,
 * *OUT NULL-terminated (util_strv_free), or -1.
 */
static int
engine_schema_tables(struct db_conn *src, struct db_conn *dst,
    char *const *tables, int both, char ***out, struct ps_error *err)
{
	char	**v = NULL, **s = NULL, **d = NULL;
	int	  n = 0, ns = 0, nd = 0, i, ret = -1;

	*out = NULL;
	if (tables != NULL) {
		for (i = 0; tables[i] != NULL; i++)
			;
		v = xcalloc((size_t)i + 1, sizeof *v);
		for (i = 0; tables[i] != NULL; i++) {
			if (!util_strv_contains(v, tables[i]))
				v[n++] = xstrdup(tables[i]);
		}
		goto done;
	}

	if (db_list_tables(src, &s, &ns, err) != 0)
		goto out;
	if (both && db_list_tables(dst, &d, &nd, err) != 0)
		goto out;
	v = xcalloc((size_t)ns + (size_t)nd + 1, sizeof *v);
	for (i = 0; i < ns; i++) {
		if (!util_strv_contains(v, s[i]))
			v[n++] = xstrdup(s[i]);
	}
	for (i = 0; i < nd; i++) {
		if (!util_strv_contains(v, d[i]))
			v[n++] = xstrdup(d[i]);
	}
	if (n > 1)
		qsort(v, (size_t)n, sizeof *v, engine_schema_cmp);
done:
	*out = v;
	v = NULL;
	ret = n;
out:
	util_strv_free(v);
	for (i = 0; i < ns; i++)
		free(s[i]);
	free(s);
	for (i = 0; i < nd; i++)
		free(d[i]);
	free(d);
	return ret;
}

/*
 * Order the N tables of NAMES so that a table comes after the tables its
 * foreign keys on SRC refer to (a missing parent is created before its
 * children); in a cycle the listed order wins.  Fills ORDER with indexes.
 */
static void
engine_schema_order(struct db_conn *src, char *const *names, int n, int *order)
{
	struct table_def	*defs;
	struct ps_error		 e;
	int			*done, k, i, j, f, ready, found;

	defs = xcalloc((size_t)n, sizeof *defs);
	done = xcalloc((size_t)n, sizeof *done);
	for (i = 0; i < n; i++) {
		if (engine_schema_describe(src, names[i], &defs[i], &found,
		    &e) != 0)
			memset(&defs[i], 0, sizeof defs[i]);
	}

	for (k = 0; k < n; k++) {
		ready = -1;
		for (i = 0; i < n && ready == -1; i++) {
			if (done[i])
				continue;
			ready = i;
			for (f = 0; f < defs[i].nfk && ready != -1; f++) {
				for (j = 0; j < n; j++) {
					if (j == i || done[j] ||
					    defs[i].fks[f].ref_table == NULL ||
					    strcmp(defs[i].fks[f].ref_table,
					    names[j]) != 0)
						continue;
					ready = -1;
					break;
				}
			}
		}
		if (ready == -1) {
			for (i = 0; done[i]; i++)
				;
			ready = i;
		}
		done[ready] = 1;
		order[k] = ready;
	}

	for (i = 0; i < n; i++)
		table_def_free(&defs[i]);
	free(defs);
	free(done);
}

/*
 * Compare (and with MIGRATE, migrate one-way) the tables of SOURCE and
 * TARGET into REPORT, one entry per table in the order they were handled.
 */
static int
engine_schema_run(struct engine_ctx *ctx, const char *source,
    const char *target, char *const *tables, int bidirectional, int migrate,
    int dry_run, struct schema_report *report, struct strbuf *ddl,
    struct ps_error *err)
{
	struct db_conn		*src = NULL, *dst = NULL;
	struct table_def	 sdef, ddef;
	char			**names = NULL;
	int			*order = NULL, n, k, i, timeout, ret = -1;

	memset(report, 0, sizeof *report);
	memset(&sdef, 0, sizeof sdef);
	memset(&ddef, 0, sizeof ddef);
	timeout = ENGINE_SCHEMA_TIMEOUT;
	if (ctx->conf != NULL && ctx->conf->defaults.connect_timeout > 0)
		timeout = ctx->conf->defaults.connect_timeout;

	if (engine_open(ctx, source, timeout, &src, err) != 0)
		goto out;
	if (engine_open(ctx, target, timeout, &dst, err) != 0)
		goto out;
	if ((n = engine_schema_tables(src, dst, tables, bidirectional, &names,
	    err)) == -1)
		goto out;
	if (n == 0) {
		ret = 0;
		goto out;
	}

	order = xcalloc((size_t)n, sizeof *order);
	if (migrate)
		engine_schema_order(src, names, n, order);
	else {
		for (i = 0; i < n; i++)
			order[i] = i;
	}

	report->tables = xcalloc((size_t)n, sizeof *report->tables);
	for (k = 0; k < n; k++) {
		i = order[k];
		if (engine_schema_table(ctx, 0, src, dst, names[i],
		    bidirectional, migrate, dry_run, &sdef, &ddef,
		    &report->tables[report->ntables], ddl, err) != 0)
			goto out;
		if (!bidirectional && sdef.name == NULL) {
			/* One-way, nothing flows from a missing table. */
			schema_diff_free(&report->tables[report->ntables]);
			ps_error_set(err, PS_ERR_NOT_FOUND, "table '%s' does "
			    "not exist on '%s'", names[i],
			    engine_schema_conn_name(src));
			goto out;
		}
		report->ntables++;
		table_def_free(&sdef);
		table_def_free(&ddef);
	}
	ret = 0;
out:
	table_def_free(&sdef);
	table_def_free(&ddef);
	free(order);
	util_strv_free(names);
	if (src != NULL)
		db_close(src);
	if (dst != NULL)
		db_close(dst);
	return ret;
}

int
engine_schema_diff(struct engine_ctx *ctx, const char *source,
    const char *target, char *const *tables, int bidirectional,
    struct schema_report *report, struct ps_error *err)
{
	return engine_schema_run(ctx, source, target, tables, bidirectional, 0,
	    0, report, NULL, err);
}

int
engine_schema_migrate(struct engine_ctx *ctx, const char *source,
    const char *target, char *const *tables, int dry_run,
    struct schema_report *report, struct strbuf *ddl, struct ps_error *err)
{
	return engine_schema_run(ctx, source, target, tables, 0, 1, dry_run,
	    report, ddl, err);
}
