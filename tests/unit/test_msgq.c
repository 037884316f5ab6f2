/*
 * projsync - test_msgq.c: the message queue between the UI and the engine:
 * FIFO order, many producers against one consumer, taking a message of one
 * type from the middle, waiting with and without a timeout, closing with
 * messages in flight and threads waiting, the wake-up descriptor, and
 * freeing messages with everything they own.
 */
#include "projsync/common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "projsync/msgq.h"

#define NPRODUCERS	8
#define NPERPRODUCER	10000
#define NWAITERS	4
/* How long a thread may take to finish before the test calls it stuck. */
#define JOIN_SECONDS	60

/* Sleep MS milliseconds, to let another thread reach a blocking call. */
static void
sleep_ms(long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/*
 * Join T and return what it returned, failing the test instead of hanging
 * when it has not ended within JOIN_SECONDS.
 */
static void *
join(pthread_t t)
{
	struct timespec	 deadline;
	void		*ret = NULL;
	int		 error;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += JOIN_SECONDS;
	error = pthread_timedjoin_np(t, &ret, &deadline);
	if (error != 0)
		fail_msg("thread did not end: %s", strerror(error));
	return ret;
}

/* A message of TYPE carrying JOB_ID and ID. */
static struct msg *
msg_with(enum msg_type type, int64_t job_id, int64_t id)
{
	struct msg	*m;

	m = msg_new(type);
	m->job_id = job_id;
	m->id = id;
	return m;
}

/* Whether FD is readable now (poll with a zero timeout). */
static int
readable(int fd)
{
	struct pollfd	pfd;
	int		n;

	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	do
		n = poll(&pfd, 1, 0);
	while (n == -1 && errno == EINTR);
	assert_true(n >= 0);
	return n == 1 && (pfd.revents & POLLIN) != 0;
}

static void
test_msg_new(void **state)
{
	struct msg	*m;

	(void)state;
	m = msg_new(MSG_EV_PROGRESS);
	assert_int_equal(m->type, MSG_EV_PROGRESS);
	assert_int_equal(m->req_id, 0);
	assert_int_equal(m->job_id, 0);
	assert_null(m->name);
	assert_null(m->text);
	assert_null(m->job);
	assert_null(m->resolve);
	assert_null(m->next);
	msg_free(m);
}

static void
test_type_name(void **state)
{
	static const struct {
		enum msg_type	 type;
		const char	*name;
	} names[] = {
		{ MSG_CMD_JOB_START, "MSG_CMD_JOB_START" },
		{ MSG_CMD_JOB_CANCEL, "MSG_CMD_JOB_CANCEL" },
		{ MSG_CMD_CONN_TEST, "MSG_CMD_CONN_TEST" },
		{ MSG_CMD_RESOLVE, "MSG_CMD_RESOLVE" },
		{ MSG_CMD_RESOLVE_ALL, "MSG_CMD_RESOLVE_ALL" },
		{ MSG_CMD_SCHEMA_CHECK, "MSG_CMD_SCHEMA_CHECK" },
		{ MSG_CMD_QUIT, "MSG_CMD_QUIT" },
		{ MSG_EV_JOB_STARTED, "MSG_EV_JOB_STARTED" },
		{ MSG_EV_TABLE_STARTED, "MSG_EV_TABLE_STARTED" },
		{ MSG_EV_PROGRESS, "MSG_EV_PROGRESS" },
		{ MSG_EV_LOG, "MSG_EV_LOG" },
		{ MSG_EV_TABLE_DONE, "MSG_EV_TABLE_DONE" },
		{ MSG_EV_JOB_DONE, "MSG_EV_JOB_DONE" },
		{ MSG_EV_CONN_RESULT, "MSG_EV_CONN_RESULT" },
		{ MSG_EV_RESOLVED, "MSG_EV_RESOLVED" },
		{ MSG_EV_RESOLVE_ALL_DONE, "MSG_EV_RESOLVE_ALL_DONE" },
		{ MSG_EV_SCHEMA_RESULT, "MSG_EV_SCHEMA_RESULT" },
		{ MSG_EV_ERROR, "MSG_EV_ERROR" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < nitems(names); i++)
		assert_string_equal(msg_type_name(names[i].type),
		    names[i].name);
	/* The ranges are dense: the last of each is the one listed above. */
	assert_int_equal(MSG_CMD_QUIT, MSG_CMD_JOB_START + 6);
	assert_int_equal(MSG_EV_ERROR, MSG_EV_JOB_STARTED + 10);
	assert_string_equal(msg_type_name((enum msg_type)0), "MSG_UNKNOWN");
	assert_string_equal(msg_type_name((enum msg_type)(MSG_CMD_QUIT + 1)),
	    "MSG_UNKNOWN");
	assert_string_equal(msg_type_name((enum msg_type)(MSG_EV_ERROR + 1)),
	    "MSG_UNKNOWN");
}

static void
test_fifo(void **state)
{
	struct msgq	*q;
	struct msg	*m;
	int		 i;

	(void)state;
	q = msgq_new(0);
	assert_null(msgq_try_pop(q));
	assert_null(msgq_pop(q, 0));
	assert_int_equal(msgq_length(q), 0);

	for (i = 0; i < 5; i++)
		msgq_push(q, msg_with(MSG_EV_LOG, 0, i));
	assert_int_equal(msgq_length(q), 5);
	for (i = 0; i < 3; i++) {
		m = msgq_try_pop(q);
		assert_non_null(m);
		assert_int_equal(m->id, i);
		assert_null(m->next);
		msg_free(m);
	}
	assert_int_equal(msgq_length(q), 2);

	/* The queue keeps its order when it empties and fills again. */
	msgq_push(q, msg_with(MSG_EV_LOG, 0, 5));
	for (i = 3; i < 6; i++) {
		m = msgq_pop(q, i == 3 ? -1 : 0);
		assert_non_null(m);
		assert_int_equal(m->id, i);
		msg_free(m);
	}
	assert_null(msgq_try_pop(q));
	assert_int_equal(msgq_length(q), 0);
	msgq_push(q, msg_with(MSG_EV_LOG, 0, 6));
	m = msgq_try_pop(q);
	assert_non_null(m);
	assert_int_equal(m->id, 6);
	msg_free(m);
	assert_null(msgq_try_pop(q));
	msgq_free(q);
}

struct producer {
	pthread_t	 thread;
	struct msgq	*q;
	int		 number;
};

static void *
producer_main(void *arg)
{
	struct producer	*p = arg;
	int		 i;

	for (i = 0; i < NPERPRODUCER; i++)
		msgq_push(p->q, msg_with(MSG_EV_PROGRESS, p->number, i));
	return NULL;
}

struct consumer {
	pthread_t	 thread;
	struct msgq	*q;
	long		 received;
	long		 bad;		/* unknown producer or out of order */
	int64_t		 next[NPRODUCERS];	/* the sequence expected */
};

/* Pop with no timeout until the queue is closed and empty. */
static void *
consumer_main(void *arg)
{
	struct consumer	*c = arg;
	struct msg	*m;
	int64_t		 p;

	while ((m = msgq_pop(c->q, -1)) != NULL) {
		c->received++;
		p = m->job_id;
		if (p < 0 || p >= NPRODUCERS || m->id != c->next[p])
			c->bad++;
		else
			c->next[p]++;
		msg_free(m);
	}
	return NULL;
}

static void
test_many_producers(void **state)
{
	struct producer	 producers[NPRODUCERS];
	struct consumer	 c;
	struct msgq	*q;
	int		 i;

	(void)state;
	q = msgq_new(0);
	memset(&c, 0, sizeof c);
	c.q = q;
	assert_int_equal(pthread_create(&c.thread, NULL, consumer_main, &c),
	    0);
	for (i = 0; i < NPRODUCERS; i++) {
		producers[i].q = q;
		producers[i].number = i;
		assert_int_equal(pthread_create(&producers[i].thread, NULL,
		    producer_main, &producers[i]), 0);
	}
	for (i = 0; i < NPRODUCERS; i++)
		join(producers[i].thread);
	/* Every message is queued before the close, so none may be lost. */
	msgq_close(q);
	join(c.thread);

	assert_int_equal(c.bad, 0);
	assert_int_equal(c.received, (long)NPRODUCERS * NPERPRODUCER);
	for (i = 0; i < NPRODUCERS; i++)
		assert_int_equal(c.next[i], NPERPRODUCER);
	assert_int_equal(msgq_length(q), 0);
	assert_null(msgq_try_pop(q));
	msgq_free(q);
}

/* Pop the next message, check its type and id, free it. */
static void
assert_pop(struct msgq *q, enum msg_type type, int64_t id)
{
	struct msg	*m;

	m = msgq_try_pop(q);
	assert_non_null(m);
	assert_int_equal(m->type, type);
	assert_int_equal(m->id, id);
	msg_free(m);
}

/* Take the oldest message of TYPE, check its id, free it. */
static void
assert_take(struct msgq *q, enum msg_type type, int64_t id)
{
	struct msg	*m;

	m = msgq_take(q, type);
	assert_non_null(m);
	assert_int_equal(m->type, type);
	assert_int_equal(m->id, id);
	assert_null(m->next);
	msg_free(m);
}

static void
test_take(void **state)
{
	struct msgq	*q;

	(void)state;
	q = msgq_new(0);
	assert_null(msgq_take(q, MSG_CMD_JOB_CANCEL));

	msgq_push(q, msg_with(MSG_CMD_CONN_TEST, 0, 1));
	msgq_push(q, msg_with(MSG_CMD_JOB_CANCEL, 0, 2));
	msgq_push(q, msg_with(MSG_CMD_CONN_TEST, 0, 3));
	msgq_push(q, msg_with(MSG_CMD_JOB_CANCEL, 0, 4));
	msgq_push(q, msg_with(MSG_CMD_SCHEMA_CHECK, 0, 5));
	msgq_push(q, msg_with(MSG_CMD_QUIT, 0, 6));

	/* From the middle: the oldest of its type, the others in order. */
	assert_take(q, MSG_CMD_JOB_CANCEL, 2);
	assert_int_equal(msgq_length(q), 5);
	assert_null(msgq_take(q, MSG_CMD_RESOLVE));
	assert_int_equal(msgq_length(q), 5);

	/* From the tail: a later push still goes to the end. */
	assert_take(q, MSG_CMD_QUIT, 6);
	msgq_push(q, msg_with(MSG_CMD_QUIT, 0, 7));

	/* From the head. */
	assert_take(q, MSG_CMD_CONN_TEST, 1);
	assert_int_equal(msgq_length(q), 4);

	assert_pop(q, MSG_CMD_CONN_TEST, 3);
	assert_pop(q, MSG_CMD_JOB_CANCEL, 4);
	assert_pop(q, MSG_CMD_SCHEMA_CHECK, 5);
	assert_pop(q, MSG_CMD_QUIT, 7);
	assert_null(msgq_try_pop(q));

	/* The only message: the queue is empty after, and fills again. */
	msgq_push(q, msg_with(MSG_CMD_JOB_CANCEL, 0, 8));
	assert_take(q, MSG_CMD_JOB_CANCEL, 8);
	assert_int_equal(msgq_length(q), 0);
	assert_null(msgq_take(q, MSG_CMD_JOB_CANCEL));
	msgq_push(q, msg_with(MSG_CMD_QUIT, 0, 9));
	assert_pop(q, MSG_CMD_QUIT, 9);
	assert_null(msgq_try_pop(q));
	msgq_free(q);
}

struct pusher {
	pthread_t	 thread;
	struct msgq	*q;
	long		 delay_ms;
};

/* Wait, then push one MSG_EV_LOG with id 42. */
static void *
pusher_main(void *arg)
{
	struct pusher	*p = arg;

	sleep_ms(p->delay_ms);
	msgq_push(p->q, msg_with(MSG_EV_LOG, 0, 42));
	return NULL;
}

static void
test_pop_timeout(void **state)
{
	struct pusher	 p;
	struct msgq	*q;
	struct msg	*m;

	(void)state;
	q = msgq_new(0);
	assert_null(msgq_pop(q, 0));
	assert_null(msgq_pop(q, 1));
	assert_null(msgq_pop(q, 50));
	assert_null(msgq_pop(q, 1001));

	/* A message that arrives while the consumer waits. */
	p.q = q;
	p.delay_ms = 100;
	assert_int_equal(pthread_create(&p.thread, NULL, pusher_main, &p), 0);
	m = msgq_pop(q, JOIN_SECONDS * 1000);
	join(p.thread);
	assert_non_null(m);
	assert_int_equal(m->id, 42);
	msg_free(m);

	/* The same with no timeout. */
	assert_int_equal(pthread_create(&p.thread, NULL, pusher_main, &p), 0);
	m = msgq_pop(q, -1);
	join(p.thread);
	assert_non_null(m);
	assert_int_equal(m->id, 42);
	msg_free(m);

	/* A message already queued is returned without waiting. */
	msgq_push(q, msg_with(MSG_EV_LOG, 0, 43));
	m = msgq_pop(q, 10);
	assert_non_null(m);
	assert_int_equal(m->id, 43);
	msg_free(m);
	assert_int_equal(msgq_length(q), 0);
	msgq_free(q);
}

struct waiter {
	pthread_t	 thread;
	struct msgq	*q;
	struct msg	*got;
};

static void *
waiter_main(void *arg)
{
	struct waiter	*w = arg;

	w->got = msgq_pop(w->q, -1);
	return NULL;
}

static void
test_close_wakes_waiters(void **state)
{
	struct waiter	 w[NWAITERS];
	struct msgq	*q;
	int		 i;

	(void)state;
	q = msgq_new(0);
	for (i = 0; i < NWAITERS; i++) {
		w[i].q = q;
		w[i].got = NULL;
		assert_int_equal(pthread_create(&w[i].thread, NULL,
		    waiter_main, &w[i]), 0);
	}
	/* Let them block; a waiter that comes late sees the close anyway. */
	sleep_ms(100);
	msgq_close(q);
	for (i = 0; i < NWAITERS; i++) {
		join(w[i].thread);
		assert_null(w[i].got);
	}
	assert_null(msgq_pop(q, -1));
	msgq_free(q);
}

static void
test_close_in_flight(void **state)
{
	struct msgq	*q;
	struct msg	*m;
	int		 i;

	(void)state;
	q = msgq_new(0);
	for (i = 0; i < 3; i++)
		msgq_push(q, msg_with(MSG_EV_LOG, 0, i));
	msgq_close(q);
	msgq_close(q);

	/* A push after the close is freed, not queued. */
	m = msg_with(MSG_EV_LOG, 0, 99);
	m->name = xstrdup("late");
	m->text = xstrdup("pushed after the close");
	msgq_push(q, m);
	assert_int_equal(msgq_length(q), 3);

	/* What was queued before the close still comes out, then NULL. */
	assert_take(q, MSG_EV_LOG, 0);
	for (i = 1; i < 3; i++) {
		m = msgq_pop(q, -1);
		assert_non_null(m);
		assert_int_equal(m->id, i);
		msg_free(m);
	}
	assert_null(msgq_pop(q, -1));
	assert_null(msgq_pop(q, 10));
	assert_null(msgq_try_pop(q));
	assert_int_equal(msgq_length(q), 0);
	msgq_free(q);
}

static void
test_free_with_messages(void **state)
{
	struct msgq	*q;
	struct msg	*m;
	int		 i;

	(void)state;
	msgq_free(NULL);
	q = msgq_new(1);
	for (i = 0; i < 4; i++) {
		m = msg_with(MSG_EV_LOG, 0, i);
		m->text = xstrdup("still queued");
		msgq_push(q, m);
	}
	m = msg_new(MSG_CMD_JOB_START);
	m->job = xcalloc(1, sizeof *m->job);
	m->job->source = xstrdup("a");
	m->job->target = xstrdup("b");
	msgq_push(q, m);
	assert_int_equal(msgq_length(q), 5);
	/* The leak checker proves these are freed with the queue. */
	msgq_free(q);
}

static void
test_wake_fd(void **state)
{
	struct msgq	*q;
	struct msg	*m;
	int		 fd, i, n;

	(void)state;
	q = msgq_new(0);
	assert_int_equal(msgq_fd(q), -1);
	msgq_drain(q);
	msgq_free(q);

	q = msgq_new(1);
	fd = msgq_fd(q);
	assert_true(fd >= 0);
	assert_true((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	assert_false(readable(fd));
	msgq_drain(q);
	assert_false(readable(fd));

	for (i = 0; i < 3; i++)
		msgq_push(q, msg_with(MSG_EV_LOG, 0, i));
	assert_true(readable(fd));
	msgq_drain(q);
	assert_false(readable(fd));
	for (n = 0; (m = msgq_try_pop(q)) != NULL; n++)
		msg_free(m);
	assert_int_equal(n, 3);
	assert_false(readable(fd));

	/* A push after a drain makes the descriptor readable again. */
	msgq_push(q, msg_with(MSG_EV_LOG, 0, 3));
	assert_true(readable(fd));
	msgq_drain(q);
	assert_non_null(m = msgq_try_pop(q));
	msg_free(m);
	assert_false(readable(fd));

	/* More pushes than the pipe holds: none blocks, none is lost. */
	for (i = 0; i < 200000; i++)
		msgq_push(q, msg_with(MSG_EV_LOG, 0, i));
	assert_true(readable(fd));
	msgq_drain(q);
	assert_false(readable(fd));
	for (n = 0; (m = msgq_try_pop(q)) != NULL; n++) {
		assert_int_equal(m->id, n);
		msg_free(m);
	}
	assert_int_equal(n, 200000);
	assert_false(readable(fd));

	/* The close wakes a poller too. */
	msgq_close(q);
	assert_true(readable(fd));
	msgq_drain(q);
	assert_null(msgq_try_pop(q));
	assert_false(readable(fd));
	msgq_free(q);
}

static void
test_wake_fd_thread(void **state)
{
	struct pusher	 p;
	struct pollfd	 pfd;
	struct msgq	*q;
	struct msg	*m;
	int		 n;

	(void)state;
	q = msgq_new(1);
	p.q = q;
	p.delay_ms = 50;
	assert_int_equal(pthread_create(&p.thread, NULL, pusher_main, &p), 0);
	pfd.fd = msgq_fd(q);
	pfd.events = POLLIN;
	pfd.revents = 0;
	do
		n = poll(&pfd, 1, JOIN_SECONDS * 1000);
	while (n == -1 && errno == EINTR);
	join(p.thread);
	assert_int_equal(n, 1);
	assert_true((pfd.revents & POLLIN) != 0);
	msgq_drain(q);
	m = msgq_try_pop(q);
	assert_non_null(m);
	assert_int_equal(m->id, 42);
	msg_free(m);
	assert_false(readable(msgq_fd(q)));
	msgq_free(q);
}

/* A NULL-terminated copy of the N strings of V. */
static char **
strings(const char *const *v, int n)
{
	char	**r;
	int	  i;

	r = xcalloc(n + 1, sizeof *r);
	for (i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static void
test_msg_free_payloads(void **state)
{
	static const char *const tables[] = { "artists", "albums", "tracks" };
	static const char *const cols[] = { "name", "price" };
	static const char *const vals[] = { "AC/DC", "0.99" };
	static const char *const nulls[] = { "composer" };
	struct msg_job		*job;
	struct msg_resolve	*res;
	struct msg		*m;

	(void)state;
	msg_free(NULL);
	msg_job_free(NULL);
	msg_resolve_free(NULL);

	/* A job with every field set. */
	m = msg_new(MSG_CMD_JOB_START);
	m->name = xstrdup("name");
	m->text = xstrdup("text");
	job = m->job = xcalloc(1, sizeof *job);
	job->source = xstrdup("chinook");
	job->target = xstrdup("replica");
	job->tables = strings(tables, 3);
	job->strategy = xstrdup("source-wins");
	job->bidirectional = 1;
	job->batch_size = 500;
	msg_free(m);

	/* A job for all tables, and an empty one. */
	job = xcalloc(1, sizeof *job);
	job->source = xstrdup("a");
	msg_job_free(job);
	msg_job_free(xcalloc(1, sizeof *job));

	/* A resolution with every field set. */
	m = msg_new(MSG_CMD_RESOLVE_ALL);
	res = m->resolve = xcalloc(1, sizeof *res);
	res->strategy = xstrdup("manual");
	res->nset = 2;
	res->set_cols = strings(cols, 2);
	res->set_vals = strings(vals, 2);
	res->nnull = 1;
	res->null_cols = strings(nulls, 1);
	res->note = xstrdup("checked by hand");
	res->nids = 3;
	res->ids = xcalloc(3, sizeof *res->ids);
	res->ids[0] = 1;
	res->ids[1] = 5;
	res->ids[2] = 9;
	res->job_id = 7;
	res->table = xstrdup("tracks");
	res->column = xstrdup("price");
	msg_free(m);

	/* Both at once, and an empty resolution on its own. */
	m = msg_new(MSG_CMD_RESOLVE);
	m->job = xcalloc(1, sizeof *m->job);
	m->job->tables = strings(tables, 0);
	m->resolve = xcalloc(1, sizeof *m->resolve);
	m->resolve->nset = 1;
	m->resolve->set_cols = strings(cols, 1);
	m->resolve->set_vals = strings(vals, 1);
	msg_free(m);
	msg_resolve_free(xcalloc(1, sizeof *res));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_new),
		cmocka_unit_test(test_type_name),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_many_producers),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_pop_timeout),
		cmocka_unit_test(test_close_wakes_waiters),
		cmocka_unit_test(test_close_in_flight),
		cmocka_unit_test(test_free_with_messages),
		cmocka_unit_test(test_wake_fd),
		cmocka_unit_test(test_wake_fd_thread),
		cmocka_unit_test(test_msg_free_payloads),
	};

	return cmocka_run_group_tests_name("msgq", tests, NULL, NULL);
}
