/*
 * projsync - ui_diff.c: the Conflict diff screen: one conflict's columns
 * side by side (source, target, and the result the resolution would
 * write), the choice per field (take the source, take the target, edit,
 * NULL) or for the whole row (source, target, newer), a note, and the
 * resolution sent to the engine thread; plus a pager showing one field's
 * three values in full.
 *
 * The fields and the choices are struct ui_diff from ui_model.c; this file
 * draws them and maps keys to them.  Every differing field carries a '*'
 * and every result a marker of where it came from ('<' source, '>' target,
 * '=' edited, '0' NULL, '?' the newer row), so the screen reads the same
 * without colour.  A resolved conflict opens read-only, showing what was
 * written.
 */
#include "projsync/common.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "projsync/json.h"
#include "projsync/strbuf.h"
#include "projsync/ui_model.h"
#include "ui_int.h"

#define DIFF_HEAD_LINES	5	/* header, peers, state, note, column names */
#define DIFF_FOOT_LINES	1	/* the legend */

struct diff {
	int64_t		 id;
	struct ui_diff	 d;
	struct json_obj	 res;		/* a resolved conflict's result row */
	int		 readonly;	/* resolved or stale: no choices */
	uint64_t	 req;		/* the resolution waiting, or 0 */
	int		 top;		/* the first field shown */
};

static const struct footer_key diff_footer[] = {
	{ "s/t", "take" },
	{ "e", "edit" },
	{ "n", "NULL" },
	{ "S/T/W", "row" },
	{ "N", "note" },
	{ "v", "view" },
	{ "r", "resolve" },
	{ "q", "back" },
	{ NULL, NULL }
};

/* ---- loading ---- */

/*
 * Load conflict ID into D, replacing what it held (the choices made are
 * lost).  -1 with ERR when it cannot be read or shown; D is then unchanged.
 */
static int
diff_load(struct diff *d, struct history *h, int64_t id, struct ps_error *err)
{
	struct conflict_row	c;
	struct ui_diff		nd;
	struct json_obj		res;
	int			cur = d->d.cur;

	if (history_conflict_get(h, id, &c, err) != 0)
		return -1;
	memset(&res, 0, sizeof res);
	if (ui_diff_load(&nd, &c, err) != 0) {
		conflict_row_free(&c);
		return -1;
	}
	if (c.result_row != NULL && json_parse_object(c.result_row,
	    &res) != 0)
		memset(&res, 0, sizeof res);
	conflict_row_free(&c);

	ui_diff_free(&d->d);
	json_obj_free(&d->res);
	d->d = nd;
	d->res = res;
	d->id = id;
	d->readonly = d->d.c.status == NULL ||
	    (strcmp(d->d.c.status, "pending") != 0 &&
	    strcmp(d->d.c.status, "ignored") != 0);
	if (cur >= d->d.nf)
		cur = d->d.nf > 0 ? d->d.nf - 1 : 0;
	d->d.cur = cur < 0 ? 0 : cur;
	return 0;
}

static int
diff_open(struct view *v, const void *arg)
{
	struct diff	*d = v->priv;
	const int64_t	*id = arg;
	struct ps_error	 err;

	if (id == NULL) {
		ui_status(v->ui, UI_C_ERROR, "No conflict to show");
		return -1;
	}
	if (diff_load(d, v->ui->hist, *id, &err) != 0) {
		ui_status(v->ui, UI_C_ERROR, "Conflict %lld cannot be shown: "
		    "%s", (long long)*id, err.msg);
		return -1;
	}
	return 0;
}

static void
diff_close(struct view *v)
{
	struct diff	*d = v->priv;

	ui_diff_free(&d->d);
	json_obj_free(&d->res);
}

/*
 * Reload when the history holds a newer version of the conflict (a sync
 * refreshed it, or it was resolved elsewhere); the choices made on the old
 * rows are then dropped, and the status line says so.
 */
static void
diff_refresh(struct view *v)
{
	struct diff		*d = v->priv;
	struct conflict_row	 c;
	struct ps_error		 err;
	int			 changed;

	if (d->req != 0 ||
	    history_conflict_get(v->ui->hist, d->id, &c, &err) != 0)
		return;
	changed = c.updated_at != d->d.c.updated_at || c.status == NULL ||
	    d->d.c.status == NULL || strcmp(c.status, d->d.c.status) != 0;
	conflict_row_free(&c);
	if (!changed)
		return;
	if (diff_load(d, v->ui->hist, d->id, &err) != 0)
		ui_status(v->ui, UI_C_ERROR, "%s", err.msg);
	else
		ui_status(v->ui, UI_C_WARN, "Conflict %lld changed meanwhile "
		    "(now %s): shown afresh", (long long)d->id,
		    d->d.c.status);
}

/* ---- drawing ---- */

/* How a value shows in a cell: NULL and the empty string set apart. */
static const char *
diff_show(const char *s, enum ui_color *role)
{
	if (s == NULL) {
		*role = UI_C_DIM;
		return "NULL";
	}
	if (*s == '\0')
		return "\"\"";
	if (strcmp(s, "NULL") == 0)
		return "\"NULL\"";
	return s;
}

/* Whether two values (NULL: SQL NULL) are the same. */
static int
diff_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The visible fields. */
static int
diff_visible(const struct view *v)
{
	int	n = v->h - DIFF_HEAD_LINES - DIFF_FOOT_LINES;

	return n > 1 ? n : 1;
}

/*
 * The columns: the name is NAMEW wide from column 2, then SOURCE, TARGET
 * and RESULT start at X[0..2], each with a '|' then a space; a value may
 * run up to the next '|'.
 */
static void
diff_layout(const struct view *v, const struct diff *d, int *namew, int x[3])
{
	int	i, w, cw, maxw = v->w / 5;

	*namew = 6;
	for (i = 0; i < d->d.nf; i++) {
		w = ui_text_width(d->d.f[i].col);
		if (w > *namew)
			*namew = w;
	}
	if (*namew > maxw)
		*namew = maxw;
	x[0] = 2 + *namew + 1;
	cw = (v->w - x[0]) / 3;
	x[1] = x[0] + cw;
	x[2] = x[1] + cw;
}

static int
diff_resolved(const struct diff *d)
{
	return d->d.c.status != NULL &&
	    strcmp(d->d.c.status, "resolved") == 0;
}

/*
 * What field I's RESULT cell shows: the text, its role and the marker of
 * where it came from.
 */
static const char *
diff_result_cell(const struct diff *d, int i, enum ui_color *role,
    char *marker)
{
	const struct ui_dfield	*f = &d->d.f[i];
	const struct json_kv	*kv;
	const char		*r;
	int			 absent;

	*role = UI_C_NORMAL;
	*marker = ' ';
	if (d->readonly) {
		if (!diff_resolved(d))
			return "";
		if (d->d.c.result_row == NULL) {
			*role = UI_C_DIM;
			return d->d.c.outcome != NULL &&
			    strcmp(d->d.c.outcome, "deleted") == 0 ?
			    (i == 0 ? "(row deleted)" : "") : "-";
		}
		if ((kv = json_obj_get(&d->res, f->col)) == NULL) {
			*role = UI_C_DIM;
			return "-";
		}
		r = kv->value;
		if (diff_equal(r, f->src) && diff_equal(r, f->tgt))
			*marker = ' ';
		else if (diff_equal(r, f->src))
			*marker = '<';
		else if (diff_equal(r, f->tgt))
			*marker = '>';
		else
			*marker = r == NULL ? '0' : '=';
		return diff_show(r, role);
	}
	if (d->d.newer) {
		*role = UI_C_DIM;
		*marker = '?';
		return "newer";
	}
	r = ui_diff_result(&d->d, i, &absent);
	if (!ui_diff_fieldwise(&d->d)) {
		if (d->d.nf > 0 && d->d.f[0].pick == UI_PICK_TARGET) {
			*marker = '>';
			*role = UI_C_DIFF_TARGET;
		} else {
			*marker = '<';
			*role = UI_C_DIFF_SOURCE;
		}
		if (absent) {
			*role = UI_C_DIM;
			if (i > 0)
				*marker = ' ';
			return i == 0 ? "(row deleted)" : "";
		}
		return diff_show(r, role);
	}
	switch (f->pick) {
	case UI_PICK_SOURCE:
		*role = UI_C_DIFF_SOURCE;
		*marker = diff_equal(f->src, f->tgt) ? ' ' : '<';
		break;
	case UI_PICK_TARGET:
		*role = UI_C_DIFF_TARGET;
		*marker = diff_equal(f->src, f->tgt) ? ' ' : '>';
		break;
	case UI_PICK_EDIT:
		*role = UI_C_DIFF_CHANGED;
		*marker = '=';
		break;
	case UI_PICK_NULL:
		*marker = '0';
		break;
	}
	return diff_show(r, role);
}

/* One side's cell: the value, or "(row deleted)" on the first line. */
static const char *
diff_side_cell(const char *val, int absent, int i, enum ui_color *role)
{
	*role = UI_C_NORMAL;
	if (absent) {
		*role = UI_C_DIM;
		return i == 0 ? "(row deleted)" : "";
	}
	return diff_show(val, role);
}

static void
diff_draw_field(struct view *v, int y, int i, int namew, const int x[3])
{
	struct diff		*d = v->priv;
	const struct ui_dfield	*f = &d->d.f[i];
	enum ui_color		 base, role;
	const char		*s;
	char			 marker[2];
	int			 selected = i == d->d.cur;

	base = selected ? UI_C_SELECTED : UI_C_NORMAL;
	ui_draw_blank(y, 0, v->w, base);
	ui_draw_text(y, 0, 1, selected ? base : UI_C_DIFF_CHANGED,
	    f->differs ? "*" : " ", 1);
	ui_draw_text(y, 2, namew, selected ? base : (f->differs ?
	    UI_C_DIFF_CHANGED : UI_C_NORMAL), f->col, 1);

	ui_draw_text(y, x[0], 1, base, "|", 0);
	s = diff_side_cell(f->src, d->d.src_absent, i, &role);
	ui_draw_text(y, x[0] + 2, x[1] - x[0] - 2, selected ? base : role, s,
	    1);
	ui_draw_text(y, x[1], 1, base, "|", 0);
	s = diff_side_cell(f->tgt, d->d.tgt_absent, i, &role);
	ui_draw_text(y, x[1] + 2, x[2] - x[1] - 2, selected ? base : role, s,
	    1);
	ui_draw_text(y, x[2], 1, base, "|", 0);
	s = diff_result_cell(d, i, &role, &marker[0]);
	marker[1] = '\0';
	ui_draw_text(y, x[2] + 2, 1, selected ? base : role, marker, 1);
	ui_draw_text(y, x[2] + 4, v->w - x[2] - 4, selected ? base : role, s,
	    1);
}

/* The line saying what the resolution will do, or what it did. */
static void
diff_state_text(const struct diff *d, struct strbuf *sb, enum ui_color *role)
{
	const struct ui_diff	*u = &d->d;
	const struct conflict_row *c = &u->c;
	char			 when[32];
	int			 i, n = 0;

	*role = UI_C_NORMAL;
	if (diff_resolved(d)) {
		*role = UI_C_OK;
		sb_addf(sb, "Resolved: %s", c->outcome != NULL ? c->outcome :
		    "-");
		if (c->strategy != NULL)
			sb_addf(sb, " (%s)", c->strategy);
		sb_addf(sb, " by %s at %s", c->resolved_by != NULL ?
		    c->resolved_by : "-", ui_fmt_time(c->resolved_at, when,
		    sizeof when));
		return;
	}
	if (d->readonly) {
		*role = UI_C_ERROR;
		sb_addstr(sb, "Stale: the rows changed since the sync; run "
		    "the sync again");
		return;
	}
	if (u->newer) {
		sb_addf(sb, "Result: the newer row as a whole");
		if (c->timestamp_column != NULL)
			sb_addf(sb, " (by %s)", c->timestamp_column);
		else
			sb_addstr(sb, " (no timestamp column known)");
		return;
	}
	if (!ui_diff_fieldwise(u)) {
		sb_addf(sb, "Deleted on the %s: S or T chooses the whole row "
		    "(result from the %s)", u->src_absent ? "source" :
		    "target", u->nf > 0 && u->f[0].pick == UI_PICK_TARGET ?
		    "target" : "source");
		return;
	}
	for (i = 0; i < u->nf; i++) {
		if (u->f[i].pick == UI_PICK_EDIT ||
		    u->f[i].pick == UI_PICK_NULL ||
		    !diff_equal(ui_diff_result(u, i, NULL), u->f[i].src))
			n++;
	}
	if (n == 0)
		sb_addstr(sb, "Result: the source row");
	else
		sb_addf(sb, "Result: the source row with %d field%s changed",
		    n, n == 1 ? "" : "s");
}

static void
diff_draw(struct view *v)
{
	struct diff		*d = v->priv;
	const struct conflict_row *c = &d->d.c;
	struct strbuf		 sb = STRBUF_INIT;
	struct json_obj		 key;
	enum ui_color		 role;
	char			 when[32];
	int			 y = ui_body_top(), x, i, vis, namew, cx[3];

	/* The conflict: id, table, key, kind and status. */
	sb_addf(&sb, "Conflict %lld  %s  ", (long long)c->id, c->table);
	if (c->key_json != NULL && json_parse_object(c->key_json,
	    &key) == 0) {
		for (i = 0; i < key.n; i++)
			sb_addf(&sb, "%s%s=%s", i > 0 ? "," : "",
			    key.kv[i].key, key.kv[i].value != NULL ?
			    key.kv[i].value : "NULL");
		json_obj_free(&key);
	} else
		sb_addstr(&sb, c->key_json != NULL ? c->key_json : "-");
	sb_addf(&sb, "  %s  ", c->kind != NULL ? c->kind : "-");
	x = ui_draw_text(y, 0, v->w, UI_C_HEADER, sb_str(&sb), 0);
	ui_draw_text(y, x, v->w - x, c->status != NULL &&
	    strcmp(c->status, "pending") == 0 ? UI_C_WARN : UI_C_NORMAL,
	    c->status != NULL ? c->status : "-", 1);

	sb_reset(&sb);
	sb_addf(&sb, "source %s %s target %s   job %lld, found %s",
	    c->source != NULL ? c->source : "-", c->bidirectional ? "<->" :
	    "->", c->target != NULL ? c->target : "-", (long long)c->job_id,
	    ui_fmt_time(c->created_at, when, sizeof when));
	ui_draw_text(y + 1, 0, v->w, UI_C_NORMAL, sb_str(&sb), 1);

	sb_reset(&sb);
	diff_state_text(d, &sb, &role);
	ui_draw_text(y + 2, 0, v->w, role, sb_str(&sb), 1);

	sb_reset(&sb);
	if (d->readonly)
		sb_addf(&sb, "Note: %s", c->note != NULL ? c->note : "none");
	else
		sb_addf(&sb, "Note: %s", d->d.note != NULL ? d->d.note :
		    "none (N adds one)");
	ui_draw_text(y + 3, 0, v->w, (d->readonly ? c->note : d->d.note) !=
	    NULL ? UI_C_NORMAL : UI_C_DIM, sb_str(&sb), 1);

	diff_layout(v, d, &namew, cx);
	ui_draw_text(y + 4, 0, cx[0], UI_C_HEADER, "  COLUMN", 1);
	sb_reset(&sb);
	sb_addf(&sb, "| SOURCE %s", c->source != NULL ? c->source : "");
	ui_draw_text(y + 4, cx[0], cx[1] - cx[0], UI_C_HEADER, sb_str(&sb),
	    1);
	sb_reset(&sb);
	sb_addf(&sb, "| TARGET %s", c->target != NULL ? c->target : "");
	ui_draw_text(y + 4, cx[1], cx[2] - cx[1], UI_C_HEADER, sb_str(&sb),
	    1);
	ui_draw_text(y + 4, cx[2], v->w - cx[2], UI_C_HEADER,
	    diff_resolved(d) ? "| WRITTEN" : "| RESULT", 1);

	vis = diff_visible(v);
	if (d->d.cur < d->top)
		d->top = d->d.cur;
	if (d->d.cur >= d->top + vis)
		d->top = d->d.cur - vis + 1;
	if (d->top > d->d.nf - vis)
		d->top = d->d.nf - vis;
	if (d->top < 0)
		d->top = 0;
	for (i = 0; i < vis && d->top + i < d->d.nf; i++)
		diff_draw_field(v, y + DIFF_HEAD_LINES + i, d->top + i, namew,
		    cx);
	if (d->d.nf == 0)
		ui_draw_text(y + DIFF_HEAD_LINES, 2, v->w - 2, UI_C_DIM,
		    "(neither version has columns to show)", 1);

	ui_draw_text(ui_body_top() + v->h - 1, 0, v->w, UI_C_DIM,
	    "* differs   result from: < source  > target  = edited  "
	    "0 NULL  ? newer", 1);
	if (d->d.nf > vis) {
		sb_reset(&sb);
		sb_addf(&sb, " %d-%d of %d ", d->top + 1, d->top + i,
		    d->d.nf);
		ui_draw_right(ui_body_top() + v->h - 1, 0, v->w, UI_C_DIM,
		    sb_str(&sb));
	}
	sb_free(&sb);
}

/* ---- the pager ---- */

/* What the pager shows: a title and three labelled texts. */
struct pager_arg {
	const char	*title;
	const char	*label[3];
	const char	*text[3];
};

struct pager_line {
	char		*text;
	enum ui_color	 role;
	int		 indent;
};

struct pager {
	char			*title;
	char			*label[3];
	char			*text[3];
	struct pager_line	*lines;
	int			 nlines;
	int			 width;		/* the lines were wrapped for */
	int			 top;
};

static const struct footer_key pager_footer[] = {
	{ "Up/Down", "scroll" },
	{ "PgUp/PgDn", "page" },
	{ "q", "back" },
	{ NULL, NULL }
};

static void
pager_add(struct pager *p, const char *s, size_t len, enum ui_color role,
    int indent)
{
	struct pager_line	*l;

	p->lines = xreallocarray(p->lines, (size_t)p->nlines + 1,
	    sizeof *p->lines);
	l = &p->lines[p->nlines++];
	l->text = xstrndup(s, len);
	l->role = role;
	l->indent = indent;
}

static void
pager_clear(struct pager *p)
{
	int	i;

	for (i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
}

/*
 * Add TEXT cut into lines of at most WIDTH display columns: at a newline,
 * else after the last space that fits, else between two characters (never
 * inside one).  A tab counts and shows as a space; a byte that is not
 * UTF-8, or a control character, as one column (ui_draw_text shows '?').
 */
static void
pager_wrap(struct pager *p, const char *text, int width)
{
	struct strbuf	 sb = STRBUF_INIT;
	mbstate_t	 st;
	wchar_t		 wc;
	const char	*s = text, *rest;
	size_t		 len = strlen(text), n, sp = 0, keep;
	int		 w, lw = 0, spw = 0, lines = 0;

	if (width < 1)
		width = 1;
	while (len > 0) {
		if (*s == '\n') {
			pager_add(p, sb_str(&sb), sb.len, UI_C_NORMAL, 2);
			lines++;
			sb_reset(&sb);
			lw = 0;
			sp = 0;
			s++;
			len--;
			continue;
		}
		memset(&st, 0, sizeof st);
		n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			w = 1;
		} else if (wc < 32 || wc == 127 || (w = wcwidth(wc)) < 0)
			w = 1;
		while (lw > 0 && lw + w > width) {
			if (sp > 0) {
				/* Cut at the space; carry what follows. */
				pager_add(p, sb_str(&sb), sp - 1, UI_C_NORMAL,
				    2);
				rest = sb_str(&sb) + sp;
				keep = sb.len - sp;
				memmove(sb.buf, rest, keep);
				sb_truncate(&sb, keep);
				lw -= spw;
			} else {
				pager_add(p, sb_str(&sb), sb.len, UI_C_NORMAL,
				    2);
				sb_reset(&sb);
				lw = 0;
			}
			lines++;
			sp = 0;
		}
		if (*s == '\t')
			sb_addch(&sb, ' ');
		else
			sb_add(&sb, s, n);
		lw += w;
		if (*s == ' ' || *s == '\t') {
			sp = sb.len;
			spw = lw;
		}
		s += n;
		len -= n;
	}
	if (sb.len > 0 || lines == 0)
		pager_add(p, sb_str(&sb), sb.len, UI_C_NORMAL, 2);
	sb_free(&sb);
}

/* Lay the texts out for a body W columns wide. */
static void
pager_build(struct pager *p, int w)
{
	int	k;

	pager_clear(p);
	pager_add(p, p->title, strlen(p->title), UI_C_HEADER, 0);
	for (k = 0; k < 3; k++) {
		pager_add(p, "", 0, UI_C_NORMAL, 0);
		pager_add(p, p->label[k], strlen(p->label[k]), UI_C_HEADER, 0);
		pager_wrap(p, p->text[k], w - 3);
	}
	p->width = w;
}

static int
pager_open(struct view *v, const void *arg)
{
	struct pager		*p = v->priv;
	const struct pager_arg	*a = arg;
	int			 k;

	p->title = xstrdup(a->title);
	for (k = 0; k < 3; k++) {
		p->label[k] = xstrdup(a->label[k]);
		p->text[k] = xstrdup(a->text[k]);
	}
	pager_build(p, v->w);
	return 0;
}

static void
pager_close(struct view *v)
{
	struct pager	*p = v->priv;
	int		 k;

	pager_clear(p);
	free(p->title);
	for (k = 0; k < 3; k++) {
		free(p->label[k]);
		free(p->text[k]);
	}
}

static int
pager_max_top(const struct view *v)
{
	const struct pager	*p = v->priv;

	return p->nlines > v->h ? p->nlines - v->h : 0;
}

static void
pager_draw(struct view *v)
{
	struct pager		*p = v->priv;
	const struct pager_line	*l;
	char			 pos[48];
	int			 i, y = ui_body_top();

	if (p->width != v->w)
		pager_build(p, v->w);
	if (p->top > pager_max_top(v))
		p->top = pager_max_top(v);
	for (i = 0; i < v->h && p->top + i < p->nlines; i++) {
		l = &p->lines[p->top + i];
		ui_draw_text(y + i, 1 + l->indent, v->w - 1 - l->indent,
		    l->role, l->text, 1);
	}
	if (p->nlines > v->h) {
		snprintf(pos, sizeof pos, " lines %d-%d of %d ", p->top + 1,
		    p->top + i, p->nlines);
		ui_draw_right(y, 0, v->w, UI_C_DIM, pos);
	}
}

static enum ui_result
pager_key(struct view *v, int ch, enum ui_req req)
{
	struct pager	*p = v->priv;
	int		 max = pager_max_top(v);

	if (ch == 'v')
		return UI_CLOSE;
	switch (req) {
	case REQ_UP:
		if (p->top > 0)
			p->top--;
		return UI_HANDLED;
	case REQ_DOWN:
		if (p->top < max)
			p->top++;
		return UI_HANDLED;
	case REQ_PGUP:
		p->top = p->top > v->h ? p->top - v->h : 0;
		return UI_HANDLED;
	case REQ_PGDN:
		p->top = p->top + v->h < max ? p->top + v->h : max;
		return UI_HANDLED;
	case REQ_HOME:
		p->top = 0;
		return UI_HANDLED;
	case REQ_END:
		p->top = max;
		return UI_HANDLED;
	case REQ_ENTER:
	case REQ_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

static const struct view_ops diff_pager_ops = {
	.name = "Value",
	.priv_size = sizeof (struct pager),
	.footer = pager_footer,
	.open = pager_open,
	.close = pager_close,
	.draw = pager_draw,
	.key = pager_key,
	.help = "One column of the conflict in full: the source's value, "
	    "the target's, and the result, wrapped to the screen.  Enter, "
	    "v or q goes back.",
};

/* Open the pager on the selected field's three values. */
static void
diff_view_field(struct view *v)
{
	struct diff		*d = v->priv;
	const struct ui_dfield	*f;
	struct pager_arg	 a;
	enum ui_color		 role;
	char			*title, *ls, *lt, *lr, marker;
	const char		*from;

	if (d->d.nf == 0)
		return;
	f = &d->d.f[d->d.cur];
	xasprintf(&title, "Conflict %lld, column %s%s", (long long)d->id,
	    f->col, f->differs ? " (differs)" : "");
	xasprintf(&ls, "SOURCE %s", d->d.c.source != NULL ? d->d.c.source :
	    "");
	xasprintf(&lt, "TARGET %s", d->d.c.target != NULL ? d->d.c.target :
	    "");
	a.title = title;
	a.label[0] = ls;
	a.text[0] = diff_side_cell(f->src, d->d.src_absent, 0, &role);
	a.label[1] = lt;
	a.text[1] = diff_side_cell(f->tgt, d->d.tgt_absent, 0, &role);
	a.text[2] = diff_result_cell(d, d->d.cur, &role, &marker);
	if (!d->readonly && !ui_diff_fieldwise(&d->d))
		(void)diff_result_cell(d, 0, &role, &marker);
	switch (marker) {
	case '<':
		from = " (from the source)";
		break;
	case '>':
		from = " (from the target)";
		break;
	case '=':
		from = " (edited)";
		break;
	case '0':
		from = " (set to NULL)";
		break;
	case '?':
		from = " (the newer row's, decided when resolving)";
		break;
	default:
		from = "";
		break;
	}
	if (!d->readonly && !d->d.newer && !ui_diff_fieldwise(&d->d) &&
	    d->d.cur != 0 && *a.text[2] == '\0')
		a.text[2] = "(row deleted)";
	xasprintf(&lr, "%s%s", diff_resolved(d) ? "WRITTEN" : "RESULT",
	    from);
	a.label[2] = lr;
	ui_push(v->ui, &diff_pager_ops, &a);
	free(title);
	free(ls);
	free(lt);
	free(lr);
}

/* ---- keys and the engine's answer ---- */

/* Whether choices may be made now; says why not on the status line. */
static int
diff_can_choose(struct view *v, int fieldwise)
{
	struct diff	*d = v->priv;

	if (d->readonly) {
		ui_status(v->ui, UI_C_WARN, "Conflict %lld is %s: nothing to "
		    "choose", (long long)d->id, d->d.c.status);
		return 0;
	}
	if (d->req != 0) {
		ui_status(v->ui, UI_C_WARN, "Resolving: wait for the answer");
		return 0;
	}
	if (fieldwise && !ui_diff_fieldwise(&d->d)) {
		ui_status(v->ui, UI_C_WARN, "The row is deleted on the %s: "
		    "choose the whole row with S or T",
		    d->d.src_absent ? "source" : "target");
		return 0;
	}
	if (fieldwise && d->d.nf == 0)
		return 0;
	return 1;
}

static void
diff_edit(struct view *v)
{
	struct diff		*d = v->priv;
	const struct ui_dfield	*f;
	const char		*cur;
	char			*prompt, *s;

	if (!diff_can_choose(v, 1))
		return;
	f = &d->d.f[d->d.cur];
	cur = ui_diff_result(&d->d, d->d.cur, NULL);
	if (d->d.newer)
		cur = f->src;
	xasprintf(&prompt, "%s = ", f->col);
	s = ui_prompt(v->ui, prompt, cur != NULL ? cur : "");
	free(prompt);
	if (s == NULL)
		return;
	ui_diff_edit(&d->d, d->d.cur, s);
	free(s);
}

static void
diff_note(struct view *v)
{
	struct diff	*d = v->priv;
	char		*s;

	if (!diff_can_choose(v, 0))
		return;
	s = ui_prompt(v->ui, "Note (empty: none): ", d->d.note);
	if (s == NULL)
		return;
	ui_diff_set_note(&d->d, s);
	free(s);
}

static void
diff_resolve(struct view *v)
{
	struct diff	*d = v->priv;
	struct msg	*m;

	if (d->req != 0) {
		ui_status(v->ui, UI_C_WARN, "Resolving: wait for the answer");
		return;
	}
	if (d->readonly) {
		ui_status(v->ui, UI_C_WARN, "Conflict %lld is %s: it cannot be "
		    "resolved here%s", (long long)d->id, d->d.c.status,
		    strcmp(d->d.c.status, "stale") == 0 ?
		    " (run the sync again)" : "");
		return;
	}
	m = msg_new(MSG_CMD_RESOLVE);
	m->id = d->id;
	m->resolve = ui_diff_resolution(&d->d);
	d->req = ui_send(v->ui, m);
	ui_status(v->ui, UI_C_NORMAL, "resolving conflict %lld...",
	    (long long)d->id);
}

static enum ui_result
diff_key(struct view *v, int ch, enum ui_req req)
{
	struct diff	*d = v->priv;
	int		 vis = diff_visible(v), last = d->d.nf - 1;

	switch (req) {
	case REQ_UP:
		if (d->d.cur > 0)
			d->d.cur--;
		return UI_HANDLED;
	case REQ_DOWN:
		if (d->d.cur < last)
			d->d.cur++;
		return UI_HANDLED;
	case REQ_PGUP:
		d->d.cur = d->d.cur > vis ? d->d.cur - vis : 0;
		return UI_HANDLED;
	case REQ_PGDN:
		d->d.cur = d->d.cur + vis < last ? d->d.cur + vis :
		    (last > 0 ? last : 0);
		return UI_HANDLED;
	case REQ_HOME:
		d->d.cur = 0;
		return UI_HANDLED;
	case REQ_END:
		d->d.cur = last > 0 ? last : 0;
		return UI_HANDLED;
	case REQ_LEFT:
		ch = 's';
		break;
	case REQ_RIGHT:
		ch = 't';
		break;
	case REQ_ENTER:
		ch = 'v';
		break;
	default:
		break;
	}
	switch (ch) {
	case 's':
	case 't':
	case 'n':
		if (diff_can_choose(v, 1))
			ui_diff_pick(&d->d, d->d.cur, ch == 's' ?
			    UI_PICK_SOURCE : ch == 't' ? UI_PICK_TARGET :
			    UI_PICK_NULL);
		return UI_HANDLED;
	case 'e':
		diff_edit(v);
		return UI_HANDLED;
	case 'S':
	case 'T':
		if (diff_can_choose(v, 0))
			ui_diff_whole(&d->d, ch == 'S' ? UI_PICK_SOURCE :
			    UI_PICK_TARGET);
		return UI_HANDLED;
	case 'W':
		if (diff_can_choose(v, 0)) {
			ui_diff_whole_newer(&d->d);
			if (d->d.c.timestamp_column == NULL)
				ui_status(v->ui, UI_C_WARN, "The table has no "
				    "timestamp column known: resolving may "
				    "not tell which row is newer");
		}
		return UI_HANDLED;
	case 'N':
		diff_note(v);
		return UI_HANDLED;
	case 'v':
		diff_view_field(v);
		return UI_HANDLED;
	case 'r':
		diff_resolve(v);
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static enum ui_result
diff_on_msg(struct view *v, const struct msg *m)
{
	struct diff	*d = v->priv;
	struct ps_error	 err;

	switch (m->type) {
	case MSG_EV_RESOLVED:
		if (d->req == 0 || m->req_id != d->req)
			break;
		d->req = 0;
		if (m->ok) {
			ui_status(v->ui, UI_C_OK, "Conflict %lld resolved",
			    (long long)d->id);
			return UI_CLOSE;
		}
		if (m->code == PS_ERR_STALE) {
			ui_status(v->ui, UI_C_WARN, "Conflict %lld is stale: "
			    "the rows changed since the sync; run the sync "
			    "again", (long long)d->id);
			if (diff_load(d, v->ui->hist, d->id, &err) != 0)
				ui_status(v->ui, UI_C_ERROR, "%s", err.msg);
			return UI_REDRAW;
		}
		ui_status(v->ui, UI_C_ERROR, "Conflict %lld not resolved: %s",
		    (long long)d->id, m->text != NULL ? m->text : "error");
		return UI_REDRAW;
	case MSG_EV_JOB_DONE:
	case MSG_EV_RESOLVE_ALL_DONE:
		diff_refresh(v);
		return UI_REDRAW;
	default:
		break;
	}
	return UI_IGNORED;
}

const struct view_ops ui_diff_ops = {
	.name = "Conflict",
	.priv_size = sizeof (struct diff),
	.footer = diff_footer,
	.open = diff_open,
	.close = diff_close,
	.draw = diff_draw,
	.key = diff_key,
	.on_msg = diff_on_msg,
	.reload = diff_refresh,
	.help = "One conflict side by side: SOURCE | TARGET | RESULT, one "
	    "line per column; '*' marks a column that differs, and the "
	    "result's marker tells where it comes from (< source, > target, "
	    "= edited, 0 NULL, ? the newer row).  Up/Down select a column; "
	    "s or Left takes the source's value, t or Right the target's, "
	    "e edits it, n sets it to NULL.  S, T and W choose the whole "
	    "row: the source, the target, or the newer one.  N adds a note.  "
	    "v or Enter shows the column's values in full.  r resolves: the "
	    "chosen row is written at once; when a row changed since the "
	    "sync the conflict becomes stale and the sync must run again.  "
	    "A resolved conflict shows what was written.",
};
