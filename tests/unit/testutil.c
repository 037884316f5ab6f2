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
