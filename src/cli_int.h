/*
 * projsync - cli_int.h: what the command line's files (cli.c, cli_sync.c,
 * cli_conflicts.c, cli_misc.c, cli_demo.c, cli_sched.c) share: the parsed
 * global options, the lazily loaded configuration and history, the option
 * parser, messages and the output helpers.
 */
#ifndef PROJSYNC_CLI_INT_H
#define PROJSYNC_CLI_INT_H

#include "projsync/common.h"
#include "projsync/conf.h"
#include "projsync/engine.h"
#include "projsync/history.h"
#include "projsync/json.h"

/* Exit statuses (SPEC section 7). */
#define CLI_EXIT_OK		0
#define CLI_EXIT_FAIL		1
#define CLI_EXIT_USAGE		2
#define CLI_EXIT_PENDING	3

/* One run of the command line. */
struct cli {
	char		*conf_path;	/* -c, PROJSYNC_CONFIG or default */
	char		*hist_path;	/* -H, PROJSYNC_HISTORY or default */
	int		 json;		/* --json: one document on stdout */
	int		 quiet;		/* -q: errors only */
	int		 verbose;	/* -v count */
	int		 no_color;	/* --no-color */
	struct conf	*conf;		/* set by cli_load_conf() */
	struct history	*hist;		/* set by cli_open_history() */
};

/*
 * The option parser.  Every command lists its own options; the global ones
 * (-c, -H, --json, -q, -v, --no-color) and --help are understood everywhere,
 * before or after the command.  Options and operands may be mixed, "--" ends
 * the options, and "--name=value" is accepted for options with a value.
 */
enum cli_arg { CLI_NOARG, CLI_ARG };

struct cli_opt {
	const char	*name;		/* long name without "--" */
	int		 shortc;	/* short letter, or 0 */
	enum cli_arg	 has_arg;
	int		 id;		/* returned by cli_getopt(); >= 0 */
};

#define CLI_END		(-1)	/* no more options */
#define CLI_ERROR	(-2)	/* a usage error was printed */
#define CLI_HELP	(-3)	/* --help or -h */

struct cli_parser {
	struct cli		*cli;
	const char		*cmd;	/* "sync", "conflicts resolve" */
	const struct cli_opt	*opts;	/* ends with a NULL name */
	int			 argc;
	char			**argv;
	int			 i;	/* next word of argv */
	int			 stop;	/* stop at the first operand */
	int			 nargs;	/* operands collected so far */
	char			**args;	/* argv-owned words; NULL-terminated */
	int			 in_short;	/* offset in "-qv" bundles */
};

/*
 * Start parsing ARGC words of ARGV for CMD with OPTS.  With STOP, parsing
 * ends at the first operand (left in argv from p->i on), as for the global
 * options before a command and for command groups; otherwise operands are
 * collected in p->args.  Free with cli_parser_free().
 */
void	cli_parser_init(struct cli_parser *, struct cli *, const char *cmd,
	    const struct cli_opt *, int argc, char **argv, int stop);
/* The next option's id (ARG set for an option with a value), or CLI_*. */
int	cli_getopt(struct cli_parser *, const char **arg);
void	cli_parser_free(struct cli_parser *);

/*
 * Print "projsync: CMD: MESSAGE" and "Try 'projsync CMD --help'." on stderr
 * and return CLI_EXIT_USAGE.
 */
int	cli_usage_error(const char *cmd, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Print "projsync: MESSAGE" on stderr; returns CLI_EXIT_FAIL. */
int	cli_fail(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Print ERR's message and return its exit status (ps_err_exit). */
int	cli_error(const struct ps_error *);
/* A message for people on stderr unless -q. */
void	cli_note(struct cli *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Print HELP (a command's usage text) on stdout; returns CLI_EXIT_OK. */
int	cli_help(const char *help);

/*
 * Load the configuration once (-c/PROJSYNC_CONFIG/default); on failure print
 * the error ("FILE:LINE: ...") and return -1.
 */
int	cli_load_conf(struct cli *);
/*
 * Save the configuration and record the change (FMT, one line) with the OS
 * user in the history; -1 with the error printed when the save failed.
 */
int	cli_save_conf(struct cli *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Open the history once (creating it); -1 with the error printed. */
int	cli_open_history(struct cli *);
/*
 * The configured connection NAME, or NULL after printing "unknown
 * connection 'NAME'".  The configuration must be loaded.
 */
const struct conn_conf *cli_conn(struct cli *, const char *name);
/* An engine context over the loaded configuration and the history. */
void	cli_engine_ctx(struct cli *, struct engine_ctx *);

/*
 * The sync options "sync" and "schedule add" share (SPEC section 7): their
 * option ids (above any command's own), the entries for a command's option
 * table, and what they set.
 */
enum {
	CLI_SO_TABLES = 500,	/* the global options are 1000 and up */
	CLI_SO_EXCLUDE,
	CLI_SO_BIDIRECTIONAL,
	CLI_SO_ONE_WAY,
	CLI_SO_STRATEGY,
	CLI_SO_TIMESTAMP_COLUMN,
	CLI_SO_NO_SCHEMA_CHECK,
	CLI_SO_AUTO_MIGRATE,
	CLI_SO_BATCH_SIZE,
	CLI_SO_SINGLE_TRANSACTION,
	CLI_SO_STOP_ON_ERROR
};
#define CLI_SYNC_OPTS \
	{ "tables",		0, CLI_ARG,	CLI_SO_TABLES }, \
	{ "exclude",		0, CLI_ARG,	CLI_SO_EXCLUDE }, \
	{ "bidirectional",	0, CLI_NOARG,	CLI_SO_BIDIRECTIONAL }, \
	{ "one-way",		0, CLI_NOARG,	CLI_SO_ONE_WAY }, \
	{ "strategy",		0, CLI_ARG,	CLI_SO_STRATEGY }, \
	{ "timestamp-column",	0, CLI_ARG,	CLI_SO_TIMESTAMP_COLUMN }, \
	{ "no-schema-check",	0, CLI_NOARG,	CLI_SO_NO_SCHEMA_CHECK }, \
	{ "auto-migrate",	0, CLI_NOARG,	CLI_SO_AUTO_MIGRATE }, \
	{ "batch-size",		0, CLI_ARG,	CLI_SO_BATCH_SIZE }, \
	{ "single-transaction",	0, CLI_NOARG,	CLI_SO_SINGLE_TRANSACTION }, \
	{ "stop-on-error",	0, CLI_NOARG,	CLI_SO_STOP_ON_ERROR }

struct cli_sync_args {
	char		**tables;	/* NULL-terminated; NULL: not given */
	char		**exclude;
	int		  bidir;	/* -1 not given, 0 one-way, 1 both */
	const char	 *strategy;	/* as typed; NULL: not given */
	enum strategy	  strat;	/* parsed by cli_sync_args_check */
	const char	 *tscol;
	int		  no_schema_check;
	int		  auto_migrate;
	const char	 *batch;	/* as typed */
	int		  batch_size;	/* parsed; 0: not given */
	int		  single_transaction;
	int		  stop_on_error;
};
/* An empty set (bidir -1). */
void	cli_sync_args_init(struct cli_sync_args *);
void	cli_sync_args_free(struct cli_sync_args *);
/*
 * Take option C (a CLI_SO_* id) with ARG for command CMD: 1 when taken, 0
 * when C is not a sync option, -1 after printing a usage error.
 */
int	cli_sync_arg(const char *cmd, int c, const char *arg,
	    struct cli_sync_args *);
/*
 * Check what was given once all options are read (the strategy, the batch
 * size, the timestamp column) and fill strat and batch_size: 0, or -1
 * after printing a usage error.
 */
int	cli_sync_args_check(const char *cmd, struct cli_sync_args *);

/*
 * Parse the options of a command CMD that takes only --help and operands
 * (collected in P, which the caller frees).  0 to go on, else -1 with *RC
 * the exit status (the usage error or the help printed).
 */
int	cli_operands(struct cli *, const char *cmd, const char *help, int argc,
	    char **argv, struct cli_parser *p, int *rc);

/* Parse a positive id ("12"); -1 if not one. */
int	cli_parse_id(const char *, int64_t *);
/*
 * Parse a strategy name: manual, source-wins, target-wins, newer-wins and
 * ignore, plus the short words source, target and newer.  -1 if unknown.
 */
int	cli_parse_strategy(const char *, enum strategy *);

/* JSON output: start a writer, and print it as the one document on stdout. */
void	cli_json_begin(struct cli *, struct json_w *);
void	cli_json_end(struct json_w *);
/* Write the counts as members of the open object. */
void	cli_json_counts(struct json_w *, const struct sync_counts *);
/* Write an epoch time as an ISO 8601 UTC string, or null when 0. */
void	cli_json_time(struct json_w *, double);
/* Local time "2024-03-01 09:15:00" for people; returns BUF. */
char	*cli_time(double, char *, size_t);
/*
 * Write S to F padded (or cut, ending in "~") to WIDTH terminal columns;
 * multibyte text is measured by its display width.
 */
void	cli_pad(FILE *, const char *, int width);
/* Display width of S (its byte length when not valid in the locale). */
int	cli_width(const char *);
/* The counts as "6 compared, 1 inserted, ..." appended to SB. */
void	cli_counts_text(struct strbuf *, const struct sync_counts *);

/* Colours on stdout (off with --no-color, NO_COLOR or a non-terminal). */
enum cli_color { CLI_C_OFF, CLI_C_GOOD, CLI_C_WARN, CLI_C_BAD, CLI_C_BOLD };
const char *cli_color(struct cli *, enum cli_color);
/* The colour for a job status name. */
enum cli_color cli_status_color(const char *);

/* Commands: each returns the exit status. */
int	cli_cmd_demo(struct cli *, int, char **);
int	cli_cmd_conn(struct cli *, int, char **);
int	cli_cmd_schema(struct cli *, int, char **);
int	cli_cmd_sync(struct cli *, int, char **);
int	cli_cmd_jobs(struct cli *, int, char **);
int	cli_cmd_job(struct cli *, int, char **);
int	cli_cmd_conflicts(struct cli *, int, char **);
int	cli_cmd_schedule(struct cli *, int, char **);
int	cli_cmd_daemon(struct cli *, int, char **);

/* Help texts, kept with the dispatch table in cli.c. */
extern const char cli_help_demo[];
extern const char cli_help_conn[];
extern const char cli_help_conn_add[];
extern const char cli_help_conn_list[];
extern const char cli_help_conn_test[];
extern const char cli_help_conn_rm[];
extern const char cli_help_schema[];
extern const char cli_help_schema_diff[];
extern const char cli_help_schema_migrate[];
extern const char cli_help_sync[];
extern const char cli_help_jobs[];
extern const char cli_help_job[];
extern const char cli_help_conflicts[];
extern const char cli_help_conflicts_list[];
extern const char cli_help_conflicts_show[];
extern const char cli_help_conflicts_resolve[];
extern const char cli_help_schedule[];
extern const char cli_help_schedule_add[];
extern const char cli_help_schedule_list[];
extern const char cli_help_schedule_rm[];
extern const char cli_help_schedule_enable[];
extern const char cli_help_schedule_disable[];
extern const char cli_help_daemon[];

/*
 * Sub-command dispatch for a command group ("conn add", "schema diff"):
 * parse the group's own options up to the sub-command word, then run it.
 */
struct cli_sub {
	const char	*name;
	int		(*fn)(struct cli *, int, char **);
};
int	cli_dispatch_sub(struct cli *, const char *group, const char *help,
	    const struct cli_sub *, int argc, char **argv);

#endif
