/* bench_imap_client - one IMAP load client (RFC 9051, RFC 3501): LOGIN, SELECT INBOX,
 * FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE), FETCH n BODY.PEEK[] of every message, SEARCH FROM
 * and TEXT, STORE 1:* +FLAGS (\Seen), LOGOUT; then a new session until the run's deadline.
 * Every other session stores -FLAGS instead, so each STORE really changes every message. */
#ifndef MERPATI_BENCH_IMAP_CLIENT_H
#define MERPATI_BENCH_IMAP_CLIENT_H

#include "../common/bench_conn.h"

/* bench_imap_client_new - a client logging in as user, ready for bench_conn_start and
 * bench_conn_free; NULL on bad arguments */
struct bench_conn *bench_imap_client_new(struct bench_run *run, const char *user);

#endif
