/*
 * projsync - msgq.h: the messages between the terminal application's UI
 * thread and its engine thread, and the thread-safe queues that carry them.
 *
 * DESIGN
 * Two queues: commands go down (UI -> engine), events come up (engine ->
 * UI).  Each is a FIFO behind a mutex and a condition variable; a queue made
 * with a wake-up descriptor also writes one byte to a non-blocking pipe on
 * every push, so the UI can poll() the pipe beside the keyboard, drain the
 * queue with msgq_try_pop() and redraw once.  msgq_push() takes ownership of
 * the message; whoever pops it calls msg_free().  After msgq_close(), pushes
 * are freed at once and pops return what is left, then NULL.
 */
#ifndef PROJSYNC_MSGQ_H
#define PROJSYNC_MSGQ_H

#include "projsync/common.h"
#include "projsync/history.h"

/* Commands are numbered from 100, events from 200. */
enum msg_type {
	MSG_CMD_JOB_START = 100,	/* data: struct msg_job (owned) */
	MSG_CMD_JOB_CANCEL,		/* job_id (0: the running job) */
	MSG_CMD_CONN_TEST,		/* name */
	MSG_CMD_RESOLVE,		/* id, data: struct msg_resolve */
	MSG_CMD_RESOLVE_ALL,		/* data: struct msg_resolve */
	MSG_CMD_SCHEMA_CHECK,		/* name (source), text (target) */
	MSG_CMD_QUIT,

	MSG_EV_JOB_STARTED = 200,	/* job_id, name "SOURCE -> TARGET" */
	MSG_EV_TABLE_STARTED,		/* job_id, name (table), total */
	MSG_EV_PROGRESS,		/* job_id, name, done, total, counts */
	MSG_EV_LOG,			/* job_id, level, text */
	MSG_EV_TABLE_DONE,		/* job_id, name, counts */
	MSG_EV_JOB_DONE,		/* job_id, status, counts, value (s), text (error or NULL) */
	MSG_EV_CONN_RESULT,		/* name, ok, value (latency ms), text (version or error) */
	MSG_EV_RESOLVED,		/* id, ok, code (enum ps_err), text (error) */
	MSG_EV_RESOLVE_ALL_DONE,	/* ok, summary, text (error) */
	MSG_EV_SCHEMA_RESULT,		/* ok, text (the report, one line each) */
	MSG_EV_ERROR			/* text: a command that could not run */
};

/* What MSG_CMD_JOB_START carries: a sync's options, strings owned. */
struct msg_job {
	char		*source;
	char		*target;
	char		**tables;	/* NULL-terminated, or NULL: all */
	int		 bidirectional;
	char		*strategy;	/* "manual", "source-wins", ... */
	int		 schema_check;
	int		 auto_migrate;
	int		 batch_size;
	int		 dry_run;
};

/* What MSG_CMD_RESOLVE and MSG_CMD_RESOLVE_ALL carry. */
struct msg_resolve {
	char		*strategy;	/* as --strategy; NULL: "source, then overrides" */
	int		 nset;
	char		**set_cols;	/* typed by the column's family */
	char		**set_vals;
	int		 nnull;
	char		**null_cols;
	char		*note;
	/*
	 * RESOLVE_ALL: the conflicts IDS (NIDS > 0: the marked ones), else
	 * every pending or ignored one matching the filter.
	 */
	int64_t		*ids;
	int		 nids;
	int64_t		 job_id;
	char		*table;
	char		*column;
};

struct resolve_counts {
	int64_t	matched;
	int64_t	resolved;
	int64_t	stale;
	int64_t	failed;
};

struct msg {
	enum msg_type		 type;
	uint64_t		 req_id;	/* matches a reply to its request */
	int64_t			 job_id;
	int64_t			 id;		/* a conflict */
	char			*name;
	char			*text;
	int			 level;		/* enum log_level */
	int			 status;	/* enum job_status */
	int			 ok;
	int			 code;		/* enum ps_err */
	int64_t			 done;
	int64_t			 total;
	double			 value;
	struct sync_counts	 counts;
	struct resolve_counts	 summary;
	struct msg_job		*job;
	struct msg_resolve	*resolve;
	struct msg		*next;		/* the queue's */
};

/* A zeroed message of TYPE; free with msg_free(). */
struct msg	*msg_new(enum msg_type);
/* Free M and everything it owns; NULL is fine. */
void		 msg_free(struct msg *);
void		 msg_job_free(struct msg_job *);
void		 msg_resolve_free(struct msg_resolve *);
/* "MSG_EV_PROGRESS" and so on, for logs and tests. */
const char	*msg_type_name(enum msg_type);

struct msgq;

/* A new queue; with WAKE, a self-pipe for msgq_fd().  Aborts on failure. */
struct msgq	*msgq_new(int wake);
/* Free Q and the messages still queued. */
void		 msgq_free(struct msgq *);
/* Append M (taken over; freed at once when Q is closed) and wake. */
void		 msgq_push(struct msgq *, struct msg *);
/* The oldest message, or NULL when none is queued.  Never blocks. */
struct msg	*msgq_try_pop(struct msgq *);
/*
 * The oldest message, waiting up to TIMEOUT_MS (-1: forever) for one.
 * NULL on timeout, or when Q is closed and empty.
 */
struct msg	*msgq_pop(struct msgq *, int timeout_ms);
/*
 * Take the oldest message of TYPE out of the queue, wherever it is, or
 * NULL (the engine thread looks for a cancel while a job runs).
 */
struct msg	*msgq_take(struct msgq *, enum msg_type);
/* Messages queued now. */
size_t		 msgq_length(struct msgq *);
/* Refuse further pushes and wake every waiter. */
void		 msgq_close(struct msgq *);
/*
 * The wake-up descriptor (readable after a push), or -1 without WAKE.
 * msgq_drain() empties the pipe; call it before popping.
 */
int		 msgq_fd(struct msgq *);
void		 msgq_drain(struct msgq *);

#endif
