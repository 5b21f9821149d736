/* pop3_conn_int - one connection's state, shared by pop3_conn.c (input, actions, close),
 * pop3_conn_login.c (login, maildrop lock upkeep) and pop3_conn_retr.c (streaming).
 *
 * The connection lives until both the net layer has closed it and no pool job refers to
 * it any more (jobs counts them), so a job that finishes after the client left finds
 * valid memory and only cleans up (releasing a lock it took). */
#ifndef MERPATI_POP3_CONN_INT_H
#define MERPATI_POP3_CONN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "net/net.h"
#include "services/pop3/pop3_conn.h"
#include "services/pop3/pop3_server.h"
#include "services/pop3/pop3_session.h"
#include "services/pop3/pop3_store.h"

enum pop3_conn_wait { POP3_CONN_WAIT_NONE, POP3_CONN_WAIT_LOGIN, POP3_CONN_WAIT_OUTPUT };

struct pop3_conn {
	struct pop3_server *srv;
	struct pop3_conn *prev, *next; /* srv->conns */
	struct net_conn *net;          /* NULL once the net layer closed it */
	struct pop3_session *s;
	struct pop3_session_config scfg;
	char id[NET_ID_MAX];
	char owner[MAILDROP_OWNER_MAX];
	unsigned jobs;                 /* pool jobs in flight */
	bool busy;                     /* an action is being carried out */
	bool updating;                 /* the UPDATE transaction is running */
	bool updated;                  /* the UPDATE transaction released the lock */
	bool refreshing;
	bool retr_begun;               /* +OK sent for the current RETR/TOP */
	enum pop3_conn_wait waiting;   /* what pc->wait is for */
	int64_t account_id;
	struct event *idle;            /* autologout timer (RFC 1939 3) */
	struct event *refresh;         /* maildrop lock upkeep */
	struct event *wait;            /* failed-login delay, back-pressure pause */
	struct pop3_store_login login;
	struct pop3_store_read read;
	struct pop3_store_update update;
	struct pop3_store_lock lock, unlock;
};

/* pop3_conn_submit - run a job on the store pool, keeping the connection alive meanwhile;
 * *conn_slot is the job's back pointer (its first member) */
int pop3_conn_submit(struct pop3_conn *pc, void **conn_slot, store_pool_work_fn *work,
		     store_pool_done_fn *done);
/* pop3_conn_release - free once closed and no job refers to the connection */
void pop3_conn_release(struct pop3_conn *pc);
/* pop3_conn_close - flush what is queued and close; the close callback finishes the job */
void pop3_conn_close(struct pop3_conn *pc);
/* pop3_conn_resume - an action ended: read on, run pipelined commands, or close */
void pop3_conn_resume(struct pop3_conn *pc, enum pop3_action a);

/* pop3_conn_login.c */
void pop3_conn_login_start(struct pop3_conn *pc);
void pop3_conn_login_finish(struct pop3_conn *pc);
void pop3_conn_unlock(struct pop3_conn *pc, int64_t account_id);
void pop3_conn_refresh(evutil_socket_t fd, short what, void *arg);
long pop3_conn_login_delay(const struct pop3_conn *pc);

/* pop3_conn_retr.c */
void pop3_conn_retr_start(struct pop3_conn *pc);
void pop3_conn_retr_next(struct pop3_conn *pc);

#endif
