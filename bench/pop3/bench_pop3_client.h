/* bench_pop3_client - one POP3 load client: login, LIST, UIDL, RETR every message, QUIT,
 * then a new session until the run's deadline (RFC 1939). */
#ifndef MERPATI_BENCH_POP3_CLIENT_H
#define MERPATI_BENCH_POP3_CLIENT_H

#include "../common/bench_conn.h"

/* bench_pop3_client_new - a client logging in as user, ready for bench_conn_start and
 * bench_conn_free; NULL on bad arguments */
struct bench_conn *bench_pop3_client_new(struct bench_run *run, const char *user);

#endif
