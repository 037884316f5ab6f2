/*
 * projsync - test_history.c: the local history on temporary files: opening,
 * migrating and refusing files, the file mode, jobs, logs, pairs, the base
 * state and its snapshot scan, conflicts (record, refresh, filters, update,
 * open keys), retention, nested transactions and two handles on one file.
 */
#include "projsync/common.h"

#include <sys/stat.h>

#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "projsync/history.h"
#include "projsync/strbuf.h"
#include "projsync/util.h"
#include "testutil.h"

struct fx {
	char		*dir;
	char		*path;
	struct history	*h;
};

static int
setup(void **state)
{
	struct fx	*fx;
	struct ps_error	 err;

	setenv("PROJSYNC_NOW", "1000000000", 1);
	fx = xcalloc(1, sizeof *fx);
	fx->dir = tu_tmpdir();
	fx->path = tu_path(fx->dir, "data/projsync/history.db");
	if (history_open(fx->path, &fx->h, &err) != 0)
		fail_msg("history_open: %s", err.msg);
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
	unsetenv("PROJSYNC_NOW");
	return 0;
}

static void
set_now(double t)
{
	char	buf[64];

	snprintf(buf, sizeof buf, "%.3f", t);
	setenv("PROJSYNC_NOW", buf, 1);
}

static void
assert_query(const char *path, const char *sql, const char *want)
{
	char	*got;

	got = tu_query(path, sql);
	assert_string_equal(got, want);
	free(got);
}

/* Keys in the base, counted through its chunks. */
#define BASE_COUNT	"SELECT coalesce(sum(n), 0) FROM base_chunks"

/* A digest filled with byte B. */
static void
digest_of(unsigned char d[DIGEST_LEN], int b)
{
	memset(d, b, DIGEST_LEN);
}

/* ---- open and migrate ---- */

static void
test_open_twice(void **state)
{
	struct fx	*fx = *state;
	struct history	*h2 = NULL;
	struct ps_error	 err;
	struct job_row	 j, got;

	memset(&j, 0, sizeof j);
	j.kind = xstrdup("sync");
	assert_int_equal(history_job_start(fx->h, &j, &err), 0);
	assert_string_equal(history_path(fx->h), fx->path);
	history_close(fx->h);
	fx->h = NULL;

	assert_int_equal(tu_query_int(fx->path, "PRAGMA user_version"), 3);
	assert_int_equal(tu_query_int(fx->path, "PRAGMA application_id"),
	    0x50534e43);
	assert_query(fx->path, "PRAGMA journal_mode", "wal\n");
	assert_query(fx->path, "SELECT name FROM sqlite_master"
	    " WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
	    "base_chunks\nconflicts\ndaemons\njob_logs\njob_tables\njobs\n"
	    "pairs\nschedule_runs\nsettings_log\n");

	/* Open again: nothing migrated twice, the data kept. */
	assert_int_equal(history_open(fx->path, &fx->h, &err), 0);
	assert_int_equal(history_open(fx->path, &h2, &err), 0);
	assert_int_equal(history_job_get(h2, j.id, &got, &err), 0);
	assert_string_equal(got.kind, "sync");
	assert_int_equal(tu_query_int(fx->path, "PRAGMA user_version"), 3);
	assert_int_equal(tu_query_int(fx->path,
	    "SELECT count(*) FROM jobs"), 1);
	job_row_free(&got);
	job_row_free(&j);
	history_close(h2);
}

static void
assert_refused(const char *path, const char *what)
{
	struct history	*h = NULL;
	struct ps_error	 err;

	memset(&err, 0, sizeof err);
	assert_int_equal(history_open(path, &h, &err), -1);
	assert_null(h);
	assert_int_equal(err.code, PS_ERR_IO);
	if (strstr(err.msg, path) == NULL || strstr(err.msg, what) == NULL)
		fail_msg("want \"%s\" naming %s, got \"%s\"", what, path,
		    err.msg);
}

static void
test_refuse_foreign(void **state)
{
	struct fx	*fx = *state;
	char		*other, *text, *newer, *app;
	FILE		*f;

	/* Another application's SQLite file, left as it was. */
	other = tu_path(fx->dir, "other.db");
	tu_sql(other, "CREATE TABLE t (a); INSERT INTO t VALUES (1);");
	assert_refused(other, "not a projsync history");
	assert_query(other, "PRAGMA journal_mode", "delete\n");
	assert_query(other, "SELECT a FROM t", "1\n");

	/* A text file. */
	text = tu_path(fx->dir, "notes.txt");
	f = fopen(text, "w");
	assert_non_null(f);
	fputs("this is not a database, but it is long enough to have a "
	    "header of a hundred bytes or more, as a SQLite file would.\n",
	    f);
	fclose(f);
	assert_refused(text, "not a projsync history");

	/* Another application id. */
	app = tu_path(fx->dir, "app.db");
	tu_sql(app, "PRAGMA application_id = 42; CREATE TABLE t (a);");
	assert_refused(app, "application id 0x0000002a");

	/* A history written by a newer projsync. */
	newer = tu_path(fx->dir, "newer.db");
	tu_sql(newer, "PRAGMA application_id = 1347636803;"
	    " PRAGMA user_version = 99; CREATE TABLE future (a);");
	assert_refused(newer, "version 99 is newer");

	/* A folder. */
	assert_refused(fx->dir, "not a regular file");

	free(other);
	free(text);
	free(newer);
	free(app);
}

static void
test_mode(void **state)
{
	struct fx	*fx = *state;
	struct history	*h = NULL;
	struct ps_error	 err;
	struct stat	 sb;
	char		*p, *wal, *shared;
	mode_t		 old;

	old = umask(0);
	p = tu_path(fx->dir, "new/history.db");
	wal = tu_path(fx->dir, "new/history.db-wal");
	assert_int_equal(history_open(p, &h, &err), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* SQLite gives the WAL file the database file's mode. */
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	history_close(h);
	h = NULL;
	/* Opened again with a permissive umask: still 0600. */
	assert_int_equal(history_open(p, &h, &err), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	history_close(h);
	h = NULL;

	/* An existing file keeps its mode (a team may share it by group). */
	shared = tu_path(fx->dir, "shared.db");
	tu_sql(shared, "PRAGMA user_version = 0");
	assert_int_equal(chmod(shared, 0660), 0);
	assert_int_equal(history_open(shared, &h, &err), 0);
	assert_int_equal(stat(shared, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0660);
	history_close(h);

	umask(old);
	free(p);
	free(wal);
	free(shared);
}

/* ---- jobs and logs ---- */

static void
start_job(struct history *h, const char *src, const char *dst,
    struct job_row *j)
{
	struct ps_error	err;

	memset(j, 0, sizeof *j);
	j->kind = xstrdup("sync");
	j->source = xstrdup(src);
	j->target = xstrdup(dst);
	j->options = xstrdup("{\"strategy\":\"manual\"}");
	if (history_job_start(h, j, &err) != 0)
		fail_msg("history_job_start: %s", err.msg);
}

static void
finish_job(struct history *h, struct job_row *j, const char *status,
    int64_t base)
{
	struct ps_error	err;

	free(j->status);
	j->status = xstrdup(status);
	j->counts.rows_compared = base + 1;
	j->counts.inserted = base + 2;
	j->counts.updated = base + 3;
	j->counts.deleted = base + 4;
	j->counts.conflicts = base + 5;
	j->counts.pending_conflicts = base + 6;
	j->counts.errors = base + 7;
	j->duration_s = 2.5;
	j->rows_per_s = 400;
	if (history_job_finish(h, j, &err) != 0)
		fail_msg("history_job_finish: %s", err.msg);
}

static void
test_jobs(void **state)
{
	struct fx		*fx = *state;
	struct job_row		 j1, j2, j3, got, *list;
	struct job_table_row	 t[2], *tables;
	struct ps_error		 err;
	int			 n;

	set_now(1000);
	start_job(fx->h, "dev", "prod", &j1);
	assert_true(j1.id > 0);
	assert_true(j1.started_at == 1000);
	assert_int_equal(history_job_get(fx->h, j1.id, &got, &err), 0);
	assert_string_equal(got.status, "running");
	assert_string_equal(got.os_user, util_os_user());
	assert_string_equal(got.options, "{\"strategy\":\"manual\"}");
	assert_true(got.finished_at == 0);
	assert_null(got.error);
	job_row_free(&got);

	set_now(1010);
	j1.error = xstrdup("connection lost");
	finish_job(fx->h, &j1, "failed", 0);
	set_now(2000);
	start_job(fx->h, "prod", "dev", &j2);
	j2.dry_run = 1;
	set_now(3000);
	start_job(fx->h, "dev", "test", &j3);
	finish_job(fx->h, &j3, "completed", 10);

	assert_int_equal(history_job_get(fx->h, j1.id, &got, &err), 0);
	assert_string_equal(got.kind, "sync");
	assert_string_equal(got.source, "dev");
	assert_string_equal(got.target, "prod");
	assert_string_equal(got.status, "failed");
	assert_string_equal(got.error, "connection lost");
	assert_true(got.started_at == 1000);
	assert_true(got.finished_at == 1010);
	assert_true(got.duration_s == 2.5);
	assert_true(got.rows_per_s == 400);
	assert_int_equal(got.counts.rows_compared, 1);
	assert_int_equal(got.counts.inserted, 2);
	assert_int_equal(got.counts.updated, 3);
	assert_int_equal(got.counts.deleted, 4);
	assert_int_equal(got.counts.conflicts, 5);
	assert_int_equal(got.counts.pending_conflicts, 6);
	assert_int_equal(got.counts.errors, 7);
	job_row_free(&got);

	/* Newest first, with a limit. */
	assert_int_equal(history_job_list(fx->h, 2, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, j3.id);
	assert_int_equal(list[1].id, j2.id);
	assert_string_equal(list[0].status, "completed");
	assert_int_equal(list[0].counts.errors, 17);
	assert_string_equal(list[1].status, "running");
	job_rows_free(list, n);
	assert_int_equal(history_job_list(fx->h, 0, &list, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(list[2].id, j1.id);
	job_rows_free(list, n);

	/* Per-table rows, replaced as a whole, in the order given. */
	memset(t, 0, sizeof t);
	t[0].name = xstrdup("items");
	t[0].status = xstrdup("synced");
	t[0].counts.inserted = 5;
	t[1].name = xstrdup("audit_log");
	t[1].status = xstrdup("skipped");
	t[1].message = xstrdup("no usable key");
	assert_int_equal(history_job_tables(fx->h, j3.id, t, 2, &err), 0);
	assert_int_equal(history_job_tables(fx->h, j3.id, t, 2, &err), 0);
	assert_int_equal(history_job_get_tables(fx->h, j3.id, &tables, &n,
	    &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(tables[0].name, "items");
	assert_string_equal(tables[0].status, "synced");
	assert_null(tables[0].message);
	assert_int_equal(tables[0].counts.inserted, 5);
	assert_string_equal(tables[1].name, "audit_log");
	assert_string_equal(tables[1].message, "no usable key");
	job_table_rows_free(tables, n);
	assert_int_equal(history_job_tables(fx->h, j3.id, t + 1, 1, &err), 0);
	assert_int_equal(history_job_get_tables(fx->h, j3.id, &tables, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(tables[0].name, "audit_log");
	job_table_rows_free(tables, n);
	free(t[0].name);
	free(t[0].status);
	free(t[1].name);
	free(t[1].status);
	free(t[1].message);

	/* Unknown jobs. */
	assert_int_equal(history_job_get(fx->h, 999, &got, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "no job 999");
	assert_int_equal(history_job_tables(fx->h, 999, t, 0, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	memset(&got, 0, sizeof got);
	got.id = 999;
	got.status = xstrdup("completed");
	assert_int_equal(history_job_finish(fx->h, &got, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	job_row_free(&got);

	job_row_free(&j1);
	job_row_free(&j2);
	job_row_free(&j3);
}

static void
test_null_strings(void **state)
{
	struct fx	*fx = *state;
	struct job_row	 j, got;
	struct ps_error	 err;

	memset(&j, 0, sizeof j);
	j.kind = xstrdup("migrate");
	j.os_user = xstrdup("alice");
	assert_int_equal(history_job_start(fx->h, &j, &err), 0);
	assert_int_equal(history_job_get(fx->h, j.id, &got, &err), 0);
	assert_null(got.source);
	assert_null(got.target);
	assert_null(got.options);
	assert_null(got.error);
	assert_string_equal(got.os_user, "alice");
	job_row_free(&got);
	job_row_free(&j);
}

static void
test_logs(void **state)
{
	struct fx	*fx = *state;
	struct job_row	 j, k;
	struct log_row	*logs;
	struct ps_error	 err;
	int		 n;

	start_job(fx->h, "dev", "prod", &j);
	start_job(fx->h, "dev", "prod", &k);
	set_now(5000);
	assert_int_equal(history_log(fx->h, j.id, "info", "started", &err), 0);
	set_now(5001);
	assert_int_equal(history_log(fx->h, k.id, "info", "other", &err), 0);
	assert_int_equal(history_log(fx->h, j.id, "warn", "narrower type",
	    &err), 0);
	set_now(5002);
	assert_int_equal(history_log(fx->h, j.id, "error", "row 42 failed",
	    &err), 0);

	assert_int_equal(history_logs(fx->h, j.id, &logs, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(logs[0].level, "info");
	assert_string_equal(logs[0].message, "started");
	assert_true(logs[0].time == 5000);
	assert_string_equal(logs[1].level, "warn");
	assert_string_equal(logs[1].message, "narrower type");
	assert_string_equal(logs[2].level, "error");
	assert_string_equal(logs[2].message, "row 42 failed");
	assert_true(logs[2].time == 5002);
	log_rows_free(logs, n);

	/* A bad level is refused by the schema. */
	assert_int_equal(history_log(fx->h, j.id, "loud", "x", &err), -1);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_non_null(strstr(err.msg, fx->path));

	assert_int_equal(history_logs(fx->h, 999, &logs, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(logs);
	job_row_free(&j);
	job_row_free(&k);
}

/* ---- pairs and base state ---- */

static void
test_pair(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	int64_t		 ab, ba, ac;

	assert_int_equal(history_pair_id(fx->h, "prod", "dev", &ab, &err), 0);
	assert_int_equal(history_pair_id(fx->h, "dev", "prod", &ba, &err), 0);
	assert_int_equal(ab, ba);
	assert_int_equal(history_pair_id(fx->h, "dev", "test", &ac, &err), 0);
	assert_true(ac != ab);
	assert_query(fx->path, "SELECT a, b FROM pairs ORDER BY id",
	    "dev|prod\ndev|test\n");
	assert_int_equal(history_pair_id(fx->h, "", "dev", &ac, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
}

struct kv {
	const char	*key;
	size_t		 len;
	int		 d;
};

static void
put(struct history *h, int64_t pair, const char *table, const struct kv *kv)
{
	struct ps_error	err;
	unsigned char	d[DIGEST_LEN];

	digest_of(d, kv->d);
	if (history_base_put(h, pair, table, kv->key, kv->len, d, &err) != 0)
		fail_msg("history_base_put: %s", err.msg);
}

/* Scan (PAIR, TABLE) and compare with WANT (N entries). */
static void
assert_scan(struct base_cursor *c, const struct kv *want, int n)
{
	struct ps_error		 err;
	const void		*key;
	const unsigned char	*digest;
	unsigned char		 d[DIGEST_LEN];
	size_t			 len;
	int			 i;

	for (i = 0; i < n; i++) {
		assert_int_equal(history_base_next(c, &key, &len, &digest,
		    &err), 1);
		assert_int_equal(len, want[i].len);
		assert_memory_equal(key, want[i].key, len);
		digest_of(d, want[i].d);
		assert_memory_equal(digest, d, DIGEST_LEN);
	}
	assert_int_equal(history_base_next(c, &key, &len, &digest, &err), 0);
	assert_int_equal(history_base_next(c, &key, &len, &digest, &err), 0);
}

static void
test_base(void **state)
{
	struct fx		*fx = *state;
	struct base_cursor	*c, *c2;
	struct ps_error		 err;
	unsigned char		 d[DIGEST_LEN], want[DIGEST_LEN];
	int64_t			 pair, other;
	char			*wal;
	/* Put out of order; the scan gives byte order (a prefix first). */
	static const struct kv in[] = {
		{ "b", 1, 1 }, { "a\0z", 3, 2 }, { "ab", 2, 3 },
		{ "a", 1, 4 }, { "\xff", 1, 5 },
	};
	static const struct kv sorted[] = {
		{ "a", 1, 4 }, { "a\0z", 3, 2 }, { "ab", 2, 3 },
		{ "b", 1, 1 }, { "\xff", 1, 5 },
	};
	static const struct kv later[] = {
		{ "a", 1, 9 }, { "a\0z", 3, 2 }, { "aa", 2, 7 },
		{ "b", 1, 1 }, { "\xff", 1, 5 },
	};
	static const struct kv aa = { "aa", 2, 7 }, a9 = { "a", 1, 9 };
	size_t			 i;

	assert_int_equal(history_pair_id(fx->h, "dev", "prod", &pair, &err),
	    0);
	assert_int_equal(history_pair_id(fx->h, "dev", "test", &other, &err),
	    0);
	assert_int_equal(history_begin(fx->h, &err), 0);
	for (i = 0; i < nitems(in); i++)
		put(fx->h, pair, "items", &in[i]);
	put(fx->h, other, "items", &in[0]);
	put(fx->h, pair, "orders", &in[1]);
	assert_int_equal(history_commit(fx->h, &err), 0);

	/* Get, overwrite, delete. */
	assert_int_equal(history_base_get(fx->h, pair, "items", "ab", 2, d,
	    &err), 1);
	digest_of(want, 3);
	assert_memory_equal(d, want, DIGEST_LEN);
	assert_int_equal(history_base_get(fx->h, pair, "items", "zz", 2, d,
	    &err), 0);
	assert_int_equal(history_base_get(fx->h, other, "items", "ab", 2, d,
	    &err), 0);
	digest_of(want, 8);
	assert_int_equal(history_base_put(fx->h, pair, "items", "ab", 2, want,
	    &err), 0);
	assert_int_equal(history_base_get(fx->h, pair, "items", "ab", 2, d,
	    &err), 1);
	assert_memory_equal(d, want, DIGEST_LEN);
	assert_int_equal(history_base_put(fx->h, pair, "items", "ab", 2, NULL,
	    &err), 0);
	assert_int_equal(history_base_get(fx->h, pair, "items", "ab", 2, d,
	    &err), 0);
	put(fx->h, pair, "items", &in[2]);

	/* The scan sees the base as it was when it started. */
	assert_int_equal(history_base_scan(fx->h, pair, "items", &c, &err),
	    0);
	assert_int_equal(history_base_scan(fx->h, pair, "items", &c2, &err),
	    -1);
	assert_non_null(strstr(err.msg, "already open"));
	assert_int_equal(history_begin(fx->h, &err), 0);
	put(fx->h, pair, "items", &aa);
	put(fx->h, pair, "items", &a9);
	assert_int_equal(history_base_put(fx->h, pair, "items", "ab", 2, NULL,
	    &err), 0);
	assert_int_equal(history_commit(fx->h, &err), 0);
	/* The writer sees its own changes at once. */
	assert_int_equal(history_base_get(fx->h, pair, "items", "aa", 2, d,
	    &err), 1);
	assert_scan(c, sorted, (int)nitems(sorted));
	history_base_cursor_free(c);

	/* A new scan sees them. */
	assert_int_equal(history_base_scan(fx->h, pair, "items", &c, &err),
	    0);
	assert_scan(c, later, (int)nitems(later));
	history_base_cursor_free(c);
	assert_int_equal(history_base_scan(fx->h, other, "items", &c, &err),
	    0);
	assert_scan(c, in, 1);
	history_base_cursor_free(c);
	assert_int_equal(history_base_scan(fx->h, pair, "nothing", &c, &err),
	    0);
	assert_scan(c, NULL, 0);
	history_base_cursor_free(c);

	/* Closing checkpoints: the WAL is folded back into the file. */
	history_close(fx->h);
	fx->h = NULL;
	wal = tu_path(fx->dir, "data/projsync/history.db-wal");
	assert_int_equal(access(wal, F_OK), -1);
	free(wal);
	assert_int_equal(tu_query_int(fx->path,
	    BASE_COUNT), 7);
}

/* ---- transactions and two handles ---- */

static void
test_nested_transactions(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	struct kv	 k1 = { "k1", 2, 1 }, k2 = { "k2", 2, 2 };
	struct job_row	 j;
	struct job_table_row t[2];
	int64_t		 pair;

	assert_int_equal(history_pair_id(fx->h, "a", "b", &pair, &err), 0);
	assert_int_equal(history_begin(fx->h, &err), 0);
	assert_int_equal(history_begin(fx->h, &err), 0);
	put(fx->h, pair, "t", &k1);
	assert_int_equal(history_commit(fx->h, &err), 0);
	/* Still inside the outer transaction: not visible to others. */
	assert_int_equal(tu_query_int(fx->path,
	    BASE_COUNT), 0);
	assert_int_equal(history_commit(fx->h, &err), 0);
	assert_int_equal(tu_query_int(fx->path,
	    BASE_COUNT), 1);

	/* An inner rollback undoes the whole transaction. */
	assert_int_equal(history_begin(fx->h, &err), 0);
	put(fx->h, pair, "t", &k2);
	assert_int_equal(history_begin(fx->h, &err), 0);
	assert_int_equal(history_rollback(fx->h, &err), 0);
	assert_int_equal(history_commit(fx->h, &err), -1);
	assert_non_null(strstr(err.msg, "rolled back"));
	assert_int_equal(tu_query_int(fx->path,
	    BASE_COUNT), 1);

	/* A plain rollback. */
	assert_int_equal(history_begin(fx->h, &err), 0);
	put(fx->h, pair, "t", &k2);
	assert_int_equal(history_rollback(fx->h, &err), 0);
	assert_int_equal(tu_query_int(fx->path,
	    BASE_COUNT), 1);

	assert_int_equal(history_commit(fx->h, &err), -1);
	assert_int_equal(err.code, PS_ERR_INTERNAL);
	assert_int_equal(history_rollback(fx->h, &err), -1);

	/*
	 * A function failing halfway inside a transaction undoes only its own
	 * writes: the old table rows stay and the transaction goes on.
	 */
	start_job(fx->h, "a", "b", &j);
	memset(t, 0, sizeof t);
	t[0].name = xstrdup("items");
	t[0].status = xstrdup("synced");
	assert_int_equal(history_job_tables(fx->h, j.id, t, 1, &err), 0);
	assert_int_equal(history_begin(fx->h, &err), 0);
	put(fx->h, pair, "t", &k2);
	free(t[0].name);
	t[0].name = xstrdup("orders");
	/* The second row has no name: refused after the first was written. */
	assert_int_equal(history_job_tables(fx->h, j.id, t, 2, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	assert_non_null(strstr(err.msg, "job_tables.name"));
	assert_int_equal(history_commit(fx->h, &err), 0);
	assert_query(fx->path, "SELECT name FROM job_tables", "items\n");
	assert_int_equal(tu_query_int(fx->path,
	    BASE_COUNT), 2);
	free(t[0].name);
	free(t[0].status);
	job_row_free(&j);
}

static void
test_two_handles(void **state)
{
	struct fx		*fx = *state;
	struct history		*r = NULL;
	struct ps_error		 err;
	struct job_row		 j, *list;
	struct base_cursor	*c;
	struct kv		 k = { "k", 1, 3 };
	int64_t			 pair, pair2;
	int			 n;

	assert_int_equal(history_open(fx->path, &r, &err), 0);
	assert_int_equal(history_pair_id(fx->h, "a", "b", &pair, &err), 0);

	/* The writer holds a transaction; the reader is not blocked. */
	assert_int_equal(history_begin(fx->h, &err), 0);
	start_job(fx->h, "a", "b", &j);
	put(fx->h, pair, "t", &k);
	assert_int_equal(history_job_list(r, 10, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(history_pair_id(r, "b", "a", &pair2, &err), 0);
	assert_int_equal(pair2, pair);
	assert_int_equal(history_base_scan(r, pair, "t", &c, &err), 0);
	assert_scan(c, NULL, 0);
	history_base_cursor_free(c);
	assert_int_equal(history_commit(fx->h, &err), 0);

	/* Committed: the other handle sees it and may write in turn. */
	assert_int_equal(history_job_list(r, 10, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, j.id);
	job_rows_free(list, n);
	assert_int_equal(history_base_scan(r, pair, "t", &c, &err), 0);
	assert_scan(c, &k, 1);
	history_base_cursor_free(c);
	assert_int_equal(history_log(r, j.id, "info", "from the reader",
	    &err), 0);
	assert_query(fx->path, "SELECT message FROM job_logs",
	    "from the reader\n");

	history_close(r);
	job_row_free(&j);
}

/* ---- conflicts ---- */

/* A conflict on KEY of TABLE met by JOB, with digest bytes S and T. */
static void
make_conflict(struct conflict_row *c, int64_t job, int64_t pair,
    const char *table, const char *key, const char *columns, int s, int t)
{
	memset(c, 0, sizeof *c);
	c->job_id = job;
	c->pair_id = pair;
	c->source = xstrdup("dev");
	c->target = xstrdup("prod");
	c->bidirectional = 1;
	c->table = xstrdup(table);
	c->keylen = strlen(key);
	c->key = xstrdup(key);
	xasprintf(&c->key_json, "{\"id\":\"%s\"}", key);
	c->kind = xstrdup("update/update");
	c->columns = xstrdup(columns);
	c->source_row = xstrdup("{\"id\":\"1\",\"name\":\"s\"}");
	c->target_row = xstrdup("{\"id\":\"1\",\"name\":\"t\"}");
	c->has_base = 1;
	digest_of(c->base_digest, 0xbb);
	c->has_source = s != 0;
	digest_of(c->source_digest, s);
	c->has_target = t != 0;
	digest_of(c->target_digest, t);
	c->status = xstrdup("pending");
	c->strategy = xstrdup("manual");
}

static void
record(struct history *h, struct conflict_row *c)
{
	struct ps_error	err;

	if (history_conflict_record(h, c, &err) != 0)
		fail_msg("history_conflict_record: %s", err.msg);
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

static void
test_conflict_record(void **state)
{
	struct fx		*fx = *state;
	struct conflict_row	 c, got;
	struct ps_error		 err;
	struct job_row		 j1, j2;
	unsigned char		 d[DIGEST_LEN];
	int64_t			 pair, first;

	assert_int_equal(history_pair_id(fx->h, "dev", "prod", &pair, &err),
	    0);
	start_job(fx->h, "dev", "prod", &j1);
	start_job(fx->h, "dev", "prod", &j2);

	set_now(100);
	make_conflict(&c, j1.id, pair, "items", "42", "[\"name\"]", 1, 2);
	free(c.target_row);
	c.target_row = NULL;
	c.has_target = 0;
	record(fx->h, &c);
	first = c.id;
	assert_true(first > 0);
	assert_int_equal(history_conflict_get(fx->h, first, &got, &err), 0);
	assert_int_equal(got.job_id, j1.id);
	assert_int_equal(got.pair_id, pair);
	assert_string_equal(got.source, "dev");
	assert_string_equal(got.target, "prod");
	assert_int_equal(got.bidirectional, 1);
	assert_string_equal(got.table, "items");
	assert_int_equal(got.keylen, 2);
	assert_memory_equal(got.key, "42", 2);
	assert_string_equal(got.key_json, "{\"id\":\"42\"}");
	assert_string_equal(got.kind, "update/update");
	assert_string_equal(got.columns, "[\"name\"]");
	assert_string_equal(got.source_row, "{\"id\":\"1\",\"name\":\"s\"}");
	assert_null(got.target_row);
	assert_int_equal(got.has_base, 1);
	digest_of(d, 0xbb);
	assert_memory_equal(got.base_digest, d, DIGEST_LEN);
	assert_int_equal(got.has_source, 1);
	digest_of(d, 1);
	assert_memory_equal(got.source_digest, d, DIGEST_LEN);
	assert_int_equal(got.has_target, 0);
	assert_null(got.timestamp_column);
	assert_string_equal(got.status, "pending");
	assert_string_equal(got.strategy, "manual");
	assert_null(got.outcome);
	assert_null(got.note);
	assert_null(got.resolved_by);
	assert_true(got.resolved_at == 0);
	assert_true(got.created_at == 100);
	assert_true(got.updated_at == 100);
	conflict_row_free(&got);
	conflict_row_free(&c);

	/* Met again by a later job with new versions: refreshed in place. */
	set_now(200);
	make_conflict(&c, j2.id, pair, "items", "42", "[\"name\",\"qty\"]",
	    3, 4);
	free(c.kind);
	c.kind = xstrdup("update/update");
	record(fx->h, &c);
	assert_int_equal(c.id, first);
	assert_int_equal(history_conflict_get(fx->h, first, &got, &err), 0);
	assert_int_equal(got.job_id, j2.id);
	assert_string_equal(got.columns, "[\"name\",\"qty\"]");
	assert_int_equal(got.has_target, 1);
	assert_true(got.created_at == 100);
	assert_true(got.updated_at == 200);
	conflict_row_free(&got);
	assert_int_equal(tu_query_int(fx->path,
	    "SELECT count(*) FROM conflicts"), 1);

	/* Ignored and unchanged: stays ignored; changed: pending again. */
	set_status(fx->h, first, "ignored");
	record(fx->h, &c);
	assert_int_equal(c.id, first);
	assert_query(fx->path, "SELECT status FROM conflicts", "ignored\n");
	digest_of(c.target_digest, 5);
	record(fx->h, &c);
	assert_int_equal(c.id, first);
	assert_query(fx->path, "SELECT status FROM conflicts", "pending\n");
	/* A stale one is refreshed too. */
	set_status(fx->h, first, "stale");
	record(fx->h, &c);
	assert_int_equal(c.id, first);
	assert_query(fx->path, "SELECT status FROM conflicts", "pending\n");

	/* Resolved with a note and a user. */
	set_now(300);
	assert_int_equal(history_conflict_get(fx->h, first, &got, &err), 0);
	free(got.status);
	got.status = xstrdup("resolved");
	free(got.strategy);
	got.strategy = xstrdup("source-wins");
	got.outcome = xstrdup("source");
	got.result_row = xstrdup("{\"id\":\"42\",\"name\":\"s\"}");
	got.note = xstrdup("checked with the team");
	got.resolved_by = xstrdup("alice");
	assert_int_equal(history_conflict_update(fx->h, &got, &err), 0);
	conflict_row_free(&got);
	assert_int_equal(history_conflict_get(fx->h, first, &got, &err), 0);
	assert_string_equal(got.status, "resolved");
	assert_string_equal(got.strategy, "source-wins");
	assert_string_equal(got.outcome, "source");
	assert_string_equal(got.result_row,
	    "{\"id\":\"42\",\"name\":\"s\"}");
	assert_string_equal(got.note, "checked with the team");
	assert_string_equal(got.resolved_by, "alice");
	assert_true(got.resolved_at == 300);
	assert_true(got.updated_at == 300);
	conflict_row_free(&got);

	/* The same key again: a new conflict, the resolved one kept. */
	set_now(400);
	record(fx->h, &c);
	assert_true(c.id != first);
	assert_query(fx->path, "SELECT id = " "(SELECT min(id) FROM conflicts),"
	    " status FROM conflicts ORDER BY id", "1|resolved\n0|pending\n");

	/* The schema keeps one open conflict per key. */
	assert_int_equal(history_conflict_get(fx->h, first, &got, &err), 0);
	free(got.status);
	got.status = xstrdup("pending");
	assert_int_equal(history_conflict_update(fx->h, &got, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONSTRAINT);
	free(got.status);
	got.status = xstrdup("done");
	assert_int_equal(history_conflict_update(fx->h, &got, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "'done'"));
	got.id = 999;
	free(got.status);
	got.status = xstrdup("ignored");
	assert_int_equal(history_conflict_update(fx->h, &got, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "no conflict 999");
	conflict_row_free(&got);
	assert_int_equal(history_conflict_get(fx->h, 999, &got, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);

	/* A strategy that settles it is recorded as resolved at once. */
	conflict_row_free(&c);
	make_conflict(&c, j2.id, pair, "items", "43", "[]", 1, 2);
	free(c.status);
	c.status = xstrdup("resolved");
	c.outcome = xstrdup("target");
	record(fx->h, &c);
	assert_int_equal(history_conflict_get(fx->h, c.id, &got, &err), 0);
	assert_string_equal(got.status, "resolved");
	assert_string_equal(got.resolved_by, util_os_user());
	assert_true(got.resolved_at == 400);
	conflict_row_free(&got);

	conflict_row_free(&c);
	job_row_free(&j1);
	job_row_free(&j2);
}

/* Ids of the conflicts matching F, as "1,2,3". */
static char *
list_ids(struct history *h, const struct conflict_filter *f)
{
	struct conflict_row	*rows;
	struct ps_error		 err;
	struct strbuf		 sb = STRBUF_INIT;
	int64_t			 count;
	int			 i, n;

	if (history_conflict_list(h, f, &rows, &n, &err) != 0)
		fail_msg("history_conflict_list: %s", err.msg);
	for (i = 0; i < n; i++)
		sb_addf(&sb, "%s%lld", i > 0 ? "," : "", (long long)rows[i].id);
	conflict_rows_free(rows, n);
	if (f == NULL || f->limit == 0) {
		if (history_conflict_count(h, f, &count, &err) != 0)
			fail_msg("history_conflict_count: %s", err.msg);
		assert_int_equal(count, n);
	}
	return sb_detach(&sb);
}

static void
assert_ids(struct history *h, const struct conflict_filter *f,
    const char *want)
{
	char	*got;

	got = list_ids(h, f);
	assert_string_equal(got, want);
	free(got);
}

static void
test_conflict_list(void **state)
{
	struct fx		*fx = *state;
	struct conflict_row	 c, *rows;
	struct conflict_filter	 f;
	struct ps_error		 err;
	struct job_row		 j1, j2;
	int64_t			 pair, other, id[6], count;
	int			 n;

	assert_int_equal(history_pair_id(fx->h, "dev", "prod", &pair, &err),
	    0);
	assert_int_equal(history_pair_id(fx->h, "dev", "test", &other, &err),
	    0);
	start_job(fx->h, "dev", "prod", &j1);
	start_job(fx->h, "dev", "prod", &j2);

	make_conflict(&c, j1.id, pair, "items", "1", "[\"name\"]", 1, 2);
	record(fx->h, &c);
	id[0] = c.id;
	conflict_row_free(&c);
	make_conflict(&c, j1.id, pair, "items", "2", "[\"qty\",\"name\"]",
	    1, 2);
	record(fx->h, &c);
	id[1] = c.id;
	conflict_row_free(&c);
	make_conflict(&c, j1.id, pair, "orders", "1", "[\"total\"]", 1, 2);
	record(fx->h, &c);
	id[2] = c.id;
	conflict_row_free(&c);
	make_conflict(&c, j2.id, pair, "items", "3", "[\"qty\"]", 1, 2);
	record(fx->h, &c);
	id[3] = c.id;
	conflict_row_free(&c);
	make_conflict(&c, j2.id, other, "items", "1", "[\"name\"]", 1, 2);
	record(fx->h, &c);
	id[4] = c.id;
	conflict_row_free(&c);
	make_conflict(&c, j2.id, pair, "items", "4", "[\"names\"]", 1, 2);
	record(fx->h, &c);
	id[5] = c.id;
	conflict_row_free(&c);
	assert_int_equal(id[0], 1);
	assert_int_equal(id[5], 6);
	set_status(fx->h, id[1], "ignored");
	set_status(fx->h, id[3], "resolved");

	/* Default: pending, oldest first. */
	assert_ids(fx->h, NULL, "1,3,5,6");
	memset(&f, 0, sizeof f);
	assert_ids(fx->h, &f, "1,3,5,6");
	f.status = "all";
	assert_ids(fx->h, &f, "1,2,3,4,5,6");
	f.status = "ignored";
	assert_ids(fx->h, &f, "2");
	f.status = "resolved";
	assert_ids(fx->h, &f, "4");
	f.status = "stale";
	assert_ids(fx->h, &f, "");

	memset(&f, 0, sizeof f);
	f.status = "all";
	f.job_id = j1.id;
	assert_ids(fx->h, &f, "1,2,3");
	f.table = "items";
	assert_ids(fx->h, &f, "1,2");
	f.job_id = 0;
	assert_ids(fx->h, &f, "1,2,4,5,6");
	f.pair_id = pair;
	assert_ids(fx->h, &f, "1,2,4,6");

	/* A column among the differing ones, matched whole. */
	memset(&f, 0, sizeof f);
	f.status = "all";
	f.column = "name";
	assert_ids(fx->h, &f, "1,2,5");
	f.column = "qty";
	assert_ids(fx->h, &f, "2,4");
	f.status = NULL;
	assert_ids(fx->h, &f, "");
	f.column = "nam";
	f.status = "all";
	assert_ids(fx->h, &f, "");

	/* Limit. */
	memset(&f, 0, sizeof f);
	f.status = "all";
	f.limit = 2;
	assert_ids(fx->h, &f, "1,2");

	/* Bad status. */
	f.status = "open";
	assert_int_equal(history_conflict_list(fx->h, &f, &rows, &n, &err),
	    -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "'open'"));
	assert_int_equal(history_conflict_count(fx->h, &f, &count, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);

	job_row_free(&j1);
	job_row_free(&j2);
}

static void
test_conflict_open_keys(void **state)
{
	struct fx		*fx = *state;
	struct conflict_row	 c;
	struct open_conflict	*o;
	struct ps_error		 err;
	int64_t			 pair, other, ids[4];
	int			 n;
	static const char *const keys[] = { "b", "ab", "a", "c" };
	size_t			 i;

	assert_int_equal(history_pair_id(fx->h, "dev", "prod", &pair, &err),
	    0);
	assert_int_equal(history_pair_id(fx->h, "dev", "test", &other, &err),
	    0);
	for (i = 0; i < nitems(keys); i++) {
		make_conflict(&c, 1, pair, "items", keys[i], "[]", 1, 2);
		record(fx->h, &c);
		ids[i] = c.id;
		conflict_row_free(&c);
	}
	make_conflict(&c, 1, pair, "orders", "a", "[]", 1, 2);
	record(fx->h, &c);
	conflict_row_free(&c);
	make_conflict(&c, 1, other, "items", "a", "[]", 1, 2);
	record(fx->h, &c);
	conflict_row_free(&c);
	set_status(fx->h, ids[3], "resolved");
	set_status(fx->h, ids[0], "ignored");
	set_status(fx->h, ids[1], "stale");

	assert_int_equal(history_conflict_open_keys(fx->h, pair, "items", &o,
	    &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(o[0].id, ids[2]);
	assert_int_equal(o[0].keylen, 1);
	assert_memory_equal(o[0].key, "a", 1);
	assert_int_equal(o[1].id, ids[1]);
	assert_memory_equal(o[1].key, "ab", 2);
	assert_int_equal(o[2].id, ids[0]);
	assert_memory_equal(o[2].key, "b", 1);
	open_conflicts_free(o, n);

	assert_int_equal(history_conflict_open_keys(fx->h, pair, "none", &o,
	    &n, &err), 0);
	assert_int_equal(n, 0);
	open_conflicts_free(o, n);
}

/* ---- retention ---- */

static void
test_prune(void **state)
{
	struct fx		*fx = *state;
	struct job_row		 old, kept, running, recent, got;
	struct job_table_row	 t;
	struct conflict_row	 c;
	struct ps_error		 err;
	struct kv		 k = { "k", 1, 1 };
	int64_t			 pair, removed, open_id, done_id, late_id;
	double			 day = 86400, now = 1000 * day;

	assert_int_equal(history_pair_id(fx->h, "dev", "prod", &pair, &err),
	    0);
	set_now(now - 100 * day);
	put(fx->h, pair, "items", &k);
	start_job(fx->h, "dev", "prod", &old);
	start_job(fx->h, "dev", "prod", &kept);
	start_job(fx->h, "dev", "prod", &running);
	finish_job(fx->h, &old, "completed", 0);
	finish_job(fx->h, &kept, "completed_with_conflicts", 0);
	memset(&t, 0, sizeof t);
	t.name = xstrdup("items");
	t.status = xstrdup("synced");
	assert_int_equal(history_job_tables(fx->h, old.id, &t, 1, &err), 0);
	free(t.name);
	free(t.status);
	assert_int_equal(history_log(fx->h, old.id, "info", "x", &err), 0);

	/* An open conflict of KEPT; a resolved one of OLD, settled long ago. */
	make_conflict(&c, kept.id, pair, "items", "1", "[]", 1, 2);
	record(fx->h, &c);
	open_id = c.id;
	conflict_row_free(&c);
	make_conflict(&c, old.id, pair, "items", "2", "[]", 1, 2);
	record(fx->h, &c);
	done_id = c.id;
	conflict_row_free(&c);
	set_status(fx->h, done_id, "resolved");
	/* One resolved recently, though met by the old job. */
	make_conflict(&c, old.id, pair, "items", "3", "[]", 1, 2);
	record(fx->h, &c);
	late_id = c.id;
	conflict_row_free(&c);
	set_now(now - 10 * day);
	set_status(fx->h, late_id, "resolved");

	set_now(now - day);
	start_job(fx->h, "dev", "prod", &recent);
	finish_job(fx->h, &recent, "completed", 0);

	set_now(now);
	assert_int_equal(history_prune(fx->h, 90, &removed, &err), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(history_job_get(fx->h, old.id, &got, &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_int_equal(tu_query_int(fx->path,
	    "SELECT count(*) FROM job_logs"), 0);
	assert_int_equal(tu_query_int(fx->path,
	    "SELECT count(*) FROM job_tables"), 0);
	assert_int_equal(history_job_get(fx->h, kept.id, &got, &err), 0);
	job_row_free(&got);
	assert_int_equal(history_job_get(fx->h, running.id, &got, &err), 0);
	job_row_free(&got);
	assert_int_equal(history_job_get(fx->h, recent.id, &got, &err), 0);
	job_row_free(&got);
	assert_int_equal(history_conflict_get(fx->h, open_id, &c, &err), 0);
	conflict_row_free(&c);
	assert_int_equal(history_conflict_get(fx->h, late_id, &c, &err), 0);
	conflict_row_free(&c);
	assert_int_equal(history_conflict_get(fx->h, done_id, &c, &err), -1);
	assert_int_equal(tu_query_int(fx->path,
	    BASE_COUNT), 1);

	/* Nothing more to prune; a negative count is refused. */
	assert_int_equal(history_prune(fx->h, 90, &removed, &err), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(history_prune(fx->h, -1, &removed, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);

	/* Zero days: everything finished, still not what is referenced. */
	assert_int_equal(history_prune(fx->h, 0, &removed, &err), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(tu_query_int(fx->path, "SELECT count(*) FROM jobs"),
	    2);

	job_row_free(&old);
	job_row_free(&kept);
	job_row_free(&running);
	job_row_free(&recent);
}

/* ---- schedules and daemons ---- */

/* Every key and digest of (PAIR, TABLE) as hex, one line each. */
static char *
scan_hex(struct history *h, int64_t pair, const char *table)
{
	struct base_cursor	*c;
	struct ps_error		 err;
	struct strbuf		 sb = STRBUF_INIT;
	const void		*key;
	const unsigned char	*digest;
	size_t			 len;
	int			 r;

	assert_int_equal(history_base_scan(h, pair, table, &c, &err), 0);
	while ((r = history_base_next(c, &key, &len, &digest, &err)) == 1) {
		sb_addhex(&sb, key, len);
		sb_addch(&sb, ' ');
		sb_addhex(&sb, digest, DIGEST_LEN);
		sb_addch(&sb, '\n');
	}
	assert_int_equal(r, 0);
	history_base_cursor_free(c);
	return (sb_detach(&sb));
}

/*
 * A version 1 file (as the first release wrote it) migrates, data kept:
 * the schedules' tables appear and the base moves into chunks, every key
 * and digest as it was.
 */
static void
test_migrate_v1(void **state)
{
	struct fx		*fx = *state;
	struct history		*h = NULL;
	struct ps_error		 err;
	struct schedule_run	 r;
	char			*p, *want, *got;
	unsigned char		 d[DIGEST_LEN];

	p = tu_path(fx->dir, "v1.db");
	assert_int_equal(history_open(p, &h, &err), 0);
	history_close(h);
	h = NULL;
	/* Back to version 1: drop what versions 2 and 3 added. */
	tu_sql(p, "DROP TABLE schedule_runs; DROP TABLE daemons;"
	    " DROP TABLE settings_log; DROP TABLE base_chunks;"
	    " CREATE TABLE base_state ("
	    "  pair_id INTEGER NOT NULL,"
	    "  tbl TEXT NOT NULL,"
	    "  key BLOB NOT NULL,"
	    "  digest BLOB NOT NULL,"
	    "  PRIMARY KEY (pair_id, tbl, key)) WITHOUT ROWID;"
	    " PRAGMA user_version = 1;"
	    " INSERT INTO pairs (a, b) VALUES ('a', 'b'), ('a', 'c');"
	    /* 5000 keys of 1 to 60 bytes, and three of 20 KB. */
	    " WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s"
	    "  WHERE i < 5000)"
	    " INSERT INTO base_state SELECT 1, 'items',"
	    "  CAST(substr(printf('%08d', i * 7919 % 100003) ||"
	    "  hex(randomblob(30)), 1, 1 + i % 60) AS BLOB), randomblob(16)"
	    "  FROM s WHERE 1 ON CONFLICT DO NOTHING;"
	    " INSERT INTO base_state VALUES (1, 'items', zeroblob(20000),"
	    "  randomblob(16)), (1, 'items', CAST(x'ff' || zeroblob(20000) AS BLOB),"
	    "  randomblob(16)), (1, 'items', CAST(x'80' || randomblob(20000) AS BLOB),"
	    "  randomblob(16));"
	    " INSERT INTO base_state VALUES (1, 'orders', x'', randomblob(16)),"
	    "  (2, 'items', x'01', randomblob(16));");
	want = tu_query(p, "SELECT lower(hex(key)) || ' ' || lower(hex(digest))"
	    " FROM base_state WHERE pair_id = 1 AND tbl = 'items' ORDER BY key");
	assert_true(strlen(want) > 4000 * 40);
	assert_int_equal(history_open(p, &h, &err), 0);
	assert_int_equal(tu_query_int(p, "PRAGMA user_version"), 3);
	assert_int_equal(tu_query_int(p, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'base_state'"), 0);
	assert_int_equal(tu_query_int(p, "SELECT count(*) FROM pairs"), 2);
	got = scan_hex(h, 1, "items");
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* Chunks, not one row per key. */
	assert_true(tu_query_int(p, "SELECT count(*) FROM base_chunks") < 100);
	assert_int_equal(history_base_get(h, 1, "orders", "", 0, d, &err), 1);
	assert_int_equal(history_base_get(h, 2, "items", "\x01", 1, d, &err),
	    1);
	assert_int_equal(history_base_get(h, 2, "items", "", 0, d, &err), 0);
	assert_int_equal(history_schedule_get(h, "nightly", &r, &err), 0);
	assert_int_equal(history_schedule_seen(h, "nightly", 50, &err), 0);
	assert_int_equal(history_schedule_get(h, "nightly", &r, &err), 1);
	assert_true(r.created_at == 50);
	schedule_run_free(&r);
	history_close(h);
	free(p);
}

/* ---- the base in chunks, against a model ---- */

#define MODEL_KEYS	3000

struct model {
	char		*key[MODEL_KEYS];
	size_t		 len[MODEL_KEYS];
	int		 order[MODEL_KEYS];	/* indexes in key order */
	int		 dig[MODEL_KEYS];	/* 0: absent */
};

static uint64_t	model_rng = 88172645463325252ULL;

static unsigned
model_rand(unsigned n)
{
	model_rng ^= model_rng << 13;
	model_rng ^= model_rng >> 7;
	model_rng ^= model_rng << 17;
	return ((unsigned)(model_rng % n));
}

static struct model	*model_cmp_m;

static int
model_cmp(const void *a, const void *b)
{
	const struct model	*m = model_cmp_m;
	int			 i = *(const int *)a, j = *(const int *)b;
	size_t			 n;
	int			 c;

	n = m->len[i] < m->len[j] ? m->len[i] : m->len[j];
	if ((c = memcmp(m->key[i], m->key[j], n)) != 0)
		return (c);
	return (m->len[i] < m->len[j] ? -1 : m->len[i] > m->len[j]);
}

static void
model_init(struct model *m)
{
	int	i;
	size_t	k;

	memset(m, 0, sizeof *m);
	for (i = 0; i < MODEL_KEYS; i++) {
		/* Mostly short keys, with NULs; a few longer than a chunk. */
		m->len[i] = i % 500 == 7 ? 13000 + (size_t)i :
		    (size_t)(i % 37);
		m->key[i] = xcalloc(1, m->len[i] + 4);
		m->key[i][0] = (char)(i % 251);
		m->key[i][1] = (char)(i / 251);
		for (k = 2; k < m->len[i] + 2; k++)
			m->key[i][k] = (char)((k * 31 + (size_t)i) % 3);
		m->len[i] += 2;
		m->order[i] = i;
	}
	model_cmp_m = m;
	qsort(m->order, MODEL_KEYS, sizeof m->order[0], model_cmp);
}

static void
model_free(struct model *m)
{
	int	i;

	for (i = 0; i < MODEL_KEYS; i++)
		free(m->key[i]);
}

/* Put key I with digest byte D (0: delete) in H and in M. */
static void
model_put(struct history *h, struct model *m, int i, int d)
{
	struct ps_error	err;
	unsigned char	dig[DIGEST_LEN];

	digest_of(dig, d);
	if (history_base_put(h, 1, "t", m->key[i], m->len[i],
	    d != 0 ? dig : NULL, &err) != 0)
		fail_msg("history_base_put: %s", err.msg);
	m->dig[i] = d;
}

static void
model_check(struct fx *fx, struct model *m)
{
	struct base_cursor	*c;
	struct ps_error		 err;
	const void		*key;
	const unsigned char	*digest;
	unsigned char		 d[DIGEST_LEN];
	size_t			 len;
	int			 i, k, n = 0;

	assert_int_equal(history_base_scan(fx->h, 1, "t", &c, &err), 0);
	for (k = 0; k < MODEL_KEYS; k++) {
		i = m->order[k];
		if (m->dig[i] == 0)
			continue;
		n++;
		assert_int_equal(history_base_next(c, &key, &len, &digest,
		    &err), 1);
		assert_int_equal(len, m->len[i]);
		assert_memory_equal(key, m->key[i], len);
		digest_of(d, m->dig[i]);
		assert_memory_equal(digest, d, DIGEST_LEN);
	}
	assert_int_equal(history_base_next(c, &key, &len, &digest, &err), 0);
	history_base_cursor_free(c);
	assert_int_equal(tu_query_int(fx->path, BASE_COUNT), n);
	/* No empty chunk; none far past the split size but a lone long key. */
	assert_int_equal(tu_query_int(fx->path, "SELECT count(*) FROM"
	    " base_chunks WHERE n = 0 OR (n > 1 AND length(data) > 12001)"),
	    0);
	/* Each chunk's lo is its first key. */
	assert_int_equal(tu_query_int(fx->path, "SELECT count(*) FROM"
	    " base_chunks WHERE substr(data, CASE WHEN length(lo) < 128"
	    " THEN 3 WHEN length(lo) < 16384 THEN 4 ELSE 5 END, length(lo))"
	    " <> lo"), 0);
}

/*
 * Two handles on one file (two processes) write keys of the same chunk in
 * turn, in and out of transactions, after reads: neither loses the other's
 * writes.
 */
static void
test_base_two_writers(void **state)
{
	struct fx	*fx = *state;
	struct history	*h2 = NULL;
	struct model	*m;
	struct ps_error	 err;
	unsigned char	 d[DIGEST_LEN];
	int		 k;

	m = xcalloc(1, sizeof *m);
	model_init(m);
	assert_int_equal(history_open(fx->path, &h2, &err), 0);
	assert_int_equal(history_begin(fx->h, &err), 0);
	for (k = 0; k < 100; k++)
		model_put(fx->h, m, m->order[k], 1);
	assert_int_equal(history_commit(fx->h, &err), 0);
	for (k = 0; k < 20; k++) {
		/* A reads (out of a transaction), B writes, A writes. */
		assert_int_equal(history_base_get(fx->h, 1, "t",
		    m->key[m->order[k]], m->len[m->order[k]], d, &err), 1);
		model_put(h2, m, m->order[k + 1], 2 + k);
		assert_int_equal(history_begin(fx->h, &err), 0);
		model_put(fx->h, m, m->order[k + 2], 100 + k);
		assert_int_equal(history_commit(fx->h, &err), 0);
		/* B writes again after A's commit; then A in a transaction. */
		model_put(h2, m, m->order[k + 3], 150 + k);
		assert_int_equal(history_begin(fx->h, &err), 0);
		model_put(fx->h, m, m->order[k + 4], 200 + k);
		assert_int_equal(history_commit(fx->h, &err), 0);
	}
	model_check(fx, m);
	history_close(h2);
	model_free(m);
	free(m);
}

/*
 * Random puts, overwrites, deletes and gets over 3000 keys (with NUL bytes,
 * prefixes of each other, a few longer than a chunk), in key order as a
 * first sync writes them and in random order, in transactions committed
 * and rolled back and outside any: the scan and every get agree with a
 * model.
 */
static void
test_base_chunks(void **state)
{
	struct fx	*fx = *state;
	struct model	*m, *saved;
	struct ps_error	 err;
	unsigned char	 d[DIGEST_LEN];
	int		 round, k, i, op, r;

	m = xcalloc(1, sizeof *m);
	saved = xcalloc(1, sizeof *saved);
	model_init(m);

	/* A first sync: every key in order, one transaction per 1000. */
	for (k = 0; k < MODEL_KEYS; k++) {
		if (k % 1000 == 0)
			assert_int_equal(history_begin(fx->h, &err), 0);
		model_put(fx->h, m, m->order[k], 1 + k % 200);
		if (k % 1000 == 999 || k + 1 == MODEL_KEYS)
			assert_int_equal(history_commit(fx->h, &err), 0);
	}
	model_check(fx, m);
	assert_true(tu_query_int(fx->path,
	    "SELECT count(*) FROM base_chunks") < 200);

	for (round = 0; round < 40; round++) {
		memcpy(saved->dig, m->dig, sizeof m->dig);
		assert_int_equal(history_begin(fx->h, &err), 0);
		for (k = 0; k < 300; k++) {
			i = (int)model_rand(MODEL_KEYS);
			op = (int)model_rand(10);
			if (op < 5)
				model_put(fx->h, m, i, 1 +
				    (int)model_rand(250));
			else if (op < 8)
				model_put(fx->h, m, i, 0);
			else {
				r = history_base_get(fx->h, 1, "t", m->key[i],
				    m->len[i], d, &err);
				assert_int_equal(r, m->dig[i] != 0);
				if (r == 1)
					assert_int_equal(d[0], m->dig[i]);
			}
		}
		if (round % 5 == 3) {
			assert_int_equal(history_rollback(fx->h, &err), 0);
			memcpy(m->dig, saved->dig, sizeof m->dig);
			/* Next to the last key touched: nothing undone comes
			 * back. */
			assert_int_equal(history_begin(fx->h, &err), 0);
			model_put(fx->h, m, i, 77);
			assert_int_equal(history_commit(fx->h, &err), 0);
			model_check(fx, m);
		} else
			assert_int_equal(history_commit(fx->h, &err), 0);
		/* Some writes outside a transaction. */
		for (k = 0; k < 5; k++)
			model_put(fx->h, m, (int)model_rand(MODEL_KEYS),
			    (int)model_rand(3) == 0 ? 0 :
			    1 + (int)model_rand(250));
		if (round % 4 == 0)
			model_check(fx, m);
	}
	model_check(fx, m);

	/* Deleting every key leaves no chunk. */
	assert_int_equal(history_begin(fx->h, &err), 0);
	for (k = MODEL_KEYS - 1; k >= 0; k--)
		model_put(fx->h, m, m->order[k], 0);
	assert_int_equal(history_commit(fx->h, &err), 0);
	model_check(fx, m);
	assert_int_equal(tu_query_int(fx->path,
	    "SELECT count(*) FROM base_chunks"), 0);

	/* A damaged chunk is reported, not misread. */
	model_put(fx->h, m, 5, 9);
	tu_sql(fx->path, "UPDATE base_chunks SET data = x'01ff'");
	assert_int_equal(history_base_get(fx->h, 1, "t", m->key[5], m->len[5],
	    d, &err), -1);
	assert_non_null(strstr(err.msg, "corrupt base chunk"));
	model_free(m);
	free(m);
	free(saved);
}

/*
 * Claims: an occurrence runs once whoever asks (two handles on one file,
 * as two daemons have); an occurrence before the schedule was known never
 * runs; a later one does; an older one after a later never does.
 */
static void
test_schedule_claim(void **state)
{
	struct fx		*fx = *state;
	struct history		*h2 = NULL;
	struct ps_error		 err;
	struct schedule_run	 r;

	assert_int_equal(history_open(fx->path, &h2, &err), 0);
	assert_int_equal(history_schedule_seen(fx->h, "nightly", 1000, &err),
	    0);
	/* Seen again later: the creation time stays. */
	assert_int_equal(history_schedule_seen(h2, "nightly", 5000, &err), 0);
	assert_int_equal(history_schedule_claim(fx->h, "nightly", 900, "a:1",
	    1001, &err), 0);
	assert_int_equal(history_schedule_claim(fx->h, "nightly", 2000, "a:1",
	    2001, &err), 1);
	assert_int_equal(history_schedule_claim(h2, "nightly", 2000, "b:2",
	    2001, &err), 0);
	assert_int_equal(history_schedule_claim(fx->h, "nightly", 2000,
	    "a:1", 2002, &err), 0);
	assert_int_equal(history_schedule_claim(h2, "nightly", 1500, "b:2",
	    2003, &err), 0);
	assert_int_equal(history_schedule_claim(h2, "nightly", 3000, "b:2",
	    3001, &err), 1);
	assert_int_equal(history_schedule_done(h2, "nightly", 7, "completed",
	    3010, &err), 0);
	assert_int_equal(history_schedule_get(fx->h, "nightly", &r, &err), 1);
	assert_true(r.created_at == 1000);
	assert_true(r.last_due == 3000);
	assert_string_equal(r.claimed_by, "b:2");
	assert_int_equal(r.last_job_id, 7);
	assert_string_equal(r.last_status, "completed");
	assert_true(r.last_finished_at == 3010);
	schedule_run_free(&r);

	/* A schedule never seen is claimed from its first sight on. */
	assert_int_equal(history_schedule_claim(h2, "fresh", 4000, "b:2",
	    4000, &err), 1);
	assert_int_equal(history_schedule_forget(h2, "fresh", &err), 0);
	assert_int_equal(history_schedule_get(h2, "fresh", &r, &err), 0);
	history_close(h2);
}

static void
test_daemons(void **state)
{
	struct fx		*fx = *state;
	struct ps_error		 err;
	struct daemon_row	 d;

	assert_int_equal(history_daemon_latest(fx->h, &d, &err), 0);
	assert_int_equal(history_daemon_beat(fx->h, "h:1", "h", 1, 100, 100,
	    0, &err), 0);
	assert_int_equal(history_daemon_beat(fx->h, "h:2", "h", 2, 150, 150,
	    0, &err), 0);
	assert_int_equal(history_daemon_beat(fx->h, "h:1", "h", 1, 100, 200,
	    0, &err), 0);
	assert_int_equal(history_daemon_latest(fx->h, &d, &err), 1);
	assert_string_equal(d.id, "h:1");
	assert_true(d.heartbeat_at == 200);
	assert_true(d.stopped_at == 0);
	daemon_row_free(&d);
	assert_int_equal(history_daemon_beat(fx->h, "h:1", "h", 1, 100, 300,
	    1, &err), 0);
	assert_int_equal(history_daemon_latest(fx->h, &d, &err), 1);
	assert_true(d.stopped_at == 300);
	assert_int_equal(d.pid, 1);
	daemon_row_free(&d);
}

static void
test_settings_log(void **state)
{
	struct fx		*fx = *state;
	struct ps_error		 err;
	struct settings_row	*rows = NULL;
	int			 n = 0;

	set_now(100);
	assert_int_equal(history_settings_log(fx->h, "added connection 'a' "
	    "(sqlite)", &err), 0);
	set_now(200);
	assert_int_equal(history_settings_log(fx->h, "removed connection 'a'",
	    &err), 0);
	assert_int_equal(history_settings_list(fx->h, 0, &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].what, "removed connection 'a'");
	assert_true(rows[0].time == 200);
	assert_string_equal(rows[0].os_user, util_os_user());
	assert_string_equal(rows[1].what, "added connection 'a' (sqlite)");
	settings_rows_free(rows, n);
	assert_int_equal(history_settings_list(fx->h, 1, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	settings_rows_free(rows, n);
	unsetenv("PROJSYNC_NOW");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_open_twice),
		T(test_refuse_foreign),
		T(test_mode),
		T(test_jobs),
		T(test_null_strings),
		T(test_logs),
		T(test_pair),
		T(test_base),
		T(test_base_chunks),
		T(test_base_two_writers),
		T(test_nested_transactions),
		T(test_two_handles),
		T(test_conflict_record),
		T(test_conflict_list),
		T(test_conflict_open_keys),
		T(test_prune),
		T(test_migrate_v1),
		T(test_schedule_claim),
		T(test_daemons),
		T(test_settings_log),
#undef T
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
