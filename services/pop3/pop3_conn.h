/* pop3_conn - one client connection: the net layer's bytes into a pop3_session, and the
 * session's actions carried out on the store pool, TLS and timers. */
#ifndef MERPATI_POP3_CONN_H
#define MERPATI_POP3_CONN_H

#include "net/net.h"

struct pop3_server;

/* pop3_conn_accept - net_accept_cb for both listeners; arg is a struct pop3_listener_ctx */
void pop3_conn_accept(struct net_conn *c, void *arg);
/* pop3_conn_drain - the server stops: from now on a session that has not logged in gets
 * -ERR [SYS/TEMP] and is closed, at once when idle, else after what it is doing; logged-in
 * sessions go on until they QUIT or the grace period ends */
void pop3_conn_drain(struct pop3_server *srv);

#endif
