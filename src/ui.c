/*
 * projsync - ui.c: the terminal application's main loop: curses set-up, the
 * view stack, polling the keyboard beside the engine's event queue, the live
 * state of the running job, the title, footer and status lines, prompts,
 * resizing, and quitting (asking first when a job runs).
 *
 * DESIGN
 * One thread (this one) calls curses.  The loop polls stdin and the event
 * queue's wake-up pipe with a short timeout, drains every queued event into
 * the live state and the top view, handles every key waiting, and redraws
 * once when something changed (or once a second while a job runs, for its
 * clock).  Nothing here waits on a database: the only blocking calls are
 * poll() and reads of the local history file.
 */
#include "projsync/common.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "projsync/log.h"
#include "projsync/notify.h"
#include "projsync/util.h"
#include "ui_int.h"

/* Re-read the history (other processes' jobs, the daemon) this often. */
#define UI_LOOK_S	10
/* Test every connection again this often, when no job runs. */
#define UI_TEST_S	60

static struct ui *ui_current;	/* for the fatal callback */
static int	 ui_saved_stderr = -1;	/* stderr while curses runs */

/* ---- the view stack ---- */

int
ui_body_top(void)
{
	return 1;
}

static void
ui_view_size(struct ui *ui, struct view *v)
{
	v->w = ui->cols;
	v->h = ui->lines - 3;	/* title, status and footer lines */
	if (v->h < 1)
		v->h = 1;
}

int
ui_push(struct ui *ui, const struct view_ops *ops, const void *arg)
{
	struct view	*v;

	v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->ui = ui;
	if (ops->priv_size > 0)
		v->priv = xcalloc(1, ops->priv_size);
	v->parent = ui->top;
	ui_view_size(ui, v);
	if (ops->open != NULL && ops->open(v, arg) != 0) {
		free(v->priv);
		free(v);
		return -1;
	}
	ui->top = v;
	ui->dirty = 1;
	return 0;
}

static void
ui_view_free(struct view *v)
{
	if (v->ops->close != NULL)
		v->ops->close(v);
	free(v->priv);
	free(v);
}

void
ui_pop(struct ui *ui)
{
	struct view	*v = ui->top;

	if (v == NULL || v->parent == NULL)
		return;
	ui->top = v->parent;
	ui_view_free(v);
	ui_view_size(ui, ui->top);
	if (ui->top->ops->reload != NULL)
		ui->top->ops->reload(ui->top);
	ui->dirty = 1;
}

/* ---- commands and the status line ---- */

static void	ui_live_reset(struct ui_live *);

uint64_t
ui_send(struct ui *ui, struct msg *m)
{
	m->req_id = ++ui->next_req;
	msgq_push(ui->cmd, m);
	return m->req_id;
}

int
ui_start_job(struct ui *ui, struct msg_job *job)
{
	struct msg	*m;

	if (ui->live.running) {
		msg_job_free(job);
		ui_status(ui, UI_C_WARN, "Job %lld is still running",
		    (long long)ui->live.job_id);
		return -1;
	}
	ui_live_reset(&ui->live);
	m = msg_new(MSG_CMD_JOB_START);
	xasprintf(&ui->live.label, "%s -> %s", job->source, job->target);
	m->job = job;
	ui->live.running = 1;
	ui->live.total = -1;
	ui->live.started = util_monotonic();
	ui->live.req_id = ui_send(ui, m);
	return 0;
}

void
ui_cancel_job(struct ui *ui)
{
	struct msg	*m;

	if (!ui->live.running || ui->live.cancelling)
		return;
	m = msg_new(MSG_CMD_JOB_CANCEL);
	m->job_id = ui->live.job_id;
	ui_send(ui, m);
	ui->live.cancelling = 1;
	ui_status(ui, UI_C_WARN, "Cancelling job %lld: the batch in flight "
	    "is rolled back", (long long)ui->live.job_id);
}

void
ui_status(struct ui *ui, int role, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof ui->status, fmt, ap);
	va_end(ap);
	ui->status_role = role;
	ui->status_until = util_monotonic() + 6;
	ui->dirty = 1;
}

struct ui_health *
ui_health_get(struct ui *ui, const char *name)
{
	int	i;

	for (i = 0; i < ui->nhealth; i++)
		if (strcmp(ui->health[i].name, name) == 0)
			return &ui->health[i];
	ui->health = xreallocarray(ui->health, ui->nhealth + 1,
	    sizeof *ui->health);
	memset(&ui->health[ui->nhealth], 0, sizeof *ui->health);
	ui->health[ui->nhealth].name = xstrdup(name);
	return &ui->health[ui->nhealth++];
}

int
ui_reload_conf(struct ui *ui, struct ps_error *err)
{
	struct conf	*c;

	if (conf_load(ui->conf_path, &c, err) != 0)
		return -1;
	conf_free(ui->conf);
	ui->conf = c;
	ui->dirty = 1;
	return 0;
}

/* ---- the live job ---- */

static void
ui_live_reset(struct ui_live *l)
{
	int	i;

	for (i = 0; i < l->ntables; i++) {
		free(l->tables[i].name);
		free(l->tables[i].status);
	}
	free(l->tables);
	for (i = 0; i < l->nlogs; i++)
		free(l->logs[(l->log_head + i) % UI_LOG_LINES].text);
	free(l->logs);
	free(l->label);
	free(l->error);
	memset(l, 0, sizeof *l);
}

static struct ui_live_table *
ui_live_table(struct ui_live *l, const char *name)
{
	int	i;

	for (i = 0; i < l->ntables; i++)
		if (strcmp(l->tables[i].name, name) == 0)
			return &l->tables[i];
	l->tables = xreallocarray(l->tables, l->ntables + 1,
	    sizeof *l->tables);
	memset(&l->tables[l->ntables], 0, sizeof *l->tables);
	l->tables[l->ntables].name = xstrdup(name);
	l->tables[l->ntables].total = -1;
	return &l->tables[l->ntables++];
}

static void
ui_live_log(struct ui_live *l, int level, const char *text)
{
	struct ui_live_log	*e;

	if (l->logs == NULL)
		l->logs = xcalloc(UI_LOG_LINES, sizeof *l->logs);
	if (l->nlogs == UI_LOG_LINES) {
		e = &l->logs[l->log_head];
		free(e->text);
		l->log_head = (l->log_head + 1) % UI_LOG_LINES;
		l->nlogs--;
	}
	e = &l->logs[(l->log_head + l->nlogs) % UI_LOG_LINES];
	e->time = util_now();
	e->level = level;
	e->text = xstrdup(text != NULL ? text : "");
	l->nlogs++;
	l->log_seq++;
}

/* The job's totals: the tables done plus the one running. */
static void
ui_live_sum(struct ui_live *l)
{
	int	i;

	memset(&l->counts, 0, sizeof l->counts);
	l->done = 0;
	l->total = 0;
	for (i = 0; i < l->ntables; i++) {
		l->counts.rows_compared += l->tables[i].counts.rows_compared;
		l->counts.inserted += l->tables[i].counts.inserted;
		l->counts.updated += l->tables[i].counts.updated;
		l->counts.deleted += l->tables[i].counts.deleted;
		l->counts.conflicts += l->tables[i].counts.conflicts;
		l->counts.pending_conflicts +=
		    l->tables[i].counts.pending_conflicts;
		l->counts.errors += l->tables[i].counts.errors;
		l->done += l->tables[i].done;
		if (l->total >= 0 && l->tables[i].total >= 0)
			l->total += l->tables[i].total > l->tables[i].done ?
			    l->tables[i].total : l->tables[i].done;
		else
			l->total = -1;
	}
}

/* Notify as the configuration says: the bell and the status line. */
static void
ui_notify(struct ui *ui, const struct msg *m)
{
	const struct notify_conf *n = &ui->conf->notify;
	enum job_status		 st = (enum job_status)m->status;
	int			 tell;

	tell = notify_wanted(n, st);
	if (m->text != NULL)
		ui_status(ui, UI_C_ERROR, "Job %lld %s: %s",
		    (long long)m->job_id, ui_status_label(st), m->text);
	else if (tell)
		ui_status(ui, ui_status_color(st), "Job %lld %s: %lld "
		    "inserted, %lld updated, %lld deleted, %lld pending "
		    "conflicts, %lld errors", (long long)m->job_id,
		    ui_status_label(st), (long long)m->counts.inserted,
		    (long long)m->counts.updated,
		    (long long)m->counts.deleted,
		    (long long)m->counts.pending_conflicts,
		    (long long)m->counts.errors);
	if (tell && n->bell)
		beep();
}

/* Apply event M to the live state and the health table. */
static void
ui_take_event(struct ui *ui, const struct msg *m)
{
	struct ui_live		*l = &ui->live;
	struct ui_live_table	*t;
	struct ui_health	*h;

	switch (m->type) {
	case MSG_EV_JOB_STARTED:
		if (l->job_id != m->job_id) {
			/* Keep the logs said before the job had an id. */
			l->job_id = m->job_id;
		}
		l->running = 1;
		l->started = util_monotonic();
		free(l->label);
		l->label = xstrdup(m->name);
		break;
	case MSG_EV_TABLE_STARTED:
		t = ui_live_table(l, m->name);
		t->total = m->total;
		ui_live_sum(l);
		break;
	case MSG_EV_PROGRESS:
		t = ui_live_table(l, m->name);
		t->done = m->done;
		t->total = m->total;
		t->counts = m->counts;
		ui_live_sum(l);
		break;
	case MSG_EV_TABLE_DONE:
		t = ui_live_table(l, m->name);
		t->counts = m->counts;
		t->done = m->counts.rows_compared;
		free(t->status);
		t->status = xstrdup(m->text != NULL ? m->text : "done");
		ui_live_sum(l);
		break;
	case MSG_EV_LOG:
		if (m->req_id == l->req_id)
			ui_live_log(l, m->level, m->text);
		break;
	case MSG_EV_JOB_DONE:
		if (m->req_id != l->req_id)
			break;
		if (m->job_id > 0)
			l->job_id = m->job_id;
		l->running = 0;
		l->cancelling = 0;
		l->status = (enum job_status)m->status;
		l->duration = m->value;
		if (m->counts.rows_compared > 0 || l->ntables == 0)
			l->counts = m->counts;
		free(l->error);
		l->error = xstrdup(m->text);
		ui_notify(ui, m);
		ui->history_gen++;
		break;
	case MSG_EV_CONN_RESULT:
		h = ui_health_get(ui, m->name);
		h->state = m->ok ? 2 : 3;
		h->latency_ms = m->value;
		free(h->text);
		h->text = xstrdup(m->text);
		h->when = util_now();
		break;
	case MSG_EV_RESOLVED:
	case MSG_EV_RESOLVE_ALL_DONE:
		ui->history_gen++;
		break;
	case MSG_EV_ERROR:
		ui_status(ui, UI_C_ERROR, "%s", m->text != NULL ? m->text :
		    "error");
		break;
	default:
		break;
	}
}

/* Drain the event queue; returns 1 when something arrived. */
static int
ui_drain_events(struct ui *ui)
{
	struct msg	*m;
	enum ui_result	 r;
	int		 any = 0;

	msgq_drain(ui->ev);
	while ((m = msgq_try_pop(ui->ev)) != NULL) {
		ui_take_event(ui, m);
		if (ui->top->ops->on_msg != NULL) {
			r = ui->top->ops->on_msg(ui->top, m);
			if (r & UI_CLOSE)
				ui_pop(ui);
		}
		msg_free(m);
		any = 1;
	}
	if (any)
		ui->dirty = 1;
	return any;
}

/* ---- drawing the frame ---- */

static void
ui_draw_title(struct ui *ui)
{
	struct view	*v;
	struct strbuf	 sb = STRBUF_INIT;
	const char	*names[8];
	int		 n = 0, i;
	char		 buf[32];

	for (v = ui->top; v != NULL && n < 8; v = v->parent)
		names[n++] = v->ops->name;
	sb_addstr(&sb, " projsync");
	for (i = n - 1; i >= 0; i--)
		sb_addf(&sb, " > %s", names[i]);
	ui_draw_text(0, 0, ui->cols, UI_C_TITLE, sb_str(&sb), 1);
	if (ui->live.running) {
		sb_reset(&sb);
		sb_addf(&sb, "job %lld %s %s ", (long long)ui->live.job_id,
		    ui->live.cancelling ? "cancelling" : "running",
		    ui_fmt_duration(util_monotonic() - ui->live.started, buf,
		    sizeof buf));
		ui_draw_right(0, 0, ui->cols, UI_C_TITLE, sb_str(&sb));
	}
	sb_free(&sb);
}

static void
ui_draw_footer(struct ui *ui)
{
	const struct footer_key	*k;
	int			 x = 0, y = ui->lines - 1, w;

	ui_draw_blank(y, 0, ui->cols, UI_C_FOOTER);
	for (k = ui->top->ops->footer; k != NULL && k->key != NULL; k++) {
		w = ui_text_width(k->key) + ui_text_width(k->label) + 2;
		if (x + w > ui->cols)
			break;
		x += ui_draw_text(y, x, ui->cols - x, UI_C_FOOTER_KEY, k->key,
		    0);
		x += ui_draw_text(y, x, ui->cols - x, UI_C_FOOTER, " ", 0);
		x += ui_draw_text(y, x, ui->cols - x, UI_C_FOOTER, k->label,
		    0);
		x += ui_draw_text(y, x, ui->cols - x, UI_C_FOOTER, "  ", 0);
	}
}

static void
ui_draw_status(struct ui *ui)
{
	int	y = ui->lines - 2;

	if (ui->status[0] != '\0' && util_monotonic() > ui->status_until)
		ui->status[0] = '\0';
	ui_draw_text(y, 0, ui->cols, ui->status[0] != '\0' ?
	    (enum ui_color)ui->status_role : UI_C_NORMAL, ui->status, 1);
}

static void
ui_redraw(struct ui *ui)
{
	char	buf[128];

	erase();
	if (ui->too_small) {
		snprintf(buf, sizeof buf, "Terminal too small: %dx%d "
		    "(projsync needs %dx%d)", ui->cols, ui->lines,
		    UI_MIN_COLS, UI_MIN_LINES);
		ui_draw_text(ui->lines / 2, 0, ui->cols, UI_C_WARN, buf, 0);
		refresh();
		return;
	}
	ui_draw_title(ui);
	ui->top->ops->draw(ui->top);
	ui_draw_status(ui);
	ui_draw_footer(ui);
	refresh();
}

static void
ui_resize(struct ui *ui)
{
	struct view	*v;

	getmaxyx(stdscr, ui->lines, ui->cols);
	ui->too_small = ui->cols < UI_MIN_COLS || ui->lines < UI_MIN_LINES;
	for (v = ui->top; v != NULL; v = v->parent)
		ui_view_size(ui, v);
	clearok(curscr, TRUE);
	ui->dirty = 1;
}

/* ---- waiting for a key ---- */

/*
 * Wait up to TIMEOUT_MS for input or an event, draining events (and
 * redrawing) meanwhile.  Returns the key, or ERR on timeout.
 */
static int
ui_wait_key(struct ui *ui, int timeout_ms)
{
	struct pollfd	pfd[2];
	int		ch;

	for (;;) {
		if ((ch = getch()) != ERR) {
			if (ch == KEY_RESIZE) {
				ui_resize(ui);
				ui_redraw(ui);
				ui->dirty = 0;
				continue;
			}
			return ch;
		}
		if (ui->dirty) {
			ui_redraw(ui);
			ui->dirty = 0;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = msgq_fd(ui->ev);
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, timeout_ms) == -1 && errno != EINTR)
			fatalx("poll: %s", strerror(errno));
		if (pfd[1].revents & POLLIN)
			ui_drain_events(ui);
		if (pfd[0].revents == 0 && pfd[1].revents == 0) {
			/* A signal (SIGWINCH) or the timeout. */
			if ((ch = getch()) != ERR && ch != KEY_RESIZE)
				return ch;
			if (ch == KEY_RESIZE)
				ui_resize(ui);
			return ERR;
		}
	}
}

int
ui_confirm(struct ui *ui, const char *fmt, ...)
{
	va_list	ap;
	char	q[200];
	int	ch, answer = -1;

	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	while (answer < 0 && !ui->quit) {
		snprintf(ui->status, sizeof ui->status, "%s (y/n) ", q);
		ui->status_role = UI_C_WARN;
		ui->status_until = util_monotonic() + 3600;
		ui->dirty = 1;
		ch = ui_wait_key(ui, 250);
		if (ch == 'y' || ch == 'Y')
			answer = 1;
		else if (ch == 'n' || ch == 'N' || ch == 27 || ch == 'q')
			answer = 0;
	}
	ui->status[0] = '\0';
	ui->dirty = 1;
	return answer == 1;
}

/* Remove the last UTF-8 character of SB. */
static void
ui_sb_backspace(struct strbuf *sb)
{
	while (sb->len > 0) {
		sb->len--;
		if (((unsigned char)sb->buf[sb->len] & 0xc0) != 0x80)
			break;
	}
	sb_truncate(sb, sb->len);
}

char *
ui_prompt(struct ui *ui, const char *prompt, const char *initial)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*out = NULL;
	wint_t		 wc;
	char		 mb[8];
	int		 rc, n, done = 0;

	sb_addstr(&sb, initial != NULL ? initial : "");
	curs_set(1);
	while (!done) {
		/* Draw the frame, then the prompt line with its cursor. */
		snprintf(ui->status, sizeof ui->status, "%s", "");
		ui_redraw(ui);
		n = ui_draw_text(ui->lines - 2, 0, ui->cols, UI_C_WARN,
		    prompt, 0);
		n += ui_draw_text(ui->lines - 2, n, ui->cols - n, UI_C_NORMAL,
		    sb_str(&sb), 1);
		move(ui->lines - 2, ui_text_width(prompt) +
		    ui_text_width(sb_str(&sb)) < ui->cols ?
		    ui_text_width(prompt) + ui_text_width(sb_str(&sb)) :
		    ui->cols - 1);
		refresh();
		rc = get_wch(&wc);
		if (rc == ERR) {
			struct pollfd	pfd[2];

			pfd[0].fd = STDIN_FILENO;
			pfd[0].events = POLLIN;
			pfd[1].fd = msgq_fd(ui->ev);
			pfd[1].events = POLLIN;
			pfd[0].revents = pfd[1].revents = 0;
			(void)poll(pfd, 2, 250);
			if (pfd[1].revents & POLLIN)
				ui_drain_events(ui);
			continue;
		}
		if (rc == KEY_CODE_YES) {
			if (wc == KEY_BACKSPACE)
				ui_sb_backspace(&sb);
			else if (wc == KEY_ENTER)
				done = 1;
			else if (wc == KEY_RESIZE)
				ui_resize(ui);
			continue;
		}
		if (wc == 27) {
			done = -1;
		} else if (wc == '\n' || wc == '\r') {
			done = 1;
		} else if (wc == 127 || wc == 8) {
			ui_sb_backspace(&sb);
		} else if (wc == 21) {		/* ^U */
			sb_reset(&sb);
		} else if (wc >= 32) {
			n = (int)wctomb(mb, (wchar_t)wc);
			if (n > 0)
				sb_add(&sb, mb, (size_t)n);
		}
	}
	curs_set(0);
	if (done == 1)
		out = xstrdup(sb_str(&sb));
	sb_free(&sb);
	ui->dirty = 1;
	return out;
}

/* ---- keys ---- */

static void
ui_quit_asked(struct ui *ui)
{
	if (ui->live.running) {
		if (!ui_confirm(ui, "Job %lld is running: cancel it and quit?",
		    (long long)ui->live.job_id))
			return;
		ui_cancel_job(ui);
	}
	ui->quit = 1;
}

static void
ui_handle_key(struct ui *ui, int ch)
{
	enum ui_req	req = ui_key_req(ch);
	enum ui_result	r;

	if (ui->too_small) {
		if (ch == 'q' || ch == 'Q')
			ui_quit_asked(ui);
		return;
	}
	r = ui->top->ops->key(ui->top, ch, req);
	if (r & UI_QUIT) {
		ui_quit_asked(ui);
		return;
	}
	if (r & UI_CLOSE) {
		if (ui->top->parent == NULL)
			ui_quit_asked(ui);
		else
			ui_pop(ui);
		return;
	}
	if (r & (UI_HANDLED | UI_REDRAW)) {
		ui->dirty = 1;
		return;
	}
	/* Keys every view shares, when the view did not take them. */
	if (req == REQ_HELP && ui->top->ops != &ui_help_ops) {
		ui_push(ui, &ui_help_ops, ui->top);
	} else if (req == REQ_BACK) {
		if (ui->top->parent == NULL)
			ui_quit_asked(ui);
		else
			ui_pop(ui);
	} else if (ch == 'Q') {
		ui_quit_asked(ui);
	} else if (ch == 12) {		/* ^L */
		clearok(curscr, TRUE);
		ui->dirty = 1;
	}
}

/* ---- set-up and the loop ---- */

static void
ui_fatal_cb(void)
{
	if (ui_current != NULL && !isendwin())
		endwin();
	if (ui_saved_stderr != -1)
		(void)dup2(ui_saved_stderr, STDERR_FILENO);
}

/*
 * While the screen is up, standard error goes to /dev/null: a notification
 * command or a library writing there would draw over the screen.  Fatal
 * errors get it back first (ui_fatal_cb).
 */
static void
ui_quiet_stderr(int quiet)
{
	int	fd;

	if (quiet) {
		if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
			return;
		ui_saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		(void)dup2(fd, STDERR_FILENO);
		close(fd);
	} else if (ui_saved_stderr != -1) {
		(void)dup2(ui_saved_stderr, STDERR_FILENO);
		close(ui_saved_stderr);
		ui_saved_stderr = -1;
	}
}

static void
ui_test_connections(struct ui *ui)
{
	struct ui_health	*h;
	struct msg		*m;
	int			 i;

	for (i = 0; i < ui->conf->nconns; i++) {
		h = ui_health_get(ui, ui->conf->conns[i].name);
		h->state = 1;
		m = msg_new(MSG_CMD_CONN_TEST);
		m->name = xstrdup(ui->conf->conns[i].name);
		ui_send(ui, m);
	}
}

int
ui_main(const char *conf_path, const char *hist_path, int no_color)
{
	struct ui	 ui;
	struct ps_error	 err;
	struct view	*v;
	const char	*e;
	double		 last_tick = 0, last_look, last_test;
	int		 ch, i, rc = 0;

	memset(&ui, 0, sizeof ui);
	ui.conf_path = xstrdup(conf_path);
	ui.hist_path = xstrdup(hist_path);
	if (conf_load(conf_path, &ui.conf, &err) != 0 ||
	    history_open(hist_path, &ui.hist, &err) != 0) {
		fprintf(stderr, "projsync: %s\n", err.msg);
		rc = 1;
		goto out;
	}
	if ((e = getenv("NO_COLOR")) != NULL && *e != '\0')
		no_color = 1;
	ui.no_color = no_color;

	ui.cmd = msgq_new(0);
	ui.ev = msgq_new(1);
	ui.worker = ui_worker_start(conf_path, hist_path, ui.cmd, ui.ev);

	setlocale(LC_ALL, "");
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	if (initscr() == NULL) {
		fprintf(stderr, "projsync: cannot start the terminal\n");
		rc = 1;
		goto out;
	}
	ui_current = &ui;
	fatal_set_callback(ui_fatal_cb);
	ui_quiet_stderr(1);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	ui_draw_init(no_color);
	ui_resize(&ui);

	if (ui_push(&ui, &ui_dashboard_ops, NULL) != 0)
		fatalx("the dashboard cannot open");
	ui_test_connections(&ui);
	last_look = last_test = util_monotonic();

	while (!ui.quit) {
		ch = ui_wait_key(&ui, 250);
		if (ch != ERR) {
			ui_handle_key(&ui, ch);
			/* Take every key already typed before drawing. */
			continue;
		}
		if (util_monotonic() - last_tick >= 1) {
			last_tick = util_monotonic();
			if (ui.live.running || ui.status[0] != '\0')
				ui.dirty = 1;
		}
		if (util_monotonic() - last_look >= UI_LOOK_S) {
			/* The daemon's heartbeat, jobs other processes ran. */
			last_look = util_monotonic();
			ui.history_gen++;
			ui.dirty = 1;
		}
		if (util_monotonic() - last_test >= UI_TEST_S &&
		    !ui.live.running) {
			/* Connections' health, in the background. */
			last_test = util_monotonic();
			ui_test_connections(&ui);
		}
	}

	ui_draw_text(ui.lines - 2, 0, ui.cols, UI_C_WARN,
	    ui.live.running ? "Cancelling the job and quitting..." :
	    "Quitting...", 1);
	refresh();
	endwin();
	ui_quiet_stderr(0);
	ui_current = NULL;
	fatal_set_callback(NULL);

out:
	if (ui.worker != NULL)
		ui_worker_stop(ui.worker);
	while ((v = ui.top) != NULL) {
		ui.top = v->parent;
		ui_view_free(v);
	}
	msgq_free(ui.cmd);
	msgq_free(ui.ev);
	ui_live_reset(&ui.live);
	for (i = 0; i < ui.nhealth; i++) {
		free(ui.health[i].name);
		free(ui.health[i].text);
	}
	free(ui.health);
	history_close(ui.hist);
	conf_free(ui.conf);
	free(ui.conf_path);
	free(ui.hist_path);
	return rc;
}
