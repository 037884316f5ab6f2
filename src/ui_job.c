/*
 * projsync - ui_job.c: the Job detail: a job's status, source and target,
 * progress, counts, duration and throughput, its per-table breakdown and
 * its log.  The live job is followed through the application's live state
 * until it ends, then read back from the history, so the figures shown at
 * the end are the recorded ones; any other job is read from the history.
 */
#include "projsync/common.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "projsync/log.h"
#include "projsync/util.h"
#include "ui_int.h"

#define JOB_STATUS_W	9	/* the table columns */
#define JOB_COMPARED_W	11
#define JOB_COUNT_W	10
#define JOB_CONFL_W	7
#define JOB_ERR_W	6
#define JOB_FIXED_W	(JOB_STATUS_W + JOB_COMPARED_W + 3 * JOB_COUNT_W + \
			    JOB_CONFL_W + JOB_ERR_W)
#define JOB_ITEMS	12	/* figures in the counts block */
#define JOB_HSTEP	16	/* Left and Right move the log this far */
#define JOB_HMAX	4096

enum job_focus { JOB_FOCUS_LOG, JOB_FOCUS_TABLES };

struct jobview {
	int64_t			 id;		/* 0: no id (yet) */
	int			 live;		/* drawn from ui->live */
	uint64_t		 req_id;	/* the live job's request */
	struct job_row		 job;		/* the history's row */
	int			 have_job;
	struct job_table_row	*tabs;
	int			 ntabs;
	struct log_row		*logs;
	int			 nlogs;
	enum job_focus		 focus;
	int			 ttop;		/* the first table shown */
	int64_t			 lfirst;	/* the first log line shown */
	int			 hcol;		/* log columns scrolled off */
	int			 follow;	/* the log follows its tail */
	char			 err[sizeof ((struct ps_error *)0)->msg];
};

/* A table of the job as drawn, from the live state or the history. */
struct job_trow {
	const char		 *name;
	const char		 *status;
	enum ui_color		  role;
	const struct sync_counts *counts;
	const char		 *message;
	char			  buf[16];
};

/* A figure of the counts block: "inserted 1,234". */
struct job_item {
	const char	*label;
	char		 value[32];
	enum ui_color	 role;
};

/* How the body is shared out. */
struct job_layout {
	int	head;		/* lines above the tables, the rule included */
	int	tables;		/* the tables' lines, their header included */
	int	log;		/* the log's lines, its header included */
	int	scroll_tables;	/* the tables do not all fit */
};

static const struct footer_key job_footer[] = {
	{ "Up/Down", "scroll" },
	{ "Tab", "panel" },
	{ "x", "cancel" },
	{ "c", "conflicts" },
	{ "r", "reload" },
	{ "?", "help" },
	{ "q", "back" },
	{ NULL, NULL }
};

/* ---- the data ---- */

static void
job_free_data(struct jobview *d)
{
	if (d->have_job)
		job_row_free(&d->job);
	d->have_job = 0;
	job_table_rows_free(d->tabs, d->ntabs);
	d->tabs = NULL;
	d->ntabs = 0;
	log_rows_free(d->logs, d->nlogs);
	d->logs = NULL;
	d->nlogs = 0;
}

/* Read the job's row alone (the live job's options and start time). */
static void
job_load_row(struct view *v)
{
	struct jobview	*d = v->priv;
	struct ps_error	 err;

	if (d->have_job)
		job_row_free(&d->job);
	d->have_job = 0;
	if (history_job_get(v->ui->hist, d->id, &d->job, &err) != 0) {
		snprintf(d->err, sizeof d->err, "%s", err.msg);
		return;
	}
	d->have_job = 1;
}

/* Read job D->id with its tables and log from the history; -1 on error. */
static int
job_load(struct view *v)
{
	struct jobview	*d = v->priv;
	struct ps_error	 err;

	job_free_data(d);
	d->err[0] = '\0';
	if (history_job_get(v->ui->hist, d->id, &d->job, &err) != 0)
		goto fail;
	d->have_job = 1;
	if (history_job_get_tables(v->ui->hist, d->id, &d->tabs, &d->ntabs,
	    &err) != 0 ||
	    history_logs(v->ui->hist, d->id, &d->logs, &d->nlogs, &err) != 0)
		goto fail;
	return 0;

fail:
	snprintf(d->err, sizeof d->err, "%s", err.msg);
	ui_status(v->ui, UI_C_ERROR, "%s", err.msg);
	return -1;
}

/*
 * Keep up with the live job: take its id once the engine gave one, and
 * read it from the history once it has ended (or when another job has
 * taken its place).
 */
static void
job_follow_live(struct view *v)
{
	struct jobview	*d = v->priv;
	struct ui_live	*l = &v->ui->live;

	if (!d->live)
		return;
	if (l->req_id != d->req_id) {
		d->live = 0;
		if (d->id > 0)
			job_load(v);
		else
			snprintf(d->err, sizeof d->err, "This job ended "
			    "before it had an id; its log is gone.");
		return;
	}
	if (l->job_id > 0 && d->id != l->job_id) {
		d->id = l->job_id;
		job_load_row(v);
	}
	if (!l->running && d->id > 0) {
		d->live = 0;
		job_load(v);
	}
}

static enum job_status
job_status_parse(const char *s)
{
	enum job_status	st;

	if (s == NULL)
		return JOB_FAILED;
	for (st = JOB_RUNNING; st <= JOB_CANCELLED; st++)
		if (strcmp(job_status_name(st), s) == 0)
			return st;
	return JOB_FAILED;
}

/* Whether the job is the live one and still running. */
static int
job_running(struct view *v)
{
	struct jobview	*d = v->priv;

	return d->live && v->ui->live.running;
}

static enum job_status
job_status(struct view *v)
{
	struct jobview	*d = v->priv;

	if (d->live)
		return v->ui->live.running ? JOB_RUNNING : v->ui->live.status;
	return d->have_job ? job_status_parse(d->job.status) : JOB_FAILED;
}

static const struct sync_counts *
job_counts(struct view *v)
{
	struct jobview			*d = v->priv;
	static const struct sync_counts	 none;

	if (d->live)
		return &v->ui->live.counts;
	return d->have_job ? &d->job.counts : &none;
}

static int
job_ntables(struct view *v)
{
	struct jobview	*d = v->priv;

	return d->live ? v->ui->live.ntables : d->ntabs;
}

static enum ui_color
job_table_role(const char *status)
{
	if (strcmp(status, "synced") == 0 || strcmp(status, "done") == 0)
		return UI_C_OK;
	if (strcmp(status, "failed") == 0)
		return UI_C_ERROR;
	if (strcmp(status, "skipped") == 0 || strcmp(status, "running") == 0)
		return UI_C_WARN;
	return UI_C_NORMAL;
}

static void
job_table_at(struct view *v, int i, struct job_trow *r)
{
	struct jobview			*d = v->priv;
	const struct ui_live_table	*t;

	memset(r, 0, sizeof *r);
	if (!d->live) {
		r->name = d->tabs[i].name;
		r->status = d->tabs[i].status != NULL ? d->tabs[i].status :
		    "-";
		r->counts = &d->tabs[i].counts;
		r->message = d->tabs[i].message;
		r->role = job_table_role(r->status);
		return;
	}
	t = &v->ui->live.tables[i];
	r->name = t->name;
	r->counts = &t->counts;
	if (t->status != NULL)
		r->status = t->status;
	else if (!v->ui->live.running)
		r->status = "-";
	else if (t->total > 0) {
		snprintf(r->buf, sizeof r->buf, "%d%%", (int)(100.0 *
		    (double)(t->done < t->total ? t->done : t->total) /
		    (double)t->total));
		r->status = r->buf;
	} else
		r->status = "running";
	r->role = t->status == NULL && v->ui->live.running ? UI_C_WARN :
	    job_table_role(r->status);
}

static int
job_nlogs(struct view *v)
{
	struct jobview	*d = v->priv;

	return d->live ? v->ui->live.nlogs : d->nlogs;
}

/* The number of the first line held (the live ring forgets the oldest). */
static int64_t
job_log_base(struct view *v)
{
	struct jobview	*d = v->priv;

	if (d->live)
		return v->ui->live.log_seq - v->ui->live.nlogs;
	return 0;
}

static int
job_log_level(const char *s)
{
	if (s == NULL)
		return LOG_INFO;
	if (strcmp(s, "error") == 0)
		return LOG_ERROR;
	if (strcmp(s, "warn") == 0)
		return LOG_WARN;
	if (strcmp(s, "debug") == 0)
		return LOG_DEBUG;
	return LOG_INFO;
}

static void
job_log_at(struct view *v, int i, double *t, int *level, const char **text)
{
	struct jobview		*d = v->priv;
	const struct ui_live	*l = &v->ui->live;
	const struct ui_live_log *e;

	if (d->live) {
		e = &l->logs[(l->log_head + i) % UI_LOG_LINES];
		*t = e->time;
		*level = e->level;
		*text = e->text;
		return;
	}
	*t = d->logs[i].time;
	*level = job_log_level(d->logs[i].level);
	*text = d->logs[i].message != NULL ? d->logs[i].message : "";
}

/* The direction and strategy a history job was run with, from its options. */
static void
job_options(const char *json, int *bidir, char *strategy, size_t len)
{
	const char	*p, *q;

	*bidir = 0;
	snprintf(strategy, len, "%s", "");
	if (json == NULL)
		return;
	*bidir = strstr(json, "\"bidirectional\":true") != NULL;
	if ((p = strstr(json, "\"strategy\":\"")) == NULL)
		return;
	p += strlen("\"strategy\":\"");
	if ((q = strchr(p, '"')) == NULL)
		return;
	snprintf(strategy, len, "%.*s", (int)(q - p), p);
}

/* ---- the layout ---- */

static void
job_item(struct job_item *it, const char *label, int64_t n,
    enum ui_color role)
{
	it->label = label;
	ui_fmt_count(n, it->value, sizeof it->value);
	it->role = n > 0 ? role : UI_C_NORMAL;
}

/* The figures of the counts block; returns how many. */
static int
job_items(struct view *v, struct job_item *it)
{
	struct jobview			*d = v->priv;
	const struct ui_live		*l = &v->ui->live;
	const struct sync_counts	*c = job_counts(v);
	double				 secs, rate;
	int				 n = 0;

	job_item(&it[n++], "compared", c->rows_compared, UI_C_NORMAL);
	job_item(&it[n++], "inserted", c->inserted, UI_C_NORMAL);
	job_item(&it[n++], "updated", c->updated, UI_C_NORMAL);
	job_item(&it[n++], "deleted", c->deleted, UI_C_NORMAL);
	job_item(&it[n++], "conflicts", c->conflicts, UI_C_WARN);
	job_item(&it[n++], "pending", c->pending_conflicts, UI_C_WARN);
	job_item(&it[n++], "errors", c->errors, UI_C_ERROR);
	if (d->live) {
		secs = l->running ? util_monotonic() - l->started :
		    l->duration;
		rate = secs > 0 ? (double)(l->running ? l->done :
		    c->rows_compared) / secs : 0;
	} else if (d->have_job && d->job.finished_at == 0 &&
	    job_status(v) == JOB_RUNNING) {
		secs = util_now() - d->job.started_at;
		rate = 0;
	} else {
		secs = d->have_job ? d->job.duration_s : 0;
		rate = d->have_job ? d->job.rows_per_s : 0;
	}
	it[n].label = "duration";
	ui_fmt_duration(secs, it[n].value, sizeof it[n].value);
	it[n++].role = UI_C_NORMAL;
	job_item(&it[n++], "rows/s", (int64_t)(rate + 0.5), UI_C_NORMAL);
	return n;
}

/*
 * Lay the figures out in lines of W columns from (Y, X), drawing them
 * when DRAW.  Returns the lines used.
 */
static int
job_flow(int y, int x, int w, const struct job_item *it, int n, int draw)
{
	int	i, cx = 0, lines = 1, iw;

	for (i = 0; i < n; i++) {
		iw = ui_text_width(it[i].label) + 1 +
		    ui_text_width(it[i].value);
		if (cx > 0 && cx + 3 + iw > w) {
			lines++;
			cx = 0;
		} else if (cx > 0)
			cx += 3;
		if (draw) {
			ui_draw_text(y + lines - 1, x + cx, w - cx, UI_C_DIM,
			    it[i].label, 0);
			ui_draw_text(y + lines - 1, x + cx +
			    ui_text_width(it[i].label) + 1, w - cx -
			    ui_text_width(it[i].label) - 1, it[i].role,
			    it[i].value, 0);
		}
		cx += iw;
	}
	return lines;
}

/* The job's error, or NULL. */
static const char *
job_error(struct view *v)
{
	struct jobview	*d = v->priv;

	if (d->live)
		return v->ui->live.error;
	return d->have_job ? d->job.error : NULL;
}

static void
job_layout(struct view *v, struct job_layout *lay)
{
	struct job_item	it[JOB_ITEMS];
	int		n, avail, tw, lw;

	n = job_items(v, it);
	/* Title, times or progress, the figures, the error, the rule. */
	lay->head = 2 + job_flow(0, 1, v->w - 2, it, n, 0) + 1;
	if (job_error(v) != NULL)
		lay->head++;
	if (lay->head > v->h - 4)
		lay->head = v->h - 4;
	avail = v->h - lay->head;
	tw = 1 + (job_ntables(v) > 0 ? job_ntables(v) : 1);
	lw = 1 + (job_nlogs(v) > 0 ? job_nlogs(v) : 1);
	if (tw + lw <= avail || tw <= avail / 2)
		lay->tables = tw;
	else if (lw <= avail / 2)
		lay->tables = avail - lw;
	else
		lay->tables = avail / 2;
	if (lay->tables < 2)
		lay->tables = 2;
	lay->log = avail - lay->tables;
	lay->scroll_tables = tw > lay->tables;
}

/* The first log line to show, for VISIBLE lines. */
static int64_t
job_log_first(struct view *v, int visible)
{
	struct jobview	*d = v->priv;
	int64_t		 base = job_log_base(v), last;
	int		 n = job_nlogs(v);

	last = base + (n > visible ? n - visible : 0);
	if (d->follow)
		return last;
	if (d->lfirst < base)
		return base;
	if (d->lfirst > last)
		return last;
	return d->lfirst;
}

/* ---- drawing ---- */

static void
job_draw_head(struct view *v, int y, const struct job_layout *lay)
{
	struct jobview		*d = v->priv;
	struct ui		*ui = v->ui;
	const struct ui_live	*l = &ui->live;
	struct job_item		 it[JOB_ITEMS];
	struct strbuf		 sb = STRBUF_INIT;
	enum job_status		 st = job_status(v);
	char			 a[32], b[32], strategy[32];
	const char		*e;
	int			 x, n, bidir, bw;

	if (d->id > 0)
		x = 1 + ui_draw_fmt(y, 1, v->w - 2, UI_C_HEADER, 0,
		    "Job %lld", (long long)d->id);
	else
		x = 1 + ui_draw_text(y, 1, v->w - 2, UI_C_HEADER,
		    job_running(v) ? "Job (starting)" : "Job (never started)",
		    0);
	x += 2 + ui_draw_fmt(y, x + 2, v->w - x - 3, ui_status_color(st), 0,
	    "[%s]", d->live && l->cancelling ? "cancelling" :
	    ui_status_label(st));
	if (d->live && !d->have_job)
		sb_addstr(&sb, l->label != NULL ? l->label : "");
	else if (d->have_job) {
		job_options(d->job.options, &bidir, strategy,
		    sizeof strategy);
		sb_addf(&sb, "%s %s %s", d->job.source != NULL ?
		    d->job.source : "?", bidir ? "<->" : "->",
		    d->job.target != NULL ? d->job.target : "?");
		if (strategy[0] != '\0')
			sb_addf(&sb, "  %s, %s", bidir ? "bidirectional" :
			    "one-way", strategy);
		if (d->job.dry_run)
			sb_addstr(&sb, "  (dry run)");
	}
	ui_draw_text(y, x + 2, v->w - x - 3, UI_C_NORMAL, sb_str(&sb), 0);
	sb_free(&sb);
	y++;

	if (job_running(v)) {
		ui_fmt_count(l->done, a, sizeof a);
		ui_fmt_count(l->total, b, sizeof b);
		bw = v->w - 2 - 34;
		ui_draw_bar(y, 1, bw, l->total > 0 ? (double)l->done /
		    (double)l->total : -1);
		if (l->total > 0)
			ui_draw_fmt(y, bw + 2, v->w - bw - 3, UI_C_NORMAL, 0,
			    "%s / %s keys", a, b);
		else
			ui_draw_fmt(y, bw + 2, v->w - bw - 3, UI_C_NORMAL, 0,
			    "%s keys", a);
	} else if (d->have_job) {
		ui_draw_fmt(y, 1, v->w - 2, UI_C_DIM, 0, "started %s   "
		    "finished %s   by %s", ui_fmt_time(d->job.started_at, a,
		    sizeof a), ui_fmt_time(d->job.finished_at, b, sizeof b),
		    d->job.os_user != NULL ? d->job.os_user : "-");
	} else if (d->err[0] != '\0')
		ui_draw_text(y, 1, v->w - 2, UI_C_ERROR, d->err, 0);
	y++;

	n = job_items(v, it);
	y += job_flow(y, 1, v->w - 2, it, n, 1);
	if ((e = job_error(v)) != NULL && y < ui_body_top() + lay->head - 1)
		ui_draw_fmt(y++, 1, v->w - 2, UI_C_ERROR, 0, "! %s", e);
	ui_draw_hline(ui_body_top() + lay->head - 1, 0, v->w);
}

/* The width of the tables' name column. */
static int
job_name_width(struct view *v)
{
	struct job_trow	r;
	int		i, w = 6, max;

	for (i = 0; i < job_ntables(v); i++) {
		job_table_at(v, i, &r);
		if (ui_text_width(r.name) > w)
			w = ui_text_width(r.name);
	}
	max = v->w - 2 - JOB_FIXED_W;
	if (max > 32 && v->w - 2 - JOB_FIXED_W - 32 >= 20)
		max = 32;	/* room for the message column */
	if (w > max)
		w = max;
	return w < 6 ? 6 : w;
}

/* A numeric column, right-aligned. */
static int
job_draw_count(int y, int x, int w, enum ui_color role, int64_t n)
{
	char	buf[32];

	ui_draw_right(y, x, w, role, ui_fmt_count(n, buf, sizeof buf));
	return x + w;
}

static void
job_draw_tables(struct view *v, int y, const struct job_layout *lay)
{
	struct jobview	*d = v->priv;
	struct job_trow	 r;
	int		 nw = job_name_width(v), rows = lay->tables - 1;
	int		 n = job_ntables(v), i, x, max;
	const struct sync_counts *c;

	max = n > rows ? n - rows : 0;
	if (d->ttop > max)
		d->ttop = max;
	if (d->ttop < 0)
		d->ttop = 0;
	ui_draw_blank(y, 0, v->w, UI_C_HEADER);
	ui_draw_text(y, 0, 1, UI_C_HEADER, lay->scroll_tables &&
	    d->focus == JOB_FOCUS_TABLES ? ">" : " ", 0);
	ui_draw_text(y, 1, nw, UI_C_HEADER, "Tables", 1);
	x = 2 + nw;
	ui_draw_text(y, x, JOB_STATUS_W, UI_C_HEADER, "status", 1);
	x += JOB_STATUS_W;
	ui_draw_right(y, x, JOB_COMPARED_W, UI_C_HEADER, "compared");
	x += JOB_COMPARED_W;
	ui_draw_right(y, x, JOB_COUNT_W, UI_C_HEADER, "ins");
	x += JOB_COUNT_W;
	ui_draw_right(y, x, JOB_COUNT_W, UI_C_HEADER, "upd");
	x += JOB_COUNT_W;
	ui_draw_right(y, x, JOB_COUNT_W, UI_C_HEADER, "del");
	x += JOB_COUNT_W;
	ui_draw_right(y, x, JOB_CONFL_W, UI_C_HEADER, "confl");
	x += JOB_CONFL_W;
	ui_draw_right(y, x, JOB_ERR_W, UI_C_HEADER, "err");
	x += JOB_ERR_W;
	if (x + 12 < v->w)
		ui_draw_text(y, x + 2, v->w - x - 2, UI_C_HEADER, "message",
		    0);
	y++;
	if (n == 0) {
		ui_draw_text(y, 2, v->w - 2, UI_C_DIM, job_running(v) ?
		    "(no table started yet)" : "(no tables)", 0);
		return;
	}
	for (i = 0; i < rows && d->ttop + i < n; i++) {
		job_table_at(v, d->ttop + i, &r);
		c = r.counts;
		ui_draw_text(y + i, 1, nw, UI_C_NORMAL, r.name, 1);
		x = 2 + nw;
		ui_draw_text(y + i, x, JOB_STATUS_W, r.role, r.status, 1);
		x += JOB_STATUS_W;
		x = job_draw_count(y + i, x, JOB_COMPARED_W, UI_C_NORMAL,
		    c->rows_compared);
		x = job_draw_count(y + i, x, JOB_COUNT_W, UI_C_NORMAL,
		    c->inserted);
		x = job_draw_count(y + i, x, JOB_COUNT_W, UI_C_NORMAL,
		    c->updated);
		x = job_draw_count(y + i, x, JOB_COUNT_W, UI_C_NORMAL,
		    c->deleted);
		x = job_draw_count(y + i, x, JOB_CONFL_W, c->conflicts > 0 ?
		    UI_C_WARN : UI_C_NORMAL, c->conflicts);
		x = job_draw_count(y + i, x, JOB_ERR_W, c->errors > 0 ?
		    UI_C_ERROR : UI_C_NORMAL, c->errors);
		if (r.message != NULL && x + 12 < v->w)
			ui_draw_text(y + i, x + 2, v->w - x - 3, UI_C_DIM,
			    r.message, 0);
	}
}

/* S after its first COLS display columns. */
static const char *
job_skip_cols(const char *s, int cols)
{
	mbstate_t	 ps;
	char		 ch[8];
	size_t		 n;

	memset(&ps, 0, sizeof ps);
	while (cols > 0 && *s != '\0') {
		n = mbrlen(s, MB_CUR_MAX, &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0 ||
		    n >= sizeof ch) {
			memset(&ps, 0, sizeof ps);
			n = 1;
		}
		memcpy(ch, s, n);
		ch[n] = '\0';
		cols -= ui_text_width(ch);
		s += n;
	}
	return s;
}

static void
job_draw_log(struct view *v, int y, const struct job_layout *lay)
{
	struct jobview	*d = v->priv;
	struct tm	 tm;
	time_t		 tt;
	const char	*text, *tag;
	char		 when[16], buf[64];
	double		 t;
	int		 n = job_nlogs(v), rows = lay->log - 1, i, level, x, nt;
	int64_t		 first = job_log_first(v, rows), base = job_log_base(v);
	enum ui_color	 role;

	if (rows < 0)
		return;
	ui_draw_blank(y, 0, v->w, UI_C_HEADER);
	ui_draw_text(y, 0, 1, UI_C_HEADER, lay->scroll_tables &&
	    d->focus == JOB_FOCUS_LOG ? ">" : " ", 0);
	x = 1 + ui_draw_text(y, 1, v->w - 1, UI_C_HEADER, "Log", 0);
	if (n > rows)
		x += 2 + ui_draw_fmt(y, x + 2, v->w - x - 2, UI_C_HEADER, 0,
		    "%lld-%lld of %d%s", (long long)(first - base + 1),
		    (long long)(first - base + rows), n, d->follow ?
		    (job_running(v) ? "  following" : "") :
		    "  (End: follow)");
	if (d->hcol > 0)
		x += 2 + ui_draw_fmt(y, x + 2, v->w - x - 2, UI_C_HEADER, 0,
		    "from column %d", d->hcol + 1);
	if (lay->scroll_tables) {
		nt = job_ntables(v);
		snprintf(buf, sizeof buf, "tables %d-%d of %d (Tab) ",
		    d->ttop + 1, d->ttop + lay->tables - 1 < nt ?
		    d->ttop + lay->tables - 1 : nt, nt);
		if (x + 2 + ui_text_width(buf) < v->w)
			ui_draw_right(y, x, v->w - x, UI_C_HEADER, buf);
	}
	y++;
	if (n == 0) {
		ui_draw_text(y, 2, v->w - 2, UI_C_DIM, job_running(v) ?
		    "(waiting for the engine...)" : "(empty)", 0);
		return;
	}
	for (i = 0; i < rows && first - base + i < n; i++) {
		job_log_at(v, (int)(first - base) + i, &t, &level, &text);
		tt = (time_t)t;
		if (localtime_r(&tt, &tm) == NULL ||
		    strftime(when, sizeof when, "%H:%M:%S", &tm) == 0)
			snprintf(when, sizeof when, "--:--:--");
		switch (level) {
		case LOG_ERROR:
			role = UI_C_ERROR;
			tag = "error";
			break;
		case LOG_WARN:
			role = UI_C_WARN;
			tag = "warn";
			break;
		case LOG_DEBUG:
			role = UI_C_DIM;
			tag = "debug";
			break;
		default:
			role = UI_C_NORMAL;
			tag = "info";
			break;
		}
		ui_draw_text(y + i, 1, 9, UI_C_DIM, when, 1);
		ui_draw_text(y + i, 10, 6, role, tag, 1);
		ui_draw_text(y + i, 16, v->w - 17, role, job_skip_cols(text,
		    d->hcol), 0);
	}
}

static void
job_draw(struct view *v)
{
	struct job_layout	lay;
	int			y = ui_body_top();

	job_layout(v, &lay);
	job_draw_head(v, y, &lay);
	y += lay.head;
	job_draw_tables(v, y, &lay);
	y += lay.tables;
	job_draw_log(v, y, &lay);
}

/* ---- the view ---- */

static int
job_open(struct view *v, const void *arg)
{
	struct jobview	*d = v->priv;
	struct ui	*ui = v->ui;
	int64_t		 id = arg != NULL ? *(const int64_t *)arg : 0;

	d->follow = 1;
	d->focus = JOB_FOCUS_LOG;
	if (id == 0 || (ui->live.req_id != 0 && id == ui->live.job_id)) {
		if (ui->live.req_id == 0) {
			ui_status(ui, UI_C_WARN, "No job has run yet");
			return -1;
		}
		d->live = 1;
		d->req_id = ui->live.req_id;
		job_follow_live(v);
		return 0;
	}
	d->id = id;
	if (job_load(v) != 0 && !d->have_job) {
		job_free_data(d);
		return -1;
	}
	return 0;
}

static void
job_close(struct view *v)
{
	job_free_data(v->priv);
}

static void
job_reload(struct view *v)
{
	struct jobview	*d = v->priv;

	if (d->live)
		job_follow_live(v);
	else
		job_load(v);
}

/* Scroll the log by DELTA lines (INT_MAX: to the tail). */
static void
job_scroll_log(struct view *v, int64_t delta, int rows)
{
	struct jobview	*d = v->priv;
	int64_t		 first = job_log_first(v, rows), last;
	int		 n = job_nlogs(v);

	last = job_log_base(v) + (n > rows ? n - rows : 0);
	first += delta;
	if (first < job_log_base(v))
		first = job_log_base(v);
	d->follow = first >= last;
	d->lfirst = first > last ? last : first;
}

static void
job_scroll_tables(struct view *v, int delta, const struct job_layout *lay)
{
	struct jobview	*d = v->priv;
	int		 rows = lay->tables - 1, n = job_ntables(v), max;

	max = n > rows ? n - rows : 0;
	if (delta < 0 && -delta > d->ttop)
		d->ttop = 0;
	else if (delta > max - d->ttop)
		d->ttop = max;
	else
		d->ttop += delta;
}

static enum ui_result
job_key(struct view *v, int ch, enum ui_req req)
{
	struct jobview		*d = v->priv;
	struct ui		*ui = v->ui;
	struct job_layout	 lay;
	struct ui_conflicts_arg	 ca;
	int			 page, tables;

	job_follow_live(v);
	job_layout(v, &lay);
	tables = lay.scroll_tables && d->focus == JOB_FOCUS_TABLES;
	page = tables ? lay.tables - 1 : lay.log - 1;
	if (page < 1)
		page = 1;
	switch (req) {
	case REQ_UP:
	case REQ_DOWN:
	case REQ_PGUP:
	case REQ_PGDN:
	case REQ_HOME:
	case REQ_END:
		if (req == REQ_UP)
			page = -1;
		else if (req == REQ_DOWN)
			page = 1;
		else if (req == REQ_PGUP)
			page = -page;
		else if (req == REQ_HOME)
			page = -INT_MAX;
		else if (req == REQ_END)
			page = INT_MAX;
		if (tables)
			job_scroll_tables(v, page, &lay);
		else
			job_scroll_log(v, page, lay.log - 1);
		return UI_HANDLED;
	case REQ_LEFT:
		d->hcol = d->hcol > JOB_HSTEP ? d->hcol - JOB_HSTEP : 0;
		return UI_HANDLED;
	case REQ_RIGHT:
		if (d->hcol < JOB_HMAX)
			d->hcol += JOB_HSTEP;
		return UI_HANDLED;
	case REQ_TAB:
		if (lay.scroll_tables)
			d->focus = d->focus == JOB_FOCUS_LOG ?
			    JOB_FOCUS_TABLES : JOB_FOCUS_LOG;
		else
			ui_status(ui, UI_C_NORMAL, "Every table is shown: "
			    "the arrows scroll the log");
		return UI_HANDLED;
	default:
		break;
	}
	switch (ch) {
	case 'x':
		if (!job_running(v)) {
			ui_status(ui, UI_C_NORMAL, "This job is not running");
		} else if (ui->live.cancelling) {
			ui_status(ui, UI_C_WARN, "Job %lld is being cancelled",
			    (long long)ui->live.job_id);
		} else if (ui_confirm(ui, "Cancel %s%.0lld? The batch in "
		    "flight is rolled back", d->id > 0 ? "job " : "the job",
		    (long long)d->id))
			ui_cancel_job(ui);
		return UI_HANDLED;
	case 'c':
		if (d->id <= 0) {
			ui_status(ui, UI_C_NORMAL, job_running(v) ? "The job "
			    "has no id yet" : "The job never started: it met "
			    "no conflict");
			return UI_HANDLED;
		}
		memset(&ca, 0, sizeof ca);
		ca.job_id = d->id;
		ui_push(ui, &ui_conflicts_ops, &ca);
		return UI_HANDLED;
	case 'r':
		if (d->live)
			job_follow_live(v);
		else if (job_load(v) == 0)
			ui_status(ui, UI_C_NORMAL, "Job %lld reloaded",
			    (long long)d->id);
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static enum ui_result
job_on_msg(struct view *v, const struct msg *m)
{
	(void)m;
	job_follow_live(v);
	return UI_REDRAW;
}

const struct view_ops ui_job_ops = {
	.name = "Job",
	.priv_size = sizeof (struct jobview),
	.footer = job_footer,
	.open = job_open,
	.close = job_close,
	.draw = job_draw,
	.key = job_key,
	.on_msg = job_on_msg,
	.reload = job_reload,
	.help = "A job's status, progress, counts and throughput, its "
	    "tables and its log.  The running job is followed live and its "
	    "log keeps to the tail unless scrolled up (End follows it "
	    "again).  Up, Down, PgUp, PgDn, Home and End scroll the log; "
	    "Left and Right move its long lines sideways; when the tables "
	    "do not all fit, Tab makes those keys scroll them instead.  x "
	    "cancels the running job (the batch in flight is rolled back), "
	    "c lists the conflicts the job met, r reads the job again from "
	    "the history.",
};
