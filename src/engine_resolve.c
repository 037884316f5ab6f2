/*
 * projsync - engine_resolve.c: resolving conflicts by hand or in bulk (SPEC
 * section 5).
 *
 * A resolution re-reads both rows by key and compares their digests with
 * the versions the sync recorded: if either changed, the conflict becomes
 * stale and nothing is written.  Otherwise the chosen version (source,
 * target or newer, with single fields overridden or set to NULL) is written
 * where it differs — the target only for a one-way pair, both sides for a
 * bidirectional one — and the base follows when both sides now agree.
 */
#include "projsync/common.h"

#include <stdlib.h>
#include <string.h>

#include "projsync/conf.h"
#include "projsync/db.h"
#include "projsync/engine.h"
#include "projsync/history.h"
#include "projsync/json.h"
#include "projsync/util.h"
#include "engine_int.h"

/* Connections kept open across the conflicts of one bulk resolution. */
struct rconns {
	struct engine_ctx	*ctx;
	int			 timeout;
	int			 n;
	char			*names[8];
	struct db_conn		*conns[8];
};

static int
rconns_get(struct rconns *rc, const char *name, struct db_conn **out,
    struct ps_error *err)
{
	int	i;

	for (i = 0; i < rc->n; i++) {
		if (strcmp(rc->names[i], name) == 0) {
			*out = rc->conns[i];
			return 0;
		}
	}
	if (rc->n == (int)nitems(rc->conns)) {
		db_close(rc->conns[0]);
		free(rc->names[0]);
		memmove(&rc->conns[0], &rc->conns[1],
		    (size_t)(rc->n - 1) * sizeof rc->conns[0]);
		memmove(&rc->names[0], &rc->names[1],
		    (size_t)(rc->n - 1) * sizeof rc->names[0]);
		rc->n--;
	}
	if (engine_open(rc->ctx, name, rc->timeout, out, err) != 0)
		return -1;
	rc->names[rc->n] = xstrdup(name);
	rc->conns[rc->n] = *out;
	rc->n++;
	return 0;
}

static void
rconns_close(struct rconns *rc)
{
	int	i;

	for (i = 0; i < rc->n; i++) {
		db_close(rc->conns[i]);
		free(rc->names[i]);
	}
	rc->n = 0;
}

static int
hexval(int c)
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
 * Set cell I of R from text a person (or the history's JSON) gave for a
 * column of family FAM: binary as \x followed by hex, the rest through
 * value_canon().
 */
static int
cell_from_text(struct row *r, int i, enum type_family fam, const char *s,
    size_t len, struct ps_error *err)
{
	struct strbuf	sb = STRBUF_INIT;
	size_t		k;
	int		hi, lo;

	if (fam != TF_BINARY)
		return row_set_canon(r, i, fam, s, len, err);
	if (len >= 2 && s[0] == '\\' && (s[1] == 'x' || s[1] == 'X')) {
		if ((len - 2) % 2 != 0)
			goto bad;
		for (k = 2; k < len; k += 2) {
			if ((hi = hexval(s[k])) < 0 ||
			    (lo = hexval(s[k + 1])) < 0)
				goto bad;
			sb_addch(&sb, hi << 4 | lo);
		}
		row_set(r, i, sb.buf == NULL ? "" : sb.buf, sb.len);
	} else
		row_set(r, i, s, len);
	sb_free(&sb);
	return 0;
bad:
	sb_free(&sb);
	ps_error_set(err, PS_ERR_VALUE, "invalid binary value (expected \\x "
	    "followed by pairs of hex digits)");
	return -1;
}

/* Read one row by key: 1 present, 0 absent, -1 error. */
static int
fetch_row(struct db_conn *c, const struct table_plan *p,
    const enum type_family *fam, const struct row *key, struct row *out,
    struct ps_error *err)
{
	struct scan_spec	 spec;
	struct db_cursor	*cur = NULL;
	int			 rc;

	memset(&spec, 0, sizeof spec);
	spec.table = p->table;
	spec.ncols = p->ncols;
	spec.cols = p->cols;
	spec.fam = fam;
	spec.nkey = p->nkey;
	spec.key_eq = key;
	if (db_scan(c, &spec, &cur, err) != 0)
		return -1;
	rc = db_next(c, cur, out, err);
	db_cursor_free(c, cur);
	return rc;
}

static int
col_index(const struct table_plan *p, const char *name)
{
	int	i;

	for (i = 0; i < p->ncols; i++)
		if (strcmp(p->cols[i], name) == 0)
			return i;
	return -1;
}

static void
no_column(const struct table_plan *p, int64_t id, const char *name,
    struct ps_error *err)
{
	struct strbuf	sb = STRBUF_INIT;
	int		i;

	for (i = p->nkey; i < p->ncols; i++) {
		if (i > p->nkey)
			sb_addstr(&sb, ", ");
		sb_addstr(&sb, p->cols[i]);
	}
	ps_error_set(err, PS_ERR_USAGE, "conflict %lld: table '%s' has no "
	    "column '%s' that can be set (columns: %s)", (long long)id,
	    p->table, name, sb_str(&sb));
	sb_free(&sb);
}

/* Apply ROW (present or not) to one side where it differs from CUR. */
static int
side_change(struct db_conn *c, const struct table_plan *p,
    const enum type_family *fam, const struct row *want, int want_present,
    const struct row *cur, int cur_present, struct change_batch *b)
{
	change_batch_init(b, p->table, p->ncols, p->cols, fam, p->nkey);
	(void)c;
	if (want_present) {
		if (cur_present && row_equal_range(want, cur, 0, p->ncols))
			return 0;
		change_batch_add(b, cur_present ? CH_UPDATE : CH_INSERT, want);
	} else if (cur_present)
		change_batch_add(b, CH_DELETE, cur);
	return (int)b->n;
}

static void
mark_stale(struct engine_ctx *ctx, struct conflict_row *c)
{
	free(c->status);
	c->status = xstrdup("stale");
	(void)history_conflict_update(ctx->hist, c, NULL);
}

static int
resolve_one(struct rconns *rc, int64_t id, const struct resolve_opts *o,
    struct ps_error *err)
{
	struct engine_ctx	*ctx = rc->ctx;
	struct conflict_row	 c;
	struct table_def	 sdef, ddef;
	struct table_plan	 p;
	struct db_conn		*src, *dst;
	struct json_obj		 kobj;
	struct row		 key, S, T, R;
	struct change_batch	 bs, bt;
	struct strbuf		 rj = STRBUF_INIT;
	const struct json_kv	*kv;
	unsigned char		 d[DIGEST_LEN];
	const char		*why, *outcome;
	enum strategy		 st = o->strategy;
	int			 ret = -1, i, col, s_has, t_has, r_has, newer;
	int			 from_target, ws = 0, wt = 0, began_s = 0;
	int			 began_t = 0;
	size_t			 failed;

	memset(&c, 0, sizeof c);
	memset(&sdef, 0, sizeof sdef);
	memset(&ddef, 0, sizeof ddef);
	memset(&p, 0, sizeof p);
	memset(&kobj, 0, sizeof kobj);
	memset(&key, 0, sizeof key);
	memset(&S, 0, sizeof S);
	memset(&T, 0, sizeof T);
	memset(&R, 0, sizeof R);
	memset(&bs, 0, sizeof bs);
	memset(&bt, 0, sizeof bt);

	if (history_conflict_get(ctx->hist, id, &c, err) != 0)
		return -1;
	if (strcmp(c.status, "resolved") == 0) {
		ps_error_set(err, PS_ERR_VALUE, "conflict %lld is already "
		    "resolved", (long long)id);
		goto out;
	}
	if (strcmp(c.status, "stale") == 0) {
		ps_error_set(err, PS_ERR_STALE, "conflict %lld is stale: the "
		    "rows changed since the sync; run the sync again",
		    (long long)id);
		goto out;
	}
	if (st == STRAT_IGNORE) {
		free(c.status);
		c.status = xstrdup("ignored");
		if (o->note != NULL) {
			free(c.note);
			c.note = xstrdup(o->note);
		}
		ret = history_conflict_update(ctx->hist, &c, err);
		goto out;
	}
	if (st == STRAT_MANUAL && o->nset == 0 && o->nnull == 0) {
		ps_error_set(err, PS_ERR_USAGE, "conflict %lld: give --strategy, "
		    "--set or --null", (long long)id);
		goto out;
	}

	if (rconns_get(rc, c.source, &src, err) != 0 ||
	    rconns_get(rc, c.target, &dst, err) != 0)
		goto out;
	if (db_describe(src, c.table, &sdef, err) != 0 ||
	    db_describe(dst, c.table, &ddef, err) != 0)
		goto out;
	if (engine_plan(ctx, c.table, &sdef, &ddef, c.timestamp_column, &p,
	    err) != 0)
		goto out;

	/* The key, from the JSON the sync recorded. */
	if (json_parse_object(c.key_json, &kobj) != 0) {
		ps_error_set(err, PS_ERR_INTERNAL, "conflict %lld: unreadable "
		    "key %s", (long long)id, c.key_json);
		goto out;
	}
	row_init(&key, p.nkey);
	for (i = 0; i < p.nkey; i++) {
		if ((kv = json_obj_get(&kobj, p.cols[i])) == NULL ||
		    kv->value == NULL) {
			ps_error_set(err, PS_ERR_SCHEMA, "conflict %lld: the "
			    "key of table '%s' changed since the sync; run "
			    "the sync again", (long long)id, c.table);
			goto out;
		}
		if (cell_from_text(&key, i, p.sfam[i], kv->value, kv->len,
		    err) != 0)
			goto out;
	}

	row_init(&S, p.ncols);
	row_init(&T, p.ncols);
	if ((s_has = fetch_row(src, &p, p.sfam, &key, &S, err)) < 0 ||
	    (t_has = fetch_row(dst, &p, p.tfam, &key, &T, err)) < 0)
		goto out;

	/* Stale: either side no longer matches what the sync saw. */
	if (s_has != c.has_source || t_has != c.has_target)
		goto stale;
	if (s_has) {
		row_digest(&S, 0, p.ncols, p.seed, d);
		if (memcmp(d, c.source_digest, DIGEST_LEN) != 0)
			goto stale;
	}
	if (t_has) {
		row_digest(&T, 0, p.ncols, p.seed, d);
		if (memcmp(d, c.target_digest, DIGEST_LEN) != 0)
			goto stale;
	}

	/* The version to start from. */
	switch (st) {
	case STRAT_TARGET_WINS:
		from_target = 1;
		break;
	case STRAT_NEWER_WINS:
		newer = engine_newer(&p, s_has ? &S : NULL, t_has ? &T : NULL,
		    o->clock_skew, &why);
		if (newer == 0) {
			ps_error_set(err, PS_ERR_USAGE, "conflict %lld: "
			    "newer-wins cannot decide: %s", (long long)id, why);
			goto out;
		}
		from_target = newer == 2;
		break;
	case STRAT_MANUAL:
		from_target = !s_has;
		break;
	default:
		from_target = 0;
		break;
	}
	row_init(&R, p.ncols);
	r_has = from_target ? t_has : s_has;
	if (r_has)
		row_copy(&R, from_target ? &T : &S);
	outcome = r_has ? (from_target ? "target" : "source") : "deleted";

	/* Field overrides. */
	for (i = 0; i < o->nset + o->nnull; i++) {
		const char *name = i < o->nset ? o->set_cols[i] :
		    o->null_cols[i - o->nset];

		if ((col = col_index(&p, name)) < 0) {
			no_column(&p, id, name, err);
			goto out;
		}
		if (col < p.nkey) {
			ps_error_set(err, PS_ERR_USAGE, "conflict %lld: '%s' "
			    "is a key column and cannot be changed",
			    (long long)id, name);
			goto out;
		}
		if (!r_has) {
			ps_error_set(err, PS_ERR_USAGE, "conflict %lld: the "
			    "chosen version deletes the row; its fields "
			    "cannot be set", (long long)id);
			goto out;
		}
		if (i >= o->nset) {
			if (!p.t_nullable[col] ||
			    (c.bidirectional && !p.s_nullable[col])) {
				ps_error_set(err, PS_ERR_USAGE, "conflict "
				    "%lld: column '%s' is NOT NULL",
				    (long long)id, name);
				goto out;
			}
			row_set_null(&R, col);
		} else if (cell_from_text(&R, col, p.sfam[col],
		    o->set_vals[i], strlen(o->set_vals[i]), err) != 0) {
			ps_error_set(err, PS_ERR_USAGE, "conflict %lld: value "
			    "'%s' does not fit column '%s' (%s)",
			    (long long)id, o->set_vals[i], name,
			    tf_name(p.sfam[col]));
			goto out;
		}
		outcome = "merged";
	}

	/* Write where the result differs. */
	wt = side_change(dst, &p, p.tfam, &R, r_has, &T, t_has, &bt);
	if (c.bidirectional)
		ws = side_change(src, &p, p.sfam, &R, r_has, &S, s_has, &bs);
	if (wt > 0) {
		if (db_begin(dst, err) != 0)
			goto fail;
		began_t = 1;
		if (db_apply(dst, &bt, &failed, err) != 0) {
			ps_error_prefix(err, "conflict %lld: writing the target "
			    "'%s'", (long long)id, dst->name);
			goto fail;
		}
	}
	if (ws > 0) {
		if (db_begin(src, err) != 0)
			goto fail;
		began_s = 1;
		if (db_apply(src, &bs, &failed, err) != 0) {
			ps_error_prefix(err, "conflict %lld: writing the source "
			    "'%s'", (long long)id, src->name);
			goto fail;
		}
	}
	if (began_t) {
		began_t = 0;
		if (db_commit(dst, err) != 0)
			goto fail;
	}
	if (began_s) {
		began_s = 0;
		if (db_commit(src, err) != 0)
			goto fail;
	}

	/* The base follows when both sides now hold the result. */
	if (c.bidirectional || (r_has == s_has &&
	    (!r_has || row_equal_range(&R, &S, 0, p.ncols)))) {
		if (r_has)
			row_digest(&R, 0, p.ncols, p.seed, d);
		if (history_base_put(ctx->hist, c.pair_id, c.table, c.key,
		    c.keylen, r_has ? d : NULL, err) != 0)
			goto out;
	}

	free(c.status);
	c.status = xstrdup("resolved");
	free(c.strategy);
	c.strategy = xstrdup(st == STRAT_MANUAL ? "manual" : strategy_name(st));
	free(c.outcome);
	c.outcome = xstrdup(outcome);
	free(c.result_row);
	c.result_row = NULL;
	if (r_has) {
		engine_row_json(&p, &R, p.sfam, &rj);
		c.result_row = sb_detach(&rj);
	}
	free(c.note);
	c.note = xstrdup(o->note);
	free(c.resolved_by);
	c.resolved_by = xstrdup(util_os_user());
	c.resolved_at = util_now();
	if (history_conflict_update(ctx->hist, &c, err) != 0)
		goto out;
	ret = 0;
	goto out;

stale:
	mark_stale(ctx, &c);
	ps_error_set(err, PS_ERR_STALE, "conflict %lld is stale: the rows "
	    "changed since the sync; nothing was written; run the sync again",
	    (long long)id);
	goto out;
fail:
	if (began_t)
		(void)db_rollback(dst, NULL);
	if (began_s)
		(void)db_rollback(src, NULL);
out:
	conflict_row_free(&c);
	table_def_free(&sdef);
	table_def_free(&ddef);
	engine_plan_free(&p);
	json_obj_free(&kobj);
	if (key.cells != NULL)
		row_free(&key);
	if (S.cells != NULL)
		row_free(&S);
	if (T.cells != NULL)
		row_free(&T);
	if (R.cells != NULL)
		row_free(&R);
	if (bs.cols != NULL)
		change_batch_free(&bs);
	if (bt.cols != NULL)
		change_batch_free(&bt);
	sb_free(&rj);
	return ret;
}

int
engine_resolve(struct engine_ctx *ctx, int64_t id,
    const struct resolve_opts *o, struct ps_error *err)
{
	struct rconns	rc;
	int		ret;

	memset(&rc, 0, sizeof rc);
	rc.ctx = ctx;
	rc.timeout = o->connect_timeout > 0 ? o->connect_timeout : 10;
	ret = resolve_one(&rc, id, o, err);
	rconns_close(&rc);
	return ret;
}

int
engine_resolve_all(struct engine_ctx *ctx, const struct conflict_filter *f,
    const struct resolve_opts *o, struct resolve_summary *sum,
    struct ps_error *err)
{
	struct rconns		 rc;
	struct conflict_row	*rows = NULL;
	struct ps_error		 e;
	int			 n = 0, i;

	memset(sum, 0, sizeof *sum);
	if (o->nset > 0 || o->nnull > 0) {
		ps_error_set(err, PS_ERR_USAGE, "--set and --null resolve one "
		    "conflict at a time");
		return -1;
	}
	if (o->strategy == STRAT_MANUAL) {
		ps_error_set(err, PS_ERR_USAGE, "resolving in bulk needs "
		    "--strategy");
		return -1;
	}
	if (history_conflict_list(ctx->hist, f, &rows, &n, err) != 0)
		return -1;
	memset(&rc, 0, sizeof rc);
	rc.ctx = ctx;
	rc.timeout = o->connect_timeout > 0 ? o->connect_timeout : 10;
	sum->matched = n;
	for (i = 0; i < n; i++) {
		if (ctx->cancel != NULL && atomic_load(ctx->cancel))
			break;
		if (resolve_one(&rc, rows[i].id, o, &e) == 0) {
			sum->resolved++;
			continue;
		}
		if (e.code == PS_ERR_STALE)
			sum->stale++;
		else
			sum->failed++;
		engine_log(ctx, 0, e.code == PS_ERR_STALE ? LOG_WARN :
		    LOG_ERROR, "%s", e.msg);
	}
	rconns_close(&rc);
	conflict_rows_free(rows, n);
	return 0;
}
