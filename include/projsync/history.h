/*
 * projsync - history.h: the local SQLite history (SPEC sections 2, 4, 5):
 * jobs and their per-table counts, job logs, conflicts, the base state of
 * every synced pair and table, retention.  WAL mode and a busy timeout, so a
 * terminal session, a daemon and cron runs may share one file.  The schema is
 * versioned (PRAGMA user_version) and migrated forward on open.
 *
 * A struct history is one writer connection plus a reader used for the base
 * scan (which must see the base as it was when the table's merge started).
 * It belongs to one thread.
 */
#ifndef PROJSYNC_HISTORY_H
#define PROJSYNC_HISTORY_H

#include "projsync/common.h"
#include "projsync/value.h"

struct history;

/* Counts of a job or of one table in it (SPEC section 7, sync --json). */
struct sync_counts {
	int64_t	rows_compared;
	int64_t	inserted;
	int64_t	updated;
	int64_t	deleted;
	int64_t	conflicts;
	int64_t	pending_conflicts;
	int64_t	errors;
};

/*
 * Open (creating folders and the file, mode 0600) and migrate.  -1 with
 * PS_ERR_IO naming the file when it cannot be opened or is not a history.
 */
int	history_open(const char *path, struct history **, struct ps_error *);
void	history_close(struct history *);
const char *history_path(const struct history *);

/*
 * Writer transactions (BEGIN IMMEDIATE); nestable by count.  Only the
 * outermost begin, commit or rollback reaches SQLite.  An inner rollback
 * dooms the transaction: the outermost commit then rolls back and returns -1.
 * Functions below that write several rows (job tables, conflict record,
 * prune) use a savepoint inside the caller's transaction: when one fails,
 * its own writes are undone and the caller's transaction goes on.
 */
int	history_begin(struct history *, struct ps_error *);
int	history_commit(struct history *, struct ps_error *);
int	history_rollback(struct history *, struct ps_error *);

/*
 * The id of the unordered pair {A, B} (created on first use): (A, B) and
 * (B, A) give the same id.  -1 with PS_ERR_VALUE for an empty name.
 */
int	history_pair_id(struct history *, const char *a, const char *b,
	    int64_t *, struct ps_error *);

/* ---- jobs ---- */

struct job_row {
	int64_t		 id;
	char		*kind;		/* "sync", "resolve", "migrate" */
	char		*source;
	char		*target;
	char		*options;	/* JSON object of the options used */
	char		*os_user;
	char		*status;	/* "running", "completed", ... */
	int		 dry_run;
	double		 started_at;	/* epoch seconds */
	double		 finished_at;	/* 0 while running */
	struct sync_counts counts;
	double		 duration_s;
	double		 rows_per_s;
	char		*error;		/* the reason a job failed, or NULL */
};

struct job_table_row {
	char		*name;
	char		*status;	/* "synced", "skipped", "failed" */
	char		*message;	/* why skipped or failed; NULL */
	struct sync_counts counts;
};

/*
 * Insert a job with status "running"; J->id is set.  started_at defaults to
 * now (and is then set in J); os_user defaults to util_os_user().
 */
int	history_job_start(struct history *, struct job_row *, struct ps_error *);
/*
 * Set status, counts, finished_at (0: now), duration, rows/s and error of job
 * J->id; PS_ERR_NOT_FOUND "no job ID".
 */
int	history_job_finish(struct history *, const struct job_row *,
	    struct ps_error *);
/* Replace the per-table rows of a job (kept in the order given). */
int	history_job_tables(struct history *, int64_t job_id,
	    const struct job_table_row *, int n, struct ps_error *);
/* One job; PS_ERR_NOT_FOUND "no job ID". */
int	history_job_get(struct history *, int64_t, struct job_row *,
	    struct ps_error *);
/* The most recent LIMIT jobs (0: all), newest first. */
int	history_job_list(struct history *, int limit, struct job_row **, int *,
	    struct ps_error *);
int	history_job_get_tables(struct history *, int64_t,
	    struct job_table_row **, int *, struct ps_error *);
void	job_row_free(struct job_row *);
void	job_rows_free(struct job_row *, int);
void	job_table_rows_free(struct job_table_row *, int);

/* ---- job logs ---- */

struct log_row {
	double	 time;
	char	*level;		/* "error", "warn", "info", "debug" */
	char	*message;
};

/* Append a line to a job's log, timed now; LEVEL is one of the four above. */
int	history_log(struct history *, int64_t job_id, const char *level,
	    const char *message, struct ps_error *);
/* A job's log lines in the order they were written. */
int	history_logs(struct history *, int64_t job_id, struct log_row **, int *,
	    struct ps_error *);
void	log_rows_free(struct log_row *, int);

/* ---- base state ---- */

struct base_cursor;
/*
 * Read the base of (PAIR, TABLE) ordered by key (memcmp of the encoded key)
 * from a snapshot taken now; writes made meanwhile are not seen.
 */
int	history_base_scan(struct history *, int64_t pair, const char *table,
	    struct base_cursor **, struct ps_error *);
/*
 * 1 and the next key/digest (valid until the next call), 0 at end, -1 error.
 * One base cursor is open at a time per struct history; free it before
 * history_close() (after, it can still be freed but no longer read).
 */
int	history_base_next(struct base_cursor *, const void **key, size_t *keylen,
	    const unsigned char **digest, struct ps_error *);
void	history_base_cursor_free(struct base_cursor *);
/* One key's digest: 1 found, 0 absent, -1 error. */
int	history_base_get(struct history *, int64_t pair, const char *table,
	    const void *key, size_t keylen, unsigned char digest[DIGEST_LEN],
	    struct ps_error *);
/* Set (DIGEST non-NULL) or delete (DIGEST NULL) one key's base. */
int	history_base_put(struct history *, int64_t pair, const char *table,
	    const void *key, size_t keylen, const unsigned char *digest,
	    struct ps_error *);

/* ---- conflicts ---- */

struct conflict_row {
	int64_t	 id;
	int64_t	 job_id;	/* the job that last met it */
	int64_t	 pair_id;
	char	*source;	/* connection names as the job had them */
	char	*target;
	int	 bidirectional;
	char	*table;
	void	*key;		/* encoded key (key_encode) */
	size_t	 keylen;
	char	*key_json;	/* {"id":"42"} */
	char	*kind;		/* "update/update", "none/delete", ... */
	char	*columns;	/* JSON array of differing column names */
	char	*source_row;	/* JSON object or NULL (absent) */
	char	*target_row;	/* JSON object or NULL (absent) */
	int	 has_base;
	unsigned char base_digest[DIGEST_LEN];
	int	 has_source;	/* the source row was present */
	unsigned char source_digest[DIGEST_LEN];
	int	 has_target;
	unsigned char target_digest[DIGEST_LEN];
	char	*timestamp_column;	/* NULL when none */
	char	*status;	/* "pending", "ignored", "resolved", "stale" */
	char	*strategy;	/* the strategy that met or settled it */
	char	*outcome;	/* "source", "target", "merged", "deleted", "converged"; NULL */
	char	*result_row;	/* JSON of the values written, or NULL */
	char	*note;
	char	*resolved_by;	/* OS user */
	double	 resolved_at;
	double	 created_at;
	double	 updated_at;
};

/*
 * Record a conflict met by a job.  If an open one (pending, ignored or
 * stale) exists for the same pair, table and key, it is refreshed in place
 * (versions, kind, columns, job, status; an ignored one whose versions did
 * not change stays ignored) and C->id is set to it; else a new one is
 * inserted.
 *
 * C->status NULL means "pending".  The resolution fields (strategy, outcome,
 * result_row, resolved_by, resolved_at) are written from C as well, so a
 * strategy that settles a conflict records it "resolved" in one call; for a
 * resolved one, resolved_by defaults to the OS user and resolved_at to now.
 * A refresh keeps the stored note unless C->note is set.  C->status is not
 * changed: when an ignored conflict stays ignored, history_conflict_get()
 * tells so.
 */
int	history_conflict_record(struct history *, struct conflict_row *,
	    struct ps_error *);
int	history_conflict_get(struct history *, int64_t, struct conflict_row *,
	    struct ps_error *);

struct conflict_filter {
	int64_t		 job_id;	/* 0: any */
	const char	*table;		/* NULL: any */
	const char	*status;	/* NULL or "pending"; "all" for any */
	const char	*column;	/* NULL: any; else among the differing columns */
	int64_t		 pair_id;	/* 0: any */
	int		 limit;		/* 0: no limit */
};
/*
 * Matching conflicts, oldest first (by id).  An unknown status gives
 * PS_ERR_VALUE naming it.
 */
int	history_conflict_list(struct history *, const struct conflict_filter *,
	    struct conflict_row **, int *, struct ps_error *);
/* How many match, without fetching them. */
int	history_conflict_count(struct history *, const struct conflict_filter *,
	    int64_t *, struct ps_error *);
/* Open conflicts counted by the source and target as recorded, and table. */
struct conflict_group {
	char	*source;
	char	*target;
	char	*table;
	int64_t	 pending;
	int64_t	 ignored;
};
/* The groups, ordered by source, target and table. */
int	history_conflict_groups(struct history *, struct conflict_group **,
	    int *, struct ps_error *);
void	conflict_groups_free(struct conflict_group *, int);
/*
 * Set status and resolution fields of conflict C->id from C (status,
 * strategy, outcome, result_row, note, resolved_by, resolved_at), and
 * updated_at to now.  For "resolved", resolved_by defaults to the OS user and
 * resolved_at to now.  PS_ERR_NOT_FOUND "no conflict ID"; PS_ERR_CONSTRAINT
 * when reopening it would make two open conflicts for one key.
 */
int	history_conflict_update(struct history *, const struct conflict_row *,
	    struct ps_error *);
/*
 * Open conflicts of (PAIR, TABLE), ordered by key: the ids and encoded keys,
 * so a sync can settle the ones whose rows have become equal.
 */
struct open_conflict {
	int64_t	 id;
	void	*key;
	size_t	 keylen;
};
int	history_conflict_open_keys(struct history *, int64_t pair,
	    const char *table, struct open_conflict **, int *, struct ps_error *);
void	open_conflicts_free(struct open_conflict *, int);
void	conflict_row_free(struct conflict_row *);
void	conflict_rows_free(struct conflict_row *, int);

/* ---- schedules and daemons ---- */

/* What the history knows of a schedule's runs (times 0 when never). */
struct schedule_run {
	char	*name;
	double	 created_at;	/* first known: earlier occurrences never run */
	double	 last_due;	/* the occurrence last claimed */
	char	*claimed_by;	/* "host:pid" */
	double	 claimed_at;
	int64_t	 last_job_id;
	char	*last_status;	/* the job's status, NULL while it runs */
	double	 last_finished_at;
};
/* 1 with R filled, 0 when the schedule was never seen, -1 on error. */
int	history_schedule_get(struct history *, const char *name,
	    struct schedule_run *, struct ps_error *);
/* Record that schedule NAME exists from NOW on (no-op when known). */
int	history_schedule_seen(struct history *, const char *name, double now,
	    struct ps_error *);
/*
 * Count schedule NAME as known from NOW (it was enabled again): the
 * occurrences it missed while disabled never run.  Its last run stays.
 */
int	history_schedule_restart(struct history *, const char *name,
	    double now, struct ps_error *);
/* Forget NAME's runs (the schedule was removed). */
int	history_schedule_forget(struct history *, const char *name,
	    struct ps_error *);
/*
 * Claim the occurrence DUE of schedule NAME for WHO, atomically: 1 when
 * this caller got it (it was later than the last one claimed and not
 * before the schedule was known), 0 when another runner has it or it is
 * too old, -1 on error.
 */
int	history_schedule_claim(struct history *, const char *name, double due,
	    const char *who, double now, struct ps_error *);
/* Record the job a claimed occurrence ran and how it ended. */
int	history_schedule_done(struct history *, const char *name,
	    int64_t job_id, const char *status, double now, struct ps_error *);
void	schedule_run_free(struct schedule_run *);

struct daemon_row {
	char	*id;		/* "host:pid" */
	char	*host;
	int	 pid;
	double	 started_at;
	double	 heartbeat_at;
	double	 stopped_at;	/* 0 while it runs */
};
/* Insert or refresh daemon ID's heartbeat; STOPPING records its end. */
int	history_daemon_beat(struct history *, const char *id, const char *host,
	    int pid, double started_at, double now, int stopping,
	    struct ps_error *);
/* The daemon that beat last: 1 found, 0 none ever, -1 error. */
int	history_daemon_latest(struct history *, struct daemon_row *,
	    struct ps_error *);
void	daemon_row_free(struct daemon_row *);

/* ---- settings changes (SPEC section 2: who changed what) ---- */

struct settings_row {
	double	 time;
	char	*os_user;
	char	*what;
};
/* Record WHAT (one line) as changed now by the OS user. */
int	history_settings_log(struct history *, const char *what,
	    struct ps_error *);
/* The last LIMIT changes (0: all), newest first. */
int	history_settings_list(struct history *, int limit,
	    struct settings_row **, int *, struct ps_error *);
void	settings_rows_free(struct settings_row *, int);

/* ---- retention ---- */

/*
 * Delete jobs (with their logs and tables) and closed conflicts older than
 * DAYS: jobs finished before now - DAYS days that no open conflict refers
 * to, and resolved conflicts last updated before then.  Running jobs and the
 * base state are never pruned.  *REMOVED = jobs + conflicts deleted.
 */
int	history_prune(struct history *, int days, int64_t *removed,
	    struct ps_error *);

#endif
