/*
 * projsync - daemon.c: the scheduler.  It looks at the configured schedules
 * every DAEMON_TICK_S seconds at most (sooner when one comes due), claims
 * each due occurrence in the history and runs its sync, beating a heartbeat
 * into the history meanwhile so the dashboard can tell it is alive.
 *
 * DESIGN
 * Due means: the latest occurrence at or before now (sched_prev) is later
 * than the last one claimed and not before the schedule was first seen, so
 * missed occurrences run once, not once per miss, and a schedule added now
 * does not run for a time already past.  A claim moves the schedule's
 * last_due in one IMMEDIATE transaction (history_schedule_claim): of several
 * daemons and cron runs, one gets it.  Signals only set flags: SIGTERM
 * cancels the running job through the engine's cancel flag (the batch in
 * flight rolls back) and ends the loop; SIGHUP reloads the configuration
 * before the next look (a bad file is reported and the old one kept), and
 * so does a change of the file's modification time.  Progress events beat
 * the heartbeat during a long job.
 */
#include "projsync/common.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "projsync/daemon.h"
#include "projsync/history.h"
#include "projsync/log.h"
#include "projsync/sched.h"
#include "projsync/util.h"

struct daemon {
	const struct daemon_opts *o;
	struct conf		*conf;
	struct history		*hist;
	char			 id[300];	/* "host:pid" */
	char			 host[256];
	double			 started_at;
	double			 last_beat;	/* util_monotonic() */
	struct timespec		 conf_mtime;	/* of the file loaded */
	const char		*schedule;	/* the one running */
};

/* A line on stderr with the time, for journald and log files alike. */
static void
daemon_say(const char *level, const char *fmt, ...) PS_PRINTF(2, 3);

static void
daemon_say(const char *level, const char *fmt, ...)
{
	va_list	ap;
	char	when[32];

	util_iso8601(util_now(), when, sizeof when);
	fprintf(stderr, "%s projsync daemon: %s: ", when, level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void	daemon_beat(struct daemon *, int);

/*
 * The engine's events: warnings and errors go to stderr, and progress
 * keeps the heartbeat going through a long job.
 */
static void
daemon_event(const struct engine_event *ev, void *arg)
{
	struct daemon	*d = arg;

	if (ev->type == EV_PROGRESS &&
	    util_monotonic() - d->last_beat >= DAEMON_TICK_S)
		daemon_beat(d, 0);

	if (ev->type == EV_LOG && ev->level <= LOG_WARN)
		daemon_say(ev->level == LOG_ERROR ? "error" : "warning",
		    "%s: job %lld: %s", d->schedule != NULL ? d->schedule :
		    "?", (long long)ev->job_id, ev->message);
}

void
daemon_sync_opts(const struct schedule_conf *s, const struct conf *conf,
    struct sync_opts *o)
{
	sync_opts_defaults(o, conf);
	o->source = s->source;
	o->target = s->target;
	o->tables = s->tables;
	o->exclude = s->exclude;
	if (s->direction != NULL)
		o->bidirectional = strcmp(s->direction, "bidirectional") == 0;
	if (s->strategy != NULL)
		(void)strategy_parse(s->strategy, &o->strategy);
	if (s->timestamp_column != NULL)
		o->timestamp_column = s->timestamp_column;
	if (s->batch_size > 0)
		o->batch_size = s->batch_size;
	if (s->no_schema_check)
		o->schema_check = 0;
	if (s->auto_migrate)
		o->auto_migrate = 1;
	o->single_transaction = s->single_transaction;
	o->stop_on_error = s->stop_on_error;
}

static void
daemon_beat(struct daemon *d, int stopping)
{
	struct ps_error	err;

	if (d->o->once)
		return;
	d->last_beat = util_monotonic();
	if (history_daemon_beat(d->hist, d->id, d->host, (int)getpid(),
	    d->started_at, util_now(), stopping, &err) != 0)
		daemon_say("warning", "%s", err.msg);
}

/* Run schedule S's occurrence DUE (claimed). */
static void
daemon_run_one(struct daemon *d, const struct schedule_conf *s, double due)
{
	struct engine_ctx	 ctx;
	struct sync_opts	 o;
	struct job_result	 r;
	struct ps_error		 err;
	char			 when[32];
	const char		*status;

	memset(&r, 0, sizeof r);
	util_iso8601(due, when, sizeof when);
	daemon_say("info", "%s: running the occurrence of %s: %s -> %s",
	    s->name, when, s->source, s->target);
	daemon_sync_opts(s, d->conf, &o);
	memset(&ctx, 0, sizeof ctx);
	ctx.conf = d->conf;
	ctx.hist = d->hist;
	ctx.cb = daemon_event;
	ctx.cb_arg = d;
	ctx.cancel = d->o->stop;
	d->schedule = s->name;
	if (engine_sync(&ctx, &o, &r, &err) != 0) {
		status = job_status_name(JOB_FAILED);
		daemon_say("error", "%s: %s", s->name, err.msg);
	} else {
		status = job_status_name(r.status);
		daemon_say(r.status == JOB_COMPLETED ? "info" : "warning",
		    "%s: job %lld %s: %lld compared, %lld inserted, %lld "
		    "updated, %lld deleted, %lld pending conflicts, %lld "
		    "errors in %.1f s", s->name, (long long)r.job_id, status,
		    (long long)r.counts.rows_compared,
		    (long long)r.counts.inserted,
		    (long long)r.counts.updated,
		    (long long)r.counts.deleted,
		    (long long)r.counts.pending_conflicts,
		    (long long)r.counts.errors, r.duration_s);
	}
	d->schedule = NULL;
	if (history_schedule_done(d->hist, s->name, r.job_id, status,
	    util_now(), &err) != 0)
		daemon_say("warning", "%s", err.msg);
	job_result_free(&r);
}

/*
 * Look at every enabled schedule once: run what is due.  Returns the
 * earliest next occurrence (for the sleep), or 0 when there is none.
 */
static double
daemon_look(struct daemon *d)
{
	const struct schedule_conf	*s;
	struct sched_rule		 rule;
	struct ps_error			 err;
	double				 now, due, next, soonest = 0;
	int				 i, got;

	for (i = 0; i < d->conf->nschedules; i++) {
		if (atomic_load(d->o->stop))
			break;
		s = &d->conf->schedules[i];
		if (!s->enabled)
			continue;
		if (sched_rule_from_conf(s, &rule, &err) != 0) {
			daemon_say("error", "%s", err.msg);
			continue;
		}
		now = util_now();
		if (history_schedule_seen(d->hist, s->name, now, &err) != 0) {
			daemon_say("error", "%s", err.msg);
			continue;
		}
		due = sched_prev(&rule, now);
		if (due > 0) {
			got = history_schedule_claim(d->hist, s->name, due,
			    d->id, now, &err);
			if (got < 0)
				daemon_say("error", "%s", err.msg);
			else if (got == 1)
				daemon_run_one(d, s, due);
		}
		next = sched_next(&rule, util_now());
		if (next > 0 && (soonest == 0 || next < soonest))
			soonest = next;
	}
	return soonest;
}

/* The modification time of the configuration file (zero if unknown). */
static struct timespec
daemon_conf_mtime(const struct daemon *d)
{
	struct stat	sb;
	struct timespec	zero = { 0, 0 };

	if (stat(d->o->conf_path, &sb) != 0)
		return zero;
	return sb.st_mtim;
}

static void
daemon_reload(struct daemon *d)
{
	struct conf	*c;
	struct ps_error	 err;

	if (conf_load(d->o->conf_path, &c, &err) != 0) {
		daemon_say("error", "reload: %s (keeping the configuration "
		    "loaded before)", err.msg);
		/* Said once per change of the file. */
		d->conf_mtime = daemon_conf_mtime(d);
		return;
	}
	conf_free(d->conf);
	d->conf = c;
	d->conf_mtime = daemon_conf_mtime(d);
	daemon_say("info", "reloaded %s: %d schedule%s", d->o->conf_path,
	    c->nschedules, c->nschedules == 1 ? "" : "s");
}

/* Sleep until AT (epoch seconds), DAEMON_TICK_S at most, or a signal. */
static void
daemon_sleep(struct daemon *d, double at)
{
	struct timespec	ts;
	double		left = DAEMON_TICK_S, end;

	if (at > 0 && at - util_now() < left)
		left = at - util_now() + 0.05;
	if (left < 0.05)
		left = 0.05;
	end = util_monotonic() + left;
	/* In short naps, so a signal's flag is seen at once. */
	while (!atomic_load(d->o->stop) && !atomic_load(d->o->reload) &&
	    util_monotonic() < end) {
		ts.tv_sec = 0;
		ts.tv_nsec = 200 * 1000 * 1000;
		(void)nanosleep(&ts, NULL);
	}
}

int
daemon_run(const struct daemon_opts *o, struct ps_error *err)
{
	struct daemon	d;
	double		next;
	int		rc = -1;

	memset(&d, 0, sizeof d);
	d.o = o;
	if (conf_load(o->conf_path, &d.conf, err) != 0 ||
	    history_open(o->hist_path, &d.hist, err) != 0)
		goto out;
	if (gethostname(d.host, sizeof d.host) != 0)
		snprintf(d.host, sizeof d.host, "localhost");
	d.host[sizeof d.host - 1] = '\0';
	snprintf(d.id, sizeof d.id, "%s:%ld", d.host, (long)getpid());
	d.started_at = util_now();
	d.conf_mtime = daemon_conf_mtime(&d);
	if (!o->once)
		daemon_say("info", "started as %s: %d schedule%s (%s)", d.id,
		    d.conf->nschedules, d.conf->nschedules == 1 ? "" : "s",
		    o->conf_path);
	for (;;) {
		daemon_beat(&d, 0);
		if (atomic_exchange(o->reload, 0))
			daemon_reload(&d);
		else {
			struct timespec	m = daemon_conf_mtime(&d);

			/* Saved by "schedule add", Settings or an editor. */
			if (m.tv_sec != d.conf_mtime.tv_sec ||
			    m.tv_nsec != d.conf_mtime.tv_nsec)
				daemon_reload(&d);
		}
		next = daemon_look(&d);
		if (o->once || atomic_load(o->stop))
			break;
		daemon_sleep(&d, next);
		if (atomic_load(o->stop))
			break;
	}
	daemon_beat(&d, 1);
	if (!o->once)
		daemon_say("info", "stopped");
	rc = 0;
out:
	history_close(d.hist);
	conf_free(d.conf);
	return rc;
}
