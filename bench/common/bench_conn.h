/* bench_conn - one load client's connection, session after session until the run's
 * deadline: connect over TCP, hand every server line to the protocol's state machine, skip
 * literal bytes it announces, count errors and start over after one. */
#ifndef MERPATI_BENCH_CONN_H
#define MERPATI_BENCH_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <event2/bufferevent.h>

#include "bench_run.h"

#define BENCH_LINE_MAX 65536        /* longest line accepted from a server */

/* what the protocol's state machine does with a connection's events */
struct bench_conn_ops {
	/* session - a new connection is being opened: reset the session's state */
	void (*session)(void *owner);
	/* line - one server line without its CRLF; false when the session stopped (an error
	 * or its end), so the rest of the input belongs to no one */
	bool (*line)(void *owner, const char *line, size_t len);
};

struct bench_conn {
	struct bench_run *run;
	struct bufferevent *bev;
	char user[BENCH_NAME_MAX];
	const struct bench_conn_ops *ops;
	void *owner;
	size_t literal_left;        /* raw bytes still to skip before the next line */
	bool done;                  /* starts no more sessions */
};

/* bench_conn_init - a connection for user (false when the name is too long) */
bool bench_conn_init(struct bench_conn *c, struct bench_run *run, const char *user,
		     const struct bench_conn_ops *ops, void *owner);
/* bench_conn_start - count the client as active and open its first session */
void bench_conn_start(struct bench_conn *c);
/* bench_conn_sendf - queue one command line; CRLF is added */
void bench_conn_sendf(struct bench_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* bench_conn_literal - the next len bytes of input are data, not lines (IMAP literals) */
void bench_conn_literal(struct bench_conn *c, size_t len);
/* bench_conn_session_end - the session ended well: count it, then another or finish */
void bench_conn_session_end(struct bench_conn *c);
/* bench_conn_error - count a failure and start a new session (or finish) */
void bench_conn_error(struct bench_conn *c, const char *what, const char *line);
/* bench_conn_close - drop the connection, if any */
void bench_conn_close(struct bench_conn *c);
/* bench_conn_free - close, then free the owner (the calloc'd client holding *cp); *cp
 * becomes NULL */
void bench_conn_free(struct bench_conn **cp);

#endif
