/*
 * projsync - test_resolve.c: the conflict workflow on real SQLite files:
 * resolving by strategy, field by field with typed values, NULL and a note,
 * stale detection before any write, bulk resolution over a filter, and the
 * one-way rules (the target only; choosing the target writes nothing).
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
#include "testutil.h"

struct fx {
	char			*dir;
	char			*a;
	char			*b;
	char			*hpath;
	struct conf		*conf;
	struct history		*hist;
	struct engine_ctx	 ctx;
};

#define ITEMS "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, " \
	"qty INTEGER NOT NULL DEFAULT 0, price NUMERIC(10,2), note TEXT, " \
	"updated_at DATETIME);"

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
	tu_sql(fx->a, ITEMS "INSERT INTO items VALUES "
	    "(1,'apple',1,'1.50','n1','2026-01-01 00:00:00'),"
	    "(2,'pear',2,'2.00','n2','2026-01-01 00:00:00'),"
	    "(3,'plum',3,'3.25','n3','2026-01-01 00:00:00'),"
	    "(4,'fig',4,'4.00','n4','2026-01-01 00:00:00');");
	tu_sql(fx->b, ITEMS);
	fx->conf = tu_conf_sqlite(fx->dir, names);
	if (history_open(fx->hpath, &fx->hist, &err) != 0)
		fail_msg("history_open: %s", err.msg);
	fx->ctx.conf = fx->conf;
	fx->ctx.hist = fx->hist;
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
sync_once(struct fx *fx, int bidir, struct job_result *r)
{
	struct sync_opts	o;
	struct ps_error		err;

	sync_opts_defaults(&o, fx->conf);
	o.source = "a";
	o.target = "b";
	o.bidirectional = bidir;
	o.strategy = STRAT_MANUAL;
	if (engine_sync(&fx->ctx, &o, r, &err) != 0)
		fail_msg("engine_sync: %s", err.msg);
}

/*
 * A base, then both sides change rows 1-3 (update/update) and the target
 * deletes row 4 after the source changed it (update/delete).
 */
static void
make_conflicts(struct fx *fx, int bidir)
{
	struct job_result	r;

	sync_once(fx, bidir, &r);
	assert_int_equal(r.counts.inserted, 4);
	job_result_free(&r);
	tu_sql(fx->a, "UPDATE items SET name = name || '-src', qty = qty + "
	    "10, updated_at = '2026-02-02 00:00:00' WHERE id <= 4;");
	tu_sql(fx->b, "UPDATE items SET name = name || '-tgt', price = '9.99',"
	    " updated_at = '2026-02-01 00:00:00' WHERE id <= 3;"
	    "DELETE FROM items WHERE id = 4;");
	sync_once(fx, bidir, &r);
	assert_int_equal(r.status, JOB_COMPLETED_WITH_CONFLICTS);
	assert_int_equal(r.counts.pending_conflicts, 4);
	job_result_free(&r);
}

/* The id of the open conflict of KEY. */
static int64_t
conflict_of(struct fx *fx, int key, const char *status)
{
	struct conflict_filter	 f;
	struct conflict_row	*rows;
	struct ps_error		 err;
	char			 want[32];
	int64_t			 id = 0;
	int			 n, i;

	memset(&f, 0, sizeof f);
	f.status = status;
	if (history_conflict_list(fx->hist, &f, &rows, &n, &err) != 0)
		fail_msg("%s", err.msg);
	snprintf(want, sizeof want, "{\"id\":\"%d\"}", key);
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].key_json, want) == 0)
			id = rows[i].id;
	conflict_rows_free(rows, n);
	if (id == 0)
		fail_msg("no %s conflict for key %d", status, key);
	return id;
}

static char *
row_of(const char *db, int id)
{
	char	sql[160];

	snprintf(sql, sizeof sql, "SELECT id, name, qty, price, note, "
	    "updated_at FROM items WHERE id = %d", id);
	return tu_query(db, sql);
}

static void
test_resolve_strategies(void **state)
{
	struct fx		*fx = *state;
	struct resolve_opts	 o;
	struct conflict_row	 c;
	struct ps_error		 err;
	struct job_result	 r;
	char			*x, *y;
	int64_t			 id;

	make_conflicts(fx, 1);
	memset(&o, 0, sizeof o);

	/* Source wins: the target takes the source row. */
	o.strategy = STRAT_SOURCE_WINS;
	id = conflict_of(fx, 1, "pending");
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	x = row_of(fx->a, 1);
	y = row_of(fx->b, 1);
	assert_string_equal(x, y);
	assert_non_null(strstr(y, "apple-src|11"));
	free(x);
	free(y);
	memset(&c, 0, sizeof c);
	assert_int_equal(history_conflict_get(fx->hist, id, &c, &err), 0);
	assert_string_equal(c.status, "resolved");
	assert_string_equal(c.outcome, "source");
	assert_non_null(c.resolved_by);
	conflict_row_free(&c);
	/* Resolving it again is refused. */
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "already resolved"));

	/* Target wins, both ways: the source takes the target row. */
	o.strategy = STRAT_TARGET_WINS;
	id = conflict_of(fx, 2, "pending");
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	x = row_of(fx->a, 2);
	assert_non_null(strstr(x, "pear-tgt|2|9.99"));
	y = row_of(fx->b, 2);
	assert_string_equal(x, y);
	free(x);
	free(y);

	/* Newer wins: the source's updated_at is later. */
	o.strategy = STRAT_NEWER_WINS;
	id = conflict_of(fx, 3, "pending");
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	x = row_of(fx->b, 3);
	assert_non_null(strstr(x, "plum-src"));
	free(x);

	/* Newer wins cannot decide an update/delete. */
	id = conflict_of(fx, 4, "pending");
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), -1);
	assert_non_null(strstr(err.msg, "cannot decide"));
	/* Target wins there deletes the source row. */
	o.strategy = STRAT_TARGET_WINS;
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	assert_int_equal(tu_query_int(fx->a, "SELECT count(*) FROM items "
	    "WHERE id = 4"), 0);

	/* Everything settled: the next sync has nothing to do. */
	sync_once(fx, 1, &r);
	assert_int_equal(r.status, JOB_COMPLETED);
	assert_int_equal(r.counts.conflicts + r.counts.inserted +
	    r.counts.updated + r.counts.deleted, 0);
	job_result_free(&r);
}

static void
test_resolve_fields(void **state)
{
	struct fx		*fx = *state;
	struct resolve_opts	 o;
	struct conflict_row	 c;
	struct ps_error		 err;
	char			*set_cols[] = { (char *)"qty", (char *)"price",
	    NULL };
	char			*set_vals[] = { (char *)"42", (char *)"0.10",
	    NULL };
	char			*null_cols[] = { (char *)"note", NULL };
	char			*bad_vals[] = { (char *)"many", (char *)"1",
	    NULL };
	char			*x, *y;
	int64_t			 id;

	make_conflicts(fx, 1);
	id = conflict_of(fx, 1, "pending");
	memset(&o, 0, sizeof o);
	o.strategy = STRAT_TARGET_WINS;
	o.nset = 2;
	o.set_cols = set_cols;
	o.set_vals = bad_vals;
	/* A value that does not fit: refused, nothing written. */
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), -1);
	assert_int_equal(err.code, PS_ERR_USAGE);
	assert_non_null(strstr(err.msg, "qty"));
	x = row_of(fx->b, 1);
	assert_non_null(strstr(x, "apple-tgt"));
	free(x);
	/* An unknown column: refused, and the columns are named. */
	set_cols[0] = (char *)"nope";
	o.set_vals = set_vals;
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), -1);
	assert_non_null(strstr(err.msg, "nope"));
	set_cols[0] = (char *)"qty";

	/* Target version, two fields typed, one NULL, a note. */
	o.nnull = 1;
	o.null_cols = null_cols;
	o.note = "checked with the warehouse";
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	x = row_of(fx->a, 1);
	y = row_of(fx->b, 1);
	assert_string_equal(x, y);
	assert_string_equal(y, "1|apple-tgt|42|0.1|NULL|2026-02-01 00:00:00\n");
	free(x);
	free(y);
	assert_int_equal(tu_query_int(fx->b, "SELECT note IS NULL FROM items "
	    "WHERE id = 1"), 1);
	memset(&c, 0, sizeof c);
	assert_int_equal(history_conflict_get(fx->hist, id, &c, &err), 0);
	assert_string_equal(c.status, "resolved");
	assert_string_equal(c.outcome, "merged");
	assert_string_equal(c.note, "checked with the warehouse");
	assert_non_null(strstr(c.result_row, "\"qty\":\"42\""));
	conflict_row_free(&c);
}

static void
test_stale(void **state)
{
	struct fx		*fx = *state;
	struct resolve_opts	 o;
	struct conflict_row	 c;
	struct ps_error		 err;
	struct job_result	 r;
	char			*before, *after;
	int64_t			 id;

	make_conflicts(fx, 1);
	id = conflict_of(fx, 2, "pending");
	/* Someone changes the target row after the sync. */
	tu_sql(fx->b, "UPDATE items SET qty = 77 WHERE id = 2;");
	before = row_of(fx->a, 2);
	memset(&o, 0, sizeof o);
	o.strategy = STRAT_SOURCE_WINS;
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), -1);
	assert_int_equal(err.code, PS_ERR_STALE);
	/* Nothing was written on either side. */
	after = row_of(fx->a, 2);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(tu_query_int(fx->b, "SELECT qty FROM items WHERE "
	    "id = 2"), 77);
	memset(&c, 0, sizeof c);
	assert_int_equal(history_conflict_get(fx->hist, id, &c, &err), 0);
	assert_string_equal(c.status, "stale");
	conflict_row_free(&c);
	/* A stale conflict is not resolved until the sync refreshes it. */
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), -1);
	assert_int_equal(err.code, PS_ERR_STALE);
	sync_once(fx, 1, &r);
	assert_int_equal(r.counts.pending_conflicts, 4);
	job_result_free(&r);
	/* Refreshed in place: the same conflict, pending again. */
	assert_int_equal(conflict_of(fx, 2, "pending"), id);
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	assert_int_equal(tu_query_int(fx->b, "SELECT qty FROM items WHERE "
	    "id = 2"), 12);
}

static void
test_resolve_all(void **state)
{
	struct fx		*fx = *state;
	struct resolve_opts	 o;
	struct resolve_summary	 sum;
	struct conflict_filter	 f;
	struct ps_error		 err;
	struct job_result	 r;
	int64_t			 n;

	make_conflicts(fx, 1);
	memset(&o, 0, sizeof o);
	memset(&f, 0, sizeof f);
	o.strategy = STRAT_SOURCE_WINS;
	o.note = "bulk";
	f.table = "other";
	assert_int_equal(engine_resolve_all(&fx->ctx, &f, &o, &sum, &err), 0);
	assert_int_equal(sum.matched, 0);
	f.table = "items";
	/* One of them goes stale first. */
	tu_sql(fx->a, "UPDATE items SET qty = 5 WHERE id = 3;");
	assert_int_equal(engine_resolve_all(&fx->ctx, &f, &o, &sum, &err), 0);
	assert_int_equal(sum.matched, 4);
	assert_int_equal(sum.resolved, 3);
	assert_int_equal(sum.stale, 1);
	assert_int_equal(sum.failed, 0);
	f.status = "pending";
	assert_int_equal(history_conflict_count(fx->hist, &f, &n, &err), 0);
	assert_int_equal(n, 0);
	/* The update/delete went the source's way: row 4 is back. */
	assert_int_equal(tu_query_int(fx->b, "SELECT count(*) FROM items "
	    "WHERE id = 4"), 1);
	/* The stale one comes back with the next sync, and only it. */
	sync_once(fx, 1, &r);
	assert_int_equal(r.counts.pending_conflicts, 1);
	job_result_free(&r);
}

static void
test_oneway_rules(void **state)
{
	struct fx		*fx = *state;
	struct resolve_opts	 o;
	struct conflict_row	 c;
	struct ps_error		 err;
	char			*src_before, *src_after, *tgt_before, *tgt_after;
	int64_t			 id;

	make_conflicts(fx, 0);
	memset(&o, 0, sizeof o);
	/* Choosing the target writes nothing and resolves. */
	o.strategy = STRAT_TARGET_WINS;
	id = conflict_of(fx, 1, "pending");
	src_before = row_of(fx->a, 1);
	tgt_before = row_of(fx->b, 1);
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	src_after = row_of(fx->a, 1);
	tgt_after = row_of(fx->b, 1);
	assert_string_equal(src_before, src_after);
	assert_string_equal(tgt_before, tgt_after);
	free(src_before);
	free(src_after);
	free(tgt_before);
	free(tgt_after);
	memset(&c, 0, sizeof c);
	assert_int_equal(history_conflict_get(fx->hist, id, &c, &err), 0);
	assert_string_equal(c.status, "resolved");
	assert_string_equal(c.outcome, "target");
	conflict_row_free(&c);

	/* The source version is written to the target only. */
	o.strategy = STRAT_SOURCE_WINS;
	id = conflict_of(fx, 4, "pending");
	src_before = row_of(fx->a, 4);
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	src_after = row_of(fx->a, 4);
	tgt_after = row_of(fx->b, 4);
	assert_string_equal(src_before, src_after);
	assert_string_equal(src_after, tgt_after);
	free(src_before);
	free(src_after);
	free(tgt_after);

	/* Ignoring, then resolving the ignored one later. */
	o.strategy = STRAT_IGNORE;
	id = conflict_of(fx, 2, "pending");
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	assert_int_equal(conflict_of(fx, 2, "ignored"), id);
	o.strategy = STRAT_SOURCE_WINS;
	assert_int_equal(engine_resolve(&fx->ctx, id, &o, &err), 0);
	assert_int_equal(tu_query_int(fx->b, "SELECT qty FROM items WHERE "
	    "id = 2"), 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_resolve_strategies),
		T(test_resolve_fields),
		T(test_stale),
		T(test_resolve_all),
		T(test_oneway_rules),
#undef T
	};

	return cmocka_run_group_tests_name("resolve", tests, NULL, NULL);
}
