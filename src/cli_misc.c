/*
 * projsync - cli_misc.c: the smaller commands: "conn" (add, list, test, rm),
 * "schema" (diff, migrate), "jobs" and "job".
 */
#include "projsync/common.h"
#include "projsync/log.h"
#include "projsync/util.h"

#include "cli_int.h"

#include <stdlib.h>
#include <string.h>

int
cli_operands(struct cli *cli, const char *cmd, const char *help, int argc,
    char **argv, struct cli_parser *p, int *rc)
{
	const char	*arg;
	int		 c;

	cli_parser_init(p, cli, cmd, NULL, argc, argv, 0);
	while ((c = cli_getopt(p, &arg)) >= 0)
		continue;
	if (c == CLI_ERROR) {
		*rc = CLI_EXIT_USAGE;
		return -1;
	}
	if (c == CLI_HELP) {
		*rc = cli_help(help);
		return -1;
	}
	return 0;
}

/* ---- conn ---- */

enum { OPT_TYPE, OPT_DSN, OPT_PASSWORD_ENV };
static const struct cli_opt conn_add_opts[] = {
	{ "type",		0, CLI_ARG,	OPT_TYPE },
	{ "dsn",		0, CLI_ARG,	OPT_DSN },
	{ "password-env",	0, CLI_ARG,	OPT_PASSWORD_ENV },
	{ NULL,			0, CLI_NOARG,	0 }
};

static int
conn_add(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct ps_error		 err;
	struct json_w		 w;
	const struct conn_conf	*cc;
	const char		*arg, *type = NULL, *dsn = NULL, *penv = NULL;
	char			*masked = NULL;
	int			 c, rc = CLI_EXIT_USAGE;

	cli_parser_init(&p, cli, "conn add", conn_add_opts, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		switch (c) {
		case OPT_TYPE:
			type = arg;
			break;
		case OPT_DSN:
			dsn = arg;
			break;
		case OPT_PASSWORD_ENV:
			penv = arg;
			break;
		}
	}
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_conn_add);
		goto out;
	}
	if (p.nargs != 1) {
		if (p.nargs == 0)
			cli_usage_error("conn add", "needs a connection NAME");
		else
			cli_usage_error("conn add", "unexpected argument '%s'",
			    p.args[1]);
		goto out;
	}
	if (type == NULL) {
		cli_usage_error("conn add", "--type is required (sqlite, "
		    "postgresql or mysql)");
		goto out;
	}
	if (dsn == NULL) {
		cli_usage_error("conn add", "--dsn is required");
		goto out;
	}
	if (conn_type_canonical(type) == NULL) {
		cli_usage_error("conn add", "unknown type '%s' (sqlite, "
		    "postgresql, pg, postgres, mysql or mariadb)", type);
		goto out;
	}
	if (penv != NULL && *penv == '\0') {
		cli_usage_error("conn add", "--password-env needs a variable "
		    "name");
		goto out;
	}

	rc = CLI_EXIT_FAIL;
	if (cli_load_conf(cli) != 0)
		goto out;
	ps_error_clear(&err);
	if (conf_conn_add(cli->conf, p.args[0], type, dsn, penv, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	cc = conf_conn_find(cli->conf, p.args[0]);
	if (cli_save_conf(cli, "added connection '%s' (%s)", cc->name,
	    cc->type) != 0)
		goto out;
	masked = dsn_mask(cc->type, cc->dsn);
	if (strcmp(masked, cc->dsn) != 0) {
		log_msg(LOG_WARN, "the DSN of '%s' holds a password; "
		    "--password-env VAR keeps it out of the configuration",
		    cc->name);
	}
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		json_key(&w, "name");
		json_str(&w, cc->name);
		json_key(&w, "type");
		json_str(&w, cc->type);
		json_key(&w, "dsn");
		json_str(&w, masked);
		json_key(&w, "password_env");
		json_str(&w, cc->password_env);
		json_obj_end(&w);
		cli_json_end(&w);
	} else {
		cli_note(cli, "added connection '%s' (%s) to %s", cc->name,
		    cc->type, cli->conf_path);
	}
	rc = CLI_EXIT_OK;
out:
	free(masked);
	cli_parser_free(&p);
	return rc;
}

static int
conn_list(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct json_w		 w;
	const struct conn_conf	*cc;
	char			*masked;
	int			 rc = CLI_EXIT_FAIL, i, namew = 4, typew = 4;

	if (cli_operands(cli, "conn list", cli_help_conn_list, argc, argv,
	    &p, &rc) != 0)
		goto out;
	if (p.nargs != 0) {
		rc = cli_usage_error("conn list", "unexpected argument '%s'",
		    p.args[0]);
		goto out;
	}
	if (cli_load_conf(cli) != 0)
		goto out;

	if (cli->json) {
		cli_json_begin(cli, &w);
		json_arr_begin(&w);
		for (i = 0; i < cli->conf->nconns; i++) {
			cc = &cli->conf->conns[i];
			masked = dsn_mask(cc->type, cc->dsn);
			json_obj_begin(&w);
			json_key(&w, "name");
			json_str(&w, cc->name);
			json_key(&w, "type");
			json_str(&w, cc->type);
			json_key(&w, "dsn");
			json_str(&w, masked);
			json_key(&w, "password_env");
			json_str(&w, cc->password_env);
			json_obj_end(&w);
			free(masked);
		}
		json_arr_end(&w);
		cli_json_end(&w);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (cli->conf->nconns == 0) {
		cli_note(cli, "no connections in %s (add one with 'projsync "
		    "conn add' or try 'projsync demo')", cli->conf_path);
		rc = CLI_EXIT_OK;
		goto out;
	}
	for (i = 0; i < cli->conf->nconns; i++) {
		cc = &cli->conf->conns[i];
		if (cli_width(cc->name) > namew)
			namew = cli_width(cc->name);
		if (cli_width(cc->type) > typew)
			typew = cli_width(cc->type);
	}
	printf("%s", cli_color(cli, CLI_C_BOLD));
	cli_pad(stdout, "NAME", namew + 2);
	cli_pad(stdout, "TYPE", typew + 2);
	printf("DSN%s\n", cli_color(cli, CLI_C_OFF));
	for (i = 0; i < cli->conf->nconns; i++) {
		cc = &cli->conf->conns[i];
		masked = dsn_mask(cc->type, cc->dsn);
		cli_pad(stdout, cc->name, namew + 2);
		cli_pad(stdout, cc->type, typew + 2);
		fputs(masked, stdout);
		if (cc->password_env != NULL)
			printf("  (password from $%s)", cc->password_env);
		fputc('\n', stdout);
		free(masked);
	}
	rc = CLI_EXIT_OK;
out:
	cli_parser_free(&p);
	return rc;
}

static int
conn_test(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct engine_ctx	 ctx;
	struct ps_error		 err;
	struct json_w		 w;
	double			 ms;
	char			*version;
	int			 rc = CLI_EXIT_FAIL, i, failed = 0, ok;

	if (cli_operands(cli, "conn test", cli_help_conn_test, argc, argv,
	    &p, &rc) != 0)
		goto out;
	if (p.nargs == 0) {
		rc = cli_usage_error("conn test", "needs at least one "
		    "connection NAME");
		goto out;
	}
	if (cli_load_conf(cli) != 0)
		goto out;
	for (i = 0; i < p.nargs; i++) {
		if (cli_conn(cli, p.args[i]) == NULL)
			goto out;
	}
	cli_engine_ctx(cli, &ctx);

	if (cli->json) {
		cli_json_begin(cli, &w);
		json_arr_begin(&w);
	}
	for (i = 0; i < p.nargs; i++) {
		version = NULL;
		ms = 0;
		ps_error_clear(&err);
		ok = engine_conn_test(&ctx, p.args[i],
		    cli->conf->defaults.connect_timeout, &ms, &version,
		    &err) == 0;
		if (!ok)
			failed++;
		if (cli->json) {
			json_obj_begin(&w);
			json_key(&w, "name");
			json_str(&w, p.args[i]);
			json_key(&w, "ok");
			json_bool(&w, ok);
			json_key(&w, "latency_ms");
			if (ok)
				json_double(&w, ms);
			else
				json_null(&w);
			json_key(&w, "version");
			json_str(&w, ok ? version : NULL);
			json_key(&w, "error");
			json_str(&w, ok ? NULL : err.msg);
			json_obj_end(&w);
		} else if (ok) {
			printf("%s: %sok%s (%.1f ms, %s)\n", p.args[i],
			    cli_color(cli, CLI_C_GOOD),
			    cli_color(cli, CLI_C_OFF), ms,
			    version != NULL ? version : "unknown version");
		} else {
			printf("%s: %sfailed%s: %s\n", p.args[i],
			    cli_color(cli, CLI_C_BAD),
			    cli_color(cli, CLI_C_OFF), err.msg);
		}
		fflush(stdout);
		free(version);
	}
	if (cli->json) {
		json_arr_end(&w);
		cli_json_end(&w);
	}
	rc = failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	cli_parser_free(&p);
	return rc;
}

static int
conn_rm(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct ps_error		 err;
	struct json_w		 w;
	int			 rc = CLI_EXIT_FAIL;

	if (cli_operands(cli, "conn rm", cli_help_conn_rm, argc, argv, &p,
	    &rc) != 0)
		goto out;
	if (p.nargs != 1) {
		if (p.nargs == 0)
			rc = cli_usage_error("conn rm", "needs a connection "
			    "NAME");
		else
			rc = cli_usage_error("conn rm", "unexpected argument "
			    "'%s'", p.args[1]);
		goto out;
	}
	if (cli_load_conf(cli) != 0)
		goto out;
	if (cli_conn(cli, p.args[0]) == NULL)
		goto out;
	ps_error_clear(&err);
	if (conf_conn_remove(cli->conf, p.args[0], &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if (cli_save_conf(cli, "removed connection '%s'", p.args[0]) != 0)
		goto out;
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		json_key(&w, "removed");
		json_str(&w, p.args[0]);
		json_obj_end(&w);
		cli_json_end(&w);
	} else
		cli_note(cli, "removed connection '%s'", p.args[0]);
	rc = CLI_EXIT_OK;
out:
	cli_parser_free(&p);
	return rc;
}

static const struct cli_sub conn_subs[] = {
	{ "add",	conn_add },
	{ "list",	conn_list },
	{ "ls",		conn_list },
	{ "test",	conn_test },
	{ "rm",		conn_rm },
	{ NULL,		NULL }
};

int
cli_cmd_conn(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch_sub(cli, "conn", cli_help_conn, conn_subs, argc,
	    argv);
}

/* ---- schema ---- */

enum { OPT_TABLES, OPT_DRY_RUN };
static const struct cli_opt schema_diff_opts[] = {
	{ "tables",	0, CLI_ARG,	OPT_TABLES },
	{ NULL,		0, CLI_NOARG,	0 }
};
static const struct cli_opt schema_migrate_opts[] = {
	{ "tables",	0, CLI_ARG,	OPT_TABLES },
	{ "dry-run",	0, CLI_NOARG,	OPT_DRY_RUN },
	{ NULL,		0, CLI_NOARG,	0 }
};

/* One difference for people: "tasks: minor: column 'note' missing ...". */
static void
schema_print_item(FILE *f, struct cli *cli, const char *table,
    const struct schema_item *it)
{
	fprintf(f, "%s: %s%s%s: ", table,
	    cli_color(cli, it->sev == SEV_MAJOR ? CLI_C_BAD : CLI_C_WARN),
	    it->sev == SEV_MAJOR ? "major" : "minor",
	    cli_color(cli, CLI_C_OFF));
	if (it->detail != NULL)
		fputs(it->detail, f);
	else if (it->column != NULL) {
		fprintf(f, "%s '%s' on %s", schema_item_kind_name(it->kind),
		    it->column, schema_side_name(it->side));
	} else {
		fprintf(f, "%s on %s", schema_item_kind_name(it->kind),
		    schema_side_name(it->side));
	}
	fputc('\n', f);
}

static void
schema_json_item(struct json_w *w, const struct schema_item *it)
{
	json_obj_begin(w);
	json_key(w, "kind");
	json_str(w, schema_item_kind_name(it->kind));
	json_key(w, "severity");
	json_str(w, it->sev == SEV_MAJOR ? "major" : "minor");
	json_key(w, "side");
	json_str(w, schema_side_name(it->side));
	json_key(w, "column");
	json_str(w, it->column);
	json_key(w, "detail");
	json_str(w, it->detail);
	json_obj_end(w);
}

static void
schema_json_tables(struct json_w *w, const struct schema_report *rep)
{
	const struct schema_diff	*d;
	int				 i, j;

	json_key(w, "tables");
	json_arr_begin(w);
	for (i = 0; i < rep->ntables; i++) {
		d = &rep->tables[i];
		json_obj_begin(w);
		json_key(w, "name");
		json_str(w, d->table);
		json_key(w, "major");
		json_bool(w, d->major);
		json_key(w, "differences");
		json_arr_begin(w);
		for (j = 0; j < d->n; j++)
			schema_json_item(w, &d->items[j]);
		json_arr_end(w);
		json_obj_end(w);
	}
	json_arr_end(w);
}

/*
 * Parse the operands and options shared by diff and migrate; loads the
 * configuration and checks both connections.  Returns 0 to go on, else -1
 * with *RC set.
 */
static int
schema_args(struct cli *cli, const char *cmd, const char *help,
    const struct cli_opt *opts, int argc, char **argv, struct cli_parser *p,
    char ***tables, int *dry_run, int *rc)
{
	const char	*arg;
	int		 c;

	*rc = CLI_EXIT_USAGE;
	cli_parser_init(p, cli, cmd, opts, argc, argv, 0);
	while ((c = cli_getopt(p, &arg)) >= 0) {
		switch (c) {
		case OPT_TABLES:
			util_strv_free(*tables);
			if (util_split_list(arg, tables) == 0) {
				cli_usage_error(cmd, "--tables needs at least "
				    "one table name");
				return -1;
			}
			break;
		case OPT_DRY_RUN:
			*dry_run = 1;
			break;
		}
	}
	if (c == CLI_ERROR)
		return -1;
	if (c == CLI_HELP) {
		*rc = cli_help(help);
		return -1;
	}
	if (p->nargs != 2) {
		if (p->nargs < 2)
			cli_usage_error(cmd, "needs SOURCE and TARGET");
		else
			cli_usage_error(cmd, "unexpected argument '%s'",
			    p->args[2]);
		return -1;
	}
	*rc = CLI_EXIT_FAIL;
	if (cli_load_conf(cli) != 0)
		return -1;
	if (cli_conn(cli, p->args[0]) == NULL ||
	    cli_conn(cli, p->args[1]) == NULL)
		return -1;
	return 0;
}

static int
schema_diff(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct engine_ctx	 ctx;
	struct schema_report	 rep;
	struct ps_error		 err;
	struct json_w		 w;
	char			**tables = NULL;
	int			 rc, dry = 0, i, j, ndiff = 0;

	memset(&rep, 0, sizeof rep);
	if (schema_args(cli, "schema diff", cli_help_schema_diff,
	    schema_diff_opts, argc, argv, &p, &tables, &dry, &rc) != 0)
		goto out;
	cli_engine_ctx(cli, &ctx);
	ps_error_clear(&err);
	if (engine_schema_diff(&ctx, p.args[0], p.args[1], tables, 1, &rep,
	    &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	for (i = 0; i < rep.ntables; i++)
		ndiff += rep.tables[i].n;
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		json_key(&w, "source");
		json_str(&w, p.args[0]);
		json_key(&w, "target");
		json_str(&w, p.args[1]);
		json_key(&w, "differences");
		json_int(&w, ndiff);
		schema_json_tables(&w, &rep);
		json_obj_end(&w);
		cli_json_end(&w);
	} else {
		for (i = 0; i < rep.ntables; i++) {
			for (j = 0; j < rep.tables[i].n; j++) {
				schema_print_item(stdout, cli,
				    rep.tables[i].table,
				    &rep.tables[i].items[j]);
			}
		}
		if (ndiff == 0) {
			cli_note(cli, "%s and %s: no schema differences "
			    "(%d table%s compared)", p.args[0], p.args[1],
			    rep.ntables, rep.ntables == 1 ? "" : "s");
		}
	}
	rc = ndiff > 0 ? CLI_EXIT_PENDING : CLI_EXIT_OK;
out:
	schema_report_free(&rep);
	util_strv_free(tables);
	cli_parser_free(&p);
	return rc;
}

/*
 * The DDL text ("-- CONN" lines before each statement) as an array of
 * {connection, sql}.
 */
static void
schema_json_ddl(struct json_w *w, const char *ddl)
{
	const char	*line, *nl, *conn = NULL;
	size_t		 connlen = 0, len;
	char		*tmp;

	json_key(w, "ddl");
	json_arr_begin(w);
	for (line = ddl; *line != '\0'; line = *nl != '\0' ? nl + 1 : nl) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		len = (size_t)(nl - line);
		if (len == 0)
			continue;
		if (len >= 3 && strncmp(line, "-- ", 3) == 0) {
			conn = line + 3;
			connlen = len - 3;
			continue;
		}
		json_obj_begin(w);
		json_key(w, "connection");
		if (conn != NULL) {
			tmp = xstrndup(conn, connlen);
			json_str(w, tmp);
			free(tmp);
		} else
			json_null(w);
		json_key(w, "sql");
		json_strn(w, line, len);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static int
schema_migrate(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct engine_ctx	 ctx;
	struct schema_report	 rep;
	struct ps_error		 err;
	struct json_w		 w;
	struct strbuf		 ddl = STRBUF_INIT;
	char			**tables = NULL;
	int			 rc, dry = 0, i, j, nmajor = 0, failed;

	memset(&rep, 0, sizeof rep);
	if (schema_args(cli, "schema migrate", cli_help_schema_migrate,
	    schema_migrate_opts, argc, argv, &p, &tables, &dry, &rc) != 0)
		goto out;
	if (cli_open_history(cli) != 0)
		goto out;
	cli_engine_ctx(cli, &ctx);
	ps_error_clear(&err);
	failed = engine_schema_migrate(&ctx, p.args[0], p.args[1], tables, dry,
	    &rep, &ddl, &err) != 0;
	for (i = 0; i < rep.ntables; i++) {
		for (j = 0; j < rep.tables[i].n; j++) {
			if (rep.tables[i].items[j].sev == SEV_MAJOR)
				nmajor++;
		}
	}
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		json_key(&w, "source");
		json_str(&w, p.args[0]);
		json_key(&w, "target");
		json_str(&w, p.args[1]);
		json_key(&w, "dry_run");
		json_bool(&w, dry);
		json_key(&w, "ok");
		json_bool(&w, !failed && nmajor == 0);
		json_key(&w, "error");
		json_str(&w, failed ? err.msg : NULL);
		schema_json_ddl(&w, sb_str(&ddl));
		json_key(&w, "major");
		json_arr_begin(&w);
		for (i = 0; i < rep.ntables; i++) {
			for (j = 0; j < rep.tables[i].n; j++) {
				if (rep.tables[i].items[j].sev != SEV_MAJOR)
					continue;
				json_obj_begin(&w);
				json_key(&w, "table");
				json_str(&w, rep.tables[i].table);
				json_key(&w, "difference");
				schema_json_item(&w, &rep.tables[i].items[j]);
				json_obj_end(&w);
			}
		}
		json_arr_end(&w);
		json_obj_end(&w);
		cli_json_end(&w);
	} else {
		fputs(sb_str(&ddl), stdout);
		if (ddl.len > 0 && ddl.buf[ddl.len - 1] != '\n')
			fputc('\n', stdout);
		fflush(stdout);
		if (ddl.len == 0 && !failed)
			cli_note(cli, "nothing to migrate");
		else if (dry)
			cli_note(cli, "dry run: nothing was executed");
		for (i = 0; i < rep.ntables; i++) {
			for (j = 0; j < rep.tables[i].n; j++) {
				if (rep.tables[i].items[j].sev != SEV_MAJOR)
					continue;
				fputs("projsync: not migrated: ", stderr);
				schema_print_item(stderr, cli,
				    rep.tables[i].table,
				    &rep.tables[i].items[j]);
			}
		}
	}
	if (failed)
		rc = cli_error(&err) == CLI_EXIT_USAGE ? CLI_EXIT_USAGE :
		    CLI_EXIT_FAIL;
	else if (nmajor > 0) {
		rc = cli_fail("%d major difference%s left (see above); "
		    "projsync does not migrate those", nmajor,
		    nmajor == 1 ? "" : "s");
	} else
		rc = CLI_EXIT_OK;
out:
	sb_free(&ddl);
	schema_report_free(&rep);
	util_strv_free(tables);
	cli_parser_free(&p);
	return rc;
}

static const struct cli_sub schema_subs[] = {
	{ "diff",	schema_diff },
	{ "migrate",	schema_migrate },
	{ NULL,		NULL }
};

int
cli_cmd_schema(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch_sub(cli, "schema", cli_help_schema, schema_subs,
	    argc, argv);
}

/* ---- jobs and job ---- */

static void
job_json(struct json_w *w, const struct job_row *j)
{
	json_key(w, "id");
	json_int(w, j->id);
	json_key(w, "kind");
	json_str(w, j->kind);
	json_key(w, "status");
	json_str(w, j->status);
	json_key(w, "source");
	json_str(w, j->source);
	json_key(w, "target");
	json_str(w, j->target);
	json_key(w, "started_at");
	cli_json_time(w, j->started_at);
	json_key(w, "finished_at");
	cli_json_time(w, j->finished_at);
	json_key(w, "dry_run");
	json_bool(w, j->dry_run);
	json_key(w, "os_user");
	json_str(w, j->os_user);
	json_key(w, "options");
	json_raw(w, j->options);
	cli_json_counts(w, &j->counts);
	json_key(w, "duration_s");
	json_double(w, j->duration_s);
	json_key(w, "rows_per_s");
	json_double(w, j->rows_per_s);
	json_key(w, "error");
	json_str(w, j->error);
}

enum { OPT_LIMIT };
static const struct cli_opt jobs_opts[] = {
	{ "limit",	'n', CLI_ARG,	OPT_LIMIT },
	{ NULL,		0,   CLI_NOARG,	0 }
};

int
cli_cmd_jobs(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct ps_error		 err;
	struct json_w		 w;
	struct job_row		*rows = NULL, *j;
	const char		*arg;
	char			 when[64], st[64];
	long long		 limit = 20;
	int			 c, rc = CLI_EXIT_USAGE, n = 0, i;

	cli_parser_init(&p, cli, "jobs", jobs_opts, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		if (c == OPT_LIMIT && util_parse_int(arg, 1, 1000000,
		    &limit) != 0) {
			cli_usage_error("jobs", "--limit must be a positive "
			    "integer, not '%s'", arg);
			goto out;
		}
	}
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_jobs);
		goto out;
	}
	if (p.nargs != 0) {
		cli_usage_error("jobs", "unexpected argument '%s'", p.args[0]);
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_open_history(cli) != 0)
		goto out;
	ps_error_clear(&err);
	if (history_job_list(cli->hist, (int)limit, &rows, &n, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if (cli->json) {
		cli_json_begin(cli, &w);
		json_arr_begin(&w);
		for (i = 0; i < n; i++) {
			json_obj_begin(&w);
			job_json(&w, &rows[i]);
			json_obj_end(&w);
		}
		json_arr_end(&w);
		cli_json_end(&w);
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (n == 0) {
		cli_note(cli, "no jobs yet (run 'projsync sync SOURCE "
		    "TARGET')");
		rc = CLI_EXIT_OK;
		goto out;
	}
	printf("%s%-6s %-30s %-12s %-12s %-19s %9s %8s %6s %6s %6s %6s %6s "
	    "%6s%s\n", cli_color(cli, CLI_C_BOLD), "ID", "STATUS", "SOURCE",
	    "TARGET", "STARTED", "DURATION", "COMPARED", "INS", "UPD", "DEL",
	    "CONFL", "PEND", "ERR", cli_color(cli, CLI_C_OFF));
	for (i = 0; i < n; i++) {
		j = &rows[i];
		snprintf(st, sizeof st, "%s%s", j->status != NULL ? j->status :
		    "-", j->dry_run ? " (dry)" : "");
		printf("%-6lld ", (long long)j->id);
		fputs(cli_color(cli, cli_status_color(j->status)), stdout);
		cli_pad(stdout, st, 30);
		fputs(cli_color(cli, CLI_C_OFF), stdout);
		fputc(' ', stdout);
		cli_pad(stdout, j->source != NULL ? j->source : "-", 12);
		fputc(' ', stdout);
		cli_pad(stdout, j->target != NULL ? j->target : "-", 12);
		printf(" %-19s %7.2f s %8lld %6lld %6lld %6lld %6lld %6lld "
		    "%6lld\n", cli_time(j->started_at, when, sizeof when),
		    j->duration_s, (long long)j->counts.rows_compared,
		    (long long)j->counts.inserted, (long long)j->counts.updated,
		    (long long)j->counts.deleted,
		    (long long)j->counts.conflicts,
		    (long long)j->counts.pending_conflicts,
		    (long long)j->counts.errors);
	}
	rc = CLI_EXIT_OK;
out:
	job_rows_free(rows, n);
	cli_parser_free(&p);
	return rc;
}

enum { OPT_LOGS };
static const struct cli_opt job_opts[] = {
	{ "logs",	0, CLI_NOARG,	OPT_LOGS },
	{ NULL,		0, CLI_NOARG,	0 }
};

static void
job_print_human(struct cli *cli, const struct job_row *j,
    const struct job_table_row *t, int nt, const struct log_row *l, int nl,
    int logs)
{
	struct strbuf	sb = STRBUF_INIT;
	char		when[64];
	int		i, namew = 0;

	printf("%sjob %lld%s  %s  %s%s%s%s\n", cli_color(cli, CLI_C_BOLD),
	    (long long)j->id, cli_color(cli, CLI_C_OFF),
	    j->kind != NULL ? j->kind : "sync",
	    cli_color(cli, cli_status_color(j->status)),
	    j->status != NULL ? j->status : "-", cli_color(cli, CLI_C_OFF),
	    j->dry_run ? " (dry run)" : "");
	printf("  source    %s\n", j->source != NULL ? j->source : "-");
	printf("  target    %s\n", j->target != NULL ? j->target : "-");
	if (j->options != NULL)
		printf("  options   %s\n", j->options);
	if (j->os_user != NULL)
		printf("  user      %s\n", j->os_user);
	printf("  started   %s\n", cli_time(j->started_at, when, sizeof when));
	printf("  finished  %s\n", cli_time(j->finished_at, when, sizeof when));
	printf("  duration  %.2f s (%.0f rows/s)\n", j->duration_s,
	    j->rows_per_s);
	cli_counts_text(&sb, &j->counts);
	printf("  counts    %s\n", sb_str(&sb));
	if (j->error != NULL)
		printf("  error     %s\n", j->error);
	if (nt > 0) {
		printf("\n%stables%s\n", cli_color(cli, CLI_C_BOLD),
		    cli_color(cli, CLI_C_OFF));
		for (i = 0; i < nt; i++) {
			if (cli_width(t[i].name) > namew)
				namew = cli_width(t[i].name);
		}
		for (i = 0; i < nt; i++) {
			sb_reset(&sb);
			cli_counts_text(&sb, &t[i].counts);
			fputs("  ", stdout);
			cli_pad(stdout, t[i].name, namew);
			printf("  %s%-7s%s %s", cli_color(cli,
			    cli_status_color(t[i].status)),
			    t[i].status != NULL ? t[i].status : "-",
			    cli_color(cli, CLI_C_OFF), sb_str(&sb));
			if (t[i].message != NULL)
				printf(" (%s)", t[i].message);
			fputc('\n', stdout);
		}
	}
	if (logs) {
		printf("\n%slog%s\n", cli_color(cli, CLI_C_BOLD),
		    cli_color(cli, CLI_C_OFF));
		if (nl == 0)
			printf("  (empty)\n");
		for (i = 0; i < nl; i++) {
			printf("  %s %-5s %s\n", cli_time(l[i].time, when,
			    sizeof when), l[i].level != NULL ? l[i].level : "-",
			    l[i].message != NULL ? l[i].message : "");
		}
	}
	sb_free(&sb);
}

int
cli_cmd_job(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct ps_error		 err;
	struct json_w		 w;
	struct job_row		 job;
	struct job_table_row	*tabs = NULL;
	struct log_row		*logs = NULL;
	const char		*arg;
	int64_t			 id;
	int			 c, rc = CLI_EXIT_USAGE, nt = 0, nl = 0, i;
	int			 want_logs = 0, have_job = 0;

	memset(&job, 0, sizeof job);
	cli_parser_init(&p, cli, "job", job_opts, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		if (c == OPT_LOGS)
			want_logs = 1;
	}
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_job);
		goto out;
	}
	if (p.nargs != 1) {
		if (p.nargs == 0)
			cli_usage_error("job", "needs a job ID");
		else
			cli_usage_error("job", "unexpected argument '%s'",
			    p.args[1]);
		goto out;
	}
	if (cli_parse_id(p.args[0], &id) != 0) {
		cli_usage_error("job", "'%s' is not a job ID", p.args[0]);
		goto out;
	}
	rc = CLI_EXIT_FAIL;
	if (cli_open_history(cli) != 0)
		goto out;
	ps_error_clear(&err);
	if (history_job_get(cli->hist, id, &job, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	have_job = 1;
	if (history_job_get_tables(cli->hist, id, &tabs, &nt, &err) != 0 ||
	    ((cli->json || want_logs) &&
	    history_logs(cli->hist, id, &logs, &nl, &err) != 0)) {
		rc = cli_error(&err);
		goto out;
	}
	if (!cli->json) {
		job_print_human(cli, &job, tabs, nt, logs, nl, want_logs);
		rc = CLI_EXIT_OK;
		goto out;
	}
	cli_json_begin(cli, &w);
	json_obj_begin(&w);
	job_json(&w, &job);
	json_key(&w, "tables");
	json_arr_begin(&w);
	for (i = 0; i < nt; i++) {
		json_obj_begin(&w);
		json_key(&w, "name");
		json_str(&w, tabs[i].name);
		json_key(&w, "status");
		json_str(&w, tabs[i].status);
		json_key(&w, "message");
		json_str(&w, tabs[i].message);
		cli_json_counts(&w, &tabs[i].counts);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_key(&w, "logs");
	json_arr_begin(&w);
	for (i = 0; i < nl; i++) {
		json_obj_begin(&w);
		json_key(&w, "time");
		cli_json_time(&w, logs[i].time);
		json_key(&w, "level");
		json_str(&w, logs[i].level);
		json_key(&w, "message");
		json_str(&w, logs[i].message);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	cli_json_end(&w);
	rc = CLI_EXIT_OK;
out:
	if (have_job)
		job_row_free(&job);
	job_table_rows_free(tabs, nt);
	log_rows_free(logs, nl);
	cli_parser_free(&p);
	return rc;
}
