/*
 * projsync - ui_int.h: what the terminal application's files share: the
 * application (struct ui), the view stack and its vtable, the live state of
 * the running job, the drawing helpers with colour roles, and the engine
 * thread.
 *
 * DESIGN
 * The UI thread alone calls curses.  It polls the keyboard and the event
 * queue's wake-up pipe, applies every event to the live job state (and hands
 * it to the top view), then redraws once.  Every piece of database work goes
 * down the command queue to the engine thread (ui_worker.c); the UI reads
 * the history through a connection of its own (a local SQLite file in WAL
 * mode: reads never wait for the engine's writes).  Views form a stack; the
 * top one draws the body between the title line and the footer, and gets
 * the keys first.
 */
#ifndef PROJSYNC_UI_INT_H
#define PROJSYNC_UI_INT_H

#include "projsync/common.h"
#include "projsync/conf.h"
#include "projsync/engine.h"
#include "projsync/history.h"
#include "projsync/msgq.h"

#define UI_MIN_COLS	80
#define UI_MIN_LINES	24
#define UI_LOG_LINES	2000	/* live log lines kept for the running job */

/* What a key handler did: a bitmask, as htop's HandlerResult. */
enum ui_result {
	UI_IGNORED	= 0,
	UI_HANDLED	= 1 << 0,
	UI_REDRAW	= 1 << 1,
	UI_CLOSE	= 1 << 2,	/* pop this view */
	UI_QUIT		= 1 << 3	/* leave the application (asks first) */
};

/* Keys every view understands, from arrows and vi keys alike. */
enum ui_req {
	REQ_NONE,
	REQ_UP,		/* Up, k */
	REQ_DOWN,	/* Down, j */
	REQ_LEFT,	/* Left, h */
	REQ_RIGHT,	/* Right, l */
	REQ_PGUP,	/* PgUp, ^B */
	REQ_PGDN,	/* PgDn, ^F, space */
	REQ_HOME,	/* Home, g */
	REQ_END,	/* End, G */
	REQ_ENTER,	/* Enter */
	REQ_BACK,	/* q, Esc */
	REQ_HELP,	/* ? */
	REQ_TAB		/* Tab */
};

/* A key shown in the footer and the help screen. */
struct footer_key {
	const char	*key;	/* "Enter", "n" */
	const char	*label;	/* "open", "new job" */
};

struct ui;
struct view;

struct view_ops {
	const char	*name;		/* "Dashboard": the title and help */
	size_t		 priv_size;	/* zeroed state at view->priv */
	const struct footer_key *footer;	/* ends with a NULL key */
	/* Set up from ARG (a view's own argument type); -1 refuses to open. */
	int		(*open)(struct view *, const void *arg);
	/* Free what open() and the view made (not priv itself).  May be NULL. */
	void		(*close)(struct view *);
	/*
	 * Draw the body: lines ui_body_top() .. ui_body_top() + v->h - 1,
	 * columns 0 .. v->w - 1.  State to curses only; no I/O.
	 */
	void		(*draw)(struct view *);
	/* A key: CH as wgetch() gave it, REQ its generic meaning. */
	enum ui_result	(*key)(struct view *, int ch, enum ui_req req);
	/* An engine event (after the live state took it).  May be NULL. */
	enum ui_result	(*on_msg)(struct view *, const struct msg *);
	/* Reload from the history (on return to the view).  May be NULL. */
	void		(*reload)(struct view *);
	/* The line the help screen shows for this view.  May be NULL. */
	const char	*help;
};

struct view {
	const struct view_ops	*ops;
	void			*priv;
	struct ui		*ui;
	int			 w;	/* the body's size */
	int			 h;
	struct view		*parent;	/* the view below on the stack */
};

/* One table of the running (or last) job, as the events told. */
struct ui_live_table {
	char			*name;
	char			*status;	/* NULL while running */
	int64_t			 done;
	int64_t			 total;		/* -1 unknown */
	struct sync_counts	 counts;
};

/* A log line of the running job. */
struct ui_live_log {
	double	 time;
	int	 level;		/* enum log_level */
	char	*text;
};

/* The job the engine thread runs (or ran last), from its events. */
struct ui_live {
	int64_t			 job_id;	/* 0 before the first event */
	uint64_t		 req_id;
	int			 running;	/* asked for or running */
	int			 cancelling;
	char			*label;		/* "SOURCE -> TARGET" */
	enum job_status		 status;
	double			 started;	/* util_now() at JOB_STARTED */
	double			 duration;	/* at JOB_DONE */
	struct sync_counts	 counts;	/* the tables done, plus the current one's */
	int64_t			 done;		/* keys examined in all tables */
	int64_t			 total;		/* estimated, -1 unknown */
	char			*error;
	int			 ntables;
	struct ui_live_table	*tables;
	struct ui_live_log	*logs;		/* a ring of UI_LOG_LINES */
	int			 nlogs;		/* lines held */
	int			 log_head;	/* the oldest line */
	int64_t			 log_seq;	/* lines ever received */
};

/* The last test of a connection. */
struct ui_health {
	char	*name;
	int	 state;		/* 0 untested, 1 testing, 2 ok, 3 failed */
	double	 latency_ms;
	char	*text;		/* server version, or the error */
	double	 when;
};

struct ui {
	char			*conf_path;
	char			*hist_path;
	struct conf		*conf;		/* the UI's copy (Settings saves it) */
	struct history		*hist;		/* the UI's reads */
	struct msgq		*cmd;		/* UI -> engine */
	struct msgq		*ev;		/* engine -> UI */
	struct ui_worker	*worker;
	struct view		*top;
	uint64_t		 next_req;
	struct ui_live		 live;
	int			 nhealth;
	struct ui_health	*health;
	char			 status[256];	/* the status line's message */
	int			 status_role;	/* enum ui_color */
	double			 status_until;
	int			 no_color;
	int			 cols;
	int			 lines;
	int			 too_small;
	int			 dirty;
	int			 quit;
	int			 history_gen;	/* bumped when the history changed */
};

/* ---- the application (ui.c) ---- */

/*
 * Run the terminal application on CONF_PATH and HIST_PATH until the user
 * quits.  NO_COLOR forces monochrome (NO_COLOR in the environment does
 * too).  Returns the exit status.
 */
int	ui_main(const char *conf_path, const char *hist_path, int no_color);
/* Push a view of OPS opened with ARG on top; -1 when open() refused. */
int	ui_push(struct ui *, const struct view_ops *, const void *arg);
/* Pop the top view (never the last one). */
void	ui_pop(struct ui *);
/* Send a command to the engine thread; returns its req_id. */
uint64_t ui_send(struct ui *, struct msg *);
/*
 * Start the job JOB (taken over) on the engine thread, making it the live
 * job; -1 with a status message when one is already running.
 */
int	ui_start_job(struct ui *, struct msg_job *);
/* Ask the engine thread to cancel the live job (no-op when none runs). */
void	ui_cancel_job(struct ui *);
/* Show MSG on the status line for a few seconds, in ROLE's colour. */
void	ui_status(struct ui *, int role, const char *fmt, ...)
	    PS_PRINTF(3, 4);
/*
 * Ask a yes/no QUESTION on the status line, waiting for y or n (Esc: no).
 * Events keep arriving meanwhile.  1 yes, 0 no.
 */
int	ui_confirm(struct ui *, const char *fmt, ...) PS_PRINTF(2, 3);
/*
 * Read a line of text on the status line after PROMPT, starting from
 * INITIAL (may be NULL).  Returns the text (caller frees), or NULL when
 * cancelled with Esc.
 */
char	*ui_prompt(struct ui *, const char *prompt, const char *initial);
/* The last test of connection NAME (created untested). */
struct ui_health *ui_health_get(struct ui *, const char *name);
/* Reload the configuration from its file (after Settings saved it). */
int	ui_reload_conf(struct ui *, struct ps_error *);
/* The first body line (below the title). */
int	ui_body_top(void);

/* ---- drawing (ui_draw.c) ---- */

/* Colour roles: NO_COLOR maps each to an attribute (markers stay). */
enum ui_color {
	UI_C_NORMAL,
	UI_C_TITLE,		/* the title line */
	UI_C_FOOTER,		/* the footer line */
	UI_C_FOOTER_KEY,	/* a key in the footer */
	UI_C_HEADER,		/* a column header, a panel title */
	UI_C_SELECTED,		/* the cursor's row */
	UI_C_DIM,		/* secondary text */
	UI_C_OK,
	UI_C_WARN,
	UI_C_ERROR,
	UI_C_DIFF_SOURCE,	/* a value taken from the source */
	UI_C_DIFF_TARGET,	/* a value taken from the target */
	UI_C_DIFF_CHANGED,	/* a field that differs */
	UI_C_MARK,		/* a marked row */
	UI_C_BAR,		/* the done part of a progress bar */
	UI_C__COUNT
};

/* Set the colour pairs up (after initscr); NO_COLOR: attributes only. */
void	ui_draw_init(int no_color);
/* The attribute of ROLE. */
int	ui_attr(enum ui_color);
/* Display columns of UTF-8 text S (a wide character counts two). */
int	ui_text_width(const char *s);
/*
 * Draw UTF-8 text S at (Y, X) in ROLE, within WIDTH columns: clipped on a
 * character boundary (an ellipsis "~" marks a cut), padded with spaces when
 * PAD.  Control characters show as '?'.  Returns the columns used.
 */
int	ui_draw_text(int y, int x, int width, enum ui_color, const char *s,
	    int pad);
/* The same with printf formatting. */
int	ui_draw_fmt(int y, int x, int width, enum ui_color, int pad,
	    const char *fmt, ...) PS_PRINTF(6, 7);
/* Right-align S within WIDTH columns ending at X + WIDTH. */
void	ui_draw_right(int y, int x, int width, enum ui_color, const char *s);
/* A horizontal line of W columns (ACS, or '-' where the terminal lacks it). */
void	ui_draw_hline(int y, int x, int w);
/* A vertical line of H lines. */
void	ui_draw_vline(int y, int x, int h);
/* A progress bar "[#####     ] 42%" in W columns; FRAC < 0: unknown. */
void	ui_draw_bar(int y, int x, int w, double frac);
/* Fill a line from X to X + W - 1 with spaces in ROLE. */
void	ui_draw_blank(int y, int x, int w, enum ui_color);
/* A count with thousands separators: "1,234,567" into BUF. */
const char *ui_fmt_count(int64_t, char *buf, size_t len);
/* "3m 12s", "1h 02m", "0.4s" */
const char *ui_fmt_duration(double s, char *buf, size_t len);
/* "2026-11-24 21:30" in local time; "-" for 0. */
const char *ui_fmt_time(double t, char *buf, size_t len);
/* A job status as people read it: "completed", "with conflicts" ... */
const char *ui_status_label(enum job_status);
/* The colour of a job status. */
enum ui_color ui_status_color(enum job_status);

/* ---- keys (ui_keys.c) ---- */

/* The generic meaning of key CH. */
enum ui_req ui_key_req(int ch);
/* "Enter", "^C", "x" for CH, into BUF. */
const char *ui_key_name(int ch, char *buf, size_t len);
/*
 * Move the cursor *CUR over N rows for REQ (up, down, a PAGE of rows, the
 * first, the last): 1 when REQ is one of those, else 0 and nothing moved.
 */
int	ui_cursor_move(int *cur, int n, int page, enum ui_req req);

/* ---- the engine thread (ui_worker.c) ---- */

struct ui_worker;
/*
 * Start the engine thread: it takes commands from CMD and pushes events on
 * EV, loading the configuration from CONF_PATH for each command and keeping
 * its own connection to the history at HIST_PATH.  Signals are blocked in
 * it.  Aborts when the thread cannot start.
 */
struct ui_worker *ui_worker_start(const char *conf_path, const char *hist_path,
	    struct msgq *cmd, struct msgq *ev);
/*
 * Stop it: a running job is cancelled (its batch in flight rolled back),
 * then the thread is joined and freed.
 */
void	ui_worker_stop(struct ui_worker *);
/* Whether the thread is working on a command now (for tests). */
int	ui_worker_busy(struct ui_worker *);

/* ---- the views ---- */

extern const struct view_ops ui_dashboard_ops;	/* ui_dashboard.c; arg NULL */
extern const struct view_ops ui_newjob_ops;	/* ui_newjob.c; arg NULL */
extern const struct view_ops ui_job_ops;	/* ui_job.c; arg const int64_t *job_id */
extern const struct view_ops ui_conflicts_ops;	/* ui_conflicts.c; arg const struct ui_conflicts_arg * or NULL */
extern const struct view_ops ui_diff_ops;	/* ui_diff.c; arg const int64_t *conflict_id */
extern const struct view_ops ui_settings_ops;	/* ui_settings.c; arg NULL */
extern const struct view_ops ui_help_ops;	/* ui_help.c; arg the view it explains */

/* What the Conflicts view opens on (fields NULL/0: any). */
struct ui_conflicts_arg {
	int64_t		 job_id;
	const char	*table;
	const char	*status;	/* NULL: pending */
};

#endif
