/*
 * projsync - notify.h: job notifications (SPEC section 9) outside the
 * terminal: one syslog line and the optional notification command, run with
 * the job's facts in its environment.  The terminal application's bell and
 * status line are its own.
 *
 * Every call is safe from any thread: nothing is kept between calls but
 * syslog's connection.  The command is spawned with posix_spawn(), so the
 * caller must not ignore SIGCHLD nor reap children it did not start (a
 * waitpid(-1, ...) elsewhere could take the command's exit status).
 */
#ifndef PROJSYNC_NOTIFY_H
#define PROJSYNC_NOTIFY_H

#include "projsync/common.h"
#include "projsync/conf.h"
#include "projsync/engine.h"

/* The facts of a finished job, as the notification tells them. */
struct notify_job {
	int64_t		 job_id;		/* history id */
	enum job_status	 status;		/* how the job ended */
	const char	*source;		/* connection names; NULL: "" */
	const char	*target;
	int64_t		 pending_conflicts;	/* conflicts left to resolve */
	int64_t		 errors;		/* rows that failed */
	int64_t		 inserted;		/* rows written to the target */
	int64_t		 updated;
	int64_t		 deleted;
	double		 duration_s;		/* wall time of the job */
	const char	*error;			/* why it failed, or NULL */
};

/*
 * Whether CONF asks for a notification of a job that ended as STATUS: failed,
 * completed_with_errors and cancelled are failures (on_failure),
 * completed_with_conflicts is conflicts (on_conflicts), completed is success
 * (on_success).  A running job or a NULL CONF never notifies.  Returns 1 or 0.
 */
int		 notify_wanted(const struct notify_conf *, enum job_status);

/*
 * The kind of notification STATUS gives: "failure", "conflicts" or
 * "success"; "none" for a running job.  Static text.
 */
const char	*notify_kind(enum job_status);

/*
 * One line about JOB, e.g. "job 12 demo-dev -> demo-prod:
 * completed_with_conflicts, 8 inserted, 4 updated, 7 deleted, 5 pending
 * conflicts, 0 errors", followed by ": ERROR" when JOB->error is set.
 * Control characters in the names and the error become '?'.  The caller
 * frees the result.
 */
char		*notify_summary(const struct notify_job *);

/*
 * Notify about JOB when CONF wants it (notify_wanted): write the summary to
 * syslog (ident "projsync", LOG_USER; LOG_ERR for a failure, LOG_WARNING for
 * conflicts, LOG_INFO for success), then, when CONF->command holds more than
 * blanks, run it as /bin/sh -c COMMAND.  The command gets the caller's
 * environment plus PROJSYNC_JOB_ID, PROJSYNC_STATUS, PROJSYNC_KIND,
 * PROJSYNC_SOURCE, PROJSYNC_TARGET, PROJSYNC_CONFLICTS (pending),
 * PROJSYNC_ERRORS, PROJSYNC_INSERTED, PROJSYNC_UPDATED, PROJSYNC_DELETED,
 * PROJSYNC_DURATION (seconds, '.' as the decimal point) and, when
 * JOB->error is set, PROJSYNC_ERROR; inherited variables of those names are
 * dropped.  The job's values travel only in the environment, never in the
 * command text.  Its standard input is /dev/null, its output goes to the
 * caller's standard error, signals start at their defaults and unblocked,
 * and it runs in a process group of its own.  It is waited for at most
 * TIMEOUT_S seconds (0 or less: until it ends); then its group gets SIGTERM
 * and, a second later, SIGKILL, and the command is reaped.
 *
 * Returns 0 when nothing was wanted or everything went well, -1 with ERR
 * (PS_ERR_IO) naming what went wrong: "notification command: exit status
 * 3", "... killed by signal 9 (SIGKILL)", "... timed out after 30 s", or
 * why it could not start.  A failed notification does not change the job.
 */
int		 notify_job(const struct notify_conf *,
		    const struct notify_job *, int timeout_s,
		    struct ps_error *);

#endif
