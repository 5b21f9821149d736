/* bench_pop3_client - one POP3 load client: login, LIST, UIDL, RETR every message, QUIT,
 * then a new session until the run's deadline (RFC 1939). */
#ifndef MERPATI_BENCH_POP3_CLIENT_H
#define MERPATI_BENCH_POP3_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <event2/event.h>

#define BENCH_POP3_NAME_MAX 256     /* user name or password */
#define BENCH_POP3_LINE_MAX 65536   /* longest line accepted from a server */

/* shared by all clients of a run */
struct bench_pop3_run {
	struct event_base *base;
	const char *host;
	uint16_t port;
	const char *password;
	struct timespec deadline;
	unsigned active;            /* clients not yet finished */
	uint64_t sessions;          /* sessions that ended with +OK to QUIT */
	uint64_t messages;          /* messages retrieved in full */
	uint64_t bytes;             /* bytes of those messages, as received */
	uint64_t errors;            /* -ERR replies, broken connections, protocol errors */
	uint64_t max_errors;        /* the run stops after this many */
};

struct bench_pop3_client;

/* bench_pop3_client_new - a client logging in as user; NULL on bad arguments */
struct bench_pop3_client *bench_pop3_client_new(struct bench_pop3_run *run, const char *user);
/* bench_pop3_client_start - open its first session */
void bench_pop3_client_start(struct bench_pop3_client *c);
/* bench_pop3_client_free - close and free; *cp becomes NULL */
void bench_pop3_client_free(struct bench_pop3_client **cp);

#endif
