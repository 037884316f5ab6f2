/*
 * projsync - cli_sched.c: "projsync schedule" (add, list, rm, enable,
 * disable) and "projsync daemon" (SPEC sections 7 and 9): schedules kept in
 * the configuration with their sync options, their next and last runs, and
 * the scheduler in the foreground with its signals.
 *
 * A schedule added here is recorded in the history at once (its creation
 * time), so occurrences before it existed never run; removing it forgets
 * its runs.  Every check of "schedule add" comes before the configuration
 * is written, so a refused command leaves the file as it was.
 */
#include "projsync/common.h"
#include "projsync/daemon.h"
#include "projsync/log.h"
#include "projsync/sched.h"
#include "projsync/util.h"

#include "cli_int.h"

#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_EVERY,
	OPT_AT,
	OPT_ON,
	OPT_DAY,
	OPT_ONCE
};

static const struct cli_opt sched_add_opts[] = {
	{ "every",		0, CLI_ARG,	OPT_EVERY },
	{ "at",			0, CLI_ARG,	OPT_AT },
	{ "on",			0, CLI_ARG,	OPT_ON },
	{ "day",		0, CLI_ARG,	OPT_DAY },
	CLI_SYNC_OPTS,
	{ NULL,			0, CLI_NOARG,	0 }
};

static const struct cli_opt daemon_opts[] = {
	{ "once",	0, CLI_NOARG,	OPT_ONCE },
	{ NULL,		0, CLI_NOARG,	0 }
};

/*
 * What "schedule list" shows of a schedule's last run, from the history.
 * A run whose claim is newer than its finish is still running (or its
 * runner died while it ran).
 */
struct sched_last {
	double		 started;	/* when the occurrence was claimed; 0 */
	const char	*status;	/* NULL: never run */
	int64_t		 job_id;	/* 0 while running or without a job */
};

/* SIGTERM and SIGINT stop the daemon; SIGHUP reloads its configuration. */
static atomic_int	sched_stop;
static atomic_int	sched_reload;

static void
sched_on_signal(int sig)
{
	if (sig == SIGHUP)
		atomic_store(&sched_reload, 1);
	else
		atomic_store(&sched_stop, 1);
}

/* The index of schedule NAME in the loaded configuration, or -1. */
static int
sched_index(struct cli *cli, const char *name)
{
	int	i;

	for (i = 0; i < cli->conf->nschedules; i++) {
		if (strcmp(cli->conf->schedules[i].name, name) == 0)
			return i;
	}
	return -1;
}

/* The next run of S after NOW: 0 when disabled or when it cannot be told. */
static double
sched_next_run(const struct schedule_conf *s, double now)
{
	struct sched_rule	rule;
	struct ps_error		err;
	double			next;

	if (!s->enabled || sched_rule_from_conf(s, &rule, &err) != 0)
		return 0;
	next = sched_next(&rule, now);
	return next > 0 ? next : 0;
}

/* The description of S's rule ("weekly on mon at 02:30") in BUF. */
static const char *
sched_when(const struct schedule_conf *s, char *buf, size_t len)
{
	struct sched_rule	rule;
	struct ps_error		err;

	if (sched_rule_from_conf(s, &rule, &err) != 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	return sched_describe(&rule, buf, len);
}

/* Fill LAST from what the history knows of R (NULL: never seen). */
static void
sched_last_of(const struct schedule_run *r, struct sched_last *last)
{
	memset(last, 0, sizeof *last);
	if (r == NULL || r->claimed_at <= 0)
		return;
	last->started = r->claimed_at;
	if (r->last_status == NULL || r->last_finished_at < r->claimed_at) {
		last->status = "running";
		return;
	}
	last->status = r->last_status;
	last->job_id = r->last_job_id;
}

static void
sched_json_strv(struct json_w *w, const char *key, char **v)
{
	json_key(w, key);
	if (v == NULL) {
		json_null(w);
		return;
	}
	json_arr_begin(w);
	for (; *v != NULL; v++)
		json_str(w, *v);
	json_arr_end(w);
}

/* Schedule S as a JSON object, with its next and last runs. */
static void
sched_json(struct json_w *w, const struct schedule_conf *s,
    const struct sched_last *last, double now)
{
	char	when[96];

	json_obj_begin(w);
	json_key(w, "name");
	json_str(w, s->name);
	json_key(w, "source");
	json_str(w, s->source);
	json_key(w, "target");
	json_str(w, s->target);
	json_key(w, "every");
	json_str(w, s->every);
	json_key(w, "at");
	json_str(w, s->at);
	json_key(w, "on");
	json_str(w, s->on);
	json_key(w, "day");
	if (s->day > 0)
		json_int(w, s->day);
	else
		json_null(w);
	json_key(w, "enabled");
	json_bool(w, s->enabled);
	json_key(w, "when");
	json_str(w, sched_when(s, when, sizeof when));
	json_key(w, "next_run");
	cli_json_time(w, sched_next_run(s, now));
	json_key(w, "last_run");
	cli_json_time(w, last->started);
	json_key(w, "last_status");
	json_str(w, last->status);
	json_key(w, "last_job_id");
	if (last->job_id > 0)
		json_int(w, last->job_id);
	else
		json_null(w);

	/* The sync options; null (or false) means "as the defaults say". */
	sched_json_strv(w, "tables", s->tables);
	sched_json_strv(w, "exclude", s->exclude);
	json_key(w, "direction");
	json_str(w, s->direction);
	json_key(w, "strategy");
	json_str(w, s->strategy);
	json_key(w, "timestamp_column");
	json_str(w, s->timestamp_column);
	json_key(w, "batch_size");
	if (s->batch_size > 0)
		json_int(w, s->batch_size);
	else
		json_null(w);
	json_key(w, "no_schema_check");
	json_bool(w, s->no_schema_check);
	json_key(w, "auto_migrate");
	json_bool(w, s->auto_migrate);
	json_key(w, "single_transaction");
	json_bool(w, s->single_transaction);
	json_key(w, "stop_on_error");
	json_bool(w, s->stop_on_error);
	json_obj_end(w);
}

/* ---- schedule add ---- */

/*
 * Check the options of "schedule add" that need no configuration and fill
 * S from them.  Returns 0, or -1 after printing a usage error.
 */
static int
sched_add_check(const char *every, const char *at, const char *on,
    const char *day, struct cli_sync_args *a, struct schedule_conf *s)
{
	struct sched_rule	 rule;
	struct ps_error		 err;
	long long		 n = 0;
	const char		*cmd = "schedule add";

	if (day != NULL && (util_parse_int(day, INT_MIN, INT_MAX, &n) != 0 ||
	    n == 0)) {
		cli_usage_error(cmd, "--day: '%s' is not a day of the month "
		    "(expected 1 to 31)", day);
		return -1;
	}
	ps_error_clear(&err);
	if (sched_rule_parse(every, at, on, (int)n, &rule, &err) != 0) {
		cli_usage_error(cmd, "%s", err.msg);
		return -1;
	}
	if (cli_sync_args_check(cmd, a) != 0)
		return -1;

	/* The configuration keeps the canonical names. */
	s->every = xstrdup(sched_every_name(rule.every));
	s->at = xstrdup(at);
	if (rule.every == SCHED_WEEKLY)
		s->on = xstrdup(sched_weekday_name(rule.weekday));
	s->day = rule.every == SCHED_MONTHLY ? rule.day : 0;
	if (a->strategy != NULL)
		s->strategy = xstrdup(strategy_name(a->strat));
	s->batch_size = a->batch_size;
	s->timestamp_column = xstrdup(a->tscol);
	if (a->bidir != -1)
		s->direction = xstrdup(a->bidir ? "bidirectional" : "one-way");
	/* The lists move to S. */
	s->tables = a->tables;
	s->exclude = a->exclude;
	a->tables = a->exclude = NULL;
	s->no_schema_check = a->no_schema_check;
	s->auto_migrate = a->auto_migrate;
	s->single_transaction = a->single_transaction;
	s->stop_on_error = a->stop_on_error;
	return 0;
}

static int
sched_add(struct cli *cli, int argc, char **argv)
{
	struct cli_parser		 p;
	struct cli_sync_args		 a;
	struct schedule_conf		 s;
	struct sched_last		 last;
	struct ps_error			 err;
	struct json_w			 w;
	const struct schedule_conf	*added;
	const char			*arg, *every = NULL, *at = NULL;
	const char			*on = NULL, *day = NULL, *cmd;
	char				 when[96], next[64];
	double				 now;
	int				 c, r, rc = CLI_EXIT_USAGE;

	cmd = "schedule add";
	memset(&s, 0, sizeof s);
	s.enabled = 1;
	cli_sync_args_init(&a);
	cli_parser_init(&p, cli, cmd, sched_add_opts, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		if ((r = cli_sync_arg(cmd, c, arg, &a)) < 0)
			goto out;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_EVERY:
			every = arg;
			break;
		case OPT_AT:
			at = arg;
			break;
		case OPT_ON:
			on = arg;
			break;
		case OPT_DAY:
			day = arg;
			break;
		}
	}
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_schedule_add);
		goto out;
	}
	if (p.nargs != 3) {
		if (p.nargs < 3)
			cli_usage_error(cmd, "needs NAME, SOURCE and TARGET");
		else
			cli_usage_error(cmd, "unexpected argument '%s'",
			    p.args[3]);
		goto out;
	}
	if (*p.args[0] == '\0') {
		cli_usage_error(cmd, "NAME may not be empty");
		goto out;
	}
	if (strcmp(p.args[1], p.args[2]) == 0) {
		cli_usage_error(cmd, "SOURCE and TARGET are the same "
		    "connection '%s'", p.args[1]);
		goto out;
	}
	if (sched_add_check(every, at, on, day, &a, &s) != 0)
		goto out;
	s.name = xstrdup(p.args[0]);
	s.source = xstrdup(p.args[1]);
	s.target = xstrdup(p.args[2]);

	rc = CLI_EXIT_FAIL;
	if (cli_load_conf(cli) != 0)
		goto out;
	if (cli_conn(cli, s.source) == NULL || cli_conn(cli, s.target) == NULL)
		goto out;
	if (sched_index(cli, s.name) != -1) {
		cli_fail("a schedule named '%s' already exists", s.name);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	if (cli_open_history(cli) != 0)
		goto out;
	ps_error_clear(&err);
	if (conf_schedule_add(cli->conf, &s, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}

	/*
	 * The history learns of the schedule before the file does: should
	 * that fail, nothing was written.  A row left by an earlier schedule
	 * of this name (removed by editing the file) is stale.
	 */
	now = util_now();
	if (history_schedule_forget(cli->hist, s.name, &err) != 0 ||
	    history_schedule_seen(cli->hist, s.name, now, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if (cli_save_conf(cli, "added schedule '%s': %s -> %s, %s at %s",
	    s.name, s.source, s.target, s.every, s.at) != 0) {
		(void)history_schedule_forget(cli->hist, s.name, &err);
		goto out;
	}

	added = conf_schedule_find(cli->conf, s.name);
	memset(&last, 0, sizeof last);
	if (cli->json) {
		cli_json_begin(cli, &w);
		sched_json(&w, added, &last, now);
		cli_json_end(&w);
	} else {
		cli_note(cli, "added schedule '%s': %s -> %s, %s; next run %s",
		    added->name, added->source, added->target,
		    sched_when(added, when, sizeof when),
		    cli_time(sched_next_run(added, now), next, sizeof next));
	}
	rc = CLI_EXIT_OK;
out:
	cli_sync_args_free(&a);
	conf_schedule_free(&s);
	cli_parser_free(&p);
	return rc;
}

/* ---- schedule list ---- */

/* "2027-02-10 02:30:00 completed (job 12)", "never", ... in BUF. */
static const char *
sched_last_text(const struct sched_last *last, char *buf, size_t len)
{
	char	when[64];

	if (last->status == NULL)
		snprintf(buf, len, "never");
	else if (last->job_id > 0)
		snprintf(buf, len, "%s %s (job %lld)",
		    cli_time(last->started, when, sizeof when), last->status,
		    (long long)last->job_id);
	else
		snprintf(buf, len, "%s %s",
		    cli_time(last->started, when, sizeof when), last->status);
	return buf;
}

/* A line on stderr about the daemon: alive, stopped or never seen. */
static void
sched_daemon_note(struct cli *cli, double now)
{
	struct daemon_row	d;
	struct ps_error		err;
	int			got;

	got = history_daemon_latest(cli->hist, &d, &err);
	if (got < 0) {
		log_msg(LOG_WARN, "%s", err.msg);
		return;
	}
	if (got == 1 && d.stopped_at <= 0 &&
	    now - d.heartbeat_at <= DAEMON_ALIVE_S) {
		cli_note(cli, "daemon %s is running (last seen %.0f s ago)",
		    d.id, now > d.heartbeat_at ? now - d.heartbeat_at : 0);
	} else {
		cli_note(cli, "no daemon is running: start 'projsync daemon' "
		    "or run 'projsync daemon --once' from cron");
	}
	if (got == 1)
		daemon_row_free(&d);
}

static int
sched_list(struct cli *cli, int argc, char **argv)
{
	struct cli_parser		 p;
	struct ps_error			 err;
	struct json_w			 w;
	struct schedule_run		*runs = NULL;
	struct sched_last		*lasts = NULL;
	const struct schedule_conf	*s;
	char				**route = NULL, **when = NULL;
	char				**next = NULL, **lastt = NULL;
	char				 buf[128];
	double				 now;
	int				 rc = CLI_EXIT_FAIL, i, n = 0, got;
	int				 namew = 4, routew = 16, whenw = 4;
	int				 nextw = 4, lastw = 4;

	if (cli_operands(cli, "schedule list", cli_help_schedule_list, argc,
	    argv, &p, &rc) != 0)
		goto out;
	if (p.nargs != 0) {
		rc = cli_usage_error("schedule list", "unexpected argument "
		    "'%s'", p.args[0]);
		goto out;
	}
	if (cli_load_conf(cli) != 0 || cli_open_history(cli) != 0)
		goto out;

	now = util_now();
	n = cli->conf->nschedules;
	runs = xcalloc((size_t)n + 1, sizeof *runs);
	lasts = xcalloc((size_t)n + 1, sizeof *lasts);
	for (i = 0; i < n; i++) {
		got = history_schedule_get(cli->hist,
		    cli->conf->schedules[i].name, &runs[i], &err);
		if (got < 0) {
			rc = cli_error(&err);
			goto out;
		}
		sched_last_of(got == 1 ? &runs[i] : NULL, &lasts[i]);
	}

	if (cli->json) {
		cli_json_begin(cli, &w);
		json_arr_begin(&w);
		for (i = 0; i < n; i++)
			sched_json(&w, &cli->conf->schedules[i], &lasts[i],
			    now);
		json_arr_end(&w);
		cli_json_end(&w);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (n == 0) {
		cli_note(cli, "no schedules in %s (add one with 'projsync "
		    "schedule add')", cli->conf_path);
		rc = CLI_EXIT_OK;
		goto out;
	}

	route = xcalloc((size_t)n, sizeof *route);
	when = xcalloc((size_t)n, sizeof *when);
	next = xcalloc((size_t)n, sizeof *next);
	lastt = xcalloc((size_t)n, sizeof *lastt);
	for (i = 0; i < n; i++) {
		s = &cli->conf->schedules[i];
		xasprintf(&route[i], "%s -> %s", s->source, s->target);
		when[i] = xstrdup(sched_when(s, buf, sizeof buf));
		next[i] = xstrdup(cli_time(sched_next_run(s, now), buf,
		    sizeof buf));
		lastt[i] = xstrdup(sched_last_text(&lasts[i], buf,
		    sizeof buf));
		if (cli_width(s->name) > namew)
			namew = cli_width(s->name);
		if (cli_width(route[i]) > routew)
			routew = cli_width(route[i]);
		if (cli_width(when[i]) > whenw)
			whenw = cli_width(when[i]);
		if (cli_width(next[i]) > nextw)
			nextw = cli_width(next[i]);
		if (cli_width(lastt[i]) > lastw)
			lastw = cli_width(lastt[i]);
	}
	fputs(cli_color(cli, CLI_C_BOLD), stdout);
	cli_pad(stdout, "NAME", namew + 2);
	cli_pad(stdout, "SOURCE -> TARGET", routew + 2);
	cli_pad(stdout, "WHEN", whenw + 2);
	cli_pad(stdout, "NEXT", nextw + 2);
	cli_pad(stdout, "LAST", lastw + 2);
	printf("ENABLED%s\n", cli_color(cli, CLI_C_OFF));
	for (i = 0; i < n; i++) {
		s = &cli->conf->schedules[i];
		cli_pad(stdout, s->name, namew + 2);
		cli_pad(stdout, route[i], routew + 2);
		cli_pad(stdout, when[i], whenw + 2);
		cli_pad(stdout, next[i], nextw + 2);
		fputs(cli_color(cli, cli_status_color(lasts[i].status)),
		    stdout);
		cli_pad(stdout, lastt[i], lastw);
		fputs(cli_color(cli, CLI_C_OFF), stdout);
		printf("  %s\n", s->enabled ? "yes" : "no");
	}
	sched_daemon_note(cli, now);
	rc = CLI_EXIT_OK;
out:
	for (i = 0; i < n; i++) {
		if (runs != NULL)
			schedule_run_free(&runs[i]);
		if (route != NULL) {
			free(route[i]);
			free(when[i]);
			free(next[i]);
			free(lastt[i]);
		}
	}
	free(runs);
	free(lasts);
	free(route);
	free(when);
	free(next);
	free(lastt);
	cli_parser_free(&p);
	return rc;
}

/* ---- schedule rm, enable, disable ---- */

/*
 * Parse "schedule CMD NAME" and find NAME in the configuration: its index,
 * or -1 with *RC set (usage error, or 1 for a schedule that does not
 * exist, as "conn rm" does for a connection).
 */
static int
sched_named(struct cli *cli, const char *cmd, const char *help, int argc,
    char **argv, struct cli_parser *p, int *rc)
{
	int	idx;

	*rc = CLI_EXIT_FAIL;
	if (cli_operands(cli, cmd, help, argc, argv, p, rc) != 0)
		return -1;
	if (p->nargs != 1) {
		if (p->nargs == 0)
			*rc = cli_usage_error(cmd, "needs a schedule NAME");
		else
			*rc = cli_usage_error(cmd, "unexpected argument '%s'",
			    p->args[1]);
		return -1;
	}
	if (cli_load_conf(cli) != 0)
		return -1;
	if ((idx = sched_index(cli, p->args[0])) == -1) {
		*rc = cli_fail("unknown schedule '%s'", p->args[0]);
		return -1;
	}
	return idx;
}

static int
sched_rm(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct ps_error		 err;
	struct json_w		 w;
	char			*name = NULL;
	int			 rc;

	if (sched_named(cli, "schedule rm", cli_help_schedule_rm, argc, argv,
	    &p, &rc) == -1)
		goto out;
	rc = CLI_EXIT_FAIL;
	if (cli_open_history(cli) != 0)
		goto out;
	name = xstrdup(p.args[0]);
	ps_error_clear(&err);
	if (conf_schedule_remove(cli->conf, name, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if (cli_save_conf(cli, "removed schedule '%s'", name) != 0)
		goto out;
	if (history_schedule_forget(cli->hist, name, &err) != 0)
		log_msg(LOG_WARN, "%s", err.msg);
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		json_key(&w, "removed");
		json_str(&w, name);
		json_obj_end(&w);
		cli_json_end(&w);
	} else
		cli_note(cli, "removed schedule '%s'", name);
	rc = CLI_EXIT_OK;
out:
	free(name);
	cli_parser_free(&p);
	return rc;
}

/* "schedule enable" (ON 1) and "schedule disable" (ON 0). */
static int
sched_set_enabled(struct cli *cli, int argc, char **argv, int on)
{
	struct cli_parser	 p;
	struct json_w		 w;
	struct schedule_conf	*s;
	const char		*cmd, *help, *word;
	char			 next[64];
	int			 rc, idx;

	cmd = on ? "schedule enable" : "schedule disable";
	help = on ? cli_help_schedule_enable : cli_help_schedule_disable;
	word = on ? "enabled" : "disabled";
	if ((idx = sched_named(cli, cmd, help, argc, argv, &p, &rc)) == -1)
		goto out;
	s = &cli->conf->schedules[idx];
	if (s->enabled == on)
		cli_note(cli, "schedule '%s' was already %s", s->name, word);
	else {
		s->enabled = on;
		if (cli_save_conf(cli, "%s schedule '%s'", word, s->name) !=
		    0) {
			rc = CLI_EXIT_FAIL;
			goto out;
		}
		/* What it missed while disabled does not run now. */
		if (on && (cli_open_history(cli) != 0 ||
		    history_schedule_restart(cli->hist, s->name, util_now(),
		    NULL) != 0)) {
			rc = CLI_EXIT_FAIL;
			goto out;
		}
		if (on)
			cli_note(cli, "enabled schedule '%s'; next run %s",
			    s->name, cli_time(sched_next_run(s, util_now()),
			    next, sizeof next));
		else
			cli_note(cli, "disabled schedule '%s'", s->name);
	}
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		json_key(&w, "name");
		json_str(&w, s->name);
		json_key(&w, "enabled");
		json_bool(&w, s->enabled);
		json_obj_end(&w);
		cli_json_end(&w);
	}
	rc = CLI_EXIT_OK;
out:
	cli_parser_free(&p);
	return rc;
}

static int
sched_enable(struct cli *cli, int argc, char **argv)
{
	return sched_set_enabled(cli, argc, argv, 1);
}

static int
sched_disable(struct cli *cli, int argc, char **argv)
{
	return sched_set_enabled(cli, argc, argv, 0);
}

static const struct cli_sub sched_subs[] = {
	{ "add",	sched_add },
	{ "list",	sched_list },
	{ "ls",		sched_list },
	{ "rm",		sched_rm },
	{ "enable",	sched_enable },
	{ "disable",	sched_disable },
	{ NULL,		NULL }
};

int
cli_cmd_schedule(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch_sub(cli, "schedule", cli_help_schedule,
	    sched_subs, argc, argv);
}

/* ---- daemon ---- */

int
cli_cmd_daemon(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct daemon_opts	 o;
	struct ps_error		 err;
	struct sigaction	 sa, old_int, old_term, old_hup;
	const char		*arg;
	int			 c, rc = CLI_EXIT_USAGE, once = 0, signals = 0;

	cli_parser_init(&p, cli, "daemon", daemon_opts, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		if (c == OPT_ONCE)
			once = 1;
	}
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_daemon);
		goto out;
	}
	if (p.nargs != 0) {
		cli_usage_error("daemon", "unexpected argument '%s'",
		    p.args[0]);
		goto out;
	}

	/* Settle the paths, and report a bad file before anything runs. */
	rc = CLI_EXIT_FAIL;
	if (cli_load_conf(cli) != 0 || cli_open_history(cli) != 0)
		goto out;

	atomic_store(&sched_stop, 0);
	atomic_store(&sched_reload, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sched_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	signals = 1;

	memset(&o, 0, sizeof o);
	o.conf_path = cli->conf_path;
	o.hist_path = cli->hist_path;
	o.once = once;
	o.stop = &sched_stop;
	o.reload = &sched_reload;
	ps_error_clear(&err);
	if (daemon_run(&o, &err) != 0) {
		cli_error(&err);
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	if (signals) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
	}
	cli_parser_free(&p);
	return rc;
}
