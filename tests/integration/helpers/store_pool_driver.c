/* store_pool_driver.c - the store pool inside a libevent loop, driven line by line.
 *
 *   store-pool-driver THREADS    (MERPATI_DB)
 *
 * Reads commands on stdin, answers one line each on stdout:
 *   job N      submit a job that inserts N into pool_probe and reads it back:
 *              "done N ok" | "done N unavailable <why>" | "done N error <why>"
 *   connected  "connected K": workers holding a connection
 *   quit       free the pool (queued jobs complete first) and exit 0
 * The loop thread never blocks: stdin is an event like the pool's results. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/pool.h"

struct driver {
	struct event_base *base;
	struct store_pool *pool;
	struct event *input;
	char buf[4096];
	size_t len;
};

struct probe {
	long n;
};

/* probe_work - on a worker: write a row and read it back */
static int probe_work(PGconn *conn, void *arg, const char **error_r)
{
	struct probe *p = arg;
	char n[24];
	const char *params[1] = { db_int64_param(n, p->n) };
	PGresult *res;
	int ok;

	if (db_exec(conn, "INSERT INTO pool_probe (n) VALUES ($1)", 1, params, error_r) < 0)
		return -1;
	res = db_query(conn, "SELECT count(*) FROM pool_probe WHERE n = $1", 1, params, error_r);
	if (res == NULL)
		return -1;
	ok = db_get_int64(res, 0, 0) == 1;
	PQclear(res);
	return ok ? 0 : db_fail("XX000", error_r, "row not found after insert");
}

/* probe_done - on the loop thread: report the outcome */
static void probe_done(int ret, const char *error, void *arg)
{
	struct probe *p = arg;

	if (ret >= 0)
		printf("done %ld ok\n", p->n);
	else
		printf("done %ld %s %s\n", p->n,
		       ret == STORE_POOL_UNAVAILABLE ? "unavailable" : "error", error);
	fflush(stdout);
	free(p);
}

/* driver_command - run one input line */
static void driver_command(struct driver *d, const char *line)
{
	struct probe *p;

	if (strncmp(line, "job ", 4) == 0) {
		if ((p = malloc(sizeof(*p))) == NULL)
			abort();
		p->n = atol(line + 4);
		if (store_pool_submit(d->pool, probe_work, probe_done, p) < 0) {
			printf("done %ld refused\n", p->n);
			free(p);
		}
	} else if (strcmp(line, "connected") == 0) {
		printf("connected %u\n", store_pool_connected(d->pool));
	} else if (strcmp(line, "quit") == 0) {
		event_base_loopbreak(d->base);
	} else {
		printf("unknown %s\n", line);
	}
	fflush(stdout);
}

/* driver_on_input - split stdin into lines */
static void driver_on_input(evutil_socket_t fd, short what, void *arg)
{
	struct driver *d = arg;
	ssize_t n = read(fd, d->buf + d->len, sizeof(d->buf) - d->len - 1);
	char *nl;

	if (n <= 0) {
		event_base_loopbreak(d->base);
		return;
	}
	d->len += (size_t)n;
	d->buf[d->len] = '\0';
	while ((nl = strchr(d->buf, '\n')) != NULL) {
		*nl = '\0';
		driver_command(d, d->buf);
		d->len -= (size_t)(nl + 1 - d->buf);
		memmove(d->buf, nl + 1, d->len + 1);
	}
	if (d->len == sizeof(d->buf) - 1)
		d->len = 0; /* a line too long to be a command: drop it */
}

int main(int argc, char **argv)
{
	struct driver d = { 0 };
	const char *error = NULL;

	if (argc != 2 || getenv("MERPATI_DB") == NULL) {
		fprintf(stderr, "usage: MERPATI_DB=... store-pool-driver THREADS\n");
		return 2;
	}
	d.base = event_base_new();
	d.pool = store_pool_new(d.base, getenv("MERPATI_DB"), (unsigned)atoi(argv[1]), &error);
	if (d.pool == NULL) {
		fprintf(stderr, "pool: %s\n", error);
		return 1;
	}
	d.input = event_new(d.base, 0, EV_READ | EV_PERSIST, driver_on_input, &d);
	event_add(d.input, NULL);
	printf("ready\n");
	fflush(stdout);
	event_base_dispatch(d.base);
	store_pool_free(&d.pool);
	event_free(d.input);
	event_base_free(d.base);
	return 0;
}
