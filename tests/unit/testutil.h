/*
 * projsync - testutil.h: helpers shared by the cmocka tests: temporary
 * folders, SQLite fixtures and readable query results to assert on.
 * Include after <cmocka.h>.
 */
#ifndef PROJSYNC_TESTUTIL_H
#define PROJSYNC_TESTUTIL_H

#include "projsync/common.h"

struct conf;

/* A new empty folder under $TMPDIR (or /tmp); the caller frees the name. */
char	*tu_tmpdir(void);
/* rm -rf PATH. */
void	 tu_rmrf(const char *);
/* "DIR/NAME"; the caller frees. */
char	*tu_path(const char *dir, const char *name);
/* Run SQL (several statements allowed) on the SQLite file PATH; fails the test on error. */
void	 tu_sql(const char *path, const char *sql);
/*
 * Run a query on PATH and return its rows as text: columns joined by '|',
 * rows ending in '\n', NULL as "NULL", blobs as X'hex'.  The caller frees.
 */
char	*tu_query(const char *path, const char *sql);
/* One integer from a query (first column of the first row). */
long long tu_query_int(const char *path, const char *sql);
/*
 * A configuration at DIR/projsync.conf with SQLite connections: NAMES[i]
 * pointing at DIR/NAMES[i].db (NULL-terminated list).  Not saved.
 */
struct conf *tu_conf_sqlite(const char *dir, const char *const *names);

/*
 * The live test servers (tests/servers.sh, started by make check): the DSN
 * of ENGINE ("PG" or "MY") from PROJSYNC_TEST_<ENGINE>_DSN, or NULL after
 * skipping the test — except under CI=true, where a missing server fails
 * it.  Call at the start of a test.
 */
const char *tu_server_dsn(const char *engine);
/* PROJSYNC_TEST_<ENGINE>_PASSWORD, or NULL. */
const char *tu_server_password(const char *engine);
/*
 * Run SQL as the server's administrator (PROJSYNC_TEST_<ENGINE>_ADMIN: psql
 * or mariadb), database DB (NULL: the test database); fails the test on
 * error.  Returns the output (rows tab-separated), which the caller frees.
 */
char	*tu_server_sql(const char *engine, const char *db, const char *sql);

#endif
