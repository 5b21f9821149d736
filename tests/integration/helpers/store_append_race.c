/* store_append_race.c - concurrent appends to one mailbox from several connections.
 *
 *   store-append-race MAILBOX_A MAILBOX_B THREADS PER_THREAD    (MERPATI_DB)
 *
 * Each thread owns a connection and appends PER_THREAD messages to mailbox A, each in its
 * own db_tx; every third append also goes to mailbox B in the same transaction, half the
 * threads naming the mailboxes as {A, B} and half as {B, A} (store_mailbox_lock must lock
 * them in id order, or these transactions deadlock). A watcher connection samples A's
 * uidnext and highestmodseq all along. Prints one line per append, "A <thread> <uid>
 * <modseq>", then "W <samples> <decreases>", and "E <message>" for each failure; exits 1
 * if anything failed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/mailbox.h"
#include "store/message.h"

#define RACE_THREADS_MAX 32

struct race {
	int64_t a, b;
	int threads, per;
	const char *dsn;
	atomic_int running;
	atomic_int failures;
	pthread_mutex_t out;
};

struct worker {
	struct race *r;
	int index, i;
	uint32_t *uids;
	uint64_t *modseqs;
};

/* race_fail - report one failure */
static void race_fail(struct race *r, const char *what, const char *error)
{
	pthread_mutex_lock(&r->out);
	printf("E %s: %s\n", what, error != NULL ? error : "?");
	pthread_mutex_unlock(&r->out);
	atomic_fetch_add(&r->failures, 1);
}

/* append_tx - one message into A (and B every third time), one transaction */
static int append_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct worker *w = arg;
	char body[128], sha[STORE_SHA256_HEX_SIZE];
	int64_t ids[2] = { w->r->a, w->r->b };
	struct store_append ap = { 0 };
	uint32_t uid;
	uint64_t modseq;
	int len;

	if (w->index % 2 == 1) {
		ids[0] = w->r->b;
		ids[1] = w->r->a;
	}
	len = snprintf(body, sizeof(body), "Subject: race %d %d\r\n\r\nbody\r\n", w->index, w->i);
	if (store_message_insert(conn, body, (size_t)len, sha, NULL, error_r) < 0)
		return -1;
	if (w->i % 3 == 0 && store_mailbox_lock(conn, ids, 2, error_r) < 0)
		return -1;
	ap.sha256_hex = sha;
	ap.size = len;
	ap.mailbox_id = w->r->a;
	if (store_mailbox_append(conn, &ap, &w->uids[w->i], &w->modseqs[w->i], error_r) < 0)
		return -1;
	ap.mailbox_id = w->r->b;
	if (w->i % 3 == 0 && store_mailbox_append(conn, &ap, &uid, &modseq, error_r) < 0)
		return -1;
	return 0;
}

/* worker_main - one connection, PER_THREAD appends */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const char *error = NULL;
	PGconn *conn = db_connect(w->r->dsn, &error);

	if (conn == NULL) {
		race_fail(w->r, "connect", error);
	} else {
		for (w->i = 0; w->i < w->r->per; w->i++)
			if (db_tx(conn, append_tx, w, &error) < 0)
				race_fail(w->r, "append", error);
	}
	db_close(&conn);
	atomic_fetch_sub(&w->r->running, 1);
	return NULL;
}

/* watcher_main - uidnext and highestmodseq of A must never go down */
static void *watcher_main(void *arg)
{
	struct race *r = arg;
	const char *error = NULL;
	char id[24];
	const char *params[1] = { db_int64_param(id, r->a) };
	PGconn *conn = db_connect(r->dsn, &error);
	int64_t last_uidnext = 0, last_modseq = 0, samples = 0, decreases = 0;
	PGresult *res;

	if (conn == NULL) {
		race_fail(r, "watcher connect", error);
		return NULL;
	}
	while (atomic_load(&r->running) > 0) {
		res = db_query(conn, "SELECT uidnext, highestmodseq FROM mailboxes WHERE id = $1",
			       1, params, &error);
		if (res == NULL) {
			race_fail(r, "watcher", error);
			break;
		}
		if (db_get_int64(res, 0, 0) < last_uidnext || db_get_int64(res, 0, 1) < last_modseq)
			decreases++;
		last_uidnext = db_get_int64(res, 0, 0);
		last_modseq = db_get_int64(res, 0, 1);
		samples++;
		PQclear(res);
		usleep(500); /* sample often, without taking a core from the appenders */
	}
	db_close(&conn);
	pthread_mutex_lock(&r->out);
	printf("W %lld %lld\n", (long long)samples, (long long)decreases);
	pthread_mutex_unlock(&r->out);
	return NULL;
}

int main(int argc, char **argv)
{
	struct race r = { 0 };
	struct worker w[RACE_THREADS_MAX];
	pthread_t t[RACE_THREADS_MAX], watcher;
	int i, j;

	if (argc != 5 || getenv("MERPATI_DB") == NULL) {
		fprintf(stderr, "usage: MERPATI_DB=... store-append-race A B THREADS PER\n");
		return 2;
	}
	r.a = atoll(argv[1]);
	r.b = atoll(argv[2]);
	r.threads = atoi(argv[3]);
	r.per = atoi(argv[4]);
	r.dsn = getenv("MERPATI_DB");
	if (r.threads < 1 || r.threads > RACE_THREADS_MAX || r.per < 1 || r.per > 100000)
		return 2;
	pthread_mutex_init(&r.out, NULL);
	atomic_store(&r.running, r.threads);
	pthread_create(&watcher, NULL, watcher_main, &r);
	for (i = 0; i < r.threads; i++) {
		w[i] = (struct worker){ .r = &r, .index = i,
			.uids = calloc((size_t)r.per, sizeof(uint32_t)),
			.modseqs = calloc((size_t)r.per, sizeof(uint64_t)) };
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < r.threads; i++)
		pthread_join(t[i], NULL);
	pthread_join(watcher, NULL);
	for (i = 0; i < r.threads; i++) {
		for (j = 0; j < r.per; j++)
			printf("A %d %u %llu\n", i, w[i].uids[j], (unsigned long long)w[i].modseqs[j]);
		free(w[i].uids);
		free(w[i].modseqs);
	}
	return atomic_load(&r.failures) > 0 ? 1 : 0;
}
