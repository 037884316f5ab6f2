/*
 * projsync - cli_conflicts.c: "projsync conflicts": list, show (both
 * versions side by side) and resolve, one by one with field overrides or in
 * bulk over a filter (SPEC sections 5 and 7).
 */
#include "projsync/common.h"
#include "projsync/util.h"

#include "cli_int.h"

#include <stdlib.h>
#include <string.h>

/* Widest value shown in a column of "conflicts show". */
#define SHOW_VALUE_WIDTH	32

/* "id=14, name=x" from a key object {"id":"14","name":"x"}; appended to SB. */
static void
conflict_key_text(struct strbuf *sb, const char *key_json)
{
	struct json_obj	o;
	int		i;

	if (key_json == NULL || json_parse_object(key_json, &o) != 0) {
		sb_addstr(sb, key_json != NULL ? key_json : "-");
		return;
	}
	for (i = 0; i < o.n; i++) {
		sb_addf(sb, "%s%s=%s", i > 0 ? ", " : "", o.kv[i].key,
		    o.kv[i].value != NULL ? o.kv[i].value : "NULL");
	}
	json_obj_free(&o);
}

/* "title, status" from a JSON array of names; appended to SB. */
static void
conflict_columns_text(struct strbuf *sb, const char *columns)
{
	char	**v = NULL;
	int	  n = 0, i;

	if (columns == NULL || json_parse_str_array(columns, &v, &n) != 0) {
		sb_addstr(sb, columns != NULL ? columns : "-");
		return;
	}
	for (i = 0; i < n; i++) {
		sb_addf(sb, "%s%s", i > 0 ? ", " : "", v[i]);
		free(v[i]);
	}
	if (n == 0)
		sb_addstr(sb, "-");
	free(v);
}

/* The members of one conflict object (the writer is inside an object). */
static void
conflict_json(struct json_w *w, const struct conflict_row *c)
{
	json_key(w, "id");
	json_int(w, c->id);
	json_key(w, "job_id");
	json_int(w, c->job_id);
	json_key(w, "table");
	json_str(w, c->table);
	json_key(w, "key");
	json_raw(w, c->key_json);
	json_key(w, "kind");
	json_str(w, c->kind);
	json_key(w, "status");
	json_str(w, c->status);
	json_key(w, "columns");
	json_raw(w, c->columns != NULL ? c->columns : "[]");
	json_key(w, "source");
	json_raw(w, c->source_row);
	json_key(w, "target");
	json_raw(w, c->target_row);
	json_key(w, "source_conn");
	json_str(w, c->source);
	json_key(w, "target_conn");
	json_str(w, c->target);
	json_key(w, "bidirectional");
	json_bool(w, c->bidirectional);
	json_key(w, "timestamp_column");
	json_str(w, c->timestamp_column);
	json_key(w, "strategy");
	json_str(w, c->strategy);
	json_key(w, "outcome");
	json_str(w, c->outcome);
	json_key(w, "result");
	json_raw(w, c->result_row);
	json_key(w, "note");
	json_str(w, c->note);
	json_key(w, "resolved_by");
	json_str(w, c->resolved_by);
	json_key(w, "resolved_at");
	cli_json_time(w, c->resolved_at);
	json_key(w, "created_at");
	cli_json_time(w, c->created_at);
	json_key(w, "updated_at");
	cli_json_time(w, c->updated_at);
}

/* ---- list ---- */

enum { OPT_JOB, OPT_TABLE, OPT_STATUS, OPT_COLUMN };
static const struct cli_opt list_opts[] = {
	{ "job",	0, CLI_ARG,	OPT_JOB },
	{ "table",	0, CLI_ARG,	OPT_TABLE },
	{ "status",	0, CLI_ARG,	OPT_STATUS },
	{ "column",	0, CLI_ARG,	OPT_COLUMN },
	{ NULL,		0, CLI_NOARG,	0 }
};

static const char *const conflict_statuses[] = {
	"pending", "ignored", "resolved", "stale", "all", NULL
};

static int
conflicts_list(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct conflict_filter	 f;
	struct ps_error		 err;
	struct json_w		 w;
	struct conflict_row	*rows = NULL, *c;
	struct strbuf		 sb = STRBUF_INIT;
	const char		*arg;
	int			 ch, rc = CLI_EXIT_USAGE, n = 0, i;
	int			 tablew = 5, keyw = 3, kindw = 4;

	memset(&f, 0, sizeof f);
	f.status = "pending";
	cli_parser_init(&p, cli, "conflicts list", list_opts, argc, argv, 0);
	while ((ch = cli_getopt(&p, &arg)) >= 0) {
		switch (ch) {
		case OPT_JOB:
			if (cli_parse_id(arg, &f.job_id) != 0) {
				cli_usage_error("conflicts list", "'%s' is not "
				    "a job ID", arg);
				goto out;
			}
			break;
		case OPT_TABLE:
			f.table = arg;
			break;
		case OPT_STATUS:
			if (!util_strv_contains(
			    (char *const *)conflict_statuses, arg)) {
				cli_usage_error("conflicts list", "unknown "
				    "status '%s' (pending, ignored, resolved, "
				    "stale or all)", arg);
				goto out;
			}
			f.status = arg;
			break;
		case OPT_COLUMN:
			f.column = arg;
			break;
		}
	}
	if (ch == CLI_ERROR)
		goto out;
	if (ch == CLI_HELP) {
		rc = cli_help(cli_help_conflicts_list);
		goto out;
	}
	if (p.nargs != 0) {
		cli_usage_error("conflicts list", "unexpected argument '%s'",
		    p.args[0]);
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_open_history(cli) != 0)
		goto out;
	ps_error_clear(&err);
	if (history_conflict_list(cli->hist, &f, &rows, &n, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_arr_begin(&w);
		for (i = 0; i < n; i++) {
			json_obj_begin(&w);
			conflict_json(&w, &rows[i]);
			json_obj_end(&w);
		}
		json_arr_end(&w);
		cli_json_end(&w);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (n == 0) {
		if (strcmp(f.status, "all") == 0)
			cli_note(cli, "no conflicts match");
		else
			cli_note(cli, "no %s conflicts match", f.status);
		rc = CLI_EXIT_OK;
		goto out;
	}
	for (i = 0; i < n; i++) {
		c = &rows[i];
		if (c->table != NULL && cli_width(c->table) > tablew)
			tablew = cli_width(c->table);
		sb_reset(&sb);
		conflict_key_text(&sb, c->key_json);
		if (cli_width(sb_str(&sb)) > keyw)
			keyw = cli_width(sb_str(&sb));
		if (c->kind != NULL && cli_width(c->kind) > kindw)
			kindw = cli_width(c->kind);
	}
	if (keyw > 30)
		keyw = 30;
	if (tablew > 24)
		tablew = 24;
	fputs(cli_color(cli, CLI_C_BOLD), stdout);
	printf("%-6s %-6s ", "ID", "JOB");
	cli_pad(stdout, "TABLE", tablew + 1);
	cli_pad(stdout, "KEY", keyw + 1);
	cli_pad(stdout, "KIND", kindw + 1);
	printf("%-9s COLUMNS%s\n", "STATUS", cli_color(cli, CLI_C_OFF));
	for (i = 0; i < n; i++) {
		c = &rows[i];
		printf("%-6lld %-6lld ", (long long)c->id,
		    (long long)c->job_id);
		cli_pad(stdout, c->table, tablew + 1);
		sb_reset(&sb);
		conflict_key_text(&sb, c->key_json);
		cli_pad(stdout, sb_str(&sb), keyw + 1);
		cli_pad(stdout, c->kind, kindw + 1);
		fputs(cli_color(cli, cli_status_color(c->status)), stdout);
		cli_pad(stdout, c->status, 9);
		fputs(cli_color(cli, CLI_C_OFF), stdout);
		sb_reset(&sb);
		conflict_columns_text(&sb, c->columns);
		printf("%s\n", sb_str(&sb));
	}
	rc = CLI_EXIT_OK;
out:
	sb_free(&sb);
	conflict_rows_free(rows, n);
	cli_parser_free(&p);
	return rc;
}

/* ---- show ---- */

/* Parse "conflicts CMD ID" with no options of its own. */
static int
conflict_id_arg(struct cli *cli, const char *cmd, const char *help,
    int argc, char **argv, int64_t *id, int *rc)
{
	struct cli_parser	 p;
	const char		*arg;
	int			 c, ret = -1;

	*rc = CLI_EXIT_USAGE;
	cli_parser_init(&p, cli, cmd, NULL, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0)
		continue;
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		*rc = cli_help(help);
		goto out;
	}
	if (p.nargs != 1) {
		if (p.nargs == 0)
			cli_usage_error(cmd, "needs a conflict ID");
		else
			cli_usage_error(cmd, "unexpected argument '%s'",
			    p.args[1]);
		goto out;
	}
	if (cli_parse_id(p.args[0], id) != 0) {
		cli_usage_error(cmd, "'%s' is not a conflict ID", p.args[0]);
		goto out;
	}
	ret = 0;
out:
	cli_parser_free(&p);
	return ret;
}

/* The value of KEY in O for people: NULL, or the text cut to one line. */
static void
show_value(struct strbuf *sb, const struct json_obj *o, int present,
    const char *key)
{
	const struct json_kv	*kv;
	const char		*s;

	sb_reset(sb);
	if (!present) {
		sb_addstr(sb, "(absent)");
		return;
	}
	kv = json_obj_get(o, key);
	if (kv == NULL)
		sb_addstr(sb, "(no column)");
	else if (kv->value == NULL)
		sb_addstr(sb, "NULL");
	else {
		for (s = kv->value; s < kv->value + kv->len; s++) {
			if (*s == '\n')
				sb_addstr(sb, "\\n");
			else if (*s == '\t')
				sb_addstr(sb, "\\t");
			else if (*s == '\r')
				sb_addstr(sb, "\\r");
			else if (*s == '\0')
				sb_addstr(sb, "\\0");
			else
				sb_addch(sb, *s);
		}
	}
}

static void
conflict_print_human(struct cli *cli, const struct conflict_row *c)
{
	struct json_obj	 src, dst;
	struct strbuf	 sb = STRBUF_INIT;
	char		**cols = NULL, **names = NULL, when[64];
	int		 ncols = 0, nnames = 0, i, j, namew = 6, valw;
	int		 differs;

	/* An absent row (NULL) or unreadable JSON leaves the object empty. */
	json_parse_object(c->source_row, &src);
	json_parse_object(c->target_row, &dst);
	if (c->columns != NULL &&
	    json_parse_str_array(c->columns, &cols, &ncols) != 0) {
		cols = NULL;
		ncols = 0;
	}

	/* Column names: the source's order, then any only the target has. */
	names = xcalloc((size_t)src.n + (size_t)dst.n + 1, sizeof *names);
	for (i = 0; i < src.n; i++)
		names[nnames++] = src.kv[i].key;
	for (i = 0; i < dst.n; i++) {
		for (j = 0; j < nnames; j++) {
			if (strcmp(names[j], dst.kv[i].key) == 0)
				break;
		}
		if (j == nnames)
			names[nnames++] = dst.kv[i].key;
	}

	conflict_key_text(&sb, c->key_json);
	printf("%sconflict %lld%s  %s  %s  %s  %s%s%s\n",
	    cli_color(cli, CLI_C_BOLD), (long long)c->id,
	    cli_color(cli, CLI_C_OFF), c->table, sb_str(&sb),
	    c->kind != NULL ? c->kind : "-",
	    cli_color(cli, cli_status_color(c->status)),
	    c->status != NULL ? c->status : "-", cli_color(cli, CLI_C_OFF));
	printf("job %lld  %s %s %s  found %s\n", (long long)c->job_id,
	    c->source != NULL ? c->source : "-",
	    c->bidirectional ? "<->" : "->",
	    c->target != NULL ? c->target : "-",
	    cli_time(c->created_at, when, sizeof when));
	if (c->strategy != NULL)
		printf("strategy %s", c->strategy);
	if (c->outcome != NULL)
		printf("%soutcome %s", c->strategy != NULL ? "  " : "",
		    c->outcome);
	if (c->strategy != NULL || c->outcome != NULL)
		fputc('\n', stdout);
	if (c->resolved_by != NULL) {
		printf("resolved by %s at %s\n", c->resolved_by,
		    cli_time(c->resolved_at, when, sizeof when));
	}
	if (c->note != NULL)
		printf("note: %s\n", c->note);
	fputc('\n', stdout);

	for (i = 0; i < nnames; i++) {
		if (cli_width(names[i]) > namew)
			namew = cli_width(names[i]);
	}
	valw = SHOW_VALUE_WIDTH;
	fputs(cli_color(cli, CLI_C_BOLD), stdout);
	fputs("  ", stdout);
	cli_pad(stdout, "COLUMN", namew + 2);
	cli_pad(stdout, "SOURCE", valw);
	printf(" | TARGET%s\n", cli_color(cli, CLI_C_OFF));
	for (i = 0; i < nnames; i++) {
		differs = util_strv_contains(cols, names[i]);
		printf("%s%c ", differs ? cli_color(cli, CLI_C_WARN) : "",
		    differs ? '*' : ' ');
		cli_pad(stdout, names[i], namew + 2);
		show_value(&sb, &src, c->source_row != NULL, names[i]);
		cli_pad(stdout, sb_str(&sb), valw);
		fputs(" | ", stdout);
		show_value(&sb, &dst, c->target_row != NULL, names[i]);
		printf("%s%s\n", sb_str(&sb),
		    differs ? cli_color(cli, CLI_C_OFF) : "");
	}
	if (nnames == 0)
		printf("  (neither version has columns to show)\n");
	if (c->source_row == NULL)
		printf("\nthe row is absent on the source\n");
	if (c->target_row == NULL)
		printf("\nthe row is absent on the target\n");
	if (c->result_row != NULL)
		printf("\nwritten: %s\n", c->result_row);

	free(names);
	for (i = 0; i < ncols; i++)
		free(cols[i]);
	free(cols);
	json_obj_free(&src);
	json_obj_free(&dst);
	sb_free(&sb);
}

static int
conflicts_show(struct cli *cli, int argc, char **argv)
{
	struct conflict_row	 c;
	struct ps_error		 err;
	struct json_w		 w;
	int64_t			 id;
	int			 rc;

	memset(&c, 0, sizeof c);
	if (conflict_id_arg(cli, "conflicts show", cli_help_conflicts_show,
	    argc, argv, &id, &rc) != 0)
		return rc;
	if (cli_open_history(cli) != 0)
		return CLI_EXIT_FAIL;
	ps_error_clear(&err);
	if (history_conflict_get(cli->hist, id, &c, &err) != 0)
		return cli_error(&err);
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		conflict_json(&w, &c);
		json_obj_end(&w);
		cli_json_end(&w);
	} else
		conflict_print_human(cli, &c);
	conflict_row_free(&c);
	return CLI_EXIT_OK;
}

/* ---- resolve ---- */

enum { OPT_STRATEGY = 10, OPT_SET, OPT_NULL, OPT_NOTE, OPT_ALL };
static const struct cli_opt resolve_opts[] = {
	{ "strategy",	0, CLI_ARG,	OPT_STRATEGY },
	{ "set",	0, CLI_ARG,	OPT_SET },
	{ "null",	0, CLI_ARG,	OPT_NULL },
	{ "note",	0, CLI_ARG,	OPT_NOTE },
	{ "all",	0, CLI_NOARG,	OPT_ALL },
	{ "job",	0, CLI_ARG,	OPT_JOB },
	{ "table",	0, CLI_ARG,	OPT_TABLE },
	{ NULL,		0, CLI_NOARG,	0 }
};

/* Resolve one conflict; prints the outcome. */
static int
resolve_one(struct cli *cli, int64_t id, struct resolve_opts *ro)
{
	struct engine_ctx	 ctx;
	struct conflict_row	 c;
	struct ps_error		 err;
	struct json_w		 w;
	int			 rc;

	memset(&c, 0, sizeof c);
	cli_engine_ctx(cli, &ctx);
	ps_error_clear(&err);
	if (engine_resolve(&ctx, id, ro, &err) != 0) {
		if (err.code == PS_ERR_STALE) {
			return cli_fail("conflict %lld is stale: the rows "
			    "changed since the sync; run the sync again",
			    (long long)id);
		}
		return cli_error(&err);
	}
	ps_error_clear(&err);
	if (history_conflict_get(cli->hist, id, &c, &err) != 0)
		return cli_error(&err);
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		conflict_json(&w, &c);
		json_obj_end(&w);
		cli_json_end(&w);
	} else {
		printf("conflict %lld %s%s%s", (long long)id,
		    cli_color(cli, cli_status_color(c.status)),
		    c.status != NULL ? c.status : "resolved",
		    cli_color(cli, CLI_C_OFF));
		if (c.outcome != NULL)
			printf(": %s", c.outcome);
		if (c.result_row != NULL)
			printf(" %s", c.result_row);
		fputc('\n', stdout);
	}
	rc = CLI_EXIT_OK;
	conflict_row_free(&c);
	return rc;
}

/* Resolve every conflict matching F; prints the summary. */
static int
resolve_all(struct cli *cli, const struct conflict_filter *f,
    struct resolve_opts *ro)
{
	struct engine_ctx	 ctx;
	struct resolve_summary	 s;
	struct ps_error		 err;
	struct json_w		 w;

	memset(&s, 0, sizeof s);
	cli_engine_ctx(cli, &ctx);
	ps_error_clear(&err);
	if (engine_resolve_all(&ctx, f, ro, &s, &err) != 0)
		return cli_error(&err);
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		json_key(&w, "matched");
		json_int(&w, s.matched);
		json_key(&w, "resolved");
		json_int(&w, s.resolved);
		json_key(&w, "stale");
		json_int(&w, s.stale);
		json_key(&w, "failed");
		json_int(&w, s.failed);
		json_obj_end(&w);
		cli_json_end(&w);
	} else {
		printf("%lld matched, %lld resolved, %lld stale, %lld failed\n",
		    (long long)s.matched, (long long)s.resolved,
		    (long long)s.stale, (long long)s.failed);
		if (s.stale > 0) {
			cli_note(cli, "stale conflicts: the rows changed since "
			    "the sync; run the sync again");
		}
	}
	if (s.stale > 0 || s.failed > 0)
		return CLI_EXIT_FAIL;
	return CLI_EXIT_OK;
}

static int
conflicts_resolve(struct cli *cli, int argc, char **argv)
{
	static const char	 cmd[] = "conflicts resolve";
	struct cli_parser	 p;
	struct resolve_opts	 ro;
	struct conflict_filter	 f;
	const char		*arg, *strategy = NULL, *note = NULL, *eq;
	char			**set_cols = NULL, **set_vals = NULL;
	char			**null_cols = NULL;
	int64_t			 id = 0;
	int			 c, rc = CLI_EXIT_USAGE, nset = 0, nnull = 0;
	int			 all = 0, i;
	enum strategy		 strat = STRAT_MANUAL;

	memset(&ro, 0, sizeof ro);
	memset(&f, 0, sizeof f);
	set_cols = xcalloc((size_t)argc + 1, sizeof *set_cols);
	set_vals = xcalloc((size_t)argc + 1, sizeof *set_vals);
	null_cols = xcalloc((size_t)argc + 1, sizeof *null_cols);
	cli_parser_init(&p, cli, cmd, resolve_opts, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		switch (c) {
		case OPT_STRATEGY:
			strategy = arg;
			break;
		case OPT_SET:
			eq = strchr(arg, '=');
			if (eq == NULL || eq == arg) {
				cli_usage_error(cmd, "--set needs COL=VALUE, "
				    "not '%s'", arg);
				goto out;
			}
			set_cols[nset] = xstrndup(arg, (size_t)(eq - arg));
			set_vals[nset++] = xstrdup(eq + 1);
			break;
		case OPT_NULL:
			if (*arg == '\0') {
				cli_usage_error(cmd, "--null needs a column "
				    "name");
				goto out;
			}
			null_cols[nnull++] = xstrdup(arg);
			break;
		case OPT_NOTE:
			note = arg;
			break;
		case OPT_ALL:
			all = 1;
			break;
		case OPT_JOB:
			if (cli_parse_id(arg, &f.job_id) != 0) {
				cli_usage_error(cmd, "'%s' is not a job ID",
				    arg);
				goto out;
			}
			break;
		case OPT_TABLE:
			f.table = arg;
			break;
		}
	}
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_conflicts_resolve);
		goto out;
	}
	if (strategy != NULL) {
		if (cli_parse_strategy(strategy, &strat) != 0 ||
		    (strat != STRAT_SOURCE_WINS && strat != STRAT_TARGET_WINS &&
		    strat != STRAT_NEWER_WINS)) {
			cli_usage_error(cmd, "unknown strategy '%s' "
			    "(source-wins, target-wins or newer-wins)",
			    strategy);
			goto out;
		}
	}
	if (all) {
		if (p.nargs != 0) {
			cli_usage_error(cmd, "--all takes no conflict ID");
			goto out;
		}
		if (strategy == NULL) {
			cli_usage_error(cmd, "--all needs --strategy");
			goto out;
		}
		if (nset > 0 || nnull > 0) {
			cli_usage_error(cmd, "--set and --null apply to one "
			    "conflict, not to --all");
			goto out;
		}
	} else {
		if (p.nargs != 1) {
			if (p.nargs == 0)
				cli_usage_error(cmd, "needs a conflict ID (or "
				    "--all)");
			else
				cli_usage_error(cmd, "unexpected argument "
				    "'%s'", p.args[1]);
			goto out;
		}
		if (cli_parse_id(p.args[0], &id) != 0) {
			cli_usage_error(cmd, "'%s' is not a conflict ID",
			    p.args[0]);
			goto out;
		}
		if (f.job_id != 0 || f.table != NULL) {
			cli_usage_error(cmd, "--job and --table go with --all");
			goto out;
		}
		if (strategy == NULL && nset == 0 && nnull == 0) {
			cli_usage_error(cmd, "give --strategy, --set or "
			    "--null");
			goto out;
		}
	}

	rc = CLI_EXIT_FAIL;
	if (cli_load_conf(cli) != 0 || cli_open_history(cli) != 0)
		goto out;
	ro.strategy = strat;
	ro.nset = nset;
	ro.set_cols = set_cols;
	ro.set_vals = set_vals;
	ro.nnull = nnull;
	ro.null_cols = null_cols;
	ro.note = note;
	ro.clock_skew = cli->conf->defaults.clock_skew;
	ro.connect_timeout = cli->conf->defaults.connect_timeout;
	if (all)
		rc = resolve_all(cli, &f, &ro);
	else
		rc = resolve_one(cli, id, &ro);
out:
	for (i = 0; i < nset; i++) {
		free(set_cols[i]);
		free(set_vals[i]);
	}
	for (i = 0; i < nnull; i++)
		free(null_cols[i]);
	free(set_cols);
	free(set_vals);
	free(null_cols);
	cli_parser_free(&p);
	return rc;
}

static const struct cli_sub conflicts_subs[] = {
	{ "list",	conflicts_list },
	{ "ls",		conflicts_list },
	{ "show",	conflicts_show },
	{ "resolve",	conflicts_resolve },
	{ NULL,		NULL }
};

int
cli_cmd_conflicts(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch_sub(cli, "conflicts", cli_help_conflicts,
	    conflicts_subs, argc, argv);
}
