/*
 * projsync - notify.c: job notifications outside the terminal: the syslog
 * line and the notification command with the job's facts in its
 * environment.
 *
 * DESIGN
 *
 * The command runs as /bin/sh -c COMMAND through posix_spawn(), which is
 * safe in a process with threads (no code of ours runs between fork and
 * exec).  Everything the child needs, the environment array included, is
 * built before the spawn.  The job's values are only ever environment
 * strings: the command text is the user's, passed as it is, so a connection
 * named "$(rm ...)" is data to the shell, never code.  The child gets
 * /dev/null as standard input, the caller's standard error as its output,
 * an empty signal mask and default dispositions (the engine thread blocks
 * SIGINT, SIGTERM and SIGWINCH, and masks are inherited across exec), and a
 * process group of its own, so a timeout can signal everything it started.
 *
 * Waiting polls waitid(WNOWAIT) with naps growing from 1 ms to 50 ms, so a
 * quick command costs little and no SIGCHLD handler or descriptor is needed.
 * WNOWAIT leaves an ended child a zombie until the final waitpid(), which
 * keeps its pid, and so the process group's id, from being reused while the
 * group is still being signalled.  On timeout the group gets SIGTERM, then
 * after a one-second grace SIGKILL, and the child is always reaped.
 */
#include "projsync/common.h"
#include "projsync/notify.h"
#include "projsync/util.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* glibc 2.34 and later can close the caller's other descriptors. */
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 34)
#define NOTIFY_CLOSEFROM 1
#endif
#endif

#define NOTIFY_GRACE_S		1.0		/* from SIGTERM to SIGKILL */
#define NOTIFY_NAP_MIN_NS	1000000L	/* first poll interval */
#define NOTIFY_NAP_MAX_NS	50000000L	/* longest poll interval */

extern char **environ;

enum notify_class {
	NOTIFY_NONE,
	NOTIFY_FAILURE,
	NOTIFY_CONFLICTS,
	NOTIFY_SUCCESS
};

/* The variables the command gets; inherited ones of these names are dropped. */
static const char *const notify_vars[] = {
	"PROJSYNC_JOB_ID", "PROJSYNC_STATUS", "PROJSYNC_KIND",
	"PROJSYNC_SOURCE", "PROJSYNC_TARGET", "PROJSYNC_CONFLICTS",
	"PROJSYNC_ERRORS", "PROJSYNC_INSERTED", "PROJSYNC_UPDATED",
	"PROJSYNC_DELETED", "PROJSYNC_DURATION", "PROJSYNC_ERROR"
};

/* Names for the signals a command is likely to die of. */
static const struct {
	int		 sig;
	const char	*name;
} notify_signals[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" }, { SIGABRT, "SIGABRT" }, { SIGBUS, "SIGBUS" },
	{ SIGFPE, "SIGFPE" }, { SIGKILL, "SIGKILL" }, { SIGSEGV, "SIGSEGV" },
	{ SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" },
	{ SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" }
};

static enum notify_class
notify_class(enum job_status st)
{
	switch (st) {
	case JOB_FAILED:
	case JOB_COMPLETED_WITH_ERRORS:
	case JOB_CANCELLED:
		return NOTIFY_FAILURE;
	case JOB_COMPLETED_WITH_CONFLICTS:
		return NOTIFY_CONFLICTS;
	case JOB_COMPLETED:
		return NOTIFY_SUCCESS;
	default:
		return NOTIFY_NONE;
	}
}

int
notify_wanted(const struct notify_conf *conf, enum job_status st)
{
	if (conf == NULL)
		return 0;
	switch (notify_class(st)) {
	case NOTIFY_FAILURE:
		return conf->on_failure != 0;
	case NOTIFY_CONFLICTS:
		return conf->on_conflicts != 0;
	case NOTIFY_SUCCESS:
		return conf->on_success != 0;
	default:
		return 0;
	}
}

const char *
notify_kind(enum job_status st)
{
	switch (notify_class(st)) {
	case NOTIFY_FAILURE:
		return "failure";
	case NOTIFY_CONFLICTS:
		return "conflicts";
	case NOTIFY_SUCCESS:
		return "success";
	default:
		return "none";
	}
}

/* Append S (NULL: nothing) with control characters turned into '?'. */
static void
notify_add_clean(struct strbuf *sb, const char *s)
{
	const unsigned char	*p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		sb_addch(sb, *p < 0x20 || *p == 0x7f ? '?' : *p);
}

char *
notify_summary(const struct notify_job *job)
{
	struct strbuf	sb = STRBUF_INIT;

	sb_addf(&sb, "job %" PRId64 " ", job->job_id);
	notify_add_clean(&sb, job->source);
	sb_addstr(&sb, " -> ");
	notify_add_clean(&sb, job->target);
	sb_addf(&sb, ": %s, %" PRId64 " inserted, %" PRId64 " updated, %"
	    PRId64 " deleted, %" PRId64 " pending conflicts, %" PRId64
	    " errors", job_status_name(job->status), job->inserted,
	    job->updated, job->deleted, job->pending_conflicts, job->errors);
	if (job->error != NULL && *job->error != '\0') {
		sb_addstr(&sb, ": ");
		notify_add_clean(&sb, job->error);
	}
	return sb_detach(&sb);
}

/* Whether ENTRY ("NAME=value") sets one of notify_vars. */
static int
notify_is_ours(const char *entry)
{
	size_t	i, n;

	for (i = 0; i < nitems(notify_vars); i++) {
		n = strlen(notify_vars[i]);
		if (strncmp(entry, notify_vars[i], n) == 0 && entry[n] == '=')
			return 1;
	}
	return 0;
}

/*
 * The command's environment: the job's variables first (allocated here,
 * *NOWN of them), then the caller's environment without those names.
 * Returns a NULL-terminated array; free with notify_env_free().
 */
static char **
notify_env(const struct notify_job *job, size_t *nown)
{
	char	**envp, dur[32];
	size_t	  n, i, k;

	n = 0;
	while (environ != NULL && environ[n] != NULL)
		n++;
	envp = xcalloc(n + nitems(notify_vars) + 1, sizeof *envp);
	util_fmt_double(floor(job->duration_s * 1000 + 0.5) / 1000, dur,
	    sizeof dur);

	k = 0;
	xasprintf(&envp[k++], "PROJSYNC_JOB_ID=%" PRId64, job->job_id);
	xasprintf(&envp[k++], "PROJSYNC_STATUS=%s",
	    job_status_name(job->status));
	xasprintf(&envp[k++], "PROJSYNC_KIND=%s", notify_kind(job->status));
	xasprintf(&envp[k++], "PROJSYNC_SOURCE=%s",
	    job->source != NULL ? job->source : "");
	xasprintf(&envp[k++], "PROJSYNC_TARGET=%s",
	    job->target != NULL ? job->target : "");
	xasprintf(&envp[k++], "PROJSYNC_CONFLICTS=%" PRId64,
	    job->pending_conflicts);
	xasprintf(&envp[k++], "PROJSYNC_ERRORS=%" PRId64, job->errors);
	xasprintf(&envp[k++], "PROJSYNC_INSERTED=%" PRId64, job->inserted);
	xasprintf(&envp[k++], "PROJSYNC_UPDATED=%" PRId64, job->updated);
	xasprintf(&envp[k++], "PROJSYNC_DELETED=%" PRId64, job->deleted);
	xasprintf(&envp[k++], "PROJSYNC_DURATION=%s", dur);
	if (job->error != NULL)
		xasprintf(&envp[k++], "PROJSYNC_ERROR=%s", job->error);
	*nown = k;

	for (i = 0; i < n; i++) {
		if (!notify_is_ours(environ[i]))
			envp[k++] = environ[i];
	}
	envp[k] = NULL;
	return envp;
}

static void
notify_env_free(char **envp, size_t nown)
{
	size_t	i;

	if (envp == NULL)
		return;
	for (i = 0; i < nown; i++)
		free(envp[i]);
	free(envp);
}

/*
 * Start /bin/sh -c COMMAND with ENVP in a process group of its own; the
 * child's id goes to *PID.  Returns 0, or -1 with ERR.
 */
static int
notify_spawn(const char *command, char **envp, pid_t *pid,
    struct ps_error *err)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, all;
	char				 sh[] = "sh", dash_c[] = "-c";
	char				*argv[4];
	int				 rc;

	argv[0] = sh;
	argv[1] = dash_c;
	argv[2] = xstrdup(command);
	argv[3] = NULL;

	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	if (fcntl(STDERR_FILENO, F_GETFD) != -1) {
		posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO,
		    STDOUT_FILENO);
	} else {
		/* No standard error to share: the output goes nowhere. */
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
		    "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO,
		    STDERR_FILENO);
	}
#ifdef NOTIFY_CLOSEFROM
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif

	rc = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(argv[2]);
	if (rc != 0) {
		ps_error_set(err, PS_ERR_IO, "notification command: cannot "
		    "run /bin/sh: %s", strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Whether PID has ended, without reaping it: 1 ended, 0 still running, -1
 * when it cannot be waited for (errno set).
 */
static int
notify_ended(pid_t pid)
{
	siginfo_t	si;

	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno == EINTR ? 0 : -1;
	return si.si_pid == pid;
}

/*
 * Wait until PID ends or DEADLINE (util_monotonic() seconds; 0: none)
 * passes.  Returns 1 when it ended, 0 at the deadline, -1 when it cannot be
 * waited for.
 */
static int
notify_wait_until(pid_t pid, double deadline)
{
	struct timespec	ts;
	long		nap = NOTIFY_NAP_MIN_NS;
	int		r;

	for (;;) {
		if ((r = notify_ended(pid)) != 0)
			return r;
		if (deadline > 0 && util_monotonic() >= deadline)
			return 0;
		ts.tv_sec = 0;
		ts.tv_nsec = nap;
		nanosleep(&ts, NULL);
		if ((nap *= 2) > NOTIFY_NAP_MAX_NS)
			nap = NOTIFY_NAP_MAX_NS;
	}
}

static const char *
notify_signal_name(int sig)
{
	size_t	i;

	for (i = 0; i < nitems(notify_signals); i++) {
		if (notify_signals[i].sig == sig)
			return notify_signals[i].name;
	}
	return "?";
}

/*
 * Run COMMAND for JOB and wait for it, TIMEOUT_S seconds at most (0 or less:
 * no limit).  Returns 0 when it exited with status 0, else -1 with ERR.
 */
static int
notify_run(const char *command, const struct notify_job *job, int timeout_s,
    struct ps_error *err)
{
	char	**envp;
	size_t	  nown = 0;
	pid_t	  pid, r;
	int	  ended, status = 0, timed_out = 0, rc = -1;

	envp = notify_env(job, &nown);
	if (notify_spawn(command, envp, &pid, err) != 0)
		goto out;

	ended = notify_wait_until(pid, timeout_s > 0 ?
	    util_monotonic() + timeout_s : 0);
	if (ended == 0) {
		timed_out = 1;
		kill(-pid, SIGTERM);
		ended = notify_wait_until(pid,
		    util_monotonic() + NOTIFY_GRACE_S);
		/* Unreaped, the child still holds the group's id. */
		if (ended != -1)
			kill(-pid, SIGKILL);
	}
	do
		r = waitpid(pid, &status, 0);
	while (r == -1 && errno == EINTR);

	if (r == -1) {
		ps_error_set(err, PS_ERR_IO, "notification command: cannot "
		    "wait for it: %s", strerror(errno));
	} else if (timed_out) {
		ps_error_set(err, PS_ERR_IO, "notification command: timed "
		    "out after %d s", timeout_s);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		ps_error_set(err, PS_ERR_IO, "notification command: exit "
		    "status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		ps_error_set(err, PS_ERR_IO, "notification command: killed "
		    "by signal %d (%s)", WTERMSIG(status),
		    notify_signal_name(WTERMSIG(status)));
	} else
		rc = 0;
out:
	notify_env_free(envp, nown);
	return rc;
}

/* Whether COMMAND holds anything but blanks. */
static int
notify_has_command(const char *command)
{
	if (command == NULL)
		return 0;
	command += strspn(command, " \t\n");
	return *command != '\0';
}

int
notify_job(const struct notify_conf *conf, const struct notify_job *job,
    int timeout_s, struct ps_error *err)
{
	char	*line;
	int	 prio;

	if (job == NULL || !notify_wanted(conf, job->status))
		return 0;

	switch (notify_class(job->status)) {
	case NOTIFY_FAILURE:
		prio = LOG_ERR;
		break;
	case NOTIFY_CONFLICTS:
		prio = LOG_WARNING;
		break;
	default:
		prio = LOG_INFO;
		break;
	}
	line = notify_summary(job);
	openlog("projsync", LOG_PID, LOG_USER);
	syslog(prio, "%s", line);
	free(line);

	if (!notify_has_command(conf->command))
		return 0;
	return notify_run(conf->command, job, timeout_s, err);
}
