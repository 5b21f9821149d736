/* bench_pop3_client - one POP3 load client: login, LIST, UIDL, RETR every message, QUIT,
 * then a new session until the run's deadline (RFC 1939). */
#ifndef MERPATI_BENCH_POP3_CLIENT_H
#define MERPATI_BENCH_POP3_CLIENT_H

#include "../common/bench_run.h"

struct bench_pop3_client;

/* bench_pop3_client_new - a client logging in as user; NULL on bad arguments */
struct bench_pop3_client *bench_pop3_client_new(struct bench_run *run, const char *user);
/* bench_pop3_client_start - open its first session */
void bench_pop3_client_start(struct bench_pop3_client *c);
/* bench_pop3_client_free - close and free; *cp becomes NULL */
void bench_pop3_client_free(struct bench_pop3_client **cp);

#endif
