/* smtp_conn - one client connection: net_conn bytes through the session, its actions
 * carried out on the store pool, the idle timeout and the failed-AUTH delay.
 *
 * Store jobs refer to the connection, so it outlives its net_conn until the job in flight
 * has come back (`busy`); a job finding the client gone just frees the connection. */
#ifndef MERPATI_SMTP_CONN_H
#define MERPATI_SMTP_CONN_H

#include "net/net.h"

/* smtp_conn_accept - net_accept_cb for the listeners; arg is a struct smtp_listener_ctx */
void smtp_conn_accept(struct net_conn *net, void *arg);

#endif
