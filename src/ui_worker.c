/*
 * projsync - ui_worker.c: the terminal application's engine thread.  It
 * takes commands from the command queue one at a time (a sync, a connection
 * test, a resolution, a schema check), runs them through the engine, and
 * pushes what happens on the event queue, each event carrying the req_id of
 * the command that caused it.
 *
 * DESIGN
 * The thread owns every database connection it opens and a history
 * connection of its own; it loads the configuration afresh for each command,
 * so what Settings saved is what the next command uses.  While a sync runs,
 * the engine's event callback (about ten times a second, and on every log
 * line) looks for a cancel or quit command in the queue and sets the
 * engine's cancel flag: cancel goes down the same queue as every command,
 * and the engine rolls back the batch in flight.  SIGWINCH, SIGINT and
 * SIGTERM are blocked here, so they reach the UI thread.
 */
#include "projsync/common.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "projsync/log.h"
#include "projsync/util.h"
#include "ui_int.h"

struct ui_worker {
	pthread_t	 thr;
	char		*conf_path;
	char		*hist_path;
	struct msgq	*cmd;
	struct msgq	*ev;
	struct history	*hist;
	atomic_int	 cancel;
	atomic_int	 busy;
	atomic_int	 stopping;	/* ui_worker_stop() was called */
	int		 quit;
	uint64_t	 req_id;	/* of the command running */
	int64_t		 job_id;
};

static void
worker_push(struct ui_worker *w, struct msg *m)
{
	m->req_id = w->req_id;
	msgq_push(w->ev, m);
}

static void
worker_error(struct ui_worker *w, const char *what, const struct ps_error *e)
{
	struct msg	*m;

	m = msg_new(MSG_EV_ERROR);
	xasprintf(&m->text, "%s: %s", what, e->msg);
	worker_push(w, m);
}

/* Look for a cancel (or quit) command while a job runs. */
static void
worker_poll_cancel(struct ui_worker *w)
{
	struct msg	*m;

	while ((m = msgq_take(w->cmd, MSG_CMD_JOB_CANCEL)) != NULL) {
		if (m->job_id == 0 || m->job_id == w->job_id ||
		    w->job_id == 0)
			atomic_store(&w->cancel, 1);
		msg_free(m);
	}
	if ((m = msgq_take(w->cmd, MSG_CMD_QUIT)) != NULL) {
		atomic_store(&w->cancel, 1);
		w->quit = 1;
		msg_free(m);
	}
}

/* The engine's event callback: events become messages. */
static void
worker_event(const struct engine_event *ev, void *arg)
{
	struct ui_worker	*w = arg;
	struct msg		*m = NULL;

	switch (ev->type) {
	case EV_JOB_STARTED:
		w->job_id = ev->job_id;
		m = msg_new(MSG_EV_JOB_STARTED);
		break;
	case EV_TABLE_STARTED:
		m = msg_new(MSG_EV_TABLE_STARTED);
		m->name = xstrdup(ev->table);
		m->total = ev->total;
		break;
	case EV_PROGRESS:
		m = msg_new(MSG_EV_PROGRESS);
		m->name = xstrdup(ev->table);
		m->done = ev->done;
		m->total = ev->total;
		if (ev->counts != NULL)
			m->counts = *ev->counts;
		break;
	case EV_LOG:
		m = msg_new(MSG_EV_LOG);
		m->level = ev->level;
		m->text = xstrdup(ev->message);
		break;
	case EV_TABLE_DONE:
		m = msg_new(MSG_EV_TABLE_DONE);
		m->name = xstrdup(ev->table);
		if (ev->counts != NULL)
			m->counts = *ev->counts;
		break;
	case EV_JOB_DONE:
		/* Sent after engine_sync() returns, with the whole result. */
		break;
	}
	if (m != NULL) {
		m->job_id = ev->job_id > 0 ? ev->job_id : w->job_id;
		worker_push(w, m);
	}
	worker_poll_cancel(w);
}

/* Load the configuration and fill CTX; -1 with an error event. */
static int
worker_ctx(struct ui_worker *w, struct conf **conf, struct engine_ctx *ctx)
{
	struct ps_error	err;

	if (conf_load(w->conf_path, conf, &err) != 0) {
		worker_error(w, "configuration", &err);
		return -1;
	}
	if (w->hist == NULL && history_open(w->hist_path, &w->hist,
	    &err) != 0) {
		conf_free(*conf);
		*conf = NULL;
		worker_error(w, "history", &err);
		return -1;
	}
	memset(ctx, 0, sizeof *ctx);
	ctx->conf = *conf;
	ctx->hist = w->hist;
	ctx->cb = worker_event;
	ctx->cb_arg = w;
	ctx->cancel = &w->cancel;
	return 0;
}

static void
worker_job(struct ui_worker *w, const struct msg_job *j)
{
	struct conf		*conf = NULL;
	struct engine_ctx	 ctx;
	struct sync_opts	 o;
	struct job_result	 r;
	struct ps_error		 err;
	struct msg		*m;
	enum strategy		 st;
	int			 i, rc;

	memset(&r, 0, sizeof r);
	m = msg_new(MSG_EV_JOB_DONE);
	m->status = JOB_FAILED;
	if (worker_ctx(w, &conf, &ctx) != 0) {
		m->text = xstrdup("the configuration or the history cannot "
		    "be read");
		goto out;
	}
	sync_opts_defaults(&o, conf);
	o.source = j->source;
	o.target = j->target;
	o.tables = j->tables;
	o.bidirectional = j->bidirectional;
	if (j->strategy != NULL) {
		if (strategy_parse(j->strategy, &st) != 0) {
			xasprintf(&m->text, "unknown strategy '%s'",
			    j->strategy);
			goto out;
		}
		o.strategy = st;
	}
	o.schema_check = j->schema_check;
	o.auto_migrate = j->auto_migrate;
	if (j->batch_size > 0)
		o.batch_size = j->batch_size;
	o.dry_run = j->dry_run;
	w->job_id = 0;
	atomic_store(&w->cancel, atomic_load(&w->stopping));
	/* A cancel sent before the job started counts too. */
	worker_poll_cancel(w);
	rc = engine_sync(&ctx, &o, &r, &err);
	m->job_id = r.job_id;
	if (rc != 0) {
		m->status = JOB_FAILED;
		m->text = xstrdup(err.msg);
	} else {
		m->status = r.status;
		m->counts = r.counts;
		m->value = r.duration_s;
		for (i = 0; i < r.ntables; i++) {
			struct msg	*t;

			/* Each table's final counts and status. */
			t = msg_new(MSG_EV_TABLE_DONE);
			t->job_id = r.job_id;
			t->name = xstrdup(r.tables[i].name);
			t->text = xstrdup(r.tables[i].status);
			t->counts = r.tables[i].counts;
			worker_push(w, t);
		}
	}
out:
	worker_push(w, m);
	job_result_free(&r);
	conf_free(conf);
	w->job_id = 0;
}

static void
worker_conn_test(struct ui_worker *w, const char *name)
{
	struct conf		*conf = NULL;
	struct engine_ctx	 ctx;
	struct ps_error		 err;
	struct msg		*m;
	char			*version = NULL;
	double			 ms = 0;

	m = msg_new(MSG_EV_CONN_RESULT);
	m->name = xstrdup(name);
	if (worker_ctx(w, &conf, &ctx) != 0) {
		m->text = xstrdup("the configuration cannot be read");
		goto out;
	}
	if (engine_conn_test(&ctx, name, conf->defaults.connect_timeout,
	    &ms, &version, &err) != 0) {
		m->text = xstrdup(err.msg);
		goto out;
	}
	m->ok = 1;
	m->value = ms;
	m->text = version;
	version = NULL;
out:
	worker_push(w, m);
	free(version);
	conf_free(conf);
}

/* Fill O from what the message carries. */
static int
worker_resolve_opts(const struct msg_resolve *r, const struct conf *conf,
    struct resolve_opts *o, struct ps_error *err)
{
	enum strategy	st = STRAT_MANUAL;

	memset(o, 0, sizeof *o);
	if (r->strategy != NULL && strategy_parse(r->strategy, &st) != 0) {
		ps_error_set(err, PS_ERR_USAGE, "unknown strategy '%s'",
		    r->strategy);
		return -1;
	}
	o->strategy = st;
	o->nset = r->nset;
	o->set_cols = r->set_cols;
	o->set_vals = r->set_vals;
	o->nnull = r->nnull;
	o->null_cols = r->null_cols;
	o->note = r->note;
	o->clock_skew = conf->defaults.clock_skew;
	o->connect_timeout = conf->defaults.connect_timeout;
	return 0;
}

static void
worker_resolve(struct ui_worker *w, int64_t id, const struct msg_resolve *r)
{
	struct conf		*conf = NULL;
	struct engine_ctx	 ctx;
	struct resolve_opts	 o;
	struct ps_error		 err;
	struct msg		*m;

	m = msg_new(MSG_EV_RESOLVED);
	m->id = id;
	if (worker_ctx(w, &conf, &ctx) != 0) {
		m->text = xstrdup("the configuration cannot be read");
		goto out;
	}
	if (r == NULL) {
		m->text = xstrdup("nothing to resolve with");
		goto out;
	}
	atomic_store(&w->cancel, 0);
	if (worker_resolve_opts(r, conf, &o, &err) != 0 ||
	    engine_resolve(&ctx, id, &o, &err) != 0) {
		m->code = err.code;
		m->text = xstrdup(err.msg);
		goto out;
	}
	m->ok = 1;
out:
	worker_push(w, m);
	conf_free(conf);
}

static void
worker_resolve_all(struct ui_worker *w, const struct msg_resolve *r)
{
	struct conf		*conf = NULL;
	struct engine_ctx	 ctx;
	struct resolve_opts	 o;
	struct resolve_summary	 sum;
	struct conflict_filter	 f;
	struct ps_error		 err;
	struct msg		*m;
	int			 i;

	m = msg_new(MSG_EV_RESOLVE_ALL_DONE);
	if (worker_ctx(w, &conf, &ctx) != 0) {
		m->text = xstrdup("the configuration cannot be read");
		goto out;
	}
	if (r == NULL || worker_resolve_opts(r, conf, &o, &err) != 0) {
		m->text = xstrdup(r == NULL ? "nothing to resolve with" :
		    err.msg);
		goto out;
	}
	atomic_store(&w->cancel, 0);
	if (r->nids > 0) {
		memset(&sum, 0, sizeof sum);
		sum.matched = r->nids;
		for (i = 0; i < r->nids; i++) {
			worker_poll_cancel(w);
			if (atomic_load(&w->cancel))
				break;
			if (engine_resolve(&ctx, r->ids[i], &o, &err) == 0)
				sum.resolved++;
			else if (err.code == PS_ERR_STALE)
				sum.stale++;
			else {
				sum.failed++;
				if (m->text == NULL)
					m->text = xstrdup(err.msg);
			}
		}
	} else {
		memset(&f, 0, sizeof f);
		f.job_id = r->job_id;
		f.table = r->table;
		f.column = r->column;
		f.status = "pending";
		if (engine_resolve_all(&ctx, &f, &o, &sum, &err) != 0) {
			m->text = xstrdup(err.msg);
			goto out;
		}
	}
	m->ok = 1;
	m->summary.matched = sum.matched;
	m->summary.resolved = sum.resolved;
	m->summary.stale = sum.stale;
	m->summary.failed = sum.failed;
out:
	worker_push(w, m);
	conf_free(conf);
}

static void
worker_schema(struct ui_worker *w, const char *source, const char *target)
{
	struct conf		*conf = NULL;
	struct engine_ctx	 ctx;
	struct schema_report	 rep;
	struct ps_error		 err;
	struct strbuf		 sb = STRBUF_INIT;
	struct msg		*m;
	int			 i, k, ndiff = 0;

	memset(&rep, 0, sizeof rep);
	m = msg_new(MSG_EV_SCHEMA_RESULT);
	if (worker_ctx(w, &conf, &ctx) != 0) {
		m->text = xstrdup("the configuration cannot be read");
		goto out;
	}
	if (engine_schema_diff(&ctx, source, target, NULL, 1, &rep,
	    &err) != 0) {
		m->text = xstrdup(err.msg);
		goto out;
	}
	for (i = 0; i < rep.ntables; i++) {
		for (k = 0; k < rep.tables[i].n; k++) {
			const struct schema_item *it = &rep.tables[i].items[k];

			sb_addf(&sb, "%s %s%s%s: %s\n", schema_sev_name(it->sev),
			    rep.tables[i].table, it->column != NULL ? "." : "",
			    it->column != NULL ? it->column : "", it->detail);
			ndiff++;
		}
	}
	if (ndiff == 0)
		sb_addf(&sb, "%d tables compared: no differences\n",
		    rep.ntables);
	m->ok = 1;
	m->total = ndiff;
	m->text = sb_detach(&sb);
out:
	worker_push(w, m);
	schema_report_free(&rep);
	sb_free(&sb);
	conf_free(conf);
}

static void *
worker_main(void *arg)
{
	struct ui_worker	*w = arg;
	struct msg		*m;

	while (!w->quit && (m = msgq_pop(w->cmd, -1)) != NULL) {
		if (atomic_load(&w->stopping) && m->type != MSG_CMD_QUIT) {
			/* Quitting: what is still queued is dropped. */
			msg_free(m);
			continue;
		}
		atomic_store(&w->busy, 1);
		w->req_id = m->req_id;
		switch (m->type) {
		case MSG_CMD_JOB_START:
			if (m->job != NULL)
				worker_job(w, m->job);
			break;
		case MSG_CMD_CONN_TEST:
			worker_conn_test(w, m->name);
			break;
		case MSG_CMD_RESOLVE:
			worker_resolve(w, m->id, m->resolve);
			break;
		case MSG_CMD_RESOLVE_ALL:
			worker_resolve_all(w, m->resolve);
			break;
		case MSG_CMD_SCHEMA_CHECK:
			worker_schema(w, m->name, m->text);
			break;
		case MSG_CMD_QUIT:
			w->quit = 1;
			break;
		default:
			/* A cancel with no job running: nothing to do. */
			break;
		}
		msg_free(m);
		atomic_store(&w->busy, 0);
	}
	history_close(w->hist);
	w->hist = NULL;
	return NULL;
}

struct ui_worker *
ui_worker_start(const char *conf_path, const char *hist_path,
    struct msgq *cmd, struct msgq *ev)
{
	struct ui_worker	*w;
	sigset_t		 set, old;

	w = xcalloc(1, sizeof *w);
	w->conf_path = xstrdup(conf_path);
	w->hist_path = xstrdup(hist_path);
	w->cmd = cmd;
	w->ev = ev;
	atomic_init(&w->cancel, 0);
	atomic_init(&w->busy, 0);
	atomic_init(&w->stopping, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (pthread_create(&w->thr, NULL, worker_main, w) != 0)
		fatalx("pthread_create: cannot start the engine thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return w;
}

void
ui_worker_stop(struct ui_worker *w)
{
	struct msg	*m;

	if (w == NULL)
		return;
	atomic_store(&w->stopping, 1);
	atomic_store(&w->cancel, 1);
	m = msg_new(MSG_CMD_QUIT);
	msgq_push(w->cmd, m);
	if (pthread_join(w->thr, NULL) != 0)
		fatalx("pthread_join: the engine thread is lost");
	free(w->conf_path);
	free(w->hist_path);
	free(w);
}

int
ui_worker_busy(struct ui_worker *w)
{
	return atomic_load(&w->busy);
}
