/* pop3_conn - one client connection: the net layer's bytes into a pop3_session, and the
 * session's actions carried out on the store pool, TLS and timers. */
#ifndef MERPATI_POP3_CONN_H
#define MERPATI_POP3_CONN_H

#include "net/net.h"

/* pop3_conn_accept - net_accept_cb for both listeners; arg is a struct pop3_listener_ctx */
void pop3_conn_accept(struct net_conn *c, void *arg);

#endif
