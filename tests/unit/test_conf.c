/*
 * projsync - test_conf.c: the configuration file (defaults, the shipped
 * example and the SPEC's, every kind of error with its file and line, the
 * plain-password permission refusal, saving and loading hostile strings,
 * atomic mode-0600 writes), connections and schedules in memory, passwords
 * and DSN masking, and the util.c helpers the front ends share.
 */
#include "projsync/common.h"

#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "projsync/conf.h"
#include "projsync/util.h"
#include "testutil.h"

/* The SPEC's example (section 2), verbatim, long lines and all. */
static const char spec_example[] =
"connections = (\n"
"  { name = \"dev\";  type = \"postgresql\"; dsn = \"host=127.0.0.1 port=5432 dbname=app user=app\"; },\n"
"  { name = \"prod\"; type = \"mysql\"; dsn = \"mysql://app@db.example:3306/app\"; password_env = \"PROD_DB_PASSWORD\"; },\n"
"  { name = \"local\"; type = \"sqlite\"; dsn = \"/var/lib/app/app.db\"; }\n"
");\n"
"defaults = { direction = \"one-way\"; strategy = \"manual\"; batch_size = 1000;\n"
"             schema_validation = true; auto_migrate = false; };\n"
"tables = ( { name = \"items\"; timestamp_column = \"updated_at\"; },\n"
"           { name = \"audit_log\"; key_columns = [\"event_id\", \"host\"]; } );\n"
"schedules = ( { name = \"nightly\"; source = \"dev\"; target = \"prod\"; every = \"daily\";\n"
"                at = \"02:30\"; strategy = \"newer-wins\"; enabled = true; } );\n"
"notifications = { on_failure = true; on_conflicts = true; on_success = false;\n"
"                  bell = true; command = \"\"; };\n"
"history = { retention_days = 90; };\n";

struct fixture {
	char	*dir;
	char	*path;	/* DIR/projsync.conf */
};

static int
setup(void **state)
{
	struct fixture	*f;

	f = xcalloc(1, sizeof *f);
	f->dir = tu_tmpdir();
	f->path = tu_path(f->dir, "projsync.conf");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	tu_rmrf(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* Write TEXT to PATH with MODE. */
static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL)
		fail_msg("fopen %s", path);
	fputs(text, fp);
	if (fclose(fp) != 0)
		fail_msg("fclose %s", path);
	if (chmod(path, mode) != 0)
		fail_msg("chmod %s", path);
}

/*
 * Load TEXT (mode 0600) and expect failure with the message
 * "PATH:" + WANT (WANT starts with the line number).
 */
static void
assert_load_error(const struct fixture *f, const char *text, const char *want)
{
	struct conf	*conf = NULL;
	struct ps_error	 err;
	char		*msg;

	write_file(f->path, text, 0600);
	ps_error_clear(&err);
	assert_int_equal(conf_load(f->path, &conf, &err), -1);
	assert_null(conf);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	xasprintf(&msg, "%s:%s", f->path, want);
	assert_string_equal(err.msg, msg);
	free(msg);
}

static struct conf *
load_ok(const char *path)
{
	struct conf	*conf = NULL;
	struct ps_error	 err;

	ps_error_clear(&err);
	if (conf_load(path, &conf, &err) != 0)
		fail_msg("conf_load %s: %s", path, err.msg);
	assert_non_null(conf);
	return conf;
}

static void
test_defaults_when_missing(void **state)
{
	struct fixture	*f = *state;
	struct conf	*conf;
	struct stat	 sb;

	conf = load_ok(f->path);
	assert_string_equal(conf->path, f->path);
	assert_int_equal(conf->nconns, 0);
	assert_int_equal(conf->ntables, 0);
	assert_int_equal(conf->nschedules, 0);
	assert_string_equal(conf->defaults.direction, "one-way");
	assert_string_equal(conf->defaults.strategy, "manual");
	assert_int_equal(conf->defaults.batch_size, 1000);
	assert_int_equal(conf->defaults.schema_validation, 1);
	assert_int_equal(conf->defaults.auto_migrate, 0);
	assert_true(conf->defaults.clock_skew == 0);
	assert_int_equal(conf->defaults.connect_timeout, 10);
	assert_int_equal(conf->notify.on_failure, 1);
	assert_int_equal(conf->notify.on_conflicts, 1);
	assert_int_equal(conf->notify.on_success, 0);
	assert_int_equal(conf->notify.bell, 1);
	assert_int_equal(conf->retention_days, 90);
	/* Nothing is created by loading. */
	assert_int_equal(stat(f->path, &sb), -1);
	conf_free(conf);
}

/* The values of the SPEC's example, which data/projsync.conf also holds. */
static void
assert_example(const struct conf *conf)
{
	const struct conn_conf		*c;
	const struct table_conf		*t;
	const struct schedule_conf	*s;

	assert_int_equal(conf->nconns, 3);
	c = conf_conn_find(conf, "dev");
	assert_non_null(c);
	assert_string_equal(c->type, "postgresql");
	assert_string_equal(c->dsn,
	    "host=127.0.0.1 port=5432 dbname=app user=app");
	assert_null(c->password_env);
	assert_null(c->password);
	c = conf_conn_find(conf, "prod");
	assert_non_null(c);
	assert_string_equal(c->type, "mysql");
	assert_string_equal(c->dsn, "mysql://app@db.example:3306/app");
	assert_string_equal(c->password_env, "PROD_DB_PASSWORD");
	assert_null(c->password);
	c = conf_conn_find(conf, "local");
	assert_non_null(c);
	assert_string_equal(c->type, "sqlite");
	assert_string_equal(c->dsn, "/var/lib/app/app.db");
	assert_null(conf_conn_find(conf, "nope"));

	assert_string_equal(conf->defaults.direction, "one-way");
	assert_string_equal(conf->defaults.strategy, "manual");
	assert_int_equal(conf->defaults.batch_size, 1000);
	assert_int_equal(conf->defaults.schema_validation, 1);
	assert_int_equal(conf->defaults.auto_migrate, 0);
	assert_true(conf->defaults.clock_skew == 0);
	assert_int_equal(conf->defaults.connect_timeout, 10);

	assert_int_equal(conf->ntables, 2);
	t = conf_table_find(conf, "items");
	assert_non_null(t);
	assert_string_equal(t->timestamp_column, "updated_at");
	assert_null(t->key_columns);
	assert_int_equal(t->nkey_columns, 0);
	t = conf_table_find(conf, "audit_log");
	assert_non_null(t);
	assert_null(t->timestamp_column);
	assert_int_equal(t->nkey_columns, 2);
	assert_string_equal(t->key_columns[0], "event_id");
	assert_string_equal(t->key_columns[1], "host");
	assert_null(t->key_columns[2]);
	assert_null(conf_table_find(conf, "other"));

	assert_int_equal(conf->nschedules, 1);
	s = conf_schedule_find(conf, "nightly");
	assert_non_null(s);
	assert_string_equal(s->source, "dev");
	assert_string_equal(s->target, "prod");
	assert_string_equal(s->every, "daily");
	assert_string_equal(s->at, "02:30");
	assert_null(s->on);
	assert_int_equal(s->day, 0);
	assert_string_equal(s->strategy, "newer-wins");
	assert_null(s->direction);
	assert_int_equal(s->enabled, 1);
	assert_null(s->tables);

	assert_int_equal(conf->notify.on_failure, 1);
	assert_int_equal(conf->notify.on_conflicts, 1);
	assert_int_equal(conf->notify.on_success, 0);
	assert_int_equal(conf->notify.bell, 1);
	assert_string_equal(conf->notify.command, "");
	assert_int_equal(conf->retention_days, 90);
}

static void
test_spec_example(void **state)
{
	struct fixture	*f = *state;
	struct conf	*conf;

	write_file(f->path, spec_example, 0644);
	conf = load_ok(f->path);
	assert_example(conf);
	conf_free(conf);
}

/* The shipped, commented example: found from $srcdir or this file's path. */
static void
test_shipped_example(void **state)
{
	struct conf	*conf;
	const char	*srcdir, *tail = "tests/unit/test_conf.c";
	char		*path;
	size_t		 len;

	(void)state;
	if ((srcdir = getenv("srcdir")) != NULL)
		xasprintf(&path, "%s/data/projsync.conf", srcdir);
	else {
		len = strlen(__FILE__) - strlen(tail);
		xasprintf(&path, "%.*sdata/projsync.conf", (int)len, __FILE__);
	}
	conf = load_ok(path);
	assert_example(conf);
	conf_free(conf);
	free(path);
}

static void
test_aliases_and_unknown_keys(void **state)
{
	struct fixture	*f = *state;
	struct conf	*conf;

	write_file(f->path,
	    "future_setting = \"ignored\";\n"
	    "connections = (\n"
	    "  { name = \"a\"; type = \"pg\"; dsn = \"dbname=a\"; colour = 3; "
	    "},\n"
	    "  { name = \"b\"; type = \"Postgres\"; dsn = \"dbname=b\"; },\n"
	    "  { name = \"c\"; type = \"mariadb\"; dsn = \"mysql://c@h/c\"; "
	    "},\n"
	    "  { name = \"d\"; type = \"sqlite3\"; dsn = \"sqlite:/tmp/d.db\"; "
	    "}\n"
	    ");\n"
	    "defaults = { clock_skew = 2; batch_size = 5L; other = true; };\n"
	    "extra = { x = [1, 2]; };\n", 0600);
	conf = load_ok(f->path);
	assert_string_equal(conf_conn_find(conf, "a")->type, "postgresql");
	assert_string_equal(conf_conn_find(conf, "b")->type, "postgresql");
	assert_string_equal(conf_conn_find(conf, "c")->type, "mysql");
	assert_string_equal(conf_conn_find(conf, "d")->type, "sqlite");
	assert_true(conf->defaults.clock_skew == 2);
	assert_int_equal(conf->defaults.batch_size, 5);
	conf_free(conf);

	assert_string_equal(conn_type_canonical("pg"), "postgresql");
	assert_string_equal(conn_type_canonical("postgres"), "postgresql");
	assert_string_equal(conn_type_canonical("mariadb"), "mysql");
	assert_string_equal(conn_type_canonical("sqlite"), "sqlite");
	assert_null(conn_type_canonical("oracle"));
	assert_null(conn_type_canonical(""));
	assert_null(conn_type_canonical(NULL));
}

static void
test_syntax_errors(void **state)
{
	struct fixture	*f = *state;

	assert_load_error(f, "a = 1;\nb = {\n  c = ;\n};\n",
	    "3: syntax error");
	assert_load_error(f, "# comment\n\nconnections = (\n"
	    "  { name = = \"x\"; "
	    "type = \"pg\"; }\n);\n", "4: syntax error");
	assert_load_error(f, "history = { retention_days = 9; };\n"
	    "history = { retention_days = 9; };\n",
	    "2: duplicate setting name");
	assert_load_error(f, "a = \"unterminated;\nb = 1;\n\n",
	    "4: syntax error");
}

static void
test_type_errors(void **state)
{
	struct fixture	*f = *state;

	assert_load_error(f,
	    "connections = (\n"
	    "  { name = \"dev\"; type = \"pg\"; dsn = \"dbname=x\"; },\n"
	    "  { name = \"ora\";\n"
	    "    type = \"oracle\";\n"
	    "    dsn = \"x\"; }\n"
	    ");\n",
	    "4: connections[1].type: unknown connection type 'oracle' "
	    "(expected postgresql, mysql or sqlite)");
	assert_load_error(f, "connections = { name = \"x\"; };\n",
	    "1: connections: expected a list of groups ( { ... }, { ... } )");
	assert_load_error(f, "connections = ( \"x\" );\n",
	    "1: connections[0]: expected a group { setting = value; ... }");
	assert_load_error(f, "connections = (\n  { name = \"x\";\n"
	    "    type = \"pg\"; }\n);\n",
	    "2: connections[0]: missing dsn (a string)");
	assert_load_error(f, "connections = ( { name = 5; } );\n",
	    "1: connections[0].name: expected a string in double quotes");
	assert_load_error(f, "connections = ( { name = \"\"; type = \"pg\"; "
	    "dsn = \"x\"; } );\n", "1: connections[0].name: must not be empty");
	assert_load_error(f, "connections = ( { name = \"a\"; type = \"pg\"; "
	    "dsn = \"x\";\n password_env = \"NOT VALID\"; } );\n",
	    "2: connections[0].password_env: 'NOT VALID' is not an "
	    "environment variable name");
	assert_load_error(f, "defaults = {\n  batch_size = \"10\";\n};\n",
	    "2: defaults.batch_size: expected a whole number");
	assert_load_error(f, "defaults = {\n\n  batch_size = 0;\n};\n",
	    "3: defaults.batch_size: 0 is too small (expected 1 or more)");
	assert_load_error(f, "defaults = { schema_validation = 1; };\n",
	    "1: defaults.schema_validation: expected true or false");
	assert_load_error(f, "defaults = { connect_timeout = 0; };\n",
	    "1: defaults.connect_timeout: 0 is out of range (expected 1 to "
	    "3600)");
	assert_load_error(f, "defaults = { clock_skew = -1.5; };\n",
	    "1: defaults.clock_skew: -1.5 is out of range (expected 0 to "
	    "86400)");
	assert_load_error(f, "defaults = ( );\n",
	    "1: defaults: expected a group { setting = value; ... }");
	assert_load_error(f, "tables = ( { name = \"t\"; key_columns = "
	    "\"id\"; } );\n", "1: tables[0].key_columns: expected an array "
	    "of strings [\"a\", \"b\"]");
	assert_load_error(f, "tables = ( { name = \"t\";\n key_columns = "
	    "[\"id\", \"\"]; } );\n",
	    "2: tables[0].key_columns[1]: must not be empty");
	assert_load_error(f, "notifications = { bell = \"yes\"; };\n",
	    "1: notifications.bell: expected true or false");
	assert_load_error(f, "history = { retention_days = 1.5; };\n",
	    "1: history.retention_days: expected a whole number");
}

static void
test_duplicates_and_values(void **state)
{
	struct fixture	*f = *state;

	assert_load_error(f,
	    "connections = (\n"
	    "  { name = \"dev\"; type = \"pg\"; dsn = \"dbname=a\"; },\n"
	    "  { type = \"sqlite\"; dsn = \"/x.db\";\n"
	    "    name = \"dev\"; }\n"
	    ");\n",
	    "4: connections[1].name: duplicate connection name 'dev' (first "
	    "at line 2)");
	assert_load_error(f,
	    "tables = ( { name = \"t\"; },\n\n { name = \"t\"; } );\n",
	    "3: tables[1].name: duplicate table 't' (first at line 1)");
	assert_load_error(f,
	    "defaults = {\n  direction = \"one-way\";\n"
	    "  strategy = \"oldest-wins\";\n};\n",
	    "3: defaults.strategy: unknown strategy 'oldest-wins' (expected "
	    "manual, source-wins, target-wins, newer-wins or ignore)");
	assert_load_error(f, "defaults = { direction = \"both\"; };\n",
	    "1: defaults.direction: unknown direction 'both' (expected "
	    "one-way or bidirectional)");
}

/* A configuration with connections a and b, then SCHEDULE. */
static void
assert_schedule_error(const struct fixture *f, const char *schedule,
    const char *want)
{
	char	*text;

	xasprintf(&text,
	    "connections = ( { name = \"a\"; type = \"sqlite\"; dsn = \"a\"; "
	    "},\n"
	    "                { name = \"b\"; type = \"sqlite\"; dsn = \"b\"; } "
	    ");\n"
	    "schedules = (\n"
	    "  { name = \"s\"; source = \"a\"; target = \"b\";\n"
	    "%s }\n"
	    ");\n", schedule);
	assert_load_error(f, text, want);
	free(text);
}

static void
test_schedule_errors(void **state)
{
	struct fixture	*f = *state;
	struct conf	*conf;

	assert_schedule_error(f, "every = \"hourly\"; at = \"02:00\";",
	    "5: schedules[0].every: unknown period 'hourly' (expected daily, "
	    "weekly or monthly)");
	assert_schedule_error(f, "every = \"daily\"; at = \"24:00\";",
	    "5: schedules[0].at: '24:00' is not a time of day (expected HH:MM, "
	    "00:00 to 23:59)");
	assert_schedule_error(f, "every = \"daily\"; at = \"2:30\";",
	    "5: schedules[0].at: '2:30' is not a time of day (expected HH:MM, "
	    "00:00 to 23:59)");
	assert_schedule_error(f, "every = \"daily\"; at = \"12:60\";",
	    "5: schedules[0].at: '12:60' is not a time of day (expected HH:MM, "
	    "00:00 to 23:59)");
	assert_schedule_error(f, "every = \"weekly\"; at = \"02:00\";",
	    "4: schedules[0].on: a weekly schedule needs on = \"mon\" (mon, "
	    "tue, wed, thu, fri, sat or sun)");
	assert_schedule_error(f, "every = \"weekly\"; at = \"02:00\";\n"
	    "on = \"Monday\";",
	    "6: schedules[0].on: unknown weekday 'Monday' (expected mon, tue, "
	    "wed, thu, fri, sat or sun)");
	assert_schedule_error(f, "every = \"daily\"; at = \"02:00\"; "
	    "on = \"mon\";",
	    "5: schedules[0].on: a weekday is only for weekly schedules");
	assert_schedule_error(f, "every = \"monthly\"; at = \"02:00\";\n"
	    "day = 32;",
	    "6: schedules[0].day: 32 is out of range (expected 1 to 31)");
	assert_schedule_error(f, "every = \"monthly\"; at = \"02:00\";",
	    "4: schedules[0].day: a monthly schedule needs day = 1 to 31");
	assert_schedule_error(f, "every = \"daily\"; at = \"02:00\"; day = 3;",
	    "5: schedules[0].day: a day of the month is only for monthly "
	    "schedules");
	assert_schedule_error(f, "every = \"daily\"; at = \"02:00\"; "
	    "strategy = \"best\";",
	    "5: schedules[0].strategy: unknown strategy 'best' (expected "
	    "manual, source-wins, target-wins, newer-wins or ignore)");
	assert_schedule_error(f, "every = \"daily\";",
	    "4: schedules[0]: missing at (a string)");
	assert_schedule_error(f, "every = \"daily\"; at = \"02:00\"; "
	    "enabled = \"no\";",
	    "5: schedules[0].enabled: expected true or false");

	assert_load_error(f,
	    "connections = ( { name = \"a\"; type = \"sqlite\"; dsn = \"a\"; } "
	    ");\n"
	    "schedules = ( { name = \"s\"; source = \"a\";\n"
	    "  target = \"zz\"; every = \"daily\"; at = \"01:00\"; } );\n",
	    "3: schedules[0].target: unknown connection 'zz'");
	assert_load_error(f,
	    "connections = ( { name = \"a\"; type = \"sqlite\"; dsn = \"a\"; } "
	    ");\n"
	    "schedules = ( { name = \"s\"; source = \"a\";\n"
	    "  target = \"a\"; every = \"daily\"; at = \"01:00\"; } );\n",
	    "3: schedules[0].target: source and target are the same "
	    "connection 'a'");

	/* Weekly and monthly done right, with sync options. */
	write_file(f->path,
	    "connections = ( { name = \"a\"; type = \"sqlite\"; dsn = \"a\"; "
	    "},\n"
	    "                { name = \"b\"; type = \"sqlite\"; dsn = \"b\"; } "
	    ");\n"
	    "schedules = (\n"
	    "  { name = \"w\"; source = \"a\"; target = \"b\"; every = "
	    "\"weekly\";\n"
	    "    at = \"23:59\"; on = \"sun\"; enabled = false;\n"
	    "    tables = [\"t1\", \"t2\"]; exclude = [\"t3\"];\n"
	    "    schema_validation = false; auto_migrate = true;\n"
	    "    single_transaction = true; stop_on_error = true;\n"
	    "    batch_size = 50; timestamp_column = \"mtime\";\n"
	    "    direction = \"bidirectional\"; },\n"
	    "  { name = \"m\"; source = \"b\"; target = \"a\"; every = "
	    "\"monthly\";\n"
	    "    at = \"00:00\"; day = 31; }\n"
	    ");\n", 0600);
	conf = load_ok(f->path);
	assert_int_equal(conf->nschedules, 2);
	assert_string_equal(conf->schedules[0].on, "sun");
	assert_int_equal(conf->schedules[0].enabled, 0);
	assert_string_equal(conf->schedules[0].tables[1], "t2");
	assert_null(conf->schedules[0].tables[2]);
	assert_string_equal(conf->schedules[0].exclude[0], "t3");
	assert_int_equal(conf->schedules[0].no_schema_check, 1);
	assert_int_equal(conf->schedules[0].auto_migrate, 1);
	assert_int_equal(conf->schedules[0].single_transaction, 1);
	assert_int_equal(conf->schedules[0].stop_on_error, 1);
	assert_int_equal(conf->schedules[0].batch_size, 50);
	assert_string_equal(conf->schedules[0].timestamp_column, "mtime");
	assert_string_equal(conf->schedules[0].direction, "bidirectional");
	assert_int_equal(conf->schedules[1].day, 31);
	assert_int_equal(conf->schedules[1].enabled, 1);
	assert_int_equal(conf->schedules[1].no_schema_check, 0);
	conf_free(conf);
}

static void
test_permissions(void **state)
{
	struct fixture	*f = *state;
	struct conf	*conf = NULL;
	struct ps_error	 err;
	char		*want;
	static const char with_password[] =
	    "connections = ( { name = \"p\"; type = \"pg\"; dsn = "
	    "\"dbname=p\";\n"
	    "  password = \"hunter2\"; } );\n";
	static const char without_password[] =
	    "connections = ( { name = \"p\"; type = \"pg\"; dsn = "
	    "\"dbname=p\";\n"
	    "  password_env = \"PGPW\"; } );\n";
	mode_t	 refused[] = { 0644, 0640, 0604, 0660, 0601 };
	size_t	 i;

	xasprintf(&want, "%s: holds a plain password and is readable by "
	    "others; run: chmod 600 %s", f->path, f->path);
	for (i = 0; i < nitems(refused); i++) {
		write_file(f->path, with_password, refused[i]);
		ps_error_clear(&err);
		assert_int_equal(conf_load(f->path, &conf, &err), -1);
		assert_null(conf);
		assert_int_equal(err.code, PS_ERR_CONFIG);
		assert_string_equal(err.msg, want);
	}
	free(want);

	write_file(f->path, with_password, 0600);
	conf = load_ok(f->path);
	assert_string_equal(conf->conns[0].password, "hunter2");
	conf_free(conf);

	write_file(f->path, with_password, 0400);
	conf = load_ok(f->path);
	conf_free(conf);

	write_file(f->path, without_password, 0644);
	conf = load_ok(f->path);
	assert_null(conf->conns[0].password);
	conf_free(conf);
}

static const char hostile[] = "q\"uo'te \\back\\slash\\ \\x41 \\n $HOME "
    "`id` ; -- caf\xc3\xa9 \xf0\x9f\x98\x80 \xff\xfe end\\";

/* Every byte from 1 to 255, as a string the caller frees. */
static char *
all_bytes(void)
{
	char	*s;
	int	 i;

	s = xmalloc(256);
	for (i = 1; i < 256; i++)
		s[i - 1] = (char)i;
	s[255] = '\0';
	return s;
}

static void
test_save_round_trip(void **state)
{
	struct fixture		*f = *state;
	struct conf		*conf, *back;
	struct ps_error		 err;
	struct schedule_conf	 sched;
	struct table_conf	*t;
	struct stat		 sb;
	DIR			*d;
	struct dirent		*de;
	char			*bytes, *name2, *tables[3];
	int			 nfiles = 0;

	bytes = all_bytes();
	xasprintf(&name2, "n\xc3\xa4me \"%s\"", "\\x");
	conf = load_ok(f->path);
	ps_error_clear(&err);
	assert_int_equal(conf_conn_add(conf, hostile, "pg", bytes, NULL,
	    &err), 0);
	assert_int_equal(conf_conn_add(conf, name2, "mariadb", hostile,
	    "PW_VAR_1", &err), 0);
	conf->conns[1].password = xstrdup(bytes);

	free(conf->defaults.strategy);
	conf->defaults.strategy = xstrdup("newer-wins");
	free(conf->defaults.direction);
	conf->defaults.direction = xstrdup("bidirectional");
	conf->defaults.batch_size = 7;
	conf->defaults.schema_validation = 0;
	conf->defaults.auto_migrate = 1;
	conf->defaults.clock_skew = 0.1234567890123;
	conf->defaults.connect_timeout = 3600;
	conf->notify.on_failure = 0;
	conf->notify.on_conflicts = 0;
	conf->notify.on_success = 1;
	conf->notify.bell = 0;
	free(conf->notify.command);
	conf->notify.command = xstrdup(hostile);
	conf->retention_days = 12345;

	conf->tables = xcalloc(1, sizeof *conf->tables);
	conf->ntables = 1;
	t = &conf->tables[0];
	t->name = xstrdup(hostile);
	t->timestamp_column = xstrdup(bytes);
	util_split_list("id, \"odd\\col\"", &t->key_columns);
	t->nkey_columns = 2;

	memset(&sched, 0, sizeof sched);
	sched.name = (char *)hostile;
	sched.source = name2;
	sched.target = (char *)hostile;
	sched.every = (char *)"weekly";
	sched.at = (char *)"07:05";
	sched.on = (char *)"wed";
	sched.enabled = 1;
	tables[0] = bytes;
	tables[1] = (char *)"plain";
	tables[2] = NULL;
	sched.tables = tables;
	sched.timestamp_column = bytes;
	sched.batch_size = 3;
	sched.no_schema_check = 1;
	sched.stop_on_error = 1;
	assert_int_equal(conf_schedule_add(conf, &sched, &err), 0);

	assert_int_equal(conf_save(conf, &err), 0);
	back = load_ok(f->path);

	assert_int_equal(back->nconns, 2);
	assert_string_equal(back->conns[0].name, hostile);
	assert_string_equal(back->conns[0].type, "postgresql");
	assert_string_equal(back->conns[0].dsn, bytes);
	assert_null(back->conns[0].password_env);
	assert_null(back->conns[0].password);
	assert_string_equal(back->conns[1].name, name2);
	assert_string_equal(back->conns[1].type, "mysql");
	assert_string_equal(back->conns[1].dsn, hostile);
	assert_string_equal(back->conns[1].password_env, "PW_VAR_1");
	assert_string_equal(back->conns[1].password, bytes);

	assert_string_equal(back->defaults.strategy, "newer-wins");
	assert_string_equal(back->defaults.direction, "bidirectional");
	assert_int_equal(back->defaults.batch_size, 7);
	assert_int_equal(back->defaults.schema_validation, 0);
	assert_int_equal(back->defaults.auto_migrate, 1);
	assert_true(back->defaults.clock_skew == 0.1234567890123);
	assert_int_equal(back->defaults.connect_timeout, 3600);
	assert_int_equal(back->notify.on_failure, 0);
	assert_int_equal(back->notify.on_conflicts, 0);
	assert_int_equal(back->notify.on_success, 1);
	assert_int_equal(back->notify.bell, 0);
	assert_string_equal(back->notify.command, hostile);
	assert_int_equal(back->retention_days, 12345);

	assert_int_equal(back->ntables, 1);
	assert_string_equal(back->tables[0].name, hostile);
	assert_string_equal(back->tables[0].timestamp_column, bytes);
	assert_int_equal(back->tables[0].nkey_columns, 2);
	assert_string_equal(back->tables[0].key_columns[0], "id");
	assert_string_equal(back->tables[0].key_columns[1], "\"odd\\col\"");

	assert_int_equal(back->nschedules, 1);
	assert_string_equal(back->schedules[0].name, hostile);
	assert_string_equal(back->schedules[0].source, name2);
	assert_string_equal(back->schedules[0].target, hostile);
	assert_string_equal(back->schedules[0].every, "weekly");
	assert_string_equal(back->schedules[0].at, "07:05");
	assert_string_equal(back->schedules[0].on, "wed");
	assert_int_equal(back->schedules[0].day, 0);
	assert_null(back->schedules[0].strategy);
	assert_int_equal(back->schedules[0].enabled, 1);
	assert_string_equal(back->schedules[0].tables[0], bytes);
	assert_string_equal(back->schedules[0].tables[1], "plain");
	assert_null(back->schedules[0].tables[2]);
	assert_null(back->schedules[0].exclude);
	assert_string_equal(back->schedules[0].timestamp_column, bytes);
	assert_int_equal(back->schedules[0].batch_size, 3);
	assert_int_equal(back->schedules[0].no_schema_check, 1);
	assert_int_equal(back->schedules[0].auto_migrate, 0);
	assert_int_equal(back->schedules[0].stop_on_error, 1);

	/* Mode 0600, and nothing but the file in the folder. */
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_non_null(d = opendir(f->dir));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		assert_string_equal(de->d_name, "projsync.conf");
		nfiles++;
	}
	closedir(d);
	assert_int_equal(nfiles, 1);

	conf_free(back);
	conf_free(conf);
	free(name2);
	free(bytes);
}

/* The whole content of PATH; the caller frees. */
static char *
read_file(const char *path)
{
	struct strbuf	 sb = STRBUF_INIT;
	FILE		*fp;
	char		 buf[4096];
	size_t		 n;

	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("fopen %s", path);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_add(&sb, buf, n);
	fclose(fp);
	return sb_detach(&sb);
}

static void
test_save_stable_and_defaults(void **state)
{
	struct fixture	*f = *state;
	struct conf	*conf;
	struct ps_error	 err;
	char		*first, *second;

	/* The example, saved and saved again, is the same text. */
	write_file(f->path, spec_example, 0644);
	conf = load_ok(f->path);
	assert_int_equal(conf_save(conf, &err), 0);
	conf_free(conf);
	first = read_file(f->path);
	conf = load_ok(f->path);
	assert_example(conf);
	assert_int_equal(conf_save(conf, &err), 0);
	conf_free(conf);
	second = read_file(f->path);
	assert_string_equal(first, second);
	/* Every section is written, defaults included. */
	assert_non_null(strstr(first, "batch_size = 1000;"));
	assert_non_null(strstr(first, "clock_skew = 0.0;"));
	assert_non_null(strstr(first, "connect_timeout = 10;"));
	assert_non_null(strstr(first, "retention_days = 90;"));
	assert_non_null(strstr(first, "on_success = false;"));
	free(first);
	free(second);

	/* An empty configuration saves and loads. */
	unlink(f->path);
	conf = load_ok(f->path);
	assert_int_equal(conf_save(conf, &err), 0);
	conf_free(conf);
	conf = load_ok(f->path);
	assert_int_equal(conf->nconns, 0);
	assert_int_equal(conf->defaults.batch_size, 1000);
	conf_free(conf);
}

static void
test_save_creates_folders(void **state)
{
	struct fixture	*f = *state;
	struct conf	*conf;
	struct ps_error	 err;
	struct stat	 sb;
	char		*path, *dir;

	path = tu_path(f->dir, "a/b/c/projsync.conf");
	conf = load_ok(path);
	assert_int_equal(conf_conn_add(conf, "x", "sqlite", "/x.db", NULL,
	    &err), 0);
	assert_int_equal(conf_save(conf, &err), 0);
	conf_free(conf);
	dir = tu_path(f->dir, "a/b");
	assert_int_equal(stat(dir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(dir);
	conf = load_ok(path);
	assert_int_equal(conf->nconns, 1);
	conf_free(conf);

	/* Saving over a 0644 file leaves it 0600. */
	assert_int_equal(chmod(path, 0644), 0);
	conf = load_ok(path);
	assert_int_equal(conf_save(conf, &err), 0);
	conf_free(conf);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	free(path);

	/* A folder in the way is an error naming it. */
	path = tu_path(f->dir, "projsync.conf/inner.conf");
	write_file(f->path, "", 0600);
	ps_error_clear(&err);
	assert_int_equal(conf_load(path, &conf, &err), -1);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	conf = load_ok(f->path);
	free(conf->path);
	conf->path = xstrdup(path);
	ps_error_clear(&err);
	assert_int_equal(conf_save(conf, &err), -1);
	assert_non_null(strstr(err.msg, "not a folder"));
	conf_free(conf);
	free(path);
}

static void
test_conn_add_remove(void **state)
{
	struct fixture		*f = *state;
	struct conf		*conf;
	struct ps_error		 err;
	struct schedule_conf	 sched;

	conf = load_ok(f->path);
	assert_int_equal(conf_conn_add(conf, "a", "sqlite", "/a.db", NULL,
	    &err), 0);
	assert_int_equal(conf_conn_add(conf, "b", "POSTGRES", "dbname=b",
	    "B_PW", &err), 0);
	assert_string_equal(conf_conn_find(conf, "b")->type, "postgresql");

	assert_int_equal(conf_conn_add(conf, "a", "sqlite", "/x.db", NULL,
	    &err), -1);
	assert_int_equal(err.code, PS_ERR_USAGE);
	assert_string_equal(err.msg, "connection 'a' already exists");
	assert_int_equal(conf_conn_add(conf, "c", "oracle", "x", NULL, &err),
	    -1);
	assert_string_equal(err.msg, "unknown connection type 'oracle' "
	    "(expected postgresql, mysql or sqlite)");
	assert_int_equal(conf_conn_add(conf, "", "pg", "x", NULL, &err), -1);
	assert_int_equal(err.code, PS_ERR_USAGE);
	assert_int_equal(conf_conn_add(conf, "c", "pg", "", NULL, &err), -1);
	assert_string_equal(err.msg, "connection 'c': the DSN is empty");
	assert_int_equal(conf_conn_add(conf, "c", "pg", "x", "1BAD", &err),
	    -1);
	assert_string_equal(err.msg, "connection 'c': '1BAD' is not an "
	    "environment variable name");
	assert_int_equal(conf->nconns, 2);

	memset(&sched, 0, sizeof sched);
	sched.name = (char *)"s";
	sched.source = (char *)"a";
	sched.target = (char *)"b";
	sched.every = (char *)"daily";
	sched.at = (char *)"1:00";
	assert_int_equal(conf_schedule_add(conf, &sched, &err), -1);
	assert_int_equal(err.code, PS_ERR_USAGE);
	assert_string_equal(err.msg, "schedule 's': at: '1:00' is not a time "
	    "of day (expected HH:MM, 00:00 to 23:59)");
	sched.at = (char *)"01:00";
	assert_int_equal(conf_schedule_add(conf, &sched, &err), 0);
	assert_int_equal(conf_schedule_add(conf, &sched, &err), -1);
	assert_string_equal(err.msg, "schedule 's': name: duplicate schedule "
	    "name 's'");

	assert_int_equal(conf_conn_remove(conf, "a", &err), -1);
	assert_int_equal(err.code, PS_ERR_USAGE);
	assert_string_equal(err.msg, "connection 'a' is used by schedule 's'; "
	    "remove the schedule first");
	assert_int_equal(conf_schedule_remove(conf, "s", &err), 0);
	assert_int_equal(conf_schedule_remove(conf, "s", &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_int_equal(conf_conn_remove(conf, "a", &err), 0);
	assert_null(conf_conn_find(conf, "a"));
	assert_non_null(conf_conn_find(conf, "b"));
	assert_int_equal(conf->nconns, 1);
	assert_int_equal(conf_conn_remove(conf, "a", &err), -1);
	assert_int_equal(err.code, PS_ERR_NOT_FOUND);
	assert_string_equal(err.msg, "unknown connection 'a'");
	assert_int_equal(conf_conn_remove(conf, "b", &err), 0);
	assert_int_equal(conf->nconns, 0);
	conf_free(conf);
}

static void
test_password(void **state)
{
	struct conn_conf	c;
	struct ps_error		err;
	char			*pw;

	(void)state;
	memset(&c, 0, sizeof c);
	c.name = (char *)"prod";
	c.password_env = (char *)"PROJSYNC_TEST_PW";

	setenv("PROJSYNC_TEST_PW", "s3cr\"et pass", 1);
	assert_int_equal(conn_password(&c, &pw, &err), 0);
	assert_string_equal(pw, "s3cr\"et pass");
	free(pw);

	unsetenv("PROJSYNC_TEST_PW");
	ps_error_clear(&err);
	assert_int_equal(conn_password(&c, &pw, &err), -1);
	assert_null(pw);
	assert_int_equal(err.code, PS_ERR_CONFIG);
	assert_string_equal(err.msg, "connection 'prod': environment variable "
	    "PROJSYNC_TEST_PW (password_env) is not set");

	/* password_env wins over a plain password. */
	c.password = (char *)"plain";
	assert_int_equal(conn_password(&c, &pw, &err), -1);
	c.password_env = NULL;
	assert_int_equal(conn_password(&c, &pw, &err), 0);
	assert_string_equal(pw, "plain");
	free(pw);

	c.password = NULL;
	assert_int_equal(conn_password(&c, &pw, &err), 0);
	assert_null(pw);
}

static void
assert_mask(const char *type, const char *dsn, const char *want)
{
	char	*got;

	got = dsn_mask(type, dsn);
	assert_string_equal(got, want);
	free(got);
}

static void
test_dsn_mask(void **state)
{
	(void)state;
	assert_mask("postgresql", "postgresql://u:secret@h/db",
	    "postgresql://u:****@h/db");
	assert_mask("mysql", "mysql://u:secret@h:3306/db",
	    "mysql://u:****@h:3306/db");
	assert_mask("postgresql", "host=h password=secret dbname=d",
	    "host=h password=**** dbname=d");
	assert_mask("postgresql", "password='a b'", "password=****");
	assert_mask("postgresql", "host=h password = 'it\\'s x' user=u",
	    "host=h password = **** user=u");
	assert_mask("mysql", "host=h user=u PASSWORD=x\\ y database=d",
	    "host=h user=u PASSWORD=**** database=d");
	/* Nothing to hide. */
	assert_mask("postgresql", "postgresql://u@h:5432/db?sslmode=require",
	    "postgresql://u@h:5432/db?sslmode=require");
	assert_mask("postgresql", "host=127.0.0.1 port=5432 dbname=app",
	    "host=127.0.0.1 port=5432 dbname=app");
	assert_mask("sqlite", "/var/lib/pass:word@x.db",
	    "/var/lib/pass:word@x.db");
	assert_mask("mysql", "", "");
	/* Passwords in the query, with '@' in the password, in odd places. */
	assert_mask("postgresql",
	    "postgresql://h/db?user=u&password=secret&sslmode=require",
	    "postgresql://h/db?user=u&password=****&sslmode=require");
	assert_mask("postgresql", "postgresql://u:p@ss@h/db",
	    "postgresql://u:****@h/db");
	assert_mask("postgresql", "postgresql://u:pa/ss@h/db",
	    "postgresql://u:****@h/db");
	assert_mask("mysql", "mysql://u:secret@h/db#frag",
	    "mysql://u:****@h/db#frag");
	assert_mask(NULL, "postgres://u:secret@h", "postgres://u:****@h");
}

static void
test_util_split_list(void **state)
{
	char	**v;

	(void)state;
	assert_int_equal(util_split_list("a,b , c", &v), 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	assert_string_equal(v[2], "c");
	assert_null(v[3]);
	assert_true(util_strv_contains(v, "b"));
	assert_false(util_strv_contains(v, "b "));
	assert_false(util_strv_contains(v, "d"));
	util_strv_free(v);

	assert_int_equal(util_split_list(" , ,,\t,", &v), 0);
	assert_null(v[0]);
	util_strv_free(v);

	assert_int_equal(util_split_list("", &v), 0);
	assert_null(v[0]);
	util_strv_free(v);

	assert_int_equal(util_split_list(NULL, &v), 0);
	assert_null(v[0]);
	util_strv_free(v);

	assert_int_equal(util_split_list("  app.items  ,,x y,", &v), 2);
	assert_string_equal(v[0], "app.items");
	assert_string_equal(v[1], "x y");
	assert_null(v[2]);
	util_strv_free(v);
}

static void
test_util_misc(void **state)
{
	struct fixture	*f = *state;
	struct ps_error	 err;
	struct stat	 sb;
	long long	 n;
	char		 buf[32], *p, *q;

	assert_int_equal(util_parse_int("42", 1, 100, &n), 0);
	assert_int_equal(n, 42);
	assert_int_equal(util_parse_int("-5", -10, 10, &n), 0);
	assert_int_equal(n, -5);
	assert_int_equal(util_parse_int("0", 1, 100, &n), -1);
	assert_int_equal(util_parse_int("12x", 1, 100, &n), -1);
	assert_int_equal(util_parse_int(" 12", 1, 100, &n), -1);
	assert_int_equal(util_parse_int("", 1, 100, &n), -1);
	assert_int_equal(util_parse_int("99999999999999999999", 1,
	    LLONG_MAX, &n), -1);

	setenv("PROJSYNC_NOW", "1700000000.5", 1);
	assert_true(util_now() == 1700000000.5);
	assert_string_equal(util_iso8601(util_now(), buf, sizeof buf),
	    "2023-11-14T22:13:20Z");
	unsetenv("PROJSYNC_NOW");
	assert_true(util_now() > 1700000000);

	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	p = util_default_config_path();
	assert_string_equal(p, "/xdg/conf/projsync/projsync.conf");
	free(p);
	p = util_default_history_path();
	assert_string_equal(p, "/xdg/data/projsync/history.db");
	free(p);
	p = util_default_demo_dir();
	assert_string_equal(p, "/xdg/data/projsync/demo");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/someone", 1);
	p = util_default_config_path();
	assert_string_equal(p, "/home/someone/.config/projsync/projsync.conf");
	free(p);
	p = util_default_history_path();
	assert_string_equal(p,
	    "/home/someone/.local/share/projsync/history.db");
	free(p);

	p = tu_path(f->dir, "x/y//z/");
	assert_int_equal(util_mkdir_p(p, 0750, &err), 0);
	assert_int_equal(util_mkdir_p(p, 0750, &err), 0);
	q = tu_path(f->dir, "x/y/z");
	assert_int_equal(stat(q, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	free(q);
	q = tu_path(f->dir, "x");
	assert_int_equal(stat(q, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0750);
	free(q);
	free(p);
	p = tu_path(f->dir, "file");
	write_file(p, "", 0600);
	free(p);
	p = tu_path(f->dir, "file/sub");
	assert_int_equal(util_mkdir_p(p, 0700, &err), -1);
	assert_int_equal(err.code, PS_ERR_IO);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults_when_missing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_spec_example, setup,
		    teardown),
		cmocka_unit_test(test_shipped_example),
		cmocka_unit_test_setup_teardown(test_aliases_and_unknown_keys,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_type_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_and_values,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_save_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_save_stable_and_defaults,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_creates_folders,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_conn_add_remove, setup,
		    teardown),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_dsn_mask),
		cmocka_unit_test(test_util_split_list),
		cmocka_unit_test_setup_teardown(test_util_misc, setup,
		    teardown),
	};

	umask(022);
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
