/*
 * projsync - engine.c: the sync job.
 *
 * DESIGN
 *
 * A job connects to both sides, settles each table's schema (engine_schema.c),
 * orders the tables by their foreign keys and then, table by table, merges
 * three streams ordered by the encoded key (value.h): the source rows, the
 * target rows and the base digests of the history.  Each key goes through the
 * decision table (engine_diff3.c); what it decides is queued in a per-side
 * change batch of batch_size rows that is applied in one transaction.  A
 * failed batch is rolled back and retried row by row, so only the failing
 * rows are lost, each logged with its key.  After a batch commits, the base
 * of its keys is updated in the history; until then a pending base entry
 * waits in a spool file, so memory never grows with the table.
 *
 * Deletes wait: they are spooled per table and side and applied after every
 * table's inserts and updates, children first, so no parent row goes before
 * its children.  In a table that references itself, a row that points at a
 * key the merge has not reached yet is written with that reference NULL and
 * set afterwards.
 *
 * Everything runs on the calling thread; the cancel flag is checked between
 * batches and every few thousand rows.
 */
#include "projsync/common.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "projsync/conf.h"
#include "projsync/db.h"
#include "projsync/diff3.h"
#include "projsync/engine.h"
#include "projsync/history.h"
#include "projsync/json.h"
#include "projsync/log.h"
#include "projsync/notify.h"
#include "projsync/util.h"
#include "engine_int.h"

/*
 * Write sessions per side at most, for drivers that can open more
 * (db_ops.open_writer): batches of a table go to them in turn.
 */
#ifndef ENGINE_WRITERS
#define ENGINE_WRITERS	2
#endif

/* How long a notification command may run after a job (seconds). */
#define ENGINE_NOTIFY_TIMEOUT_S	30

/* ---- names ---- */

static const char *const strategy_names[] = {
	"manual", "source-wins", "target-wins", "newer-wins", "ignore"
};

const char *
strategy_name(enum strategy s)
{
	if ((size_t)s >= nitems(strategy_names))
		return "?";
	return strategy_names[s];
}

int
strategy_parse(const char *s, enum strategy *out)
{
	size_t	i;

	for (i = 0; i < nitems(strategy_names); i++) {
		if (strcmp(s, strategy_names[i]) == 0) {
			*out = (enum strategy)i;
			return 0;
		}
	}
	return -1;
}

static const char *const job_status_names[] = {
	"running", "completed", "completed_with_conflicts",
	"completed_with_errors", "failed", "cancelled"
};

const char *
job_status_name(enum job_status s)
{
	if ((size_t)s >= nitems(job_status_names))
		return "?";
	return job_status_names[s];
}

int
job_status_exit(enum job_status s)
{
	switch (s) {
	case JOB_COMPLETED:
		return 0;
	case JOB_COMPLETED_WITH_CONFLICTS:
		return 3;
	default:
		return 1;
	}
}

void
sync_opts_defaults(struct sync_opts *o, const struct conf *conf)
{
	memset(o, 0, sizeof *o);
	o->strategy = STRAT_MANUAL;
	o->schema_check = 1;
	o->batch_size = 1000;
	o->connect_timeout = 10;
	if (conf == NULL)
		return;
	if (conf->defaults.direction != NULL &&
	    strcmp(conf->defaults.direction, "bidirectional") == 0)
		o->bidirectional = 1;
	if (conf->defaults.strategy != NULL)
		(void)strategy_parse(conf->defaults.strategy, &o->strategy);
	if (conf->defaults.batch_size > 0)
		o->batch_size = conf->defaults.batch_size;
	o->schema_check = conf->defaults.schema_validation;
	o->auto_migrate = conf->defaults.auto_migrate;
	o->clock_skew = conf->defaults.clock_skew;
	if (conf->defaults.connect_timeout > 0)
		o->connect_timeout = conf->defaults.connect_timeout;
}

void
job_result_free(struct job_result *r)
{
	int	i;

	for (i = 0; i < r->ntables; i++) {
		free(r->tables[i].name);
		free(r->tables[i].status);
		free(r->tables[i].message);
	}
	free(r->tables);
	memset(r, 0, sizeof *r);
}

/* ---- events and logs ---- */

static void
engine_emit(struct engine_ctx *ctx, struct engine_event *ev)
{
	if (ctx->cb != NULL)
		ctx->cb(ev, ctx->cb_arg);
}

void
engine_log(struct engine_ctx *ctx, int64_t job_id, enum log_level level,
    const char *fmt, ...)
{
	struct engine_event	 ev;
	va_list			 ap;
	char			*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (job_id > 0 && ctx->hist != NULL)
		(void)history_log(ctx->hist, job_id, log_level_name(level),
		    msg, NULL);
	memset(&ev, 0, sizeof ev);
	ev.type = EV_LOG;
	ev.job_id = job_id;
	ev.level = (int)level;
	ev.message = msg;
	engine_emit(ctx, &ev);
	free(msg);
}

static int
engine_cancelled(struct engine_ctx *ctx)
{
	return ctx->cancel != NULL && atomic_load(ctx->cancel) != 0;
}

/* ---- connections ---- */

int
engine_open(struct engine_ctx *ctx, const char *name, int timeout_s,
    struct db_conn **out, struct ps_error *err)
{
	const struct conn_conf	*cc;

	*out = NULL;
	if (ctx->conf == NULL ||
	    (cc = conf_conn_find(ctx->conf, name)) == NULL) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "unknown connection '%s'",
		    name);
		return -1;
	}
	return db_open(cc, timeout_s, out, err);
}

int
engine_conn_test(struct engine_ctx *ctx, const char *name, int timeout_s,
    double *latency_ms, char **version, struct ps_error *err)
{
	struct db_conn	*c = NULL;
	double		 t0;

	*version = NULL;
	*latency_ms = 0;
	t0 = util_monotonic();
	if (engine_open(ctx, name, timeout_s, &c, err) != 0)
		return -1;
	if (c->ops->server_version != NULL)
		*version = c->ops->server_version(c);
	*latency_ms = (util_monotonic() - t0) * 1000.0;
	db_close(c);
	return 0;
}

/* ---- table plans ---- */

static const char *const ts_names[] = {
	"updated_at", "modified_at", "last_modified", "updated"
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
engine_plan(struct engine_ctx *ctx, const char *table,
    const struct table_def *sdef, const struct table_def *ddef,
    const char *ts_override, struct table_plan *p, struct ps_error *err)
{
	const struct table_conf	*tc = NULL;
	char			**key = NULL, **rest = NULL;
	int			  nkey, nrest = 0, i, j, si, di, found;
	size_t			  k;

	memset(p, 0, sizeof *p);
	p->ts_col = -1;
	if (ctx->conf != NULL)
		tc = conf_table_find(ctx->conf, table);
	nkey = table_def_key(sdef, tc != NULL ? tc->key_columns : NULL,
	    tc != NULL ? tc->nkey_columns : 0, &key, err);
	if (nkey < 0)
		return -1;
	for (i = 0; i < nkey; i++) {
		if (table_def_col(ddef, key[i]) < 0) {
			ps_error_set(err, PS_ERR_NO_KEY, "table '%s': key "
			    "column '%s' is missing on the target", table,
			    key[i]);
			util_strv_free(key);
			return -1;
		}
	}
	rest = xcalloc((size_t)sdef->ncols + 1, sizeof *rest);
	for (i = 0; i < sdef->ncols; i++) {
		const char *n = sdef->cols[i].name;

		if (util_strv_contains(key, n) ||
		    table_def_col(ddef, n) < 0)
			continue;
		rest[nrest++] = xstrdup(n);
	}
	qsort(rest, (size_t)nrest, sizeof *rest, cmp_names);

	p->table = xstrdup(table);
	p->nkey = nkey;
	p->ncols = nkey + nrest;
	p->cols = xcalloc((size_t)p->ncols + 1, sizeof *p->cols);
	for (i = 0; i < nkey; i++)
		p->cols[i] = xstrdup(key[i]);
	for (i = 0; i < nrest; i++)
		p->cols[nkey + i] = rest[i];
	free(rest);
	util_strv_free(key);

	p->sfam = xcalloc((size_t)p->ncols, sizeof *p->sfam);
	p->tfam = xcalloc((size_t)p->ncols, sizeof *p->tfam);
	p->s_nullable = xcalloc((size_t)p->ncols, sizeof *p->s_nullable);
	p->t_nullable = xcalloc((size_t)p->ncols, sizeof *p->t_nullable);
	for (i = 0; i < p->ncols; i++) {
		si = table_def_col(sdef, p->cols[i]);
		di = table_def_col(ddef, p->cols[i]);
		p->sfam[i] = sdef->cols[si].family;
		p->tfam[i] = ddef->cols[di].family;
		p->s_nullable[i] = sdef->cols[si].nullable;
		p->t_nullable[i] = ddef->cols[di].nullable;
	}
	p->seed = digest_seed(p->cols, p->ncols);

	/* The timestamp column for newer-wins. */
	if (ts_override == NULL && tc != NULL)
		ts_override = tc->timestamp_column;
	if (ts_override != NULL) {
		for (i = 0; i < p->ncols; i++)
			if (strcmp(p->cols[i], ts_override) == 0)
				p->ts_col = i;
	} else {
		found = 0;
		for (i = 0; i < p->ncols; i++) {
			for (k = 0; k < nitems(ts_names); k++) {
				if (strcmp(p->cols[i], ts_names[k]) == 0) {
					p->ts_col = i;
					found++;
				}
			}
		}
		if (found != 1)
			p->ts_col = -1;
	}

	/* A self-reference whose parent columns are exactly the key. */
	for (i = 0; i < sdef->nfk && !p->self_fk; i++) {
		const struct fk_def	*fk = &sdef->fks[i];
		int			*cols;
		int			 ok = 1;

		/* The parent may be named as listed ("app.tasks") or bare. */
		if ((strcmp(fk->ref_table, sdef->name) != 0 &&
		    strcmp(fk->ref_table, table) != 0) || fk->ncols != nkey)
			continue;
		cols = xcalloc((size_t)nkey, sizeof *cols);
		for (j = 0; j < nkey && ok; j++) {
			const char *ref = fk->ref_cols != NULL &&
			    fk->ref_cols[j] != NULL ? fk->ref_cols[j] :
			    p->cols[j];
			int	    kpos = -1, cpos = -1, m;

			for (m = 0; m < nkey; m++)
				if (strcmp(p->cols[m], ref) == 0)
					kpos = m;
			for (m = 0; m < p->ncols; m++)
				if (strcmp(p->cols[m], fk->cols[j]) == 0)
					cpos = m;
			if (kpos < 0 || cpos < 0 || cpos < nkey)
				ok = 0;
			else
				cols[kpos] = cpos;
		}
		if (ok) {
			p->self_fk = 1;
			p->fk_cols = cols;
		} else
			free(cols);
	}
	return 0;
}

void
engine_plan_free(struct table_plan *p)
{
	free(p->table);
	util_strv_free(p->cols);
	free(p->sfam);
	free(p->tfam);
	free(p->fk_cols);
	free(p->s_nullable);
	free(p->t_nullable);
	memset(p, 0, sizeof *p);
}

int
engine_newer(const struct table_plan *p, const struct row *s,
    const struct row *t, double skew, const char **why)
{
	int64_t	ts, tt;
	int	c = p->ts_col;

	*why = NULL;
	if (s == NULL || t == NULL) {
		*why = "a row is absent on one side";
		return 0;
	}
	if (c < 0) {
		*why = "no timestamp column";
		return 0;
	}
	if (row_null(s, c) || row_null(t, c)) {
		*why = "the timestamp is NULL";
		return 0;
	}
	if (value_epoch_us(p->sfam[c], row_ptr(s, c), row_len(s, c),
	    &ts) != 0 ||
	    value_epoch_us(p->tfam[c], row_ptr(t, c), row_len(t, c),
	    &tt) != 0) {
		*why = "the timestamp cannot be read";
		return 0;
	}
	if (fabs((double)(ts - tt)) <= skew * 1e6) {
		*why = "the timestamps are equal (within the clock skew)";
		return 0;
	}
	return ts > tt ? 1 : 2;
}

void
engine_row_json(const struct table_plan *p, const struct row *r,
    const enum type_family *fam, struct strbuf *sb)
{
	int	i;

	sb_addch(sb, '{');
	for (i = 0; i < p->ncols; i++) {
		if (i > 0)
			sb_addch(sb, ',');
		json_quote(sb, p->cols[i], strlen(p->cols[i]));
		sb_addch(sb, ':');
		value_json(r, i, fam[i], sb);
	}
	sb_addch(sb, '}');
}

/* ---- spools: records kept in memory, then in a temporary file ---- */

/* What a spool keeps in memory before it moves to a file. */
#define SPOOL_MEM	(64 * 1024)

/*
 * A spool holds records of two byte strings (A and B; B may be absent).
 * The first SPOOL_MEM bytes stay in memory (a batch's base entries always
 * do); past that, everything moves to an unlinked temporary file, so
 * pending work of any size costs no more memory.
 */
struct spool {
	FILE		*f;	/* once spilled */
	struct strbuf	 mem;	/* the records, while they fit */
	size_t		 off;	/* the read position in mem */
	size_t		 n;
};

/* Append one length-prefixed string (UINT32_MAX: absent) to SB. */
static void
spool_add_one(struct strbuf *sb, const void *p, size_t len, int has)
{
	uint32_t	l = has ? (uint32_t)len : UINT32_MAX;

	sb_add(sb, &l, sizeof l);
	if (has && len != 0)
		sb_add(sb, p, len);
}

static void
spool_put(struct spool *sp, const void *a, size_t alen, const void *b,
    size_t blen, int has_b)
{
	size_t	start = sp->mem.len;

	spool_add_one(&sp->mem, a, alen, 1);
	spool_add_one(&sp->mem, b, blen, has_b);
	sp->n++;
	if (sp->f == NULL && sp->mem.len <= SPOOL_MEM)
		return;
	if (sp->f == NULL) {
		/* Too big for memory: the records so far go to a file. */
		if ((sp->f = tmpfile()) == NULL)
			fatalx("tmpfile: cannot create a spool file");
		start = 0;
	}
	if (fwrite(sp->mem.buf + start, sp->mem.len - start, 1, sp->f) != 1)
		fatalx("spool: write failed");
	sb_reset(&sp->mem);
}

static void
spool_rewind(struct spool *sp)
{
	sp->off = 0;
	if (sp->f != NULL) {
		fflush(sp->f);
		rewind(sp->f);
	}
}

static int
spool_read_one(FILE *f, struct strbuf *sb, int *has)
{
	uint32_t	len;

	sb_reset(sb);
	if (fread(&len, sizeof len, 1, f) != 1)
		return -1;
	if (len == UINT32_MAX) {
		*has = 0;
		return 0;
	}
	*has = 1;
	sb_grow(sb, len);
	if (len != 0 && fread(sb->buf, len, 1, f) != 1)
		return -1;
	sb->len = len;
	sb->buf[len] = '\0';
	return 0;
}

/* The same from memory at *OFF. */
static int
spool_mem_one(const struct strbuf *m, size_t *off, struct strbuf *sb,
    int *has)
{
	uint32_t	len;

	sb_reset(sb);
	if (*off + sizeof len > m->len)
		return -1;
	memcpy(&len, m->buf + *off, sizeof len);
	*off += sizeof len;
	if (len == UINT32_MAX) {
		*has = 0;
		return 0;
	}
	*has = 1;
	if (*off + len > m->len)
		return -1;
	sb_grow(sb, len);
	if (len != 0)
		memcpy(sb->buf, m->buf + *off, len);
	sb->len = len;
	sb->buf[len] = '\0';
	*off += len;
	return 0;
}

/* Read the next record; 0 at the end. */
static int
spool_get(struct spool *sp, struct strbuf *a, struct strbuf *b, int *has_b)
{
	int	has_a;

	if (sp->f != NULL) {
		if (spool_read_one(sp->f, a, &has_a) != 0)
			return 0;
		if (spool_read_one(sp->f, b, has_b) != 0)
			fatalx("spool: truncated record");
		return 1;
	}
	if (spool_mem_one(&sp->mem, &sp->off, a, &has_a) != 0)
		return 0;
	if (spool_mem_one(&sp->mem, &sp->off, b, has_b) != 0)
		fatalx("spool: truncated record");
	return 1;
}

/* Empty the spool for reuse (back in memory). */
static void
spool_clear(struct spool *sp)
{
	if (sp->f != NULL) {
		fclose(sp->f);
		sp->f = NULL;
	}
	sb_reset(&sp->mem);
	sp->off = 0;
	sp->n = 0;
}

static void
spool_free(struct spool *sp)
{
	if (sp->f != NULL)
		fclose(sp->f);
	sp->f = NULL;
	sb_free(&sp->mem);
	sp->off = 0;
	sp->n = 0;
}

/* Rows as bytes, for spools. */
static void
row_pack(const struct row *r, int n, struct strbuf *sb)
{
	uint32_t	len;
	int		i;

	sb_reset(sb);
	for (i = 0; i < n; i++) {
		len = row_null(r, i) ? UINT32_MAX : (uint32_t)row_len(r, i);
		sb_add(sb, &len, sizeof len);
		if (!row_null(r, i))
			sb_add(sb, row_ptr(r, i), row_len(r, i));
	}
}

static void
row_unpack(struct row *r, const struct strbuf *sb)
{
	const char	*p = sb->buf, *end = sb->buf + sb->len;
	uint32_t	 len;
	int		 i;

	row_reset(r);
	for (i = 0; i < r->ncols && p + sizeof len <= end; i++) {
		memcpy(&len, p, sizeof len);
		p += sizeof len;
		if (len == UINT32_MAX)
			continue;
		row_set(r, i, p, len);
		p += len;
	}
}

/* ---- the job ---- */

/*
 * A batch being written on a writer thread, through one session.  A side
 * has one slot, or two when the driver opens a second write session
 * (db_open_writer) and the table allows two batches at once.
 */
struct wslot {
	struct db_conn		*conn;
	struct change_batch	 b;
	struct spool		 pb;		/* its base entries */
	pthread_t		 thr;
	int			 busy;		/* the writer thread runs */
	int			 wrc;		/* its result: 0 or -1 */
	int			 wstage;	/* where it failed: SW_* */
	size_t			 wfailed;
	struct ps_error		 werr;
};

/* One side of a table's merge. */
struct tside {
	const char		*label;		/* "source" or "target" */
	struct db_conn		*conn;
	const enum type_family	*fam;
	struct db_cursor	*cur;
	struct row		 row;
	int			 has;
	int			 absent;	/* the table does not exist here */
	struct strbuf		 key;
	struct strbuf		 prev;
	int			 have_prev;
	struct change_batch	 batch;
	struct spool		 pbase;		/* base entries of the batch */
	int			 in_txn;	/* --single-transaction */
	struct spool		 dels;		/* deferred deletes */
	struct spool		 fixups;	/* self-references to set */
	/* Batches written on writer threads while the merge goes on. */
	struct wslot		 w[ENGINE_WRITERS];
	int			 nw;		/* slots in use: 1 .. ENGINE_WRITERS */
	int			 wnext;		/* the slot the next batch takes */
	int			 parallel;	/* may use a second session */
};

/* Where side_write() failed. */
enum { SW_BEGIN, SW_APPLY, SW_COMMIT };

/* A table of the job, from the schema step to the deletes. */
struct jtable {
	char			*name;
	struct table_def	 sdef;
	struct table_def	 ddef;
	struct table_plan	 plan;
	int			 ready;		/* plan built: sync it */
	int			 target_absent;	/* dry run of a table to create */
	int			 source_absent;
	int64_t			 total;		/* estimated keys, -1 unknown */
	struct table_result	*res;
	struct spool		 sdels;		/* deferred deletes, source */
	struct spool		 ddels;		/* deferred deletes, target */
};

struct job {
	struct engine_ctx	*ctx;
	const struct sync_opts	*o;
	int64_t			 id;
	int64_t			 pair;
	struct db_conn		*src;
	struct db_conn		*dst;
	FILE			*sql;
	struct job_result	*res;
	struct jtable		*tabs;
	int			 ntabs;
	int			 stop;		/* --stop-on-error hit or fatal */
	int			 cancelled;
	double			 t0;
	double			 last_progress;
	int			 base_ops;	/* base writes in the open txn */
	/* More write sessions (db_open_writer), opened on first need. */
	struct db_conn		*srcw[ENGINE_WRITERS];	/* [0] unused */
	struct db_conn		*dstw[ENGINE_WRITERS];
	int			 srcw_failed;
	int			 dstw_failed;
	struct strbuf		 tmpa;
	struct strbuf		 tmpb;
};

static void
counts_add(struct sync_counts *a, const struct sync_counts *b)
{
	a->rows_compared += b->rows_compared;
	a->inserted += b->inserted;
	a->updated += b->updated;
	a->deleted += b->deleted;
	a->conflicts += b->conflicts;
	a->pending_conflicts += b->pending_conflicts;
	a->errors += b->errors;
}

static void
job_progress(struct job *j, struct jtable *jt, int force)
{
	struct engine_event	ev;
	double			now = util_monotonic();

	if (!force && now - j->last_progress < 0.1)
		return;
	j->last_progress = now;
	memset(&ev, 0, sizeof ev);
	ev.type = EV_PROGRESS;
	ev.job_id = j->id;
	ev.table = jt->name;
	ev.done = jt->res->counts.rows_compared;
	/* The estimate is the larger side; the union of keys may be more. */
	ev.total = jt->total >= 0 && jt->total < ev.done ? ev.done : jt->total;
	ev.counts = &jt->res->counts;
	engine_emit(j->ctx, &ev);
}

/*
 * History writes of the base and conflicts are grouped in transactions of
 * about batch_size operations: hist_op() before each write, hist_done()
 * after it, hist_flush() at the end of a table.
 */
static void
hist_op(struct job *j)
{
	if (j->base_ops++ == 0)
		(void)history_begin(j->ctx->hist, NULL);
}

static void
hist_commit_ops(struct job *j)
{
	struct ps_error	err;

	if (history_commit(j->ctx->hist, &err) != 0)
		engine_log(j->ctx, j->id, LOG_ERROR, "history: %s", err.msg);
	j->base_ops = 0;
}

static void
hist_done(struct job *j)
{
	if (j->base_ops >= j->o->batch_size)
		hist_commit_ops(j);
}

static void
hist_flush(struct job *j)
{
	if (j->base_ops > 0)
		hist_commit_ops(j);
}

static void
job_base_put(struct job *j, struct jtable *jt, const void *key,
    size_t keylen, const unsigned char *digest)
{
	struct ps_error	err;

	if (j->o->dry_run)
		return;
	hist_op(j);
	if (history_base_put(j->ctx->hist, j->pair, jt->name, key, keylen,
	    digest, &err) != 0)
		engine_log(j->ctx, j->id, LOG_ERROR, "history: %s", err.msg);
	hist_done(j);
}

static void
job_key_text(struct job *j, const struct table_plan *p, const struct row *r,
    const enum type_family *fam)
{
	sb_reset(&j->tmpa);
	key_json(r, p->nkey, p->cols, fam, &j->tmpa);
}

/* A row failed: log it by key, count it, maybe stop the job. */
static void
job_row_error(struct job *j, struct jtable *jt, struct tside *side,
    const struct row *r, const char *what, const struct ps_error *err)
{
	job_key_text(j, &jt->plan, r, side->fam);
	engine_log(j->ctx, j->id, LOG_ERROR, "%s: %s %s on %s (%s): %s",
	    jt->name, what, sb_str(&j->tmpa), side->label, side->conn->name,
	    err->msg);
	jt->res->counts.errors++;
	if (j->o->stop_on_error)
		j->stop = 1;
}

static const char *
change_name(enum change_op op)
{
	switch (op) {
	case CH_INSERT:
		return "insert of";
	case CH_UPDATE:
		return "update of";
	default:
		return "delete of";
	}
}

static void
count_change(struct jtable *jt, enum change_op op)
{
	switch (op) {
	case CH_INSERT:
		jt->res->counts.inserted++;
		break;
	case CH_UPDATE:
		jt->res->counts.updated++;
		break;
	case CH_DELETE:
		jt->res->counts.deleted++;
		break;
	}
}

/*
 * Record the base entries spooled for the batch; OK (may be NULL: all)
 * says which changes were written.  A record's B part is the digest, absent
 * for a delete of the base; an empty B means "keep the base".
 */
static void
job_flush_pbase(struct job *j, struct jtable *jt, struct spool *pb,
    const unsigned char *ok)
{
	struct strbuf	key = STRBUF_INIT, dig = STRBUF_INIT;
	size_t		i = 0;
	int		has;

	spool_rewind(pb);
	while (spool_get(pb, &key, &dig, &has)) {
		if ((ok == NULL || ok[i]) && !(has && dig.len == 0))
			job_base_put(j, jt, key.buf, key.len,
			    has ? (unsigned char *)dig.buf : NULL);
		i++;
	}
	spool_clear(pb);
	sb_free(&key);
	sb_free(&dig);
}

static void
job_sql_batch(struct job *j, struct tside *side, struct change_batch *b)
{
	struct strbuf	sb = STRBUF_INIT;

	if (j->sql == NULL || b->n == 0)
		return;
	sb_addf(&sb, "-- %s '%s' (%s)\nBEGIN;\n", side->label,
	    side->conn->name, side->conn->ops->name);
	db_render(side->conn, b, &sb);
	sb_addstr(&sb, "COMMIT;\n");
	fwrite(sb.buf, 1, sb.len, j->sql);
	sb_free(&sb);
}

/*
 * Write batch B in one transaction: 0, or -1 with *STAGE saying where it
 * failed (a failed apply is rolled back).  Touches nothing but the
 * connection and its arguments, so it may run on a writer thread.
 */
static int
side_write(struct db_conn *c, struct change_batch *b, int *stage,
    size_t *failed, struct ps_error *err)
{
	static const int stages[] = { SW_BEGIN, SW_APPLY, SW_COMMIT };
	int		 st = 0, r;

	if (c->ops->apply_commit != NULL) {
		*failed = SIZE_MAX;
		r = c->ops->apply_commit(c, b, failed, &st, err);
		if (r != 1) {
			*stage = stages[st >= 0 && st <= 2 ? st : 1];
			return r;
		}
	}
	*stage = SW_BEGIN;
	if (db_begin(c, err) != 0)
		return -1;
	*stage = SW_APPLY;
	*failed = SIZE_MAX;
	if (db_apply(c, b, failed, err) != 0) {
		(void)db_rollback(c, NULL);
		return -1;
	}
	*stage = SW_COMMIT;
	if (db_commit(c, err) != 0)
		return -1;
	return 0;
}

static void *
side_writer(void *arg)
{
	struct wslot	*w = arg;

	w->wrc = side_write(w->conn, &w->b, &w->wstage, &w->wfailed,
	    &w->werr);
	return NULL;
}

/*
 * Whether SIDE's batches are written by a writer thread while the merge
 * reads on: when the driver reads through a session of its own, and the
 * job has no option that needs each batch settled before the next.
 */
static int
job_async(struct job *j, struct tside *side)
{
	return side->conn->ops->async_apply && !j->o->dry_run &&
	    !j->o->single_transaction && !j->o->stop_on_error;
}

/*
 * The outcome of writing batch B (with its base entries in PB): count and
 * record the base when it was written; retry row by row when the apply
 * failed, to isolate the failing rows; stop the job when a transaction
 * could not begin or commit.  Empties B and PB.  0, or -1 to stop.
 */
static int
job_settle(struct job *j, struct jtable *jt, struct tside *side,
    struct db_conn *conn, struct change_batch *b, struct spool *pb, int wrc,
    int stage, const struct ps_error *werr)
{
	struct change_batch	 one;
	struct ps_error		 err;
	unsigned char		*ok = NULL;
	size_t			 failed, i;
	int			 rc = 0;

	if (wrc == 0) {
		for (i = 0; i < b->n; i++)
			count_change(jt, b->ch[i].op);
		job_flush_pbase(j, jt, pb, NULL);
		goto out;
	}
	err = *werr;
	if (stage != SW_APPLY)
		goto fatal;

	/* Retry row by row to isolate the rows that fail. */
	ok = xcalloc(b->n, 1);
	for (i = 0; i < b->n && !j->stop; i++) {
		one = *b;
		one.n = 1;
		one.ch = &b->ch[i];
		if (db_begin(conn, &err) != 0)
			goto fatal;
		if (db_apply(conn, &one, &failed, &err) != 0) {
			(void)db_rollback(conn, NULL);
			job_row_error(j, jt, side, &b->ch[i].row,
			    change_name(b->ch[i].op), &err);
			continue;
		}
		if (db_commit(conn, &err) != 0)
			goto fatal;
		ok[i] = 1;
		count_change(jt, b->ch[i].op);
	}
	job_flush_pbase(j, jt, pb, ok);
	if (j->stop)
		rc = -1;
	goto out;

fatal:
	engine_log(j->ctx, j->id, LOG_ERROR, "%s: %s (%s): %s", jt->name,
	    side->label, side->conn->name, err.msg);
	(void)db_rollback(conn, NULL);
	side->in_txn = 0;
	j->stop = 1;
	rc = -1;
out:
	free(ok);
	spool_clear(pb);
	change_batch_clear(b);
	return rc;
}

/* Join slot W's writer thread, if one runs (its batch is not settled). */
static void
wslot_join(struct wslot *w)
{
	if (!w->busy)
		return;
	if (pthread_join(w->thr, NULL) != 0)
		fatalx("pthread_join: the writer is lost");
	w->busy = 0;
}

/* Settle what slot W wrote. */
static int
wslot_settle(struct job *j, struct jtable *jt, struct tside *side,
    struct wslot *w)
{
	return job_settle(j, jt, side, w->conn, &w->b, &w->pb, w->wrc,
	    w->wstage, &w->werr);
}

/*
 * Wait for SIDE's writer threads and settle their batches, oldest first.
 * Afterwards nothing of SIDE is in flight.
 */
static int
job_wait(struct job *j, struct jtable *jt, struct tside *side)
{
	struct wslot	*w;
	int		 i, k, rc = 0;

	for (k = 0; k < side->nw; k++) {
		i = (side->wnext + k) % side->nw;
		w = &side->w[i];
		if (!w->busy)
			continue;
		wslot_join(w);
		if (wslot_settle(j, jt, side, w) != 0)
			rc = -1;
	}
	return rc;
}

/*
 * Write session K (1 .. ENGINE_WRITERS - 1) of SIDE's connection, opened on
 * first need; NULL when the driver has none or it could not be opened
 * (then the job writes through the sessions it has).
 */
static struct db_conn *
job_writer(struct job *j, struct tside *side, int k)
{
	struct db_conn	**cp;
	int		 *failed;
	struct ps_error	 err;

	if (side->conn == j->src) {
		cp = &j->srcw[k];
		failed = &j->srcw_failed;
	} else if (side->conn == j->dst) {
		cp = &j->dstw[k];
		failed = &j->dstw_failed;
	} else
		return NULL;
	if (*cp != NULL || *failed || side->conn->ops->open_writer == NULL)
		return *cp;
	if (db_open_writer(side->conn, cp, &err) != 0) {
		*failed = 1;
		engine_log(j->ctx, j->id, LOG_DEBUG, "%s: no more write "
		    "sessions: %s", side->conn->name, err.msg);
		return NULL;
	}
	engine_log(j->ctx, j->id, LOG_DEBUG, "%s: write session %d: %d "
	    "batches are written at once", side->conn->name, k + 1, k + 1);
	return *cp;
}

/*
 * Apply SIDE's batch.  Returns 0, or -1 when the job must stop (a
 * transaction could not begin or commit, --stop-on-error, a failed
 * --single-transaction table).
 */
static int
job_flush(struct job *j, struct jtable *jt, struct tside *side)
{
	struct change_batch	*b = &side->batch;
	struct change_batch	 one;
	struct spool		 swap;
	struct ps_error		 err;
	unsigned char		*ok = NULL;
	size_t			 failed = 0, i;
	int			 rc = 0;

	if (b->n == 0)
		return 0;
	if (j->o->dry_run) {
		job_sql_batch(j, side, b);
		for (i = 0; i < b->n; i++)
			count_change(jt, b->ch[i].op);
		spool_clear(&side->pbase);
		change_batch_clear(b);
		return 0;
	}
	if (j->o->single_transaction) {
		if (!side->in_txn) {
			if (db_begin(side->conn, &err) != 0)
				goto fatal;
			side->in_txn = 1;
		}
		failed = SIZE_MAX;
		if (db_apply(side->conn, b, &failed, &err) != 0) {
			if (failed < b->n)
				job_row_error(j, jt, side, &b->ch[failed].row,
				    change_name(b->ch[failed].op), &err);
			else {
				/* A set-based write cannot name the row. */
				engine_log(j->ctx, j->id, LOG_ERROR, "%s: %s "
				    "(%s): %s", jt->name, side->label,
				    side->conn->name, err.msg);
				jt->res->counts.errors++;
			}
			engine_log(j->ctx, j->id, LOG_ERROR, "%s: rolled back "
			    "on %s (--single-transaction)", jt->name,
			    side->label);
			(void)db_rollback(side->conn, NULL);
			side->in_txn = 0;
			jt->res->counts.inserted = 0;
			jt->res->counts.updated = 0;
			free(jt->res->status);
			jt->res->status = xstrdup("failed");
			rc = -1;
			goto out;
		}
		for (i = 0; i < b->n; i++)
			count_change(jt, b->ch[i].op);
		/* The base waits for the table's commit (pbase keeps growing). */
		change_batch_clear(b);
		return 0;
	}

	if (job_async(j, side)) {
		struct wslot	*w;
		int		 settle = 0;

		/*
		 * One more session when the next is busy: several batches of
		 * the table are then written at once, each in its own
		 * transaction.
		 */
		if (side->w[side->wnext].busy && side->nw < ENGINE_WRITERS &&
		    side->parallel &&
		    (side->w[side->nw].conn = job_writer(j, side,
		    side->nw)) != NULL) {
			side->wnext = side->nw;
			side->nw++;
		}
		w = &side->w[side->wnext];
		if (w->busy) {
			wslot_join(w);
			if (w->wrc != 0) {
				/* It failed: settle it row by row first. */
				if (wslot_settle(j, jt, side, w) != 0) {
					rc = -1;
					goto out;
				}
			} else
				settle = 1;
		}
		/*
		 * Hand this batch over first, then record the one the slot
		 * wrote before while the writer works.
		 */
		one = w->b;
		w->b = side->batch;
		side->batch = one;
		swap = w->pb;
		w->pb = side->pbase;
		side->pbase = swap;
		if (pthread_create(&w->thr, NULL, side_writer, w) != 0)
			fatalx("pthread_create: cannot start a writer");
		w->busy = 1;
		side->wnext = (side->wnext + 1) % side->nw;
		if (settle)
			return job_settle(j, jt, side, w->conn, b,
			    &side->pbase, 0, SW_COMMIT, NULL);
		change_batch_clear(b);
		spool_clear(&side->pbase);
		return 0;
	}

	side->w[0].wrc = side_write(side->conn, b, &side->w[0].wstage,
	    &failed, &err);
	return job_settle(j, jt, side, side->conn, b, &side->pbase,
	    side->w[0].wrc, side->w[0].wstage, &err);

fatal:
	engine_log(j->ctx, j->id, LOG_ERROR, "%s: %s (%s): %s", jt->name,
	    side->label, side->conn->name, err.msg);
	(void)db_rollback(side->conn, NULL);
	side->in_txn = 0;
	j->stop = 1;
	rc = -1;
out:
	free(ok);
	spool_clear(&side->pbase);
	change_batch_clear(b);
	return rc;
}

/* End of a --single-transaction table on one side: commit, then the base. */
static int
job_commit_table(struct job *j, struct jtable *jt, struct tside *side)
{
	struct ps_error	err;

	if (!side->in_txn)
		return 0;
	side->in_txn = 0;
	if (db_commit(side->conn, &err) != 0) {
		engine_log(j->ctx, j->id, LOG_ERROR, "%s: commit on %s: %s",
		    jt->name, side->label, err.msg);
		(void)db_rollback(side->conn, NULL);
		j->stop = 1;
		return -1;
	}
	job_flush_pbase(j, jt, &side->pbase, NULL);
	return 0;
}

/*
 * Queue a change of ROW on SIDE, with the base entry to record once it is
 * written: DIGEST (or NULL: delete the base; KEEP: leave it).
 */
static int
job_queue(struct job *j, struct jtable *jt, struct tside *side,
    enum change_op op, const struct row *r, const struct strbuf *key,
    const unsigned char *digest, int keep)
{
	change_batch_add(&side->batch, op, r);
	if (keep)
		spool_put(&side->pbase, key->buf, key->len, "", 0, 1);
	else
		spool_put(&side->pbase, key->buf, key->len, digest,
		    DIGEST_LEN, digest != NULL);
	if ((int)side->batch.n >= j->o->batch_size)
		return job_flush(j, jt, side);
	return 0;
}

/*
 * A row for SIDE whose self-reference points at a key the merge has not
 * reached: 1 (write it with the reference NULL first), else 0.
 */
static int
job_needs_fixup(struct job *j, struct jtable *jt, const struct row *r,
    const struct strbuf *key)
{
	const struct table_plan	*p = &jt->plan;
	struct row		 ref;
	int			 i, later = 0;

	if (!p->self_fk)
		return 0;
	for (i = 0; i < p->nkey; i++)
		if (row_null(r, p->fk_cols[i]) || !p->t_nullable[p->fk_cols[i]]
		    || !p->s_nullable[p->fk_cols[i]])
			return 0;
	row_init(&ref, p->nkey);
	for (i = 0; i < p->nkey; i++)
		row_set(&ref, i, row_ptr(r, p->fk_cols[i]),
		    row_len(r, p->fk_cols[i]));
	sb_reset(&j->tmpb);
	if (key_encode(&ref, p->nkey, p->sfam, &j->tmpb, NULL) == 0)
		later = key_cmp(j->tmpb.buf, j->tmpb.len, key->buf,
		    key->len) > 0;
	row_free(&ref);
	return later;
}

/* Carry out ACTION for the current key. */
static int
job_act(struct job *j, struct jtable *jt, struct tside *S, struct tside *T,
    enum d3_action action, const struct strbuf *key,
    const unsigned char *ds, const unsigned char *dt, int keep)
{
	struct tside		*to;
	const struct row	*r;
	const unsigned char	*d;
	enum change_op		 op;
	struct strbuf		 packed = STRBUF_INIT;
	struct row		 tmp;
	int			 i, rc;

	switch (action) {
	case D3_INSERT_TARGET:
	case D3_UPDATE_TARGET:
		to = T;
		r = &S->row;
		d = ds;
		op = action == D3_INSERT_TARGET ? CH_INSERT : CH_UPDATE;
		break;
	case D3_INSERT_SOURCE:
	case D3_UPDATE_SOURCE:
		to = S;
		r = &T->row;
		d = dt;
		op = action == D3_INSERT_SOURCE ? CH_INSERT : CH_UPDATE;
		break;
	case D3_DELETE_TARGET:
	case D3_DELETE_SOURCE:
		/* Deletes wait for every table's inserts (children first). */
		to = action == D3_DELETE_TARGET ? T : S;
		row_pack(action == D3_DELETE_TARGET ? &T->row : &S->row,
		    jt->plan.ncols, &packed);
		spool_put(to == T ? &jt->ddels : &jt->sdels, packed.buf,
		    packed.len, key->buf, key->len, !keep);
		sb_free(&packed);
		return 0;
	default:
		return 0;
	}

	if (job_needs_fixup(j, jt, r, key)) {
		/* Write it with the reference NULL, set it at the table's end. */
		row_pack(r, jt->plan.ncols, &packed);
		spool_put(&to->fixups, packed.buf, packed.len, d, DIGEST_LEN,
		    !keep);
		sb_free(&packed);
		memset(&tmp, 0, sizeof tmp);
		row_copy(&tmp, r);
		for (i = 0; i < jt->plan.nkey; i++)
			row_set_null(&tmp, jt->plan.fk_cols[i]);
		rc = job_queue(j, jt, to, op, &tmp, key, NULL, 1);
		row_free(&tmp);
		return rc;
	}
	return job_queue(j, jt, to, op, r, key, d, keep);
}

/* Set the self-references written NULL during the merge. */
static int
job_fixups(struct job *j, struct jtable *jt, struct tside *side)
{
	struct strbuf	 packed = STRBUF_INIT, dig = STRBUF_INIT;
	struct strbuf	 key = STRBUF_INIT;
	struct row	 r;
	int		 has, rc = 0;

	if (side->fixups.n == 0)
		return 0;
	/* The rows' own batches first: fix-ups are not counted. */
	if (job_wait(j, jt, side) != 0)
		return -1;
	row_init(&r, jt->plan.ncols);
	spool_rewind(&side->fixups);
	while (rc == 0 && spool_get(&side->fixups, &packed, &dig, &has)) {
		row_unpack(&r, &packed);
		sb_reset(&key);
		if (key_encode(&r, jt->plan.nkey, side->fam, &key, NULL) != 0)
			continue;
		change_batch_add(&side->batch, CH_UPDATE, &r);
		spool_put(&side->pbase, key.buf, key.len, dig.buf, dig.len,
		    has);
		if ((int)side->batch.n >= j->o->batch_size) {
			/* Fix-ups are not counted as updates. */
			struct sync_counts save = jt->res->counts;

			rc = job_flush(j, jt, side);
			if (rc == 0)
				rc = job_wait(j, jt, side);
			save.errors = jt->res->counts.errors;
			jt->res->counts = save;
		}
	}
	if (rc == 0) {
		struct sync_counts save = jt->res->counts;

		rc = job_flush(j, jt, side);
		if (rc == 0)
			rc = job_wait(j, jt, side);
		save.errors = jt->res->counts.errors;
		jt->res->counts = save;
	}
	spool_free(&side->fixups);
	row_free(&r);
	sb_free(&packed);
	sb_free(&dig);
	sb_free(&key);
	return rc;
}

/*
 * Read the next row of a side: 1, 0 at the end, -1 on an error (logged; the
 * table fails).  Keys must come in strictly increasing order; a repeated key
 * (a collation that folds keys together) is a row error and is skipped.
 */
static int
side_next(struct job *j, struct jtable *jt, struct tside *s)
{
	struct ps_error	err;
	int		rc, c;

	s->has = 0;
	if (s->cur == NULL)
		return 0;
	for (;;) {
		if (s->key.len > 0) {
			sb_reset(&s->prev);
			sb_add(&s->prev, s->key.buf, s->key.len);
			s->have_prev = 1;
		}
		rc = db_next(s->conn, s->cur, &s->row, &err);
		if (rc < 0) {
			engine_log(j->ctx, j->id, LOG_ERROR, "%s: reading %s "
			    "(%s): %s", jt->name, s->label, s->conn->name,
			    err.msg);
			return -1;
		}
		if (rc == 0)
			return 0;
		sb_reset(&s->key);
		if (key_encode(&s->row, jt->plan.nkey, s->fam, &s->key,
		    &err) != 0) {
			job_row_error(j, jt, s, &s->row, "key of", &err);
			sb_reset(&s->key);
			if (j->stop)
				return -1;
			continue;
		}
		if (s->have_prev) {
			c = key_cmp(s->prev.buf, s->prev.len, s->key.buf,
			    s->key.len);
			if (c == 0) {
				ps_error_set(&err, PS_ERR_VALUE, "the key "
				    "appears twice (a collation that folds "
				    "keys together?); not written");
				job_row_error(j, jt, s, &s->row, "row", &err);
				if (j->stop)
					return -1;
				continue;
			}
			if (c > 0) {
				job_key_text(j, &jt->plan, &s->row, s->fam);
				engine_log(j->ctx, j->id, LOG_ERROR, "%s: %s "
				    "(%s) returned key %s out of order; the "
				    "key's order must be binary", jt->name,
				    s->label, s->conn->name, sb_str(&j->tmpa));
				return -1;
			}
		}
		s->has = 1;
		return 1;
	}
}

/* Record a conflict met by the merge. */
static void
job_conflict(struct job *j, struct jtable *jt, struct tside *S,
    struct tside *T, const struct d3_input *in, const struct strbuf *key,
    const unsigned char *bdig, const unsigned char *ds,
    const unsigned char *dt, const char *status, enum d3_action act)
{
	const struct table_plan	*p = &jt->plan;
	struct conflict_row	 c;
	struct strbuf		 kj = STRBUF_INIT, cols = STRBUF_INIT;
	struct strbuf		 sj = STRBUF_INIT, tj = STRBUF_INIT;
	struct strbuf		 rj = STRBUF_INIT;
	struct ps_error		 err;
	char			 kind[32];
	int			 i, first = 1;

	if (j->o->dry_run) {
		if (strcmp(status, "pending") == 0)
			jt->res->counts.pending_conflicts++;
		return;
	}
	memset(&c, 0, sizeof c);
	c.job_id = j->id;
	c.pair_id = j->pair;
	c.source = (char *)j->o->source;
	c.target = (char *)j->o->target;
	c.bidirectional = j->o->bidirectional;
	c.table = jt->name;
	c.key = key->buf;
	c.keylen = key->len;
	key_json(in->s ? &S->row : &T->row, p->nkey, p->cols,
	    in->s ? S->fam : T->fam, &kj);
	c.key_json = kj.buf;
	snprintf(kind, sizeof kind, "%s/%s",
	    d3_change_name(d3_side_change(in->s, in->b, in->b_eq_s)),
	    d3_change_name(d3_side_change(in->t, in->b, in->b_eq_t)));
	c.kind = kind;
	sb_addch(&cols, '[');
	if (in->s && in->t) {
		for (i = p->nkey; i < p->ncols; i++) {
			if (row_equal_range(&S->row, &T->row, i, 1))
				continue;
			if (!first)
				sb_addch(&cols, ',');
			json_quote(&cols, p->cols[i], strlen(p->cols[i]));
			first = 0;
		}
	}
	sb_addch(&cols, ']');
	c.columns = cols.buf;
	if (in->s) {
		engine_row_json(p, &S->row, S->fam, &sj);
		c.source_row = sj.buf;
		c.has_source = 1;
		memcpy(c.source_digest, ds, DIGEST_LEN);
	}
	if (in->t) {
		engine_row_json(p, &T->row, T->fam, &tj);
		c.target_row = tj.buf;
		c.has_target = 1;
		memcpy(c.target_digest, dt, DIGEST_LEN);
	}
	if (in->b) {
		c.has_base = 1;
		memcpy(c.base_digest, bdig, DIGEST_LEN);
	}
	c.timestamp_column = p->ts_col >= 0 ? p->cols[p->ts_col] : NULL;
	c.status = (char *)status;
	c.strategy = (char *)strategy_name(j->o->strategy);
	if (strcmp(status, "resolved") == 0) {
		switch (act) {
		case D3_INSERT_TARGET:
		case D3_UPDATE_TARGET:
			c.outcome = (char *)"source";
			rj = sj;
			sb_init(&sj);
			break;
		case D3_DELETE_TARGET:
			c.outcome = (char *)"source";
			break;
		default:
			c.outcome = (char *)"target";
			if (in->t) {
				engine_row_json(p, &T->row, T->fam, &rj);
			}
			break;
		}
		c.result_row = rj.len > 0 ? rj.buf : NULL;
		c.resolved_by = (char *)util_os_user();
		c.resolved_at = util_now();
	}
	hist_op(j);
	if (history_conflict_record(j->ctx->hist, &c, &err) != 0)
		engine_log(j->ctx, j->id, LOG_ERROR, "history: %s", err.msg);
	else if (strcmp(status, "pending") == 0) {
		/* An ignored conflict whose rows did not change stays ignored. */
		struct conflict_row stored;

		memset(&stored, 0, sizeof stored);
		if (history_conflict_get(j->ctx->hist, c.id, &stored,
		    NULL) == 0 && stored.status != NULL &&
		    strcmp(stored.status, "pending") == 0)
			jt->res->counts.pending_conflicts++;
		conflict_row_free(&stored);
	}
	hist_done(j);
	sb_free(&kj);
	sb_free(&cols);
	sb_free(&sj);
	sb_free(&tj);
	sb_free(&rj);
}

/* An open conflict whose rows no longer conflict: settled by this sync. */
static void
job_converged(struct job *j, int64_t id)
{
	struct conflict_row	c;
	struct ps_error		err;

	if (j->o->dry_run)
		return;
	memset(&c, 0, sizeof c);
	if (history_conflict_get(j->ctx->hist, id, &c, &err) != 0)
		return;
	free(c.status);
	c.status = xstrdup("resolved");
	free(c.outcome);
	c.outcome = xstrdup("converged");
	free(c.note);
	xasprintf(&c.note, "settled by job %lld", (long long)j->id);
	free(c.resolved_by);
	c.resolved_by = xstrdup(util_os_user());
	c.resolved_at = util_now();
	if (history_conflict_update(j->ctx->hist, &c, &err) != 0)
		engine_log(j->ctx, j->id, LOG_ERROR, "history: %s", err.msg);
	conflict_row_free(&c);
}

static void
side_init(struct tside *s, const char *label, struct db_conn *conn,
    const enum type_family *fam, const struct table_plan *p)
{
	int	i;

	memset(s, 0, sizeof *s);
	s->label = label;
	s->conn = conn;
	s->fam = fam;
	row_init(&s->row, p->ncols);
	change_batch_init(&s->batch, p->table, p->ncols, p->cols, fam,
	    p->nkey);
	for (i = 0; i < ENGINE_WRITERS; i++)
		change_batch_init(&s->w[i].b, p->table, p->ncols, p->cols,
		    fam, p->nkey);
	s->w[0].conn = conn;
	s->nw = 1;
	/*
	 * Two batches at once only where neither can wait on the other: no
	 * reference to the table's own rows (a child's insert cannot see a
	 * parent row another session has not committed yet).
	 */
	s->parallel = !p->self_fk;
}

static void
side_free(struct tside *s)
{
	int	i;

	for (i = 0; i < ENGINE_WRITERS; i++) {
		/* Settled by job_wait() on every path; this only joins. */
		wslot_join(&s->w[i]);
		change_batch_free(&s->w[i].b);
		spool_free(&s->w[i].pb);
	}
	if (s->cur != NULL)
		db_cursor_free(s->conn, s->cur);
	row_free(&s->row);
	sb_free(&s->key);
	sb_free(&s->prev);
	change_batch_free(&s->batch);
	spool_free(&s->pbase);
	spool_free(&s->fixups);
}

static int
side_scan(struct job *j, struct jtable *jt, struct tside *s)
{
	struct scan_spec	spec;
	struct ps_error		err;

	if (s->absent)
		return 0;
	memset(&spec, 0, sizeof spec);
	spec.table = jt->name;
	spec.ncols = jt->plan.ncols;
	spec.cols = jt->plan.cols;
	spec.fam = s->fam;
	spec.nkey = jt->plan.nkey;
	if (db_scan(s->conn, &spec, &s->cur, &err) != 0) {
		engine_log(j->ctx, j->id, LOG_ERROR, "%s: reading %s (%s): %s",
		    jt->name, s->label, s->conn->name, err.msg);
		return -1;
	}
	return 0;
}

/*
 * Merge one table: source, target and base by key.  Returns 0, or -1 when
 * the table failed (logged) — the job goes on unless j->stop is set.
 */
static int
job_merge(struct job *j, struct jtable *jt)
{
	const struct table_plan	*p = &jt->plan;
	struct tside		 S, T;
	struct base_cursor	*bc = NULL;
	struct open_conflict	*oc = NULL;
	struct strbuf		 bkey = STRBUF_INIT;
	struct ps_error		 err;
	unsigned char		 bdig[DIGEST_LEN], ds[DIGEST_LEN];
	unsigned char		 dt[DIGEST_LEN];
	const void		*bk;
	const unsigned char	*bd;
	size_t			 bklen;
	struct d3_input		 in;
	enum d3_action		 action, act2;
	const struct strbuf	*key;
	const char		*status, *why;
	int			 noc = 0, oci = 0, bhas = 0, rc = -1, c, keep;
	int			 newer;
	int64_t			 n = 0;

	side_init(&S, "source", j->src, p->sfam, p);
	side_init(&T, "target", j->dst, p->tfam, p);
	S.absent = jt->source_absent;
	T.absent = jt->target_absent;

	if (side_scan(j, jt, &S) != 0 || side_scan(j, jt, &T) != 0)
		goto out;
	if (history_base_scan(j->ctx->hist, j->pair, jt->name, &bc,
	    &err) != 0 ||
	    history_conflict_open_keys(j->ctx->hist, j->pair, jt->name, &oc,
	    &noc, &err) != 0) {
		engine_log(j->ctx, j->id, LOG_ERROR, "%s: history: %s",
		    jt->name, err.msg);
		goto out;
	}

	if (side_next(j, jt, &S) < 0 || side_next(j, jt, &T) < 0)
		goto out;
	if ((bhas = history_base_next(bc, &bk, &bklen, &bd, &err)) < 0)
		goto hist_fail;
	if (bhas) {
		sb_add(&bkey, bk, bklen);
		memcpy(bdig, bd, DIGEST_LEN);
	}

	while ((S.has || T.has) && !j->stop) {
		memset(&in, 0, sizeof in);
		in.bidirectional = j->o->bidirectional;
		if (S.has && T.has)
			c = key_cmp(S.key.buf, S.key.len, T.key.buf,
			    T.key.len);
		else
			c = S.has ? -1 : 1;
		in.s = c <= 0;
		in.t = c >= 0;
		key = in.s ? &S.key : &T.key;

		/* Base entries of keys that are on neither side. */
		while (bhas && key_cmp(bkey.buf, bkey.len, key->buf,
		    key->len) < 0) {
			job_base_put(j, jt, bkey.buf, bkey.len, NULL);
			sb_reset(&bkey);
			if ((bhas = history_base_next(bc, &bk, &bklen, &bd,
			    &err)) < 0)
				goto hist_fail;
			if (bhas) {
				sb_add(&bkey, bk, bklen);
				memcpy(bdig, bd, DIGEST_LEN);
			}
		}
		in.b = bhas && key_cmp(bkey.buf, bkey.len, key->buf,
		    key->len) == 0;

		if (in.s)
			row_digest(&S.row, 0, p->ncols, p->seed, ds);
		if (in.s && in.t)
			in.s_eq_t = row_equal_range(&S.row, &T.row, 0,
			    p->ncols);
		if (in.t) {
			if (in.s_eq_t)
				memcpy(dt, ds, DIGEST_LEN);
			else
				row_digest(&T.row, 0, p->ncols, p->seed, dt);
		}
		if (in.b) {
			in.b_eq_s = in.s && memcmp(ds, bdig, DIGEST_LEN) == 0;
			in.b_eq_t = in.t && memcmp(dt, bdig, DIGEST_LEN) == 0;
		}

		while (oci < noc && key_cmp(oc[oci].key, oc[oci].keylen,
		    key->buf, key->len) < 0)
			oci++;

		jt->res->counts.rows_compared++;
		action = d3_decide(&in);
		if (action == D3_CONFLICT) {
			jt->res->counts.conflicts++;
			newer = 0;
			why = NULL;
			if (j->o->strategy == STRAT_NEWER_WINS)
				newer = engine_newer(p, in.s ? &S.row : NULL,
				    in.t ? &T.row : NULL, j->o->clock_skew,
				    &why);
			status = d3_settle(j->o->strategy, &in, newer, &act2,
			    &keep);
			if (j->o->strategy == STRAT_NEWER_WINS && newer == 0) {
				job_key_text(j, p, in.s ? &S.row : &T.row,
				    in.s ? S.fam : T.fam);
				engine_log(j->ctx, j->id, LOG_WARN, "%s: "
				    "conflict %s left pending: %s", jt->name,
				    sb_str(&j->tmpa), why);
			}
			job_conflict(j, jt, &S, &T, &in, key,
			    in.b ? bdig : NULL, ds, dt, status, act2);
			if (act2 != D3_NONE &&
			    job_act(j, jt, &S, &T, act2, key, ds, dt,
			    keep) != 0)
				goto out;
		} else {
			if (oci < noc && key_cmp(oc[oci].key, oc[oci].keylen,
			    key->buf, key->len) == 0)
				job_converged(j, oc[oci].id);
			if (action == D3_NONE) {
				/* Equal rows: the base follows them. */
				if (!in.b || !in.b_eq_s)
					job_base_put(j, jt, key->buf, key->len,
					    ds);
			} else if (job_act(j, jt, &S, &T, action, key, ds, dt,
			    0) != 0)
				goto out;
		}

		if (in.b) {
			sb_reset(&bkey);
			if ((bhas = history_base_next(bc, &bk, &bklen, &bd,
			    &err)) < 0)
				goto hist_fail;
			if (bhas) {
				sb_add(&bkey, bk, bklen);
				memcpy(bdig, bd, DIGEST_LEN);
			}
		}
		if (in.s && side_next(j, jt, &S) < 0)
			goto out;
		if (in.t && side_next(j, jt, &T) < 0)
			goto out;
		if ((++n & 1023) == 0) {
			job_progress(j, jt, 0);
			if (engine_cancelled(j->ctx)) {
				j->cancelled = 1;
				break;
			}
		}
	}
	/* Base entries past both streams. */
	while (bhas && !j->stop && !j->cancelled) {
		job_base_put(j, jt, bkey.buf, bkey.len, NULL);
		sb_reset(&bkey);
		if ((bhas = history_base_next(bc, &bk, &bklen, &bd, &err)) < 0)
			goto hist_fail;
		if (bhas) {
			sb_add(&bkey, bk, bklen);
			memcpy(bdig, bd, DIGEST_LEN);
		}
	}
	if (j->cancelled) {
		/* The batch in flight is dropped; what was committed stays. */
		if (S.in_txn)
			(void)db_rollback(S.conn, NULL);
		if (T.in_txn)
			(void)db_rollback(T.conn, NULL);
		S.in_txn = T.in_txn = 0;
		rc = 0;
		goto out;
	}
	if (j->stop)
		goto out;
	if (job_flush(j, jt, &S) != 0 || job_flush(j, jt, &T) != 0)
		goto out;
	if (job_fixups(j, jt, &S) != 0 || job_fixups(j, jt, &T) != 0)
		goto out;
	if (job_wait(j, jt, &S) != 0 || job_wait(j, jt, &T) != 0)
		goto out;
	if (job_commit_table(j, jt, &S) != 0 ||
	    job_commit_table(j, jt, &T) != 0)
		goto out;
	rc = 0;
	goto out;

hist_fail:
	engine_log(j->ctx, j->id, LOG_ERROR, "%s: history: %s", jt->name,
	    err.msg);
out:
	(void)job_wait(j, jt, &S);
	(void)job_wait(j, jt, &T);
	if (S.in_txn)
		(void)db_rollback(S.conn, NULL);
	if (T.in_txn)
		(void)db_rollback(T.conn, NULL);
	history_base_cursor_free(bc);
	open_conflicts_free(oc, noc);
	hist_flush(j);
	side_free(&S);
	side_free(&T);
	sb_free(&bkey);
	job_progress(j, jt, 1);
	return rc;
}

/*
 * In a table that references itself, rows about to be deleted may point at
 * each other in any key order: their references are set to NULL first (not
 * counted as updates), so the deletes can go in any order.
 */
static int
job_unlink(struct job *j, struct jtable *jt, struct spool *sp,
    struct tside *side, const int *nullable)
{
	const struct table_plan	*p = &jt->plan;
	struct strbuf		 packed = STRBUF_INIT, key = STRBUF_INIT;
	struct sync_counts	 save = jt->res->counts;
	struct row		 r;
	int			 has, rc = 0, i, any;

	for (i = 0; i < p->nkey; i++)
		if (!nullable[p->fk_cols[i]])
			return 0;
	if (job_wait(j, jt, side) != 0)
		return -1;
	save = jt->res->counts;
	row_init(&r, p->ncols);
	spool_rewind(sp);
	while (rc == 0 && !j->stop && spool_get(sp, &packed, &key, &has)) {
		row_unpack(&r, &packed);
		for (i = any = 0; i < p->nkey; i++) {
			if (!row_null(&r, p->fk_cols[i]))
				any = 1;
			row_set_null(&r, p->fk_cols[i]);
		}
		if (!any)
			continue;
		change_batch_add(&side->batch, CH_UPDATE, &r);
		spool_put(&side->pbase, key.buf, key.len, "", 0, 1);
		if ((int)side->batch.n >= j->o->batch_size &&
		    (rc = job_flush(j, jt, side)) == 0)
			rc = job_wait(j, jt, side);
	}
	if (rc == 0 && (rc = job_flush(j, jt, side)) == 0)
		rc = job_wait(j, jt, side);
	save.errors = jt->res->counts.errors;
	jt->res->counts = save;
	row_free(&r);
	sb_free(&packed);
	sb_free(&key);
	return rc;
}

/* Apply the deferred deletes of one table on one side. */
static int
job_deletes(struct job *j, struct jtable *jt, struct spool *sp,
    struct db_conn *conn, const char *label, const enum type_family *fam,
    const int *nullable)
{
	struct tside	 side;
	struct strbuf	 packed = STRBUF_INIT, key = STRBUF_INIT;
	struct row	 r;
	int		 has, rc = 0;

	if (sp->n == 0)
		return 0;
	side_init(&side, label, conn, fam, &jt->plan);
	row_init(&r, jt->plan.ncols);
	if (jt->plan.self_fk && sp->n > 1)
		rc = job_unlink(j, jt, sp, &side, nullable);
	spool_rewind(sp);
	while (rc == 0 && !j->stop && spool_get(sp, &packed, &key, &has)) {
		row_unpack(&r, &packed);
		change_batch_add(&side.batch, CH_DELETE, &r);
		if (has)
			spool_put(&side.pbase, key.buf, key.len, NULL, 0, 0);
		else
			spool_put(&side.pbase, key.buf, key.len, "", 0, 1);
		if ((int)side.batch.n >= j->o->batch_size)
			rc = job_flush(j, jt, &side);
		if (engine_cancelled(j->ctx)) {
			j->cancelled = 1;
			break;
		}
	}
	if (rc == 0 && !j->cancelled)
		rc = job_flush(j, jt, &side);
	if (job_wait(j, jt, &side) != 0)
		rc = -1;
	if (rc == 0 && !j->cancelled)
		rc = job_commit_table(j, jt, &side);
	hist_flush(j);
	row_free(&r);
	side_free(&side);
	sb_free(&packed);
	sb_free(&key);
	return rc;
}

/* ---- table list, schema step, order ---- */

static int
job_add_table(struct job *j, const char *name)
{
	int	i;

	for (i = 0; i < j->ntabs; i++)
		if (strcmp(j->tabs[i].name, name) == 0)
			return 0;
	j->tabs = xreallocarray(j->tabs, (size_t)j->ntabs + 1,
	    sizeof *j->tabs);
	memset(&j->tabs[j->ntabs], 0, sizeof *j->tabs);
	j->tabs[j->ntabs].name = xstrdup(name);
	j->ntabs++;
	return 1;
}

static int
job_list_tables(struct job *j, struct ps_error *err)
{
	char	**names = NULL;
	int	  n = 0, i, k;

	if (j->o->tables != NULL) {
		for (i = 0; j->o->tables[i] != NULL; i++)
			job_add_table(j, j->o->tables[i]);
	} else {
		for (k = 0; k < (j->o->bidirectional ? 2 : 1); k++) {
			if (db_list_tables(k == 0 ? j->src : j->dst, &names,
			    &n, err) != 0)
				return -1;
			for (i = 0; i < n; i++)
				job_add_table(j, names[i]);
			for (i = 0; i < n; i++)
				free(names[i]);
			free(names);
			names = NULL;
		}
	}
	if (j->o->exclude != NULL) {
		for (i = 0; i < j->ntabs; i++) {
			if (!util_strv_contains(j->o->exclude,
			    j->tabs[i].name))
				continue;
			free(j->tabs[i].name);
			memmove(&j->tabs[i], &j->tabs[i + 1],
			    (size_t)(j->ntabs - i - 1) * sizeof *j->tabs);
			j->ntabs--;
			i--;
		}
	}
	return 0;
}

static void
jt_skip(struct job *j, struct jtable *jt, const char *status,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
jt_skip(struct job *j, struct jtable *jt, const char *status,
    const char *fmt, ...)
{
	va_list	ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	free(jt->res->status);
	jt->res->status = xstrdup(status);
	free(jt->res->message);
	jt->res->message = msg;
	jt->res->counts.errors++;
	engine_log(j->ctx, j->id, LOG_ERROR, "%s: %s", jt->name, msg);
}

static void
diff_text(const struct schema_diff *d, int major_only, struct strbuf *sb)
{
	int	i, first = 1;

	for (i = 0; i < d->n; i++) {
		if (major_only && d->items[i].sev != SEV_MAJOR)
			continue;
		if (!first)
			sb_addstr(sb, "; ");
		sb_addstr(sb, d->items[i].detail);
		first = 0;
	}
}

/* Schema step and plan of one table; a table that cannot be synced is skipped. */
static int
job_prepare(struct job *j, struct jtable *jt, struct strbuf *ddl)
{
	struct schema_diff	 diff;
	struct ps_error		 err;
	struct strbuf		 sb = STRBUF_INIT;
	int			 i, rc = 0, missing_t;

	memset(&diff, 0, sizeof diff);
	if (engine_schema_table(j->ctx, j->id, j->src, j->dst, jt->name,
	    j->o->bidirectional, j->o->schema_check && j->o->auto_migrate,
	    j->o->dry_run, &jt->sdef, &jt->ddef, &diff, ddl, &err) != 0) {
		jt_skip(j, jt, err.code == PS_ERR_NOT_FOUND ? "skipped" :
		    "failed", "%s", err.msg);
		rc = err.code == PS_ERR_NOT_FOUND ? 0 : -1;
		goto out;
	}
	missing_t = jt->ddef.name == NULL;
	if (jt->sdef.name == NULL && jt->ddef.name == NULL) {
		jt_skip(j, jt, "skipped", "table does not exist on '%s' or "
		    "'%s'", j->src->name, j->dst->name);
		goto out;
	}
	if (j->o->schema_check && diff.major) {
		diff_text(&diff, 1, &sb);
		jt_skip(j, jt, "skipped", "major schema difference: %s",
		    sb_str(&sb));
		goto out;
	}
	if (jt->sdef.name == NULL || jt->ddef.name == NULL) {
		const char *side = jt->sdef.name == NULL ? "source" : "target";

		if (j->o->dry_run && j->o->auto_migrate && j->o->schema_check) {
			/* A dry run compares against the table it would create. */
			if (jt->ddef.name == NULL) {
				table_def_copy(&jt->ddef, &jt->sdef);
				jt->target_absent = 1;
			} else {
				table_def_copy(&jt->sdef, &jt->ddef);
				jt->source_absent = 1;
			}
		} else if (jt->sdef.name == NULL && !j->o->bidirectional) {
			jt_skip(j, jt, "skipped", "table does not exist on "
			    "the source '%s'", j->src->name);
			goto out;
		} else {
			jt_skip(j, jt, "skipped", "table does not exist on "
			    "the %s '%s'%s", side, missing_t ? j->dst->name :
			    j->src->name, j->o->auto_migrate ? "" :
			    " (--auto-migrate creates it)");
			goto out;
		}
	}
	for (i = 0; i < diff.n; i++) {
		const struct schema_item *it = &diff.items[i];

		if (it->sev == SEV_MAJOR)	/* validation off */
			engine_log(j->ctx, j->id, LOG_WARN, "%s: %s", jt->name,
			    it->detail);
		else if (it->kind == SI_COLUMN_MISSING)
			engine_log(j->ctx, j->id, LOG_INFO, "%s: %s; the "
			    "column is left out%s", jt->name, it->detail,
			    j->o->auto_migrate ? "" :
			    " (--auto-migrate adds it)");
		else if (it->kind == SI_TYPE_NARROWER)
			engine_log(j->ctx, j->id, LOG_WARN, "%s: %s; values "
			    "that do not fit become row errors", jt->name,
			    it->detail);
	}
	if (engine_plan(j->ctx, jt->name, &jt->sdef, &jt->ddef,
	    j->o->timestamp_column, &jt->plan, &err) != 0) {
		jt_skip(j, jt, "skipped", "%s", err.msg);
		goto out;
	}
	if (j->o->strategy == STRAT_NEWER_WINS && jt->plan.ts_col < 0)
		engine_log(j->ctx, j->id, LOG_WARN, "%s: no timestamp column "
		    "(--timestamp-column or the table's timestamp_column); "
		    "newer-wins leaves its conflicts pending", jt->name);
	jt->ready = 1;
out:
	schema_diff_free(&diff);
	sb_free(&sb);
	return rc;
}

/* Does table A reference table B (through either side's foreign keys)? */
static int
jt_refs(const struct jtable *a, const struct jtable *b)
{
	const struct table_def	*defs[2] = { &a->sdef, &a->ddef };
	int			 k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < defs[k]->nfk; i++)
			if (strcmp(defs[k]->fks[i].ref_table, b->name) == 0)
				return 1;
	}
	return 0;
}

/*
 * Order the tables parents first (a stable topological sort; the tables of
 * a cycle keep their listed order and are logged).
 */
static void
job_order(struct job *j, int warn)
{
	struct jtable	*out;
	int		*done, n = j->ntabs, placed = 0, i, k, ok, progress;

	if (n < 2)
		return;
	out = xcalloc((size_t)n, sizeof *out);
	done = xcalloc((size_t)n, sizeof *done);
	while (placed < n) {
		progress = 0;
		for (i = 0; i < n; i++) {
			if (done[i])
				continue;
			ok = 1;
			for (k = 0; k < n && ok; k++)
				if (k != i && !done[k] &&
				    jt_refs(&j->tabs[i], &j->tabs[k]))
					ok = 0;
			if (ok) {
				out[placed++] = j->tabs[i];
				done[i] = 1;
				progress = 1;
			}
		}
		if (!progress) {
			for (i = 0; i < n; i++) {
				if (done[i])
					continue;
				if (warn)
					engine_log(j->ctx, j->id, LOG_WARN,
					    "%s: its foreign keys form a "
					    "cycle with other tables; checks "
					    "are deferred to each commit",
					    j->tabs[i].name);
				out[placed++] = j->tabs[i];
				done[i] = 1;
				break;
			}
		}
	}
	memcpy(j->tabs, out, (size_t)n * sizeof *out);
	free(out);
	free(done);
}

/*
 * How many keys the merge will see, for progress: the larger side (the
 * union is at most the sum, usually the larger); -1 when unknown.
 */
static int64_t
job_estimate(struct job *j, struct jtable *jt)
{
	int64_t	s = -1, t = -1;

	if (!jt->source_absent && j->src->ops->estimate != NULL)
		s = j->src->ops->estimate(j->src, jt->name);
	if (!jt->target_absent && j->dst->ops->estimate != NULL)
		t = j->dst->ops->estimate(j->dst, jt->name);
	if (jt->target_absent)
		t = 0;
	if (jt->source_absent)
		s = 0;
	if (s < 0 || t < 0)
		return -1;
	return s > t ? s : t;
}

static void
job_options_json(const struct sync_opts *o, struct strbuf *sb)
{
	struct json_w	w;
	int		i;

	json_init(&w, 0);
	json_obj_begin(&w);
	json_key(&w, "bidirectional");
	json_bool(&w, o->bidirectional);
	json_key(&w, "strategy");
	json_str(&w, strategy_name(o->strategy));
	json_key(&w, "tables");
	if (o->tables == NULL)
		json_null(&w);
	else {
		json_arr_begin(&w);
		for (i = 0; o->tables[i] != NULL; i++)
			json_str(&w, o->tables[i]);
		json_arr_end(&w);
	}
	json_key(&w, "exclude");
	json_arr_begin(&w);
	for (i = 0; o->exclude != NULL && o->exclude[i] != NULL; i++)
		json_str(&w, o->exclude[i]);
	json_arr_end(&w);
	json_key(&w, "timestamp_column");
	json_str(&w, o->timestamp_column);
	json_key(&w, "schema_check");
	json_bool(&w, o->schema_check);
	json_key(&w, "auto_migrate");
	json_bool(&w, o->auto_migrate);
	json_key(&w, "batch_size");
	json_int(&w, o->batch_size);
	json_key(&w, "single_transaction");
	json_bool(&w, o->single_transaction);
	json_key(&w, "stop_on_error");
	json_bool(&w, o->stop_on_error);
	json_key(&w, "dry_run");
	json_bool(&w, o->dry_run);
	json_key(&w, "clock_skew");
	json_double(&w, o->clock_skew);
	json_obj_end(&w);
	sb_add(sb, w.sb.buf, w.sb.len);
	json_free(&w);
}

static void
job_finish(struct job *j, struct job_row *jr, const char *error)
{
	struct job_result	*r = j->res;
	struct job_table_row	*rows;
	struct engine_event	 ev;
	struct ps_error		 err;
	int			 i, bad_tables = 0;

	memset(&r->counts, 0, sizeof r->counts);
	for (i = 0; i < r->ntables; i++) {
		counts_add(&r->counts, &r->tables[i].counts);
		if (strcmp(r->tables[i].status, "synced") != 0)
			bad_tables++;
	}
	r->duration_s = util_monotonic() - j->t0;
	if (j->cancelled)
		r->status = JOB_CANCELLED;
	else if (j->stop || error != NULL)
		r->status = JOB_FAILED;
	else if (r->counts.errors > 0 || bad_tables > 0)
		r->status = JOB_COMPLETED_WITH_ERRORS;
	else if (r->counts.pending_conflicts > 0)
		r->status = JOB_COMPLETED_WITH_CONFLICTS;
	else
		r->status = JOB_COMPLETED;

	if (j->id > 0) {
		rows = xcalloc((size_t)r->ntables + 1, sizeof *rows);
		for (i = 0; i < r->ntables; i++) {
			rows[i].name = r->tables[i].name;
			rows[i].status = r->tables[i].status;
			rows[i].message = r->tables[i].message;
			rows[i].counts = r->tables[i].counts;
		}
		(void)history_job_tables(j->ctx->hist, j->id, rows,
		    r->ntables, NULL);
		free(rows);
		jr->status = (char *)job_status_name(r->status);
		jr->counts = r->counts;
		jr->finished_at = util_now();
		jr->duration_s = r->duration_s;
		jr->rows_per_s = r->duration_s > 0 ?
		    (double)r->counts.rows_compared / r->duration_s : 0;
		jr->error = (char *)error;
		if (history_job_finish(j->ctx->hist, jr, &err) != 0)
			log_msg(LOG_ERROR, "history: %s", err.msg);
	}
	memset(&ev, 0, sizeof ev);
	ev.type = EV_JOB_DONE;
	ev.job_id = j->id;
	ev.counts = &r->counts;
	ev.status = r->status;
	engine_emit(j->ctx, &ev);
}

int
engine_sync(struct engine_ctx *ctx, const struct sync_opts *o,
    struct job_result *res, struct ps_error *err)
{
	struct job		 j;
	struct job_row		 jr;
	struct strbuf		 opts = STRBUF_INIT, ddl = STRBUF_INIT;
	struct engine_event	 ev;
	struct ps_error		 e2;
	int			 i, rc = -1;
	const char		*fail = NULL;

	memset(res, 0, sizeof *res);
	memset(&j, 0, sizeof j);
	memset(&jr, 0, sizeof jr);
	j.ctx = ctx;
	j.o = o;
	j.res = res;
	j.t0 = util_monotonic();

	if (o->batch_size < 1) {
		ps_error_set(err, PS_ERR_USAGE, "batch size must be at least "
		    "1");
		return -1;
	}
	if (o->sql_file != NULL && !o->dry_run) {
		ps_error_set(err, PS_ERR_USAGE, "--sql goes with --dry-run");
		return -1;
	}
	if (strcmp(o->source, o->target) == 0) {
		ps_error_set(err, PS_ERR_USAGE, "source and target are the "
		    "same connection '%s'", o->source);
		return -1;
	}
	if (conf_conn_find(ctx->conf, o->source) == NULL ||
	    conf_conn_find(ctx->conf, o->target) == NULL) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "unknown connection '%s'",
		    conf_conn_find(ctx->conf, o->source) == NULL ? o->source :
		    o->target);
		return -1;
	}
	if (history_pair_id(ctx->hist, o->source, o->target, &j.pair,
	    err) != 0)
		return -1;

	/* The job exists from here on: every failure is recorded. */
	job_options_json(o, &opts);
	jr.kind = (char *)"sync";
	jr.source = (char *)o->source;
	jr.target = (char *)o->target;
	jr.options = opts.buf;
	jr.os_user = (char *)util_os_user();
	jr.status = (char *)"running";
	jr.dry_run = o->dry_run;
	jr.started_at = util_now();
	if (history_job_start(ctx->hist, &jr, err) != 0)
		goto done;
	j.id = res->job_id = jr.id;
	memset(&ev, 0, sizeof ev);
	ev.type = EV_JOB_STARTED;
	ev.job_id = j.id;
	engine_emit(ctx, &ev);
	engine_log(ctx, j.id, LOG_INFO, "%s%s %s %s (%s)",
	    o->dry_run ? "dry run: " : "", o->source,
	    o->bidirectional ? "<->" : "->", o->target,
	    strategy_name(o->strategy));

	if (o->sql_file != NULL && (j.sql = fopen(o->sql_file, "w")) == NULL) {
		ps_error_set(err, PS_ERR_IO, "cannot write %s", o->sql_file);
		fail = err->msg;
		goto done;
	}
	if (engine_open(ctx, o->source, o->connect_timeout, &j.src, err) != 0 ||
	    engine_open(ctx, o->target, o->connect_timeout, &j.dst, err) != 0) {
		fail = err->msg;
		engine_log(ctx, j.id, LOG_ERROR, "%s", err->msg);
		goto done;
	}
	if (job_list_tables(&j, err) != 0) {
		fail = err->msg;
		engine_log(ctx, j.id, LOG_ERROR, "%s", err->msg);
		goto done;
	}

	res->tables = xcalloc((size_t)j.ntabs + 1, sizeof *res->tables);
	res->ntables = j.ntabs;
	for (i = 0; i < j.ntabs; i++) {
		res->tables[i].name = xstrdup(j.tabs[i].name);
		res->tables[i].status = xstrdup("synced");
	}
	for (i = 0; i < j.ntabs; i++)
		j.tabs[i].res = &res->tables[i];
	/*
	 * Parents first already for the schema step, so that --auto-migrate
	 * creates a parent table before the children that reference it.
	 */
	for (i = 0; i < j.ntabs; i++) {
		(void)db_describe(j.src, j.tabs[i].name, &j.tabs[i].sdef, NULL);
		(void)db_describe(j.dst, j.tabs[i].name, &j.tabs[i].ddef, NULL);
	}
	job_order(&j, 0);
	for (i = 0; i < j.ntabs; i++) {
		table_def_free(&j.tabs[i].sdef);
		table_def_free(&j.tabs[i].ddef);
	}
	for (i = 0; i < j.ntabs; i++) {
		if (job_prepare(&j, &j.tabs[i], &ddl) != 0 &&
		    o->stop_on_error) {
			j.stop = 1;
			break;
		}
	}
	if (j.sql != NULL && ddl.len > 0)
		fwrite(ddl.buf, 1, ddl.len, j.sql);
	job_order(&j, 1);

	/* Inserts and updates, parents first. */
	for (i = 0; i < j.ntabs && !j.stop && !j.cancelled; i++) {
		struct jtable		*jt = &j.tabs[i];
		struct engine_event	 tev;

		if (!jt->ready)
			continue;
		jt->total = job_estimate(&j, jt);
		memset(&tev, 0, sizeof tev);
		tev.type = EV_TABLE_STARTED;
		tev.job_id = j.id;
		tev.table = jt->name;
		tev.total = jt->total;
		engine_emit(ctx, &tev);
		if (job_merge(&j, jt) != 0) {
			free(jt->res->status);
			jt->res->status = xstrdup("failed");
			jt->ready = 0;
			if (o->stop_on_error)
				j.stop = 1;
		}
	}
	/* Deletes, children first. */
	for (i = j.ntabs - 1; i >= 0 && !j.stop && !j.cancelled; i--) {
		struct jtable	*jt = &j.tabs[i];

		if (!jt->ready)
			continue;
		if (job_deletes(&j, jt, &jt->ddels, j.dst, "target",
		    jt->plan.tfam, jt->plan.t_nullable) != 0 ||
		    job_deletes(&j, jt, &jt->sdels, j.src, "source",
		    jt->plan.sfam, jt->plan.s_nullable) != 0) {
			free(jt->res->status);
			jt->res->status = xstrdup("failed");
		}
	}
	/* Sequences and the like, after the writes. */
	for (i = 0; i < j.ntabs && !j.o->dry_run; i++) {
		struct jtable	*jt = &j.tabs[i];
		struct db_conn	*cs[2] = { j.dst, j.src };
		struct table_def *ds[2] = { &jt->ddef, &jt->sdef };
		int		 k;

		if (!jt->ready)
			continue;
		for (k = 0; k < 2; k++) {
			if (cs[k]->ops->after_write == NULL ||
			    ds[k]->name == NULL)
				continue;
			if (cs[k]->ops->after_write(cs[k], ds[k], &e2) != 0)
				engine_log(ctx, j.id, LOG_WARN, "%s: %s",
				    jt->name, e2.msg);
		}
	}
	for (i = 0; i < j.ntabs; i++) {
		struct engine_event	 tev;

		memset(&tev, 0, sizeof tev);
		tev.type = EV_TABLE_DONE;
		tev.job_id = j.id;
		tev.table = j.tabs[i].name;
		tev.counts = &res->tables[i].counts;
		engine_emit(ctx, &tev);
	}
	if (j.cancelled)
		engine_log(ctx, j.id, LOG_WARN, "cancelled; what was committed "
		    "stays, and the next run resumes");
	rc = 0;
done:
	if (j.id > 0)
		job_finish(&j, &jr, fail);
	if (j.id > 0 && !o->dry_run && ctx->conf != NULL &&
	    notify_wanted(&ctx->conf->notify, res->status)) {
		struct notify_job	nj;

		/* Syslog and the notification command (SPEC section 9). */
		memset(&nj, 0, sizeof nj);
		nj.job_id = j.id;
		nj.status = res->status;
		nj.source = o->source;
		nj.target = o->target;
		nj.pending_conflicts = res->counts.pending_conflicts;
		nj.errors = res->counts.errors;
		nj.inserted = res->counts.inserted;
		nj.updated = res->counts.updated;
		nj.deleted = res->counts.deleted;
		nj.duration_s = res->duration_s;
		nj.error = fail;
		if (notify_job(&ctx->conf->notify, &nj, ENGINE_NOTIFY_TIMEOUT_S,
		    &e2) != 0)
			engine_log(ctx, j.id, LOG_WARN, "%s", e2.msg);
	}
	if (j.id > 0 && ctx->conf != NULL && ctx->conf->retention_days > 0) {
		int64_t	removed = 0;

		/* Retention: old jobs and settled conflicts go. */
		if (history_prune(ctx->hist, ctx->conf->retention_days,
		    &removed, &e2) != 0)
			log_msg(LOG_WARN, "history: %s", e2.msg);
	}
	if (fail != NULL)
		rc = -1;
	if (j.sql != NULL)
		fclose(j.sql);
	for (i = 0; i < j.ntabs; i++) {
		free(j.tabs[i].name);
		table_def_free(&j.tabs[i].sdef);
		table_def_free(&j.tabs[i].ddef);
		engine_plan_free(&j.tabs[i].plan);
		spool_free(&j.tabs[i].sdels);
		spool_free(&j.tabs[i].ddels);
	}
	free(j.tabs);
	for (i = 1; i < ENGINE_WRITERS; i++) {
		db_close(j.srcw[i]);
		db_close(j.dstw[i]);
	}
	if (j.src != NULL)
		db_close(j.src);
	if (j.dst != NULL)
		db_close(j.dst);
	sb_free(&opts);
	sb_free(&ddl);
	sb_free(&j.tmpa);
	sb_free(&j.tmpb);
	return rc;
}
