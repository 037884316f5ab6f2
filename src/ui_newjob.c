/*
 * projsync - ui_newjob.c: the New job form: source and target among the
 * configured connections, direction, strategy, schema validation,
 * auto-migrate, tables, batch size and dry run, starting from the
 * configuration's defaults; Start hands the job to the engine thread and
 * replaces the form with the Job detail of the live job.
 */
#include "projsync/common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "projsync/util.h"
#include "ui_int.h"

#define NJ_LABEL_W	16	/* the label column */
#define NJ_VALUE_X	19	/* where values start */
#define NJ_BATCH_MAX	1000000

enum nj_field {
	NJ_SOURCE,
	NJ_TARGET,
	NJ_DIRECTION,
	NJ_STRATEGY,
	NJ_SCHEMA,
	NJ_MIGRATE,
	NJ_TABLES,
	NJ_BATCH,
	NJ_DRY_RUN,
	NJ_START,
	NJ__COUNT
};

struct newjob {
	enum nj_field	 field;		/* the cursor */
	int		 source;	/* index in conf->conns, -1: none */
	int		 target;
	int		 bidirectional;
	int		 strategy;	/* index in nj_strategies */
	int		 schema_check;
	int		 auto_migrate;
	char		*tables;	/* "a, b"; "" means every table */
	int		 batch_size;
	int		 dry_run;
};

static const char *const nj_labels[NJ__COUNT] = {
	"Source", "Target", "Direction", "Strategy", "Schema check",
	"Auto-migrate", "Tables", "Batch size", "Dry run", ""
};

static const char *const nj_strategies[] = {
	"manual", "source-wins", "target-wins", "newer-wins", "ignore"
};

static const char *const nj_directions[] = { "one-way", "bidirectional" };

static const struct footer_key newjob_footer[] = {
	{ "Up/Down", "field" },
	{ "Left/Right", "change" },
	{ "Enter", "change" },
	{ "s", "start" },
	{ "?", "help" },
	{ "q", "back" },
	{ NULL, NULL }
};

/* Keep the connection choices within the configuration (it may change). */
static void
newjob_clamp(struct view *v)
{
	struct newjob	*nj = v->priv;
	int		 n = v->ui->conf->nconns;

	if (n == 0) {
		nj->source = nj->target = -1;
		return;
	}
	if (nj->source < 0 || nj->source >= n)
		nj->source = 0;
	if (nj->target < 0 || nj->target >= n)
		nj->target = n > 1 && nj->source == 0 ? 1 : 0;
}

static int
newjob_open(struct view *v, const void *arg)
{
	struct newjob			*nj = v->priv;
	const struct defaults_conf	*d = &v->ui->conf->defaults;
	size_t				 i;

	(void)arg;
	nj->field = NJ_SOURCE;
	nj->source = 0;
	nj->target = 1;
	newjob_clamp(v);
	nj->bidirectional = d->direction != NULL &&
	    strcmp(d->direction, "bidirectional") == 0;
	nj->strategy = 0;
	for (i = 0; i < nitems(nj_strategies); i++) {
		if (d->strategy != NULL &&
		    strcmp(d->strategy, nj_strategies[i]) == 0)
			nj->strategy = (int)i;
	}
	nj->schema_check = d->schema_validation != 0;
	nj->auto_migrate = d->auto_migrate != 0;
	nj->tables = xstrdup("");
	nj->batch_size = d->batch_size > 0 && d->batch_size <= NJ_BATCH_MAX ?
	    d->batch_size : 1000;
	nj->dry_run = 0;
	return 0;
}

static void
newjob_close(struct view *v)
{
	struct newjob	*nj = v->priv;

	free(nj->tables);
}

static void
newjob_reload(struct view *v)
{
	newjob_clamp(v);
}

/* The name of connection I, or NULL. */
static const char *
newjob_conn_name(struct view *v, int i)
{
	if (i < 0 || i >= v->ui->conf->nconns)
		return NULL;
	return v->ui->conf->conns[i].name;
}

/* What the selected field (or strategy) means, in one line. */
static const char *
newjob_hint(struct view *v)
{
	struct newjob	*nj = v->priv;

	switch (nj->field) {
	case NJ_SOURCE:
		return "The connection changes are read from (one-way never "
		    "writes it).";
	case NJ_TARGET:
		return "The connection changes are written to.";
	case NJ_DIRECTION:
		return nj->bidirectional ? "Bidirectional: changes on either "
		    "side are copied to the other." : "One-way: the source "
		    "is copied to the target; the source is never written.";
	case NJ_STRATEGY:
		switch (nj->strategy) {
		case 1:
			return "source-wins: the source version (row or "
			    "absence) is written where it differs.";
		case 2:
			return nj->bidirectional ? "target-wins: the target "
			    "version is kept and written to the source." :
			    "target-wins: the target version is kept; "
			    "nothing is written.";
		case 3:
			return "newer-wins: the row with the later timestamp "
			    "wins; a tie or a NULL stays pending.";
		case 4:
			return "ignore: nothing is written; conflicts are "
			    "recorded as ignored.";
		default:
			return "manual: nothing is written; conflicts wait "
			    "as pending for review.";
		}
	case NJ_SCHEMA:
		return "Compare the tables first; tables with major "
		    "differences are skipped.";
	case NJ_MIGRATE:
		return "Apply minor schema differences (missing tables and "
		    "columns) to the target.";
	case NJ_TABLES:
		return "Enter: the tables to sync, comma-separated; empty "
		    "means every table.";
	case NJ_BATCH:
		return "Enter: rows written per transaction, from 1 to "
		    "1000000.";
	case NJ_DRY_RUN:
		return "Compare and count only: nothing is written, no "
		    "conflict is recorded.";
	default:
		return "Enter or s: start the job and follow it.";
	}
}

/* A row of choices, the chosen one in brackets; returns the columns used. */
static int
newjob_draw_choices(int y, int x, int w, const char *const *names, int n,
    int chosen, int selected)
{
	int	i, used = 0;
	char	buf[64];

	for (i = 0; i < n && used < w; i++) {
		snprintf(buf, sizeof buf, i == chosen ? "[%s]" : " %s ",
		    names[i]);
		used += ui_draw_text(y, x + used, w - used, i == chosen ?
		    (selected ? UI_C_SELECTED : UI_C_HEADER) : (selected ?
		    UI_C_SELECTED : UI_C_DIM), buf, 0);
	}
	return used;
}

/* A connection choice: "< name >" and its type and masked DSN. */
static void
newjob_draw_conn(struct view *v, int y, int x, int w, int i, int selected,
    int same)
{
	const struct conn_conf	*c;
	char			*mask, *s;
	int			 used;
	enum ui_color		 role = selected ? UI_C_SELECTED : UI_C_NORMAL;

	if (i < 0 || i >= v->ui->conf->nconns) {
		ui_draw_text(y, x, w, UI_C_WARN, "(no connection)", 0);
		return;
	}
	c = &v->ui->conf->conns[i];
	xasprintf(&s, "< %s >", c->name);
	used = ui_draw_text(y, x, w, role, s, 0);
	free(s);
	if (same) {
		used += ui_draw_text(y, x + used, w - used, UI_C_WARN,
		    "  ! same as the source", 0);
		return;
	}
	mask = dsn_mask(c->type, c->dsn);
	xasprintf(&s, "  %s  %s", c->type, mask != NULL ? mask : "");
	ui_draw_text(y, x + used, w - used, UI_C_DIM, s, 0);
	free(s);
	free(mask);
}

static void
newjob_draw_toggle(int y, int x, int w, int on, int selected)
{
	ui_draw_text(y, x, w, selected ? UI_C_SELECTED : on ? UI_C_OK :
	    UI_C_NORMAL, on ? "[x] on" : "[ ] off", 0);
}

static void
newjob_draw(struct view *v)
{
	struct newjob	*nj = v->priv;
	struct ui	*ui = v->ui;
	const char	*src, *dst;
	char		 buf[256];
	int		 top = ui_body_top(), y, i, sel, w, gap;
	enum ui_color	 role;

	newjob_clamp(v);
	/* Spread the form out a little when the screen is tall. */
	gap = v->h >= 34 ? 1 : 0;
	y = top;
	ui_draw_text(y, 1, v->w - 1, UI_C_HEADER, "New sync job", 0);
	if (ui->live.running) {
		snprintf(buf, sizeof buf, "job %lld is running: a new one "
		    "starts when it ends", (long long)ui->live.job_id);
		ui_draw_right(y, 0, v->w - 1, UI_C_WARN, buf);
	}
	y += 2;
	w = v->w - NJ_VALUE_X - 1;
	for (i = 0; i < NJ__COUNT; i++) {
		sel = nj->field == (enum nj_field)i;
		role = sel ? UI_C_SELECTED : UI_C_NORMAL;
		if (i == NJ_START)
			y++;
		ui_draw_blank(y, 0, v->w, role);
		ui_draw_text(y, 1, 2, role, sel ? ">" : " ", 0);
		ui_draw_text(y, 3, NJ_LABEL_W, role, nj_labels[i], 1);
		switch (i) {
		case NJ_SOURCE:
			newjob_draw_conn(v, y, NJ_VALUE_X, w, nj->source, sel,
			    0);
			break;
		case NJ_TARGET:
			newjob_draw_conn(v, y, NJ_VALUE_X, w, nj->target, sel,
			    nj->target >= 0 && nj->target == nj->source);
			break;
		case NJ_DIRECTION:
			newjob_draw_choices(y, NJ_VALUE_X, w, nj_directions,
			    (int)nitems(nj_directions), nj->bidirectional,
			    sel);
			break;
		case NJ_STRATEGY:
			newjob_draw_choices(y, NJ_VALUE_X, w, nj_strategies,
			    (int)nitems(nj_strategies), nj->strategy, sel);
			break;
		case NJ_SCHEMA:
			newjob_draw_toggle(y, NJ_VALUE_X, w, nj->schema_check,
			    sel);
			break;
		case NJ_MIGRATE:
			newjob_draw_toggle(y, NJ_VALUE_X, w, nj->auto_migrate,
			    sel);
			break;
		case NJ_TABLES:
			if (nj->tables[0] == '\0')
				ui_draw_text(y, NJ_VALUE_X, w, sel ? role :
				    UI_C_DIM, "(every table)", 0);
			else
				ui_draw_text(y, NJ_VALUE_X, w, role,
				    nj->tables, 0);
			break;
		case NJ_BATCH:
			ui_draw_fmt(y, NJ_VALUE_X, w, role, 0, "%d rows",
			    nj->batch_size);
			break;
		case NJ_DRY_RUN:
			newjob_draw_toggle(y, NJ_VALUE_X, w, nj->dry_run, sel);
			break;
		case NJ_START:
			ui_draw_text(y, 3, NJ_LABEL_W, role, "[ Start ]", 1);
			src = newjob_conn_name(v, nj->source);
			dst = newjob_conn_name(v, nj->target);
			snprintf(buf, sizeof buf, "%s %s %s, %s%s",
			    src != NULL ? src : "?", nj->bidirectional ?
			    "<->" : "->", dst != NULL ? dst : "?",
			    nj_strategies[nj->strategy],
			    nj->dry_run ? ", dry run" : "");
			ui_draw_text(y, NJ_VALUE_X, w, sel ? role : UI_C_DIM,
			    buf, 0);
			break;
		}
		y += 1 + gap;
	}
	y += 1 - gap;
	ui_draw_hline(y, 0, v->w);
	y++;
	ui_draw_text(y, 1, v->w - 2, UI_C_DIM, newjob_hint(v), 0);
	y++;
	if (ui->conf->nconns < 2)
		ui_draw_text(y, 1, v->w - 2, UI_C_WARN, "A job needs two "
		    "connections: add them in Settings (s on the Dashboard).",
		    0);
}

/* Move connection choice *I by STEP through the configured ones. */
static void
newjob_cycle(struct view *v, int *i, int step)
{
	int	n = v->ui->conf->nconns;

	if (n == 0)
		return;
	*i = ((*i + step) % n + n) % n;
}

/* Ask for the tables; Esc keeps the old list. */
static void
newjob_edit_tables(struct view *v)
{
	struct newjob	*nj = v->priv;
	struct strbuf	 sb = STRBUF_INIT;
	char		*s, **list = NULL;
	int		 i, n;

	s = ui_prompt(v->ui, "Tables (comma-separated, empty: all): ",
	    nj->tables);
	if (s == NULL)
		return;
	n = util_split_list(s, &list);
	for (i = 0; i < n; i++)
		sb_addf(&sb, "%s%s", i > 0 ? ", " : "", list[i]);
	free(nj->tables);
	nj->tables = xstrdup(sb_str(&sb));
	sb_free(&sb);
	util_strv_free(list);
	free(s);
}

/* Ask for the batch size; a bad one is refused and the old one kept. */
static void
newjob_edit_batch(struct view *v)
{
	struct newjob	*nj = v->priv;
	char		*s, *p, *end, init[32];
	long long	 n;

	snprintf(init, sizeof init, "%d", nj->batch_size);
	s = ui_prompt(v->ui, "Batch size (1-1000000): ", init);
	if (s == NULL)
		return;
	for (p = s; isspace((unsigned char)*p); p++)
		continue;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (util_parse_int(p, 1, NJ_BATCH_MAX, &n) != 0)
		ui_status(v->ui, UI_C_ERROR, "Batch size '%s' is not a whole "
		    "number from 1 to %d; kept %d", p, NJ_BATCH_MAX,
		    nj->batch_size);
	else
		nj->batch_size = (int)n;
	free(s);
}

/* Change the selected field by STEP (-1 back, 1 forward). */
static void
newjob_change(struct view *v, int step)
{
	struct newjob	*nj = v->priv;
	int		 n;

	switch (nj->field) {
	case NJ_SOURCE:
		newjob_cycle(v, &nj->source, step);
		break;
	case NJ_TARGET:
		newjob_cycle(v, &nj->target, step);
		break;
	case NJ_DIRECTION:
		nj->bidirectional = !nj->bidirectional;
		break;
	case NJ_STRATEGY:
		n = (int)nitems(nj_strategies);
		nj->strategy = ((nj->strategy + step) % n + n) % n;
		break;
	case NJ_SCHEMA:
		nj->schema_check = !nj->schema_check;
		break;
	case NJ_MIGRATE:
		nj->auto_migrate = !nj->auto_migrate;
		break;
	case NJ_TABLES:
		newjob_edit_tables(v);
		break;
	case NJ_BATCH:
		newjob_edit_batch(v);
		break;
	case NJ_DRY_RUN:
		nj->dry_run = !nj->dry_run;
		break;
	default:
		break;
	}
}

/*
 * Start the job the form describes.  On success this view is gone (the
 * Job detail of the live job replaces it) and 1 is returned; 0 when the
 * form stays, with the reason on the status line.
 */
static int
newjob_start(struct view *v)
{
	struct newjob	*nj = v->priv;
	struct ui	*ui = v->ui;
	struct msg_job	*job;
	const char	*src, *dst;
	int64_t		 live = 0;

	newjob_clamp(v);
	if (ui->conf->nconns < 2) {
		ui_status(ui, UI_C_ERROR, "A job needs two connections: add "
		    "them in Settings");
		return 0;
	}
	src = newjob_conn_name(v, nj->source);
	dst = newjob_conn_name(v, nj->target);
	if (src == NULL || dst == NULL || nj->source == nj->target) {
		ui_status(ui, UI_C_ERROR, "The source and the target must "
		    "be different connections");
		return 0;
	}
	job = xcalloc(1, sizeof *job);
	job->source = xstrdup(src);
	job->target = xstrdup(dst);
	if (nj->tables[0] != '\0' &&
	    util_split_list(nj->tables, &job->tables) == 0) {
		util_strv_free(job->tables);
		job->tables = NULL;
	}
	job->bidirectional = nj->bidirectional;
	job->strategy = xstrdup(nj_strategies[nj->strategy]);
	job->schema_check = nj->schema_check;
	job->auto_migrate = nj->auto_migrate;
	job->batch_size = nj->batch_size;
	job->dry_run = nj->dry_run;
	if (ui_start_job(ui, job) != 0)
		return 0;
	/* The form is freed here: nothing of V may be used after. */
	ui_pop(ui);
	ui_push(ui, &ui_job_ops, &live);
	return 1;
}

static enum ui_result
newjob_key(struct view *v, int ch, enum ui_req req)
{
	struct newjob	*nj = v->priv;

	if (ch == 's' || ch == 'S') {
		newjob_start(v);
		return UI_HANDLED;
	}
	if (ch == ' ') {
		if (nj->field == NJ_START)
			newjob_start(v);
		else
			newjob_change(v, 1);
		return UI_HANDLED;
	}
	switch (req) {
	case REQ_UP:
		if (nj->field > 0)
			nj->field--;
		return UI_HANDLED;
	case REQ_DOWN:
		if (nj->field < NJ__COUNT - 1)
			nj->field++;
		return UI_HANDLED;
	case REQ_HOME:
	case REQ_PGUP:
		nj->field = 0;
		return UI_HANDLED;
	case REQ_END:
	case REQ_PGDN:
		nj->field = NJ_START;
		return UI_HANDLED;
	case REQ_TAB:
		nj->field = (nj->field + 1) % NJ__COUNT;
		return UI_HANDLED;
	case REQ_LEFT:
		newjob_change(v, -1);
		return UI_HANDLED;
	case REQ_RIGHT:
		newjob_change(v, 1);
		return UI_HANDLED;
	case REQ_ENTER:
		if (nj->field == NJ_START)
			newjob_start(v);
		else
			newjob_change(v, 1);
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

const struct view_ops ui_newjob_ops = {
	.name = "New job",
	.priv_size = sizeof (struct newjob),
	.footer = newjob_footer,
	.open = newjob_open,
	.close = newjob_close,
	.draw = newjob_draw,
	.key = newjob_key,
	.reload = newjob_reload,
	.help = "A sync job between two configured connections, from the "
	    "configuration's defaults.  Up and Down move between the "
	    "fields; Left, Right, Enter or space change the selected one "
	    "(Tables and Batch size ask for text); s, or Enter on Start, "
	    "starts the job and shows its progress.  Tab also moves to the "
	    "next field.",
};
