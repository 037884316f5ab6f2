/*
 * projsync - engine_int.h: what engine.c, engine_schema.c and
 * engine_resolve.c share and no front end needs.
 */
#ifndef PROJSYNC_ENGINE_INT_H
#define PROJSYNC_ENGINE_INT_H

#include "projsync/engine.h"
#include "projsync/db.h"
#include "projsync/log.h"

/* Send a log line to the event callback (and so to the job's log). */
void	engine_log(struct engine_ctx *, int64_t job_id, enum log_level,
	    const char *, ...) __attribute__((format(printf, 4, 5)));

/*
 * Open the configured connection NAME: -1 with PS_ERR_NOT_FOUND ("unknown
 * connection 'NAME'") or the driver's error.
 */
int	engine_open(struct engine_ctx *, const char *name, int timeout_s,
	    struct db_conn **, struct ps_error *);

/*
 * Schema step of a sync for one TABLE on two open connections (SPEC 6).
 * Describes both sides into SDEF and DDEF (left zeroed, name NULL, when the
 * table is absent there), compares them into DIFF (one-way: what the target
 * lacks; BIDIRECTIONAL: both), and when AUTO_MIGRATE applies every minor
 * difference on the side that lacks it (DDL appended to DDL when not NULL;
 * executed unless DRY_RUN; logged through engine_log with JOB_ID), then
 * describes again.  Returns 0, or -1 on a database error.
 */
int	engine_schema_table(struct engine_ctx *, int64_t job_id,
	    struct db_conn *src, struct db_conn *dst, const char *table,
	    int bidirectional, int auto_migrate, int dry_run,
	    struct table_def *sdef, struct table_def *ddef,
	    struct schema_diff *diff, struct strbuf *ddl, struct ps_error *);

/*
 * How one table is compared: the column list (key columns first, in key
 * order, then the other columns both sides have, sorted by name), each
 * side's families, the digest seed, the timestamp column.  Built the same way
 * by a sync and by a resolution, so their digests agree.
 */
struct table_plan {
	char			*table;
	int			 ncols;
	char			**cols;		/* NULL-terminated */
	int			 nkey;
	enum type_family	*sfam;
	enum type_family	*tfam;
	uint64_t		 seed;
	int			 ts_col;	/* index in cols, or -1 */
	int			 self_fk;	/* a self-reference onto the key: 1 */
	int			*fk_cols;	/* with self_fk: NKEY column indexes */
	int			*s_nullable;	/* per column, nullable on source */
	int			*t_nullable;	/* per column, nullable on target */
};

/*
 * Build PLAN for TABLE from both sides' definitions.  TS_OVERRIDE (the
 * --timestamp-column option) wins over the table's timestamp_column setting
 * and over the usual names.  -1 with PS_ERR_NO_KEY when no key can be chosen
 * or a key column is missing on the target.
 */
int	engine_plan(struct engine_ctx *, const char *table,
	    const struct table_def *sdef, const struct table_def *ddef,
	    const char *ts_override, struct table_plan *, struct ps_error *);
void	engine_plan_free(struct table_plan *);

/*
 * For newer-wins: 1 when S is newer, 2 when T is, 0 when it cannot say
 * (either row absent, no timestamp column, a NULL, a tie within SKEW
 * seconds); *WHY says why (static text) when 0.
 */
int	engine_newer(const struct table_plan *, const struct row *s,
	    const struct row *t, double skew, const char **why);

/* Write the row as a JSON object {"col": value, ...}. */
void	engine_row_json(const struct table_plan *, const struct row *,
	    const enum type_family *, struct strbuf *);

#endif
