/*
 * projsync - daemon.h: running schedules as they come due (SPEC section 9):
 * "projsync daemon" in the foreground, and "daemon --once" for cron.
 */
#ifndef PROJSYNC_DAEMON_H
#define PROJSYNC_DAEMON_H

#include <signal.h>
#include <stdatomic.h>

#include "projsync/common.h"
#include "projsync/conf.h"
#include "projsync/engine.h"

/* How often a running daemon beats and looks for due schedules, at most. */
#define DAEMON_TICK_S		30
/* A daemon whose heartbeat is older than this is taken for dead. */
#define DAEMON_ALIVE_S		(3 * DAEMON_TICK_S)

struct daemon_opts {
	const char	*conf_path;
	const char	*hist_path;
	int		 once;		/* what is due now, then return */
	/*
	 * Set from signal handlers: STOP (SIGTERM, SIGINT) cancels the job
	 * running (its batch in flight rolls back) and ends the loop; RELOAD
	 * (SIGHUP) reloads the configuration before the next look.
	 */
	atomic_int	*stop;
	atomic_int	*reload;
};

/*
 * The sync options of schedule S: the configuration's defaults, then what
 * the schedule sets.  Lists point into S.
 */
void	daemon_sync_opts(const struct schedule_conf *, const struct conf *,
	    struct sync_opts *);

/*
 * Run schedules until *STOP (or, with ONCE, what is due now).  An
 * occurrence is due when it is later than the last one claimed and than
 * the schedule's first sight in the history; only the latest missed
 * occurrence runs.  Each is claimed in the history first, so two runners
 * never run one occurrence twice.  Logs to stderr.  Returns 0 (also when
 * stopped by a signal), or -1 with ERR when the configuration or history
 * cannot be read at start.
 */
int	daemon_run(const struct daemon_opts *, struct ps_error *);

#endif
