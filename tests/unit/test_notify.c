/*
 * projsync - test_notify.c: job notifications: which statuses notify under
 * every switch, the summary line, the command's environment (hostile names
 * arriving intact and never run), what the child starts with (standard
 * input, output, process group, signals), switched-off and empty commands,
 * exit statuses and signals, timeouts that leave no process behind, and
 * calls from several threads at once.
 */
#include "projsync/common.h"

#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "projsync/notify.h"
#include "testutil.h"

#define NTHREADS	4

/* Print every variable the command gets, '|' between them, to $NOTIFY_OUT. */
#define PRINT_ALL \
	"printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s' \"$PROJSYNC_JOB_ID\" " \
	"\"$PROJSYNC_STATUS\" \"$PROJSYNC_KIND\" \"$PROJSYNC_SOURCE\" " \
	"\"$PROJSYNC_TARGET\" \"$PROJSYNC_CONFLICTS\" \"$PROJSYNC_ERRORS\" " \
	"\"$PROJSYNC_INSERTED\" \"$PROJSYNC_UPDATED\" \"$PROJSYNC_DELETED\" " \
	"\"$PROJSYNC_DURATION\" \"$PROJSYNC_ERROR\" > \"$NOTIFY_OUT\""

struct fx {
	char			*dir;
	char			*out;	/* $NOTIFY_OUT */
	char			*out2;	/* $NOTIFY_OUT2 */
	char			 command[1024];
	struct notify_conf	 conf;
	struct notify_job	 job;
};

static int
setup(void **state)
{
	struct fx	*fx;

	fx = xcalloc(1, sizeof *fx);
	fx->dir = tu_tmpdir();
	fx->out = tu_path(fx->dir, "out");
	fx->out2 = tu_path(fx->dir, "out2");
	setenv("NOTIFY_DIR", fx->dir, 1);
	setenv("NOTIFY_OUT", fx->out, 1);
	setenv("NOTIFY_OUT2", fx->out2, 1);
	fx->conf.on_failure = 1;
	fx->conf.on_conflicts = 1;
	fx->conf.on_success = 1;
	fx->conf.bell = 1;
	fx->conf.command = fx->command;
	fx->job.job_id = 12;
	fx->job.status = JOB_COMPLETED_WITH_CONFLICTS;
	fx->job.source = "demo-dev";
	fx->job.target = "demo-prod";
	fx->job.pending_conflicts = 5;
	fx->job.errors = 0;
	fx->job.inserted = 8;
	fx->job.updated = 4;
	fx->job.deleted = 7;
	fx->job.duration_s = 3.14159;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	unsetenv("NOTIFY_DIR");
	unsetenv("NOTIFY_OUT");
	unsetenv("NOTIFY_OUT2");
	tu_rmrf(fx->dir);
	free(fx->dir);
	free(fx->out);
	free(fx->out2);
	free(fx);
	return 0;
}

static void
set_command(struct fx *fx, const char *command)
{
	assert_true(strlen(command) < sizeof fx->command);
	strcpy(fx->command, command);
}

/* The whole of PATH, or NULL when it does not exist; the caller frees. */
static char *
slurp(const char *path)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		 buf[4096];
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		assert_int_equal(errno, ENOENT);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, n);
	assert_false(ferror(f));
	fclose(f);
	sb_addstr(&sb, "");
	return sb_detach(&sb);
}

static int
exists(const char *path)
{
	struct stat	st;

	return lstat(path, &st) == 0;
}

/* A process id the command wrote to PATH. */
static pid_t
read_pid(const char *path)
{
	char		*text, *end;
	long		 pid;

	text = slurp(path);
	if (text == NULL)
		fail_msg("%s: the command wrote no process id", path);
	pid = strtol(text, &end, 10);
	assert_true(end != text && pid > 1);
	free(text);
	return (pid_t)pid;
}

static void
assert_gone(pid_t pid)
{
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void
test_wanted_matrix(void **state)
{
	struct notify_conf	c;
	int			f, k, s;

	(void)state;
	memset(&c, 0, sizeof c);
	for (f = 0; f <= 1; f++)
	for (k = 0; k <= 1; k++)
	for (s = 0; s <= 1; s++) {
		c.on_failure = f;
		c.on_conflicts = k;
		c.on_success = s;
		assert_int_equal(notify_wanted(&c, JOB_RUNNING), 0);
		assert_int_equal(notify_wanted(&c, JOB_COMPLETED), s);
		assert_int_equal(notify_wanted(&c,
		    JOB_COMPLETED_WITH_CONFLICTS), k);
		assert_int_equal(notify_wanted(&c,
		    JOB_COMPLETED_WITH_ERRORS), f);
		assert_int_equal(notify_wanted(&c, JOB_FAILED), f);
		assert_int_equal(notify_wanted(&c, JOB_CANCELLED), f);
	}
	/* Any non-zero switch is on. */
	c.on_failure = c.on_conflicts = c.on_success = 2;
	assert_int_equal(notify_wanted(&c, JOB_FAILED), 1);
	assert_int_equal(notify_wanted(&c, JOB_COMPLETED), 1);
	assert_int_equal(notify_wanted(NULL, JOB_FAILED), 0);
}

static void
test_kind(void **state)
{
	(void)state;
	assert_string_equal(notify_kind(JOB_RUNNING), "none");
	assert_string_equal(notify_kind(JOB_COMPLETED), "success");
	assert_string_equal(notify_kind(JOB_COMPLETED_WITH_CONFLICTS),
	    "conflicts");
	assert_string_equal(notify_kind(JOB_COMPLETED_WITH_ERRORS),
	    "failure");
	assert_string_equal(notify_kind(JOB_FAILED), "failure");
	assert_string_equal(notify_kind(JOB_CANCELLED), "failure");
}

static void
test_summary(void **state)
{
	struct fx	*fx = *state;
	char		*s;

	s = notify_summary(&fx->job);
	assert_string_equal(s, "job 12 demo-dev -> demo-prod: "
	    "completed_with_conflicts, 8 inserted, 4 updated, 7 deleted, "
	    "5 pending conflicts, 0 errors");
	free(s);

	fx->job.status = JOB_FAILED;
	fx->job.source = "a\nb\x7f";
	fx->job.target = NULL;
	fx->job.errors = 2;
	fx->job.error = "connection refused\r\n\xf0\x9f\x98\x80";
	s = notify_summary(&fx->job);
	assert_string_equal(s, "job 12 a?b? -> : failed, 8 inserted, "
	    "4 updated, 7 deleted, 5 pending conflicts, 2 errors: "
	    "connection refused??\xf0\x9f\x98\x80");
	free(s);
}

static void
test_env_exact(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	char		*source, *target, *want, *got, *x, *y;

	x = tu_path(fx->dir, "x");
	y = tu_path(fx->dir, "y");
	xasprintf(&source, "it's \"my\" db $(touch %s) `touch %s` ; | & \\ "
	    "$HOME \xf0\x9f\x98\x80", x, y);
	xasprintf(&target, "'; touch %s; echo '", x);
	fx->job.source = source;
	fx->job.target = target;
	fx->job.error = "two\nlines, 'quoted' \"too\" $(touch /nonexistent)";
	set_command(fx, PRINT_ALL);

	memset(&err, 0, sizeof err);
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	xasprintf(&want, "12|completed_with_conflicts|conflicts|%s|%s|5|0|8|4|"
	    "7|3.142|%s", source, target, fx->job.error);
	got = slurp(fx->out);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_false(exists(x));
	assert_false(exists(y));

	free(got);
	free(want);
	free(source);
	free(target);
	free(x);
	free(y);
}

static void
test_env_inherited(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	char		*got;

	setenv("PROJSYNC_ERROR", "stale", 1);
	setenv("PROJSYNC_STATUS", "stale", 1);
	setenv("PROJSYNC_TEST_KEPT", "kept", 1);
	fx->job.status = JOB_COMPLETED;
	fx->job.source = NULL;
	fx->job.error = NULL;
	fx->job.duration_s = 0;
	set_command(fx, "printf '%s|%s|%s|%s|%s' \"${PROJSYNC_ERROR-unset}\" "
	    "\"$PROJSYNC_STATUS\" \"$PROJSYNC_TEST_KEPT\" "
	    "\"${PROJSYNC_SOURCE-unset}\" \"$PROJSYNC_DURATION\" "
	    "> \"$NOTIFY_OUT\"");
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	unsetenv("PROJSYNC_ERROR");
	unsetenv("PROJSYNC_STATUS");
	unsetenv("PROJSYNC_TEST_KEPT");
	got = slurp(fx->out);
	assert_non_null(got);
	assert_string_equal(got, "unset|completed|kept||0");
	free(got);
}

/*
 * The child reads /dev/null, writes to the caller's standard error, leads
 * a process group of its own, and starts with no signal blocked or ignored
 * even when the calling thread blocks SIGTERM and SIGPIPE is ignored.
 */
static void
test_child_setup(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	struct sigaction sa, old_sa;
	sigset_t	 block, old_mask;
	char		*errpath, *got, *want, *p;
	unsigned long long blocked, ignored;
	long		 pid;
	int		 fd, saved, saved_in, rc;

#ifndef __linux__
	skip();
#endif
	/* Builtins only until the masks are read: dash blocks all to fork. */
	set_command(fx, "read -r pid comm state ppid pgrp rest "
	    "< /proc/$$/stat; while read -r k v; do case $k in "
	    "SigBlk:) blk=$v;; SigIgn:) ign=$v;; esac; done < /proc/$$/status; "
	    "printf '%s %s %s\\nSigBlk:\\t%s\\nSigIgn:\\t%s\\n' "
	    "\"$(readlink /proc/$$/fd/0)\" \"$$\" \"$pgrp\" \"$blk\" \"$ign\" "
	    "> \"$NOTIFY_OUT\"; echo to-stdout; echo to-stderr >&2");
	errpath = tu_path(fx->dir, "stderr");
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGPIPE, &sa, &old_sa), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved != -1);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	/* Whatever the test's own input is, the command must not get it. */
	saved_in = dup(STDIN_FILENO);
	assert_true(saved_in != -1);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);

	rc = notify_job(&fx->conf, &fx->job, 30, &err);

	assert_int_equal(dup2(saved_in, STDIN_FILENO), STDIN_FILENO);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved_in);
	close(saved);
	close(fd);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old_mask, NULL), 0);
	assert_int_equal(sigaction(SIGPIPE, &old_sa, NULL), 0);
	assert_int_equal(rc, 0);

	got = slurp(fx->out);
	assert_non_null(got);
	assert_int_equal(sscanf(got, "/dev/null %ld", &pid), 1);
	xasprintf(&want, "/dev/null %ld %ld\nSigBlk:\t", pid, pid);
	assert_int_equal(strncmp(got, want, strlen(want)), 0);
	p = got + strlen(want);
	blocked = strtoull(p, &p, 16);
	assert_int_equal(strncmp(p, "\nSigIgn:\t", 9), 0);
	ignored = strtoull(p + 9, &p, 16);
	assert_string_equal(p, "\n");
	assert_int_equal(blocked, 0);
	/* Signals 1 to 31; glibc keeps its own (32, 33) ignored. */
	assert_int_equal(ignored & 0x7fffffffULL, 0);
	free(got);
	free(want);
	got = slurp(errpath);
	assert_string_equal(got, "to-stdout\nto-stderr\n");
	free(got);
	free(errpath);
	assert_gone((pid_t)pid);
}

static void
test_not_wanted(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;

	set_command(fx, "echo ran > \"$NOTIFY_OUT\"");
	memset(&err, 0, sizeof err);

	fx->conf.on_success = 0;
	fx->job.status = JOB_COMPLETED;
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	assert_false(exists(fx->out));

	fx->conf.on_conflicts = 0;
	fx->job.status = JOB_COMPLETED_WITH_CONFLICTS;
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	assert_false(exists(fx->out));

	fx->conf.on_failure = 0;
	fx->job.status = JOB_CANCELLED;
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	assert_false(exists(fx->out));

	fx->conf.on_failure = fx->conf.on_conflicts = fx->conf.on_success = 1;
	fx->job.status = JOB_RUNNING;
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	assert_false(exists(fx->out));
	assert_int_equal(notify_job(NULL, &fx->job, 30, &err), 0);
	assert_int_equal(err.code, PS_OK);

	/* The same command runs once the switch is on. */
	fx->job.status = JOB_COMPLETED;
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	assert_true(exists(fx->out));
}

static void
test_empty_command(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;

	memset(&err, 0, sizeof err);
	fx->conf.command = NULL;
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	set_command(fx, "");
	fx->conf.command = fx->command;
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	set_command(fx, " \t\n ");
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), 0);
	assert_int_equal(err.code, PS_OK);
	assert_string_equal(err.msg, "");
	/* No child was left to reap: none was started. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void
test_exit_status(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;

	set_command(fx, "echo $$ > \"$NOTIFY_OUT\"; exit 3");
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), -1);
	assert_int_equal(err.code, PS_ERR_IO);
	assert_string_equal(err.msg, "notification command: exit status 3");
	assert_gone(read_pid(fx->out));

	/* A failure without an error handle is still reported. */
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, NULL), -1);
}

static void
test_signal(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;

	set_command(fx, "kill -KILL $$");
	assert_int_equal(notify_job(&fx->conf, &fx->job, 30, &err), -1);
	assert_int_equal(err.code, PS_ERR_IO);
	assert_string_equal(err.msg,
	    "notification command: killed by signal 9 (SIGKILL)");
}

static void
test_timeout(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;

	set_command(fx, "echo $$ > \"$NOTIFY_OUT\"; sleep 30");
	assert_int_equal(notify_job(&fx->conf, &fx->job, 1, &err), -1);
	assert_int_equal(err.code, PS_ERR_IO);
	assert_string_equal(err.msg,
	    "notification command: timed out after 1 s");
	assert_gone(read_pid(fx->out));
}

/* SIGTERM comes first, so a command can clean up before it goes. */
static void
test_timeout_term(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	char		*got;

	set_command(fx, "trap 'echo cleaned up > \"$NOTIFY_OUT2\"; exit 0' "
	    "TERM; echo $$ > \"$NOTIFY_OUT\"; sleep 30 & wait");
	assert_int_equal(notify_job(&fx->conf, &fx->job, 1, &err), -1);
	assert_string_equal(err.msg,
	    "notification command: timed out after 1 s");
	assert_gone(read_pid(fx->out));
	got = slurp(fx->out2);
	assert_non_null(got);
	assert_string_equal(got, "cleaned up\n");
	free(got);
}

/*
 * A command that ignores SIGTERM and leaves a child of its own: both are
 * killed.  The test process becomes a subreaper, so the grandchild is
 * reparented to it and its end can be read with waitpid(): it must have
 * been killed by SIGKILL, not have slept its 30 s out.
 */
static void
test_timeout_group(void **state)
{
	struct fx	*fx = *state;
	struct ps_error	 err;
	pid_t		 grandchild, r;
	int		 status;

#ifndef __linux__
	skip();
#else
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	set_command(fx, "trap '' TERM; echo $$ > \"$NOTIFY_OUT\"; "
	    "sleep 30 & echo $! > \"$NOTIFY_OUT2\"; wait");
	assert_int_equal(notify_job(&fx->conf, &fx->job, 1, &err), -1);
	assert_string_equal(err.msg,
	    "notification command: timed out after 1 s");
	assert_gone(read_pid(fx->out));
	grandchild = read_pid(fx->out2);
	do
		r = waitpid(grandchild, &status, 0);
	while (r == -1 && errno == EINTR);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
	assert_int_equal(r, grandchild);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
#endif
}

struct worker {
	pthread_t		 thread;
	const struct notify_conf *conf;
	struct notify_job	 job;
	char			 source[32];
	int			 rc;
	struct ps_error		 err;
};

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;

	w->rc = notify_job(w->conf, &w->job, 30, &w->err);
	return NULL;
}

/* Several threads notify at once; each command sees its own job. */
static void
test_threads(void **state)
{
	struct fx	*fx = *state;
	struct worker	 w[NTHREADS];
	char		*path, *got;
	int		 i;

	set_command(fx, "printf '%s %s' \"$PROJSYNC_SOURCE\" "
	    "\"$PROJSYNC_INSERTED\" > \"$NOTIFY_DIR/job-$PROJSYNC_JOB_ID\"");
	memset(w, 0, sizeof w);
	for (i = 0; i < NTHREADS; i++) {
		w[i].conf = &fx->conf;
		w[i].job = fx->job;
		w[i].job.job_id = 100 + i;
		w[i].job.inserted = i * 10;
		snprintf(w[i].source, sizeof w[i].source, "source %d", i);
		w[i].job.source = w[i].source;
		assert_int_equal(pthread_create(&w[i].thread, NULL,
		    worker_main, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	for (i = 0; i < NTHREADS; i++) {
		if (w[i].rc != 0)
			fail_msg("thread %d: %s", i, w[i].err.msg);
		xasprintf(&path, "%s/job-%d", fx->dir, 100 + i);
		got = slurp(path);
		assert_non_null(got);
		assert_int_equal(strncmp(got, "source ", 7), 0);
		assert_int_equal(atoi(got + 7), i);
		assert_int_equal(atoi(strchr(got + 7, ' ') + 1), i * 10);
		free(got);
		free(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_wanted_matrix),
		T(test_kind),
		T(test_summary),
		T(test_env_exact),
		T(test_env_inherited),
		T(test_child_setup),
		T(test_not_wanted),
		T(test_empty_command),
		T(test_exit_status),
		T(test_signal),
		T(test_timeout),
		T(test_timeout_term),
		T(test_timeout_group),
		T(test_threads),
#undef T
	};

	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
