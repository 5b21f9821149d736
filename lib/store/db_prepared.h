/* db_prepared - statements parsed and planned once per connection instead of per call.
 *
 * A hot query (one per SMTP RCPT) pays for parsing and planning on every PQexecParams,
 * often more than for running it. A statement is a static `struct db_stmt` with a name
 * unique in the program; db_query_prepared prepares it on the connection the first time
 * it is used there and then only executes it. What is prepared is remembered per thread
 * for the connection that thread used last (a pool worker keeps one connection), by
 * connection and backend process id, so a reconnect starts afresh.
 *
 * A PREPARE that fails inside a transaction would abort it, so inside a transaction a
 * statement not yet prepared on the connection runs unprepared, exactly as db_query. */
#ifndef MERPATI_STORE_DB_PREPARED_H
#define MERPATI_STORE_DB_PREPARED_H

#include <libpq-fe.h>
#include <stddef.h>

#define DB_PREPARED_MAX 32 /* statements remembered per thread; more run unprepared */

struct db_stmt {
	const char *name; /* unique in the program */
	const char *sql;
	int nparams;
};

/* db_query_prepared - db_query of st->sql with st->nparams text parameters, prepared on
 * this connection once; the result to PQclear, or NULL with *error_r */
PGresult *db_query_prepared(PGconn *conn, const struct db_stmt *st, const char *const *params,
			    const char **error_r);
/* db_query_prepared_bin - db_query_prepared with lengths and formats (1 = binary) per
 * parameter, as db_query_bin; results in text format */
PGresult *db_query_prepared_bin(PGconn *conn, const struct db_stmt *st,
				const char *const *params, const int *lengths, const int *formats,
				const char **error_r);
/* db_prepare - prepare the n statements on conn now, so that a transaction that follows
 * runs them prepared. Does nothing inside a transaction or once DB_PREPARED_MAX are
 * remembered (they then run unprepared); 0, or -1 with *error_r when a PREPARE failed */
int db_prepare(PGconn *conn, const struct db_stmt *const *stmts, size_t n,
	       const char **error_r);

#endif
