/*
 * projsync - ui_conflicts.c: the Conflicts screen: the conflicts matching a
 * filter (job, table, status, column) with marks, the way into each one's
 * diff, and bulk resolution of the marked ones (or of every open one the
 * filter matches) with a strategy and a note, the count confirmed first.
 *
 * The list itself (rows, cursor, window, marks, the bulk payload) is
 * struct ui_clist from ui_model.c; this file draws it and maps keys to it.
 * A bulk resolution goes to the engine thread; the view waits for the
 * MSG_EV_RESOLVE_ALL_DONE carrying its req_id, never blocking meanwhile.
 */
#include "projsync/common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "projsync/json.h"
#include "projsync/strbuf.h"
#include "projsync/ui_model.h"
#include "projsync/util.h"
#include "ui_int.h"

#define CFL_HEAD_LINES	2	/* the filter line and the column names */

struct conflicts {
	struct ui_clist	 l;
	uint64_t	 req;		/* the bulk resolution waiting, or 0 */
	char		*req_strategy;	/* its strategy, for the summary */
	int		 filter_key;	/* after f: the key names a filter */
	char		 err[sizeof ((struct ps_error *)0)->msg];
};

static const struct footer_key conflicts_footer[] = {
	{ "Enter", "diff" },
	{ "Space", "mark" },
	{ "a/A", "all/none" },
	{ "b", "bulk" },
	{ "J/T/S/C", "filter" },
	{ "r", "reload" },
	{ "q", "back" },
	{ NULL, NULL }
};

/* The statuses 'S' steps through, in order. */
static const char *const cfl_statuses[] = {
	"pending", "ignored", "resolved", "stale", "all"
};

/* The strategies a bulk resolution takes, with the short words for them. */
static const struct {
	const char	*name;
	const char	*word;
} cfl_strategies[] = {
	{ "source-wins", "source" },
	{ "target-wins", "target" },
	{ "newer-wins", "newer" },
	{ "ignore", "ignore" }
};

static int
cfl_visible(const struct view *v)
{
	int	n = v->h - CFL_HEAD_LINES;

	return n > 1 ? n : 1;
}

/* (Re)load the list; a failure goes to the status line and stays shown. */
static void
cfl_load(struct view *v)
{
	struct conflicts	*d = v->priv;
	struct ps_error		 err;

	d->err[0] = '\0';
	if (ui_clist_load(&d->l, v->ui->hist, &err) != 0) {
		snprintf(d->err, sizeof d->err, "%s", err.msg);
		ui_status(v->ui, UI_C_ERROR, "%s", err.msg);
	}
	ui_clist_move(&d->l, 0, cfl_visible(v));
}

static int
cfl_open(struct view *v, const void *arg)
{
	struct conflicts		*d = v->priv;
	const struct ui_conflicts_arg	*a = arg;
	struct ps_error			 err;

	ui_clist_init(&d->l);
	if (a != NULL && ui_clist_set_filter(&d->l, a->job_id, a->table,
	    a->status, NULL, &err) != 0) {
		ui_status(v->ui, UI_C_ERROR, "%s", err.msg);
		ui_clist_free(&d->l);
		return -1;
	}
	cfl_load(v);
	return 0;
}

static void
cfl_close(struct view *v)
{
	struct conflicts	*d = v->priv;

	ui_clist_free(&d->l);
	free(d->req_strategy);
}

static void
cfl_reload(struct view *v)
{
	cfl_load(v);
}

/* Whether a conflict of status S can be resolved: pending or ignored. */
static int
cfl_is_open(const char *s)
{
	return s != NULL && (strcmp(s, "pending") == 0 ||
	    strcmp(s, "ignored") == 0);
}

/* "id=6, name=x" from the key object KEY_JSON, appended to SB. */
static void
cfl_key_text(struct strbuf *sb, const char *key_json)
{
	struct json_obj	o;
	int		i;

	if (key_json == NULL || json_parse_object(key_json, &o) != 0) {
		sb_addstr(sb, key_json != NULL ? key_json : "-");
		return;
	}
	for (i = 0; i < o.n; i++)
		sb_addf(sb, "%s%s=%s", i > 0 ? "," : "", o.kv[i].key,
		    o.kv[i].value != NULL ? o.kv[i].value : "NULL");
	json_obj_free(&o);
}

/* "status, title" from the JSON array COLUMNS ("-" for none), into SB. */
static void
cfl_columns_text(struct strbuf *sb, const char *columns)
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
	free(v);
	if (n == 0)
		sb_addstr(sb, "-");
}

static enum ui_color
cfl_status_role(const char *s)
{
	if (s == NULL)
		return UI_C_NORMAL;
	if (strcmp(s, "pending") == 0)
		return UI_C_WARN;
	if (strcmp(s, "resolved") == 0)
		return UI_C_OK;
	if (strcmp(s, "stale") == 0)
		return UI_C_ERROR;
	return UI_C_DIM;
}

/* The widths of the table, key and columns fields for a body W wide. */
static void
cfl_widths(const struct view *v, int *tw, int *kw, int *cw)
{
	int	extra = v->w - 80;

	if (extra < 0)
		extra = 0;
	*tw = 13 + extra / 4;
	*kw = 14 + extra / 4;
	*cw = v->w - 4 - 6 - *tw - *kw - 14 - 9;
	if (*cw < 4)
		*cw = 4;
}

static void
cfl_draw_row(struct view *v, int y, const struct conflict_row *c,
    int selected)
{
	struct conflicts	*d = v->priv;
	struct strbuf		 sb = STRBUF_INIT;
	enum ui_color		 role;
	const char		*mark;
	int			 x = 0, tw, kw, cw, marked;

	cfl_widths(v, &tw, &kw, &cw);
	role = selected ? UI_C_SELECTED : UI_C_NORMAL;
	marked = ui_clist_is_marked(&d->l, c->id);
	ui_draw_blank(y, 0, v->w, role);
	if (marked)
		mark = "[x]";
	else if (cfl_is_open(c->status))
		mark = "[ ]";
	else
		mark = "";
	x += ui_draw_text(y, x, 4, selected ? role : (marked ? UI_C_MARK :
	    UI_C_DIM), mark, 1);
	x += ui_draw_fmt(y, x, 6, role, 1, "%5lld ", (long long)c->id);
	x += ui_draw_text(y, x, tw - 1, role, c->table, 1) + 1;
	cfl_key_text(&sb, c->key_json);
	x += ui_draw_text(y, x, kw - 1, role, sb_str(&sb), 1) + 1;
	x += ui_draw_text(y, x, 13, role, c->kind != NULL ? c->kind : "-",
	    1) + 1;
	x += ui_draw_text(y, x, 8, selected ? role :
	    cfl_status_role(c->status), c->status != NULL ? c->status : "-",
	    1) + 1;
	sb_reset(&sb);
	cfl_columns_text(&sb, c->columns);
	ui_draw_text(y, x, cw, role, sb_str(&sb), 1);
	sb_free(&sb);
}

/* The filter as one line: "Filter status=pending job=any ...". */
static void
cfl_filter_text(const struct ui_clist *l, struct strbuf *sb)
{
	sb_addf(sb, "Filter status=%s job=", l->f.status);
	if (l->f.job_id > 0)
		sb_addf(sb, "%lld", (long long)l->f.job_id);
	else
		sb_addstr(sb, "any");
	sb_addf(sb, " table=%s column=%s", l->f.table != NULL ?
	    l->f.table : "any", l->f.column != NULL ? l->f.column : "any");
}

static void
cfl_draw(struct view *v)
{
	struct conflicts	*d = v->priv;
	struct ui_clist		*l = &d->l;
	struct strbuf		 sb = STRBUF_INIT;
	char			 right[64];
	int			 y = ui_body_top(), i, rw, tw, kw, cw, vis;

	vis = cfl_visible(v);
	ui_clist_move(l, 0, vis);

	if (d->req != 0)
		snprintf(right, sizeof right, "resolving... ");
	else
		snprintf(right, sizeof right, "%d listed, %d marked ", l->n,
		    l->nmarks);
	rw = ui_text_width(right);
	cfl_filter_text(l, &sb);
	ui_draw_text(y, 0, v->w - rw - 1, UI_C_HEADER, sb_str(&sb), 1);
	ui_draw_right(y, 0, v->w, d->req != 0 ? UI_C_WARN : UI_C_DIM, right);

	cfl_widths(v, &tw, &kw, &cw);
	sb_reset(&sb);
	sb_addf(&sb, "       ID %-*s %-*s %-13s %-8s %s", tw - 1, "table",
	    kw - 1, "key", "kind", "status", "columns");
	ui_draw_text(y + 1, 0, v->w, UI_C_DIM, sb_str(&sb), 1);
	sb_free(&sb);

	for (i = 0; i < vis && l->top + i < l->n; i++)
		cfl_draw_row(v, y + CFL_HEAD_LINES + i, &l->rows[l->top + i],
		    l->top + i == l->cur);
	if (d->err[0] != '\0')
		ui_draw_text(y + CFL_HEAD_LINES, 2, v->w - 2, UI_C_ERROR,
		    d->err, 1);
	else if (l->n == 0)
		ui_draw_text(y + CFL_HEAD_LINES, 2, v->w - 2, UI_C_DIM,
		    strcmp(l->f.status, "pending") == 0 && l->f.job_id == 0 &&
		    l->f.table == NULL && l->f.column == NULL ?
		    "No pending conflicts: all in step.  (S shows other "
		    "statuses.)" :
		    "No conflict matches the filter.  (J/T/S/C change it, "
		    "f x clears it.)", 1);
}

/* Set the filter to L's with the changes given; reload when it took. */
static void
cfl_set_filter(struct view *v, int64_t job_id, const char *table,
    const char *status, const char *column)
{
	struct conflicts	*d = v->priv;
	struct ps_error		 err;

	if (ui_clist_set_filter(&d->l, job_id, table, status, column,
	    &err) != 0) {
		ui_status(v->ui, UI_C_ERROR, "%s", err.msg);
		return;
	}
	d->l.cur = 0;
	d->l.top = 0;
	cfl_load(v);
}

/* Strip the white space around S in place; returns S. */
static char *
cfl_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		memmove(s, s + 1, strlen(s));
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void
cfl_ask_job(struct view *v)
{
	struct conflicts	*d = v->priv;
	struct ui_clist		*l = &d->l;
	char			*s, cur[32];
	long long		 id;

	cur[0] = '\0';
	if (l->f.job_id > 0)
		snprintf(cur, sizeof cur, "%lld", (long long)l->f.job_id);
	if ((s = ui_prompt(v->ui, "Job id (empty: any): ", cur)) == NULL)
		return;
	cfl_trim(s);
	if (*s == '\0')
		cfl_set_filter(v, 0, l->f.table, l->f.status, l->f.column);
	else if (util_parse_int(s, 1, INT64_MAX, &id) != 0)
		ui_status(v->ui, UI_C_ERROR, "'%s' is not a job id (a whole "
		    "number from 1)", s);
	else
		cfl_set_filter(v, id, l->f.table, l->f.status, l->f.column);
	free(s);
}

/* Ask for the table (WHICH 't'), column ('c') or status ('s'). */
static void
cfl_ask_text(struct view *v, int which)
{
	struct conflicts	*d = v->priv;
	struct ui_clist		*l = &d->l;
	const char		*prompt, *cur;
	char			*s;

	switch (which) {
	case 't':
		prompt = "Table (empty: any): ";
		cur = l->f.table;
		break;
	case 'c':
		prompt = "Differing column (empty: any): ";
		cur = l->f.column;
		break;
	default:
		prompt = "Status (pending, ignored, resolved, stale, all): ";
		cur = l->f.status;
		break;
	}
	if ((s = ui_prompt(v->ui, prompt, cur)) == NULL)
		return;
	cfl_trim(s);
	switch (which) {
	case 't':
		cfl_set_filter(v, l->f.job_id, s, l->f.status, l->f.column);
		break;
	case 'c':
		cfl_set_filter(v, l->f.job_id, l->f.table, l->f.status, s);
		break;
	default:
		cfl_set_filter(v, l->f.job_id, l->f.table, s, l->f.column);
		break;
	}
	free(s);
}

static void
cfl_next_status(struct view *v)
{
	struct conflicts	*d = v->priv;
	struct ui_clist		*l = &d->l;
	size_t			 i;

	for (i = 0; i < nitems(cfl_statuses); i++)
		if (strcmp(l->f.status, cfl_statuses[i]) == 0)
			break;
	i = (i + 1) % nitems(cfl_statuses);
	cfl_set_filter(v, l->f.job_id, l->f.table, cfl_statuses[i],
	    l->f.column);
}

/* The strategy named by S (a full name or its short word), or NULL. */
static const char *
cfl_strategy(const char *s)
{
	size_t	i;

	for (i = 0; i < nitems(cfl_strategies); i++)
		if (strcasecmp(s, cfl_strategies[i].name) == 0 ||
		    strcasecmp(s, cfl_strategies[i].word) == 0)
			return cfl_strategies[i].name;
	return NULL;
}

/*
 * Bulk resolution: the strategy, an optional note, the count confirmed,
 * then the command to the engine thread.  With nothing marked and a filter
 * on "pending" the engine resolves every pending conflict the filter
 * matches; for the other statuses it is given the open rows listed, as
 * its filter only takes pending ones.
 */
static void
cfl_bulk(struct view *v)
{
	struct conflicts	*d = v->priv;
	struct ui_clist		*l = &d->l;
	struct ui		*ui = v->ui;
	struct msg_resolve	*r = NULL;
	struct ps_error		 err;
	struct msg		*m;
	const char		*strategy;
	char			*s = NULL, *note = NULL, what[128];
	int			 count, marked;

	if (d->req != 0) {
		ui_status(ui, UI_C_WARN, "A bulk resolution is still running");
		goto out;
	}
	if ((count = ui_clist_bulk_count(l)) == 0) {
		ui_status(ui, UI_C_WARN, "Nothing to resolve: no pending or "
		    "ignored conflict is listed");
		goto out;
	}
	s = ui_prompt(ui, "Strategy (source-wins, target-wins, newer-wins, "
	    "ignore): ", NULL);
	if (s == NULL || *cfl_trim(s) == '\0')
		goto out;
	if ((strategy = cfl_strategy(s)) == NULL) {
		ui_status(ui, UI_C_ERROR, "Unknown strategy '%s' (source-wins, "
		    "target-wins, newer-wins or ignore)", s);
		goto out;
	}
	if ((note = ui_prompt(ui, "Note (optional): ", NULL)) == NULL)
		goto out;
	cfl_trim(note);

	/* Events may have reloaded the list while we asked. */
	marked = l->nmarks > 0;
	if ((count = ui_clist_bulk_count(l)) == 0) {
		ui_status(ui, UI_C_WARN, "Nothing to resolve any more: the "
		    "list changed meanwhile");
		goto out;
	}
	if (marked)
		snprintf(what, sizeof what, "%d conflict%s (marked)", count,
		    count == 1 ? "" : "s");
	else
		snprintf(what, sizeof what, "%s %d %s %s the filter",
		    count == 1 ? "the" : "all", count,
		    strcmp(l->f.status, "all") == 0 ? "pending or ignored" :
		    l->f.status, count == 1 ? "that matches" : "that match");
	if (!ui_confirm(ui, "Resolve %s with %s?", what, strategy))
		goto out;

	/* The marked ones, or the open rows listed: what was counted. */
	r = ui_clist_bulk(l, strategy, note, &err);
	if (r == NULL) {
		ui_status(ui, UI_C_ERROR, "%s", err.msg);
		goto out;
	}
	m = msg_new(MSG_CMD_RESOLVE_ALL);
	m->resolve = r;
	d->req = ui_send(ui, m);
	free(d->req_strategy);
	d->req_strategy = xstrdup(strategy);
	ui_status(ui, UI_C_NORMAL, "resolving %s with %s...", what, strategy);
out:
	free(s);
	free(note);
}

/* The answer to our bulk resolution: the summary, then a fresh list. */
static void
cfl_bulk_done(struct view *v, const struct msg *m)
{
	struct conflicts		*d = v->priv;
	const struct resolve_counts	*c = &m->summary;
	enum ui_color			 role;

	d->req = 0;
	if (!m->ok) {
		ui_status(v->ui, UI_C_ERROR, "Bulk resolution failed: %s",
		    m->text != NULL ? m->text : "error");
	} else {
		role = c->failed > 0 ? UI_C_ERROR : c->stale > 0 ?
		    UI_C_WARN : UI_C_OK;
		ui_status(v->ui, role, "%s: %lld %s, %lld stale, %lld "
		    "failed of %lld%s%s%s", d->req_strategy != NULL ?
		    d->req_strategy : "resolved", (long long)c->resolved,
		    d->req_strategy != NULL &&
		    strcmp(d->req_strategy, "ignore") == 0 ? "ignored" :
		    "resolved", (long long)c->stale, (long long)c->failed,
		    (long long)c->matched, c->stale > 0 ?
		    " (stale: run the sync again)" : "",
		    m->text != NULL ? ": " : "",
		    m->text != NULL ? m->text : "");
	}
	ui_clist_unmark_all(&d->l);
	cfl_load(v);
}

/* The key after 'f': which filter to change. */
static void
cfl_filter_key(struct view *v, int ch)
{
	struct conflicts	*d = v->priv;

	d->filter_key = 0;
	v->ui->status[0] = '\0';
	switch (ch) {
	case 'j':
	case 'J':
		cfl_ask_job(v);
		break;
	case 't':
	case 'T':
		cfl_ask_text(v, 't');
		break;
	case 's':
	case 'S':
		cfl_ask_text(v, 's');
		break;
	case 'c':
	case 'C':
		cfl_ask_text(v, 'c');
		break;
	case 'x':
	case 'X':
		cfl_set_filter(v, 0, NULL, NULL, NULL);
		break;
	default:
		break;
	}
}

static enum ui_result
cfl_key(struct view *v, int ch, enum ui_req req)
{
	struct conflicts		*d = v->priv;
	struct ui_clist			*l = &d->l;
	const struct conflict_row	*c;
	int				 vis = cfl_visible(v);
	int64_t				 id;

	if (d->filter_key) {
		cfl_filter_key(v, ch);
		return UI_HANDLED;
	}
	/* Space marks here; it is not a page down. */
	if (ch == ' ' || ch == 'm') {
		if ((c = ui_clist_current(l)) == NULL)
			return UI_HANDLED;
		if (!cfl_is_open(c->status) &&
		    !ui_clist_is_marked(l, c->id)) {
			ui_status(v->ui, UI_C_WARN, "Conflict %lld is %s: only "
			    "pending or ignored ones can be marked",
			    (long long)c->id, c->status);
			return UI_HANDLED;
		}
		ui_clist_toggle(l);
		ui_clist_move(l, 1, vis);
		return UI_HANDLED;
	}
	switch (req) {
	case REQ_UP:
		ui_clist_move(l, -1, vis);
		return UI_HANDLED;
	case REQ_DOWN:
		ui_clist_move(l, 1, vis);
		return UI_HANDLED;
	case REQ_PGUP:
		ui_clist_move(l, -vis, vis);
		return UI_HANDLED;
	case REQ_PGDN:
		ui_clist_move(l, vis, vis);
		return UI_HANDLED;
	case REQ_HOME:
		ui_clist_move(l, -l->n, vis);
		return UI_HANDLED;
	case REQ_END:
		ui_clist_move(l, l->n, vis);
		return UI_HANDLED;
	case REQ_ENTER:
		if ((c = ui_clist_current(l)) != NULL) {
			id = c->id;
			ui_push(v->ui, &ui_diff_ops, &id);
		}
		return UI_HANDLED;
	default:
		break;
	}
	switch (ch) {
	case 'a':
		ui_clist_mark_all(l);
		if (l->nmarks == 0)
			ui_status(v->ui, UI_C_WARN, "No pending or ignored "
			    "conflict is listed");
		return UI_HANDLED;
	case 'A':
	case 'u':
		ui_clist_unmark_all(l);
		return UI_HANDLED;
	case 'b':
		cfl_bulk(v);
		return UI_HANDLED;
	case 'J':
		cfl_ask_job(v);
		return UI_HANDLED;
	case 'T':
		cfl_ask_text(v, 't');
		return UI_HANDLED;
	case 'C':
		cfl_ask_text(v, 'c');
		return UI_HANDLED;
	case 'S':
		cfl_next_status(v);
		return UI_HANDLED;
	case 'f':
		d->filter_key = 1;
		ui_status(v->ui, UI_C_NORMAL, "Filter: j job, t table, "
		    "s status, c column, x clear all");
		return UI_HANDLED;
	case 'r':
		cfl_load(v);
		if (d->err[0] == '\0')
			ui_status(v->ui, UI_C_NORMAL, "%d conflict%s listed",
			    l->n, l->n == 1 ? "" : "s");
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static enum ui_result
cfl_on_msg(struct view *v, const struct msg *m)
{
	struct conflicts	*d = v->priv;

	switch (m->type) {
	case MSG_EV_RESOLVE_ALL_DONE:
		if (d->req != 0 && m->req_id == d->req)
			cfl_bulk_done(v, m);
		else
			cfl_load(v);
		return UI_REDRAW;
	case MSG_EV_JOB_DONE:
	case MSG_EV_RESOLVED:
		cfl_load(v);
		return UI_REDRAW;
	default:
		return UI_IGNORED;
	}
}

const struct view_ops ui_conflicts_ops = {
	.name = "Conflicts",
	.priv_size = sizeof (struct conflicts),
	.footer = conflicts_footer,
	.open = cfl_open,
	.close = cfl_close,
	.draw = cfl_draw,
	.key = cfl_key,
	.on_msg = cfl_on_msg,
	.reload = cfl_reload,
	.help = "The conflicts matching the filter shown on the top line.  "
	    "J job id, T table, C differing column (each asks; an empty "
	    "answer clears it), S steps the status through pending, ignored, "
	    "resolved, stale and all; f then j, t, s or c asks for one, f x "
	    "clears them all.  Space or m marks the row and moves down, a "
	    "marks every open row listed, A or u unmarks all.  b resolves "
	    "the marked conflicts in bulk, or when none is marked every "
	    "pending or ignored one the filter matches: it asks for the "
	    "strategy (source-wins, target-wins, newer-wins or ignore; "
	    "source, target and newer will do) and a note, and confirms the "
	    "count first.  Enter opens the conflict side by side; r reloads.",
};
