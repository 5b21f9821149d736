/* pool.c - worker threads owning PostgreSQL connections, results handed back to the loop.
 *
 * Jobs wait in a FIFO under one mutex. Finished jobs go to a second list and one byte on a
 * pipe wakes the loop thread, which runs their done callbacks (a pipe works whether or not
 * the program set up libevent's threading). A worker without a connection retries with
 * exponential back-off (100 ms doubling to 5 s); it leaves jobs to connected workers, and
 * when no worker is connected it fails them at once with STORE_POOL_UNAVAILABLE. */
#include "store/pool.h"
#include "store/db.h"
#include "log/log.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_BACKOFF_MIN_MS 100
#define POOL_BACKOFF_MAX_MS 5000

struct pool_job {
	store_pool_work_fn *work;
	store_pool_done_fn *done;
	void *arg;
	int ret;
	char *error;
	struct pool_job *next;
};

struct pool_list {
	struct pool_job *head, *tail;
	size_t count;
};

struct store_pool {
	struct event_base *base;
	char *conninfo;
	unsigned nthreads;
	pthread_t *threads;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct pool_list todo, finished;
	unsigned connected;
	bool stopping;
	int pipefd[2];
	struct event *ev;
};

/* pool_push - append a job to a list */
static void pool_push(struct pool_list *l, struct pool_job *j)
{
	j->next = NULL;
	if (l->tail != NULL)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	l->count++;
}

/* pool_push_front - put a job back at the head of a list */
static void pool_push_front(struct pool_list *l, struct pool_job *j)
{
	j->next = l->head;
	l->head = j;
	if (l->tail == NULL)
		l->tail = j;
	l->count++;
}

/* pool_pop - take the first job of a list, NULL when empty */
static struct pool_job *pool_pop(struct pool_list *l)
{
	struct pool_job *j = l->head;

	if (j == NULL)
		return NULL;
	l->head = j->next;
	if (l->head == NULL)
		l->tail = NULL;
	l->count--;
	return j;
}

/* pool_now_ms - monotonic clock in milliseconds */
static int64_t pool_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* pool_complete - hand a finished job to the loop thread (mutex held) */
static void pool_complete(struct store_pool *p, struct pool_job *j, int ret, const char *error)
{
	char byte = 0;

	j->ret = ret;
	j->error = error != NULL ? strndup(error, DB_ERROR_MAX) : NULL;
	if (error != NULL && j->error == NULL)
		abort();
	pool_push(&p->finished, j);
	/* EAGAIN means the loop has a wake-up pending already */
	if (write(p->pipefd[1], &byte, 1) < 0 && errno != EAGAIN)
		log_error("event=pool_wakeup_failed errno=%d", errno);
}

/* pool_connect - try to connect (mutex not held); logs the outcome */
static PGconn *pool_connect(struct store_pool *p, bool was_failing)
{
	const char *error;
	char q[LOG_QUOTE_MAX];
	PGconn *conn = db_connect(p->conninfo, &error);

	if (conn == NULL && !was_failing)
		log_warn("event=db_unavailable error=%s", log_quote(q, error, strlen(error)));
	else if (conn != NULL && was_failing)
		log_info("event=db_reconnected");
	return conn;
}

/* pool_conn_alive - read what the server sent while the connection was idle; false once it
 * has gone away. A server shutting down sends a FATAL message and then closes: keep reading
 * while the socket is readable, so the close is seen here rather than by the next job. */
static bool pool_conn_alive(PGconn *conn)
{
	struct pollfd pfd = { .fd = PQsocket(conn), .events = POLLIN };
	int i;

	for (i = 0; i < 8; i++) {
		if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK)
			return false;
		if (poll(&pfd, 1, 0) <= 0)
			return true; /* nothing more to read */
	}
	return PQstatus(conn) == CONNECTION_OK;
}

/* pool_run - run one job on this worker's connection (mutex not held); returns the result
 * and closes the connection when it broke */
static int pool_run(PGconn **conn, struct pool_job *j, char *error, size_t size)
{
	const char *err = NULL;
	int ret = j->work(*conn, j->arg, &err);
	PGresult *res;

	if (ret < 0) {
		snprintf(error, size, "%s", err != NULL ? err : "store error");
		ret = db_error_unavailable(*conn) ? STORE_POOL_UNAVAILABLE : STORE_POOL_ERROR;
	}
	if (db_connected(*conn) && PQtransactionStatus(*conn) != PQTRANS_IDLE) {
		/* a work function must not leave a transaction open: end it here */
		log_error("event=pool_open_transaction action=rollback");
		res = PQexec(*conn, "ROLLBACK");
		PQclear(res);
	}
	if (!db_connected(*conn))
		db_close(conn);
	return ret;
}

/* pool_wait - sleep until there is work, a reconnect is due, or the pool stops */
static void pool_wait(struct store_pool *p, PGconn *conn, int64_t next_try_ms)
{
	struct timespec ts;
	int64_t now = pool_now_ms(), wait_ms;

	if (conn != NULL) {
		pthread_cond_wait(&p->cond, &p->mu);
		return;
	}
	wait_ms = next_try_ms > now ? next_try_ms - now : 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&p->cond, &p->mu, &ts);
}

/* pool_reconnect - (mutex held, released around the connect) try to (re)connect if due */
static void pool_reconnect(struct store_pool *p, PGconn **conn, int64_t *next_try_ms,
			   int *backoff_ms)
{
	bool failing = *backoff_ms > POOL_BACKOFF_MIN_MS;

	if (*conn != NULL || pool_now_ms() < *next_try_ms)
		return;
	pthread_mutex_unlock(&p->mu);
	*conn = pool_connect(p, failing);
	pthread_mutex_lock(&p->mu);
	if (*conn != NULL) {
		p->connected++;
		*backoff_ms = POOL_BACKOFF_MIN_MS;
		return;
	}
	*next_try_ms = pool_now_ms() + *backoff_ms;
	*backoff_ms = *backoff_ms * 2 > POOL_BACKOFF_MAX_MS ? POOL_BACKOFF_MAX_MS : *backoff_ms * 2;
}

/* pool_take - (mutex held) the next job this worker should handle, or NULL. A worker
 * without a connection fails jobs only when no worker has one. */
static struct pool_job *pool_take(struct store_pool *p, PGconn *conn)
{
	struct pool_job *j;

	if (conn != NULL)
		return pool_pop(&p->todo);
	if (p->connected == 0) {
		while ((j = pool_pop(&p->todo)) != NULL)
			pool_complete(p, j, STORE_POOL_UNAVAILABLE, "database unavailable");
	}
	return NULL;
}

/* pool_handle - (mutex held, released while working) run one job on this worker's
 * connection; a connection found dead puts the job back for a live one */
static void pool_handle(struct store_pool *p, PGconn **conn, struct pool_job *j,
			int64_t *next_try_ms)
{
	char error[DB_ERROR_MAX];
	int ret;

	pthread_mutex_unlock(&p->mu);
	if (!pool_conn_alive(*conn)) {
		/* the server went away while we were idle: reconnect before using it */
		db_close(conn);
		pthread_mutex_lock(&p->mu);
		p->connected--;
		pool_push_front(&p->todo, j);
		/* another worker may be idle with a connection: let it take the job */
		pthread_cond_broadcast(&p->cond);
		*next_try_ms = 0;
		return;
	}
	ret = pool_run(conn, j, error, sizeof(error));
	pthread_mutex_lock(&p->mu);
	if (*conn == NULL) {
		p->connected--;
		*next_try_ms = 0;
	}
	pool_complete(p, j, ret, ret < 0 ? error : NULL);
}

/* pool_worker - thread body: keep a connection, run jobs */
static void *pool_worker(void *arg)
{
	struct store_pool *p = arg;
	PGconn *conn = NULL;
	int64_t next_try_ms = 0;
	int backoff_ms = POOL_BACKOFF_MIN_MS;
	struct pool_job *j;

	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		pool_reconnect(p, &conn, &next_try_ms, &backoff_ms);
		if (p->stopping)
			break; /* the wake-up may have come while connecting */
		if ((j = pool_take(p, conn)) != NULL)
			pool_handle(p, &conn, j, &next_try_ms);
		else
			pool_wait(p, conn, next_try_ms);
	}
	if (conn != NULL)
		p->connected--;
	pthread_mutex_unlock(&p->mu);
	db_close(&conn);
	return NULL;
}

/* pool_deliver - run the done callbacks of every finished job (loop thread) */
static void pool_deliver(struct store_pool *p)
{
	struct pool_list done;
	struct pool_job *j;

	pthread_mutex_lock(&p->mu);
	done = p->finished;
	memset(&p->finished, 0, sizeof(p->finished));
	pthread_mutex_unlock(&p->mu);
	while ((j = pool_pop(&done)) != NULL) {
		j->done(j->ret, j->error, j->arg);
		free(j->error);
		free(j);
	}
}

/* pool_on_wakeup - the pipe is readable: drain it and deliver results */
static void pool_on_wakeup(evutil_socket_t fd, short what, void *arg)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pool_deliver(arg);
}

/* pool_pipe - a non-blocking, close-on-exec pipe */
static int pool_pipe(int fds[2])
{
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	return 0;
}

/* pool_start_threads - start the workers with every signal blocked (signals belong to the
 * loop thread); returns how many started */
static unsigned pool_start_threads(struct store_pool *p)
{
	sigset_t all, old;
	unsigned i;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < p->nthreads; i++)
		if (pthread_create(&p->threads[i], NULL, pool_worker, p) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return i;
}

struct store_pool *store_pool_new(struct event_base *base, const char *conninfo,
				  unsigned nthreads, const char **error_r)
{
	struct store_pool *p;
	unsigned started;

	if (nthreads == 0 || nthreads > STORE_POOL_THREADS_MAX) {
		*error_r = "pool size must be between 1 and 64";
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->conninfo = strdup(conninfo)) == NULL ||
	    (p->threads = calloc(nthreads, sizeof(pthread_t))) == NULL)
		abort();
	p->base = base;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (pool_pipe(p->pipefd) < 0 ||
	    (p->ev = event_new(base, p->pipefd[0], EV_READ | EV_PERSIST, pool_on_wakeup, p)) == NULL ||
	    event_add(p->ev, NULL) < 0) {
		*error_r = "cannot create the pool's wake-up pipe";
		if (p->ev != NULL)
			event_free(p->ev);
		free(p->threads);
		free(p->conninfo);
		free(p);
		return NULL;
	}
	p->nthreads = nthreads;
	started = pool_start_threads(p);
	if (started < nthreads) {
		p->nthreads = started;
		store_pool_free(&p);
		*error_r = "cannot start the pool's threads";
		return NULL;
	}
	return p;
}

int store_pool_submit(struct store_pool *pool, store_pool_work_fn *work,
		      store_pool_done_fn *done, void *arg)
{
	struct pool_job *j;

	pthread_mutex_lock(&pool->mu);
	if (pool->stopping || pool->todo.count >= STORE_POOL_QUEUE_MAX) {
		pthread_mutex_unlock(&pool->mu);
		return -1;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		abort();
	j->work = work;
	j->done = done;
	j->arg = arg;
	pool_push(&pool->todo, j);
	/* While every worker holds a connection, whichever wakes takes the job: wake one.
	 * Otherwise broadcast: a worker without a connection may wake first and leave it. */
	if (pool->connected == pool->nthreads)
		pthread_cond_signal(&pool->cond);
	else
		pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->mu);
	return 0;
}

unsigned store_pool_connected(struct store_pool *pool)
{
	unsigned n;

	pthread_mutex_lock(&pool->mu);
	n = pool->connected;
	pthread_mutex_unlock(&pool->mu);
	return n;
}

size_t store_pool_pending(struct store_pool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->mu);
	n = pool->todo.count;
	pthread_mutex_unlock(&pool->mu);
	return n;
}

void store_pool_free(struct store_pool **pool)
{
	struct store_pool *p = *pool;
	struct pool_job *j;
	unsigned i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	while ((j = pool_pop(&p->todo)) != NULL)
		pool_complete(p, j, STORE_POOL_UNAVAILABLE, "store pool stopping");
	pool_deliver(p);
	event_free(p->ev);
	close(p->pipefd[0]);
	close(p->pipefd[1]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cond);
	free(p->threads);
	free(p->conninfo);
	free(p);
	*pool = NULL;
}
