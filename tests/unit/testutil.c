/*
 * projsync - testutil.c: shared helpers of the cmocka tests.
 */
#include "projsync/common.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "projsync/conf.h"
#include "projsync/db.h"
#include "projsync/strbuf.h"
#include "projsync/value.h"
#include "testutil.h"

char *
tu_tmpdir(void)
{
	const char	*base;
	char		*p;

	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	xasprintf(&p, "%s/projsync-test.XXXXXX", base);
	if (mkdtemp(p) == NULL)
		fail_msg("mkdtemp %s failed", p);
	return p;
}

void
tu_rmrf(const char *path)
{
	char	*cmd;

	if (path == NULL || *path == '\0' || strcmp(path, "/") == 0)
		return;
	xasprintf(&cmd, "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: %s failed\n", cmd);
	free(cmd);
}

char *
tu_path(const char *dir, const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return p;
}

void
tu_sql(const char *path, const char *sql)
{
	sqlite3	*db = NULL;
	char	*msg = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		fail_msg("open %s: %s", path, sqlite3_errmsg(db));
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "SQL failed on %s: %s\n%s\n", path, msg, sql);
		sqlite3_free(msg);
		sqlite3_close(db);
		fail_msg("SQL failed");
	}
	sqlite3_close(db);
}

char *
tu_query(const char *path, const char *sql)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	struct strbuf	 sb = STRBUF_INIT;
	int		 i, n, rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		fail_msg("open %s: %s", path, sqlite3_errmsg(db));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("prepare on %s: %s: %s", path, sqlite3_errmsg(db), sql);
	n = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			if (i > 0)
				sb_addch(&sb, '|');
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				sb_addstr(&sb, "NULL");
				break;
			case SQLITE_BLOB:
				sb_addstr(&sb, "X'");
				sb_addhex(&sb, sqlite3_column_blob(st, i),
				    (size_t)sqlite3_column_bytes(st, i));
				sb_addch(&sb, '\'');
				break;
			default:
				sb_add(&sb, sqlite3_column_text(st, i),
				    (size_t)sqlite3_column_bytes(st, i));
				break;
			}
		}
		sb_addch(&sb, '\n');
	}
	if (rc != SQLITE_DONE)
		fail_msg("step on %s: %s", path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return sb_detach(&sb);
}

long long
tu_query_int(const char *path, const char *sql)
{
	char		*s;
	long long	 v;

	s = tu_query(path, sql);
	v = strtoll(s, NULL, 10);
	free(s);
	return v;
}

struct conf *
tu_conf_sqlite(const char *dir, const char *const *names)
{
	struct conf	*conf = NULL;
	struct ps_error	 err;
	char		*cpath, *db;
	int		 i;

	cpath = tu_path(dir, "projsync.conf");
	if (conf_load(cpath, &conf, &err) != 0)
		fail_msg("conf_load: %s", err.msg);
	for (i = 0; names[i] != NULL; i++) {
		xasprintf(&db, "%s/%s.db", dir, names[i]);
		if (conf_conn_add(conf, names[i], "sqlite", db, NULL, &err) != 0)
			fail_msg("conf_conn_add: %s", err.msg);
		free(db);
	}
	free(cpath);
	return conf;
}

const char *
tu_server_dsn(const char *engine)
{
	const char	*dsn, *ci;
	char		 name[64];

	snprintf(name, sizeof name, "PROJSYNC_TEST_%s_DSN", engine);
	if ((dsn = getenv(name)) != NULL && *dsn != '\0')
		return dsn;
	ci = getenv("CI");
	if (ci != NULL && strcmp(ci, "true") == 0)
		fail_msg("%s is not set: the %s test server is not running "
		    "(tests/servers.sh)", name, engine);
	skip();
	return NULL;
}

const char *
tu_server_password(const char *engine)
{
	char	name[64];

	snprintf(name, sizeof name, "PROJSYNC_TEST_%s_PASSWORD", engine);
	return getenv(name);
}

char *
tu_server_sql(const char *engine, const char *db, const char *sql)
{
	const char	*admin;
	char		 name[64], *cmd, *path, *dir;
	struct strbuf	 out = STRBUF_INIT;
	char		 buf[4096];
	FILE		*fp, *in;
	size_t		 n;
	int		 rc;

	snprintf(name, sizeof name, "PROJSYNC_TEST_%s_ADMIN", engine);
	if ((admin = getenv(name)) == NULL)
		fail_msg("%s is not set", name);
	dir = tu_tmpdir();
	path = tu_path(dir, "in.sql");
	if ((in = fopen(path, "w")) == NULL)
		fail_msg("cannot write %s", path);
	fputs(sql, in);
	fclose(in);
	if (strcmp(engine, "PG") == 0)
		xasprintf(&cmd, "%s -d '%s' -A -t -F '\t' -f '%s' 2>&1", admin,
		    db != NULL ? db : "projsync", path);
	else
		xasprintf(&cmd, "%s -N -B '%s' < '%s' 2>&1", admin,
		    db != NULL ? db : "projsync", path);
	if ((fp = popen(cmd, "r")) == NULL)
		fail_msg("popen %s", cmd);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_add(&out, buf, n);
	rc = pclose(fp);
	if (rc != 0)
		fail_msg("%s failed (%d): %s\n%s", name, rc, sb_str(&out), sql);
	free(cmd);
	free(path);
	tu_rmrf(dir);
	free(dir);
	return sb_detach(&out);
}

/* ---- driver tests ---- */

/* Set the N cells of R from strings (NULL for NULL). */
void
tu_set_row(struct row *r, int n, ...)
{
	va_list		 ap;
	const char	*s;
	int		 i;

	row_reset(r);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		s = va_arg(ap, const char *);
		row_set_str(r, i, s);
	}
	va_end(ap);
}

/*
 * Append cell I of R for assertions: NULL, binary as x'hex', text with a NUL
 * byte shown as \0.
 */
void
tu_add_cell(struct strbuf *sb, const struct row *r, int i, enum type_family f)
{
	const char	*p;
	size_t		 k;

	if (row_null(r, i)) {
		sb_addstr(sb, "NULL");
		return;
	}
	p = row_ptr(r, i);
	if (f == TF_BINARY) {
		sb_addstr(sb, "x'");
		sb_addhex(sb, p, row_len(r, i));
		sb_addch(sb, '\'');
		return;
	}
	for (k = 0; k < row_len(r, i); k++) {
		if (p[k] == '\0')
			sb_addstr(sb, "\\0");
		else
			sb_addch(sb, p[k]);
	}
}

/*
 * Scan TABLE (NCOLS columns, the first NKEY the key) and return the rows as
 * "a|b\n" lines; neighbours must be in strict key_encode() order, or in
 * order with equal keys allowed when DUPS is set.
 */
char *
tu_scan_rows(struct db_conn *c, const char *table, char *const *cols,
    const enum type_family *fam, int ncols, int nkey, const struct row *eq,
    int dups)
{
	struct scan_spec	 spec;
	struct db_cursor	*cur = NULL;
	struct row		 r;
	struct strbuf		 sb = STRBUF_INIT, prev = STRBUF_INIT;
	struct strbuf		 key = STRBUF_INIT;
	struct ps_error		 err;
	int			 i, rc, first = 1, cmp;

	memset(&spec, 0, sizeof spec);
	spec.table = table;
	spec.ncols = ncols;
	spec.cols = cols;
	spec.fam = fam;
	spec.nkey = nkey;
	spec.key_eq = eq;
	if (db_scan(c, &spec, &cur, &err) != 0)
		fail_msg("scan %s: %s", table, err.msg);
	row_init(&r, ncols);
	while ((rc = db_next(c, cur, &r, &err)) == 1) {
		for (i = 0; i < ncols; i++) {
			if (i > 0)
				sb_addch(&sb, '|');
			tu_add_cell(&sb, &r, i, fam[i]);
		}
		sb_addch(&sb, '\n');
		sb_reset(&key);
		assert_int_equal(key_encode(&r, nkey, fam, &key, &err), 0);
		if (!first) {
			cmp = key_cmp(prev.buf, prev.len, key.buf, key.len);
			if (cmp > 0 || (cmp == 0 && !dups))
				fail_msg("%s: rows out of key order:\n%s",
				    table, sb_str(&sb));
		}
		first = 0;
		sb_reset(&prev);
		sb_add(&prev, key.buf, key.len);
	}
	if (rc != 0)
		fail_msg("next %s: %s", table, err.msg);
	db_cursor_free(c, cur);
	row_free(&r);
	sb_free(&prev);
	sb_free(&key);
	return sb_detach(&sb);
}

/*
 * Read TABLE (key K integer or text, value V) while writing through the same
 * connection keys already read: a committed and a rolled-back batch in the
 * middle.  Every row comes exactly once.
 */
void
tu_scan_while_writing(struct db_conn *c, const char *table,
    enum type_family kf)
{
	char			*cols[] = { (char *)"k", (char *)"v" };
	enum type_family	 fam[2];
	struct scan_spec	 spec;
	struct db_cursor	*cur = NULL;
	struct change_batch	 b;
	struct row		 r, w;
	struct ps_error		 err;
	size_t			 failed;
	char			 key[32], seen[200];
	int			 n = 0, rc, k;

	fam[0] = kf;
	fam[1] = TF_TEXT;
	memset(seen, 0, sizeof seen);
	memset(&spec, 0, sizeof spec);
	spec.table = table;
	spec.ncols = 2;
	spec.cols = cols;
	spec.fam = fam;
	spec.nkey = 1;
	change_batch_init(&b, table, 2, cols, fam, 1);
	row_init(&r, 2);
	row_init(&w, 2);
	assert_int_equal(db_scan(c, &spec, &cur, &err), 0);
	while ((rc = db_next(c, cur, &r, &err)) == 1) {
		k = atoi(row_ptr(&r, 0));
		assert_true(k >= 100 && k < 300 && k % 2 == 0);
		assert_int_equal(seen[k - 100], 0);
		seen[k - 100] = 1;
		assert_string_equal(row_ptr(&r, 1), "orig");
		n++;
		if (n != 30 && n != 60)
			continue;
		/* Update and delete keys read already, insert before them. */
		change_batch_clear(&b);
		snprintf(key, sizeof key, "%d", k);
		tu_set_row(&w, 2, key, "changed");
		change_batch_add(&b, CH_UPDATE, &w);
		snprintf(key, sizeof key, "%d", k - 2);
		tu_set_row(&w, 2, key, NULL);
		change_batch_add(&b, CH_DELETE, &w);
		snprintf(key, sizeof key, "%d", k - 1);
		tu_set_row(&w, 2, key, "new");
		change_batch_add(&b, CH_INSERT, &w);
		assert_int_equal(db_begin(c, &err), 0);
		assert_int_equal(db_apply(c, &b, &failed, &err), 0);
		if (n == 30)
			assert_int_equal(db_commit(c, &err), 0);
		else
			assert_int_equal(db_rollback(c, &err), 0);
	}
	if (rc != 0)
		fail_msg("next: %s", err.msg);
	assert_int_equal(n, 100);
	db_cursor_free(c, cur);
	change_batch_free(&b);
	row_free(&r);
	row_free(&w);
}
