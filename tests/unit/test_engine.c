/*
 * projsync - test_engine.c: the sync engine on real SQLite files.  Every case
 * of the decision table is set up as one key, then synced one way and both
 * ways with every strategy, and the rows on both sides, the conflicts and
 * the counts are checked; then composite and text keys, hostile names and
 * values, foreign keys with a self-reference, batches that fail, single
 * transactions, dry runs, cancel and resume.
 */
#include "projsync/common.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "projsync/conf.h"
#include "projsync/engine.h"
#include "projsync/history.h"
#include "projsync/util.h"
#include "testutil.h"

struct fx {
	char			*dir;
	char			*a;	/* source file */
	char			*b;	/* target file */
	char			*hpath;
	struct conf		*conf;
	struct history		*hist;
	struct engine_ctx	 ctx;
	atomic_int		 cancel;
	int			 progress;
	int			 done;
};

static void
on_event(const struct engine_event *ev, void *arg)
{
	struct fx	*fx = arg;

	if (ev->type == EV_PROGRESS)
		fx->progress++;
	if (ev->type == EV_JOB_DONE)
		fx->done++;
	if (ev->type == EV_LOG && getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "log: %s\n", ev->message);
}

static int
setup(void **state)
{
	static const char *const names[] = { "a", "b", NULL };
	struct fx	*fx;
	struct ps_error	 err;

	fx = xcalloc(1, sizeof *fx);
	fx->dir = tu_tmpdir();
	fx->a = tu_path(fx->dir, "a.db");
	fx->b = tu_path(fx->dir, "b.db");
	fx->hpath = tu_path(fx->dir, "history.db");
	tu_sql(fx->a, "PRAGMA user_version = 1;");
	tu_sql(fx->b, "PRAGMA user_version = 1;");
	fx->conf = tu_conf_sqlite(fx->dir, names);
	if (history_open(fx->hpath, &fx->hist, &err) != 0)
		fail_msg("history_open: %s", err.msg);
	fx->ctx.conf = fx->conf;
	fx->ctx.hist = fx->hist;
	fx->ctx.cb = on_event;
	fx->ctx.cb_arg = fx;
	atomic_init(&fx->cancel, 0);
	fx->ctx.cancel = &fx->cancel;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	history_close(fx->hist);
	conf_free(fx->conf);
	tu_rmrf(fx->dir);
	free(fx->dir);
	free(fx->a);
	free(fx->b);
	free(fx->hpath);
	free(fx);
	return 0;
}

static void
opts(struct fx *fx, struct sync_opts *o, int bidir, enum strategy st)
{
	sync_opts_defaults(o, fx->conf);
	o->source = "a";
	o->target = "b";
	o->bidirectional = bidir;
	o->strategy = st;
}

static void
run(struct fx *fx, const struct sync_opts *o, struct job_result *r)
{
	struct ps_error	err;

	if (engine_sync(&fx->ctx, o, r, &err) != 0)
		fail_msg("engine_sync: %s", err.msg);
}

/* The rows of a table as text, to compare both sides. */
static char *
dump(const char *db, const char *sql)
{
	return tu_query(db, sql);
}

static void
assert_same(struct fx *fx, const char *sql)
{
	char	*x = dump(fx->a, sql), *y = dump(fx->b, sql);

	if (strcmp(x, y) != 0)
		fail_msg("sides differ for %s:\nsource:\n%s\ntarget:\n%s", sql,
		    x, y);
	free(x);
	free(y);
}

/* ---- the decision table, end to end ---- */

#define KV "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT, " \
	"updated_at DATETIME);"

/*
 * Keys 1-12, one per case (see the header of test_diff3.c): the base holds
 * 1,3,4,6,7,8,9,10 as "v0"; then the source and the target drift.
 */
static void
kv_setup(struct fx *fx)
{
	struct sync_opts	o;
	struct job_result	r;
	const char		*base = "INSERT INTO kv VALUES "
	    "(1,'v0','2025-01-01 00:00:00'),(3,'v0','2025-01-01 00:00:00'),"
	    "(4,'v0','2025-01-01 00:00:00'),(6,'v0','2025-01-01 00:00:00'),"
	    "(7,'v0','2025-01-01 00:00:00'),(8,'v0','2025-01-01 00:00:00'),"
	    "(9,'v0','2025-01-01 00:00:00'),(10,'v0','2025-01-01 00:00:00');";

	tu_sql(fx->a, KV);
	tu_sql(fx->b, KV);
	tu_sql(fx->a, base);
	tu_sql(fx->b, base);
	opts(fx, &o, 0, STRAT_SOURCE_WINS);
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_COMPLETED);
	assert_int_equal(r.counts.rows_compared, 8);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted + r.counts.conflicts, 0);
	job_result_free(&r);

	tu_sql(fx->a,
	    "INSERT INTO kv VALUES (2,'s-new','2026-01-01 00:00:00');"
	    "UPDATE kv SET v='s1', updated_at='2026-01-02 00:00:00' WHERE k=4;"
	    "DELETE FROM kv WHERE k IN (6,7);"
	    "UPDATE kv SET v='s1', updated_at='2026-01-02 00:00:00' WHERE k=8;"
	    "UPDATE kv SET v='s1', updated_at='2026-01-02 00:00:00' WHERE k=10;"
	    "INSERT INTO kv VALUES (11,'sX','2026-01-01 00:00:00');"
	    "INSERT INTO kv VALUES (12,'same','2026-01-01 00:00:00');");
	tu_sql(fx->b,
	    "DELETE FROM kv WHERE k IN (3,4);"
	    "INSERT INTO kv VALUES (5,'t-new','2026-01-01 00:00:00');"
	    "UPDATE kv SET v='t1', updated_at='2026-01-01 00:00:00' WHERE k=7;"
	    "UPDATE kv SET v='t1', updated_at='2026-01-01 00:00:00' WHERE k=9;"
	    "UPDATE kv SET v='t1', updated_at='2026-01-01 00:00:00' WHERE k=10;"
	    "INSERT INTO kv VALUES (11,'tX','2026-01-02 00:00:00');"
	    "INSERT INTO kv VALUES (12,'same','2026-01-01 00:00:00');");
}

/* Expected end state: per key, the source value, target value, conflict. */
struct kv_want {
	const char	*s[13];
	const char	*t[13];
	const char	*c[13];	/* conflict status, or NULL */
};

static char *
kv_value(const char *db, int k)
{
	char	sql[128], *s;
	size_t	len;

	snprintf(sql, sizeof sql, "SELECT v FROM kv WHERE k = %d", k);
	s = tu_query(db, sql);
	len = strlen(s);
	if (len > 0 && s[len - 1] == '\n')
		s[len - 1] = '\0';
	return s;
}

static void
kv_check(struct fx *fx, const struct kv_want *w, const char *what)
{
	struct conflict_filter	 f;
	struct conflict_row	*rows;
	struct ps_error		 err;
	char			*v;
	const char		*status;
	int			 k, n, i;

	for (k = 1; k <= 12; k++) {
		v = kv_value(fx->a, k);
		if (strcmp(v, w->s[k] == NULL ? "" : w->s[k]) != 0)
			fail_msg("%s: key %d on source is '%s', want '%s'",
			    what, k, v, w->s[k] == NULL ? "" : w->s[k]);
		free(v);
		v = kv_value(fx->b, k);
		if (strcmp(v, w->t[k] == NULL ? "" : w->t[k]) != 0)
			fail_msg("%s: key %d on target is '%s', want '%s'",
			    what, k, v, w->t[k] == NULL ? "" : w->t[k]);
		free(v);
	}
	memset(&f, 0, sizeof f);
	f.status = "all";
	f.table = "kv";
	if (history_conflict_list(fx->hist, &f, &rows, &n, &err) != 0)
		fail_msg("conflict list: %s", err.msg);
	for (k = 1; k <= 12; k++) {
		char want_key[32];

		snprintf(want_key, sizeof want_key, "{\"k\":\"%d\"}", k);
		status = NULL;
		for (i = 0; i < n; i++)
			if (strcmp(rows[i].key_json, want_key) == 0)
				status = rows[i].status;
		if ((status == NULL) != (w->c[k] == NULL) ||
		    (status != NULL && strcmp(status, w->c[k]) != 0))
			fail_msg("%s: key %d conflict '%s', want '%s'", what,
			    k, status == NULL ? "none" : status,
			    w->c[k] == NULL ? "none" : w->c[k]);
	}
	conflict_rows_free(rows, n);
}

#define P "pending"
#define R "resolved"
#define I "ignored"

/* Both ways, manual: the plain decision table. */
static const struct kv_want bidir_manual = {
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, 0, P, 0, 0, P, 0, 0, P, P, 0 },
};
static const struct kv_want oneway_manual = {
	{ 0, "v0", "s-new", "v0", "s1", 0, 0, 0, "s1", "v0", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, P, P, P, 0, P, 0, P, P, P, 0 },
};
static const struct kv_want bidir_source = {
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "sX",
	    "same" },
	{ 0, 0, 0, 0, R, 0, 0, R, 0, 0, R, R, 0 },
};
static const struct kv_want oneway_source = {
	{ 0, "v0", "s-new", "v0", "s1", 0, 0, 0, "s1", "v0", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", "v0", "s1", 0, 0, 0, "s1", "v0", "s1", "sX",
	    "same" },
	{ 0, 0, 0, R, R, R, 0, R, 0, R, R, R, 0 },
};
static const struct kv_want bidir_target = {
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, 0, R, 0, 0, R, 0, 0, R, R, 0 },
};
static const struct kv_want oneway_target = {
	{ 0, "v0", "s-new", "v0", "s1", 0, 0, 0, "s1", "v0", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, R, R, R, 0, R, 0, R, R, R, 0 },
};
static const struct kv_want bidir_ignore = {
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, 0, I, 0, 0, I, 0, 0, I, I, 0 },
};
static const struct kv_want oneway_ignore = {
	{ 0, "v0", "s-new", "v0", "s1", 0, 0, 0, "s1", "v0", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "t1", "tX",
	    "same" },
	{ 0, 0, 0, I, I, I, 0, I, 0, I, I, I, 0 },
};
/* Newer: 10 is newer on the source, 11 on the target; absent rows wait. */
static const struct kv_want bidir_newer = {
	{ 0, "v0", "s-new", 0, "s1", "t-new", 0, 0, "s1", "t1", "s1", "tX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "s1", "tX",
	    "same" },
	{ 0, 0, 0, 0, P, 0, 0, P, 0, 0, R, R, 0 },
};
static const struct kv_want oneway_newer = {
	{ 0, "v0", "s-new", "v0", "s1", 0, 0, 0, "s1", "v0", "s1", "sX",
	    "same" },
	{ 0, "v0", "s-new", 0, 0, "t-new", 0, "t1", "s1", "t1", "s1", "tX",
	    "same" },
	{ 0, 0, 0, P, P, P, 0, P, 0, R, R, R, 0 },
};

static int
count_pending(const struct kv_want *w)
{
	int	k, n = 0;

	for (k = 1; k <= 12; k++)
		if (w->c[k] != NULL && strcmp(w->c[k], P) == 0)
			n++;
	return n;
}

static int
count_conflicts(const struct kv_want *w)
{
	int	k, n = 0;

	for (k = 1; k <= 12; k++)
		if (w->c[k] != NULL)
			n++;
	return n;
}

static void
kv_case(void **state, int bidir, enum strategy st, const struct kv_want *w)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	char			 what[64];
	int			 pending = count_pending(w);

	snprintf(what, sizeof what, "%s %s", bidir ? "bidirectional" :
	    "one-way", strategy_name(st));
	kv_setup(fx);
	opts(fx, &o, bidir, st);
	run(fx, &o, &r);
	assert_int_equal(r.counts.rows_compared, 12);
	assert_int_equal(r.counts.conflicts, count_conflicts(w));
	assert_int_equal(r.counts.pending_conflicts, pending);
	assert_int_equal(r.counts.errors, 0);
	assert_int_equal(r.status, pending > 0 ?
	    JOB_COMPLETED_WITH_CONFLICTS : JOB_COMPLETED);
	assert_int_equal(r.ntables, 1);
	assert_string_equal(r.tables[0].name, "kv");
	assert_int_equal(r.tables[0].counts.conflicts, count_conflicts(w));
	job_result_free(&r);
	kv_check(fx, w, what);

	/*
	 * Round two with the same options: nothing new is written, the open
	 * conflicts are met again and refreshed (never duplicated).
	 */
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted, 0);
	assert_int_equal(r.counts.pending_conflicts, pending);
	job_result_free(&r);
	kv_check(fx, w, what);
}

static void
test_kv_bidir_manual(void **s)
{
	kv_case(s, 1, STRAT_MANUAL, &bidir_manual);
}
static void
test_kv_oneway_manual(void **s)
{
	kv_case(s, 0, STRAT_MANUAL, &oneway_manual);
}
static void
test_kv_bidir_source(void **s)
{
	kv_case(s, 1, STRAT_SOURCE_WINS, &bidir_source);
}
static void
test_kv_oneway_source(void **s)
{
	kv_case(s, 0, STRAT_SOURCE_WINS, &oneway_source);
}
static void
test_kv_bidir_target(void **s)
{
	kv_case(s, 1, STRAT_TARGET_WINS, &bidir_target);
}
static void
test_kv_oneway_target(void **s)
{
	kv_case(s, 0, STRAT_TARGET_WINS, &oneway_target);
}
static void
test_kv_bidir_ignore(void **s)
{
	kv_case(s, 1, STRAT_IGNORE, &bidir_ignore);
}
static void
test_kv_oneway_ignore(void **s)
{
	kv_case(s, 0, STRAT_IGNORE, &oneway_ignore);
}
static void
test_kv_bidir_newer(void **s)
{
	kv_case(s, 1, STRAT_NEWER_WINS, &bidir_newer);
}
static void
test_kv_oneway_newer(void **s)
{
	kv_case(s, 0, STRAT_NEWER_WINS, &oneway_newer);
}

/* ---- rounds of deletes and re-inserts ---- */

static void
test_rounds(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;

	tu_sql(fx->a, KV "INSERT INTO kv VALUES (1,'a',NULL),(2,'b',NULL);");
	tu_sql(fx->b, KV);
	opts(fx, &o, 1, STRAT_MANUAL);
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted, 2);
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM kv ORDER BY k");

	/* Deleted on the target: deleted on the source. */
	tu_sql(fx->b, "DELETE FROM kv WHERE k = 1;");
	run(fx, &o, &r);
	assert_int_equal(r.counts.deleted, 1);
	assert_int_equal(r.status, JOB_COMPLETED);
	job_result_free(&r);
	assert_int_equal(tu_query_int(fx->a, "SELECT count(*) FROM kv"), 1);

	/* Re-inserted with other values on the source: a new row again. */
	tu_sql(fx->a, "INSERT INTO kv VALUES (1,'again',NULL);");
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted, 1);
	assert_int_equal(r.counts.conflicts, 0);
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM kv ORDER BY k");

	/* Deleted on both sides: the base is forgotten, nothing to do. */
	tu_sql(fx->a, "DELETE FROM kv WHERE k = 2;");
	tu_sql(fx->b, "DELETE FROM kv WHERE k = 2;");
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted + r.counts.conflicts, 0);
	job_result_free(&r);
	/* Inserted again on the target only: no base, so an insert. */
	tu_sql(fx->b, "INSERT INTO kv VALUES (2,'back',NULL);");
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted, 1);
	assert_int_equal(r.counts.conflicts, 0);
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM kv ORDER BY k");
	/* And a round with nothing to do. */
	run(fx, &o, &r);
	assert_int_equal(r.counts.rows_compared, 2);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted + r.counts.conflicts, 0);
	job_result_free(&r);
}

/* ---- keys: composite, text in byte order ---- */

static void
test_composite_text_keys(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	const char		*ddl = "CREATE TABLE ck (region TEXT NOT NULL, "
	    "code INTEGER NOT NULL, label TEXT, PRIMARY KEY (region, code));";

	tu_sql(fx->a, ddl);
	tu_sql(fx->b, ddl);
	tu_sql(fx->a, "INSERT INTO ck VALUES ('a',2,'x'),('B',1,'y'),"
	    "('é',-5,'z'),('😀',0,'w'),('a ',1,'trailing space'),"
	    "('a',-1,'neg');");
	tu_sql(fx->b, "INSERT INTO ck VALUES ('a',2,'other'),('Z',9,'only "
	    "target'),('a',10,'ten');");
	opts(fx, &o, 1, STRAT_SOURCE_WINS);
	run(fx, &o, &r);
	assert_int_equal(r.counts.rows_compared, 8);
	assert_int_equal(r.counts.errors, 0);
	assert_int_equal(r.counts.conflicts, 1);	/* ('a',2) */
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM ck ORDER BY region, code");
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM ck"), 8);
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted + r.counts.conflicts, 0);
	job_result_free(&r);
}

/* ---- hostile names and values ---- */

static void
test_hostile(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	const char		*ddl = "CREATE TABLE \"we\"\"ird tab.le\" ("
	    "\"i d\" TEXT PRIMARY KEY, \"col \"\"x\"\"\" TEXT, "
	    "\"b;lob\" BLOB, \"n\" NUMERIC(10,2));";
	char			*x, *y;

	tu_sql(fx->a, ddl);
	tu_sql(fx->b, ddl);
	tu_sql(fx->a, "INSERT INTO \"we\"\"ird tab.le\" VALUES "
	    "('q''uote', 'it''s \"quoted\"', X'00FF0041', '0.10'),"
	    "('back\\slash', 'C:\\path\\n', X'', '-99999.99'),"
	    "('emoji 😀', '漢字 and émoji 🎉', X'000000', '1.50'),"
	    "('sql', ''');DROP TABLE kv;--', NULL, NULL),"
	    "('', 'empty key', X'01', '0'),"
	    "('nl', 'line1\nline2\ttab', X'0A0D', '100');");
	opts(fx, &o, 0, STRAT_MANUAL);
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted, 6);
	assert_int_equal(r.counts.errors, 0);
	assert_int_equal(r.status, JOB_COMPLETED);
	job_result_free(&r);
	x = tu_query(fx->a, "SELECT \"i d\", hex(\"col \"\"x\"\"\"), "
	    "hex(\"b;lob\"), typeof(\"b;lob\"), \"n\" FROM "
	    "\"we\"\"ird tab.le\" ORDER BY 1");
	y = tu_query(fx->b, "SELECT \"i d\", hex(\"col \"\"x\"\"\"), "
	    "hex(\"b;lob\"), typeof(\"b;lob\"), \"n\" FROM "
	    "\"we\"\"ird tab.le\" ORDER BY 1");
	assert_string_equal(x, y);
	free(x);
	free(y);
	/* The blob with NUL bytes came through whole. */
	assert_int_equal(tu_query_int(fx->b, "SELECT length(\"b;lob\") FROM "
	    "\"we\"\"ird tab.le\" WHERE \"i d\" = 'q''uote'"), 4);
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.conflicts, 0);
	job_result_free(&r);
}

/* ---- foreign keys: parents first, children first for deletes ---- */

static void
test_fk_order(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	const char		*ddl =
	    "CREATE TABLE zparent (id INTEGER PRIMARY KEY, name TEXT);"
	    "CREATE TABLE achild (id INTEGER PRIMARY KEY, parent_id INTEGER "
	    "NOT NULL REFERENCES zparent(id), name TEXT);"
	    "CREATE TABLE tasks (id INTEGER PRIMARY KEY, parent_id INTEGER "
	    "REFERENCES tasks(id), name TEXT);";
	int			 i;

	tu_sql(fx->a, ddl);
	tu_sql(fx->b, ddl);
	tu_sql(fx->a, "INSERT INTO zparent VALUES (1,'p1'),(2,'p2');"
	    "INSERT INTO achild VALUES (10,1,'c1'),(11,2,'c2'),(12,2,'c3');"
	    /* Children before their parents in key order, and a chain. */
	    "INSERT INTO tasks VALUES (1,5,'t1'),(2,1,'t2'),(3,9,'t3'),"
	    "(4,NULL,'t4'),(5,4,'t5'),(6,3,'t6'),(7,6,'t7'),(8,7,'t8'),"
	    "(9,NULL,'t9');");
	/* Small batches, so parents and children land in other batches. */
	for (i = 0; i < 2; i++) {
		opts(fx, &o, 0, STRAT_MANUAL);
		o.batch_size = 2;
		run(fx, &o, &r);
		assert_int_equal(r.counts.errors, 0);
		assert_int_equal(r.status, JOB_COMPLETED);
		if (i == 0)
			assert_int_equal(r.counts.inserted, 14);
		else
			assert_int_equal(r.counts.inserted + r.counts.updated,
			    0);
		job_result_free(&r);
	}
	assert_same(fx, "SELECT * FROM tasks ORDER BY id");
	assert_same(fx, "SELECT * FROM achild ORDER BY id");
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "pragma_foreign_key_check"), 0);

	/* Deletes: the children go first, or the parents could not. */
	tu_sql(fx->a, "DELETE FROM achild WHERE parent_id = 2;"
	    "DELETE FROM zparent WHERE id = 2;"
	    "DELETE FROM tasks WHERE id IN (6,7,8,3);");
	opts(fx, &o, 0, STRAT_MANUAL);
	o.batch_size = 2;
	run(fx, &o, &r);
	assert_int_equal(r.counts.deleted, 7);
	assert_int_equal(r.counts.errors, 0);
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM zparent ORDER BY id");
	assert_same(fx, "SELECT * FROM tasks ORDER BY id");
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM "
	    "pragma_foreign_key_check"), 0);
}

/* ---- failing rows ---- */

#define CHK "CREATE TABLE chk (id INTEGER PRIMARY KEY, qty INTEGER);"
#define CHK_T "CREATE TABLE chk (id INTEGER PRIMARY KEY, qty INTEGER " \
	"CHECK (qty >= 0));"

static void
chk_fill(struct fx *fx)
{
	tu_sql(fx->a, CHK "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < 25) INSERT INTO chk "
	    "SELECT i, CASE WHEN i IN (7, 19) THEN -1 ELSE i END FROM n;");
	tu_sql(fx->b, CHK_T);
}

static void
test_row_errors(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	struct log_row		*logs;
	struct ps_error		 err;
	int			 n, i, found = 0;

	chk_fill(fx);
	opts(fx, &o, 0, STRAT_MANUAL);
	o.batch_size = 10;
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_COMPLETED_WITH_ERRORS);
	assert_int_equal(r.counts.errors, 2);
	assert_int_equal(r.counts.inserted, 23);
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM chk"), 23);
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM chk "
	    "WHERE id IN (7, 19)"), 0);
	/* Each failing row is logged with its key. */
	if (history_logs(fx->hist, r.job_id, &logs, &n, &err) != 0)
		fail_msg("%s", err.msg);
	for (i = 0; i < n; i++)
		if (strstr(logs[i].message, "{\"id\":\"7\"}") != NULL ||
		    strstr(logs[i].message, "{\"id\":\"19\"}") != NULL)
			found++;
	assert_int_equal(found, 2);
	log_rows_free(logs, n);
	job_result_free(&r);

	/* The next run meets the same two rows, and only them. */
	run(fx, &o, &r);
	assert_int_equal(r.counts.errors, 2);
	assert_int_equal(r.counts.inserted, 0);
	job_result_free(&r);
}

static void
test_stop_on_error(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;

	chk_fill(fx);
	opts(fx, &o, 0, STRAT_MANUAL);
	o.batch_size = 10;
	o.stop_on_error = 1;
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_FAILED);
	assert_int_equal(r.counts.errors, 1);
	/* Rows 1-6 of the first batch were written before row 7 failed. */
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM chk"), 6);
	job_result_free(&r);
}

static void
test_single_transaction(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;

	chk_fill(fx);
	opts(fx, &o, 0, STRAT_MANUAL);
	o.batch_size = 10;
	o.single_transaction = 1;
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_COMPLETED_WITH_ERRORS);
	assert_true(r.counts.errors >= 1);
	assert_string_equal(r.tables[0].status, "failed");
	/* All or nothing. */
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM chk"), 0);
	job_result_free(&r);

	/* Without the bad rows it all goes in one transaction. */
	tu_sql(fx->a, "UPDATE chk SET qty = 0 WHERE qty < 0;");
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_COMPLETED);
	assert_int_equal(r.counts.inserted, 25);
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM chk ORDER BY id");
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted + r.counts.updated, 0);
	job_result_free(&r);
}

/* ---- dry run ---- */

static void
test_dry_run(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 dry, real;
	struct job_row		 jr;
	struct conflict_filter	 f;
	struct ps_error		 err;
	int64_t			 nconf;
	char			*sqlpath, *before, *after, *sql;
	FILE			*fp;
	long			 size;

	kv_setup(fx);
	sqlpath = tu_path(fx->dir, "dry.sql");
	before = dump(fx->b, "SELECT * FROM kv ORDER BY k");
	opts(fx, &o, 1, STRAT_MANUAL);
	o.dry_run = 1;
	o.sql_file = sqlpath;
	run(fx, &o, &dry);
	after = dump(fx->b, "SELECT * FROM kv ORDER BY k");
	assert_string_equal(before, after);
	free(after);
	free(before);
	/* Recorded as a dry run, with no conflicts. */
	memset(&jr, 0, sizeof jr);
	if (history_job_get(fx->hist, dry.job_id, &jr, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(jr.dry_run, 1);
	job_row_free(&jr);
	memset(&f, 0, sizeof f);
	f.status = "all";
	f.job_id = dry.job_id;
	assert_int_equal(history_conflict_count(fx->hist, &f, &nconf, &err),
	    0);
	assert_int_equal(nconf, 0);
	/* The statements each side would receive. */
	fp = fopen(sqlpath, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	sql = xcalloc(1, (size_t)size + 1);
	assert_int_equal(fread(sql, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	assert_non_null(strstr(sql, "INSERT INTO"));
	assert_non_null(strstr(sql, "DELETE FROM"));
	assert_non_null(strstr(sql, "'s-new'"));
	free(sql);

	/* The real run gives the same counts and status. */
	o.dry_run = 0;
	o.sql_file = NULL;
	run(fx, &o, &real);
	assert_int_equal(real.status, dry.status);
	assert_int_equal(real.counts.inserted, dry.counts.inserted);
	assert_int_equal(real.counts.updated, dry.counts.updated);
	assert_int_equal(real.counts.deleted, dry.counts.deleted);
	assert_int_equal(real.counts.conflicts, dry.counts.conflicts);
	assert_int_equal(real.counts.pending_conflicts,
	    dry.counts.pending_conflicts);
	job_result_free(&dry);
	job_result_free(&real);
	kv_check(fx, &bidir_manual, "after dry run");
	free(sqlpath);
}

/* ---- cancel and resume ---- */

static void
test_cancel_resume(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	int64_t			 n;

	tu_sql(fx->a, KV "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
	    "i + 1 FROM n WHERE i < 5000) INSERT INTO kv SELECT i, 'v' || i, "
	    "NULL FROM n;");
	tu_sql(fx->b, KV);
	opts(fx, &o, 0, STRAT_MANUAL);
	o.batch_size = 500;
	atomic_store(&fx->cancel, 1);
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_CANCELLED);
	n = tu_query_int(fx->b, "SELECT count(*) FROM kv");
	/* What was committed stays: whole batches only. */
	assert_true(n < 5000);
	assert_int_equal(n % 500, 0);
	job_result_free(&r);

	atomic_store(&fx->cancel, 0);
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_COMPLETED);
	assert_int_equal(r.counts.inserted, 5000 - n);
	assert_int_equal(r.counts.conflicts, 0);
	assert_true(fx->progress > 0);
	assert_true(fx->done >= 2);
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM kv ORDER BY k");
}

/* ---- keys: key_columns, and tables without a key ---- */

static void
test_no_key(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	struct table_conf	*tc;

	tu_sql(fx->a, "CREATE TABLE nokey (a TEXT, b INTEGER);"
	    "INSERT INTO nokey VALUES ('x', 1), ('y', 2);" KV
	    "INSERT INTO kv VALUES (1, 'one', NULL);");
	tu_sql(fx->b, "CREATE TABLE nokey (a TEXT, b INTEGER);" KV);
	opts(fx, &o, 0, STRAT_MANUAL);
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_COMPLETED_WITH_ERRORS);
	assert_int_equal(r.ntables, 2);
	/* The table without a key is skipped, the other synced. */
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM kv"), 1);
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM nokey"), 0);
	assert_true(strcmp(r.tables[0].status, "skipped") == 0 ||
	    strcmp(r.tables[1].status, "skipped") == 0);
	job_result_free(&r);

	/* With key_columns it syncs. */
	fx->conf->tables = xreallocarray(fx->conf->tables,
	    (size_t)fx->conf->ntables + 1, sizeof *fx->conf->tables);
	tc = &fx->conf->tables[fx->conf->ntables++];
	memset(tc, 0, sizeof *tc);
	tc->name = xstrdup("nokey");
	tc->key_columns = xcalloc(2, sizeof *tc->key_columns);
	tc->key_columns[0] = xstrdup("a");
	tc->nkey_columns = 1;
	run(fx, &o, &r);
	assert_int_equal(r.status, JOB_COMPLETED);
	assert_int_equal(r.counts.inserted, 2);
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM nokey ORDER BY a");
}

/* ---- keys: uuid, date, decimal ---- */

static void
test_other_keys(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	const char		*ddl =
	    "CREATE TABLE u (id UUID PRIMARY KEY, v TEXT);"
	    "CREATE TABLE d (day DATE PRIMARY KEY, v TEXT);"
	    "CREATE TABLE n (amount NUMERIC(10,2) PRIMARY KEY, v TEXT);";

	tu_sql(fx->a, ddl);
	tu_sql(fx->b, ddl);
	tu_sql(fx->a,
	    "INSERT INTO u VALUES ('0f8fad5b-d9cb-469f-a165-70867728950e','a'),"
	    "('7c9e6679-7425-40de-944b-e07fc1f90ae7','b'),"
	    "('00000000-0000-0000-0000-000000000001','c');"
	    "INSERT INTO d VALUES ('2024-02-29','leap'),('1999-12-31','old'),"
	    "('2026-11-24','today');"
	    "INSERT INTO n VALUES (-10.5,'neg'),(0.1,'tenth'),(2,'two'),"
	    "(10,'ten');");
	tu_sql(fx->b,
	    "INSERT INTO u VALUES ('7c9e6679-7425-40de-944b-e07fc1f90ae7','B');"
	    "INSERT INTO d VALUES ('2000-01-01','target');"
	    "INSERT INTO n VALUES (9.99,'target');");
	opts(fx, &o, 1, STRAT_SOURCE_WINS);
	run(fx, &o, &r);
	assert_int_equal(r.counts.errors, 0);
	assert_int_equal(r.counts.rows_compared, 3 + 4 + 5);
	assert_int_equal(r.counts.conflicts, 1);
	job_result_free(&r);
	assert_same(fx, "SELECT * FROM u ORDER BY id");
	assert_same(fx, "SELECT * FROM d ORDER BY day");
	assert_same(fx, "SELECT * FROM n ORDER BY amount");
	run(fx, &o, &r);
	assert_int_equal(r.counts.inserted + r.counts.updated +
	    r.counts.deleted + r.counts.conflicts + r.counts.errors, 0);
	job_result_free(&r);
}

/* ---- retention ---- */

static void
test_retention(void **state)
{
	struct fx		*fx = *state;
	struct sync_opts	 o;
	struct job_result	 r;
	struct job_row		 jr;
	struct ps_error		 err;
	int64_t			 old_id;
	char			 when[32];

	tu_sql(fx->a, KV "INSERT INTO kv VALUES (1, 'one', NULL);");
	tu_sql(fx->b, KV);
	/* A job 100 days ago. */
	snprintf(when, sizeof when, "%.0f", util_now() - 100 * 86400.0);
	setenv("PROJSYNC_NOW", when, 1);
	opts(fx, &o, 0, STRAT_MANUAL);
	run(fx, &o, &r);
	old_id = r.job_id;
	job_result_free(&r);
	unsetenv("PROJSYNC_NOW");
	memset(&jr, 0, sizeof jr);
	assert_int_equal(history_job_get(fx->hist, old_id, &jr, &err), 0);
	job_row_free(&jr);

	/* Today's job, with the default 90-day retention: the old one goes. */
	fx->conf->retention_days = 90;
	run(fx, &o, &r);
	assert_int_equal(history_job_get(fx->hist, r.job_id, &jr, &err), 0);
	job_row_free(&jr);
	job_result_free(&r);
	assert_int_equal(history_job_get(fx->hist, old_id, &jr, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_kv_bidir_manual),
		T(test_kv_oneway_manual),
		T(test_kv_bidir_source),
		T(test_kv_oneway_source),
		T(test_kv_bidir_target),
		T(test_kv_oneway_target),
		T(test_kv_bidir_ignore),
		T(test_kv_oneway_ignore),
		T(test_kv_bidir_newer),
		T(test_kv_oneway_newer),
		T(test_rounds),
		T(test_composite_text_keys),
		T(test_hostile),
		T(test_fk_order),
		T(test_row_errors),
		T(test_stop_on_error),
		T(test_single_transaction),
		T(test_dry_run),
		T(test_cancel_resume),
		T(test_no_key),
		T(test_retention),
		T(test_other_keys),
#undef T
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
