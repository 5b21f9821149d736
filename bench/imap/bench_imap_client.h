/* bench_imap_client - one IMAP load client (RFC 9051, RFC 3501): LOGIN, SELECT INBOX,
 * FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE), FETCH n BODY.PEEK[] of every message, SEARCH FROM
 * and TEXT, STORE 1:* +FLAGS (\Seen), LOGOUT; then a new session until the run's deadline.
 * Every other session stores -FLAGS instead, so each STORE really changes every message. */
#ifndef MERPATI_BENCH_IMAP_CLIENT_H
#define MERPATI_BENCH_IMAP_CLIENT_H

#include "../common/bench_run.h"

struct bench_imap_client;

/* bench_imap_client_new - a client logging in as user; NULL on bad arguments */
struct bench_imap_client *bench_imap_client_new(struct bench_run *run, const char *user);
/* bench_imap_client_start - open its first session */
void bench_imap_client_start(struct bench_imap_client *c);
/* bench_imap_client_free - close and free; *cp becomes NULL */
void bench_imap_client_free(struct bench_imap_client **cp);

#endif
