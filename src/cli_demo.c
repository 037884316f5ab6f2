/*
 * projsync - cli_demo.c: "projsync demo": two SQLite databases with a small
 * project data set of their own (clients, projects, tasks with sub-tasks,
 * time entries, tags), made identical, given a common base by a
 * source-wins bidirectional sync, then made to drift apart on each side and
 * on both (conflicts), with the connections "demo-dev" and "demo-prod".
 */
#include "projsync/common.h"
#include "projsync/util.h"

#include "cli_int.h"

#include <sqlite3.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The tables, parents first. */
static const char *const demo_tables[] = {
	"clients", "projects", "tasks", "time_entries", "tags", "task_tags"
};

/* The schema and the rows both databases start from. */
static const char demo_schema[] =
"PRAGMA foreign_keys = ON;\n"
"BEGIN;\n"
"CREATE TABLE clients (\n"
"  id INTEGER PRIMARY KEY,\n"
"  name TEXT NOT NULL,\n"
"  email TEXT,\n"
"  country TEXT,\n"
"  active BOOLEAN NOT NULL DEFAULT 1,\n"
"  created_at TIMESTAMP NOT NULL,\n"
"  updated_at TIMESTAMP NOT NULL\n"
");\n"
"CREATE TABLE projects (\n"
"  id INTEGER PRIMARY KEY,\n"
"  client_id INTEGER NOT NULL REFERENCES clients(id),\n"
"  name TEXT NOT NULL,\n"
"  budget NUMERIC(12,2),\n"
"  hourly_rate DECIMAL(8,2) NOT NULL,\n"
"  starts_on DATE,\n"
"  due_on DATE,\n"
"  billable BOOLEAN NOT NULL DEFAULT 1,\n"
"  updated_at TIMESTAMP NOT NULL\n"
");\n"
"CREATE TABLE tasks (\n"
"  id INTEGER PRIMARY KEY,\n"
"  project_id INTEGER NOT NULL REFERENCES projects(id),\n"
"  parent_task_id INTEGER REFERENCES tasks(id),\n"
"  title TEXT NOT NULL,\n"
"  status TEXT NOT NULL DEFAULT 'todo',\n"
"  priority INTEGER,\n"
"  estimate_hours REAL,\n"
"  done BOOLEAN NOT NULL DEFAULT 0,\n"
"  due_on DATE,\n"
"  updated_at TIMESTAMP NOT NULL\n"
");\n"
"CREATE TABLE time_entries (\n"
"  id INTEGER PRIMARY KEY,\n"
"  task_id INTEGER NOT NULL REFERENCES tasks(id),\n"
"  person TEXT NOT NULL,\n"
"  spent_on DATE NOT NULL,\n"
"  minutes INTEGER NOT NULL,\n"
"  amount DECIMAL(10,2),\n"
"  note TEXT,\n"
"  updated_at TIMESTAMP NOT NULL\n"
");\n"
"CREATE TABLE tags (\n"
"  id INTEGER PRIMARY KEY,\n"
"  name TEXT NOT NULL UNIQUE,\n"
"  color TEXT\n"
");\n"
"CREATE TABLE task_tags (\n"
"  task_id INTEGER NOT NULL REFERENCES tasks(id),\n"
"  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"
"  PRIMARY KEY (task_id, tag_id)\n"
");\n"
"INSERT INTO clients VALUES\n"
" (1, 'Café Müller GmbH', 'kontakt@cafe-mueller.de', 'DE', 1,"
" '2023-01-10 09:00:00', '2024-01-05 10:00:00'),\n"
" (2, 'Ōsaka Robotics 🤖', 'info@osaka-robotics.jp', 'JP', 1,"
" '2023-02-14 23:30:00', '2024-01-08 07:45:00'),\n"
" (3, 'Niño & Hijos S.A.', 'hola@nino.es', 'ES', 1,"
" '2023-03-01 12:00:00', '2024-01-09 16:20:00'),\n"
" (4, 'Zoë''s Bakery 🥐', NULL, 'GB', 1,"
" '2023-05-20 08:15:00', '2024-01-10 09:00:00'),\n"
" (5, 'Fjällräven Outfitters', 'sales@fjall.example', 'SE', 0,"
" '2023-06-30 14:00:00', '2024-01-11 11:11:11'),\n"
" (6, 'Łódź Logistics', 'biuro@lodz-log.pl', 'PL', 1,"
" '2023-09-12 10:30:00', '2024-01-12 13:00:00');\n"
"INSERT INTO projects VALUES\n"
" (1, 1, 'Website relaunch', '12000.00', '85.50', '2024-01-15',"
" '2024-06-30', 1, '2024-01-15 09:00:00'),\n"
" (2, 1, 'Espresso app 📱', '8000', '95.00', '2024-03-01', NULL, 1,"
" '2024-03-01 09:00:00'),\n"
" (3, 2, 'Warehouse robots', '54000.00', '120.00', '2024-02-01',"
" '2024-12-20', 1, '2024-02-01 09:00:00'),\n"
" (4, 3, 'Menú digital', '3500.50', '60.00', '2024-01-20', '2024-02-29',"
" 1, '2024-01-20 09:00:00'),\n"
" (5, 4, 'Online shop', '9999.99', '70.00', '2024-03-15', NULL, 1,"
" '2024-03-15 09:00:00'),\n"
" (6, 5, 'Catalogue 2024', NULL, '55.25', '2024-03-20', '2024-04-30', 0,"
" '2024-03-20 09:00:00'),\n"
" (7, 6, 'Fleet tracking', '27500.00', '110.00', '2024-04-01', NULL, 1,"
" '2024-04-01 09:00:00'),\n"
" (8, 2, 'Maintenance', '1200.00', '90.00', '2024-04-10', NULL, 1,"
" '2024-04-10 09:00:00');\n"
"INSERT INTO tasks VALUES\n"
" (1, 1, NULL, 'Design mock-ups', 'done', 1, 16.0, 1, '2024-02-01',"
" '2024-02-01 17:00:00'),\n"
" (2, 1, 1, 'Home page', 'done', 2, 6.5, 1, '2024-02-15',"
" '2024-02-14 17:00:00'),\n"
" (3, 1, 1, 'Product pages', 'doing', 2, 8, 0, '2024-03-01',"
" '2024-02-20 17:00:00'),\n"
" (4, 1, NULL, 'Deploy to production', 'todo', 1, 4, 0, '2024-06-28',"
" '2024-01-15 09:30:00'),\n"
" (5, 2, NULL, 'Order flow ☕', 'doing', 1, 20, 0, NULL,"
" '2024-03-05 18:00:00'),\n"
" (6, 2, 5, 'Payment via Stripe', 'todo', 2, 6, 0, NULL,"
" '2024-03-11 18:00:00'),\n"
" (7, 2, 5, 'Push notifications', 'todo', 3, 4.5, 0, NULL,"
" '2024-03-19 18:00:00'),\n"
" (8, 3, NULL, 'Gripper firmware', 'doing', 1, 40, 0, '2024-05-31',"
" '2024-02-13 18:00:00'),\n"
" (9, 3, 8, 'Calibrate sensors', 'todo', 2, 12.25, 0, NULL,"
" '2024-02-20 18:00:00'),\n"
" (10, 3, 8, 'Safety review', 'todo', 1, 8, 0, '2024-06-15',"
" '2024-02-21 18:00:00'),\n"
" (11, 4, NULL, 'Traducción de la carta', 'done', 1, 3, 1, '2024-02-01',"
" '2024-01-30 18:00:00'),\n"
" (12, 4, 11, 'Fotos de los platos 📷', 'doing', 2, 5, 0, NULL,"
" '2024-02-02 18:00:00'),\n"
" (13, 5, NULL, 'Checkout', 'doing', 1, 10, 0, '2024-05-01',"
" '2024-04-02 18:00:00'),\n"
" (14, 5, 13, 'Gift cards 🎁', 'todo', 3, 3, 0, NULL,"
" '2024-04-03 18:00:00'),\n"
" (15, 6, NULL, 'Photo shoot', 'done', 1, 7, 1, '2024-03-25',"
" '2024-03-25 18:00:00'),\n"
" (16, 7, NULL, 'GPS integration', 'doing', 1, 24, 0, NULL,"
" '2024-04-08 18:00:00'),\n"
" (17, 7, 16, 'Map tiles', 'todo', 2, 6, 0, NULL,"
" '2024-04-09 18:00:00'),\n"
" (18, 7, 16, 'Driver app', 'todo', 2, 30, 0, '2024-09-01',"
" '2024-04-10 18:00:00'),\n"
" (19, 8, NULL, 'Monthly check', 'todo', 2, 1.5, 0, '2024-05-15',"
" '2024-04-15 18:00:00'),\n"
" (20, 8, 19, 'Replace worn belts', 'todo', 1, 2, 0, NULL,"
" '2024-04-16 18:00:00');\n"
"INSERT INTO time_entries VALUES\n"
" (1, 1, 'Chloé Dubois', '2024-01-16', 240, '342.00',"
" 'Mood board, three directions', '2024-01-16 18:00:00'),\n"
" (2, 1, 'Chloé Dubois', '2024-01-17', 180, '256.50', NULL,"
" '2024-01-17 18:00:00'),\n"
" (3, 2, 'Ana Núñez', '2024-01-22', 300, '427.50', 'Hero section ✨',"
" '2024-01-22 18:00:00'),\n"
" (4, 3, 'Ana Núñez', '2024-02-05', 120, '171.00', NULL,"
" '2024-02-05 18:00:00'),\n"
" (5, 3, 'Jürgen Groß', '2024-02-06', 60, '85.50', 'Größentabelle',"
" '2024-02-06 18:00:00'),\n"
" (6, 5, 'Sakura Itō', '2024-03-04', 480, '760.00', 'Cart model',"
" '2024-03-04 18:00:00'),\n"
" (7, 5, 'Sakura Itō', '2024-03-05', 420, '665.00', NULL,"
" '2024-03-05 18:00:00'),\n"
" (8, 6, 'Jürgen Groß', '2024-03-11', 90, '142.50',"
" 'Webhook \"payment_intent.succeeded\"', '2024-03-11 18:00:00'),\n"
" (9, 8, 'Sakura Itō', '2024-02-12', 480, '960.00', 'Torque limits',"
" '2024-02-12 18:00:00'),\n"
" (10, 8, 'Jürgen Groß', '2024-02-13', 360, '720.00', NULL,"
" '2024-02-13 18:00:00'),\n"
" (11, 9, 'Sakura Itō', '2024-02-20', 240, '480.00', NULL,"
" '2024-02-20 18:00:00'),\n"
" (12, 10, 'Ana Núñez', '2024-02-21', 120, '240.00',"
" 'ISO 10218 checklist', '2024-02-21 18:00:00'),\n"
" (13, 7, 'Ana Núñez', '2024-03-18', 60, '95.00', 'APNs keys',"
" '2024-03-18 18:00:00'),\n"
" (14, 7, 'Sakura Itō', '2024-03-19', 30, '47.50', NULL,"
" '2024-03-19 18:00:00'),\n"
" (15, 11, 'Ana Núñez', '2024-01-30', 180, '180.00',"
" 'Carta en inglés y francés', '2024-01-30 18:00:00'),\n"
" (16, 12, 'Chloé Dubois', '2024-02-02', 240, '240.00', '📷 24 platos',"
" '2024-02-02 18:00:00'),\n"
" (17, 13, 'Jürgen Groß', '2024-04-02', 300, '350.00', NULL,"
" '2024-04-02 18:00:00'),\n"
" (18, 14, 'Chloé Dubois', '2024-04-03', 90, '105.00', NULL,"
" '2024-04-03 18:00:00'),\n"
" (19, 15, 'Chloé Dubois', '2024-03-25', 420, '386.75', 'Studio day',"
" '2024-03-25 18:00:00'),\n"
" (20, 16, 'Jürgen Groß', '2024-04-08', 360, '660.00', 'NMEA parser',"
" '2024-04-08 18:00:00'),\n"
" (21, 17, 'Sakura Itō', '2024-04-09', 120, '220.00', NULL,"
" '2024-04-09 18:00:00'),\n"
" (22, 18, 'Ana Núñez', '2024-04-10', 240, '440.00', 'Offline mode',"
" '2024-04-10 18:00:00'),\n"
" (23, 19, 'Jürgen Groß', '2024-04-15', 45, '67.50', NULL,"
" '2024-04-15 18:00:00'),\n"
" (24, 20, 'Jürgen Groß', '2024-04-16', 75, '112.50', 'Belt #3',"
" '2024-04-16 18:00:00');\n"
"INSERT INTO tags VALUES\n"
" (1, 'urgent', '#e11d48'), (2, 'backend', '#2563eb'),\n"
" (3, 'frontend', '#16a34a'), (4, 'design ✏️', '#db2777'),\n"
" (5, 'blocked', NULL), (6, 'later', '#6b7280');\n"
"INSERT INTO task_tags VALUES\n"
" (1, 4), (2, 3), (3, 3), (4, 1), (4, 2), (5, 2), (6, 1), (6, 2),\n"
" (7, 6), (8, 2), (9, 5), (12, 4), (14, 6), (16, 2), (18, 3);\n"
"COMMIT;\n";

/* Rows in the common state, for the summary. */
#define DEMO_ROWS	79

/*
 * Drift on dev only: a new client with a project and a task with a
 * sub-task; one-sided updates and deletes.  Then dev's half of the rows
 * changed on both sides.
 */
static const char demo_drift_dev[] =
"PRAGMA foreign_keys = ON;\n"
"BEGIN;\n"
"INSERT INTO clients VALUES (7, 'Ünal Tekstil A.Ş.', 'info@unal.example',"
" 'TR', 1, '2024-05-01 09:00:00', '2024-05-01 09:00:00');\n"
"INSERT INTO projects VALUES (9, 7, 'Showroom 🧵', '4200.00', '65.00',"
" '2024-05-06', NULL, 1, '2024-05-01 09:05:00');\n"
"INSERT INTO tasks VALUES (21, 9, NULL, 'Floor plan', 'todo', 1, 5, 0,"
" '2024-05-20', '2024-05-01 09:10:00');\n"
"INSERT INTO tasks VALUES (22, 9, 21, 'Lighting 💡', 'todo', 2, 2.5, 0,"
" NULL, '2024-05-01 09:12:00');\n"
"INSERT INTO time_entries VALUES (25, 21, 'Ana Núñez', '2024-05-02', 90,"
" '97.50', 'First sketch', '2024-05-02 18:00:00');\n"
"UPDATE tasks SET status = 'done', done = 1,"
" updated_at = '2024-05-02 16:00:00' WHERE id = 3;\n"
"UPDATE projects SET due_on = '2024-07-31',"
" updated_at = '2024-05-02 10:00:00' WHERE id = 1;\n"
"DELETE FROM task_tags WHERE task_id = 9 AND tag_id = 5;\n"
"DELETE FROM time_entries WHERE id = 24;\n"
/* Changed on both sides: these meet prod's changes below. */
"UPDATE clients SET email = 'hello@osaka-robotics.jp',"
" updated_at = '2024-05-02 08:00:00' WHERE id = 2;\n"
"UPDATE tasks SET title = 'Payment via Stripe & PayPal',"
" updated_at = '2024-05-04 10:00:00' WHERE id = 6;\n"
"UPDATE tasks SET estimate_hours = 6, updated_at = '2024-05-03 11:00:00'"
" WHERE id = 7;\n"
"UPDATE time_entries SET minutes = 90, amount = '128.25',"
" updated_at = '2024-05-05 12:00:00' WHERE id = 5;\n"
"DELETE FROM task_tags WHERE tag_id = 6;\n"
"DELETE FROM tags WHERE id = 6;\n"
"COMMIT;\n";

/* Drift on prod only, then prod's half of the rows changed on both. */
static const char demo_drift_prod[] =
"PRAGMA foreign_keys = ON;\n"
"BEGIN;\n"
"INSERT INTO time_entries VALUES (26, 8, 'Sakura Itō', '2024-05-03', 300,"
" '600.00', 'Grip force tuning', '2024-05-03 18:00:00');\n"
"INSERT INTO tags VALUES (7, 'review 👀', '#f59e0b');\n"
"INSERT INTO task_tags VALUES (10, 7);\n"
"UPDATE projects SET budget = '60000.00',"
" updated_at = '2024-05-02 14:00:00' WHERE id = 3;\n"
"UPDATE tasks SET priority = 1, updated_at = '2024-05-02 15:00:00'"
" WHERE id = 17;\n"
"DELETE FROM task_tags WHERE task_id = 18 AND tag_id = 3;\n"
"DELETE FROM time_entries WHERE id = 23;\n"
/* Changed on both sides. */
"UPDATE clients SET email = 'support@osaka-robotics.jp',"
" updated_at = '2024-05-03 09:30:00' WHERE id = 2;\n"
"UPDATE tasks SET status = 'doing', updated_at = '2024-05-02 09:00:00'"
" WHERE id = 6;\n"
"DELETE FROM time_entries WHERE task_id = 7;\n"
"DELETE FROM task_tags WHERE task_id = 7;\n"
"DELETE FROM tasks WHERE id = 7;\n"
"UPDATE time_entries SET minutes = 75, amount = '106.88',"
" updated_at = '2024-05-05 12:00:00' WHERE id = 5;\n"
"UPDATE tags SET color = '#9ca3af' WHERE id = 6;\n"
"COMMIT;\n";

/*
 * Keys changed on both sides by the drift: clients 2 (update/update), tasks
 * 6 (update/update), tasks 7 (update/delete), time_entries 5 (update/update,
 * the same updated_at: newer-wins cannot choose) and tags 6 (delete/update).
 */
#define DEMO_CONFLICTS	5

/* Remove PATH and SQLite's companion files; -1 with ERR on failure. */
static int
demo_unlink(const char *path, struct ps_error *err)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char	*p;
	size_t	 i;
	int	 rc = 0;

	for (i = 0; i < nitems(sfx); i++) {
		xasprintf(&p, "%s%s", path, sfx[i]);
		if (unlink(p) != 0 && errno != ENOENT) {
			ps_error_set(err, PS_ERR_IO, "cannot remove %s: %s", p,
			    strerror(errno));
			rc = -1;
		}
		free(p);
		if (rc != 0)
			break;
	}
	return rc;
}

/* Run SQL on the SQLite file PATH (created when CREATE). */
static int
demo_exec(const char *path, const char *sql, int create, struct ps_error *err)
{
	sqlite3	*db = NULL;
	char	*msg = NULL;
	int	 flags, rc = -1;

	flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "cannot open");
		goto out;
	}
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ps_error_set(err, PS_ERR_DB, "%s: %s", path,
		    msg != NULL ? msg : sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_free(msg);
	if (db != NULL)
		sqlite3_close(db);
	return rc;
}

/*
 * Make connection NAME a sqlite connection to PATH: added when missing,
 * replaced when its type or DSN differ.  *CHANGED is set when the
 * configuration changed.
 */
static int
demo_conn(struct cli *cli, const char *name, const char *path, int *changed,
    struct ps_error *err)
{
	const struct conn_conf	*cc;

	cc = conf_conn_find(cli->conf, name);
	if (cc != NULL && strcmp(cc->type, "sqlite") == 0 &&
	    strcmp(cc->dsn, path) == 0 && cc->password_env == NULL &&
	    cc->password == NULL)
		return 0;
	if (cc != NULL && conf_conn_remove(cli->conf, name, err) != 0)
		return -1;
	if (conf_conn_add(cli->conf, name, "sqlite", path, NULL, err) != 0)
		return -1;
	*changed = 1;
	return 0;
}

/* Record the common base of the two identical files: a source-wins sync. */
static int
demo_base(struct cli *cli, int64_t *job_id, struct ps_error *err)
{
	struct engine_ctx	ctx;
	struct sync_opts	o;
	struct job_result	res;
	int			rc = -1;

	memset(&res, 0, sizeof res);
	sync_opts_defaults(&o, cli->conf);
	o.source = "demo-dev";
	o.target = "demo-prod";
	o.bidirectional = 1;
	o.strategy = STRAT_SOURCE_WINS;
	o.schema_check = 1;
	o.auto_migrate = 0;
	o.dry_run = 0;
	cli_engine_ctx(cli, &ctx);
	if (engine_sync(&ctx, &o, &res, err) != 0)
		goto out;
	*job_id = res.job_id;
	if (res.status != JOB_COMPLETED) {
		ps_error_set(err, PS_ERR_INTERNAL, "demo: the sync that "
		    "records the common base ended %s (see 'projsync job %lld "
		    "--logs')",
		    job_status_name(res.status), (long long)res.job_id);
		goto out;
	}
	rc = 0;
out:
	job_result_free(&res);
	return rc;
}

enum { OPT_DIR };
static const struct cli_opt demo_opts[] = {
	{ "dir",	0, CLI_ARG,	OPT_DIR },
	{ NULL,		0, CLI_NOARG,	0 }
};

int
cli_cmd_demo(struct cli *cli, int argc, char **argv)
{
	struct cli_parser	 p;
	struct ps_error		 err;
	struct json_w		 w;
	const char		*arg, *dir_opt = NULL;
	char			*dir = NULL, *real = NULL, *dev = NULL;
	char			*prod = NULL, *next = NULL;
	int64_t			 job_id = 0;
	size_t			 i;
	int			 c, rc = CLI_EXIT_USAGE, changed = 0, explicit;

	ps_error_clear(&err);
	cli_parser_init(&p, cli, "demo", demo_opts, argc, argv, 0);
	while ((c = cli_getopt(&p, &arg)) >= 0) {
		if (c == OPT_DIR)
			dir_opt = arg;
	}
	if (c == CLI_ERROR)
		goto out;
	if (c == CLI_HELP) {
		rc = cli_help(cli_help_demo);
		goto out;
	}
	if (p.nargs != 0) {
		cli_usage_error("demo", "unexpected argument '%s'", p.args[0]);
		goto out;
	}
	if (dir_opt != NULL && *dir_opt == '\0') {
		cli_usage_error("demo", "--dir needs a folder name");
		goto out;
	}

	rc = CLI_EXIT_FAIL;
	/* -c and -H given on the command line go into the next command. */
	explicit = cli->conf_path != NULL || cli->hist_path != NULL;
	if (cli_load_conf(cli) != 0)
		goto out;
	dir = dir_opt != NULL ? xstrdup(dir_opt) : util_default_demo_dir();
	if (util_mkdir_p(dir, 0700, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if ((real = realpath(dir, NULL)) == NULL) {
		rc = cli_fail("%s: %s", dir, strerror(errno));
		goto out;
	}
	xasprintf(&dev, "%s/dev.db", real);
	xasprintf(&prod, "%s/prod.db", real);

	/* The same files from scratch, then the connections to them. */
	if (demo_unlink(dev, &err) != 0 || demo_unlink(prod, &err) != 0 ||
	    demo_exec(dev, demo_schema, 1, &err) != 0 ||
	    demo_exec(prod, demo_schema, 1, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if (demo_conn(cli, "demo-dev", dev, &changed, &err) != 0 ||
	    demo_conn(cli, "demo-prod", prod, &changed, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if (changed && cli_save_conf(cli, "demo: connections demo-dev and "
	    "demo-prod") != 0)
		goto out;
	if (cli_open_history(cli) != 0)
		goto out;
	if (demo_base(cli, &job_id, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}
	if (demo_exec(dev, demo_drift_dev, 0, &err) != 0 ||
	    demo_exec(prod, demo_drift_prod, 0, &err) != 0) {
		rc = cli_error(&err);
		goto out;
	}

	if (explicit) {
		xasprintf(&next, "projsync -c '%s' -H '%s' sync demo-dev "
		    "demo-prod --bidirectional", cli->conf_path,
		    cli->hist_path);
	} else
		next = xstrdup("projsync sync demo-dev demo-prod "
		    "--bidirectional");

	if (cli->json) {
		cli_json_begin(cli, &w);
		json_obj_begin(&w);
		json_key(&w, "dir");
		json_str(&w, real);
		json_key(&w, "dev");
		json_str(&w, dev);
		json_key(&w, "prod");
		json_str(&w, prod);
		json_key(&w, "connections");
		json_arr_begin(&w);
		json_str(&w, "demo-dev");
		json_str(&w, "demo-prod");
		json_arr_end(&w);
		json_key(&w, "config");
		json_str(&w, cli->conf_path);
		json_key(&w, "config_changed");
		json_bool(&w, changed);
		json_key(&w, "base_job_id");
		json_int(&w, job_id);
		json_key(&w, "tables");
		json_arr_begin(&w);
		for (i = 0; i < nitems(demo_tables); i++)
			json_str(&w, demo_tables[i]);
		json_arr_end(&w);
		json_key(&w, "rows");
		json_int(&w, DEMO_ROWS);
		json_key(&w, "conflicts");
		json_int(&w, DEMO_CONFLICTS);
		json_key(&w, "next");
		json_str(&w, next);
		json_obj_end(&w);
		cli_json_end(&w);
	} else if (!cli->quiet) {
		printf("made dev.db and prod.db in %s:\n", real);
		printf("  %d rows in %zu tables (", DEMO_ROWS,
		    nitems(demo_tables));
		for (i = 0; i < nitems(demo_tables); i++)
			printf("%s%s", i > 0 ? ", " : "", demo_tables[i]);
		printf("),\n  the common base recorded by job %lld; then "
		    "changes on each side\n  (inserts, updates, deletes) "
		    "and %d rows changed on both (conflicts)\n",
		    (long long)job_id, DEMO_CONFLICTS);
		printf("connections demo-dev and demo-prod %s %s\n",
		    changed ? "saved in" : "already in", cli->conf_path);
		printf("next: %s\n", next);
	}
	rc = CLI_EXIT_OK;
out:
	free(next);
	free(dev);
	free(prod);
	free(real);
	free(dir);
	cli_parser_free(&p);
	return rc;
}
