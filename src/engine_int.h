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

#endif
