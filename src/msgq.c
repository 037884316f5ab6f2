/*
 * projsync - msgq.c: the messages between the terminal application's UI
 * thread and its engine thread (making, naming and freeing them), and the
 * thread-safe queues that carry them.
 *
 * DESIGN
 *
 * A queue is a FIFO of messages linked through msg->next, with head and tail
 * pointers and a count, behind one mutex.  A condition variable, set to
 * CLOCK_MONOTONIC so a change of the wall clock does not stretch or cut a
 * wait, is signalled on every push and broadcast on close; msgq_pop() waits
 * on it, with a deadline computed once so spurious wake-ups do not extend
 * the timeout.  A queue made with WAKE also owns a non-blocking self-pipe:
 * every push writes one byte to it after the message is linked in, and close
 * writes one too, so a thread that poll()s the read end beside other
 * descriptors learns that there is something to pop.  A full pipe already
 * means "wake up", so a write that would block is dropped.  The reader calls
 * msgq_drain() before popping: a message whose byte it drained is already in
 * the list, and a message pushed after the drain writes a byte of its own,
 * so no message is left behind with the pipe empty.  The list, the count and
 * the closed flag are touched only under the mutex; the descriptors are
 * set in msgq_new() and never change until msgq_free(), which must run when
 * no other thread uses the queue.  A message belongs to the queue from
 * msgq_push() until a pop or take hands it to the caller, who frees it with
 * msg_free(); after msgq_close() a push frees the message at once.
 */
#include "projsync/common.h"
#include "projsync/msgq.h"
#include "projsync/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct msgq {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* signalled by push and close */
	struct msg	*head;		/* the oldest message, or NULL */
	struct msg	*tail;		/* the newest message, or NULL */
	size_t		 length;
	int		 closed;
	int		 wake[2];	/* the self-pipe, or -1 and -1 */
};

struct msg *
msg_new(enum msg_type type)
{
	struct msg	*m;

	m = xcalloc(1, sizeof *m);
	m->type = type;
	return m;
}

void
msg_job_free(struct msg_job *job)
{
	size_t	i;

	if (job == NULL)
		return;
	free(job->source);
	free(job->target);
	if (job->tables != NULL) {
		for (i = 0; job->tables[i] != NULL; i++)
			free(job->tables[i]);
		free(job->tables);
	}
	free(job->strategy);
	free(job);
}

void
msg_resolve_free(struct msg_resolve *res)
{
	if (res == NULL)
		return;
	free(res->strategy);
	util_strvn_free(res->set_cols, res->nset);
	util_strvn_free(res->set_vals, res->nset);
	util_strvn_free(res->null_cols, res->nnull);
	free(res->note);
	free(res->ids);
	free(res->table);
	free(res->column);
	free(res);
}

void
msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	free(m->name);
	free(m->text);
	msg_job_free(m->job);
	msg_resolve_free(m->resolve);
	free(m);
}

const char *
msg_type_name(enum msg_type type)
{
	switch (type) {
	case MSG_CMD_JOB_START:
		return "MSG_CMD_JOB_START";
	case MSG_CMD_JOB_CANCEL:
		return "MSG_CMD_JOB_CANCEL";
	case MSG_CMD_CONN_TEST:
		return "MSG_CMD_CONN_TEST";
	case MSG_CMD_RESOLVE:
		return "MSG_CMD_RESOLVE";
	case MSG_CMD_RESOLVE_ALL:
		return "MSG_CMD_RESOLVE_ALL";
	case MSG_CMD_SCHEMA_CHECK:
		return "MSG_CMD_SCHEMA_CHECK";
	case MSG_CMD_QUIT:
		return "MSG_CMD_QUIT";
	case MSG_EV_JOB_STARTED:
		return "MSG_EV_JOB_STARTED";
	case MSG_EV_TABLE_STARTED:
		return "MSG_EV_TABLE_STARTED";
	case MSG_EV_PROGRESS:
		return "MSG_EV_PROGRESS";
	case MSG_EV_LOG:
		return "MSG_EV_LOG";
	case MSG_EV_TABLE_DONE:
		return "MSG_EV_TABLE_DONE";
	case MSG_EV_JOB_DONE:
		return "MSG_EV_JOB_DONE";
	case MSG_EV_CONN_RESULT:
		return "MSG_EV_CONN_RESULT";
	case MSG_EV_RESOLVED:
		return "MSG_EV_RESOLVED";
	case MSG_EV_RESOLVE_ALL_DONE:
		return "MSG_EV_RESOLVE_ALL_DONE";
	case MSG_EV_SCHEMA_RESULT:
		return "MSG_EV_SCHEMA_RESULT";
	case MSG_EV_ERROR:
		return "MSG_EV_ERROR";
	}
	return "MSG_UNKNOWN";
}

struct msgq *
msgq_new(int wake)
{
	struct msgq		*q;
	pthread_condattr_t	 attr;
	int			 error;

	q = xcalloc(1, sizeof *q);
	q->wake[0] = q->wake[1] = -1;

	if ((error = pthread_mutex_init(&q->lock, NULL)) != 0)
		fatalx("msgq: pthread_mutex_init: %s", strerror(error));
	if ((error = pthread_condattr_init(&attr)) != 0)
		fatalx("msgq: pthread_condattr_init: %s", strerror(error));
	if ((error = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)) != 0)
		fatalx("msgq: pthread_condattr_setclock: %s", strerror(error));
	if ((error = pthread_cond_init(&q->cond, &attr)) != 0)
		fatalx("msgq: pthread_cond_init: %s", strerror(error));
	pthread_condattr_destroy(&attr);

	if (wake && pipe2(q->wake, O_NONBLOCK|O_CLOEXEC) != 0)
		fatalx("msgq: pipe2: %s", strerror(errno));
	return q;
}

void
msgq_free(struct msgq *q)
{
	struct msg	*m, *next;

	if (q == NULL)
		return;
	for (m = q->head; m != NULL; m = next) {
		next = m->next;
		msg_free(m);
	}
	if (q->wake[0] != -1)
		close(q->wake[0]);
	if (q->wake[1] != -1)
		close(q->wake[1]);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/*
 * Write one byte to Q's self-pipe, if it has one.  A full pipe is readable
 * already, so EAGAIN is not an error.  Called with the lock held.
 */
static void
msgq_wake(struct msgq *q)
{
	const char	c = 1;

	if (q->wake[1] == -1)
		return;
	while (write(q->wake[1], &c, 1) == -1 && errno == EINTR)
		continue;
}

/* Unlink and return the oldest message; the lock is held, Q not empty. */
static struct msg *
msgq_shift(struct msgq *q)
{
	struct msg	*m;

	m = q->head;
	q->head = m->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->length--;
	m->next = NULL;
	return m;
}

void
msgq_push(struct msgq *q, struct msg *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		msg_free(m);
		return;
	}
	m->next = NULL;
	if (q->tail != NULL)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->length++;
	pthread_cond_signal(&q->cond);
	msgq_wake(q);
	pthread_mutex_unlock(&q->lock);
}

struct msg *
msgq_try_pop(struct msgq *q)
{
	struct msg	*m = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->head != NULL)
		m = msgq_shift(q);
	pthread_mutex_unlock(&q->lock);
	return m;
}

struct msg *
msgq_pop(struct msgq *q, int timeout_ms)
{
	struct msg	*m = NULL;
	struct timespec	 deadline;

	if (timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}

	pthread_mutex_lock(&q->lock);
	while (q->head == NULL && !q->closed && timeout_ms != 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&q->cond, &q->lock);
		else if (pthread_cond_timedwait(&q->cond, &q->lock,
		    &deadline) == ETIMEDOUT)
			break;
	}
	if (q->head != NULL)
		m = msgq_shift(q);
	pthread_mutex_unlock(&q->lock);
	return m;
}

struct msg *
msgq_take(struct msgq *q, enum msg_type type)
{
	struct msg	*m, *prev = NULL;

	pthread_mutex_lock(&q->lock);
	for (m = q->head; m != NULL; prev = m, m = m->next) {
		if (m->type != type)
			continue;
		if (prev != NULL)
			prev->next = m->next;
		else
			q->head = m->next;
		if (q->tail == m)
			q->tail = prev;
		q->length--;
		m->next = NULL;
		break;
	}
	pthread_mutex_unlock(&q->lock);
	return m;
}

size_t
msgq_length(struct msgq *q)
{
	size_t	n;

	pthread_mutex_lock(&q->lock);
	n = q->length;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void
msgq_close(struct msgq *q)
{
	pthread_mutex_lock(&q->lock);
	if (!q->closed) {
		q->closed = 1;
		pthread_cond_broadcast(&q->cond);
		msgq_wake(q);
	}
	pthread_mutex_unlock(&q->lock);
}

int
msgq_fd(struct msgq *q)
{
	return q->wake[0];
}

void
msgq_drain(struct msgq *q)
{
	char	buf[256];
	ssize_t	n;

	if (q->wake[0] == -1)
		return;
	for (;;) {
		n = read(q->wake[0], buf, sizeof buf);
		if (n > 0)
			continue;
		if (n == -1 && errno == EINTR)
			continue;
		break;
	}
}
