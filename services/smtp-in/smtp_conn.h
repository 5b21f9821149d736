/* smtp_conn - one client connection: net_conn bytes through the session, its actions
 * carried out on the store pool, the idle timeout and the failed-AUTH delay.
 *
 * Store jobs refer to the connection, so it outlives its net_conn until the job in flight
 * has come back (`busy`); a job finding the client gone just frees the connection. */
#ifndef MERPATI_SMTP_CONN_H
#define MERPATI_SMTP_CONN_H

#include "net/net.h"

struct smtp_server;

/* smtp_conn_accept - net_accept_cb for the listeners; arg is a struct smtp_listener_ctx */
void smtp_conn_accept(struct net_conn *net, void *arg);
/* smtp_conn_drain - SIGTERM: sessions idle between transactions get 421 4.3.2 now, the
 * others once their transaction is over; connections accepted from now on get 421 4.3.2
 * instead of a greeting */
void smtp_conn_drain(struct smtp_server *srv);
/* smtp_conn_live - connections still allocated (a session, or a store job in flight) */
unsigned smtp_conn_live(const struct smtp_server *srv);

#endif
