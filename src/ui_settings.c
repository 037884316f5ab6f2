/*
 * projsync - ui_settings.c: the Settings screen: connections (add, edit,
 * test, delete, with their DSNs shown with any password masked), the sync
 * defaults, the schedules (shown here, edited with "projsync schedule"),
 * notifications and the history's retention.  Every change is written to
 * the configuration file at once.
 *
 * DESIGN
 * A change starts from the file as it is now (conf_load), not from the
 * UI's copy: the new value is checked with the rules the command line and
 * conf_load use (conf_conn_add, conf_conn_remove, the same ranges), the
 * copy is changed and written with conf_save, and the UI's copy is then
 * reloaded from the file (ui_reload_conf).  So the screen shows only what
 * the file holds, the engine thread (which reads the file for every
 * command) sees the same, a change made meanwhile by another projsync
 * process is kept, and a check or a save that fails changes nothing.
 *
 * Passwords never show and are never typed here: a DSN that holds one is
 * refused (password_env names the environment variable that holds it),
 * and a DSN already holding one (written with "projsync conn add") is
 * drawn, and offered for editing, with the password masked.
 */
#include "projsync/common.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curses.h>

#include "projsync/sched.h"
#include "projsync/util.h"
#include "ui_int.h"

#define SET_MASK	"****"	/* what a password shows as */
#define SET_LABEL_W	20	/* the label column of a setting */

enum set_section {
	SET_CONNS,
	SET_DEFAULTS,
	SET_SCHEDULES,
	SET_NOTIFY,
	SET_HISTORY,
	SET__COUNT
};

static const char *const set_section_names[SET__COUNT] = {
	"Connections", "Defaults", "Schedules", "Notifications", "History"
};

/* What a setting holds, and so how it is changed. */
enum set_kind {
	SET_K_CHOICE,	/* a word of a list: Enter, Left and Right step */
	SET_K_BOOL,	/* a switch: Enter, Left and Right flip it */
	SET_K_INT,	/* a whole number, typed */
	SET_K_SECONDS,	/* a decimal number of seconds, typed */
	SET_K_TEXT	/* a line of text, typed; empty allowed */
};

/* A setting of the Defaults, Notifications or History section. */
struct set_field {
	const char		*label;	/* "Batch size" */
	const char		*key;	/* "defaults.batch_size" */
	enum set_kind		 kind;
	size_t			 off;	/* the member in struct conf */
	const char *const	*choices; /* NULL-ended */
	long long		 min;	/* numbers: the range */
	long long		 max;
	const char		*unit;	/* after a number: "s" */
	const char		*about;	/* what it does */
};

#define SET_OFF(m)	offsetof(struct conf, m)

static const char *const set_directions[] = {
	"one-way", "bidirectional", NULL
};

static const char *const set_strategies[] = {
	"manual", "source-wins", "target-wins", "newer-wins", "ignore", NULL
};

/* The ranges are those conf_load accepts. */
static const struct set_field set_defaults[] = {
	{ "Direction", "defaults.direction", SET_K_CHOICE,
	    SET_OFF(defaults.direction), set_directions, 0, 0, NULL,
	    "How a new job syncs: one-way writes the source's changes to "
	    "the target; bidirectional merges the changes of both sides." },
	{ "Strategy", "defaults.strategy", SET_K_CHOICE,
	    SET_OFF(defaults.strategy), set_strategies, 0, 0, NULL,
	    "What a new job does with a conflict: manual keeps it pending "
	    "for review, source-wins and target-wins take that side, "
	    "newer-wins takes the later timestamp column, ignore records "
	    "it as ignored." },
	{ "Batch size", "defaults.batch_size", SET_K_INT,
	    SET_OFF(defaults.batch_size), NULL, 1, INT_MAX, "rows",
	    "Rows written per transaction." },
	{ "Schema validation", "defaults.schema_validation", SET_K_BOOL,
	    SET_OFF(defaults.schema_validation), NULL, 0, 0, NULL,
	    "Compare the tables' definitions before syncing; tables with "
	    "major differences are skipped and reported." },
	{ "Auto-migrate", "defaults.auto_migrate", SET_K_BOOL,
	    SET_OFF(defaults.auto_migrate), NULL, 0, 0, NULL,
	    "With schema validation on, migrate minor differences (a "
	    "missing column or table) on the target before syncing." },
	{ "Clock skew", "defaults.clock_skew", SET_K_SECONDS,
	    SET_OFF(defaults.clock_skew), NULL, 0, 86400, "s",
	    "For newer-wins: timestamps closer than this are a tie, which "
	    "leaves the conflict pending." },
	{ "Connect timeout", "defaults.connect_timeout", SET_K_INT,
	    SET_OFF(defaults.connect_timeout), NULL, 1, 3600, "s",
	    "How long to wait for a server when connecting, and when "
	    "testing a connection." },
};

static const struct set_field set_notify[] = {
	{ "On failure", "notifications.on_failure", SET_K_BOOL,
	    SET_OFF(notify.on_failure), NULL, 0, 0, NULL,
	    "Notify when a job fails or completes with row errors." },
	{ "On conflicts", "notifications.on_conflicts", SET_K_BOOL,
	    SET_OFF(notify.on_conflicts), NULL, 0, 0, NULL,
	    "Notify when a job leaves conflicts pending." },
	{ "On success", "notifications.on_success", SET_K_BOOL,
	    SET_OFF(notify.on_success), NULL, 0, 0, NULL,
	    "Notify when a job completes cleanly." },
	{ "Bell", "notifications.bell", SET_K_BOOL,
	    SET_OFF(notify.bell), NULL, 0, 0, NULL,
	    "Ring the terminal bell with a notification (the status line "
	    "always tells)." },
	{ "Command", "notifications.command", SET_K_TEXT,
	    SET_OFF(notify.command), NULL, 0, 0, NULL,
	    "A command run with each notification, the job's facts in its "
	    "environment (PROJSYNC_JOB_ID, PROJSYNC_STATUS, ...); empty: "
	    "none." },
};

static const struct set_field set_history[] = {
	{ "Retention", "history.retention_days", SET_K_INT,
	    SET_OFF(retention_days), NULL, 1, 1000000, "days",
	    "After each job, finished jobs older than this (with their "
	    "logs) and conflicts resolved before then are deleted from the "
	    "history.  Open conflicts, the jobs they came from and the "
	    "synced state are kept." },
};

struct settings {
	enum set_section	 sec;
	int			 cur[SET__COUNT]; /* the selected row */
	int			 top[SET__COUNT]; /* the first row shown */
	uint64_t		*tests;	/* req_ids of tests asked here */
	int			 ntests;
	/* The last settings changes, read when the view opens or saves. */
	struct settings_row	*changes;
	int			 nchanges;
	char			 changes_err[sizeof ((struct ps_error *)0)->msg];
};

/* How many recent settings changes the History section can show. */
#define SET_CHANGES	50

static void	settings_load_changes(struct view *);

static const struct footer_key settings_footer[] = {
	{ "Tab", "section" },
	{ "Enter", "change" },
	{ "a", "add" },
	{ "e", "edit" },
	{ "t", "test" },
	{ "d", "delete" },
	{ "?", "help" },
	{ "q", "back" },
	{ NULL, NULL }
};

/* ---- helpers ---- */

static char **
set_str(struct conf *c, const struct set_field *f)
{
	return (char **)(void *)((char *)c + f->off);
}

static int *
set_int(struct conf *c, const struct set_field *f)
{
	return (int *)(void *)((char *)c + f->off);
}

static double *
set_double(struct conf *c, const struct set_field *f)
{
	return (double *)(void *)((char *)c + f->off);
}

/* The fields of section SEC and their number; NULL for a list section. */
static const struct set_field *
settings_fields(enum set_section sec, int *n)
{
	switch (sec) {
	case SET_DEFAULTS:
		*n = (int)nitems(set_defaults);
		return set_defaults;
	case SET_NOTIFY:
		*n = (int)nitems(set_notify);
		return set_notify;
	case SET_HISTORY:
		*n = (int)nitems(set_history);
		return set_history;
	default:
		*n = 0;
		return NULL;
	}
}

/* The rows of section SEC. */
static int
settings_rows(struct view *v, enum set_section sec)
{
	int	n;

	switch (sec) {
	case SET_CONNS:
		return v->ui->conf->nconns;
	case SET_SCHEDULES:
		return v->ui->conf->nschedules;
	default:
		settings_fields(sec, &n);
		return n;
	}
}

/* The selected field, NULL in a list section. */
static const struct set_field *
settings_field(struct view *v)
{
	struct settings		*s = v->priv;
	const struct set_field	*f;
	int			 n;

	if ((f = settings_fields(s->sec, &n)) == NULL || s->cur[s->sec] >= n)
		return NULL;
	return &f[s->cur[s->sec]];
}

/* The selected connection, NULL when there is none. */
static const struct conn_conf *
settings_conn(struct view *v)
{
	struct settings	*s = v->priv;
	struct conf	*c = v->ui->conf;

	if (c->nconns == 0)
		return NULL;
	if (s->cur[SET_CONNS] >= c->nconns)
		s->cur[SET_CONNS] = c->nconns - 1;
	return &c->conns[s->cur[SET_CONNS]];
}

/* Keep every cursor within its section (the lists shrink on reload). */
static void
settings_clamp(struct view *v)
{
	struct settings	*s = v->priv;
	int		 i, n;

	for (i = 0; i < SET__COUNT; i++) {
		n = settings_rows(v, (enum set_section)i);
		if (s->cur[i] >= n)
			s->cur[i] = n > 0 ? n - 1 : 0;
		if (s->cur[i] < 0)
			s->cur[i] = 0;
	}
}

/* Select connection NAME when it exists. */
static void
settings_select_conn(struct view *v, const char *name)
{
	struct settings	*s = v->priv;
	struct conf	*c = v->ui->conf;
	int		 i;

	for (i = 0; i < c->nconns; i++) {
		if (strcmp(c->conns[i].name, name) == 0) {
			s->cur[SET_CONNS] = i;
			return;
		}
	}
}

/* S without white space at either end, in place; returns S. */
static char *
settings_trim(char *s)
{
	size_t	len;

	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	len = strspn(s, " \t");
	if (len > 0)
		memmove(s, s + len, strlen(s + len) + 1);
	return s;
}

/* S with every run of white space made one space, trimmed; caller frees. */
static char *
settings_flatten(const char *s)
{
	struct strbuf	sb = STRBUF_INIT;
	int		space = 0;

	for (; s != NULL && *s != '\0'; s++) {
		if (isspace((unsigned char)*s)) {
			space = sb.len > 0;
			continue;
		}
		if (space)
			sb_addch(&sb, ' ');
		space = 0;
		sb_addch(&sb, *s);
	}
	return sb_detach(&sb);
}

/*
 * DSN (of connection type TYPE) as it may be shown: any password in it (a
 * password=, passwd= or pwd= setting, "user:PASSWORD@" in a URI, a password
 * parameter of a URI) replaced by "****", and so is every occurrence of
 * PASSWORD (the connection's password setting, may be NULL): more is
 * masked rather than less.  The caller frees.
 */
static char *
settings_mask(const char *type, const char *dsn, const char *password)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*masked, *p, *hit;
	size_t		 len;

	masked = dsn_mask(type, dsn);
	if (password == NULL || *password == '\0')
		return masked;
	len = strlen(password);
	for (p = masked; (hit = strstr(p, password)) != NULL; p = hit + len) {
		sb_add(&sb, p, (size_t)(hit - p));
		sb_addstr(&sb, SET_MASK);
	}
	sb_addstr(&sb, p);
	free(masked);
	return sb_detach(&sb);
}

/*
 * 1 when DSN (of connection type TYPE) holds a password, even an empty one
 * or one that reads "****": masking a copy with every '*' replaced must
 * change it.
 */
static int
settings_dsn_has_password(const char *type, const char *dsn)
{
	char	*copy, *masked, *p;
	int	 has;

	copy = xstrdup(dsn);
	for (p = copy; *p != '\0'; p++) {
		if (*p == '*')
			*p = '-';
	}
	masked = dsn_mask(type, copy);
	has = strcmp(masked, copy) != 0;
	free(masked);
	free(copy);
	return has;
}

/* The display columns of the UTF-8 character at S (LEN bytes). */
static int
settings_char_width(const char *s, size_t len)
{
	char	buf[8];

	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return ui_text_width(buf);
}

/*
 * Draw TEXT from (Y, X) in lines of at most W columns, broken at a space
 * where the line has one, on at most MAXLINES lines (the last one cut with
 * the clipping mark when more is left).  With DRAW 0 nothing is drawn and
 * MAXLINES is ignored.  Returns the lines drawn, or needed (DRAW 0).
 */
static int
settings_wrap(int y, int x, int w, int maxlines, enum ui_color role,
    const char *text, int draw)
{
	const char	*p = text, *q, *end, *brk;
	char		*line;
	int		 n = 0, used;

	if (w <= 0 || text == NULL)
		return 0;
	while (*p != '\0') {
		if (draw && n >= maxlines)
			break;
		if (draw && n == maxlines - 1) {
			ui_draw_text(y + n, x, w, role, p, 1);
			return n + 1;
		}
		/* The longest start that fits, and its last space. */
		used = 0;
		brk = NULL;
		for (q = p; *q != '\0'; q = end) {
			end = q + 1;
			while (((unsigned char)*end & 0xc0) == 0x80)
				end++;
			used += settings_char_width(q, (size_t)(end - q));
			if (*q == ' ')
				brk = q;
			if (used > w)
				break;
		}
		if (*q != '\0' && brk != NULL && brk > p)
			q = brk;
		if (q == p) {
			/* A character wider than the line: it goes alone. */
			for (q = p + 1; ((unsigned char)*q & 0xc0) == 0x80;
			    q++)
				continue;
		}
		if (draw) {
			line = xstrndup(p, (size_t)(q - p));
			ui_draw_text(y + n, x, w, role, line, 1);
			free(line);
		}
		n++;
		for (p = q; *p == ' '; p++)
			continue;
	}
	return n;
}

static void
settings_keep_visible(int cur, int *top, int lines)
{
	if (cur < *top)
		*top = cur;
	if (cur >= *top + lines)
		*top = cur - lines + 1;
	if (*top < 0)
		*top = 0;
}

/* ---- saving ---- */

/*
 * The configuration as its file holds it now, for a change; NULL (with the
 * error on the status line) when the file cannot be read.  The caller
 * frees it with conf_free, or hands it to settings_commit.
 */
static struct conf *
settings_begin(struct view *v)
{
	struct conf	*c;
	struct ps_error	 err;

	ps_error_clear(&err);
	if (conf_load(v->ui->conf_path, &c, &err) != 0) {
		ui_status(v->ui, UI_C_ERROR, "Nothing changed: %s", err.msg);
		return NULL;
	}
	return c;
}

/*
 * Write C (taken over and freed) to the configuration file, then reload
 * the UI's copy from it.  On success the status line says "Saved: " and
 * FMT; on failure it shows the error, and the UI's copy stays (reloaded)
 * what the file holds.  Returns 0 or -1.
 */
static int PS_PRINTF(3, 4)
settings_commit(struct view *v, struct conf *c, const char *fmt, ...)
{
	struct ui	*ui = v->ui;
	struct ps_error	 err, err2;
	va_list		 ap;
	char		*what;
	int		 rc = -1;

	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	ps_error_clear(&err);
	ps_error_clear(&err2);
	if (conf_save(c, &err) != 0) {
		(void)ui_reload_conf(ui, &err2);
		ui_status(ui, UI_C_ERROR, "Not saved: %s", err.msg);
		goto out;
	}
	if (ui_reload_conf(ui, &err) != 0) {
		ui_status(ui, UI_C_ERROR, "Saved, but reading the file back "
		    "failed: %s", err.msg);
		goto out;
	}
	ui_status(ui, UI_C_OK, "Saved: %s", what);
	/* Who changed what (SPEC section 2). */
	if (history_settings_log(ui->hist, what, &err) != 0)
		ui_status(ui, UI_C_WARN, "Saved: %s (the history did not "
		    "record it: %s)", what, err.msg);
	settings_load_changes(v);
	rc = 0;
out:
	settings_clamp(v);
	conf_free(c);
	free(what);
	return rc;
}

/* ---- connections ---- */

/* Forget the last test of NAME (its settings changed). */
static void
settings_health_reset(struct ui *ui, const char *name)
{
	struct ui_health	*h = ui_health_get(ui, name);

	h->state = 0;
	h->latency_ms = 0;
	h->when = 0;
	free(h->text);
	h->text = NULL;
}

/* Ask the engine thread to test connection NAME. */
static void
settings_conn_test(struct view *v, const char *name)
{
	struct settings	*s = v->priv;
	struct msg	*m;

	ui_health_get(v->ui, name)->state = 1;
	m = msg_new(MSG_CMD_CONN_TEST);
	m->name = xstrdup(name);
	s->tests = xreallocarray(s->tests, (size_t)s->ntests + 1,
	    sizeof *s->tests);
	s->tests[s->ntests++] = ui_send(v->ui, m);
}

static void
settings_conn_test_all(struct view *v)
{
	struct conf	*c = v->ui->conf;
	int		 i;

	for (i = 0; i < c->nconns; i++)
		settings_conn_test(v, c->conns[i].name);
	if (c->nconns == 0)
		ui_status(v->ui, UI_C_NORMAL, "No connections to test");
	else
		ui_status(v->ui, UI_C_NORMAL, "Testing %d connection%s%s",
		    c->nconns, c->nconns == 1 ? "" : "s", v->ui->live.running ?
		    " once the running job ends" : "");
}

/* A DSN typed here that holds a password is refused with this. */
static void
settings_refuse_password(struct view *v, const char *name)
{
	ui_status(v->ui, UI_C_ERROR, "connection '%s': the DSN holds a "
	    "password; use password_env instead", name);
}

/* The DSN prompt for a connection of canonical type TYPE. */
static const char *
settings_dsn_prompt(const char *type)
{
	if (strcmp(type, "sqlite") == 0)
		return "SQLite file (a path): ";
	if (strcmp(type, "mysql") == 0)
		return "DSN (mysql://user@host:3306/db or host=.. user=..): ";
	return "DSN (host=.. dbname=.. user=.. or postgresql://..): ";
}

/*
 * Ask for the password environment variable of a connection of canonical
 * TYPE, starting from INITIAL.  Returns 0 with *OUT the name (NULL: none;
 * the caller frees), or -1 when cancelled.
 */
static int
settings_ask_penv(struct view *v, const char *type, const char *initial,
    char **out)
{
	char	*line, *t;

	*out = NULL;
	if (strcmp(type, "sqlite") == 0)
		return 0;
	line = ui_prompt(v->ui, "Password environment variable (empty: "
	    "none): ", initial);
	if (line == NULL)
		return -1;
	t = settings_flatten(line);
	free(line);
	if (*t == '\0') {
		free(t);
		return 0;
	}
	*out = t;
	return 0;
}

static void
settings_conn_add(struct view *v)
{
	struct ui	*ui = v->ui;
	struct conf	*c = NULL;
	struct ps_error	 err;
	const char	*canon;
	char		*name = NULL, *type = NULL, *dsn = NULL;
	char		*penv = NULL;

	if ((name = ui_prompt(ui, "New connection name: ", NULL)) == NULL)
		goto out;
	if (*settings_trim(name) == '\0') {
		ui_status(ui, UI_C_ERROR, "a connection needs a name without "
		    "control characters");
		goto out;
	}
	if (conf_conn_find(ui->conf, name) != NULL) {
		ui_status(ui, UI_C_ERROR, "connection '%s' already exists",
		    name);
		goto out;
	}
	if ((type = ui_prompt(ui, "Type (postgresql, mysql or sqlite): ",
	    NULL)) == NULL)
		goto out;
	if ((canon = conn_type_canonical(settings_trim(type))) == NULL) {
		ui_status(ui, UI_C_ERROR, "unknown connection type '%s' "
		    "(expected postgresql, mysql or sqlite)", type);
		goto out;
	}
	if ((dsn = ui_prompt(ui, settings_dsn_prompt(canon), NULL)) == NULL)
		goto out;
	if (*settings_trim(dsn) == '\0') {
		ui_status(ui, UI_C_ERROR, "connection '%s': the DSN is empty",
		    name);
		goto out;
	}
	if (settings_dsn_has_password(canon, dsn)) {
		settings_refuse_password(v, name);
		goto out;
	}
	if (settings_ask_penv(v, canon, NULL, &penv) != 0)
		goto out;

	if ((c = settings_begin(v)) == NULL)
		goto out;
	ps_error_clear(&err);
	if (conf_conn_add(c, name, type, dsn, penv, &err) != 0) {
		ui_status(ui, UI_C_ERROR, "%s", err.msg);
		goto out;
	}
	if (settings_commit(v, c, "connection '%s' added", name) == 0) {
		settings_select_conn(v, name);
		settings_health_reset(ui, name);
		settings_conn_test(v, name);
	}
	c = NULL;
out:
	conf_free(c);
	free(name);
	free(type);
	free(dsn);
	free(penv);
}

/*
 * Edit the type, the DSN and the password variable of the selected
 * connection.  The DSN is offered with any password masked: kept as
 * offered, the stored DSN stays as it is; changed, it must hold no
 * password.
 */
static void
settings_conn_edit(struct view *v)
{
	struct ui		*ui = v->ui;
	const struct conn_conf	*cc;
	struct conf		*c = NULL, *check = NULL;
	struct conn_conf	*dst, *src;
	struct ps_error		 err;
	const char		*canon;
	char			*name = NULL, *type = NULL, *masked = NULL;
	char			*dsn = NULL, *penv = NULL, *old_dsn = NULL;
	char			*old_penv = NULL, *old_type = NULL;
	char			*prompt = NULL;
	int			 i, same;

	if ((cc = settings_conn(v)) == NULL) {
		ui_status(ui, UI_C_NORMAL, "No connection to edit: a adds "
		    "one");
		return;
	}
	/* Copies: the UI's configuration may be reloaded meanwhile. */
	name = xstrdup(cc->name);
	old_type = xstrdup(cc->type);
	old_dsn = xstrdup(cc->dsn);
	old_penv = xstrdup(cc->password_env);
	masked = settings_mask(cc->type, cc->dsn, cc->password);

	xasprintf(&prompt, "Type of '%s' (postgresql, mysql or sqlite): ",
	    name);
	if ((type = ui_prompt(ui, prompt, old_type)) == NULL)
		goto out;
	if ((canon = conn_type_canonical(settings_trim(type))) == NULL) {
		ui_status(ui, UI_C_ERROR, "unknown connection type '%s' "
		    "(expected postgresql, mysql or sqlite)", type);
		goto out;
	}
	if ((dsn = ui_prompt(ui, settings_dsn_prompt(canon), masked)) == NULL)
		goto out;
	if (strcmp(settings_trim(dsn), masked) == 0) {
		/* Not changed: keep what the file holds. */
		free(dsn);
		dsn = xstrdup(old_dsn);
	} else if (*dsn != '\0' && settings_dsn_has_password(canon, dsn)) {
		settings_refuse_password(v, name);
		goto out;
	}
	if (settings_ask_penv(v, canon, old_penv, &penv) != 0)
		goto out;

	/* The checks of conf_conn_add, on a scratch configuration. */
	check = xcalloc(1, sizeof *check);
	ps_error_clear(&err);
	if (conf_conn_add(check, name, type, dsn, penv, &err) != 0) {
		ui_status(ui, UI_C_ERROR, "%s", err.msg);
		goto out;
	}
	src = &check->conns[0];
	same = strcmp(src->type, old_type) == 0 &&
	    strcmp(src->dsn, old_dsn) == 0 &&
	    (src->password_env == NULL) == (old_penv == NULL) &&
	    (old_penv == NULL || strcmp(src->password_env, old_penv) == 0);
	if (same) {
		ui_status(ui, UI_C_NORMAL, "Connection '%s' unchanged", name);
		goto out;
	}

	if ((c = settings_begin(v)) == NULL)
		goto out;
	dst = NULL;
	for (i = 0; i < c->nconns; i++) {
		if (strcmp(c->conns[i].name, name) == 0)
			dst = &c->conns[i];
	}
	if (dst == NULL) {
		ui_status(ui, UI_C_ERROR, "unknown connection '%s' (removed "
		    "meanwhile)", name);
		goto out;
	}
	/* Take the checked values over; a password setting stays. */
	free(dst->type);
	free(dst->dsn);
	free(dst->password_env);
	dst->type = src->type;
	dst->dsn = src->dsn;
	dst->password_env = src->password_env;
	src->type = src->dsn = src->password_env = NULL;
	if (settings_commit(v, c, "connection '%s' changed", name) == 0) {
		settings_select_conn(v, name);
		settings_health_reset(ui, name);
		settings_conn_test(v, name);
	}
	c = NULL;
out:
	conf_free(check);
	conf_free(c);
	free(prompt);
	free(name);
	free(type);
	free(masked);
	free(dsn);
	free(penv);
	free(old_dsn);
	free(old_penv);
	free(old_type);
}

static void
settings_conn_delete(struct view *v)
{
	struct ui		*ui = v->ui;
	const struct conn_conf	*cc;
	struct conf		*c = NULL;
	struct ps_error		 err;
	char			*name;

	if ((cc = settings_conn(v)) == NULL) {
		ui_status(ui, UI_C_NORMAL, "No connection to delete");
		return;
	}
	name = xstrdup(cc->name);
	if (!ui_confirm(ui, "Delete connection '%s' from the configuration?",
	    name))
		goto out;
	if ((c = settings_begin(v)) == NULL)
		goto out;
	ps_error_clear(&err);
	if (conf_conn_remove(c, name, &err) != 0) {
		ui_status(ui, UI_C_ERROR, "%s", err.msg);
		goto out;
	}
	if (settings_commit(v, c, "connection '%s' deleted", name) == 0)
		settings_health_reset(ui, name);
	c = NULL;
out:
	conf_free(c);
	free(name);
}

/* ---- defaults, notifications, history ---- */

/* Parse S as a decimal number of seconds ("1.5", "2,5") in [MIN, MAX]. */
static int
settings_parse_seconds(const char *s, double min, double max, double *out)
{
	double	mant = 0, scale = 1, v;
	int	digits = 0;

	for (; isdigit((unsigned char)*s); s++, digits++)
		mant = mant * 10 + (*s - '0');
	if (*s == '.' || *s == ',') {
		for (s++; isdigit((unsigned char)*s); s++, digits++) {
			mant = mant * 10 + (*s - '0');
			scale *= 10;
		}
	}
	if (digits == 0 || digits > 15 || *s != '\0')
		return -1;
	v = mant / scale;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The value of F in C as shown, into BUF. */
static const char *
settings_value(struct conf *c, const struct set_field *f, char *buf,
    size_t len)
{
	char	num[64];

	switch (f->kind) {
	case SET_K_CHOICE:
		snprintf(buf, len, "%s", *set_str(c, f));
		break;
	case SET_K_BOOL:
		snprintf(buf, len, "%s", *set_int(c, f) ? "on" : "off");
		break;
	case SET_K_INT:
		snprintf(buf, len, "%d %s", *set_int(c, f), f->unit);
		break;
	case SET_K_SECONDS:
		snprintf(buf, len, "%s %s", util_fmt_double(*set_double(c, f),
		    num, sizeof num), f->unit);
		break;
	case SET_K_TEXT:
		snprintf(buf, len, "\"%s\"", *set_str(c, f) != NULL ?
		    *set_str(c, f) : "");
		break;
	}
	return buf;
}

/* The message for a number that is not one F takes. */
static void
settings_bad_number(struct view *v, const struct set_field *f,
    const char *typed)
{
	if (f->kind == SET_K_SECONDS)
		ui_status(v->ui, UI_C_ERROR, "%s must be a number of seconds "
		    "from %lld to %lld, not '%.60s'", f->label, f->min, f->max,
		    typed);
	else if (f->max >= INT_MAX)
		ui_status(v->ui, UI_C_ERROR, "%s must be a positive integer, "
		    "not '%.60s'", f->label, typed);
	else
		ui_status(v->ui, UI_C_ERROR, "%s must be a whole number from "
		    "%lld to %lld, not '%.60s'", f->label, f->min, f->max,
		    typed);
}

/*
 * Change setting F: DIR 1 or -1 steps a choice that way, and flips a
 * switch; 0 (Enter) steps a choice forward, flips a switch, or asks for a
 * number or a line of text.
 */
static void
settings_field_change(struct view *v, const struct set_field *f, int dir)
{
	struct ui	*ui = v->ui;
	struct conf	*c = NULL;
	char		*line = NULL, *typed = NULL, *prompt = NULL;
	char		 num[64], shown[128];
	long long	 n = 0;
	double		 d = 0;
	char		**sp;
	int		 k, nchoices, changed = 1;

	/* Ask first: the prompt keeps the screen and the events going. */
	if (f->kind == SET_K_INT || f->kind == SET_K_SECONDS ||
	    f->kind == SET_K_TEXT) {
		if (f->kind == SET_K_INT)
			snprintf(num, sizeof num, "%d", *set_int(ui->conf, f));
		else if (f->kind == SET_K_SECONDS)
			util_fmt_double(*set_double(ui->conf, f), num,
			    sizeof num);
		if (f->kind == SET_K_TEXT)
			xasprintf(&prompt, "%s: ", f->label);
		else if (f->max >= INT_MAX)
			xasprintf(&prompt, "%s (%s, %lld or more): ", f->label,
			    f->unit, f->min);
		else
			xasprintf(&prompt, "%s (%s, %lld to %lld): ",
			    f->label, f->unit, f->min, f->max);
		line = ui_prompt(ui, prompt, f->kind == SET_K_TEXT ?
		    *set_str(ui->conf, f) : num);
		if (line == NULL)
			goto out;
		typed = settings_flatten(line);
		if ((f->kind == SET_K_INT && util_parse_int(typed, f->min,
		    f->max, &n) != 0) || (f->kind == SET_K_SECONDS &&
		    settings_parse_seconds(typed, (double)f->min,
		    (double)f->max, &d) != 0)) {
			settings_bad_number(v, f, line);
			goto out;
		}
	}

	if ((c = settings_begin(v)) == NULL)
		goto out;
	switch (f->kind) {
	case SET_K_CHOICE:
		sp = set_str(c, f);
		for (nchoices = 0; f->choices[nchoices] != NULL; nchoices++)
			continue;
		for (k = 0; k < nchoices; k++) {
			if (strcmp(f->choices[k], *sp) == 0)
				break;
		}
		if (k == nchoices)
			k = 0;
		else
			k = (k + (dir < 0 ? nchoices - 1 : 1)) % nchoices;
		free(*sp);
		*sp = xstrdup(f->choices[k]);
		break;
	case SET_K_BOOL:
		*set_int(c, f) = !*set_int(c, f);
		break;
	case SET_K_INT:
		changed = *set_int(c, f) != (int)n;
		*set_int(c, f) = (int)n;
		break;
	case SET_K_SECONDS:
		changed = *set_double(c, f) != d;
		*set_double(c, f) = d;
		break;
	case SET_K_TEXT:
		sp = set_str(c, f);
		changed = *sp == NULL || strcmp(*sp, line) != 0;
		free(*sp);
		*sp = xstrdup(line);
		break;
	}
	if (!changed) {
		ui_status(ui, UI_C_NORMAL, "%s unchanged", f->label);
		goto out;
	}
	settings_value(c, f, shown, sizeof shown);
	settings_commit(v, c, "%s = %s", f->key, shown);
	c = NULL;
out:
	conf_free(c);
	free(prompt);
	free(typed);
	free(line);
}

/* ---- drawing ---- */

/* ---- schedules ---- */

/* The index of the selected schedule in C, or -1. */
static int
settings_sched_index(struct view *v, const struct conf *c, const char *name)
{
	int	i;

	(void)v;
	for (i = 0; i < c->nschedules; i++)
		if (strcmp(c->schedules[i].name, name) == 0)
			return i;
	return -1;
}

static const struct schedule_conf *
settings_sched(struct view *v)
{
	struct settings	*s = v->priv;
	struct conf	*c = v->ui->conf;

	if (c->nschedules == 0)
		return NULL;
	if (s->cur[SET_SCHEDULES] >= c->nschedules)
		s->cur[SET_SCHEDULES] = c->nschedules - 1;
	return &c->schedules[s->cur[SET_SCHEDULES]];
}

/*
 * Ask when a schedule runs, starting from OLD (may be NULL): every, at,
 * then on (weekly) or day (monthly).  Fills SC's every, at, on and day
 * (strings the caller frees) after checking them with sched_rule_parse;
 * -1 when cancelled or refused (said on the status line).
 */
static int
settings_sched_ask_when(struct view *v, const struct schedule_conf *old,
    struct schedule_conf *sc)
{
	struct ui		*ui = v->ui;
	struct sched_rule	 rule;
	struct ps_error		 err;
	char			*every = NULL, *at = NULL, *on = NULL, *day = NULL;
	char			 dbuf[16];
	long long		 d = 0;
	int			 rc = -1;

	if ((every = ui_prompt(ui, "Every (daily, weekly or monthly): ",
	    old != NULL ? old->every : "daily")) == NULL)
		goto out;
	if ((at = ui_prompt(ui, "At (local time, HH:MM): ", old != NULL ?
	    old->at : "02:30")) == NULL)
		goto out;
	if (strcasecmp(settings_trim(every), "weekly") == 0) {
		if ((on = ui_prompt(ui, "On (mon, tue, ... sun): ",
		    old != NULL && old->on != NULL ? old->on : "mon")) == NULL)
			goto out;
	} else if (strcasecmp(settings_trim(every), "monthly") == 0) {
		snprintf(dbuf, sizeof dbuf, "%d", old != NULL && old->day > 0 ?
		    old->day : 1);
		if ((day = ui_prompt(ui, "Day (1-31; 31 = the month's last): ",
		    dbuf)) == NULL)
			goto out;
		if (util_parse_int(settings_trim(day), 1, 31, &d) != 0) {
			ui_status(ui, UI_C_ERROR, "Nothing changed: day '%s' is "
			    "not a whole number from 1 to 31", day);
			goto out;
		}
	}
	ps_error_clear(&err);
	if (sched_rule_parse(settings_trim(every), settings_trim(at),
	    on != NULL ? settings_trim(on) : NULL, (int)d, &rule,
	    &err) != 0) {
		ui_status(ui, UI_C_ERROR, "Nothing changed: %s", err.msg);
		goto out;
	}
	sc->every = xstrdup(sched_every_name(rule.every));
	xasprintf(&sc->at, "%02d:%02d", rule.hour, rule.minute);
	sc->on = on != NULL ? xstrdup(sched_weekday_name(rule.weekday)) :
	    NULL;
	sc->day = (int)d;
	rc = 0;
out:
	free(every);
	free(at);
	free(on);
	free(day);
	return rc;
}

static void
settings_sched_add(struct view *v)
{
	struct settings		*s = v->priv;
	struct ui		*ui = v->ui;
	struct schedule_conf	 sc;
	struct conf		*c = NULL;
	struct ps_error		 err;
	char			*name = NULL, *src = NULL, *dst = NULL;
	char			*strategy = NULL, *direction = NULL;
	const char		*d1, *d2;
	int			 i;

	memset(&sc, 0, sizeof sc);
	if (ui->conf->nconns < 2) {
		ui_status(ui, UI_C_WARN, "A schedule needs two connections");
		return;
	}
	d1 = ui->conf->conns[0].name;
	d2 = ui->conf->conns[1].name;
	if ((name = ui_prompt(ui, "New schedule name: ", NULL)) == NULL ||
	    (src = ui_prompt(ui, "Source connection: ", d1)) == NULL ||
	    (dst = ui_prompt(ui, "Target connection: ", d2)) == NULL)
		goto out;
	if (settings_sched_ask_when(v, NULL, &sc) != 0)
		goto out;
	if ((strategy = ui_prompt(ui, "Strategy (empty: the default): ",
	    NULL)) == NULL || (direction = ui_prompt(ui, "Direction "
	    "(one-way or bidirectional; empty: the default): ", NULL)) == NULL)
		goto out;
	sc.name = settings_trim(name);
	sc.source = settings_trim(src);
	sc.target = settings_trim(dst);
	sc.strategy = *settings_trim(strategy) != '\0' ? strategy : NULL;
	sc.direction = *settings_trim(direction) != '\0' ? direction : NULL;
	sc.enabled = 1;
	if ((c = settings_begin(v)) == NULL)
		goto out;
	ps_error_clear(&err);
	if (conf_schedule_add(c, &sc, &err) != 0) {
		ui_status(ui, UI_C_ERROR, "Nothing changed: %s", err.msg);
		conf_free(c);
		goto out;
	}
	if (settings_commit(v, c, "schedule '%s' added", sc.name) == 0) {
		/* Occurrences before now never run (SPEC section 9). */
		if (history_schedule_seen(ui->hist, sc.name, util_now(),
		    &err) != 0)
			ui_status(ui, UI_C_WARN, "%s", err.msg);
		i = settings_sched_index(v, ui->conf, sc.name);
		if (i >= 0)
			s->cur[SET_SCHEDULES] = i;
	}
out:
	free(name);
	free(src);
	free(dst);
	free(strategy);
	free(direction);
	free(sc.every);
	free(sc.at);
	free(sc.on);
}

/* Change when the selected schedule runs. */
static void
settings_sched_edit(struct view *v)
{
	struct ui			*ui = v->ui;
	const struct schedule_conf	*cur;
	struct schedule_conf		 sc, *t;
	struct conf			*c;
	char				*name;
	int				 i;

	if ((cur = settings_sched(v)) == NULL) {
		ui_status(ui, UI_C_NORMAL, "No schedule: a adds one");
		return;
	}
	memset(&sc, 0, sizeof sc);
	name = xstrdup(cur->name);
	if (settings_sched_ask_when(v, cur, &sc) != 0)
		goto out;
	if ((c = settings_begin(v)) == NULL)
		goto out;
	if ((i = settings_sched_index(v, c, name)) < 0) {
		ui_status(ui, UI_C_ERROR, "Nothing changed: schedule '%s' is "
		    "no longer in the file", name);
		conf_free(c);
		goto out;
	}
	t = &c->schedules[i];
	free(t->every);
	free(t->at);
	free(t->on);
	t->every = sc.every;
	t->at = sc.at;
	t->on = sc.on;
	t->day = sc.day;
	sc.every = sc.at = sc.on = NULL;
	(void)settings_commit(v, c, "schedule '%s' runs %s at %s", name,
	    t->every, t->at);
out:
	free(sc.every);
	free(sc.at);
	free(sc.on);
	free(name);
}

static void
settings_sched_toggle(struct view *v)
{
	struct ui			*ui = v->ui;
	const struct schedule_conf	*cur;
	struct conf			*c;
	char				*name;
	int				 i, on;

	if ((cur = settings_sched(v)) == NULL)
		return;
	if ((c = settings_begin(v)) == NULL)
		return;
	if ((i = settings_sched_index(v, c, cur->name)) < 0) {
		ui_status(ui, UI_C_ERROR, "Nothing changed: schedule '%s' is "
		    "no longer in the file", cur->name);
		conf_free(c);
		return;
	}
	on = c->schedules[i].enabled = !c->schedules[i].enabled;
	name = xstrdup(c->schedules[i].name);
	/* What it missed while disabled does not run now. */
	if (settings_commit(v, c, "schedule '%s' %s", name, on ? "enabled" :
	    "disabled") == 0 && on)
		(void)history_schedule_restart(ui->hist, name, util_now(),
		    NULL);
	free(name);
}

static void
settings_sched_delete(struct view *v)
{
	struct ui			*ui = v->ui;
	const struct schedule_conf	*cur;
	struct conf			*c;
	struct ps_error			 err;
	char				*name;

	if ((cur = settings_sched(v)) == NULL)
		return;
	name = xstrdup(cur->name);
	if (!ui_confirm(ui, "Delete schedule '%s'?", name))
		goto out;
	if ((c = settings_begin(v)) == NULL)
		goto out;
	ps_error_clear(&err);
	if (conf_schedule_remove(c, name, &err) != 0) {
		ui_status(ui, UI_C_ERROR, "Nothing changed: %s", err.msg);
		conf_free(c);
		goto out;
	}
	if (settings_commit(v, c, "schedule '%s' deleted", name) == 0)
		(void)history_schedule_forget(ui->hist, name, NULL);
out:
	free(name);
}

static void
settings_draw_tabs(struct view *v, int y)
{
	struct settings	*s = v->priv;
	int		 i, x = 1;

	for (i = 0; i < SET__COUNT && x < v->w; i++) {
		if (i == (int)s->sec)
			x += ui_draw_fmt(y, x, v->w - x, UI_C_SELECTED, 0,
			    "[%s]", set_section_names[i]);
		else
			x += ui_draw_fmt(y, x, v->w - x, UI_C_NORMAL, 0,
			    " %s ", set_section_names[i]);
		x += ui_draw_text(y, x, v->w - x, UI_C_NORMAL, "  ", 0);
	}
	ui_draw_hline(y + 1, 0, v->w);
}

/* The test column of connection NAME, in *ROLE. */
static const char *
settings_health_cell(struct ui *ui, const char *name, char *buf, size_t len,
    enum ui_color *role)
{
	struct ui_health	*h = ui_health_get(ui, name);

	switch (h->state) {
	case 1:
		*role = UI_C_DIM;
		return "testing...";
	case 2:
		*role = UI_C_OK;
		snprintf(buf, len, "ok %.1f ms", h->latency_ms);
		return buf;
	case 3:
		*role = UI_C_ERROR;
		return "failed";
	default:
		*role = UI_C_DIM;
		return "untested";
	}
}

/* Where connection C's password comes from, in *ROLE. */
static void
settings_password_text(const struct conn_conf *c, struct strbuf *sb,
    enum ui_color *role)
{
	*role = UI_C_NORMAL;
	if (strcmp(c->type, "sqlite") == 0) {
		sb_addstr(sb, "none (SQLite)");
		return;
	}
	if (c->password_env != NULL) {
		if (getenv(c->password_env) != NULL)
			sb_addf(sb, "from $%s (set here)", c->password_env);
		else {
			sb_addf(sb, "from $%s, which is not set here",
			    c->password_env);
			*role = UI_C_WARN;
		}
		return;
	}
	if (c->password != NULL) {
		sb_addstr(sb, "a password setting in the file (hidden); "
		    "password_env keeps it out of the file");
		*role = UI_C_WARN;
	} else if (settings_dsn_has_password(c->type, c->dsn)) {
		sb_addstr(sb, "in the DSN (masked); password_env keeps it "
		    "out of the file");
		*role = UI_C_WARN;
	} else if (strcmp(c->type, "mysql") == 0)
		sb_addstr(sb, "none set: the client's own (~/.my.cnf)");
	else
		sb_addstr(sb, "none set: libpq's own (PGPASSWORD, ~/.pgpass, "
		    "services)");
}

/* The details of the selected connection, in LINES lines from Y. */
static void
settings_draw_conn_detail(struct view *v, int y, int lines)
{
	struct ui		*ui = v->ui;
	const struct conn_conf	*c;
	struct ui_health	*h;
	struct strbuf		 sb = STRBUF_INIT;
	enum ui_color		 role;
	char			*masked, *flat = NULL, when[32];
	int			 x = 12, w = v->w - 13, n, dl, tl;

	if ((c = settings_conn(v)) == NULL || lines < 4)
		return;
	h = ui_health_get(ui, c->name);
	masked = settings_mask(c->type, c->dsn, c->password);

	ui_draw_text(y, 1, 10, UI_C_HEADER, "Name", 1);
	ui_draw_fmt(y, x, w, UI_C_NORMAL, 1, "%s (%s)", c->name, c->type);
	/* The DSN gets two lines when it needs them and the test has one. */
	dl = settings_wrap(0, 0, w, 0, UI_C_NORMAL, masked, 0);
	if (dl > 2)
		dl = 2;
	if (dl < 1)
		dl = 1;
	if (lines - 2 - dl < 1)
		dl = 1;
	ui_draw_text(y + 1, 1, 10, UI_C_HEADER, "DSN", 1);
	settings_wrap(y + 1, x, w, dl, UI_C_NORMAL, masked, 1);
	n = 1 + dl;
	ui_draw_text(y + n, 1, 10, UI_C_HEADER, "Password", 1);
	settings_password_text(c, &sb, &role);
	ui_draw_text(y + n, x, w, role, sb_str(&sb), 1);
	n++;
	tl = lines - n;
	ui_draw_text(y + n, 1, 10, UI_C_HEADER, "Test", 1);
	sb_reset(&sb);
	ui_fmt_time(h->when, when, sizeof when);
	switch (h->state) {
	case 1:
		sb_addstr(&sb, ui->live.running ? "testing, once the running "
		    "job ends..." : "testing...");
		role = UI_C_DIM;
		break;
	case 2:
		sb_addf(&sb, "ok in %.1f ms, %s (at %s)", h->latency_ms,
		    h->text != NULL ? h->text : "unknown version", when);
		role = UI_C_OK;
		break;
	case 3:
		flat = settings_flatten(h->text != NULL ? h->text : "");
		sb_addf(&sb, "failed at %s: %s", when, flat);
		role = UI_C_ERROR;
		break;
	default:
		sb_addstr(&sb, "not tested yet: t tests it");
		role = UI_C_DIM;
		break;
	}
	settings_wrap(y + n, x, w, tl, role, sb_str(&sb), 1);
	sb_free(&sb);
	free(flat);
	free(masked);
}

static void
settings_draw_conns(struct view *v, int y, int h)
{
	struct settings		*s = v->priv;
	struct ui		*ui = v->ui;
	const struct conn_conf	*c;
	enum ui_color		 role, hrole;
	const char		*cell;
	char			*masked, buf[64];
	int			 i, row, list, detail, nw = 8, dw, sel, x;

	/* The list takes the lines it needs, the details the rest (4+). */
	list = ui->conf->nconns > 0 ? ui->conf->nconns : 1;
	if (list > h - 2 - 5)
		list = h - 2 - 5;
	if (list < 1)
		list = 1;
	detail = h - 2 - list;
	for (i = 0; i < ui->conf->nconns; i++) {
		if (ui_text_width(ui->conf->conns[i].name) > nw)
			nw = ui_text_width(ui->conf->conns[i].name);
	}
	if (nw > 20)
		nw = 20;
	dw = v->w - (2 + nw + 1 + 11 + 13);
	ui_draw_fmt(y, 0, v->w, UI_C_DIM, 1, "  %-*s %-10s %-*s %s", nw,
	    "name", "type", dw - 1, "DSN (passwords masked)", "test");
	if (ui->conf->nconns == 0) {
		ui_draw_text(y + 1, 2, v->w - 2, UI_C_DIM, "No connections: "
		    "a adds one (or run 'projsync demo').", 1);
		return;
	}
	settings_keep_visible(s->cur[SET_CONNS], &s->top[SET_CONNS], list);
	for (row = 0; row < list; row++) {
		i = s->top[SET_CONNS] + row;
		if (i >= ui->conf->nconns)
			break;
		c = &ui->conf->conns[i];
		sel = i == s->cur[SET_CONNS];
		role = sel ? UI_C_SELECTED : UI_C_NORMAL;
		ui_draw_blank(y + 1 + row, 0, v->w, role);
		x = ui_draw_text(y + 1 + row, 0, 2, role, sel ? ">" : "", 1);
		x += ui_draw_text(y + 1 + row, x, nw + 1, role, c->name, 1);
		x += ui_draw_text(y + 1 + row, x, 11, role, c->type, 1);
		masked = settings_mask(c->type, c->dsn, c->password);
		ui_draw_text(y + 1 + row, x, dw - 1, role, masked, 1);
		x += dw;
		free(masked);
		cell = settings_health_cell(ui, c->name, buf, sizeof buf,
		    &hrole);
		ui_draw_text(y + 1 + row, x, v->w - x, sel ? role : hrole,
		    cell, 1);
	}
	ui_draw_hline(y + 1 + list, 0, v->w);
	settings_draw_conn_detail(v, y + 2 + list, detail);
}

/* A schedule's "on"/"day" column. */
static const char *
settings_sched_when(const struct schedule_conf *sc, char *buf, size_t len)
{
	if (sc->on != NULL)
		snprintf(buf, len, "%s", sc->on);
	else if (sc->day > 0)
		snprintf(buf, len, "day %d", sc->day);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* The options of schedule SC, for its details (D: the defaults). */
static void
settings_sched_options(const struct schedule_conf *sc,
    const struct defaults_conf *d, struct strbuf *sb)
{
	char	**p;

	sb_addf(sb, "%s%s, strategy %s%s", sc->direction != NULL ?
	    sc->direction : d->direction, sc->direction != NULL ? "" :
	    " (default)", sc->strategy != NULL ? sc->strategy :
	    d->strategy, sc->strategy != NULL ? "" : " (default)");
	sb_addstr(sb, "; tables ");
	if (sc->tables == NULL)
		sb_addstr(sb, "all");
	for (p = sc->tables; p != NULL && *p != NULL; p++)
		sb_addf(sb, "%s%s", p == sc->tables ? "" : ", ", *p);
	for (p = sc->exclude; p != NULL && *p != NULL; p++)
		sb_addf(sb, "%s%s", p == sc->exclude ? " except " : ", ", *p);
	if (sc->timestamp_column != NULL)
		sb_addf(sb, "; timestamp column %s", sc->timestamp_column);
	if (sc->batch_size > 0)
		sb_addf(sb, "; batch size %d", sc->batch_size);
	if (sc->no_schema_check)
		sb_addstr(sb, "; no schema check");
	if (sc->auto_migrate)
		sb_addstr(sb, "; auto-migrate");
	if (sc->single_transaction)
		sb_addstr(sb, "; single transaction");
	if (sc->stop_on_error)
		sb_addstr(sb, "; stop on error");
}


/* The local time of SC's next run, "-" when disabled, "?" when invalid. */
static const char *
settings_next_run(const struct schedule_conf *sc, char *buf, size_t len)
{
	struct sched_rule	rule;
	double			next;

	if (!sc->enabled) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (sched_rule_from_conf(sc, &rule, NULL) != 0 ||
	    !((next = sched_next(&rule, util_now())) > 0)) {
		snprintf(buf, len, "?");
		return buf;
	}
	return ui_fmt_time(next, buf, len);
}

static void
settings_draw_schedules(struct view *v, int y, int h)
{
	struct settings			*s = v->priv;
	struct ui			*ui = v->ui;
	const struct schedule_conf	*sc;
	struct strbuf			 sb = STRBUF_INIT;
	enum ui_color			 role;
	char				 pair[256], when[32];
	int				 i, row, list, pw, sel, x, note;
	static const char		 about[] = "a adds a schedule, e or "
	    "Enter changes when it runs, Space enables or disables it, d "
	    "deletes it (also 'projsync schedule').  'projsync daemon' runs "
	    "them (or cron: 'projsync daemon --once').";
	char			 next[32];

	note = settings_wrap(0, 0, v->w - 2, 0, UI_C_DIM, about, 0);
	list = h - 1 - 1 - 2 - note;	/* header; line, details; note */
	if (list < 1)
		list = 1;
	pw = v->w - (2 + 15 + 9 + 6 + 8 + 4 + (v->w < 100 ? 12 : 17));
	if (pw < 10)
		pw = 10;
	ui_draw_fmt(y, 0, v->w, UI_C_DIM, 1, "  %-14s %-*s %-8s %-5s %-7s "
	    "%-3s %s", "name", pw - 1, "source -> target", "every", "at",
	    "on/day", "on", "next run");
	if (ui->conf->nschedules == 0)
		ui_draw_text(y + 1, 2, v->w - 2, UI_C_DIM, "No schedules.", 1);
	settings_keep_visible(s->cur[SET_SCHEDULES], &s->top[SET_SCHEDULES],
	    list);
	for (row = 0; row < list; row++) {
		i = s->top[SET_SCHEDULES] + row;
		if (i >= ui->conf->nschedules)
			break;
		sc = &ui->conf->schedules[i];
		sel = i == s->cur[SET_SCHEDULES];
		role = sel ? UI_C_SELECTED : UI_C_NORMAL;
		ui_draw_blank(y + 1 + row, 0, v->w, role);
		x = ui_draw_text(y + 1 + row, 0, 2, role, sel ? ">" : "", 1);
		ui_draw_text(y + 1 + row, x, 14, role, sc->name, 1);
		x += 15;
		snprintf(pair, sizeof pair, "%s -> %s", sc->source,
		    sc->target);
		ui_draw_text(y + 1 + row, x, pw - 1, role, pair, 1);
		x += pw;
		x += ui_draw_text(y + 1 + row, x, 9, role, sc->every, 1);
		x += ui_draw_text(y + 1 + row, x, 6, role, sc->at, 1);
		x += ui_draw_text(y + 1 + row, x, 8, role,
		    settings_sched_when(sc, when, sizeof when), 1);
		x += ui_draw_text(y + 1 + row, x, 4, sel ? role : sc->enabled ?
		    UI_C_OK : UI_C_DIM, sc->enabled ? "[x]" : "[ ]", 1);
		settings_next_run(sc, next, sizeof next);
		/* "11-30 03:15" when the screen is narrow. */
		ui_draw_text(y + 1 + row, x, v->w - x, sel ? role : UI_C_DIM,
		    v->w < 100 && strlen(next) > 11 ? next + 5 : next, 1);
	}
	ui_draw_hline(y + 1 + list, 0, v->w);
	if (ui->conf->nschedules > 0) {
		sc = &ui->conf->schedules[s->cur[SET_SCHEDULES]];
		settings_sched_options(sc, &ui->conf->defaults, &sb);
		settings_wrap(y + 2 + list, 2, v->w - 2, 2, UI_C_NORMAL,
		    sb_str(&sb), 1);
	}
	settings_wrap(y + 4 + list, 2, v->w - 2, note, UI_C_DIM, about, 1);
	sb_free(&sb);
}

static void
settings_draw_fields(struct view *v, int y, int h)
{
	struct settings		*s = v->priv;
	const struct set_field	*fields, *f;
	enum ui_color		 role;
	char			 buf[256];
	int			 i, n, x, k, sel, cur;

	fields = settings_fields(s->sec, &n);
	cur = s->cur[s->sec];
	for (i = 0; i < n && i < h; i++) {
		f = &fields[i];
		sel = i == cur;
		role = sel ? UI_C_SELECTED : UI_C_NORMAL;
		ui_draw_blank(y + i, 0, v->w, role);
		ui_draw_text(y + i, 0, 2, role, sel ? ">" : "", 1);
		ui_draw_text(y + i, 2, SET_LABEL_W, role, f->label, 1);
		x = 2 + SET_LABEL_W;
		switch (f->kind) {
		case SET_K_CHOICE:
			/* Every choice, the current one in brackets. */
			for (k = 0; f->choices[k] != NULL && x < v->w; k++) {
				if (strcmp(f->choices[k],
				    *set_str(v->ui->conf, f)) == 0)
					x += ui_draw_fmt(y + i, x, v->w - x,
					    sel ? role : UI_C_HEADER, 0,
					    "[%s]", f->choices[k]);
				else
					x += ui_draw_fmt(y + i, x, v->w - x,
					    sel ? role : UI_C_DIM, 0, " %s ",
					    f->choices[k]);
			}
			break;
		case SET_K_BOOL:
			ui_draw_text(y + i, x, v->w - x, sel ? role :
			    *set_int(v->ui->conf, f) ? UI_C_OK : UI_C_DIM,
			    *set_int(v->ui->conf, f) ? "[x] on" : "[ ] off",
			    1);
			break;
		case SET_K_TEXT:
			if (*set_str(v->ui->conf, f) == NULL ||
			    **set_str(v->ui->conf, f) == '\0') {
				ui_draw_text(y + i, x, v->w - x, sel ? role :
				    UI_C_DIM, "(none)", 1);
				break;
			}
			/* FALLTHROUGH */
		default:
			ui_draw_text(y + i, x, v->w - x, role,
			    settings_value(v->ui->conf, f, buf, sizeof buf),
			    1);
			break;
		}
	}
	if (cur >= n || n + 3 >= h)
		return;
	f = &fields[cur];
	k = settings_wrap(y + n + 1, 2, v->w - 3, h - n - 2, UI_C_NORMAL,
	    f->about, 1);
	if (n + 1 + k < h) {
		switch (f->kind) {
		case SET_K_CHOICE:
			snprintf(buf, sizeof buf, "Enter or Left/Right: "
			    "choose; saved to the file at once.");
			break;
		case SET_K_BOOL:
			snprintf(buf, sizeof buf, "Enter or Left/Right: "
			    "switch on or off; saved to the file at once.");
			break;
		default:
			snprintf(buf, sizeof buf, "Enter: type a new value "
			    "(Esc cancels); saved to the file at once.");
			break;
		}
		ui_draw_text(y + n + 1 + k, 2, v->w - 3, UI_C_DIM, buf, 1);
	}
	if (n + 2 + k < h)
		ui_draw_fmt(y + n + 2 + k, 2, v->w - 3, UI_C_DIM, 1,
		    "In the file: %s", f->key);
}

/* Read the last settings changes from the history into the view. */
static void
settings_load_changes(struct view *v)
{
	struct settings	*s = v->priv;
	struct ps_error	 err;

	settings_rows_free(s->changes, s->nchanges);
	s->changes = NULL;
	s->nchanges = 0;
	s->changes_err[0] = '\0';
	if (history_settings_list(v->ui->hist, SET_CHANGES, &s->changes,
	    &s->nchanges, &err) != 0)
		snprintf(s->changes_err, sizeof s->changes_err, "%s", err.msg);
}

/* The last settings changes recorded in the history, in LINES from Y. */
static void
settings_draw_changes(struct view *v, int y, int lines)
{
	struct settings		*s = v->priv;
	char			 when[32], buf[512];
	int			 i;

	if (lines < 2)
		return;
	ui_draw_text(y, 1, v->w - 1, UI_C_HEADER, "Recent changes (who "
	    "changed what, from the history)", 1);
	if (s->changes_err[0] != '\0') {
		ui_draw_text(y + 1, 2, v->w - 2, UI_C_ERROR, s->changes_err, 1);
		return;
	}
	if (s->nchanges == 0)
		ui_draw_text(y + 1, 2, v->w - 2, UI_C_DIM, "None recorded.", 1);
	for (i = 0; i < s->nchanges && i < lines - 1; i++) {
		snprintf(buf, sizeof buf, "%s  %-10s %s", ui_fmt_time(
		    s->changes[i].time, when, sizeof when),
		    s->changes[i].os_user, s->changes[i].what);
		ui_draw_text(y + 1 + i, 2, v->w - 2, UI_C_NORMAL, buf, 1);
	}
}

static void
settings_draw(struct view *v)
{
	struct settings	*s = v->priv;
	struct ui	*ui = v->ui;
	int		 top = ui_body_top(), h;

	settings_clamp(v);
	settings_draw_tabs(v, top);
	h = v->h - 3;	/* the tabs, their line, the file's line */
	switch (s->sec) {
	case SET_CONNS:
		settings_draw_conns(v, top + 2, h);
		break;
	case SET_SCHEDULES:
		settings_draw_schedules(v, top + 2, h);
		break;
	case SET_HISTORY:
		settings_draw_fields(v, top + 2, 3);
		settings_draw_changes(v, top + 5, h - 3);
		break;
	default:
		settings_draw_fields(v, top + 2, h);
		break;
	}
	ui_draw_fmt(top + v->h - 1, 0, v->w, UI_C_DIM, 1, " File: %s",
	    ui->conf->path != NULL ? ui->conf->path : ui->conf_path);
}

/* ---- keys and events ---- */

static void
settings_section_step(struct view *v, int dir)
{
	struct settings	*s = v->priv;

	s->sec = (enum set_section)((s->sec + SET__COUNT + dir) % SET__COUNT);
}

static enum ui_result
settings_key(struct view *v, int ch, enum ui_req req)
{
	struct settings		*s = v->priv;
	struct ui		*ui = v->ui;
	const struct set_field	*f = settings_field(v);
	const struct conn_conf	*cc;
	struct ps_error		 err;
	int			*cur = &s->cur[s->sec], n, page;

	n = settings_rows(v, s->sec);
	page = v->h > 12 ? v->h - 12 : 1;
	if (ch == KEY_BTAB) {
		settings_section_step(v, -1);
		return UI_HANDLED;
	}
	if (ch == ' ' && s->sec == SET_SCHEDULES) {
		settings_sched_toggle(v);
		return UI_HANDLED;
	}
	switch (req) {
	case REQ_TAB:
		settings_section_step(v, 1);
		return UI_HANDLED;
	case REQ_LEFT:
	case REQ_RIGHT:
		if (f != NULL && (f->kind == SET_K_CHOICE ||
		    f->kind == SET_K_BOOL))
			settings_field_change(v, f, req == REQ_LEFT ? -1 : 1);
		else
			settings_section_step(v, req == REQ_LEFT ? -1 : 1);
		return UI_HANDLED;
	case REQ_UP:
	case REQ_DOWN:
	case REQ_PGUP:
	case REQ_PGDN:
	case REQ_HOME:
	case REQ_END:
		(void)ui_cursor_move(cur, n, page, req);
		return UI_HANDLED;
	case REQ_ENTER:
		if (f != NULL)
			settings_field_change(v, f, 0);
		else if (s->sec == SET_CONNS)
			settings_conn_edit(v);
		else
			settings_sched_edit(v);
		return UI_HANDLED;
	default:
		break;
	}
	if (s->sec == SET_SCHEDULES) {
		switch (ch) {
		case 'a':
			settings_sched_add(v);
			return UI_HANDLED;
		case 'e':
			settings_sched_edit(v);
			return UI_HANDLED;
		case ' ':
			settings_sched_toggle(v);
			return UI_HANDLED;
		case 'd':
			settings_sched_delete(v);
			return UI_HANDLED;
		}
	}
	switch (ch) {
	case 'a':
		s->sec = SET_CONNS;
		settings_conn_add(v);
		return UI_HANDLED;
	case 'r':
		ps_error_clear(&err);
		if (ui_reload_conf(ui, &err) != 0)
			ui_status(ui, UI_C_ERROR, "%s", err.msg);
		else
			ui_status(ui, UI_C_NORMAL, "Read %s again",
			    ui->conf_path);
		settings_load_changes(v);
		settings_clamp(v);
		return UI_HANDLED;
	}
	if (s->sec != SET_CONNS)
		return UI_IGNORED;
	switch (ch) {
	case 'e':
		settings_conn_edit(v);
		return UI_HANDLED;
	case 'd':
		settings_conn_delete(v);
		return UI_HANDLED;
	case 't':
		if ((cc = settings_conn(v)) == NULL) {
			ui_status(ui, UI_C_NORMAL, "No connection to test");
			return UI_HANDLED;
		}
		settings_conn_test(v, cc->name);
		ui_status(ui, UI_C_NORMAL, "Testing '%s'%s", cc->name,
		    ui->live.running ? " once the running job ends" : "...");
		return UI_HANDLED;
	case 'T':
		settings_conn_test_all(v);
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static enum ui_result
settings_on_msg(struct view *v, const struct msg *m)
{
	struct settings	*s = v->priv;
	char		*flat, *named;
	int		 i;

	if (m->type != MSG_EV_CONN_RESULT)
		return UI_IGNORED;
	for (i = 0; i < s->ntests; i++) {
		if (s->tests[i] == m->req_id)
			break;
	}
	if (i == s->ntests)
		return UI_REDRAW;	/* a test asked for elsewhere */
	memmove(&s->tests[i], &s->tests[i + 1],
	    (size_t)(s->ntests - i - 1) * sizeof *s->tests);
	s->ntests--;
	if (m->ok) {
		ui_status(v->ui, UI_C_OK, "%s: ok in %.1f ms, %s", m->name,
		    m->value, m->text != NULL ? m->text : "unknown version");
	} else {
		flat = settings_flatten(m->text != NULL ? m->text : "failed");
		xasprintf(&named, "'%s'", m->name);
		if (strstr(flat, named) != NULL)
			ui_status(v->ui, UI_C_ERROR, "%s", flat);
		else
			ui_status(v->ui, UI_C_ERROR, "%s: %s", m->name, flat);
		free(named);
		free(flat);
	}
	return UI_REDRAW;
}

static int
settings_open(struct view *v, const void *arg)
{
	(void)arg;
	settings_clamp(v);
	settings_load_changes(v);
	return 0;
}

static void
settings_close(struct view *v)
{
	struct settings	*s = v->priv;

	free(s->tests);
	settings_rows_free(s->changes, s->nchanges);
}

static void
settings_reload(struct view *v)
{
	settings_clamp(v);
	settings_load_changes(v);
}

const struct view_ops ui_settings_ops = {
	.name = "Settings",
	.priv_size = sizeof (struct settings),
	.footer = settings_footer,
	.open = settings_open,
	.close = settings_close,
	.draw = settings_draw,
	.key = settings_key,
	.on_msg = settings_on_msg,
	.reload = settings_reload,
	.help = "Connections, sync defaults, schedules, notifications and "
	    "history retention, saved to the configuration file at once.  "
	    "Tab and Shift-Tab move between the sections (so do Left and "
	    "Right, except on a choice or a switch, which they change); Up "
	    "and Down move within one.  Connections: a adds one (name, "
	    "type, DSN, password environment variable), e or Enter edits "
	    "the selected one, t tests it (T tests them all), d deletes it.  "
	    "Passwords are never typed or shown here: a DSN shows with its "
	    "password masked, and password_env names the environment "
	    "variable that holds the password.  Defaults, Notifications, "
	    "History: Enter changes the selected setting (a choice steps, a "
	    "switch flips, a number or text is typed; Esc cancels).  "
	    "Schedules: a adds one (name, source, target, when, strategy, "
	    "direction), e or Enter changes when it runs, Space enables or "
	    "disables it, d deletes it; each shows its next run (also "
	    "'projsync schedule').  r reads the configuration file again.",
};
