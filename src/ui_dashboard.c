/*
 * projsync - ui_dashboard.c: the Dashboard, the first screen: recent jobs
 * with their status and throughput (the running one with its progress),
 * open conflicts by pair and table, the health of each connection (tested
 * by the engine thread when the application starts, and on demand), and
 * the scheduler.
 */
#include "projsync/common.h"

#include <sys/stat.h>

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "projsync/daemon.h"
#include "projsync/sched.h"
#include "projsync/util.h"
#include "ui_int.h"

#define DASH_JOBS	50	/* jobs read from the history */

enum dash_panel { DASH_JOBS_PANEL, DASH_CONFLICTS_PANEL };

struct dashboard {
	struct job_row		*jobs;
	int			 njobs;
	struct conflict_group	*groups;
	int			 ngroups;
	enum dash_panel		 focus;
	int			 jcur;
	int			 jtop;
	int			 gcur;
	int			 gtop;
	int			 gen;		/* ui->history_gen loaded */
	struct daemon_row	 daemon;	/* the last daemon seen */
	int			 has_daemon;
	struct schedule_run	*runs;		/* per configured schedule */
	int			 nruns;
	int64_t			 hist_bytes;	/* the history file and its WAL */
	char			 err[sizeof ((struct ps_error *)0)->msg];
};

static const struct footer_key dash_footer[] = {
	{ "Enter", "open" },
	{ "Tab", "panel" },
	{ "n", "new job" },
	{ "c", "conflicts" },
	{ "s", "settings" },
	{ "?", "help" },
	{ "q", "quit" },
	{ "t", "test" },
	{ NULL, NULL }
};

/* Forget the scheduler's state read last. */
static void
dash_sched_free(struct dashboard *d)
{
	int	i;

	for (i = 0; i < d->nruns; i++)
		schedule_run_free(&d->runs[i]);
	free(d->runs);
	d->runs = NULL;
	d->nruns = 0;
	daemon_row_free(&d->daemon);
	d->has_daemon = 0;
}

/* The daemon's heartbeat, each schedule's runs, the history's size. */
static void
dash_load_health(struct view *v)
{
	struct dashboard	*d = v->priv;
	struct ui		*ui = v->ui;
	struct ps_error		 err;
	struct stat		 sb;
	char			*wal;
	int			 i;

	dash_sched_free(d);
	d->has_daemon = history_daemon_latest(ui->hist, &d->daemon, &err) == 1;
	if (ui->conf->nschedules > 0) {
		d->runs = xcalloc(ui->conf->nschedules, sizeof *d->runs);
		d->nruns = ui->conf->nschedules;
		for (i = 0; i < d->nruns; i++)
			(void)history_schedule_get(ui->hist,
			    ui->conf->schedules[i].name, &d->runs[i], &err);
	}
	d->hist_bytes = 0;
	if (stat(ui->hist_path, &sb) == 0)
		d->hist_bytes += sb.st_size;
	xasprintf(&wal, "%s-wal", ui->hist_path);
	if (stat(wal, &sb) == 0)
		d->hist_bytes += sb.st_size;
	free(wal);
}

static void
dash_load(struct view *v)
{
	struct dashboard	*d = v->priv;
	struct ps_error		 err;

	job_rows_free(d->jobs, d->njobs);
	d->jobs = NULL;
	d->njobs = 0;
	conflict_groups_free(d->groups, d->ngroups);
	d->groups = NULL;
	d->ngroups = 0;
	d->err[0] = '\0';
	if (history_job_list(v->ui->hist, DASH_JOBS, &d->jobs, &d->njobs,
	    &err) != 0 ||
	    history_conflict_groups(v->ui->hist, &d->groups, &d->ngroups,
	    &err) != 0)
		snprintf(d->err, sizeof d->err, "%s", err.msg);
	if (d->jcur >= d->njobs)
		d->jcur = d->njobs > 0 ? d->njobs - 1 : 0;
	if (d->gcur >= d->ngroups)
		d->gcur = d->ngroups > 0 ? d->ngroups - 1 : 0;
	d->gen = v->ui->history_gen;
	dash_load_health(v);
}

static int
dash_open(struct view *v, const void *arg)
{
	struct dashboard	*d = v->priv;

	(void)arg;
	dash_load(v);
	/* Open conflicts are what needs a person first. */
	d->focus = d->ngroups > 0 ? DASH_CONFLICTS_PANEL : DASH_JOBS_PANEL;
	return 0;
}

static void
dash_close(struct view *v)
{
	struct dashboard	*d = v->priv;

	job_rows_free(d->jobs, d->njobs);
	conflict_groups_free(d->groups, d->ngroups);
	dash_sched_free(d);
}

static void
dash_reload(struct view *v)
{
	dash_load(v);
}

/* The number of lines each panel gets. */
static void
dash_layout(struct view *v, int *jlines, int *glines)
{
	*jlines = (v->h - 3) / 2;	/* header, column names */
	if (*jlines < 3)
		*jlines = 3;
	*glines = v->h - *jlines - 4;	/* header, column names */
	if (*glines < 2)
		*glines = 2;
}

static void
dash_keep_visible(int cur, int *top, int lines)
{
	if (cur < *top)
		*top = cur;
	if (cur >= *top + lines)
		*top = cur - lines + 1;
	if (*top < 0)
		*top = 0;
}

/* The width of the "started" column. */
static int
dash_time_width(const struct view *v)
{
	return v->w < 100 ? 11 : 16;
}

/* The width of the "source -> target" column: what the others leave. */
static int
dash_pair_width(const struct view *v)
{
	int	w = v->w - (7 + 11 + dash_time_width(v) + 1 + 26);

	return w < 16 ? 16 : w;
}

static void
dash_draw_job(struct view *v, int y, const struct job_row *j, int selected)
{
	struct ui		*ui = v->ui;
	const struct ui_live	*l = &ui->live;
	enum job_status		 st = JOB_RUNNING;
	enum ui_color		 role;
	char			 when[32], rate[32], keys[32], buf[128];
	int			 x = 0, live;

	live = l->running && j->id == l->job_id;
	if (j->status != NULL)
		for (st = JOB_RUNNING; st <= JOB_CANCELLED; st++)
			if (strcmp(job_status_name(st), j->status) == 0)
				break;
	if (st > JOB_CANCELLED)
		st = JOB_FAILED;
	role = selected ? UI_C_SELECTED : UI_C_NORMAL;
	ui_draw_blank(y, 0, v->w, role);
	x += ui_draw_fmt(y, x, 7, role, 1, " %5lld", (long long)j->id);
	x += ui_draw_text(y, x, 11, selected ? role : ui_status_color(st),
	    live ? (l->cancelling ? "cancelling" : "running") :
	    ui_status_label(st), 1);
	snprintf(buf, sizeof buf, "%s -> %s%s", j->source, j->target,
	    j->dry_run ? " (dry)" : "");
	x += ui_draw_text(y, x, dash_pair_width(v), role, buf, 1);
	ui_fmt_time(j->started_at, when, sizeof when);
	/* "11-24 21:30" when the screen is narrow. */
	x += ui_draw_text(y, x, dash_time_width(v) + 1, role, v->w < 100 ?
	    when + 5 : when, 1);
	if (live) {
		ui_draw_bar(y, x, v->w - x - 1, l->total > 0 ?
		    (double)l->done / (double)l->total : -1);
		return;
	}
	ui_fmt_count((int64_t)j->rows_per_s, rate, sizeof rate);
	ui_fmt_count(j->counts.rows_compared, keys, sizeof keys);
	ui_draw_fmt(y, x, v->w - x, role, 1, "%9s %9s %5lld", rate, keys,
	    (long long)j->counts.pending_conflicts);
}

/*
 * Throughput of the recent jobs as a small chart on line Y, right-aligned:
 * one column per job (oldest left), its height the job's rows per second
 * against the fastest shown.  Block characters on a UTF-8 terminal, else
 * ASCII.
 */
static void
dash_draw_spark(struct view *v, int y)
{
	struct dashboard	*d = v->priv;
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "_.-=+*#@";
	struct strbuf		 sb = STRBUF_INIT;
	double			 max = 0, r;
	char			 num[32];
	int			 i, n, k, utf8;

	n = d->njobs < 24 ? d->njobs : 24;
	for (i = 0; i < n; i++)
		if (d->jobs[i].rows_per_s > max)
			max = d->jobs[i].rows_per_s;
	if (n < 2 || max <= 0)
		return;
	utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	sb_addstr(&sb, "rows/s ");
	for (i = n - 1; i >= 0; i--) {
		r = d->jobs[i].rows_per_s / max;
		k = (int)(r * 7 + 0.5);
		if (k < 0)
			k = 0;
		if (k > 7)
			k = 7;
		if (utf8)
			sb_addstr(&sb, blocks[k]);
		else
			sb_addch(&sb, ascii[k]);
	}
	sb_addf(&sb, " max %s ", ui_fmt_count((int64_t)max, num, sizeof num));
	ui_draw_right(y, 0, v->w, UI_C_DIM, sb_str(&sb));
	sb_free(&sb);
}

/* "12 s ago", "5 min ago", "3 h ago", "2 d ago" into BUF. */
static const char *
dash_ago(double t, char *buf, size_t len)
{
	double	s = util_now() - t;

	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%.0f s ago", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min ago", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%.0f h ago", s / 3600);
	else
		snprintf(buf, len, "%.0f d ago", s / 86400);
	return buf;
}

/*
 * The scheduler in LINES lines from Y: whether a daemon is alive (its
 * heartbeat), each schedule's next and last run, the history's size.
 */
static void
dash_draw_sched(struct view *v, int y, int x, int w, int lines)
{
	struct dashboard		*d = v->priv;
	struct ui			*ui = v->ui;
	const struct schedule_conf	*sc;
	const struct schedule_run	*r;
	struct sched_rule		 rule;
	char				 buf[200], ago[32], when[32];
	double				 next;
	int				 i, row = 0, alive;

	if (lines <= 0)
		return;
	alive = d->has_daemon && d->daemon.stopped_at == 0 &&
	    util_now() - d->daemon.heartbeat_at < DAEMON_ALIVE_S;
	if (alive)
		snprintf(buf, sizeof buf, "Daemon: alive, %s (beat %s)",
		    d->daemon.id, dash_ago(d->daemon.heartbeat_at, ago,
		    sizeof ago));
	else if (d->has_daemon)
		snprintf(buf, sizeof buf, "Daemon: not running (last seen "
		    "%s)", dash_ago(d->daemon.heartbeat_at, ago, sizeof ago));
	else
		snprintf(buf, sizeof buf, "Daemon: never run (%d schedule%s)",
		    ui->conf->nschedules, ui->conf->nschedules == 1 ? "" :
		    "s");
	ui_draw_text(y + row++, x, w, alive ? UI_C_OK :
	    ui->conf->nschedules > 0 ? UI_C_WARN : UI_C_DIM, buf, 1);
	for (i = 0; i < ui->conf->nschedules && row < lines - 1; i++) {
		sc = &ui->conf->schedules[i];
		r = i < d->nruns ? &d->runs[i] : NULL;
		if (!sc->enabled)
			snprintf(when, sizeof when, "off");
		else if (sched_rule_from_conf(sc, &rule, NULL) == 0 &&
		    (next = sched_next(&rule, util_now())) > 0)
			ui_fmt_time(next, when, sizeof when);
		else
			snprintf(when, sizeof when, "?");
		snprintf(buf, sizeof buf, " %-10.10s next %s  last %s", sc->name,
		    v->w < 100 && strlen(when) > 5 ? when + 5 : when,
		    r != NULL && r->last_status != NULL ? r->last_status :
		    r != NULL && r->last_due > 0 ? "running" : "never");
		ui_draw_text(y + row++, x, w, r != NULL &&
		    r->last_status != NULL && strcmp(r->last_status,
		    "completed") != 0 ? UI_C_WARN : UI_C_NORMAL, buf, 1);
	}
	if (row < lines) {
		snprintf(buf, sizeof buf, "History: %.1f MB",
		    (double)d->hist_bytes / 1e6);
		ui_draw_text(y + row, x, w, UI_C_DIM, buf, 1);
	}
}

static void
dash_draw_health(struct view *v, int y, int x, int w, int lines)
{
	struct ui		*ui = v->ui;
	struct ui_health	*h;
	char			 buf[160];
	int			 i, row = 0;

	ui_draw_text(y, x, w, UI_C_HEADER, "Connections", 1);
	for (i = 0; i < ui->conf->nconns && row < lines - 1; i++, row++) {
		h = ui_health_get(ui, ui->conf->conns[i].name);
		ui_draw_text(y + 1 + row, x, 14, UI_C_NORMAL, h->name, 1);
		switch (h->state) {
		case 1:
			ui_draw_text(y + 1 + row, x + 14, w - 14, UI_C_DIM,
			    "testing...", 1);
			break;
		case 2:
			snprintf(buf, sizeof buf, "ok %.1f ms  %s",
			    h->latency_ms, h->text != NULL ? h->text : "");
			ui_draw_text(y + 1 + row, x + 14, w - 14, UI_C_OK, buf,
			    1);
			break;
		case 3:
			ui_draw_text(y + 1 + row, x + 14, w - 14, UI_C_ERROR,
			    h->text != NULL ? h->text : "failed", 1);
			break;
		default:
			ui_draw_text(y + 1 + row, x + 14, w - 14, UI_C_DIM,
			    "untested", 1);
			break;
		}
	}
	if (ui->conf->nconns == 0)
		ui_draw_text(y + 1 + row++, x, w, UI_C_DIM,
		    "none: add one in Settings (s)", 1);
	dash_draw_sched(v, y + 1 + row, x, w, lines - 1 - row);
}

/*
 * The open conflicts in LINES lines from Y: a line naming each pair, then
 * its tables (the selectable rows), scrolled so the cursor's row shows.
 */
static void
dash_draw_groups(struct view *v, int y, int w, int lines)
{
	struct dashboard		*d = v->priv;
	const struct conflict_group	*g;
	char				 buf[160];
	int				*line, n = 0, i, first, cur = 0, role;

	/* The display line of each group, pair lines counted in. */
	line = xcalloc(d->ngroups + 1, sizeof *line);
	for (i = 0; i < d->ngroups; i++) {
		g = &d->groups[i];
		if (i == 0 || strcmp(g->source, d->groups[i - 1].source) != 0 ||
		    strcmp(g->target, d->groups[i - 1].target) != 0)
			n++;
		line[i] = n++;
	}
	if (d->ngroups > 0)
		cur = line[d->gcur];
	first = cur - lines + 1 > 0 ? cur - lines + 1 : 0;
	/* Show the pair of the first row when it scrolled away. */
	for (i = 0; i < d->ngroups; i++) {
		g = &d->groups[i];
		if (line[i] - 1 >= first && line[i] - 1 < first + lines &&
		    (i == 0 || line[i - 1] != line[i] - 1)) {
			snprintf(buf, sizeof buf, "%s <> %s", g->source,
			    g->target);
			ui_draw_text(y + line[i] - 1 - first, 1, w - 1,
			    UI_C_DIM, buf, 1);
		}
		if (line[i] < first || line[i] >= first + lines)
			continue;
		role = d->focus == DASH_CONFLICTS_PANEL && i == d->gcur ?
		    UI_C_SELECTED : UI_C_NORMAL;
		ui_draw_text(y + line[i] - first, 0, 3, role,
		    role == UI_C_SELECTED ? ">" : "", 1);
		ui_draw_text(y + line[i] - first, 3, w - 14, role, g->table,
		    1);
		ui_draw_fmt(y + line[i] - first, w - 11, 11, role, 1,
		    " %5lld %4lld", (long long)g->pending,
		    (long long)g->ignored);
	}
	free(line);
}

static void
dash_draw(struct view *v)
{
	struct dashboard	*d = v->priv;
	struct ui		*ui = v->ui;
	int			 y = ui_body_top(), jl, gl, i, gw;

	if (d->gen != ui->history_gen)
		dash_load(v);
	dash_layout(v, &jl, &gl);
	dash_keep_visible(d->jcur, &d->jtop, jl);
	dash_keep_visible(d->gcur, &d->gtop, gl);

	ui_draw_text(y, 0, v->w, UI_C_HEADER, d->focus == DASH_JOBS_PANEL ?
	    "> Recent jobs" : "  Recent jobs", 1);
	dash_draw_spark(v, y);
	ui_draw_fmt(y + 1, 0, v->w, UI_C_DIM, 1, "%6s %-10s %-*s %-*s %9s "
	    "%9s %5s", "ID", "status", dash_pair_width(v), "source -> target",
	    dash_time_width(v), "started", "rows/s", "keys", "pend");
	for (i = 0; i < jl; i++) {
		if (d->jtop + i < d->njobs)
			dash_draw_job(v, y + 2 + i, &d->jobs[d->jtop + i],
			    d->focus == DASH_JOBS_PANEL &&
			    d->jtop + i == d->jcur);
	}
	if (d->njobs == 0)
		ui_draw_text(y + 2, 2, v->w - 2, UI_C_DIM, ui->live.running ?
		    "starting..." : "No jobs yet: press n for a new job.", 1);

	y += 2 + jl;
	ui_draw_hline(y, 0, v->w);
	y++;
	gw = v->w / 2;
	ui_draw_text(y, 0, gw, UI_C_HEADER, d->focus ==
	    DASH_CONFLICTS_PANEL ? "> Open conflicts" : "  Open conflicts",
	    1);
	ui_draw_fmt(y + 1, 0, gw - 1, UI_C_DIM, 1, "  %-*s %5s %4s",
	    gw - 14, "pair, table", "pend", "ign");
	dash_draw_groups(v, y + 2, gw - 1, gl);
	if (d->ngroups == 0)
		ui_draw_text(y + 2, 2, gw - 2, UI_C_DIM, "None: all in step.",
		    1);
	ui_draw_vline(y, gw - 1, gl + 2);
	dash_draw_health(v, y, gw + 1, v->w - gw - 1, gl + 2);
	if (d->err[0] != '\0')
		ui_draw_text(ui_body_top() + v->h - 1, 0, v->w, UI_C_ERROR,
		    d->err, 1);
}

static enum ui_result
dash_key(struct view *v, int ch, enum ui_req req)
{
	struct dashboard	*d = v->priv;
	struct ui		*ui = v->ui;
	struct ui_conflicts_arg	 ca;
	int			*cur, n, jl, gl, lines;
	int64_t			 id;

	dash_layout(v, &jl, &gl);
	if (d->focus == DASH_JOBS_PANEL) {
		cur = &d->jcur;
		n = d->njobs;
		lines = jl;
	} else {
		cur = &d->gcur;
		n = d->ngroups;
		lines = gl;
	}
	if (ui_cursor_move(cur, n, lines, req))
		return UI_HANDLED;
	switch (req) {
	case REQ_TAB:
		d->focus = d->focus == DASH_JOBS_PANEL ?
		    DASH_CONFLICTS_PANEL : DASH_JOBS_PANEL;
		return UI_HANDLED;
	case REQ_ENTER:
		if (d->focus == DASH_JOBS_PANEL && d->njobs > 0) {
			id = d->jobs[d->jcur].id;
			ui_push(ui, &ui_job_ops, &id);
		} else if (d->focus == DASH_CONFLICTS_PANEL &&
		    d->ngroups > 0) {
			memset(&ca, 0, sizeof ca);
			ca.table = d->groups[d->gcur].table;
			ui_push(ui, &ui_conflicts_ops, &ca);
		}
		return UI_HANDLED;
	default:
		break;
	}
	switch (ch) {
	case 'n':
		ui_push(ui, &ui_newjob_ops, NULL);
		return UI_HANDLED;
	case 'c':
		ui_push(ui, &ui_conflicts_ops, NULL);
		return UI_HANDLED;
	case 's':
		ui_push(ui, &ui_settings_ops, NULL);
		return UI_HANDLED;
	case 't': {
		int	i;

		for (i = 0; i < ui->conf->nconns; i++) {
			struct msg	*m = msg_new(MSG_CMD_CONN_TEST);

			ui_health_get(ui, ui->conf->conns[i].name)->state = 1;
			m->name = xstrdup(ui->conf->conns[i].name);
			ui_send(ui, m);
		}
		ui_status(ui, UI_C_NORMAL, "Testing %d connection%s",
		    ui->conf->nconns, ui->conf->nconns == 1 ? "" : "s");
		return UI_HANDLED;
	}
	case 'x':
		if (ui->live.running)
			ui_cancel_job(ui);
		else
			ui_status(ui, UI_C_NORMAL, "No job is running");
		return UI_HANDLED;
	case 'r':
		dash_load(v);
		return UI_HANDLED;
	}
	return UI_IGNORED;
}

static enum ui_result
dash_on_msg(struct view *v, const struct msg *m)
{
	struct dashboard	*d = v->priv;

	if (m->type == MSG_EV_JOB_STARTED || m->type == MSG_EV_JOB_DONE ||
	    m->type == MSG_EV_RESOLVED ||
	    m->type == MSG_EV_RESOLVE_ALL_DONE) {
		dash_load(v);
		if (m->type == MSG_EV_JOB_STARTED) {
			d->focus = DASH_JOBS_PANEL;
			d->jcur = 0;
		}
	}
	return UI_REDRAW;
}

const struct view_ops ui_dashboard_ops = {
	.name = "Dashboard",
	.priv_size = sizeof (struct dashboard),
	.footer = dash_footer,
	.open = dash_open,
	.close = dash_close,
	.draw = dash_draw,
	.key = dash_key,
	.on_msg = dash_on_msg,
	.reload = dash_reload,
	.help = "Recent jobs, open conflicts by pair and table, and the "
	    "health of each connection.  Tab moves between the panels; "
	    "Enter opens the selected job or the table's conflicts.",
};
