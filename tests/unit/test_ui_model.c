/*
 * projsync - test_ui_model.c: the models behind the Conflicts and Conflict
 * diff screens on a real history file: the list's filters, cursor and
 * window, marks and bulk resolutions; one conflict's fields side by side
 * (NULL, empty text, emoji, quotes), the picks per field and per row, their
 * results and the resolution they add up to; rows that are absent and rows
 * that are not JSON objects.
 */
#include "projsync/common.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "projsync/history.h"
#include "projsync/msgq.h"
#include "projsync/ui_model.h"
#include "testutil.h"

#define EMOJI	"\xf0\x9f\x98\x80"

struct fx {
	char		*dir;
	char		*path;
	struct history	*h;
	int64_t		 pair;
	int64_t		 job1;
	int64_t		 job2;
};

static int64_t
start_job(struct history *h)
{
	struct job_row	j;
	struct ps_error	err;
	int64_t		id;

	memset(&j, 0, sizeof j);
	j.kind = xstrdup("sync");
	j.source = xstrdup("dev");
	j.target = xstrdup("prod");
	j.options = xstrdup("{\"strategy\":\"manual\"}");
	if (history_job_start(h, &j, &err) != 0)
		fail_msg("history_job_start: %s", err.msg);
	id = j.id;
	job_row_free(&j);
	return id;
}

/*
 * Record a pending conflict of JOB on KEY of TABLE with its differing
 * COLUMNS and the rows SROW and TROW (NULL: absent); returns its id.
 */
static int64_t
add_conflict(struct fx *fx, int64_t job, const char *table, const char *key,
    const char *kind, const char *columns, const char *srow,
    const char *trow)
{
	struct conflict_row	c;
	struct ps_error		err;
	int64_t			id;

	memset(&c, 0, sizeof c);
	c.job_id = job;
	c.pair_id = fx->pair;
	c.source = xstrdup("dev");
	c.target = xstrdup("prod");
	c.table = xstrdup(table);
	c.keylen = strlen(key);
	c.key = xstrdup(key);
	xasprintf(&c.key_json, "{\"id\":\"%s\"}", key);
	c.kind = xstrdup(kind);
	c.columns = xstrdup(columns);
	c.source_row = xstrdup(srow);
	c.target_row = xstrdup(trow);
	c.has_base = 1;
	memset(c.base_digest, 0xbb, DIGEST_LEN);
	c.has_source = srow != NULL;
	memset(c.source_digest, 1, DIGEST_LEN);
	c.has_target = trow != NULL;
	memset(c.target_digest, 2, DIGEST_LEN);
	c.status = xstrdup("pending");
	c.strategy = xstrdup("manual");
	if (history_conflict_record(fx->h, &c, &err) != 0)
		fail_msg("history_conflict_record: %s", err.msg);
	id = c.id;
	conflict_row_free(&c);
	return id;
}

static void
set_status(struct history *h, int64_t id, const char *status)
{
	struct conflict_row	c;
	struct ps_error		err;

	if (history_conflict_get(h, id, &c, &err) != 0)
		fail_msg("history_conflict_get: %s", err.msg);
	free(c.status);
	c.status = xstrdup(status);
	if (history_conflict_update(h, &c, &err) != 0)
		fail_msg("history_conflict_update: %s", err.msg);
	conflict_row_free(&c);
}

#define ROW(name)	"{\"id\":\"1\",\"name\":\"" name "\"}"

/*
 * Six conflicts, ids 1 to 6:
 *   1 job1 items  ["name"]          pending
 *   2 job1 items  ["qty","name"]    pending
 *   3 job1 orders ["total"]         pending
 *   4 job2 items  ["qty"]           ignored
 *   5 job2 items  ["name"]          resolved
 *   6 job2 orders ["total"]         stale
 */
static int
setup(void **state)
{
	struct fx	*fx;
	struct ps_error	 err;
	static const struct {
		int		 job;
		const char	*table;
		const char	*key;
		const char	*columns;
		const char	*status;
	} cs[] = {
		{ 1, "items", "1", "[\"name\"]", "pending" },
		{ 1, "items", "2", "[\"qty\",\"name\"]", "pending" },
		{ 1, "orders", "1", "[\"total\"]", "pending" },
		{ 2, "items", "3", "[\"qty\"]", "ignored" },
		{ 2, "items", "4", "[\"name\"]", "resolved" },
		{ 2, "orders", "2", "[\"total\"]", "stale" },
	};
	size_t		 i;
	int64_t		 id;

	fx = xcalloc(1, sizeof *fx);
	fx->dir = tu_tmpdir();
	fx->path = tu_path(fx->dir, "history.db");
	if (history_open(fx->path, &fx->h, &err) != 0)
		fail_msg("history_open: %s", err.msg);
	if (history_pair_id(fx->h, "dev", "prod", &fx->pair, &err) != 0)
		fail_msg("history_pair_id: %s", err.msg);
	fx->job1 = start_job(fx->h);
	fx->job2 = start_job(fx->h);
	for (i = 0; i < nitems(cs); i++) {
		id = add_conflict(fx, cs[i].job == 1 ? fx->job1 : fx->job2,
		    cs[i].table, cs[i].key, "update/update", cs[i].columns,
		    ROW("s"), ROW("t"));
		assert_int_equal(id, (int64_t)i + 1);
		if (strcmp(cs[i].status, "pending") != 0)
			set_status(fx->h, id, cs[i].status);
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	history_close(fx->h);
	tu_rmrf(fx->dir);
	free(fx->dir);
	free(fx->path);
	free(fx);
	return 0;
}

static void
load(struct ui_clist *l, struct history *h)
{
	struct ps_error	err;

	if (ui_clist_load(l, h, &err) != 0)
		fail_msg("ui_clist_load: %s", err.msg);
}

static void
filter(struct ui_clist *l, int64_t job, const char *table,
    const char *status, const char *column)
{
	struct ps_error	err;

	if (ui_clist_set_filter(l, job, table, status, column, &err) != 0)
		fail_msg("ui_clist_set_filter: %s", err.msg);
}

/* IDS joined by ",". */
static char *
join_ids(const int64_t *ids, int n)
{
	struct strbuf	sb = STRBUF_INIT;
	int		i;

	for (i = 0; i < n; i++)
		sb_addf(&sb, "%s%lld", i > 0 ? "," : "", (long long)ids[i]);
	return sb_detach(&sb);
}

static void
assert_listed(const struct ui_clist *l, const char *want)
{
	struct strbuf	sb = STRBUF_INIT;
	char		*got;
	int		i;

	for (i = 0; i < l->n; i++)
		sb_addf(&sb, "%s%lld", i > 0 ? "," : "",
		    (long long)l->rows[i].id);
	got = sb_detach(&sb);
	assert_string_equal(got, want);
	free(got);
}

static void
assert_marks(const struct ui_clist *l, const char *want)
{
	char	*got;

	got = join_ids(l->marks, l->nmarks);
	assert_string_equal(got, want);
	free(got);
}

static void
assert_at(const struct ui_clist *l, int cur, int top, int64_t id)
{
	assert_int_equal(l->cur, cur);
	assert_int_equal(l->top, top);
	assert_non_null(ui_clist_current(l));
	assert_int_equal(ui_clist_current(l)->id, id);
}

/* ---- the Conflicts list ---- */

static void
test_filter(void **state)
{
	struct fx	*fx = *state;
	struct ui_clist	 l;
	struct ps_error	 err;

	ui_clist_init(&l);
	assert_string_equal(l.f.status, "pending");
	assert_null(l.f.table);
	assert_null(l.f.column);
	assert_int_equal(l.f.job_id, 0);
	assert_int_equal(l.n, 0);
	assert_null(ui_clist_current(&l));

	/* By status: pending by default, ignored, all. */
	load(&l, fx->h);
	assert_listed(&l, "1,2,3");
	filter(&l, 0, NULL, "ignored", NULL);
	load(&l, fx->h);
	assert_listed(&l, "4");
	filter(&l, 0, NULL, "resolved", NULL);
	load(&l, fx->h);
	assert_listed(&l, "5");
	filter(&l, 0, NULL, "stale", NULL);
	load(&l, fx->h);
	assert_listed(&l, "6");
	filter(&l, 0, NULL, "all", NULL);
	load(&l, fx->h);
	assert_listed(&l, "1,2,3,4,5,6");

	/* By table; a NULL status means pending again. */
	filter(&l, 0, "items", NULL, NULL);
	assert_string_equal(l.f.status, "pending");
	load(&l, fx->h);
	assert_listed(&l, "1,2");
	filter(&l, 0, "items", "all", NULL);
	load(&l, fx->h);
	assert_listed(&l, "1,2,4,5");

	/* By job. */
	filter(&l, fx->job2, NULL, "all", NULL);
	load(&l, fx->h);
	assert_listed(&l, "4,5,6");
	filter(&l, fx->job1, NULL, NULL, NULL);
	load(&l, fx->h);
	assert_listed(&l, "1,2,3");

	/* By a column among the differing ones. */
	filter(&l, 0, NULL, "all", "name");
	load(&l, fx->h);
	assert_listed(&l, "1,2,5");
	filter(&l, 0, "items", "pending", "qty");
	load(&l, fx->h);
	assert_listed(&l, "2");

	/* The filter's own strings given back are copied before freed. */
	filter(&l, l.f.job_id, l.f.table, "all", l.f.column);
	assert_string_equal(l.f.table, "items");
	assert_string_equal(l.f.column, "qty");
	load(&l, fx->h);
	assert_listed(&l, "2,4");
	filter(&l, 0, NULL, l.f.status, l.f.column);
	assert_string_equal(l.f.status, "all");

	/* An unknown status is refused and the filter left as it was. */
	memset(&err, 0, sizeof err);
	assert_int_equal(ui_clist_set_filter(&l, fx->job1, "orders", "done",
	    "total", &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "'done'"));
	assert_int_equal(l.f.job_id, 0);
	assert_null(l.f.table);
	assert_string_equal(l.f.status, "all");
	assert_string_equal(l.f.column, "qty");
	load(&l, fx->h);
	assert_listed(&l, "2,4");

	/* Empty text clears a field. */
	filter(&l, 0, "", "", "");
	assert_null(l.f.table);
	assert_null(l.f.column);
	assert_string_equal(l.f.status, "pending");

	/* A table with no conflicts: an empty list. */
	filter(&l, 0, "nosuch", "all", NULL);
	load(&l, fx->h);
	assert_int_equal(l.n, 0);
	assert_null(ui_clist_current(&l));
	ui_clist_free(&l);
}

static void
test_cursor(void **state)
{
	struct fx	*fx = *state;
	struct ui_clist	 l;

	ui_clist_init(&l);
	filter(&l, 0, NULL, "all", NULL);
	load(&l, fx->h);
	assert_int_equal(l.n, 6);
	assert_at(&l, 0, 0, 1);

	/* Moves are clamped and the window of 3 rows follows the cursor. */
	ui_clist_move(&l, 1, 3);
	assert_at(&l, 1, 0, 2);
	ui_clist_move(&l, 1, 3);
	assert_at(&l, 2, 0, 3);
	ui_clist_move(&l, 1, 3);
	assert_at(&l, 3, 1, 4);
	ui_clist_move(&l, 100, 3);
	assert_at(&l, 5, 3, 6);
	ui_clist_move(&l, -1, 3);
	assert_at(&l, 4, 3, 5);
	ui_clist_move(&l, -3, 3);
	assert_at(&l, 1, 1, 2);
	ui_clist_move(&l, -100, 3);
	assert_at(&l, 0, 0, 1);
	ui_clist_move(&l, INT_MAX, 3);
	assert_at(&l, 5, 3, 6);
	/* A window taller than the list shows it all. */
	ui_clist_move(&l, 0, 10);
	assert_at(&l, 5, 0, 6);
	ui_clist_move(&l, INT_MIN, 3);
	assert_at(&l, 0, 0, 1);
	ui_clist_move(&l, 4, 3);
	assert_at(&l, 4, 2, 5);

	/* A reload keeps the cursor on the same conflict. */
	filter(&l, 0, "items", "all", NULL);
	load(&l, fx->h);
	assert_listed(&l, "1,2,4,5");
	assert_int_equal(l.cur, 3);
	assert_int_equal(ui_clist_current(&l)->id, 5);
	assert_true(l.top <= l.cur);
	ui_clist_move(&l, 0, 2);
	assert_at(&l, 3, 2, 5);
	filter(&l, fx->job2, NULL, "all", NULL);
	load(&l, fx->h);
	assert_listed(&l, "4,5,6");
	assert_at(&l, 1, 1, 5);

	/* The conflict is no longer listed: the cursor is clamped. */
	filter(&l, 0, NULL, "all", NULL);
	load(&l, fx->h);
	assert_int_equal(ui_clist_current(&l)->id, 5);
	ui_clist_move(&l, 1, 3);
	assert_at(&l, 5, 3, 6);
	filter(&l, 0, NULL, "pending", NULL);
	load(&l, fx->h);
	assert_listed(&l, "1,2,3");
	assert_int_equal(l.cur, 2);
	assert_true(l.top <= l.cur);
	assert_int_equal(ui_clist_current(&l)->id, 3);

	/* A conflict above it resolved meanwhile: still on the same one. */
	set_status(fx->h, 2, "resolved");
	load(&l, fx->h);
	assert_listed(&l, "1,3");
	assert_int_equal(l.cur, 1);
	assert_int_equal(ui_clist_current(&l)->id, 3);

	/* An empty list. */
	filter(&l, 0, "nosuch", NULL, NULL);
	load(&l, fx->h);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.cur, 0);
	assert_int_equal(l.top, 0);
	assert_null(ui_clist_current(&l));
	ui_clist_move(&l, 1, 3);
	ui_clist_move(&l, -1, 3);
	assert_int_equal(l.cur, 0);
	assert_int_equal(l.top, 0);
	ui_clist_free(&l);
}

static void
test_marks(void **state)
{
	struct fx	*fx = *state;
	struct ui_clist	 l;

	ui_clist_init(&l);
	filter(&l, 0, NULL, "all", NULL);
	load(&l, fx->h);
	assert_int_equal(l.nmarks, 0);
	assert_int_equal(ui_clist_bulk_count(&l), 4);

	/* Toggle; the marks stay sorted whatever the order. */
	ui_clist_toggle(&l);
	assert_true(ui_clist_is_marked(&l, 1));
	assert_false(ui_clist_is_marked(&l, 2));
	ui_clist_move(&l, 2, 10);
	ui_clist_toggle(&l);
	ui_clist_move(&l, -1, 10);
	ui_clist_toggle(&l);
	assert_marks(&l, "1,2,3");
	ui_clist_toggle(&l);
	assert_marks(&l, "1,3");
	assert_false(ui_clist_is_marked(&l, 2));
	assert_int_equal(ui_clist_bulk_count(&l), 2);

	/* Unmark all: the bulk count is the open rows listed again. */
	ui_clist_unmark_all(&l);
	assert_int_equal(l.nmarks, 0);
	assert_false(ui_clist_is_marked(&l, 1));
	assert_int_equal(ui_clist_bulk_count(&l), 4);

	/* Mark all marks the open ones only. */
	ui_clist_move(&l, 1, 10);
	ui_clist_toggle(&l);
	ui_clist_mark_all(&l);
	assert_marks(&l, "1,2,3,4");
	assert_false(ui_clist_is_marked(&l, 5));
	assert_false(ui_clist_is_marked(&l, 6));
	assert_int_equal(ui_clist_bulk_count(&l), 4);
	ui_clist_mark_all(&l);
	assert_marks(&l, "1,2,3,4");

	/* A reload drops the marks on conflicts no longer listed. */
	filter(&l, 0, NULL, "pending", NULL);
	load(&l, fx->h);
	assert_marks(&l, "1,2,3");
	assert_int_equal(ui_clist_bulk_count(&l), 3);
	set_status(fx->h, 2, "resolved");
	load(&l, fx->h);
	assert_marks(&l, "1,3");
	ui_clist_unmark_all(&l);
	assert_int_equal(ui_clist_bulk_count(&l), 2);

	/* Only pending or ignored rows count without marks. */
	filter(&l, 0, NULL, "resolved", NULL);
	load(&l, fx->h);
	assert_listed(&l, "2,5");
	assert_int_equal(ui_clist_bulk_count(&l), 0);
	ui_clist_mark_all(&l);
	assert_int_equal(l.nmarks, 0);

	/* An empty list: nothing to toggle. */
	filter(&l, 0, "nosuch", NULL, NULL);
	load(&l, fx->h);
	ui_clist_toggle(&l);
	assert_int_equal(l.nmarks, 0);
	assert_null(l.marks);
	ui_clist_free(&l);
}

static void
assert_refused_bulk(const struct ui_clist *l, const char *strategy)
{
	struct msg_resolve	*r;
	struct ps_error		 err;

	memset(&err, 0, sizeof err);
	r = ui_clist_bulk(l, strategy, "note", &err);
	assert_null(r);
	assert_int_equal(err.code, PS_ERR_USAGE);
	assert_true(err.msg[0] != '\0');
}

static void
test_bulk(void **state)
{
	struct fx		*fx = *state;
	struct ui_clist		 l;
	struct msg_resolve	*r;
	struct ps_error		 err;
	char			*ids;
	static const char *const ok[] = {
		"source-wins", "target-wins", "newer-wins", "ignore"
	};
	size_t			 i;

	ui_clist_init(&l);
	filter(&l, 0, NULL, "all", NULL);
	load(&l, fx->h);

	/* With marks: their ids. */
	ui_clist_move(&l, 3, 10);
	ui_clist_toggle(&l);
	ui_clist_move(&l, -2, 10);
	ui_clist_toggle(&l);
	r = ui_clist_bulk(&l, "target-wins", "checked with the team", &err);
	assert_non_null(r);
	assert_string_equal(r->strategy, "target-wins");
	assert_string_equal(r->note, "checked with the team");
	assert_int_equal(r->nids, 2);
	ids = join_ids(r->ids, r->nids);
	assert_string_equal(ids, "2,4");
	free(ids);
	assert_int_equal(r->job_id, 0);
	assert_null(r->table);
	assert_null(r->column);
	assert_int_equal(r->nset, 0);
	assert_int_equal(r->nnull, 0);
	msg_resolve_free(r);

	/* Without marks: the open rows the filter lists, by id. */
	ui_clist_unmark_all(&l);
	filter(&l, fx->job1, "items", "pending", "name");
	load(&l, fx->h);
	assert_listed(&l, "1,2");
	assert_int_equal(ui_clist_bulk_count(&l), 2);
	r = ui_clist_bulk(&l, "ignore", NULL, &err);
	assert_non_null(r);
	assert_string_equal(r->strategy, "ignore");
	assert_null(r->note);
	assert_int_equal(r->nids, 2);
	ids = join_ids(r->ids, r->nids);
	assert_string_equal(ids, "1,2");
	free(ids);
	assert_null(r->table);
	msg_resolve_free(r);
	/* With "all", only the open ones of the rows listed. */
	filter(&l, 0, NULL, "all", NULL);
	load(&l, fx->h);
	r = ui_clist_bulk(&l, "source-wins", NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->nids, ui_clist_bulk_count(&l));
	assert_true(r->nids < l.n);
	msg_resolve_free(r);
	filter(&l, fx->job1, "items", "pending", "name");
	load(&l, fx->h);
	for (i = 0; i < nitems(ok); i++) {
		r = ui_clist_bulk(&l, ok[i], "", &err);
		assert_non_null(r);
		assert_string_equal(r->strategy, ok[i]);
		assert_null(r->note);
		msg_resolve_free(r);
	}

	/* Manual, unknown or no strategy is refused. */
	assert_refused_bulk(&l, "manual");
	assert_refused_bulk(&l, "bogus");
	assert_refused_bulk(&l, "Source-Wins");
	assert_refused_bulk(&l, NULL);

	/* Nothing to touch: no open row listed and nothing marked. */
	filter(&l, 0, NULL, "resolved", NULL);
	load(&l, fx->h);
	assert_listed(&l, "5");
	assert_int_equal(ui_clist_bulk_count(&l), 0);
	assert_refused_bulk(&l, "source-wins");
	filter(&l, 0, "nosuch", NULL, NULL);
	load(&l, fx->h);
	assert_refused_bulk(&l, "source-wins");
	ui_clist_free(&l);
}

/* ---- one conflict, side by side ---- */

static const char conflict_src[] =
    "{\"id\":\"7\",\"name\":\"say \\\"hi\\\"\",\"qty\":null,\"memo\":\"\","
    "\"icon\":\"" EMOJI "\",\"price\":\"1.50\"}";
static const char conflict_tgt[] =
    "{\"price\":\"1.50\",\"icon\":\"" EMOJI " ok\",\"memo\":null,"
    "\"qty\":\"3\",\"name\":\"caf\\u00e9\",\"id\":\"7\"}";

/* Fields of the conflict above, in the source row's order. */
enum { F_ID, F_NAME, F_QTY, F_MEMO, F_ICON, F_PRICE, NFIELDS };

static void
get_conflict(struct fx *fx, int64_t id, struct conflict_row *c)
{
	struct ps_error	err;

	if (history_conflict_get(fx->h, id, c, &err) != 0)
		fail_msg("history_conflict_get: %s", err.msg);
}

/* Load conflict ID of the history into D. */
static void
load_diff(struct fx *fx, int64_t id, struct ui_diff *d)
{
	struct conflict_row	c;
	struct ps_error		err;

	get_conflict(fx, id, &c);
	if (ui_diff_load(d, &c, &err) != 0)
		fail_msg("ui_diff_load: %s", err.msg);
	/* The diff keeps a copy of its own. */
	conflict_row_free(&c);
}

/* Compare values where NULL stands for SQL NULL. */
static void
assert_value(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void
assert_result(const struct ui_diff *d, int i, const char *want,
    int want_absent)
{
	int	absent = -1;

	assert_value(ui_diff_result(d, i, &absent), want);
	assert_int_equal(absent, want_absent);
}

/*
 * Check and free R: STRATEGY, the --set overrides as "COL=VALUE;..." and the
 * --null ones as "COL,...", and NOTE.
 */
static void
assert_resolution(struct msg_resolve *r, const char *strategy,
    const char *sets, const char *nulls, const char *note)
{
	struct strbuf	sb = STRBUF_INIT;
	char		*got;
	int		i;

	assert_non_null(r);
	assert_string_equal(r->strategy, strategy);
	for (i = 0; i < r->nset; i++)
		sb_addf(&sb, "%s%s=%s", i > 0 ? ";" : "", r->set_cols[i],
		    r->set_vals[i]);
	got = sb_detach(&sb);
	assert_string_equal(got, sets);
	free(got);
	for (i = 0; i < r->nnull; i++)
		sb_addf(&sb, "%s%s", i > 0 ? "," : "", r->null_cols[i]);
	got = sb_detach(&sb);
	assert_string_equal(got, nulls);
	free(got);
	assert_value(r->note, note);
	assert_int_equal(r->nids, 0);
	assert_null(r->ids);
	assert_null(r->table);
	assert_null(r->column);
	msg_resolve_free(r);
}

static void
test_diff_load(void **state)
{
	struct fx	*fx = *state;
	struct ui_diff	 d;
	int64_t		 id;
	static const struct {
		const char	*col;
		const char	*src;
		const char	*tgt;
		int		 differs;
	} want[NFIELDS] = {
		{ "id", "7", "7", 0 },
		{ "name", "say \"hi\"", "caf\xc3\xa9", 1 },
		{ "qty", NULL, "3", 1 },
		{ "memo", "", NULL, 1 },
		{ "icon", EMOJI, EMOJI " ok", 1 },
		{ "price", "1.50", "1.50", 0 },
	};
	int		 i;

	id = add_conflict(fx, fx->job1, "items", "7", "update/update",
	    "[\"name\",\"qty\",\"memo\",\"icon\"]", conflict_src, conflict_tgt);
	load_diff(fx, id, &d);

	/* The conflict, copied. */
	assert_int_equal(d.c.id, id);
	assert_int_equal(d.c.job_id, fx->job1);
	assert_string_equal(d.c.table, "items");
	assert_int_equal(d.c.keylen, 1);
	assert_memory_equal(d.c.key, "7", 1);
	assert_string_equal(d.c.key_json, "{\"id\":\"7\"}");
	assert_string_equal(d.c.source_row, conflict_src);
	assert_string_equal(d.c.target_row, conflict_tgt);
	assert_string_equal(d.c.status, "pending");
	assert_int_equal(d.c.has_source, 1);

	/* The fields in the source's order, each picking the source. */
	assert_int_equal(d.src_absent, 0);
	assert_int_equal(d.tgt_absent, 0);
	assert_true(ui_diff_fieldwise(&d));
	assert_int_equal(d.nf, NFIELDS);
	for (i = 0; i < NFIELDS; i++) {
		assert_string_equal(d.f[i].col, want[i].col);
		assert_value(d.f[i].src, want[i].src);
		assert_value(d.f[i].tgt, want[i].tgt);
		assert_int_equal(d.f[i].differs, want[i].differs);
		assert_int_equal(d.f[i].pick, UI_PICK_SOURCE);
		assert_null(d.f[i].edit);
		assert_result(&d, i, want[i].src, 0);
	}
	assert_int_equal(d.newer, 0);
	assert_null(d.note);
	assert_int_equal(d.cur, 0);
	assert_result(&d, -1, NULL, 0);
	assert_result(&d, NFIELDS, NULL, 0);
	assert_string_equal(ui_diff_result(&d, F_ID, NULL), "7");

	/* Nothing chosen: the source as it is. */
	assert_resolution(ui_diff_resolution(&d), "source-wins", "", "", NULL);
	ui_diff_free(&d);
	assert_int_equal(d.nf, 0);
	assert_null(d.f);
}

static void
test_diff_fields(void **state)
{
	struct fx	*fx = *state;
	struct ui_diff	 d;
	int64_t		 id;

	id = add_conflict(fx, fx->job1, "items", "7", "update/update",
	    "[\"name\",\"qty\",\"memo\",\"icon\"]", conflict_src, conflict_tgt);
	load_diff(fx, id, &d);

	/* Take the target's value. */
	assert_int_equal(ui_diff_pick(&d, F_NAME, UI_PICK_TARGET), 0);
	assert_int_equal(d.f[F_NAME].pick, UI_PICK_TARGET);
	assert_result(&d, F_NAME, "caf\xc3\xa9", 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins",
	    "name=caf\xc3\xa9", "", NULL);

	/* NULL. */
	assert_int_equal(ui_diff_pick(&d, F_NAME, UI_PICK_NULL), 0);
	assert_result(&d, F_NAME, NULL, 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins", "",
	    "name", NULL);
	/* NULL where the source is NULL already: no override. */
	assert_int_equal(ui_diff_pick(&d, F_QTY, UI_PICK_NULL), 0);
	assert_result(&d, F_QTY, NULL, 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins", "",
	    "name", NULL);

	/* Edit, to text and to empty text. */
	assert_int_equal(ui_diff_edit(&d, F_MEMO, "note \xe2\x9c\x93"), 0);
	assert_int_equal(d.f[F_MEMO].pick, UI_PICK_EDIT);
	assert_string_equal(d.f[F_MEMO].edit, "note \xe2\x9c\x93");
	assert_result(&d, F_MEMO, "note \xe2\x9c\x93", 0);
	assert_int_equal(ui_diff_edit(&d, F_ICON, ""), 0);
	assert_result(&d, F_ICON, "", 0);
	/* The field's own edit text given back. */
	assert_int_equal(ui_diff_edit(&d, F_MEMO, d.f[F_MEMO].edit), 0);
	assert_result(&d, F_MEMO, "note \xe2\x9c\x93", 0);
	/* Picking edit with nothing typed starts from the value shown. */
	assert_int_equal(ui_diff_pick(&d, F_PRICE, UI_PICK_EDIT), 0);
	assert_string_equal(d.f[F_PRICE].edit, "1.50");
	assert_result(&d, F_PRICE, "1.50", 0);
	assert_int_equal(ui_diff_pick(&d, F_QTY, UI_PICK_TARGET), 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins",
	    "qty=3;memo=note \xe2\x9c\x93;icon=", "name", NULL);
	/* Back to the source and to the edit: the text typed is kept. */
	assert_int_equal(ui_diff_pick(&d, F_MEMO, UI_PICK_SOURCE), 0);
	assert_result(&d, F_MEMO, "", 0);
	assert_int_equal(ui_diff_pick(&d, F_MEMO, UI_PICK_EDIT), 0);
	assert_result(&d, F_MEMO, "note \xe2\x9c\x93", 0);

	/* Fields out of range change nothing. */
	assert_int_equal(ui_diff_pick(&d, -1, UI_PICK_TARGET), -1);
	assert_int_equal(ui_diff_pick(&d, NFIELDS, UI_PICK_TARGET), -1);
	assert_int_equal(ui_diff_edit(&d, NFIELDS, "x"), -1);
	assert_int_equal(ui_diff_edit(&d, -1, "x"), -1);

	/* Whole row: the target, with no overrides. */
	ui_diff_whole(&d, UI_PICK_TARGET);
	assert_result(&d, F_ID, "7", 0);
	assert_result(&d, F_NAME, "caf\xc3\xa9", 0);
	assert_result(&d, F_QTY, "3", 0);
	assert_result(&d, F_MEMO, NULL, 0);
	assert_result(&d, F_ICON, EMOJI " ok", 0);
	assert_result(&d, F_PRICE, "1.50", 0);
	assert_resolution(ui_diff_resolution(&d), "target-wins", "", "",
	    NULL);
	/* Edited to the target's own value: still the target. */
	assert_int_equal(ui_diff_edit(&d, F_PRICE, "1.50"), 0);
	assert_resolution(ui_diff_resolution(&d), "target-wins", "", "",
	    NULL);
	/*
	 * A differing field that does not pick the target starts from the
	 * source, even when its value is the target's (NULL here).
	 */
	assert_int_equal(ui_diff_pick(&d, F_MEMO, UI_PICK_NULL), 0);
	assert_result(&d, F_MEMO, NULL, 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins",
	    "name=caf\xc3\xa9;qty=3;icon=" EMOJI " ok", "memo", NULL);

	/* Edited away from the target: the source with overrides. */
	assert_int_equal(ui_diff_edit(&d, F_PRICE, "2.00"), 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins",
	    "name=caf\xc3\xa9;qty=3;icon=" EMOJI " ok;price=2.00", "memo",
	    NULL);
	/* NULLed away from the target. */
	assert_int_equal(ui_diff_pick(&d, F_PRICE, UI_PICK_NULL), 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins",
	    "name=caf\xc3\xa9;qty=3;icon=" EMOJI " ok", "memo,price", NULL);
	/* A differing field keeps the source's value. */
	ui_diff_whole(&d, UI_PICK_TARGET);
	assert_int_equal(ui_diff_pick(&d, F_NAME, UI_PICK_SOURCE), 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins",
	    "qty=3;icon=" EMOJI " ok", "memo", NULL);

	/* Whole row: the source again. */
	ui_diff_whole(&d, UI_PICK_SOURCE);
	assert_result(&d, F_NAME, "say \"hi\"", 0);
	assert_result(&d, F_QTY, NULL, 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins", "", "",
	    NULL);
	/* Only source and target are whole-row picks. */
	ui_diff_whole(&d, UI_PICK_NULL);
	ui_diff_whole(&d, UI_PICK_EDIT);
	assert_int_equal(d.f[F_NAME].pick, UI_PICK_SOURCE);

	/* The note. */
	ui_diff_set_note(&d, "checked \"twice\"");
	assert_string_equal(d.note, "checked \"twice\"");
	ui_diff_set_note(&d, d.note);
	assert_string_equal(d.note, "checked \"twice\"");
	assert_int_equal(ui_diff_pick(&d, F_NAME, UI_PICK_TARGET), 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins",
	    "name=caf\xc3\xa9", "", "checked \"twice\"");

	/* Whole row: the newer version, no overrides; a pick clears it. */
	ui_diff_whole_newer(&d);
	assert_int_equal(d.newer, 1);
	assert_resolution(ui_diff_resolution(&d), "newer-wins", "", "",
	    "checked \"twice\"");
	assert_result(&d, F_NAME, NULL, 0);
	assert_int_equal(ui_diff_pick(&d, F_QTY, UI_PICK_TARGET), 0);
	assert_int_equal(d.newer, 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins",
	    "name=caf\xc3\xa9;qty=3", "", "checked \"twice\"");
	ui_diff_whole_newer(&d);
	ui_diff_whole(&d, UI_PICK_TARGET);
	assert_int_equal(d.newer, 0);
	ui_diff_whole_newer(&d);
	assert_int_equal(ui_diff_edit(&d, F_MEMO, "x"), 0);
	assert_int_equal(d.newer, 0);

	/* An empty note clears it. */
	ui_diff_set_note(&d, "");
	assert_null(d.note);
	ui_diff_set_note(&d, "again");
	ui_diff_set_note(&d, NULL);
	assert_null(d.note);
	ui_diff_free(&d);
}

static void
test_diff_absent(void **state)
{
	struct fx	*fx = *state;
	struct ui_diff	 d;
	int64_t		 id;

	/* The target deleted the row. */
	id = add_conflict(fx, fx->job1, "items", "8", "update/delete",
	    "[\"name\"]", "{\"id\":\"8\",\"name\":\"gone\"}", NULL);
	load_diff(fx, id, &d);
	assert_int_equal(d.src_absent, 0);
	assert_int_equal(d.tgt_absent, 1);
	assert_false(ui_diff_fieldwise(&d));
	assert_int_equal(d.nf, 2);
	assert_string_equal(d.f[0].col, "id");
	assert_string_equal(d.f[1].col, "name");
	assert_null(d.f[1].tgt);
	assert_int_equal(d.f[1].differs, 1);

	/* Fields cannot be picked one by one. */
	assert_int_equal(ui_diff_pick(&d, 1, UI_PICK_TARGET), -1);
	assert_int_equal(ui_diff_pick(&d, 1, UI_PICK_NULL), -1);
	assert_int_equal(ui_diff_edit(&d, 1, "x"), -1);
	assert_int_equal(d.f[1].pick, UI_PICK_SOURCE);
	assert_null(d.f[1].edit);

	/* The source by default: the row is written back. */
	assert_result(&d, 0, "8", 0);
	assert_result(&d, 1, "gone", 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins", "", "",
	    NULL);

	/* The target: the delete wins. */
	ui_diff_whole(&d, UI_PICK_TARGET);
	assert_result(&d, 0, NULL, 1);
	assert_result(&d, 1, NULL, 1);
	ui_diff_set_note(&d, "deleted on purpose");
	assert_resolution(ui_diff_resolution(&d), "target-wins", "", "",
	    "deleted on purpose");
	ui_diff_whole_newer(&d);
	assert_resolution(ui_diff_resolution(&d), "newer-wins", "", "",
	    "deleted on purpose");
	ui_diff_whole(&d, UI_PICK_SOURCE);
	assert_result(&d, 1, "gone", 0);
	assert_resolution(ui_diff_resolution(&d), "source-wins", "", "",
	    "deleted on purpose");
	ui_diff_free(&d);

	/* The source deleted the row: fields in the target's order. */
	id = add_conflict(fx, fx->job1, "items", "9", "delete/update",
	    "[\"name\"]", NULL, "{\"name\":\"kept\",\"id\":\"9\"}");
	load_diff(fx, id, &d);
	assert_int_equal(d.src_absent, 1);
	assert_int_equal(d.tgt_absent, 0);
	assert_false(ui_diff_fieldwise(&d));
	assert_int_equal(d.nf, 2);
	assert_string_equal(d.f[0].col, "name");
	assert_string_equal(d.f[1].col, "id");
	assert_result(&d, 0, NULL, 1);
	assert_resolution(ui_diff_resolution(&d), "source-wins", "", "",
	    NULL);
	ui_diff_whole(&d, UI_PICK_TARGET);
	assert_result(&d, 0, "kept", 0);
	assert_result(&d, 1, "9", 0);
	assert_resolution(ui_diff_resolution(&d), "target-wins", "", "",
	    NULL);
	ui_diff_free(&d);
}

static void
assert_refused_diff(const struct conflict_row *c, const char *what)
{
	struct ui_diff	d;
	struct ps_error	err;

	memset(&err, 0, sizeof err);
	assert_int_equal(ui_diff_load(&d, c, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	if (strstr(err.msg, what) == NULL)
		fail_msg("want \"%s\", got \"%s\"", what, err.msg);
	assert_int_equal(d.nf, 0);
	assert_null(d.f);
	assert_null(d.c.table);
	ui_diff_free(&d);
}

static void
test_diff_malformed(void **state)
{
	struct fx		*fx = *state;
	struct conflict_row	 c;
	int64_t			 id;

	/* A source row in the history that is not JSON. */
	id = add_conflict(fx, fx->job1, "items", "10", "update/update",
	    "[\"name\"]", "{\"id\":\"10\",\"name\":", ROW("t"));
	get_conflict(fx, id, &c);
	assert_refused_diff(&c, "source row");

	/* A target row that is an array, or not flat. */
	free(c.source_row);
	c.source_row = xstrdup(ROW("s"));
	free(c.target_row);
	c.target_row = xstrdup("[\"id\",\"name\"]");
	assert_refused_diff(&c, "target row");
	free(c.target_row);
	c.target_row = xstrdup("{\"id\":{\"nested\":\"1\"}}");
	assert_refused_diff(&c, "target row");

	/* Columns that are not an array of names. */
	free(c.target_row);
	c.target_row = xstrdup(ROW("t"));
	free(c.columns);
	c.columns = xstrdup("[1,2]");
	assert_refused_diff(&c, "columns");
	conflict_row_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_filter),
		T(test_cursor),
		T(test_marks),
		T(test_bulk),
		T(test_diff_load),
		T(test_diff_fields),
		T(test_diff_absent),
		T(test_diff_malformed),
#undef T
	};

	return cmocka_run_group_tests_name("ui_model", tests, NULL, NULL);
}
