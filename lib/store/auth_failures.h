/* auth_failures - failed logins per client, kept in the store so that every replica of a
 * service counts the same ones (db/migrations/0010_auth_failures.sql).
 *
 * client is a key such as "smtp:192.0.2.1": the service and the client's address (the one
 * PROXY protocol gave, behind the front proxy). A client is locked out once it has failed
 * max times within window seconds of its first failure. Each call is one statement in
 * autocommit: never inside a transaction of the caller's. */
#ifndef MERPATI_STORE_AUTH_FAILURES_H
#define MERPATI_STORE_AUTH_FAILURES_H

#include <libpq-fe.h>

#define STORE_AUTH_CLIENT_MAX 80 /* bytes of a client key */

/* store_auth_locked - 1 when client is locked out now, 0 when not, -1 with *error_r */
int store_auth_locked(PGconn *conn, const char *client, unsigned max, long window,
		      const char **error_r);
/* store_auth_failed - count one failure (a new window when the old one is over); the
 * failures in the window so far, or -1 with *error_r */
int store_auth_failed(PGconn *conn, const char *client, long window, const char **error_r);
/* store_auth_succeeded - a good login forgets the client's failures; 0 or -1 */
int store_auth_succeeded(PGconn *conn, const char *client, const char **error_r);

#endif
