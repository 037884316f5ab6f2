/*
 * projsync - history.c: the local SQLite history: jobs, their per-table
 * counts and logs, the base state of every synced pair and table, conflicts,
 * schema migrations and retention.
 *
 * DESIGN
 *
 * One struct history holds a writer connection (every read and write but the
 * base scan) and, opened on the first base scan, a read-only connection on
 * the same file.  The file is in WAL mode, so a base scan holds a read
 * transaction on the second connection for the life of its cursor and keeps
 * seeing the base as it was when the scan started while the engine writes
 * base updates through the first; other processes (a terminal session, the
 * daemon, cron runs) share the file under a 10 s busy timeout.  Statements
 * used on hot paths are prepared once and kept in the struct.  Writer
 * transactions nest by count: only the outermost history_begin() issues
 * BEGIN IMMEDIATE, and only the outermost commit or rollback ends it; an
 * inner rollback dooms the transaction, so the outermost commit rolls back
 * and fails.  A function that writes several rows does so in a transaction
 * of its own, or in a savepoint when the caller has one open, so its failure
 * undoes its own writes and leaves the caller's transaction alive.
 *
 * SCHEMA (version 3; PRAGMA application_id 0x50534e43 "PSNC", PRAGMA
 * user_version is the number of migrations applied).  Times are REAL epoch
 * seconds (util_now()); digests are 16-byte BLOBs; keys are encoded keys
 * (key_encode), compared as bytes.
 *
 *   pairs        id INTEGER PRIMARY KEY, a TEXT, b TEXT, UNIQUE(a, b),
 *                CHECK(a <= b).  The unordered pair of connection names
 *                {a, b}: A->B and B->A share one id and so one base.
 *
 *   jobs         id INTEGER PRIMARY KEY AUTOINCREMENT (never reused),
 *                kind ("sync", "resolve", "migrate"), source, target,
 *                options (JSON object), os_user, status ("running",
 *                "completed", "completed_with_conflicts",
 *                "completed_with_errors", "failed", "cancelled"), dry_run
 *                (0/1), started_at, finished_at (NULL while running),
 *                rows_compared, inserted, updated, deleted, conflicts,
 *                pending_conflicts, errors, duration_s, rows_per_s, error
 *                (why it failed, or NULL).  Index on started_at.
 *
 *   job_tables   job_id -> jobs(id) ON DELETE CASCADE, seq (order given),
 *                name, status ("synced", "skipped", "failed"), message,
 *                the seven counts.  PRIMARY KEY(job_id, seq).
 *
 *   job_logs     id INTEGER PRIMARY KEY, job_id -> jobs(id) ON DELETE
 *                CASCADE, time, level ("error", "warn", "info", "debug"),
 *                message.  Index on (job_id, id).
 *
 *   base_chunks  id INTEGER PRIMARY KEY, pair_id, tbl, lo BLOB (the
 *                chunk's first key), n (its entries), data BLOB (format
 *                byte 1, then per entry: key length as a varint, the key,
 *                the 16-byte digest, in key order).  UNIQUE(pair_id, tbl,
 *                lo).  The digest of each key's row as both sides last
 *                agreed on it, a few hundred consecutive keys to a row
 *                (see "base state").  (Version 3; versions 1 and 2 kept one
 *                row per key in base_state, which the migration packs.)
 *
 *   conflicts    id INTEGER PRIMARY KEY AUTOINCREMENT, job_id (the job that
 *                last met it; not a foreign key, see retention), pair_id,
 *                source, target, bidirectional, tbl, key BLOB, key_json,
 *                kind ("update/update", "none/delete", ...), columns (JSON
 *                array of the differing column names), source_row and
 *                target_row (JSON objects, NULL when absent), base_digest,
 *                source_digest, target_digest (NULL when absent),
 *                timestamp_column, status ("pending", "ignored",
 *                "resolved", "stale"), strategy, outcome, result_row, note,
 *                resolved_by, resolved_at, created_at, updated_at.
 *                UNIQUE INDEX on (pair_id, tbl, key) WHERE status IN
 *                ('pending', 'ignored', 'stale'): at most one open conflict
 *                per pair, table and key.  Indexes on job_id and on
 *                (status, id).
 *
 *   schedule_runs  name TEXT PRIMARY KEY (the schedule's), created_at (when
 *                projsync first knew it: earlier occurrences never run),
 *                last_due (the occurrence last claimed), claimed_by
 *                ("host:pid"), claimed_at, last_job_id, last_status,
 *                last_finished_at.  Claiming an occurrence moves last_due
 *                in one IMMEDIATE transaction, so each runs once whatever
 *                number of daemons and cron runs race for it.  (Version 2.)
 *
 *   daemons      id ("host:pid") PRIMARY KEY, host, pid, started_at,
 *                heartbeat_at (refreshed while it runs), stopped_at (NULL
 *                while it runs).  (Version 2.)
 *
 *   settings_log id INTEGER PRIMARY KEY, time, os_user, what (one line:
 *                "added connection 'dev' (sqlite)").  Every change of the
 *                configuration made through projsync, and by whom; pruned
 *                with the jobs.  (Version 2.)
 *
 * Retention (history_prune) deletes finished jobs older than the cutoff with
 * their logs and table rows, except jobs an open conflict refers to, and
 * resolved conflicts last updated before the cutoff.  The base state is
 * never pruned: it is what the next sync merges against.
 */
#include "projsync/common.h"
#include "projsync/history.h"
#include "projsync/strbuf.h"
#include "projsync/util.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

/* "PSNC": marks a SQLite file as a projsync history. */
#define HISTORY_APP_ID		0x50534e43
#define HISTORY_BUSY_MS		10000
/* Page cache of each connection, in KiB (negative cache_size). */
#define HISTORY_CACHE_KIB	4096

#define OPEN_STATUSES		"('pending', 'ignored', 'stale')"

/*
 * The migrations: step N takes the schema from version N to N + 1.  Append
 * new steps; never change one that has shipped.
 */
static const char *const history_migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE pairs ("
	"  id INTEGER PRIMARY KEY,"
	"  a TEXT NOT NULL,"
	"  b TEXT NOT NULL,"
	"  UNIQUE (a, b),"
	"  CHECK (a <= b));"
	"CREATE TABLE jobs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind TEXT NOT NULL,"
	"  source TEXT,"
	"  target TEXT,"
	"  options TEXT,"
	"  os_user TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  dry_run INTEGER NOT NULL DEFAULT 0,"
	"  started_at REAL NOT NULL,"
	"  finished_at REAL,"
	"  rows_compared INTEGER NOT NULL DEFAULT 0,"
	"  inserted INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  conflicts INTEGER NOT NULL DEFAULT 0,"
	"  pending_conflicts INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0,"
	"  duration_s REAL NOT NULL DEFAULT 0,"
	"  rows_per_s REAL NOT NULL DEFAULT 0,"
	"  error TEXT);"
	"CREATE INDEX jobs_started ON jobs (started_at);"
	"CREATE TABLE job_tables ("
	"  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  message TEXT,"
	"  rows_compared INTEGER NOT NULL DEFAULT 0,"
	"  inserted INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  conflicts INTEGER NOT NULL DEFAULT 0,"
	"  pending_conflicts INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (job_id, seq));"
	"CREATE TABLE job_logs ("
	"  id INTEGER PRIMARY KEY,"
	"  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
	"  time REAL NOT NULL,"
	"  level TEXT NOT NULL"
	"    CHECK (level IN ('error', 'warn', 'info', 'debug')),"
	"  message TEXT NOT NULL);"
	"CREATE INDEX job_logs_job ON job_logs (job_id, id);"
	"CREATE TABLE base_state ("
	"  pair_id INTEGER NOT NULL,"
	"  tbl TEXT NOT NULL,"
	"  key BLOB NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  PRIMARY KEY (pair_id, tbl, key)) WITHOUT ROWID;"
	"CREATE TABLE conflicts ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  job_id INTEGER NOT NULL,"
	"  pair_id INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  bidirectional INTEGER NOT NULL DEFAULT 0,"
	"  tbl TEXT NOT NULL,"
	"  key BLOB NOT NULL,"
	"  key_json TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  columns TEXT CHECK (columns IS NULL OR json_valid(columns)),"
	"  source_row TEXT,"
	"  target_row TEXT,"
	"  base_digest BLOB,"
	"  source_digest BLOB,"
	"  target_digest BLOB,"
	"  timestamp_column TEXT,"
	"  status TEXT NOT NULL CHECK (status IN"
	"    ('pending', 'ignored', 'resolved', 'stale')),"
	"  strategy TEXT,"
	"  outcome TEXT,"
	"  result_row TEXT,"
	"  note TEXT,"
	"  resolved_by TEXT,"
	"  resolved_at REAL,"
	"  created_at REAL NOT NULL,"
	"  updated_at REAL NOT NULL);"
	"CREATE UNIQUE INDEX conflicts_open ON conflicts (pair_id, tbl, key)"
	"  WHERE status IN " OPEN_STATUSES ";"
	"CREATE INDEX conflicts_job ON conflicts (job_id);"
	"CREATE INDEX conflicts_status ON conflicts (status, id);",
	/* 1 -> 2: schedules' runs and the daemons' heartbeats. */
	"CREATE TABLE schedule_runs ("
	"  name TEXT PRIMARY KEY,"
	"  created_at REAL NOT NULL,"
	"  last_due REAL,"
	"  claimed_by TEXT,"
	"  claimed_at REAL,"
	"  last_job_id INTEGER,"
	"  last_status TEXT,"
	"  last_finished_at REAL);"
	"CREATE TABLE daemons ("
	"  id TEXT PRIMARY KEY,"
	"  host TEXT NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  started_at REAL NOT NULL,"
	"  heartbeat_at REAL NOT NULL,"
	"  stopped_at REAL);"
	"CREATE TABLE settings_log ("
	"  id INTEGER PRIMARY KEY,"
	"  time REAL NOT NULL,"
	"  os_user TEXT NOT NULL,"
	"  what TEXT NOT NULL);",
	/*
	 * 2 -> 3: the base state in chunks of keys; the migration moves the
	 * rows of base_state here and drops it (hist_migrate_base_chunks).
	 */
	"CREATE TABLE base_chunks ("
	"  id INTEGER PRIMARY KEY,"
	"  pair_id INTEGER NOT NULL,"
	"  tbl TEXT NOT NULL,"
	"  lo BLOB NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  UNIQUE (pair_id, tbl, lo));",
};
#define HISTORY_VERSION		((int)nitems(history_migrations))

#define JOB_COLS \
	"id, kind, source, target, options, os_user, status, dry_run, " \
	"started_at, finished_at, rows_compared, inserted, updated, deleted, " \
	"conflicts, pending_conflicts, errors, duration_s, rows_per_s, error"

#define CONFLICT_COLS \
	"id, job_id, pair_id, source, target, bidirectional, tbl, key, " \
	"key_json, kind, columns, source_row, target_row, base_digest, " \
	"source_digest, target_digest, timestamp_column, status, strategy, " \
	"outcome, result_row, note, resolved_by, resolved_at, created_at, " \
	"updated_at"

/* Statements kept prepared on the writer connection. */
enum hist_stmt {
	HS_PAIR_GET,
	HS_PAIR_ADD,
	HS_CHUNK_AT,
	HS_CHUNK_FIRST,
	HS_CHUNK_NEXT,
	HS_CHUNK_SET,
	HS_CHUNK_ADD,
	HS_CHUNK_DEL,
	HS_JOB_START,
	HS_JOB_FINISH,
	HS_JOB_EXISTS,
	HS_JOB_TABLES_DEL,
	HS_JOB_TABLE_ADD,
	HS_LOG_ADD,
	HS_CONFLICT_OPEN,
	HS_CONFLICT_REFRESH,
	HS_CONFLICT_ADD,
	HS__COUNT
};

static const char *const hist_sql[HS__COUNT] = {
	[HS_PAIR_GET] =
	    "SELECT id FROM pairs WHERE a = ?1 AND b = ?2",
	[HS_PAIR_ADD] =
	    "INSERT OR IGNORE INTO pairs (a, b) VALUES (?1, ?2)",
	[HS_CHUNK_AT] =
	    "SELECT id, lo, data, n FROM base_chunks"
	    " WHERE pair_id = ?1 AND tbl = ?2 AND lo <= ?3"
	    " ORDER BY lo DESC LIMIT 1",
	[HS_CHUNK_FIRST] =
	    "SELECT id, lo, data, n FROM base_chunks"
	    " WHERE pair_id = ?1 AND tbl = ?2 ORDER BY lo LIMIT 1",
	[HS_CHUNK_NEXT] =
	    "SELECT lo FROM base_chunks"
	    " WHERE pair_id = ?1 AND tbl = ?2 AND lo > ?3 ORDER BY lo LIMIT 1",
	[HS_CHUNK_SET] =
	    "UPDATE base_chunks SET lo = ?1, n = ?2, data = ?3 WHERE id = ?4",
	[HS_CHUNK_ADD] =
	    "INSERT INTO base_chunks (lo, n, data, pair_id, tbl)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[HS_CHUNK_DEL] =
	    "DELETE FROM base_chunks WHERE id = ?1",
	[HS_JOB_START] =
	    "INSERT INTO jobs (kind, source, target, options, os_user,"
	    " status, dry_run, started_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7)",
	[HS_JOB_FINISH] =
	    "UPDATE jobs SET status = ?1, finished_at = ?2,"
	    " rows_compared = ?3, inserted = ?4, updated = ?5, deleted = ?6,"
	    " conflicts = ?7, pending_conflicts = ?8, errors = ?9,"
	    " duration_s = ?10, rows_per_s = ?11, error = ?12"
	    " WHERE id = ?13",
	[HS_JOB_EXISTS] =
	    "SELECT 1 FROM jobs WHERE id = ?1",
	[HS_JOB_TABLES_DEL] =
	    "DELETE FROM job_tables WHERE job_id = ?1",
	[HS_JOB_TABLE_ADD] =
	    "INSERT INTO job_tables (job_id, seq, name, status, message,"
	    " rows_compared, inserted, updated, deleted, conflicts,"
	    " pending_conflicts, errors)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[HS_LOG_ADD] =
	    "INSERT INTO job_logs (job_id, time, level, message)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[HS_CONFLICT_OPEN] =
	    "SELECT id, status, source_digest, target_digest FROM conflicts"
	    " WHERE pair_id = ?1 AND tbl = ?2 AND key = ?3"
	    " AND status IN " OPEN_STATUSES,
	[HS_CONFLICT_REFRESH] =
	    "UPDATE conflicts SET job_id = ?1, source = ?2, target = ?3,"
	    " bidirectional = ?4, key_json = ?5, kind = ?6, columns = ?7,"
	    " source_row = ?8, target_row = ?9, base_digest = ?10,"
	    " source_digest = ?11, target_digest = ?12,"
	    " timestamp_column = ?13, status = ?14, strategy = ?15,"
	    " outcome = ?16, result_row = ?17, note = coalesce(?18, note),"
	    " resolved_by = ?19, resolved_at = ?20, updated_at = ?21"
	    " WHERE id = ?22",
	[HS_CONFLICT_ADD] =
	    "INSERT INTO conflicts (job_id, source, target, bidirectional,"
	    " key_json, kind, columns, source_row, target_row, base_digest,"
	    " source_digest, target_digest, timestamp_column, status,"
	    " strategy, outcome, result_row, note, resolved_by, resolved_at,"
	    " updated_at, pair_id, tbl, key, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
};

/* The base state's chunks (see "base state" below). */
/* Chunk blob: version byte, then entries: varint key length, key, digest. */
#define BASE_CHUNK_FORMAT	1
/* A chunk is split in pieces of about TARGET bytes once past MAX. */
#define BASE_CHUNK_TARGET	6000
#define BASE_CHUNK_MAX		12000

struct base_ent {
	size_t		koff;		/* in the chunk's keys */
	size_t		klen;
	unsigned char	dig[DIGEST_LEN];
};

struct base_chunk {
	int		 loaded;
	int		 dirty;
	int64_t		 pair;
	char		*table;
	int64_t		 rowid;		/* its row, 0 when not in the file */
	int		 has_low;	/* keys below LOW are another chunk's */
	struct strbuf	 low;
	int		 has_next;	/* keys from NEXT on are another's */
	struct strbuf	 next;
	struct base_ent	*ent;		/* sorted by key */
	size_t		 n, cap;
	struct strbuf	 keys;		/* the entries' keys, and garbage */
	size_t		 bytes;		/* encoded size of the entries */
};

struct base_cursor {
	struct history	*h;
	int		 rc;		/* the first step's result */
	int		 first;		/* rc not yet returned */
	int		 done;
	struct strbuf	 blob;		/* the current chunk's data */
	size_t		 off;		/* the next entry in blob */
	int64_t		 left;		/* entries of blob not yet read */
	struct strbuf	 prev;		/* the last key returned */
	int		 has_prev;
};

struct history {
	char		*path;
	sqlite3		*db;		/* the writer */
	sqlite3		*rdb;		/* base scans, opened on first use */
	sqlite3_stmt	*st[HS__COUNT];
	sqlite3_stmt	*scan;		/* on rdb */
	struct base_cursor *cursor;	/* the open base scan, or NULL */
	int		 depth;		/* history_begin() nesting */
	int		 doomed;	/* an inner rollback happened */
	int		 bind_rc;	/* first failed bind, or SQLITE_OK */
	struct base_chunk chunk;	/* see "base state" */
};

static const char *const conflict_statuses[] = {
	"pending", "ignored", "resolved", "stale"
};

/* ---- SQLite helpers ---- */

static int	bc_flush(struct history *, int, struct ps_error *);
static void	bc_forget(struct base_chunk *);
static void	bc_free(struct base_chunk *);
static int	hist_wbegin(struct history *, int *, struct ps_error *);
static int	hist_wend(struct history *, int, int, struct ps_error *);
static int	hist_migrate_base_chunks(struct history *, struct ps_error *);

/* Fill ERR from the last error of DB, naming the file and what was done. */
static void
hist_dberr(struct history *h, sqlite3 *db, const char *what,
    struct ps_error *err)
{
	int	rc;

	rc = sqlite3_extended_errcode(db);
	ps_error_set(err, (rc & 0xff) == SQLITE_CONSTRAINT ?
	    PS_ERR_CONSTRAINT : PS_ERR_IO, "history %s: %s: %s", h->path,
	    what, sqlite3_errmsg(db));
	if (err != NULL)
		err->native = rc;
}

/* Run SQL (no result rows) on DB. */
static int
hist_exec(struct history *h, sqlite3 *db, const char *sql, const char *what,
    struct ps_error *err)
{
	if (db == h->db && bc_flush(h, 0, err) != 0)
		return (-1);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		hist_dberr(h, db, what, err);
		return (-1);
	}
	return (0);
}

/* The cached statement ID, reset and with no bindings; NULL on error. */
static sqlite3_stmt *
hist_stmt(struct history *h, enum hist_stmt id, struct ps_error *err)
{
	sqlite3_stmt	*st;

	h->bind_rc = SQLITE_OK;
	if ((st = h->st[id]) != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return (st);
	}
	if (sqlite3_prepare_v3(h->db, hist_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &h->st[id], NULL) != SQLITE_OK) {
		hist_dberr(h, h->db, "preparing a statement", err);
		h->st[id] = NULL;
		return (NULL);
	}
	return (h->st[id]);
}

/* Prepare a one-off statement on the writer. */
static sqlite3_stmt *
hist_prepare(struct history *h, const char *sql, struct ps_error *err)
{
	sqlite3_stmt	*st = NULL;

	h->bind_rc = SQLITE_OK;
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
		hist_dberr(h, h->db, "preparing a statement", err);
		return (NULL);
	}
	return (st);
}

/* Release a cached statement's locks and its bound pointers. */
static void
hist_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Step ST: 1 a row, 0 done, -1 error (also for an earlier failed bind). */
static int
hist_step(struct history *h, sqlite3_stmt *st, const char *what,
    struct ps_error *err)
{
	int	rc;

	if (h->bind_rc != SQLITE_OK) {
		ps_error_set(err, PS_ERR_IO, "history %s: %s: %s", h->path,
		    what, sqlite3_errstr(h->bind_rc));
		return (-1);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return (1);
	if (rc == SQLITE_DONE)
		return (0);
	hist_dberr(h, sqlite3_db_handle(st), what, err);
	return (-1);
}

static void
hb_check(struct history *h, int rc)
{
	if (rc != SQLITE_OK && h->bind_rc == SQLITE_OK)
		h->bind_rc = rc;
}

static void
hb_int(struct history *h, sqlite3_stmt *st, int i, int64_t v)
{
	hb_check(h, sqlite3_bind_int64(st, i, v));
}

static void
hb_double(struct history *h, sqlite3_stmt *st, int i, double v)
{
	hb_check(h, sqlite3_bind_double(st, i, v));
}

/* A time, or NULL when zero (not set). */
static void
hb_time(struct history *h, sqlite3_stmt *st, int i, double v)
{
	if (v == 0)
		hb_check(h, sqlite3_bind_null(st, i));
	else
		hb_check(h, sqlite3_bind_double(st, i, v));
}

/* Text, or NULL for a NULL pointer; S must outlive the statement's use. */
static void
hb_text(struct history *h, sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		hb_check(h, sqlite3_bind_null(st, i));
	else
		hb_check(h, sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC));
}

/* A blob (empty, never NULL, when LEN is 0). */
static void
hb_blob(struct history *h, sqlite3_stmt *st, int i, const void *p,
    size_t len)
{
	if (len == 0)
		p = "";
	hb_check(h, sqlite3_bind_blob64(st, i, p, len, SQLITE_STATIC));
}

/* A digest, or NULL when HAS is zero. */
static void
hb_digest(struct history *h, sqlite3_stmt *st, int i, int has,
    const unsigned char *d)
{
	if (!has)
		hb_check(h, sqlite3_bind_null(st, i));
	else
		hb_blob(h, st, i, d, DIGEST_LEN);
}

/* Bind the seven counts at I .. I + 6. */
static void
hb_counts(struct history *h, sqlite3_stmt *st, int i,
    const struct sync_counts *c)
{
	hb_int(h, st, i, c->rows_compared);
	hb_int(h, st, i + 1, c->inserted);
	hb_int(h, st, i + 2, c->updated);
	hb_int(h, st, i + 3, c->deleted);
	hb_int(h, st, i + 4, c->conflicts);
	hb_int(h, st, i + 5, c->pending_conflicts);
	hb_int(h, st, i + 6, c->errors);
}

/* Column I as a new string, or NULL. */
static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char	*s;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (NULL);
	if ((s = sqlite3_column_text(st, i)) == NULL)
		return (xstrdup(""));
	return (xstrdup((const char *)s));
}

static double
col_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (0);
	return (sqlite3_column_double(st, i));
}

static void
col_counts(sqlite3_stmt *st, int i, struct sync_counts *c)
{
	c->rows_compared = sqlite3_column_int64(st, i);
	c->inserted = sqlite3_column_int64(st, i + 1);
	c->updated = sqlite3_column_int64(st, i + 2);
	c->deleted = sqlite3_column_int64(st, i + 3);
	c->conflicts = sqlite3_column_int64(st, i + 4);
	c->pending_conflicts = sqlite3_column_int64(st, i + 5);
	c->errors = sqlite3_column_int64(st, i + 6);
}

/* Column I as a new buffer of *LEN bytes (never NULL). */
static void *
col_blob(sqlite3_stmt *st, int i, size_t *len)
{
	const void	*p;
	void		*out;
	int		 n;

	p = sqlite3_column_blob(st, i);
	n = sqlite3_column_bytes(st, i);
	out = xmalloc(n > 0 ? (size_t)n : 1);
	if (n > 0)
		memcpy(out, p, (size_t)n);
	*len = n > 0 ? (size_t)n : 0;
	return (out);
}

/*
 * Column I as a digest into OUT: 1 present, 0 NULL, -1 with ERR when it is
 * not DIGEST_LEN bytes.
 */
static int
col_digest(struct history *h, sqlite3_stmt *st, int i, unsigned char *out,
    struct ps_error *err)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		memset(out, 0, DIGEST_LEN);
		return (0);
	}
	if (sqlite3_column_bytes(st, i) != DIGEST_LEN) {
		ps_error_set(err, PS_ERR_IO, "history %s: corrupt digest "
		    "(%d bytes) in column %s", h->path,
		    sqlite3_column_bytes(st, i), sqlite3_column_name(st, i));
		return (-1);
	}
	memcpy(out, sqlite3_column_blob(st, i), DIGEST_LEN);
	return (1);
}

/* Whether digest column I of ST holds what HAS/D says. */
static int
col_digest_eq(sqlite3_stmt *st, int i, int has, const unsigned char *d)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (!has);
	if (!has || sqlite3_column_bytes(st, i) != DIGEST_LEN)
		return (0);
	return (memcmp(sqlite3_column_blob(st, i), d, DIGEST_LEN) == 0);
}

/* ---- open, migrate, close ---- */

/* The integer result of SQL (a pragma or a count). */
static int
hist_query_int(struct history *h, const char *sql, int *out,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 r;

	*out = 0;
	if ((st = hist_prepare(h, sql, err)) == NULL)
		return (-1);
	if ((r = hist_step(h, st, "reading the header", err)) == 1)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (r < 0 ? -1 : 0);
}

/*
 * Check the header of the file: 0 a history this build knows (or a new
 * empty file), -1 with PS_ERR_IO naming the file otherwise.  Sets *APP and
 * *VERSION.
 */
static int
hist_check_header(struct history *h, int *app, int *version,
    struct ps_error *err)
{
	int	nobjects;

	if (hist_query_int(h, "PRAGMA application_id", app, err) != 0 ||
	    hist_query_int(h, "PRAGMA user_version", version, err) != 0)
		goto fail;
	if (*app == 0) {
		if (hist_query_int(h, "SELECT count(*) FROM sqlite_master",
		    &nobjects, err) != 0)
			goto fail;
		/* A file with no application id is ours only when empty. */
		if (*version != 0 || nobjects != 0) {
			ps_error_set(err, PS_ERR_IO, "%s: not a projsync "
			    "history (a SQLite database of something else)",
			    h->path);
			return (-1);
		}
		return (0);
	}
	if (*app != HISTORY_APP_ID) {
		ps_error_set(err, PS_ERR_IO, "%s: not a projsync history "
		    "(SQLite application id 0x%08x)", h->path, (unsigned)*app);
		return (-1);
	}
	if (*version > HISTORY_VERSION) {
		ps_error_set(err, PS_ERR_IO, "%s: history version %d is newer "
		    "than this projsync knows (%d); upgrade projsync", h->path,
		    *version, HISTORY_VERSION);
		return (-1);
	}
	return (0);

fail:
	/* SQLITE_NOTADB: say so in words a user can act on. */
	if ((sqlite3_errcode(h->db) & 0xff) == SQLITE_NOTADB)
		ps_error_set(err, PS_ERR_IO, "%s: not a projsync history "
		    "(%s)", h->path, sqlite3_errmsg(h->db));
	return (-1);
}

/*
 * Apply the missing migrations, each in its own transaction.  The version
 * is read again inside each transaction, so two processes opening a new file
 * at once apply every step once.
 */
static int
hist_migrate(struct history *h, struct ps_error *err)
{
	char	*sql;
	int	 version, app, r;

	/* Up to date: no write lock taken (another process may hold it). */
	if (hist_check_header(h, &app, &version, err) != 0)
		return (-1);
	if (version == HISTORY_VERSION && app == HISTORY_APP_ID)
		return (0);
	for (;;) {
		if (hist_exec(h, h->db, "BEGIN IMMEDIATE", "migrating",
		    err) != 0)
			return (-1);
		if (hist_check_header(h, &app, &version, err) != 0)
			goto fail;
		if (version == HISTORY_VERSION && app == HISTORY_APP_ID)
			break;
		if (version < HISTORY_VERSION) {
			if (hist_exec(h, h->db, history_migrations[version],
			    "migrating", err) != 0 || (version == 2 &&
			    hist_migrate_base_chunks(h, err) != 0)) {
				ps_error_prefix(err, "schema version %d",
				    version + 1);
				goto fail;
			}
			version++;
		}
		xasprintf(&sql, "PRAGMA user_version = %d; "
		    "PRAGMA application_id = %d", version, HISTORY_APP_ID);
		r = hist_exec(h, h->db, sql, "migrating", err);
		free(sql);
		if (r != 0 ||
		    hist_exec(h, h->db, "COMMIT", "migrating", err) != 0)
			goto fail;
	}
	return (hist_exec(h, h->db, "COMMIT", "migrating", err));

fail:
	if (!sqlite3_get_autocommit(h->db))
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return (-1);
}

/* Create PATH with mode 0600 if it does not exist; leave an existing file. */
static int
hist_create_file(const char *path, struct ps_error *err)
{
	struct stat	sb;
	int		fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1) {
		/* Exactly 0600, whatever the umask. */
		if (fchmod(fd, 0600) != 0) {
			ps_error_set(err, PS_ERR_IO, "%s: %s", path,
			    strerror(errno));
			close(fd);
			return (-1);
		}
		close(fd);
		return (0);
	}
	if (errno != EEXIST) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (stat(path, &sb) != 0) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(sb.st_mode)) {
		ps_error_set(err, PS_ERR_IO, "%s: not a regular file", path);
		return (-1);
	}
	return (0);
}

/* Open a connection on H's file with the busy timeout and cache size. */
static int
hist_connect(struct history *h, int flags, sqlite3 **out,
    struct ps_error *err)
{
	sqlite3	*db = NULL;
	char	*sql;
	int	 r;

	/* A struct history belongs to one thread: no mutex on each call. */
	if (sqlite3_open_v2(h->path, &db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", h->path,
		    db != NULL ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return (-1);
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, HISTORY_BUSY_MS);
	xasprintf(&sql, "PRAGMA cache_size = -%d", HISTORY_CACHE_KIB);
	r = hist_exec(h, db, sql, "opening", err);
	free(sql);
	if (r != 0) {
		if ((sqlite3_errcode(db) & 0xff) == SQLITE_NOTADB)
			ps_error_set(err, PS_ERR_IO, "%s: not a projsync "
			    "history (%s)", h->path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return (-1);
	}
	*out = db;
	return (0);
}

int
history_open(const char *path, struct history **out, struct ps_error *err)
{
	struct history	*h = NULL;
	sqlite3_stmt	*st = NULL;
	const char	*mode;
	int		 app, version;

	*out = NULL;
	if (path == NULL || *path == '\0') {
		ps_error_set(err, PS_ERR_IO, "history: empty file name");
		return (-1);
	}
	if (util_mkdir_parent(path, err) != 0 ||
	    hist_create_file(path, err) != 0)
		return (-1);

	h = xcalloc(1, sizeof *h);
	h->path = xstrdup(path);
	if (hist_connect(h, SQLITE_OPEN_READWRITE, &h->db, err) != 0)
		goto fail;
	if (sqlite3_db_readonly(h->db, "main") == 1) {
		ps_error_set(err, PS_ERR_IO, "%s: history file is not "
		    "writable", path);
		goto fail;
	}
	if (hist_check_header(h, &app, &version, err) != 0)
		goto fail;

	if ((st = hist_prepare(h, "PRAGMA journal_mode = WAL", err)) == NULL)
		goto fail;
	if (hist_step(h, st, "setting WAL mode", err) != 1)
		goto fail;
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		ps_error_set(err, PS_ERR_IO, "%s: cannot use WAL mode "
		    "(journal mode is %s)", path, mode != NULL ? mode : "?");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (hist_exec(h, h->db, "PRAGMA synchronous = NORMAL; "
	    "PRAGMA foreign_keys = ON", "opening", err) != 0)
		goto fail;
	if (hist_migrate(h, err) != 0)
		goto fail;
	*out = h;
	return (0);

fail:
	sqlite3_finalize(st);
	history_close(h);
	return (-1);
}

void
history_close(struct history *h)
{
	int	i;

	if (h == NULL)
		return;
	for (i = 0; i < HS__COUNT; i++)
		sqlite3_finalize(h->st[i]);
	sqlite3_finalize(h->scan);
	bc_free(&h->chunk);
	if (h->db != NULL && !sqlite3_get_autocommit(h->db))
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	/* The reader first, so the writer, closing last, checkpoints. */
	sqlite3_close(h->rdb);
	sqlite3_close(h->db);
	/* A cursor still open stays the caller's to free. */
	if (h->cursor != NULL)
		h->cursor->h = NULL;
	free(h->path);
	free(h);
}

const char *
history_path(const struct history *h)
{
	return (h->path);
}

/* ---- transactions ---- */

int
history_begin(struct history *h, struct ps_error *err)
{
	if (h->depth == 0) {
		if (hist_exec(h, h->db, "BEGIN IMMEDIATE",
		    "starting a transaction", err) != 0)
			return (-1);
		h->doomed = 0;
	}
	h->depth++;
	return (0);
}

int
history_commit(struct history *h, struct ps_error *err)
{
	if (h->depth == 0) {
		ps_error_set(err, PS_ERR_INTERNAL, "history %s: commit "
		    "without a transaction", h->path);
		return (-1);
	}
	if (--h->depth > 0)
		return (0);
	if (h->doomed) {
		bc_forget(&h->chunk);
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		h->doomed = 0;
		ps_error_set(err, PS_ERR_IO, "history %s: transaction rolled "
		    "back after an earlier error", h->path);
		return (-1);
	}
	/* Writes the base chunk back first; then another may change it. */
	if (hist_exec(h, h->db, "COMMIT", "committing", err) != 0) {
		bc_forget(&h->chunk);
		if (!sqlite3_get_autocommit(h->db))
			sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return (-1);
	}
	bc_forget(&h->chunk);
	return (0);
}

int
history_rollback(struct history *h, struct ps_error *err)
{
	if (h->depth == 0) {
		ps_error_set(err, PS_ERR_INTERNAL, "history %s: rollback "
		    "without a transaction", h->path);
		return (-1);
	}
	if (--h->depth > 0) {
		h->doomed = 1;
		return (0);
	}
	h->doomed = 0;
	bc_forget(&h->chunk);	/* unwritten changes: nothing to undo */
	if (sqlite3_get_autocommit(h->db))
		return (0);
	return (hist_exec(h, h->db, "ROLLBACK", "rolling back", err));
}

/*
 * Group the writes of one function: a transaction of its own when none is
 * open, else a savepoint, so a failure undoes only this function's writes
 * and the caller's transaction goes on.  *OUTER tells which for hist_wend.
 */
static int
hist_wbegin(struct history *h, int *outer, struct ps_error *err)
{
	if (h->depth == 0) {
		*outer = 1;
		return (history_begin(h, err));
	}
	*outer = 0;
	return (hist_exec(h, h->db, "SAVEPOINT hist_write", "writing", err));
}

/* End what hist_wbegin started: keep the writes when OK, else undo them. */
static int
hist_wend(struct history *h, int outer, int ok, struct ps_error *err)
{
	if (outer) {
		if (ok)
			return (history_commit(h, err));
		history_rollback(h, NULL);
		return (-1);
	}
	if (ok)
		return (hist_exec(h, h->db, "RELEASE hist_write", "writing",
		    err));
	/* The base chunk may hold what the savepoint undoes. */
	bc_forget(&h->chunk);
	if (sqlite3_exec(h->db, "ROLLBACK TO hist_write; RELEASE hist_write",
	    NULL, NULL, NULL) != SQLITE_OK || sqlite3_get_autocommit(h->db)) {
		/* SQLite ended the whole transaction (a full disk...). */
		h->doomed = 1;
	}
	return (-1);
}

/* ---- pairs ---- */

int
history_pair_id(struct history *h, const char *a, const char *b,
    int64_t *id, struct ps_error *err)
{
	sqlite3_stmt	*st;
	const char	*t;
	int		 r, attempt;

	if (a == NULL || *a == '\0' || b == NULL || *b == '\0') {
		ps_error_set(err, PS_ERR_VALUE, "history: empty connection "
		    "name in a pair");
		return (-1);
	}
	if (strcmp(a, b) > 0) {
		t = a;
		a = b;
		b = t;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if ((st = hist_stmt(h, HS_PAIR_GET, err)) == NULL)
			return (-1);
		hb_text(h, st, 1, a);
		hb_text(h, st, 2, b);
		r = hist_step(h, st, "reading a pair", err);
		if (r == 1)
			*id = sqlite3_column_int64(st, 0);
		hist_done(st);
		if (r != 0)
			return (r < 0 ? -1 : 0);
		if ((st = hist_stmt(h, HS_PAIR_ADD, err)) == NULL)
			return (-1);
		hb_text(h, st, 1, a);
		hb_text(h, st, 2, b);
		r = hist_step(h, st, "adding a pair", err);
		hist_done(st);
		if (r < 0)
			return (-1);
	}
	ps_error_set(err, PS_ERR_INTERNAL, "history %s: pair (%s, %s) not "
	    "found after adding it", h->path, a, b);
	return (-1);
}

/* ---- jobs ---- */

int
history_job_start(struct history *h, struct job_row *j, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 r;

	if (j->kind == NULL || *j->kind == '\0') {
		ps_error_set(err, PS_ERR_VALUE, "history: a job needs a kind");
		return (-1);
	}
	if (j->started_at == 0)
		j->started_at = util_now();
	if ((st = hist_stmt(h, HS_JOB_START, err)) == NULL)
		return (-1);
	hb_text(h, st, 1, j->kind);
	hb_text(h, st, 2, j->source);
	hb_text(h, st, 3, j->target);
	hb_text(h, st, 4, j->options);
	hb_text(h, st, 5, j->os_user != NULL ? j->os_user : util_os_user());
	hb_int(h, st, 6, j->dry_run != 0);
	hb_double(h, st, 7, j->started_at);
	r = hist_step(h, st, "starting a job", err);
	if (r == 0)
		j->id = sqlite3_last_insert_rowid(h->db);
	hist_done(st);
	return (r < 0 ? -1 : 0);
}

int
history_job_finish(struct history *h, const struct job_row *j,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 r;

	if (j->status == NULL || *j->status == '\0') {
		ps_error_set(err, PS_ERR_VALUE, "history: job %lld finished "
		    "without a status", (long long)j->id);
		return (-1);
	}
	if ((st = hist_stmt(h, HS_JOB_FINISH, err)) == NULL)
		return (-1);
	hb_text(h, st, 1, j->status);
	hb_double(h, st, 2, j->finished_at != 0 ? j->finished_at :
	    util_now());
	hb_counts(h, st, 3, &j->counts);
	hb_double(h, st, 10, j->duration_s);
	hb_double(h, st, 11, j->rows_per_s);
	hb_text(h, st, 12, j->error);
	hb_int(h, st, 13, j->id);
	r = hist_step(h, st, "finishing a job", err);
	if (r == 0 && sqlite3_changes(h->db) == 0) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "no job %lld",
		    (long long)j->id);
		r = -1;
	}
	hist_done(st);
	return (r < 0 ? -1 : 0);
}

/* 0 when job ID exists, -1 with PS_ERR_NOT_FOUND "no job ID" otherwise. */
static int
hist_job_exists(struct history *h, int64_t id, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 r;

	if ((st = hist_stmt(h, HS_JOB_EXISTS, err)) == NULL)
		return (-1);
	hb_int(h, st, 1, id);
	r = hist_step(h, st, "reading a job", err);
	hist_done(st);
	if (r == 0)
		ps_error_set(err, PS_ERR_NOT_FOUND, "no job %lld",
		    (long long)id);
	return (r == 1 ? 0 : -1);
}

int
history_job_tables(struct history *h, int64_t job_id,
    const struct job_table_row *t, int n, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 i, outer;

	if (hist_wbegin(h, &outer, err) != 0)
		return (-1);
	if (hist_job_exists(h, job_id, err) != 0)
		goto fail;
	if ((st = hist_stmt(h, HS_JOB_TABLES_DEL, err)) == NULL)
		goto fail;
	hb_int(h, st, 1, job_id);
	if (hist_step(h, st, "recording job tables", err) != 0) {
		hist_done(st);
		goto fail;
	}
	hist_done(st);
	for (i = 0; i < n; i++) {
		if ((st = hist_stmt(h, HS_JOB_TABLE_ADD, err)) == NULL)
			goto fail;
		hb_int(h, st, 1, job_id);
		hb_int(h, st, 2, i);
		hb_text(h, st, 3, t[i].name);
		hb_text(h, st, 4, t[i].status);
		hb_text(h, st, 5, t[i].message);
		hb_counts(h, st, 6, &t[i].counts);
		if (hist_step(h, st, "recording job tables", err) != 0) {
			hist_done(st);
			goto fail;
		}
		hist_done(st);
	}
	return (hist_wend(h, outer, 1, err));

fail:
	hist_wend(h, outer, 0, NULL);
	return (-1);
}

/* Fill J from a row of JOB_COLS. */
static void
job_from_stmt(sqlite3_stmt *st, struct job_row *j)
{
	memset(j, 0, sizeof *j);
	j->id = sqlite3_column_int64(st, 0);
	j->kind = col_str(st, 1);
	j->source = col_str(st, 2);
	j->target = col_str(st, 3);
	j->options = col_str(st, 4);
	j->os_user = col_str(st, 5);
	j->status = col_str(st, 6);
	j->dry_run = sqlite3_column_int(st, 7);
	j->started_at = col_time(st, 8);
	j->finished_at = col_time(st, 9);
	col_counts(st, 10, &j->counts);
	j->duration_s = sqlite3_column_double(st, 17);
	j->rows_per_s = sqlite3_column_double(st, 18);
	j->error = col_str(st, 19);
}

int
history_job_get(struct history *h, int64_t id, struct job_row *j,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 r;

	memset(j, 0, sizeof *j);
	st = hist_prepare(h, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1",
	    err);
	if (st == NULL)
		return (-1);
	hb_int(h, st, 1, id);
	if ((r = hist_step(h, st, "reading a job", err)) == 1)
		job_from_stmt(st, j);
	else if (r == 0)
		ps_error_set(err, PS_ERR_NOT_FOUND, "no job %lld",
		    (long long)id);
	sqlite3_finalize(st);
	return (r == 1 ? 0 : -1);
}

int
history_job_list(struct history *h, int limit, struct job_row **out,
    int *n, struct ps_error *err)
{
	sqlite3_stmt	*st;
	struct job_row	*rows = NULL;
	int		 r, count = 0, cap = 0;

	*out = NULL;
	*n = 0;
	st = hist_prepare(h, "SELECT " JOB_COLS " FROM jobs"
	    " ORDER BY started_at DESC, id DESC LIMIT ?1", err);
	if (st == NULL)
		return (-1);
	hb_int(h, st, 1, limit > 0 ? limit : -1);
	while ((r = hist_step(h, st, "listing jobs", err)) == 1) {
		if (count == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			rows = xreallocarray(rows, (size_t)cap, sizeof *rows);
		}
		job_from_stmt(st, &rows[count++]);
	}
	sqlite3_finalize(st);
	if (r < 0) {
		job_rows_free(rows, count);
		return (-1);
	}
	*out = rows;
	*n = count;
	return (0);
}

int
history_job_get_tables(struct history *h, int64_t job_id,
    struct job_table_row **out, int *n, struct ps_error *err)
{
	sqlite3_stmt		*st;
	struct job_table_row	*rows = NULL, *t;
	int			 r, count = 0, cap = 0;

	*out = NULL;
	*n = 0;
	st = hist_prepare(h, "SELECT name, status, message, rows_compared,"
	    " inserted, updated, deleted, conflicts, pending_conflicts, errors"
	    " FROM job_tables WHERE job_id = ?1 ORDER BY seq", err);
	if (st == NULL)
		return (-1);
	hb_int(h, st, 1, job_id);
	while ((r = hist_step(h, st, "reading job tables", err)) == 1) {
		if (count == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			rows = xreallocarray(rows, (size_t)cap, sizeof *rows);
		}
		t = &rows[count++];
		memset(t, 0, sizeof *t);
		t->name = col_str(st, 0);
		t->status = col_str(st, 1);
		t->message = col_str(st, 2);
		col_counts(st, 3, &t->counts);
	}
	sqlite3_finalize(st);
	if (r < 0) {
		job_table_rows_free(rows, count);
		return (-1);
	}
	*out = rows;
	*n = count;
	return (0);
}

void
job_row_free(struct job_row *j)
{
	if (j == NULL)
		return;
	free(j->kind);
	free(j->source);
	free(j->target);
	free(j->options);
	free(j->os_user);
	free(j->status);
	free(j->error);
	memset(j, 0, sizeof *j);
}

void
job_rows_free(struct job_row *rows, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		job_row_free(&rows[i]);
	free(rows);
}

void
job_table_rows_free(struct job_table_row *rows, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].status);
		free(rows[i].message);
	}
	free(rows);
}

/* ---- job logs ---- */

int
history_log(struct history *h, int64_t job_id, const char *level,
    const char *message, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 r;

	if ((st = hist_stmt(h, HS_LOG_ADD, err)) == NULL)
		return (-1);
	hb_int(h, st, 1, job_id);
	hb_double(h, st, 2, util_now());
	hb_text(h, st, 3, level);
	hb_text(h, st, 4, message != NULL ? message : "");
	r = hist_step(h, st, "writing a job log", err);
	hist_done(st);
	return (r < 0 ? -1 : 0);
}

int
history_logs(struct history *h, int64_t job_id, struct log_row **out, int *n,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	struct log_row	*rows = NULL, *l;
	int		 r, count = 0, cap = 0;

	*out = NULL;
	*n = 0;
	st = hist_prepare(h, "SELECT time, level, message FROM job_logs"
	    " WHERE job_id = ?1 ORDER BY id", err);
	if (st == NULL)
		return (-1);
	hb_int(h, st, 1, job_id);
	while ((r = hist_step(h, st, "reading job logs", err)) == 1) {
		if (count == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			rows = xreallocarray(rows, (size_t)cap, sizeof *rows);
		}
		l = &rows[count++];
		l->time = sqlite3_column_double(st, 0);
		l->level = col_str(st, 1);
		l->message = col_str(st, 2);
	}
	sqlite3_finalize(st);
	if (r < 0) {
		log_rows_free(rows, count);
		return (-1);
	}
	*out = rows;
	*n = count;
	return (0);
}

void
log_rows_free(struct log_row *rows, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		free(rows[i].level);
		free(rows[i].message);
	}
	free(rows);
}

/* ---- base state ---- */

/*
 * The base of a pair and table is kept in chunks: rows of base_chunks, each
 * holding the entries (key, digest) of a run of consecutive keys, packed in
 * one blob (see BASE_CHUNK_*).  A chunk's lo is its first key; the chunk of
 * a key is the one with the greatest lo at or below it (the first chunk for
 * a key below all).  One row per few hundred keys instead of one per key
 * makes writing the base of a million rows cost little more than its bytes.
 *
 * Writes go through one chunk held in memory (struct base_chunk): loaded on
 * the first put or get that falls in it, changed in memory, and written back
 * when a key outside it comes, when it grows past BASE_CHUNK_MAX bytes (it
 * is then split), and before anything that could read or undo it: every
 * statement run with hist_exec (transaction control, savepoints) and every
 * base read.  It lives only inside a writer transaction: the commit writes
 * it back and forgets it, a rollback forgets it unwritten.
 */

static int
base_keycmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int	c;

	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return (c);
	return (alen < blen ? -1 : alen > blen);
}

static size_t
base_varint_len(size_t v)
{
	size_t	n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return (n);
}

static void
base_add_varint(struct strbuf *sb, size_t v)
{
	while (v >= 0x80) {
		sb_addch(sb, (int)(0x80 | (v & 0x7f)));
		v >>= 7;
	}
	sb_addch(sb, (int)v);
}

/* Read a varint at *P (before E): 0, or -1 when it runs past E. */
static int
base_get_varint(const unsigned char **p, const unsigned char *e, size_t *v)
{
	size_t	x = 0;
	int	shift = 0;

	while (*p < e && shift < 63) {
		x |= (size_t)(**p & 0x7f) << shift;
		if ((*(*p)++ & 0x80) == 0) {
			*v = x;
			return (0);
		}
		shift += 7;
	}
	return (-1);
}

static size_t
base_ent_bytes(size_t klen)
{
	return (base_varint_len(klen) + klen + DIGEST_LEN);
}

static void
bc_forget(struct base_chunk *c)
{
	c->loaded = 0;
	c->dirty = 0;
	c->n = 0;
	c->bytes = 0;
	c->rowid = 0;
	sb_reset(&c->keys);
}

static void
bc_free(struct base_chunk *c)
{
	free(c->table);
	free(c->ent);
	sb_free(&c->low);
	sb_free(&c->next);
	sb_free(&c->keys);
	memset(c, 0, sizeof *c);
}

/* Index of KEY in C, or -(insertion point) - 1. */
static ssize_t
bc_find(const struct base_chunk *c, const void *key, size_t len)
{
	size_t	lo = 0, hi = c->n, mid;
	int	cmp;

	/* Most puts append: try the end first. */
	if (c->n > 0 && base_keycmp(c->keys.buf + c->ent[c->n - 1].koff,
	    c->ent[c->n - 1].klen, key, len) < 0)
		return (-(ssize_t)c->n - 1);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = base_keycmp(c->keys.buf + c->ent[mid].koff,
		    c->ent[mid].klen, key, len);
		if (cmp == 0)
			return ((ssize_t)mid);
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (-(ssize_t)lo - 1);
}

/* Whether KEY of (PAIR, TABLE) falls in the loaded chunk. */
static int
bc_covers(const struct base_chunk *c, int64_t pair, const char *table,
    const void *key, size_t len)
{
	if (!c->loaded || c->pair != pair || strcmp(c->table, table) != 0)
		return (0);
	if (c->has_low && base_keycmp(key, len, c->low.buf, c->low.len) < 0)
		return (0);
	if (c->has_next && base_keycmp(key, len, c->next.buf, c->next.len) >= 0)
		return (0);
	return (1);
}

/* Set entry I's key and digest, appending the key to C's keys. */
static void
bc_set_ent(struct base_chunk *c, size_t i, const void *key, size_t len,
    const unsigned char *dig)
{
	c->ent[i].koff = c->keys.len;
	c->ent[i].klen = len;
	sb_add(&c->keys, key, len);
	memcpy(c->ent[i].dig, dig, DIGEST_LEN);
}

static void
bc_insert(struct base_chunk *c, size_t at, const void *key, size_t len,
    const unsigned char *dig)
{
	if (c->n == c->cap) {
		c->cap = c->cap < 64 ? 64 : c->cap * 2;
		c->ent = xreallocarray(c->ent, c->cap, sizeof *c->ent);
	}
	memmove(c->ent + at + 1, c->ent + at, (c->n - at) * sizeof *c->ent);
	c->n++;
	bc_set_ent(c, at, key, len, dig);
	c->bytes += base_ent_bytes(len);
}

/*
 * Decode BLOB (LEN bytes, a chunk's data) into C's entries.  0, or -1 with
 * ERR when it is not a well-formed chunk of N sorted entries.
 */
static int
bc_decode(struct history *h, struct base_chunk *c, const void *blob,
    size_t len, int64_t n, struct ps_error *err)
{
	const unsigned char	*p = blob, *e = p + len;
	size_t			 klen;

	c->n = 0;
	c->bytes = 0;
	sb_reset(&c->keys);
	if (len < 1 || *p++ != BASE_CHUNK_FORMAT)
		goto bad;
	while (p < e) {
		if (base_get_varint(&p, e, &klen) != 0 ||
		    klen > (size_t)(e - p) ||
		    (size_t)(e - p) - klen < DIGEST_LEN)
			goto bad;
		if (c->n > 0 && base_keycmp(c->keys.buf +
		    c->ent[c->n - 1].koff, c->ent[c->n - 1].klen, p,
		    klen) >= 0)
			goto bad;
		bc_insert(c, c->n, p, klen, p + klen);
		p += klen + DIGEST_LEN;
	}
	if ((int64_t)c->n != n)
		goto bad;
	return (0);
bad:
	c->n = 0;
	ps_error_set(err, PS_ERR_IO, "history %s: corrupt base chunk",
	    h->path);
	return (-1);
}

/* Encode entries [FROM, TO) of C into OUT. */
static void
bc_encode(const struct base_chunk *c, size_t from, size_t to,
    struct strbuf *out)
{
	size_t	i;

	sb_reset(out);
	sb_addch(out, BASE_CHUNK_FORMAT);
	for (i = from; i < to; i++) {
		base_add_varint(out, c->ent[i].klen);
		sb_add(out, c->keys.buf + c->ent[i].koff, c->ent[i].klen);
		sb_add(out, c->ent[i].dig, DIGEST_LEN);
	}
}

/*
 * Write entries [FROM, TO) of C as one chunk row: over ROWID, or a new row
 * when ROWID is 0 (its id in *ROWID).
 */
static int
bc_write_piece(struct history *h, struct base_chunk *c, size_t from,
    size_t to, int64_t *rowid, struct ps_error *err)
{
	struct strbuf	 blob = STRBUF_INIT;
	sqlite3_stmt	*st;
	int		 r;

	bc_encode(c, from, to, &blob);
	st = hist_stmt(h, *rowid != 0 ? HS_CHUNK_SET : HS_CHUNK_ADD, err);
	if (st == NULL) {
		sb_free(&blob);
		return (-1);
	}
	hb_blob(h, st, 1, c->keys.buf + c->ent[from].koff, c->ent[from].klen);
	hb_int(h, st, 2, (int64_t)(to - from));
	hb_blob(h, st, 3, blob.buf, blob.len);
	if (*rowid != 0)
		hb_int(h, st, 4, *rowid);
	else {
		hb_int(h, st, 4, c->pair);
		hb_text(h, st, 5, c->table);
	}
	r = hist_step(h, st, "writing the base", err);
	hist_done(st);
	sb_free(&blob);
	if (r < 0)
		return (-1);
	if (*rowid == 0)
		*rowid = sqlite3_last_insert_rowid(h->db);
	return (0);
}

/*
 * Write the loaded chunk back if it changed.  An empty chunk's row goes; a
 * chunk past BASE_CHUNK_MAX bytes is written in pieces of about
 * BASE_CHUNK_TARGET, and then (KEEP_LAST) the last piece stays loaded, not
 * yet written, for the puts to come, or (else) the chunk is forgotten.
 */
static int
bc_write(struct history *h, int keep_last, struct ps_error *err)
{
	struct base_chunk	*c = &h->chunk;
	struct strbuf		 keys = STRBUF_INIT;
	sqlite3_stmt		*st;
	size_t			 from, to, acc, eb, last, i;
	int64_t			 rowid;
	int			 r;

	if (!c->loaded || !c->dirty)
		return (0);
	if (c->n == 0) {
		if (c->rowid != 0) {
			if ((st = hist_stmt(h, HS_CHUNK_DEL, err)) == NULL)
				goto fail;
			hb_int(h, st, 1, c->rowid);
			r = hist_step(h, st, "writing the base", err);
			hist_done(st);
			if (r < 0)
				goto fail;
			c->rowid = 0;
		}
		c->dirty = 0;
		return (0);
	}
	if (c->bytes <= BASE_CHUNK_MAX) {
		if (bc_write_piece(h, c, 0, c->n, &c->rowid, err) != 0)
			goto fail;
		c->dirty = 0;
		return (0);
	}
	/* Pieces of about BASE_CHUNK_TARGET bytes; the last may be smaller. */
	last = 0;
	for (from = 0; from < c->n; from = to) {
		/* A piece past the target is one long key alone. */
		acc = 0;
		for (to = from; to < c->n; to++) {
			eb = base_ent_bytes(c->ent[to].klen);
			if (to > from && acc + eb > BASE_CHUNK_TARGET)
				break;
			acc += eb;
		}
		if (to == c->n && keep_last) {
			last = from;
			break;
		}
		rowid = from == 0 ? c->rowid : 0;
		if (bc_write_piece(h, c, from, to, &rowid, err) != 0)
			goto fail;
	}
	if (!keep_last) {
		bc_forget(c);
		return (0);
	}
	/* The last piece, a chunk of its own from its first key on. */
	if (last == 0) {
		/* One piece only: cannot happen past BASE_CHUNK_MAX. */
		c->dirty = 1;
		return (0);
	}
	c->rowid = 0;
	c->has_low = 1;
	sb_reset(&c->low);
	sb_add(&c->low, c->keys.buf + c->ent[last].koff, c->ent[last].klen);
	c->bytes = 0;
	for (i = last; i < c->n; i++) {
		c->ent[i - last] = c->ent[i];
		sb_add(&keys, c->keys.buf + c->ent[i].koff, c->ent[i].klen);
		c->ent[i - last].koff = keys.len - c->ent[i].klen;
		c->bytes += base_ent_bytes(c->ent[i].klen);
	}
	c->n -= last;
	sb_free(&c->keys);
	c->keys = keys;
	c->dirty = 1;
	return (0);

fail:
	bc_forget(c);
	return (-1);
}

/*
 * Write the loaded chunk back (hist_exec and the base reads come here).
 * FORGET: and forget it.
 */
static int
bc_flush(struct history *h, int forget, struct ps_error *err)
{
	int	r;

	if (!h->chunk.loaded)
		return (0);
	r = bc_write(h, 0, err);
	if (forget || r != 0)
		bc_forget(&h->chunk);
	return (r);
}

/* Load the chunk KEY of (PAIR, TABLE) falls in (perhaps none yet). */
static int
bc_load(struct history *h, int64_t pair, const char *table, const void *key,
    size_t len, struct ps_error *err)
{
	struct base_chunk	*c = &h->chunk;
	sqlite3_stmt		*st;
	int			 r;

	if (bc_flush(h, 1, err) != 0)
		return (-1);
	if (c->table == NULL || strcmp(c->table, table) != 0) {
		free(c->table);
		c->table = xstrdup(table);
	}
	c->pair = pair;
	c->has_low = 0;
	c->has_next = 0;
	sb_reset(&c->low);
	sb_reset(&c->next);
	/* The chunk at or below KEY, else the first one. */
	if ((st = hist_stmt(h, HS_CHUNK_AT, err)) == NULL)
		return (-1);
	hb_int(h, st, 1, pair);
	hb_text(h, st, 2, table);
	hb_blob(h, st, 3, key, len);
	r = hist_step(h, st, "reading the base", err);
	if (r == 1)
		c->has_low = 1;
	else if (r == 0) {
		hist_done(st);
		if ((st = hist_stmt(h, HS_CHUNK_FIRST, err)) == NULL)
			return (-1);
		hb_int(h, st, 1, pair);
		hb_text(h, st, 2, table);
		r = hist_step(h, st, "reading the base", err);
	}
	if (r == 1) {
		c->rowid = sqlite3_column_int64(st, 0);
		sb_add(&c->low, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1));
		if (bc_decode(h, c, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2),
		    sqlite3_column_int64(st, 3), err) != 0)
			r = -1;
	}
	hist_done(st);
	if (r < 0)
		return (-1);
	if (r == 1) {
		/* Where the next chunk starts. */
		if ((st = hist_stmt(h, HS_CHUNK_NEXT, err)) == NULL)
			return (-1);
		hb_int(h, st, 1, pair);
		hb_text(h, st, 2, table);
		hb_blob(h, st, 3, c->low.buf, c->low.len);
		r = hist_step(h, st, "reading the base", err);
		if (r == 1) {
			c->has_next = 1;
			sb_add(&c->next, sqlite3_column_blob(st, 0),
			    (size_t)sqlite3_column_bytes(st, 0));
		}
		hist_done(st);
		if (r < 0)
			return (-1);
	} else {
		c->rowid = 0;
		c->n = 0;
		c->bytes = 0;
		sb_reset(&c->keys);
	}
	c->loaded = 1;
	c->dirty = 0;
	return (0);
}

/* Make the chunk of KEY the loaded one. */
static int
bc_get(struct history *h, int64_t pair, const char *table, const void *key,
    size_t len, struct ps_error *err)
{
	if (bc_covers(&h->chunk, pair, table, key, len))
		return (0);
	if (bc_load(h, pair, table, key, len, err) != 0) {
		bc_forget(&h->chunk);
		return (-1);
	}
	return (0);
}

/* Set or (DIG NULL) delete KEY in the loaded chunk of KEY. */
static int
bc_put(struct history *h, int64_t pair, const char *table, const void *key,
    size_t len, const unsigned char *dig, struct ps_error *err)
{
	struct base_chunk	*c = &h->chunk;
	ssize_t			 i;

	if (bc_get(h, pair, table, key, len, err) != 0)
		return (-1);
	i = bc_find(c, key, len);
	if (i >= 0) {
		if (dig != NULL) {
			if (memcmp(c->ent[i].dig, dig, DIGEST_LEN) == 0)
				return (0);
			memcpy(c->ent[i].dig, dig, DIGEST_LEN);
		} else {
			c->bytes -= base_ent_bytes(c->ent[i].klen);
			memmove(c->ent + i, c->ent + i + 1,
			    (c->n - (size_t)i - 1) * sizeof *c->ent);
			c->n--;
		}
	} else if (dig != NULL)
		bc_insert(c, (size_t)(-i - 1), key, len, dig);
	else
		return (0);
	c->dirty = 1;
	if (c->bytes > BASE_CHUNK_MAX) {
		if (bc_write(h, 1, err) != 0)
			return (-1);
	} else if (c->keys.len > 4 * BASE_CHUNK_MAX &&
	    c->keys.len > 4 * c->bytes) {
		/* Replaced and deleted keys: write and reload. */
		return (bc_flush(h, 1, err));
	}
	return (0);
}


int
history_base_scan(struct history *h, int64_t pair, const char *table,
    struct base_cursor **out, struct ps_error *err)
{
	struct base_cursor	*c;
	int			 rc;

	*out = NULL;
	if (h->cursor != NULL) {
		ps_error_set(err, PS_ERR_INTERNAL, "history %s: a base scan "
		    "is already open", h->path);
		return (-1);
	}
	if (h->rdb == NULL && hist_connect(h, SQLITE_OPEN_READONLY, &h->rdb,
	    err) != 0)
		return (-1);
	if (h->scan == NULL && sqlite3_prepare_v3(h->rdb,
	    "SELECT n, data FROM base_chunks"
	    " WHERE pair_id = ?1 AND tbl = ?2 ORDER BY lo", -1,
	    SQLITE_PREPARE_PERSISTENT, &h->scan, NULL) != SQLITE_OK) {
		hist_dberr(h, h->rdb, "preparing the base scan", err);
		h->scan = NULL;
		return (-1);
	}
	if (hist_exec(h, h->rdb, "BEGIN", "starting the base scan", err) != 0)
		return (-1);
	if (sqlite3_bind_int64(h->scan, 1, pair) != SQLITE_OK ||
	    sqlite3_bind_text(h->scan, 2, table, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK) {
		hist_dberr(h, h->rdb, "starting the base scan", err);
		goto fail;
	}
	/* The first step takes the snapshot, so it is the base as of now. */
	rc = sqlite3_step(h->scan);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		hist_dberr(h, h->rdb, "reading the base", err);
		goto fail;
	}
	c = xcalloc(1, sizeof *c);
	c->h = h;
	c->rc = rc;
	c->first = 1;
	h->cursor = c;
	*out = c;
	return (0);

fail:
	sqlite3_reset(h->scan);
	sqlite3_clear_bindings(h->scan);
	sqlite3_exec(h->rdb, "ROLLBACK", NULL, NULL, NULL);
	return (-1);
}

static int
base_cursor_corrupt(struct base_cursor *c, struct ps_error *err)
{
	ps_error_set(err, PS_ERR_IO, "history %s: corrupt base chunk",
	    c->h->path);
	c->done = 1;
	return (-1);
}

int
history_base_next(struct base_cursor *c, const void **key, size_t *keylen,
    const unsigned char **digest, struct ps_error *err)
{
	struct history		*h = c->h;
	const unsigned char	*p, *e;
	size_t			 klen;
	int			 rc;

	if (h == NULL) {
		ps_error_set(err, PS_ERR_INTERNAL, "history: base scan read "
		    "after the history was closed");
		return (-1);
	}
	if (c->done)
		return (0);
	while (c->left == 0) {
		if (c->off != c->blob.len)
			return (base_cursor_corrupt(c, err));
		if (c->first) {
			rc = c->rc;
			c->first = 0;
		} else
			rc = sqlite3_step(h->scan);
		if (rc == SQLITE_DONE) {
			c->done = 1;
			return (0);
		}
		if (rc != SQLITE_ROW) {
			hist_dberr(h, h->rdb, "reading the base", err);
			c->done = 1;
			return (-1);
		}
		sb_reset(&c->blob);
		sb_add(&c->blob, sqlite3_column_blob(h->scan, 1),
		    (size_t)sqlite3_column_bytes(h->scan, 1));
		c->left = sqlite3_column_int64(h->scan, 0);
		if (c->left <= 0 || c->blob.len < 1 ||
		    (unsigned char)c->blob.buf[0] != BASE_CHUNK_FORMAT)
			return (base_cursor_corrupt(c, err));
		c->off = 1;
	}
	p = (const unsigned char *)c->blob.buf + c->off;
	e = (const unsigned char *)c->blob.buf + c->blob.len;
	if (base_get_varint(&p, e, &klen) != 0 || klen > (size_t)(e - p) ||
	    (size_t)(e - p) - klen < DIGEST_LEN)
		return (base_cursor_corrupt(c, err));
	/* Keys strictly increase, across chunks too. */
	if (c->has_prev && base_keycmp(c->prev.buf, c->prev.len, p,
	    klen) >= 0)
		return (base_cursor_corrupt(c, err));
	sb_reset(&c->prev);
	sb_add(&c->prev, p, klen);
	c->has_prev = 1;
	*key = klen > 0 ? (const void *)p : (const void *)"";
	*keylen = klen;
	*digest = p + klen;
	c->off = (size_t)(p + klen + DIGEST_LEN -
	    (const unsigned char *)c->blob.buf);
	c->left--;
	return (1);
}

void
history_base_cursor_free(struct base_cursor *c)
{
	struct history	*h;

	if (c == NULL)
		return;
	sb_free(&c->blob);
	sb_free(&c->prev);
	if ((h = c->h) == NULL) {
		free(c);
		return;
	}
	sqlite3_reset(h->scan);
	sqlite3_clear_bindings(h->scan);
	sqlite3_exec(h->rdb, "COMMIT", NULL, NULL, NULL);
	h->cursor = NULL;
	free(c);
}

int
history_base_get(struct history *h, int64_t pair, const char *table,
    const void *key, size_t keylen, unsigned char digest[DIGEST_LEN],
    struct ps_error *err)
{
	ssize_t	i;
	int	r = 0;

	if (bc_flush(h, h->depth == 0, err) != 0 ||
	    bc_get(h, pair, table, key, keylen, err) != 0)
		return (-1);
	if ((i = bc_find(&h->chunk, key, keylen)) >= 0) {
		memcpy(digest, h->chunk.ent[i].dig, DIGEST_LEN);
		r = 1;
	}
	/* Outside a transaction another process may change it next. */
	if (h->depth == 0)
		bc_forget(&h->chunk);
	return (r);
}

int
history_base_put(struct history *h, int64_t pair, const char *table,
    const void *key, size_t keylen, const unsigned char *digest,
    struct ps_error *err)
{
	int	outer, r;

	if (h->depth > 0)
		return (bc_put(h, pair, table, key, keylen, digest, err));
	if (hist_wbegin(h, &outer, err) != 0)
		return (-1);
	r = bc_put(h, pair, table, key, keylen, digest, err);
	return (hist_wend(h, outer, r == 0, err) != 0 ? -1 : r);
}

/*
 * Schema version 3: the base moves from one row per key (base_state) into
 * chunks.  Runs inside the migration's transaction.
 */
static int
hist_migrate_base_chunks(struct history *h, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc, r = 0;

	if ((st = hist_prepare(h, "SELECT pair_id, tbl, key, digest"
	    " FROM base_state ORDER BY pair_id, tbl, key", err)) == NULL)
		return (-1);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 3) != DIGEST_LEN) {
			ps_error_set(err, PS_ERR_IO, "history %s: corrupt "
			    "base digest (%d bytes)", h->path,
			    sqlite3_column_bytes(st, 3));
			r = -1;
			break;
		}
		r = bc_put(h, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2),
		    sqlite3_column_blob(st, 3), err);
	}
	if (r == 0 && rc != SQLITE_DONE) {
		hist_dberr(h, h->db, "reading the base", err);
		r = -1;
	}
	sqlite3_finalize(st);
	if (r == 0)
		r = bc_flush(h, 1, err);
	bc_forget(&h->chunk);
	if (r == 0)
		r = hist_exec(h, h->db, "DROP TABLE base_state", "migrating",
		    err);
	return (r);
}

/* ---- conflicts ---- */

static int
conflict_status_valid(const char *s)
{
	size_t	i;

	for (i = 0; i < nitems(conflict_statuses); i++)
		if (strcmp(s, conflict_statuses[i]) == 0)
			return (1);
	return (0);
}

static int
conflict_check_status(const char *s, struct ps_error *err)
{
	if (!conflict_status_valid(s)) {
		ps_error_set(err, PS_ERR_VALUE, "unknown conflict status '%s' "
		    "(pending, ignored, resolved or stale)", s);
		return (-1);
	}
	return (0);
}

/*
 * Bind ?1 .. ?21 of HS_CONFLICT_REFRESH and HS_CONFLICT_ADD from C, with
 * STATUS and NOW.
 */
static void
conflict_bind(struct history *h, sqlite3_stmt *st,
    const struct conflict_row *c, const char *status, double now)
{
	int	resolved;

	resolved = strcmp(status, "resolved") == 0;
	hb_int(h, st, 1, c->job_id);
	hb_text(h, st, 2, c->source);
	hb_text(h, st, 3, c->target);
	hb_int(h, st, 4, c->bidirectional != 0);
	hb_text(h, st, 5, c->key_json);
	hb_text(h, st, 6, c->kind);
	hb_text(h, st, 7, c->columns);
	hb_text(h, st, 8, c->source_row);
	hb_text(h, st, 9, c->target_row);
	hb_digest(h, st, 10, c->has_base, c->base_digest);
	hb_digest(h, st, 11, c->has_source, c->source_digest);
	hb_digest(h, st, 12, c->has_target, c->target_digest);
	hb_text(h, st, 13, c->timestamp_column);
	hb_text(h, st, 14, status);
	hb_text(h, st, 15, c->strategy);
	hb_text(h, st, 16, c->outcome);
	hb_text(h, st, 17, c->result_row);
	hb_text(h, st, 18, c->note);
	if (c->resolved_by == NULL && resolved)
		hb_text(h, st, 19, util_os_user());
	else
		hb_text(h, st, 19, c->resolved_by);
	if (c->resolved_at == 0 && resolved)
		hb_double(h, st, 20, now);
	else
		hb_time(h, st, 20, c->resolved_at);
	hb_double(h, st, 21, now);
}

int
history_conflict_record(struct history *h, struct conflict_row *c,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	const char	*status;
	char		*old = NULL;
	int64_t		 id = 0;
	double		 now;
	int		 r, same, outer;

	status = c->status != NULL ? c->status : "pending";
	if (conflict_check_status(status, err) != 0)
		return (-1);
	if (c->table == NULL || c->kind == NULL) {
		ps_error_set(err, PS_ERR_VALUE, "history: a conflict needs a "
		    "table and a kind");
		return (-1);
	}
	now = util_now();
	if (hist_wbegin(h, &outer, err) != 0)
		return (-1);

	if ((st = hist_stmt(h, HS_CONFLICT_OPEN, err)) == NULL)
		goto fail;
	hb_int(h, st, 1, c->pair_id);
	hb_text(h, st, 2, c->table);
	hb_blob(h, st, 3, c->key, c->keylen);
	if ((r = hist_step(h, st, "recording a conflict", err)) < 0) {
		hist_done(st);
		goto fail;
	}
	if (r == 1) {
		id = sqlite3_column_int64(st, 0);
		old = col_str(st, 1);
		same = col_digest_eq(st, 2, c->has_source, c->source_digest) &&
		    col_digest_eq(st, 3, c->has_target, c->target_digest);
		/* Ignored and unchanged since: it stays ignored. */
		if (old != NULL && strcmp(old, "ignored") == 0 && same &&
		    strcmp(status, "pending") == 0)
			status = "ignored";
	}
	hist_done(st);

	if (id != 0) {
		if ((st = hist_stmt(h, HS_CONFLICT_REFRESH, err)) == NULL)
			goto fail;
		conflict_bind(h, st, c, status, now);
		hb_int(h, st, 22, id);
	} else {
		if ((st = hist_stmt(h, HS_CONFLICT_ADD, err)) == NULL)
			goto fail;
		conflict_bind(h, st, c, status, now);
		hb_int(h, st, 22, c->pair_id);
		hb_text(h, st, 23, c->table);
		hb_blob(h, st, 24, c->key, c->keylen);
		hb_double(h, st, 25, c->created_at != 0 ? c->created_at : now);
	}
	r = hist_step(h, st, "recording a conflict", err);
	if (r == 0 && id == 0)
		id = sqlite3_last_insert_rowid(h->db);
	hist_done(st);
	if (r < 0)
		goto fail;
	free(old);
	if (hist_wend(h, outer, 1, err) != 0)
		return (-1);
	c->id = id;
	return (0);

fail:
	free(old);
	hist_wend(h, outer, 0, NULL);
	return (-1);
}

/* Fill C from a row of CONFLICT_COLS; -1 with ERR on a corrupt digest. */
static int
conflict_from_stmt(struct history *h, sqlite3_stmt *st,
    struct conflict_row *c, struct ps_error *err)
{
	int	r;

	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	c->job_id = sqlite3_column_int64(st, 1);
	c->pair_id = sqlite3_column_int64(st, 2);
	c->source = col_str(st, 3);
	c->target = col_str(st, 4);
	c->bidirectional = sqlite3_column_int(st, 5);
	c->table = col_str(st, 6);
	c->key = col_blob(st, 7, &c->keylen);
	c->key_json = col_str(st, 8);
	c->kind = col_str(st, 9);
	c->columns = col_str(st, 10);
	c->source_row = col_str(st, 11);
	c->target_row = col_str(st, 12);
	c->timestamp_column = col_str(st, 16);
	c->status = col_str(st, 17);
	c->strategy = col_str(st, 18);
	c->outcome = col_str(st, 19);
	c->result_row = col_str(st, 20);
	c->note = col_str(st, 21);
	c->resolved_by = col_str(st, 22);
	c->resolved_at = col_time(st, 23);
	c->created_at = col_time(st, 24);
	c->updated_at = col_time(st, 25);
	if ((r = col_digest(h, st, 13, c->base_digest, err)) < 0)
		return (-1);
	c->has_base = r;
	if ((r = col_digest(h, st, 14, c->source_digest, err)) < 0)
		return (-1);
	c->has_source = r;
	if ((r = col_digest(h, st, 15, c->target_digest, err)) < 0)
		return (-1);
	c->has_target = r;
	return (0);
}

int
history_conflict_get(struct history *h, int64_t id, struct conflict_row *c,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 r;

	memset(c, 0, sizeof *c);
	st = hist_prepare(h, "SELECT " CONFLICT_COLS " FROM conflicts"
	    " WHERE id = ?1", err);
	if (st == NULL)
		return (-1);
	hb_int(h, st, 1, id);
	if ((r = hist_step(h, st, "reading a conflict", err)) == 1) {
		if (conflict_from_stmt(h, st, c, err) != 0) {
			conflict_row_free(c);
			r = -1;
		}
	} else if (r == 0)
		ps_error_set(err, PS_ERR_NOT_FOUND, "no conflict %lld",
		    (long long)id);
	sqlite3_finalize(st);
	return (r == 1 ? 0 : -1);
}

/*
 * Prepare "SELECT WHAT FROM conflicts" with the conditions of F, oldest
 * first when ORDER, bound and ready to step; NULL with ERR on bad input.
 */
static sqlite3_stmt *
conflict_query(struct history *h, const char *what,
    const struct conflict_filter *f, int order, struct ps_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	sqlite3_stmt	*st;
	const char	*status;

	status = f != NULL && f->status != NULL ? f->status : "pending";
	if (strcmp(status, "all") != 0 && !conflict_status_valid(status)) {
		ps_error_set(err, PS_ERR_VALUE, "unknown conflict status '%s' "
		    "(pending, ignored, resolved, stale or all)", status);
		return (NULL);
	}
	sb_addf(&sb, "SELECT %s FROM conflicts WHERE 1", what);
	if (f != NULL && f->job_id != 0)
		sb_addstr(&sb, " AND job_id = ?1");
	if (f != NULL && f->table != NULL)
		sb_addstr(&sb, " AND tbl = ?2");
	if (strcmp(status, "all") != 0)
		sb_addstr(&sb, " AND status = ?3");
	if (f != NULL && f->column != NULL)
		sb_addstr(&sb, " AND EXISTS (SELECT 1 FROM"
		    " json_each(conflicts.columns) AS c WHERE c.value = ?4)");
	if (f != NULL && f->pair_id != 0)
		sb_addstr(&sb, " AND pair_id = ?5");
	if (order)
		sb_addstr(&sb, " ORDER BY id LIMIT ?6");
	st = hist_prepare(h, sb_str(&sb), err);
	sb_free(&sb);
	if (st == NULL)
		return (NULL);
	if (f != NULL && f->job_id != 0)
		hb_int(h, st, 1, f->job_id);
	if (f != NULL && f->table != NULL)
		hb_text(h, st, 2, f->table);
	if (strcmp(status, "all") != 0)
		hb_text(h, st, 3, status);
	if (f != NULL && f->column != NULL)
		hb_text(h, st, 4, f->column);
	if (f != NULL && f->pair_id != 0)
		hb_int(h, st, 5, f->pair_id);
	if (order)
		hb_int(h, st, 6, f != NULL && f->limit > 0 ? f->limit : -1);
	return (st);
}

int
history_conflict_list(struct history *h, const struct conflict_filter *f,
    struct conflict_row **out, int *n, struct ps_error *err)
{
	sqlite3_stmt		*st;
	struct conflict_row	*rows = NULL;
	int			 r, count = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if ((st = conflict_query(h, CONFLICT_COLS, f, 1, err)) == NULL)
		return (-1);
	while ((r = hist_step(h, st, "listing conflicts", err)) == 1) {
		if (count == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			rows = xreallocarray(rows, (size_t)cap, sizeof *rows);
		}
		if (conflict_from_stmt(h, st, &rows[count], err) != 0) {
			conflict_row_free(&rows[count]);
			r = -1;
			break;
		}
		count++;
	}
	sqlite3_finalize(st);
	if (r < 0) {
		conflict_rows_free(rows, count);
		return (-1);
	}
	*out = rows;
	*n = count;
	return (0);
}

int
history_conflict_count(struct history *h, const struct conflict_filter *f,
    int64_t *count, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 r;

	*count = 0;
	if ((st = conflict_query(h, "count(*)", f, 0, err)) == NULL)
		return (-1);
	if ((r = hist_step(h, st, "counting conflicts", err)) == 1)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (r == 1 ? 0 : -1);
}

int
history_conflict_groups(struct history *h, struct conflict_group **out,
    int *n, struct ps_error *err)
{
	struct conflict_group	*g = NULL;
	sqlite3_stmt		*st;
	int			 r, cap = 0, k = 0;

	*out = NULL;
	*n = 0;
	st = hist_prepare(h, "SELECT source, target, tbl,"
	    " sum(status = 'pending'), sum(status = 'ignored')"
	    " FROM conflicts WHERE status IN ('pending', 'ignored')"
	    " GROUP BY source, target, tbl ORDER BY source, target, tbl",
	    err);
	if (st == NULL)
		return (-1);
	while ((r = hist_step(h, st, "grouping conflicts", err)) == 1) {
		if (k == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			g = xreallocarray(g, cap, sizeof *g);
		}
		g[k].source = xstrdup((const char *)
		    sqlite3_column_text(st, 0));
		g[k].target = xstrdup((const char *)
		    sqlite3_column_text(st, 1));
		g[k].table = xstrdup((const char *)
		    sqlite3_column_text(st, 2));
		g[k].pending = sqlite3_column_int64(st, 3);
		g[k].ignored = sqlite3_column_int64(st, 4);
		k++;
	}
	sqlite3_finalize(st);
	if (r < 0) {
		conflict_groups_free(g, k);
		return (-1);
	}
	*out = g;
	*n = k;
	return (0);
}

void
conflict_groups_free(struct conflict_group *g, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		free(g[i].source);
		free(g[i].target);
		free(g[i].table);
	}
	free(g);
}

int
history_conflict_update(struct history *h, const struct conflict_row *c,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	double		 now;
	int		 r, resolved;

	if (c->status == NULL) {
		ps_error_set(err, PS_ERR_VALUE, "history: conflict %lld "
		    "updated without a status", (long long)c->id);
		return (-1);
	}
	if (conflict_check_status(c->status, err) != 0)
		return (-1);
	resolved = strcmp(c->status, "resolved") == 0;
	now = util_now();
	st = hist_prepare(h, "UPDATE conflicts SET status = ?1,"
	    " strategy = ?2, outcome = ?3, result_row = ?4, note = ?5,"
	    " resolved_by = ?6, resolved_at = ?7, updated_at = ?8"
	    " WHERE id = ?9", err);
	if (st == NULL)
		return (-1);
	hb_text(h, st, 1, c->status);
	hb_text(h, st, 2, c->strategy);
	hb_text(h, st, 3, c->outcome);
	hb_text(h, st, 4, c->result_row);
	hb_text(h, st, 5, c->note);
	if (c->resolved_by == NULL && resolved)
		hb_text(h, st, 6, util_os_user());
	else
		hb_text(h, st, 6, c->resolved_by);
	if (c->resolved_at == 0 && resolved)
		hb_double(h, st, 7, now);
	else
		hb_time(h, st, 7, c->resolved_at);
	hb_double(h, st, 8, now);
	hb_int(h, st, 9, c->id);
	r = hist_step(h, st, "updating a conflict", err);
	if (r == 0 && sqlite3_changes(h->db) == 0) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "no conflict %lld",
		    (long long)c->id);
		r = -1;
	}
	sqlite3_finalize(st);
	return (r < 0 ? -1 : 0);
}

int
history_conflict_open_keys(struct history *h, int64_t pair,
    const char *table, struct open_conflict **out, int *n,
    struct ps_error *err)
{
	sqlite3_stmt		*st;
	struct open_conflict	*rows = NULL, *o;
	int			 r, count = 0, cap = 0;

	*out = NULL;
	*n = 0;
	st = hist_prepare(h, "SELECT id, key FROM conflicts"
	    " WHERE pair_id = ?1 AND tbl = ?2 AND status IN " OPEN_STATUSES
	    " ORDER BY key", err);
	if (st == NULL)
		return (-1);
	hb_int(h, st, 1, pair);
	hb_text(h, st, 2, table);
	while ((r = hist_step(h, st, "reading open conflicts", err)) == 1) {
		if (count == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			rows = xreallocarray(rows, (size_t)cap, sizeof *rows);
		}
		o = &rows[count++];
		o->id = sqlite3_column_int64(st, 0);
		o->key = col_blob(st, 1, &o->keylen);
	}
	sqlite3_finalize(st);
	if (r < 0) {
		open_conflicts_free(rows, count);
		return (-1);
	}
	*out = rows;
	*n = count;
	return (0);
}

void
open_conflicts_free(struct open_conflict *rows, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(rows[i].key);
	free(rows);
}

void
conflict_row_free(struct conflict_row *c)
{
	if (c == NULL)
		return;
	free(c->source);
	free(c->target);
	free(c->table);
	free(c->key);
	free(c->key_json);
	free(c->kind);
	free(c->columns);
	free(c->source_row);
	free(c->target_row);
	free(c->timestamp_column);
	free(c->status);
	free(c->strategy);
	free(c->outcome);
	free(c->result_row);
	free(c->note);
	free(c->resolved_by);
	memset(c, 0, sizeof *c);
}

void
conflict_rows_free(struct conflict_row *rows, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		conflict_row_free(&rows[i]);
	free(rows);
}

/* ---- schedules and daemons ---- */

int
history_schedule_get(struct history *h, const char *name,
    struct schedule_run *r, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(r, 0, sizeof *r);
	st = hist_prepare(h, "SELECT created_at, last_due, claimed_by,"
	    " claimed_at, last_job_id, last_status, last_finished_at"
	    " FROM schedule_runs WHERE name = ?1", err);
	if (st == NULL)
		return (-1);
	hb_text(h, st, 1, name);
	if ((rc = hist_step(h, st, "reading a schedule", err)) == 1) {
		r->name = xstrdup(name);
		r->created_at = sqlite3_column_double(st, 0);
		r->last_due = sqlite3_column_double(st, 1);
		r->claimed_by = xstrdup((const char *)
		    sqlite3_column_text(st, 2));
		r->claimed_at = sqlite3_column_double(st, 3);
		r->last_job_id = sqlite3_column_int64(st, 4);
		r->last_status = xstrdup((const char *)
		    sqlite3_column_text(st, 5));
		r->last_finished_at = sqlite3_column_double(st, 6);
	}
	sqlite3_finalize(st);
	return (rc);
}

int
history_schedule_seen(struct history *h, const char *name, double now,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = hist_prepare(h, "INSERT OR IGNORE INTO schedule_runs"
	    " (name, created_at) VALUES (?1, ?2)", err);
	if (st == NULL)
		return (-1);
	hb_text(h, st, 1, name);
	hb_double(h, st, 2, now);
	rc = hist_step(h, st, "recording a schedule", err);
	sqlite3_finalize(st);
	return (rc < 0 ? -1 : 0);
}

int
history_schedule_restart(struct history *h, const char *name, double now,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = hist_prepare(h, "INSERT INTO schedule_runs (name, created_at)"
	    " VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE"
	    " SET created_at = excluded.created_at", err);
	if (st == NULL)
		return (-1);
	hb_text(h, st, 1, name);
	hb_double(h, st, 2, now);
	rc = hist_step(h, st, "restarting a schedule", err);
	sqlite3_finalize(st);
	return (rc < 0 ? -1 : 0);
}

int
history_schedule_forget(struct history *h, const char *name,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = hist_prepare(h, "DELETE FROM schedule_runs WHERE name = ?1",
	    err);
	if (st == NULL)
		return (-1);
	hb_text(h, st, 1, name);
	rc = hist_step(h, st, "forgetting a schedule", err);
	sqlite3_finalize(st);
	return (rc < 0 ? -1 : 0);
}

int
history_schedule_claim(struct history *h, const char *name, double due,
    const char *who, double now, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 outer, rc, claimed = 0;

	if (hist_wbegin(h, &outer, err) != 0)
		return (-1);
	if (history_schedule_seen(h, name, now, err) != 0)
		goto fail;
	/* Only an occurrence after the last one claimed, and not before the
	 * schedule was known. */
	st = hist_prepare(h, "UPDATE schedule_runs SET last_due = ?2,"
	    " claimed_by = ?3, claimed_at = ?4"
	    " WHERE name = ?1 AND (last_due IS NULL OR last_due < ?2)"
	    " AND created_at <= ?2", err);
	if (st == NULL)
		goto fail;
	hb_text(h, st, 1, name);
	hb_double(h, st, 2, due);
	hb_text(h, st, 3, who);
	hb_double(h, st, 4, now);
	rc = hist_step(h, st, "claiming a schedule", err);
	sqlite3_finalize(st);
	if (rc < 0)
		goto fail;
	claimed = sqlite3_changes(h->db) == 1;
	if (hist_wend(h, outer, 1, err) != 0)
		return (-1);
	return (claimed);

fail:
	hist_wend(h, outer, 0, NULL);
	return (-1);
}

int
history_schedule_done(struct history *h, const char *name, int64_t job_id,
    const char *status, double now, struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = hist_prepare(h, "UPDATE schedule_runs SET last_job_id = ?2,"
	    " last_status = ?3, last_finished_at = ?4 WHERE name = ?1", err);
	if (st == NULL)
		return (-1);
	hb_text(h, st, 1, name);
	hb_int(h, st, 2, job_id);
	hb_text(h, st, 3, status);
	hb_double(h, st, 4, now);
	rc = hist_step(h, st, "recording a schedule's run", err);
	sqlite3_finalize(st);
	return (rc < 0 ? -1 : 0);
}

void
schedule_run_free(struct schedule_run *r)
{
	free(r->name);
	free(r->claimed_by);
	free(r->last_status);
	memset(r, 0, sizeof *r);
}

int
history_daemon_beat(struct history *h, const char *id, const char *host,
    int pid, double started_at, double now, int stopping,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = hist_prepare(h, "INSERT INTO daemons (id, host, pid, started_at,"
	    " heartbeat_at, stopped_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded."
	    "heartbeat_at, stopped_at = excluded.stopped_at,"
	    " started_at = excluded.started_at", err);
	if (st == NULL)
		return (-1);
	hb_text(h, st, 1, id);
	hb_text(h, st, 2, host);
	hb_int(h, st, 3, pid);
	hb_double(h, st, 4, started_at);
	hb_double(h, st, 5, now);
	hb_time(h, st, 6, stopping ? now : 0);
	rc = hist_step(h, st, "recording the daemon's heartbeat", err);
	sqlite3_finalize(st);
	return (rc < 0 ? -1 : 0);
}

int
history_daemon_latest(struct history *h, struct daemon_row *d,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(d, 0, sizeof *d);
	st = hist_prepare(h, "SELECT id, host, pid, started_at, heartbeat_at,"
	    " stopped_at FROM daemons ORDER BY heartbeat_at DESC LIMIT 1",
	    err);
	if (st == NULL)
		return (-1);
	if ((rc = hist_step(h, st, "reading the daemons", err)) == 1) {
		d->id = xstrdup((const char *)sqlite3_column_text(st, 0));
		d->host = xstrdup((const char *)sqlite3_column_text(st, 1));
		d->pid = sqlite3_column_int(st, 2);
		d->started_at = sqlite3_column_double(st, 3);
		d->heartbeat_at = sqlite3_column_double(st, 4);
		d->stopped_at = sqlite3_column_double(st, 5);
	}
	sqlite3_finalize(st);
	return (rc);
}

void
daemon_row_free(struct daemon_row *d)
{
	free(d->id);
	free(d->host);
	memset(d, 0, sizeof *d);
}

/* ---- settings changes ---- */

int
history_settings_log(struct history *h, const char *what,
    struct ps_error *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = hist_prepare(h, "INSERT INTO settings_log (time, os_user, what)"
	    " VALUES (?1, ?2, ?3)", err);
	if (st == NULL)
		return (-1);
	hb_double(h, st, 1, util_now());
	hb_text(h, st, 2, util_os_user());
	hb_text(h, st, 3, what);
	rc = hist_step(h, st, "recording a settings change", err);
	sqlite3_finalize(st);
	return (rc < 0 ? -1 : 0);
}

int
history_settings_list(struct history *h, int limit, struct settings_row **out,
    int *n, struct ps_error *err)
{
	struct settings_row	*rows = NULL;
	sqlite3_stmt		*st;
	int			 r, k = 0, cap = 0;

	*out = NULL;
	*n = 0;
	st = hist_prepare(h, "SELECT time, os_user, what FROM settings_log"
	    " ORDER BY id DESC LIMIT ?1", err);
	if (st == NULL)
		return (-1);
	hb_int(h, st, 1, limit > 0 ? limit : -1);
	while ((r = hist_step(h, st, "reading settings changes", err)) == 1) {
		if (k == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			rows = xreallocarray(rows, cap, sizeof *rows);
		}
		rows[k].time = sqlite3_column_double(st, 0);
		rows[k].os_user = xstrdup((const char *)
		    sqlite3_column_text(st, 1));
		rows[k].what = xstrdup((const char *)
		    sqlite3_column_text(st, 2));
		k++;
	}
	sqlite3_finalize(st);
	if (r < 0) {
		settings_rows_free(rows, k);
		return (-1);
	}
	*out = rows;
	*n = k;
	return (0);
}

void
settings_rows_free(struct settings_row *rows, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		free(rows[i].os_user);
		free(rows[i].what);
	}
	free(rows);
}

/* ---- retention ---- */

/* Finished jobs older than ?1 that no open conflict refers to. */
#define PRUNE_JOBS \
	"SELECT id FROM jobs WHERE finished_at IS NOT NULL" \
	" AND finished_at < ?1 AND id NOT IN" \
	" (SELECT job_id FROM conflicts WHERE status IN " OPEN_STATUSES ")"

int
history_prune(struct history *h, int days, int64_t *removed,
    struct ps_error *err)
{
	static const char *const sql[] = {
		"DELETE FROM job_logs WHERE job_id IN (" PRUNE_JOBS ")",
		"DELETE FROM job_tables WHERE job_id IN (" PRUNE_JOBS ")",
		"DELETE FROM jobs WHERE id IN (" PRUNE_JOBS ")",
		"DELETE FROM conflicts WHERE status = 'resolved'"
		" AND updated_at < ?1",
		"DELETE FROM settings_log WHERE time < ?1",
	};
	sqlite3_stmt	*st;
	double		 cutoff;
	size_t		 i;
	int		 r, outer;

	*removed = 0;
	if (days < 0) {
		ps_error_set(err, PS_ERR_VALUE, "history retention: %d days "
		    "is negative", days);
		return (-1);
	}
	cutoff = util_now() - (double)days * 86400.0;
	if (hist_wbegin(h, &outer, err) != 0)
		return (-1);
	for (i = 0; i < nitems(sql); i++) {
		if ((st = hist_prepare(h, sql[i], err)) == NULL)
			goto fail;
		hb_double(h, st, 1, cutoff);
		r = hist_step(h, st, "pruning", err);
		sqlite3_finalize(st);
		if (r < 0)
			goto fail;
		/* Count the jobs and the conflicts, not logs and tables. */
		if (i >= 2 && i <= 3)
			*removed += sqlite3_changes(h->db);
	}
	if (hist_wend(h, outer, 1, err) != 0) {
		*removed = 0;
		return (-1);
	}
	return (0);

fail:
	*removed = 0;
	hist_wend(h, outer, 0, NULL);
	return (-1);
}
