/*
 * projsync - testutil.h: helpers shared by the cmocka tests: temporary
 * folders, SQLite fixtures and readable query results to assert on.
 * Include after <cmocka.h>.
 */
#ifndef PROJSYNC_TESTUTIL_H
#define PROJSYNC_TESTUTIL_H

#include "projsync/common.h"
#include "projsync/value.h"

struct conf;
struct db_conn;

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

/* ---- driver tests ---- */

/* Fill R (N cells) from strings; NULL pointers are SQL NULL. */
void	 tu_set_row(struct row *, int n, ...);
/* Append cell I of R: NULL, binary as x'hex', text with NUL shown as \0. */
void	 tu_add_cell(struct strbuf *, const struct row *, int i,
	    enum type_family);
/*
 * Scan TABLE of C (NCOLS columns, the first NKEY the key; only the key EQ
 * when not NULL) and return the rows as "a|b\n" lines; neighbours must be
 * in strict key order, or in order with equal keys allowed when DUPS is
 * set.  The caller frees.
 */
char	*tu_scan_rows(struct db_conn *, const char *table, char *const *cols,
	    const enum type_family *, int ncols, int nkey, const struct row *eq,
	    int dups);
/*
 * Read TABLE of C (key k of family KF, value v; keys 100..298 even, all
 * 'orig') while writing through the same connection keys already read: a
 * committed and a rolled-back batch in the middle.  Every row comes once.
 */
void	 tu_scan_while_writing(struct db_conn *, const char *table,
	    enum type_family kf);

#endif
