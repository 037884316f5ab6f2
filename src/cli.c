/*
 * projsync - cli.c: the command line's frame (SPEC section 7): the global
 * options, the option parser every command uses, dispatch to the commands,
 * help texts, messages, the lazily loaded configuration and history, and the
 * small output helpers the commands share.
 */
#include "projsync/common.h"
#include "projsync/cli.h"
#include "projsync/log.h"
#include "projsync/util.h"

#include "cli_int.h"
#include "ui_int.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

/* Ids of the options every command understands. */
enum {
	GOPT_CONFIG = 1000,
	GOPT_HISTORY,
	GOPT_JSON,
	GOPT_QUIET,
	GOPT_VERBOSE,
	GOPT_NO_COLOR,
	GOPT_HELP
};

static const struct cli_opt cli_global_opts[] = {
	{ "config",	'c', CLI_ARG,	GOPT_CONFIG },
	{ "history",	'H', CLI_ARG,	GOPT_HISTORY },
	{ "json",	0,   CLI_NOARG,	GOPT_JSON },
	{ "quiet",	'q', CLI_NOARG,	GOPT_QUIET },
	{ "verbose",	'v', CLI_NOARG,	GOPT_VERBOSE },
	{ "no-color",	0,   CLI_NOARG,	GOPT_NO_COLOR },
	{ "help",	'h', CLI_NOARG,	GOPT_HELP },
	{ NULL,		0,   CLI_NOARG,	0 }
};

/* ---- help texts ---- */

static const char cli_help_main[] =
"usage: projsync [-c FILE] [-H FILE] [--json] [-q] [-v] [--no-color]\n"
"                COMMAND [ARGS]\n"
"\n"
"Synchronize table data between databases (SQLite in this build).\n"
"\n"
"Commands:\n"
"  demo [--dir DIR]               two demo SQLite databases that differ\n"
"  conn add|list|test|rm          manage connections\n"
"  schema diff|migrate SRC TGT    compare and migrate table definitions\n"
"  sync SOURCE TARGET [OPTIONS]   run a sync job\n"
"  jobs [--limit N]               recent jobs\n"
"  job ID [--logs]                one job, its tables and its log\n"
"  conflicts list|show|resolve    review and resolve conflicts\n"
"  schedule add|list|rm|enable|disable\n"
"                                 sync at set times\n"
"  daemon [--once]                run schedules as they come due\n"
"  ui                             the terminal application\n"
"  help [COMMAND]                 help on a command\n"
"\n"
"Global options (before or after the command):\n"
"  -c, --config FILE    the configuration (default $PROJSYNC_CONFIG, else\n"
"                       $XDG_CONFIG_HOME/projsync/projsync.conf)\n"
"  -H, --history FILE   the history database (default $PROJSYNC_HISTORY, else\n"
"                       $XDG_DATA_HOME/projsync/history.db)\n"
"      --json           print one JSON document on stdout\n"
"  -q, --quiet          errors only on stderr, no progress bar\n"
"  -v, --verbose        more log lines (twice for debug lines)\n"
"      --no-color       no colours (NO_COLOR set does the same)\n"
"  -h, --help           this help; 'projsync COMMAND --help' for a command\n"
"      --version        print the version\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error, 3 conflicts pending\n"
"(or schema differences found).  See projsync(1).\n";

const char cli_help_demo[] =
"usage: projsync demo [--dir DIR]\n"
"\n"
"Build two SQLite databases, DIR/dev.db and DIR/prod.db, with a small project\n"
"data set (clients, projects, tasks, time entries, tags), record their common\n"
"base, then make them drift apart: inserts, updates and deletes on each side\n"
"and rows changed on both (conflicts).  Adds the connections \"demo-dev\" and\n"
"\"demo-prod\" to the configuration.  Running it again rebuilds the same\n"
"state.\n"
"\n"
"  --dir DIR   where to put the files (default $XDG_DATA_HOME/projsync/demo)\n";

const char cli_help_conn[] =
"usage: projsync conn add NAME --type TYPE --dsn DSN [--password-env VAR]\n"
"       projsync conn list\n"
"       projsync conn test NAME...\n"
"       projsync conn rm NAME\n"
"\n"
"Manage the connections of the configuration.  'projsync conn SUBCOMMAND\n"
"--help' tells more.\n";

const char cli_help_conn_add[] =
"usage: projsync conn add NAME --type TYPE --dsn DSN [--password-env VAR]\n"
"\n"
"Add a connection to the configuration (written with mode 0600).\n"
"\n"
"  --type TYPE          sqlite, postgresql (pg, postgres) or mysql (mariadb)\n"
"  --dsn DSN            a file path for sqlite; a conninfo or URI otherwise\n"
"  --password-env VAR   read the password from the environment variable VAR\n";

const char cli_help_conn_list[] =
"usage: projsync conn list\n"
"\n"
"List the connections: name, type and DSN (passwords masked).\n";

const char cli_help_conn_test[] =
"usage: projsync conn test NAME...\n"
"\n"
"Connect to each connection, ask its version and close.  Prints the latency\n"
"or the error; exits 1 when any test failed.\n";

const char cli_help_conn_rm[] =
"usage: projsync conn rm NAME\n"
"\n"
"Remove a connection from the configuration.\n";

const char cli_help_schema[] =
"usage: projsync schema diff SOURCE TARGET [--tables LIST]\n"
"       projsync schema migrate SOURCE TARGET [--tables LIST] [--dry-run]\n"
"\n"
"Compare the table definitions of two connections, or migrate the minor\n"
"differences.  'projsync schema SUBCOMMAND --help' tells more.\n";

const char cli_help_schema_diff[] =
"usage: projsync schema diff SOURCE TARGET [--tables LIST]\n"
"\n"
"Compare the tables of SOURCE and TARGET in both directions: presence,\n"
"columns, type family, width, nullability and primary key.  One line per\n"
"difference, minor (migratable) or major.  Exits 3 when differences exist,\n"
"0 when none.\n"
"\n"
"  --tables LIST   only these tables (comma-separated)\n";

const char cli_help_schema_migrate[] =
"usage: projsync schema migrate SOURCE TARGET [--tables LIST] [--dry-run]\n"
"\n"
"Apply the minor differences to the side that lacks them (create missing\n"
"tables, add missing columns, widen narrower ones) and print the DDL.\n"
"Exits 1 on a failure or when major differences remain.\n"
"\n"
"  --tables LIST   only these tables (comma-separated)\n"
"  --dry-run       print the DDL, run nothing\n";

const char cli_help_sync[] =
"usage: projsync sync SOURCE TARGET [OPTIONS]\n"
"\n"
"Run a sync job from SOURCE to TARGET (both ways with --bidirectional).\n"
"Defaults come from the configuration's defaults section.\n"
"\n"
"  --tables LIST              only these tables (comma-separated)\n"
"  --exclude LIST             leave these tables out\n"
"  --bidirectional            copy changes both ways (three-way merge)\n"
"  --one-way                  copy from SOURCE to TARGET only (the default\n"
"                             unless the configuration says otherwise)\n"
"  --strategy S               manual, source-wins, target-wins, newer-wins or\n"
"                             ignore: how conflicts are settled\n"
"  --timestamp-column COL     the column newer-wins compares\n"
"  --no-schema-check          sync the common columns without validation\n"
"  --auto-migrate             migrate minor schema differences first\n"
"  --batch-size N             rows per transaction (a positive integer)\n"
"  --single-transaction       each table per side in one transaction\n"
"  --stop-on-error            end the job at the first row error\n"
"  --dry-run                  compute and report, write nothing\n"
"  --sql FILE                 with --dry-run: write the statements to FILE\n"
"\n"
"Exit status: 0 completed, 3 conflicts pending, 1 errors, failure or\n"
"cancelled, 2 usage error.\n";

const char cli_help_jobs[] =
"usage: projsync jobs [--limit N]\n"
"\n"
"List the most recent jobs, newest first.\n"
"\n"
"  --limit N   how many (default 20)\n";

const char cli_help_job[] =
"usage: projsync job ID [--logs]\n"
"\n"
"Show one job: its status, counts and tables.\n"
"\n"
"  --logs   also print the job's log (always included with --json)\n";

const char cli_help_conflicts[] =
"usage: projsync conflicts list [--job ID] [--table T] [--status S]\n"
"                [--column COL]\n"
"       projsync conflicts show ID\n"
"       projsync conflicts resolve ID [--strategy S] [--set COL=VALUE]...\n"
"                [--null COL]... [--note TEXT]\n"
"       projsync conflicts resolve --all [--job ID] [--table T] --strategy S\n"
"                [--note TEXT]\n"
"\n"
"Review and resolve conflicts.  'projsync conflicts SUBCOMMAND --help' tells\n"
"more.\n";

const char cli_help_conflicts_list[] =
"usage: projsync conflicts list [--job ID] [--table T] [--status S]\n"
"                [--column COL]\n"
"\n"
"List conflicts, oldest first.\n"
"\n"
"  --job ID       met by this job\n"
"  --table T      in this table\n"
"  --status S     pending (default), ignored, resolved, stale or all\n"
"  --column COL   where this column differs\n";

const char cli_help_conflicts_show[] =
"usage: projsync conflicts show ID\n"
"\n"
"Show one conflict: both versions side by side, differing columns marked *.\n";

const char cli_help_conflicts_resolve[] =
"usage: projsync conflicts resolve ID [--strategy S] [--set COL=VALUE]...\n"
"                [--null COL]... [--note TEXT]\n"
"       projsync conflicts resolve --all [--job ID] [--table T] --strategy S\n"
"                [--note TEXT]\n"
"\n"
"Write the chosen row on both sides now.  The row starts from the version the\n"
"strategy picks (the source when only --set or --null are given), then takes\n"
"the overrides.  If either row changed since the sync, the conflict becomes\n"
"stale, nothing is written and the exit status is 1: run the sync again.\n"
"\n"
"  --strategy S     source-wins, target-wins or newer-wins (or source,\n"
"                   target, newer)\n"
"  --set COL=VALUE  write VALUE in column COL (repeatable)\n"
"  --null COL       write NULL in column COL (repeatable)\n"
"  --note TEXT      a note kept with the resolution\n"
"  --all            every pending or ignored conflict that matches\n"
"  --job ID         with --all: met by this job\n"
"  --table T        with --all: in this table\n";

const char cli_help_schedule[] =
"usage: projsync schedule add NAME SOURCE TARGET --every daily|weekly|monthly\n"
"                --at HH:MM [--on DAY] [--day N] [SYNC OPTIONS]\n"
"       projsync schedule list\n"
"       projsync schedule rm NAME\n"
"       projsync schedule enable NAME\n"
"       projsync schedule disable NAME\n"
"\n"
"Manage the schedules of the configuration; 'projsync daemon' runs them.\n"
"'projsync schedule SUBCOMMAND --help' tells more.\n";

const char cli_help_schedule_add[] =
"usage: projsync schedule add NAME SOURCE TARGET --every daily|weekly|monthly\n"
"                --at HH:MM [--on DAY] [--day N] [SYNC OPTIONS]\n"
"\n"
"Add a schedule: a sync from SOURCE to TARGET at a local time, daily, weekly\n"
"on a weekday or monthly on a day.  Occurrences before it was added never\n"
"run; missed occurrences run once, when a daemon next looks.\n"
"\n"
"  --every P                  daily, weekly or monthly\n"
"  --at HH:MM                 the local time, 00:00 to 23:59\n"
"  --on DAY                   weekly: mon, tue, wed, thu, fri, sat or sun\n"
"  --day N                    monthly: the day, 1 to 31 (the month's last\n"
"                             day when the month is shorter)\n"
"\n"
"Sync options (as 'projsync sync' takes them; the configuration's defaults\n"
"apply to what is not given):\n"
"  --tables LIST              only these tables (comma-separated)\n"
"  --exclude LIST             leave these tables out\n"
"  --bidirectional            copy changes both ways (three-way merge)\n"
"  --one-way                  copy from SOURCE to TARGET only\n"
"  --strategy S               manual, source-wins, target-wins, newer-wins or\n"
"                             ignore: how conflicts are settled\n"
"  --timestamp-column COL     the column newer-wins compares\n"
"  --no-schema-check          sync the common columns without validation\n"
"  --auto-migrate             migrate minor schema differences first\n"
"  --batch-size N             rows per transaction (a positive integer)\n"
"  --single-transaction       each table per side in one transaction\n"
"  --stop-on-error            end the job at the first row error\n";

const char cli_help_schedule_list[] =
"usage: projsync schedule list\n"
"\n"
"List the schedules: name, connections, rule, next run (local time), last\n"
"run and its status, and whether each is enabled.  Says on stderr whether a\n"
"daemon is running.\n";

const char cli_help_schedule_rm[] =
"usage: projsync schedule rm NAME\n"
"\n"
"Remove a schedule from the configuration and forget its runs.\n";

const char cli_help_schedule_enable[] =
"usage: projsync schedule enable NAME\n"
"\n"
"Let the daemon run a disabled schedule again.\n";

const char cli_help_schedule_disable[] =
"usage: projsync schedule disable NAME\n"
"\n"
"Keep a schedule in the configuration but do not run it.\n";

const char cli_help_daemon[] =
"usage: projsync daemon [--once]\n"
"\n"
"Run the enabled schedules as they come due, in the foreground, logging to\n"
"stderr (for systemd or a terminal).  Each occurrence runs once, even with\n"
"several daemons or cron runs on one history.  SIGTERM or Ctrl-C cancels\n"
"the job running (its batch in flight rolls back) and stops; SIGHUP reloads\n"
"the configuration.\n"
"\n"
"  --once   run what is due now, then exit (for cron)\n";

/* ---- the option parser ---- */

void
cli_parser_init(struct cli_parser *p, struct cli *cli, const char *cmd,
    const struct cli_opt *opts, int argc, char **argv, int stop)
{
	memset(p, 0, sizeof *p);
	p->cli = cli;
	p->cmd = cmd;
	p->opts = opts;
	p->argc = argc;
	p->argv = argv;
	p->stop = stop;
	p->args = xcalloc((size_t)argc + 1, sizeof *p->args);
}

void
cli_parser_free(struct cli_parser *p)
{
	free(p->args);
	p->args = NULL;
}

/* The option named NAME (LEN bytes) in OPTS, or NULL. */
static const struct cli_opt *
cli_find_long(const struct cli_opt *opts, const char *name, size_t len)
{
	if (opts == NULL)
		return NULL;
	for (; opts->name != NULL; opts++) {
		if (strlen(opts->name) == len &&
		    strncmp(opts->name, name, len) == 0)
			return opts;
	}
	return NULL;
}

static const struct cli_opt *
cli_find_short(const struct cli_opt *opts, int c)
{
	if (opts == NULL)
		return NULL;
	for (; opts->name != NULL; opts++) {
		if (opts->shortc != 0 && opts->shortc == c)
			return opts;
	}
	return NULL;
}

/* The log level the -q and -v seen so far ask for. */
static void
cli_set_verbosity(struct cli *cli)
{
	if (cli->quiet)
		log_set_level(LOG_ERROR);
	else if (cli->verbose >= 2)
		log_set_level(LOG_DEBUG);
	else if (cli->verbose == 1)
		log_set_level(LOG_INFO);
	else
		log_set_level(LOG_WARN);
}

/* Apply a global option; returns CLI_HELP for --help, else 0. */
static int
cli_global(struct cli *cli, int id, const char *arg)
{
	switch (id) {
	case GOPT_CONFIG:
		free(cli->conf_path);
		cli->conf_path = xstrdup(arg);
		break;
	case GOPT_HISTORY:
		free(cli->hist_path);
		cli->hist_path = xstrdup(arg);
		break;
	case GOPT_JSON:
		cli->json = 1;
		break;
	case GOPT_QUIET:
		cli->quiet = 1;
		cli->verbose = 0;
		cli_set_verbosity(cli);
		break;
	case GOPT_VERBOSE:
		cli->verbose++;
		cli->quiet = 0;
		cli_set_verbosity(cli);
		break;
	case GOPT_NO_COLOR:
		cli->no_color = 1;
		break;
	case GOPT_HELP:
		return CLI_HELP;
	}
	return 0;
}

/*
 * Handle option O found as WORD; VALUE is its attached value ("--x=v" or
 * "-xv") or NULL.  Takes the next word of argv when the option needs one.
 */
static int
cli_take(struct cli_parser *p, const struct cli_opt *o, const char *shown,
    const char *value, const char **arg)
{
	if (o->has_arg == CLI_ARG && value == NULL) {
		if (p->i >= p->argc) {
			cli_usage_error(p->cmd, "option '%s' needs a value",
			    shown);
			return CLI_ERROR;
		}
		value = p->argv[p->i++];
	}
	if (o->id >= GOPT_CONFIG && o->id <= GOPT_HELP) {
		if (cli_global(p->cli, o->id, value) == CLI_HELP)
			return CLI_HELP;
		return 0;
	}
	*arg = value;
	return 1;
}

int
cli_getopt(struct cli_parser *p, const char **arg)
{
	const struct cli_opt	*o;
	const char		*w, *eq;
	char			 shown[3];
	int			 rc;

	*arg = NULL;
	for (;;) {
		if (p->in_short != 0) {
			w = p->argv[p->i - 1];
			if (w[p->in_short] == '\0') {
				p->in_short = 0;
				continue;
			}
			shown[0] = '-';
			shown[1] = w[p->in_short];
			shown[2] = '\0';
			o = cli_find_short(p->opts, w[p->in_short]);
			if (o == NULL)
				o = cli_find_short(cli_global_opts,
				    w[p->in_short]);
			if (o == NULL) {
				cli_usage_error(p->cmd, "unknown option '%s'",
				    shown);
				return CLI_ERROR;
			}
			p->in_short++;
			if (o->has_arg == CLI_ARG) {
				eq = w[p->in_short] != '\0' ? w + p->in_short :
				    NULL;
				p->in_short = 0;
				rc = cli_take(p, o, shown, eq, arg);
			} else
				rc = cli_take(p, o, shown, NULL, arg);
			if (rc == 1)
				return o->id;
			if (rc < 0)
				return rc;
			continue;
		}
		if (p->i >= p->argc)
			return CLI_END;
		w = p->argv[p->i];
		if (strcmp(w, "--") == 0) {
			p->i++;
			if (p->stop)
				return CLI_END;
			while (p->i < p->argc)
				p->args[p->nargs++] = p->argv[p->i++];
			return CLI_END;
		}
		if (w[0] != '-' || w[1] == '\0') {
			if (p->stop)
				return CLI_END;
			p->args[p->nargs++] = p->argv[p->i++];
			continue;
		}
		p->i++;
		if (w[1] != '-') {
			p->in_short = 1;
			continue;
		}
		eq = strchr(w + 2, '=');
		if (eq != NULL) {
			o = cli_find_long(p->opts, w + 2, (size_t)(eq - w - 2));
			if (o == NULL)
				o = cli_find_long(cli_global_opts, w + 2,
				    (size_t)(eq - w - 2));
		} else {
			o = cli_find_long(p->opts, w + 2, strlen(w + 2));
			if (o == NULL)
				o = cli_find_long(cli_global_opts, w + 2,
				    strlen(w + 2));
		}
		if (o == NULL) {
			if (eq != NULL) {
				cli_usage_error(p->cmd,
				    "unknown option '%.*s'", (int)(eq - w), w);
			} else {
				cli_usage_error(p->cmd, "unknown option '%s'",
				    w);
			}
			return CLI_ERROR;
		}
		if (eq != NULL && o->has_arg == CLI_NOARG) {
			cli_usage_error(p->cmd, "option '--%s' takes no value",
			    o->name);
			return CLI_ERROR;
		}
		rc = cli_take(p, o, w, eq != NULL ? eq + 1 : NULL, arg);
		if (rc == 1)
			return o->id;
		if (rc < 0)
			return rc;
	}
}

/* ---- messages ---- */

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	if (cmd != NULL)
		fprintf(stderr, "projsync: %s: ", cmd);
	else
		fprintf(stderr, "projsync: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, "\nTry 'projsync %s --help'.\n", cmd);
	else
		fprintf(stderr, "\nTry 'projsync --help'.\n");
	return CLI_EXIT_USAGE;
}

int
cli_fail(const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	fprintf(stderr, "projsync: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAIL;
}

int
cli_error(const struct ps_error *err)
{
	fflush(stdout);
	if (err->msg[0] != '\0')
		fprintf(stderr, "projsync: %s\n", err->msg);
	else
		fprintf(stderr, "projsync: %s\n", ps_err_text(err->code));
	if (err->code == PS_OK)
		return CLI_EXIT_FAIL;
	return ps_err_exit(err->code);
}

void
cli_note(struct cli *cli, const char *fmt, ...)
{
	va_list	ap;

	if (cli->quiet)
		return;
	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_help(const char *help)
{
	fputs(help, stdout);
	return CLI_EXIT_OK;
}

/* ---- configuration and history ---- */

int
cli_load_conf(struct cli *cli)
{
	struct ps_error	 err;
	const char	*env;

	if (cli->conf != NULL)
		return 0;
	if (cli->conf_path == NULL) {
		env = getenv("PROJSYNC_CONFIG");
		if (env != NULL && *env != '\0')
			cli->conf_path = xstrdup(env);
		else
			cli->conf_path = util_default_config_path();
	}
	ps_error_clear(&err);
	if (conf_load(cli->conf_path, &cli->conf, &err) != 0) {
		cli->conf = NULL;
		cli_error(&err);
		return -1;
	}
	return 0;
}

int
cli_save_conf(struct cli *cli, const char *fmt, ...)
{
	struct ps_error	 err;
	va_list		 ap;
	char		*what;

	ps_error_clear(&err);
	if (conf_save(cli->conf, &err) != 0) {
		cli_error(&err);
		return -1;
	}
	/* Who changed what (SPEC section 2); the change itself stands. */
	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	if (cli_open_history(cli) == 0 &&
	    history_settings_log(cli->hist, what, &err) != 0)
		log_msg(LOG_WARN, "%s", err.msg);
	free(what);
	return 0;
}

int
cli_open_history(struct cli *cli)
{
	struct ps_error	 err;
	const char	*env;

	if (cli->hist != NULL)
		return 0;
	if (cli->hist_path == NULL) {
		env = getenv("PROJSYNC_HISTORY");
		if (env != NULL && *env != '\0')
			cli->hist_path = xstrdup(env);
		else
			cli->hist_path = util_default_history_path();
	}
	ps_error_clear(&err);
	if (history_open(cli->hist_path, &cli->hist, &err) != 0) {
		cli->hist = NULL;
		cli_error(&err);
		return -1;
	}
	return 0;
}

const struct conn_conf *
cli_conn(struct cli *cli, const char *name)
{
	const struct conn_conf	*cc;

	cc = conf_conn_find(cli->conf, name);
	if (cc == NULL)
		cli_fail("unknown connection '%s'", name);
	return cc;
}

/* The engine's log lines for people (sync sets a richer callback). */
static void
cli_engine_log(const struct engine_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == EV_LOG)
		log_msg((enum log_level)ev->level, "%s", ev->message);
}

void
cli_engine_ctx(struct cli *cli, struct engine_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->conf = cli->conf;
	ctx->hist = cli->hist;
	ctx->cb = cli_engine_log;
}

int
cli_parse_id(const char *s, int64_t *out)
{
	long long	v;

	if (util_parse_int(s, 1, INT64_MAX, &v) != 0)
		return -1;
	*out = v;
	return 0;
}

int
cli_parse_strategy(const char *s, enum strategy *out)
{
	if (strcmp(s, "source") == 0)
		*out = STRAT_SOURCE_WINS;
	else if (strcmp(s, "target") == 0)
		*out = STRAT_TARGET_WINS;
	else if (strcmp(s, "newer") == 0)
		*out = STRAT_NEWER_WINS;
	else if (strategy_parse(s, out) != 0)
		return -1;
	return 0;
}

/* ---- output helpers ---- */

void
cli_json_begin(struct cli *cli, struct json_w *w)
{
	(void)cli;
	json_init(w, isatty(STDOUT_FILENO));
}

void
cli_json_end(struct json_w *w)
{
	fwrite(sb_str(&w->sb), 1, w->sb.len, stdout);
	fputc('\n', stdout);
	json_free(w);
}

void
cli_json_counts(struct json_w *w, const struct sync_counts *c)
{
	json_key(w, "rows_compared");
	json_int(w, c->rows_compared);
	json_key(w, "inserted");
	json_int(w, c->inserted);
	json_key(w, "updated");
	json_int(w, c->updated);
	json_key(w, "deleted");
	json_int(w, c->deleted);
	json_key(w, "conflicts");
	json_int(w, c->conflicts);
	json_key(w, "pending_conflicts");
	json_int(w, c->pending_conflicts);
	json_key(w, "errors");
	json_int(w, c->errors);
}

void
cli_json_time(struct json_w *w, double t)
{
	char	buf[64];

	if (t <= 0)
		json_null(w);
	else
		json_str(w, util_iso8601(t, buf, sizeof buf));
}

char *
cli_time(double t, char *buf, size_t len)
{
	time_t		secs;
	struct tm	tm;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (t <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	secs = (time_t)t;
	if (localtime_r(&secs, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%.0f", t);
	return buf;
}

/*
 * Walk S character by character; returns the display width of the first
 * characters that fit in LIMIT columns (all of S when LIMIT is -1) and sets
 * *BYTES to their length.
 */
static int
cli_measure(const char *s, int limit, size_t *bytes)
{
	mbstate_t	 st;
	wchar_t		 wc;
	size_t		 n, len, off = 0;
	int		 w = 0, cw;

	memset(&st, 0, sizeof st);
	len = strlen(s);
	while (off < len) {
		n = mbrtowc(&wc, s + off, len - off, &st);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof st);
			n = 1;
			cw = 1;
		} else {
			if (n == 0)
				n = 1;
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (limit >= 0 && w + cw > limit)
			break;
		w += cw;
		off += n;
	}
	if (bytes != NULL)
		*bytes = off;
	return w;
}

int
cli_width(const char *s)
{
	return cli_measure(s, -1, NULL);
}

void
cli_pad(FILE *f, const char *s, int width)
{
	size_t	bytes;
	int	w;

	if (s == NULL)
		s = "";
	w = cli_measure(s, -1, NULL);
	if (w > width && width > 0) {
		w = cli_measure(s, width - 1, &bytes);
		fwrite(s, 1, bytes, f);
		fputc('~', f);
		w++;
	} else
		fputs(s, f);
	for (; w < width; w++)
		fputc(' ', f);
}

void
cli_counts_text(struct strbuf *sb, const struct sync_counts *c)
{
	sb_addf(sb, "%lld compared, %lld inserted, %lld updated, "
	    "%lld deleted, %lld conflict%s (%lld pending), %lld error%s",
	    (long long)c->rows_compared, (long long)c->inserted,
	    (long long)c->updated, (long long)c->deleted,
	    (long long)c->conflicts, c->conflicts == 1 ? "" : "s",
	    (long long)c->pending_conflicts, (long long)c->errors,
	    c->errors == 1 ? "" : "s");
}

const char *
cli_color(struct cli *cli, enum cli_color c)
{
	const char	*e;
	static int	 on = -1;

	if (on == -1) {
		e = getenv("TERM");
		on = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
		    (e == NULL || strcmp(e, "dumb") != 0);
	}
	if (!on || cli->no_color || cli->json)
		return "";
	switch (c) {
	case CLI_C_OFF:
		return "\033[0m";
	case CLI_C_GOOD:
		return "\033[32m";
	case CLI_C_WARN:
		return "\033[33m";
	case CLI_C_BAD:
		return "\033[31m";
	case CLI_C_BOLD:
		return "\033[1m";
	}
	return "";
}

enum cli_color
cli_status_color(const char *status)
{
	if (status == NULL)
		return CLI_C_OFF;
	if (strcmp(status, "completed") == 0 ||
	    strcmp(status, "resolved") == 0 || strcmp(status, "synced") == 0)
		return CLI_C_GOOD;
	if (strcmp(status, "completed_with_conflicts") == 0 ||
	    strcmp(status, "pending") == 0 || strcmp(status, "running") == 0 ||
	    strcmp(status, "skipped") == 0 || strcmp(status, "stale") == 0)
		return CLI_C_WARN;
	if (strcmp(status, "completed_with_errors") == 0 ||
	    strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0)
		return CLI_C_BAD;
	return CLI_C_OFF;
}

/* ---- dispatch ---- */

int
cli_dispatch_sub(struct cli *cli, const char *group, const char *help,
    const struct cli_sub *subs, int argc, char **argv)
{
	struct cli_parser	 p;
	const struct cli_sub	*s;
	const char		*arg, *word;
	int			 c, rc;

	cli_parser_init(&p, cli, group, NULL, argc, argv, 1);
	while ((c = cli_getopt(&p, &arg)) >= 0)
		continue;
	if (c == CLI_ERROR) {
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	if (c == CLI_HELP) {
		rc = cli_help(help);
		goto out;
	}
	if (p.i >= argc) {
		fputs(help, stderr);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	word = argv[p.i];
	for (s = subs; s->name != NULL; s++) {
		if (strcmp(s->name, word) == 0)
			break;
	}
	if (s->name == NULL) {
		rc = cli_usage_error(group, "unknown sub-command '%s'", word);
		goto out;
	}
	rc = s->fn(cli, argc - p.i - 1, argv + p.i + 1);
out:
	cli_parser_free(&p);
	return rc;
}

/*
 * The terminal application, on a terminal.  Without one, "projsync" alone
 * prints the usage (exit 2) and "projsync ui" says why it cannot start.
 */
static int
cli_ui(struct cli *cli, int no_command)
{
	struct ps_error	err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		if (no_command) {
			fputs(cli_help_main, stderr);
			return CLI_EXIT_USAGE;
		}
		return cli_fail("the terminal application needs a terminal "
		    "(stdin and stdout)");
	}
	if (cli_load_conf(cli) != 0)
		return CLI_EXIT_FAIL;
	/* Create the history (and check it) before the screen starts. */
	if (cli_open_history(cli) != 0)
		return CLI_EXIT_FAIL;
	if (util_mkdir_parent(cli->conf_path, &err) != 0)
		return cli_error(&err);
	return ui_main(cli->conf_path, cli->hist_path, cli->no_color) == 0 ?
	    CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int
cli_cmd_ui(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	const char		*arg;
	int			 c, rc;

	cli_parser_init(&p, cli, "ui", NULL, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0)
		continue;
	if (c == CLI_ERROR)
		rc = CLI_EXIT_USAGE;
	else if (c == CLI_HELP)
		rc = cli_help("usage: projsync ui\n\n"
		    "Start the terminal application.\n");
	else if (p.nargs != 0)
		rc = cli_usage_error("ui", "unexpected argument '%s'",
		    p.args[0]);
	else
		rc = cli_ui(cli, 0);
	cli_parser_free(&p);
	return rc;
}

static const struct cli_sub cli_commands[] = {
	{ "demo",	cli_cmd_demo },
	{ "conn",	cli_cmd_conn },
	{ "schema",	cli_cmd_schema },
	{ "sync",	cli_cmd_sync },
	{ "jobs",	cli_cmd_jobs },
	{ "job",	cli_cmd_job },
	{ "conflicts",	cli_cmd_conflicts },
	{ "schedule",	cli_cmd_schedule },
	{ "daemon",	cli_cmd_daemon },
	{ "ui",		cli_cmd_ui },
	{ NULL,		NULL }
};

/* "projsync help [COMMAND [SUBCOMMAND]]": the command's --help. */
static int
cli_cmd_help(struct cli *cli, int argc, char **argv)
{
	const struct cli_sub	*s;
	char			*args[3];

	if (argc == 0)
		return cli_help(cli_help_main);
	for (s = cli_commands; s->name != NULL; s++) {
		if (strcmp(s->name, argv[0]) == 0)
			break;
	}
	if (s->name == NULL)
		return cli_usage_error("help", "unknown command '%s'", argv[0]);
	if (argc >= 2) {
		args[0] = argv[1];
		args[1] = (char *)"--help";
		args[2] = NULL;
		return s->fn(cli, 2, args);
	}
	args[0] = (char *)"--help";
	args[1] = NULL;
	return s->fn(cli, 1, args);
}

enum { GOPT_VERSION = 1 };
static const struct cli_opt cli_main_opts[] = {
	{ "version",	0,	CLI_NOARG,	GOPT_VERSION },
	{ NULL,		0,	CLI_NOARG,	0 }
};

int
cli_main(int argc, char **argv)
{
	struct cli		 cli;
	struct cli_parser	 p;
	const struct cli_sub	*s;
	const char		*arg, *word;
	int			 c, rc;

	memset(&cli, 0, sizeof cli);
	cli_set_verbosity(&cli);

	cli_parser_init(&p, &cli, NULL, cli_main_opts, argc - 1, argv + 1, 1);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		if (c == GOPT_VERSION) {
			printf("projsync %s\n", PACKAGE_VERSION);
			rc = CLI_EXIT_OK;
			goto out;
		}
	}
	if (c == CLI_ERROR) {
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_main);
		goto out;
	}
	if (p.i >= p.argc) {
		rc = cli_ui(&cli, 1);
		goto out;
	}
	word = p.argv[p.i];
	if (strcmp(word, "help") == 0) {
		rc = cli_cmd_help(&cli, p.argc - p.i - 1, p.argv + p.i + 1);
		goto out;
	}
	for (s = cli_commands; s->name != NULL; s++) {
		if (strcmp(s->name, word) == 0)
			break;
	}
	if (s->name == NULL) {
		rc = cli_usage_error(NULL, "unknown command '%s'", word);
		goto out;
	}
	rc = s->fn(&cli, p.argc - p.i - 1, p.argv + p.i + 1);
out:
	cli_parser_free(&p);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "projsync: cannot write the output: %s\n",
		    strerror(errno));
		if (rc == CLI_EXIT_OK)
			rc = CLI_EXIT_FAIL;
	}
	if (cli.hist != NULL)
		history_close(cli.hist);
	if (cli.conf != NULL)
		conf_free(cli.conf);
	free(cli.conf_path);
	free(cli.hist_path);
	return rc;
}
