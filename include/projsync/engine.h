/*
 * projsync - engine.h: the sync engine.  Every front end (the command line
 * now, the terminal application's engine thread later) drives databases only
 * through these calls.  They run on the calling thread, report progress and
 * log lines through an event callback, and check a cancel flag between
 * batches.
 */
#ifndef PROJSYNC_ENGINE_H
#define PROJSYNC_ENGINE_H

#include <stdatomic.h>

#include "projsync/common.h"
#include "projsync/history.h"
#include "projsync/schema.h"

struct conf;

enum strategy {
	STRAT_MANUAL,
	STRAT_SOURCE_WINS,
	STRAT_TARGET_WINS,
	STRAT_NEWER_WINS,
	STRAT_IGNORE
};
const char	*strategy_name(enum strategy);	/* "source-wins" */
int		 strategy_parse(const char *, enum strategy *);	/* -1 unknown */

enum job_status {
	JOB_RUNNING,
	JOB_COMPLETED,
	JOB_COMPLETED_WITH_CONFLICTS,
	JOB_COMPLETED_WITH_ERRORS,
	JOB_FAILED,
	JOB_CANCELLED
};
const char	*job_status_name(enum job_status);	/* "completed_with_conflicts" */
/* The command line's exit status for a job status: 0, 1 or 3. */
int		 job_status_exit(enum job_status);

struct sync_opts {
	const char	*source;	/* connection names */
	const char	*target;
	char *const	*tables;	/* NULL-terminated; NULL: every table */
	char *const	*exclude;	/* NULL-terminated; may be NULL */
	int		 bidirectional;
	enum strategy	 strategy;
	const char	*timestamp_column;	/* NULL: per table, or found */
	int		 schema_check;
	int		 auto_migrate;
	int		 batch_size;
	int		 single_transaction;
	int		 stop_on_error;
	int		 dry_run;
	const char	*sql_file;	/* with dry_run: write the statements here */
	double		 clock_skew;	/* seconds */
	int		 connect_timeout;	/* seconds */
};
/* Fill OPTS from the configuration's defaults (names and lists left NULL). */
void	sync_opts_defaults(struct sync_opts *, const struct conf *);

struct table_result {
	char			*name;
	char			*status;	/* "synced", "skipped", "failed" */
	char			*message;
	struct sync_counts	 counts;
};

struct job_result {
	int64_t			 job_id;
	enum job_status		 status;
	struct sync_counts	 counts;
	double			 duration_s;
	int			 ntables;
	struct table_result	*tables;
};
void	job_result_free(struct job_result *);

enum engine_event_type {
	EV_JOB_STARTED,		/* job_id */
	EV_TABLE_STARTED,	/* table, total (estimated rows, -1 unknown) */
	EV_PROGRESS,		/* table, done, total, counts (about 10 a second) */
	EV_LOG,			/* level, message (also written to the history) */
	EV_TABLE_DONE,		/* table, counts */
	EV_JOB_DONE		/* job_id, counts, status */
};

struct engine_event {
	enum engine_event_type	 type;
	int64_t			 job_id;
	const char		*table;
	int64_t			 done;
	int64_t			 total;
	const struct sync_counts *counts;
	int			 level;		/* enum log_level */
	const char		*message;
	enum job_status		 status;
};

typedef void (*engine_event_cb)(const struct engine_event *, void *);

struct engine_ctx {
	struct conf		*conf;
	struct history		*hist;
	engine_event_cb		 cb;	/* may be NULL */
	void			*cb_arg;
	atomic_int		*cancel;	/* may be NULL; non-zero cancels */
};

/*
 * Run one sync job.  The job is recorded in the history (a dry run as a
 * dry-run job with no conflicts and no base changes).  Returns 0 when the job
 * ran to an end (RESULT->status says how: completed, with conflicts, with
 * errors, failed by --stop-on-error, cancelled), or -1 with ERR when it could
 * not run (unknown connection, connection refused, bad options); a job that
 * was started is then recorded as failed and RESULT->job_id is set.
 */
int	engine_sync(struct engine_ctx *, const struct sync_opts *,
	    struct job_result *, struct ps_error *);

/* ---- conflict resolution (SPEC section 5) ---- */

struct resolve_opts {
	/*
	 * The version to start from: STRAT_SOURCE_WINS (source),
	 * STRAT_TARGET_WINS (target), STRAT_NEWER_WINS (later timestamp), or
	 * STRAT_MANUAL for "source, then overrides" when only --set/--null are
	 * given.
	 */
	enum strategy	 strategy;
	int		 nset;
	char *const	*set_cols;	/* --set COL=VALUE, typed by COL's family */
	char *const	*set_vals;
	int		 nnull;
	char *const	*null_cols;	/* --null COL */
	const char	*note;
	double		 clock_skew;
	int		 connect_timeout;
};

/*
 * Resolve conflict ID: re-read both rows, and if either no longer matches
 * the recorded version mark it stale, write nothing and return -1 with
 * PS_ERR_STALE; else write the chosen row, record the resolution and update
 * the base.  -1 with PS_ERR_NOT_FOUND, PS_ERR_USAGE (unknown column, a value
 * that does not fit, a resolved conflict) or a database error otherwise.
 */
int	engine_resolve(struct engine_ctx *, int64_t id, const struct resolve_opts *,
	    struct ps_error *);

struct resolve_summary {
	int64_t	matched;
	int64_t	resolved;
	int64_t	stale;
	int64_t	failed;
};
/*
 * Resolve every pending (and ignored) conflict matching FILTER with OPTS
 * (no field overrides).  Stale and failing ones are counted and logged; the
 * rest go on.  Returns 0, or -1 when nothing could be attempted.
 */
int	engine_resolve_all(struct engine_ctx *, const struct conflict_filter *,
	    const struct resolve_opts *, struct resolve_summary *,
	    struct ps_error *);

/* ---- schema (SPEC section 6) ---- */

struct schema_report {
	int			 ntables;
	struct schema_diff	*tables;	/* one per table compared */
};
void	schema_report_free(struct schema_report *);

/* Compare SOURCE and TARGET table by table (TABLES NULL: all on the source). */
int	engine_schema_diff(struct engine_ctx *, const char *source,
	    const char *target, char *const *tables, int bidirectional,
	    struct schema_report *, struct ps_error *);
/*
 * Apply the minor differences (create missing tables, add missing columns,
 * widen narrower ones) to the side that lacks them, and report the major
 * ones.  With DRY_RUN nothing is executed.  The DDL run (or that would run)
 * is appended to DDL, one statement per line, each prefixed by "-- CONN\n".
 * Returns 0 when every minor difference was migrated, -1 on a failure.
 */
int	engine_schema_migrate(struct engine_ctx *, const char *source,
	    const char *target, char *const *tables, int dry_run,
	    struct schema_report *, struct strbuf *ddl, struct ps_error *);

/* ---- connections ---- */

/* Connect, ask the server's version, close; LATENCY_MS covers it all. */
int	engine_conn_test(struct engine_ctx *, const char *name, int timeout_s,
	    double *latency_ms, char **version, struct ps_error *);

#endif
