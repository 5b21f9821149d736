/* imap_conn - one client connection: the net layer's bytes into the session's commands,
 * their store jobs, timers, IDLE and STARTTLS.
 *
 * A connection lives until the net layer has closed it and no pool job refers to it, so a
 * job that ends after the client left finds valid memory and only cleans up. */
#ifndef MERPATI_IMAP_CONN_H
#define MERPATI_IMAP_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "net/net.h"
#include "services/imap/imap.h"
#include "services/imap/imap_compress.h"
#include "services/imap/imap_parser.h"
#include "services/imap/imap_server.h"
#include "store/imap_sync.h"

enum imap_idle_state { IMAP_IDLE_OFF, IMAP_IDLE_ON, IMAP_IDLE_DONE };

struct imap_conn {
	struct imap_session s;          /* first: the session handlers see */
	struct imap_server *srv;
	struct imap_conn *prev, *next;  /* srv->conns */
	struct net_conn *net;           /* NULL once the net layer closed it */
	char id[NET_ID_MAX];
	unsigned jobs;                  /* pool jobs in flight */
	/* the command being run */
	bool busy;
	struct imap_arena *cmd_arena;
	struct imap_command cmd;
	struct imap_cmd_ctx ctx;
	const char *tagged;             /* its tagged line, held back until the sync ran */
	size_t tagged_len;
	/* input */
	size_t want;                    /* input length to wait for before parsing again */
	size_t cont_at;                 /* 1 + offset of the literal whose "+" went out */
	bool skip_line;
	uint64_t skip_bytes;
	unsigned bad_commands, auth_failures;
	/* IDLE (RFC 2177) and the mailbox sync */
	enum imap_idle_state idle;
	bool syncing, sync_again;
	struct store_imap_sync sync;
	int64_t sync_mailbox;
	uint64_t sync_since;
	struct imap_conn *watch_next;
	int64_t watch_mailbox;
	bool user_counted;
	bool starttls;                  /* begin TLS after the tagged OK */
	bool compress;                  /* begin COMPRESS=DEFLATE after the tagged OK */
	struct imap_compress *z;        /* active compression (RFC 4978) */
	size_t line_max;                /* > 0: the handler waits for a line (SASL) */
	char *line;                     /* that line, in the command's arena */
	struct event *autologout;       /* RFC 3501 5.4 */
	struct event *timer;            /* imap_cmd_sleep, output drain, IDLE poll */
	enum { IMAP_TIMER_NONE, IMAP_TIMER_SLEEP, IMAP_TIMER_OUTPUT, IMAP_TIMER_POLL } timer_for;
};

/* imap_conn_accept - net_accept_cb for both listeners; arg is a struct imap_listener_ctx */
void imap_conn_accept(struct net_conn *c, void *arg);
/* imap_conn_event - a MailboxEvent for the mailbox ic has selected arrived */
void imap_conn_event(struct imap_conn *ic);

/* imap_conn_poll_arm - start the IDLE poll timer */
void imap_conn_poll_arm(struct imap_conn *ic);
/* imap_capability_write - the capability list for this session's state, no CRLF
 * (cmd_capability.c; also in the greeting's CAPABILITY code, RFC 3501 7.1) */
void imap_capability_write(struct imap_session *s);
/* imap_capability_text - the same as a string in arena (for OK [CAPABILITY ...]) */
const char *imap_capability_text(struct imap_session *s, struct imap_arena *arena);

/* imap_conn_input - the bytes the session reads: inflated ones under COMPRESS */
struct evbuffer *imap_conn_input(struct imap_conn *ic);
/* imap_conn_compress_start - compress from now on (after COMPRESS's OK is queued) */
void imap_conn_compress_start(struct imap_conn *ic);

/* imap_session.c: commands on a connection */
/* imap_session_process - run what the input holds until a command waits */
void imap_session_process(struct imap_conn *ic);
/* imap_session_continue - call the current command's handler again */
void imap_session_continue(struct imap_conn *ic);
/* imap_session_tagged - keep the command's tagged line until its sync is done */
void imap_session_tagged(struct imap_cmd_ctx *ctx, const char *line, size_t len);
/* imap_session_read_line - the handler wants the client's next line (at most max octets,
 * CRLF excluded); it is called again with it in imap_session_line() */
void imap_session_read_line(struct imap_cmd_ctx *ctx, size_t max);
const char *imap_session_line(struct imap_cmd_ctx *ctx);
/* imap_session_release - free once closed and no job refers to the connection */
void imap_session_release(struct imap_conn *ic);
/* imap_session_close - say BYE text (if any), flush and close */
void imap_session_close(struct imap_conn *ic, const char *bye);
/* imap_session_drain - the server stops: BYE now if the session is between commands (or in
 * IDLE); else imap_session_process says it once the command under way has ended */
void imap_session_drain(struct imap_conn *ic);

/* imap_sync.c: report other sessions' changes to the selected mailbox */
/* imap_sync_start - read changes since the view's modseq, then call done(ic) after
 * writing what may be reported now; returns false when nothing needs doing */
bool imap_sync_start(struct imap_conn *ic, bool allow_expunge, void (*done)(struct imap_conn *));

/* imap_sync_fetch_flags - an unsolicited FETCH with FLAGS for one message */
void imap_sync_fetch_flags(struct imap_session *s, uint32_t msn,
			   const struct store_imap_change *c);

#endif
