/*
 * projsync - cli_sync.c: "projsync sync": options over the configuration's
 * defaults, the engine run with a progress bar on stderr, Ctrl-C as a
 * cancel, and the result for people or as the JSON document of SPEC 7.
 */
#include "projsync/common.h"
#include "projsync/log.h"
#include "projsync/util.h"

#include "cli_int.h"

#include <sys/ioctl.h>

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_DRY_RUN,
	OPT_SQL
};

static const struct cli_opt sync_opts[] = {
	CLI_SYNC_OPTS,
	{ "dry-run",		0, CLI_NOARG,	OPT_DRY_RUN },
	{ "sql",		0, CLI_ARG,	OPT_SQL },
	{ NULL,			0, CLI_NOARG,	0 }
};

/* ---- the sync options, shared with "schedule add" ---- */

void
cli_sync_args_init(struct cli_sync_args *a)
{
	memset(a, 0, sizeof *a);
	a->bidir = -1;
}

void
cli_sync_args_free(struct cli_sync_args *a)
{
	util_strv_free(a->tables);
	util_strv_free(a->exclude);
	cli_sync_args_init(a);
}

int
cli_sync_arg(const char *cmd, int c, const char *arg,
    struct cli_sync_args *a)
{
	switch (c) {
	case CLI_SO_TABLES:
		util_strv_free(a->tables);
		if (util_split_list(arg, &a->tables) == 0) {
			cli_usage_error(cmd, "--tables needs at least one "
			    "table name");
			return -1;
		}
		return 1;
	case CLI_SO_EXCLUDE:
		util_strv_free(a->exclude);
		if (util_split_list(arg, &a->exclude) == 0) {
			cli_usage_error(cmd, "--exclude needs at least one "
			    "table name");
			return -1;
		}
		return 1;
	case CLI_SO_BIDIRECTIONAL:
		a->bidir = 1;
		return 1;
	case CLI_SO_ONE_WAY:
		a->bidir = 0;
		return 1;
	case CLI_SO_STRATEGY:
		a->strategy = arg;
		return 1;
	case CLI_SO_TIMESTAMP_COLUMN:
		a->tscol = arg;
		return 1;
	case CLI_SO_NO_SCHEMA_CHECK:
		a->no_schema_check = 1;
		return 1;
	case CLI_SO_AUTO_MIGRATE:
		a->auto_migrate = 1;
		return 1;
	case CLI_SO_BATCH_SIZE:
		a->batch = arg;
		return 1;
	case CLI_SO_SINGLE_TRANSACTION:
		a->single_transaction = 1;
		return 1;
	case CLI_SO_STOP_ON_ERROR:
		a->stop_on_error = 1;
		return 1;
	}
	return 0;
}

int
cli_sync_args_check(const char *cmd, struct cli_sync_args *a)
{
	long long	n;

	a->strat = STRAT_MANUAL;
	if (a->strategy != NULL &&
	    cli_parse_strategy(a->strategy, &a->strat) != 0) {
		cli_usage_error(cmd, "unknown strategy '%s' (manual, "
		    "source-wins, target-wins, newer-wins or ignore)",
		    a->strategy);
		return -1;
	}
	a->batch_size = 0;
	if (a->batch != NULL) {
		if (util_parse_int(a->batch, 1, INT_MAX, &n) != 0) {
			cli_usage_error(cmd, "--batch-size must be a positive "
			    "integer, not '%s'", a->batch);
			return -1;
		}
		a->batch_size = (int)n;
	}
	if (a->tscol != NULL && *a->tscol == '\0') {
		cli_usage_error(cmd, "--timestamp-column needs a column name");
		return -1;
	}
	return 0;
}

/* What the event callback needs to draw the progress line. */
struct sync_view {
	struct cli	*cli;
	int		 bar;		/* draw the progress bar */
	int		 shown;		/* a progress line is on the screen */
	char		*table;		/* the table being synced */
	int64_t		 done;
	int64_t		 total;
	struct sync_counts counts;
	char		*last_error;	/* the last error log line printed */
};

/* Ctrl-C and SIGTERM cancel the job; a second Ctrl-C ends the program. */
static atomic_int	sync_cancel;

static void
sync_on_signal(int sig)
{
	if (atomic_load(&sync_cancel) != 0) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	atomic_store(&sync_cancel, 1);
}

static int
sync_term_width(void)
{
	struct winsize	ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

/* Erase the progress line. */
static void
sync_clear(struct sync_view *v)
{
	if (!v->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	v->shown = 0;
}

/* Redraw the progress line: table, done/total, a bar and the counts. */
static void
sync_draw(struct sync_view *v)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		 bar[64];
	int		 width, barw, fill, i;

	if (!v->bar || v->table == NULL)
		return;
	width = sync_term_width();
	barw = width >= 100 ? 30 : 20;
	if (v->total > 0) {
		fill = (int)((double)barw * (double)v->done /
		    (double)v->total);
		if (fill > barw)
			fill = barw;
	} else
		fill = 0;
	for (i = 0; i < barw; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[barw] = '\0';

	sb_addf(&sb, "%s ", v->table);
	if (v->total >= 0) {
		sb_addf(&sb, "%lld/%lld [%s]", (long long)v->done,
		    (long long)v->total, bar);
	} else
		sb_addf(&sb, "%lld rows [%s]", (long long)v->done, bar);
	sb_addf(&sb, " %lld ins, %lld upd, %lld del, %lld conflict%s, "
	    "%lld error%s",
	    (long long)v->counts.inserted, (long long)v->counts.updated,
	    (long long)v->counts.deleted, (long long)v->counts.conflicts,
	    v->counts.conflicts == 1 ? "" : "s", (long long)v->counts.errors,
	    v->counts.errors == 1 ? "" : "s");

	fputs("\r\033[K", stderr);
	if (cli_width(sb_str(&sb)) >= width)
		cli_pad(stderr, sb_str(&sb), width - 1);
	else
		fputs(sb_str(&sb), stderr);
	fflush(stderr);
	v->shown = 1;
	sb_free(&sb);
}

static void
sync_event(const struct engine_event *ev, void *arg)
{
	struct sync_view	*v = arg;

	switch (ev->type) {
	case EV_JOB_STARTED:
		log_msg(LOG_INFO, "job %lld started", (long long)ev->job_id);
		break;
	case EV_TABLE_STARTED:
		free(v->table);
		v->table = xstrdup(ev->table);
		v->done = 0;
		v->total = ev->total;
		memset(&v->counts, 0, sizeof v->counts);
		sync_draw(v);
		break;
	case EV_PROGRESS:
		if (ev->table != NULL && (v->table == NULL ||
		    strcmp(v->table, ev->table) != 0)) {
			free(v->table);
			v->table = xstrdup(ev->table);
		}
		v->done = ev->done;
		v->total = ev->total;
		if (ev->counts != NULL)
			v->counts = *ev->counts;
		sync_draw(v);
		break;
	case EV_LOG:
		if (ev->level <= (int)log_get_level() && ev->message != NULL) {
			sync_clear(v);
			log_msg((enum log_level)ev->level, "%s", ev->message);
			if (ev->level == LOG_ERROR) {
				free(v->last_error);
				v->last_error = xstrdup(ev->message);
			}
		}
		break;
	case EV_TABLE_DONE:
	case EV_JOB_DONE:
		sync_clear(v);
		break;
	}
}

static void
sync_print_json(const struct job_result *res, const struct sync_opts *o,
    const struct ps_error *err, struct cli *cli)
{
	struct json_w			 w;
	const struct table_result	*t;
	int				 i;

	cli_json_begin(cli, &w);
	json_obj_begin(&w);
	json_key(&w, "job_id");
	json_int(&w, res->job_id);
	json_key(&w, "status");
	json_str(&w, job_status_name(res->status));
	json_key(&w, "source");
	json_str(&w, o->source);
	json_key(&w, "target");
	json_str(&w, o->target);
	json_key(&w, "bidirectional");
	json_bool(&w, o->bidirectional);
	json_key(&w, "strategy");
	json_str(&w, strategy_name(o->strategy));
	json_key(&w, "dry_run");
	json_bool(&w, o->dry_run);
	cli_json_counts(&w, &res->counts);
	json_key(&w, "duration_s");
	json_double(&w, res->duration_s);
	if (err != NULL) {
		json_key(&w, "error");
		json_str(&w, err->msg);
	}
	json_key(&w, "tables");
	json_arr_begin(&w);
	for (i = 0; i < res->ntables; i++) {
		t = &res->tables[i];
		json_obj_begin(&w);
		json_key(&w, "name");
		json_str(&w, t->name);
		json_key(&w, "status");
		json_str(&w, t->status);
		if (t->message != NULL) {
			json_key(&w, "message");
			json_str(&w, t->message);
		}
		cli_json_counts(&w, &t->counts);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	cli_json_end(&w);
}

static void
sync_print_human(struct cli *cli, const struct job_result *res,
    const struct sync_opts *o)
{
	struct strbuf			 sb = STRBUF_INIT;
	const struct table_result	*t;
	const char			*status;
	int				 i, namew = 0;

	if (cli->quiet)
		return;
	for (i = 0; i < res->ntables; i++) {
		if (cli_width(res->tables[i].name) > namew)
			namew = cli_width(res->tables[i].name);
	}
	for (i = 0; i < res->ntables; i++) {
		t = &res->tables[i];
		sb_reset(&sb);
		cli_pad(stdout, t->name, namew);
		printf("  %s%-7s%s ",
		    cli_color(cli, cli_status_color(t->status)),
		    t->status != NULL ? t->status : "-",
		    cli_color(cli, CLI_C_OFF));
		cli_counts_text(&sb, &t->counts);
		fputs(sb_str(&sb), stdout);
		if (t->message != NULL)
			printf(" (%s)", t->message);
		fputc('\n', stdout);
	}
	status = job_status_name(res->status);
	sb_reset(&sb);
	cli_counts_text(&sb, &res->counts);
	printf("job %lld%s %s%s%s: %s in %.2f s\n", (long long)res->job_id,
	    o->dry_run ? " (dry run)" : "",
	    cli_color(cli, cli_status_color(status)), status,
	    cli_color(cli, CLI_C_OFF), sb_str(&sb), res->duration_s);
	if (res->counts.pending_conflicts > 0 && !o->dry_run) {
		cli_note(cli, "review them with: projsync conflicts list "
		    "--job %lld", (long long)res->job_id);
	}
	sb_free(&sb);
}

int
cli_cmd_sync(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct sync_opts	 o;
	struct engine_ctx	 ctx;
	struct job_result	 res;
	struct ps_error		 err;
	struct sync_view	 view;
	struct sigaction	 sa, old_int, old_term;
	struct cli_sync_args	 sa_args;
	const char		*arg, *sql = NULL;
	int			 c, r, rc = CLI_EXIT_USAGE;
	int			 dry = 0, signals = 0;

	memset(&res, 0, sizeof res);
	memset(&view, 0, sizeof view);
	ps_error_clear(&err);
	cli_sync_args_init(&sa_args);
	cli_parser_init(&p, cli, "sync", sync_opts, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		if ((r = cli_sync_arg("sync", c, arg, &sa_args)) < 0)
			goto out;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_DRY_RUN:
			dry = 1;
			break;
		case OPT_SQL:
			sql = arg;
			break;
		}
	}
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_sync);
		goto out;
	}
	if (p.nargs != 2) {
		if (p.nargs < 2)
			cli_usage_error("sync", "needs SOURCE and TARGET");
		else
			cli_usage_error("sync", "unexpected argument '%s'",
			    p.args[2]);
		goto out;
	}
	if (cli_sync_args_check("sync", &sa_args) != 0)
		goto out;
	if (sql != NULL && !dry) {
		cli_usage_error("sync", "--sql needs --dry-run");
		goto out;
	}

	rc = CLI_EXIT_FAIL;
	if (cli_load_conf(cli) != 0)
		goto out;
	if (cli_conn(cli, p.args[0]) == NULL ||
	    cli_conn(cli, p.args[1]) == NULL)
		goto out;
	if (cli_open_history(cli) != 0)
		goto out;

	sync_opts_defaults(&o, cli->conf);
	o.source = p.args[0];
	o.target = p.args[1];
	o.tables = sa_args.tables;
	o.exclude = sa_args.exclude;
	if (sa_args.bidir != -1)
		o.bidirectional = sa_args.bidir;
	if (sa_args.strategy != NULL)
		o.strategy = sa_args.strat;
	if (sa_args.tscol != NULL)
		o.timestamp_column = sa_args.tscol;
	if (sa_args.no_schema_check)
		o.schema_check = 0;
	if (sa_args.auto_migrate)
		o.auto_migrate = 1;
	if (sa_args.batch_size > 0)
		o.batch_size = sa_args.batch_size;
	if (sa_args.single_transaction)
		o.single_transaction = 1;
	if (sa_args.stop_on_error)
		o.stop_on_error = 1;
	if (dry)
		o.dry_run = 1;
	o.sql_file = sql;

	view.cli = cli;
	view.bar = !cli->quiet && isatty(STDERR_FILENO);
	cli_engine_ctx(cli, &ctx);
	ctx.cb = sync_event;
	ctx.cb_arg = &view;
	atomic_store(&sync_cancel, 0);
	ctx.cancel = &sync_cancel;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sync_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signals = 1;

	if (engine_sync(&ctx, &o, &res, &err) != 0) {
		sync_clear(&view);
		if (cli->json && res.job_id > 0) {
			res.status = JOB_FAILED;
			sync_print_json(&res, &o, &err, cli);
		}
		/* The engine may have logged this error already. */
		if (view.last_error != NULL &&
		    strcmp(view.last_error, err.msg) == 0)
			rc = ps_err_exit(err.code);
		else
			rc = cli_error(&err);
		goto out;
	}
	sync_clear(&view);
	if (cli->json)
		sync_print_json(&res, &o, NULL, cli);
	else
		sync_print_human(cli, &res, &o);
	rc = job_status_exit(res.status);
out:
	if (signals) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	free(view.table);
	free(view.last_error);
	job_result_free(&res);
	cli_sync_args_free(&sa_args);
	cli_parser_free(&p);
	return rc;
}
