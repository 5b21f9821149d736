/* db_prepared - statements parsed and planned once per connection instead of per call.
 *
 * A hot query (one per SMTP RCPT) pays for parsing and planning on every PQexecParams,
 * often more than for running it. A statement is a static `struct db_stmt` with a name
 * unique in the program; db_query_prepared prepares it on the connection the first time
 * it is used there and then only executes it. What is prepared is remembered per thread
 * for the connection that thread used last (a pool worker keeps one connection), by
 * connection and backend process id, so a reconnect starts afresh.
 *
 * A statement first used inside a transaction is prepared behind a savepoint, so a
 * PREPARE that fails leaves the transaction as it was and the statement runs unprepared,
 * exactly as db_query. A prepared statement is not transactional: it outlives the
 * savepoint and a rollback of the transaction. */
#ifndef MERPATI_STORE_DB_PREPARED_H
#define MERPATI_STORE_DB_PREPARED_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#define DB_PREPARED_MAX 64 /* statements remembered per thread; more run unprepared */

struct db_stmt {
	const char *name; /* unique in the program */
	const char *sql;
	int nparams;
};

/* db_query_prepared - db_query of st->sql with st->nparams text parameters, prepared on
 * this connection once; the result to PQclear, or NULL with *error_r */
PGresult *db_query_prepared(PGconn *conn, const struct db_stmt *st, const char *const *params,
			    const char **error_r);
/* db_exec_prepared - db_query_prepared, the result discarded; the number of rows affected
 * (as db_exec), or -1 with *error_r */
int64_t db_exec_prepared(PGconn *conn, const struct db_stmt *st, const char *const *params,
			 const char **error_r);
/* db_query_prepared_raw - db_query_prepared with results in binary format, as db_query_raw:
 * a bytea value arrives as its raw bytes (PQgetlength gives its size), not as hex to
 * decode; only for statements whose every column the caller reads in binary */
PGresult *db_query_prepared_raw(PGconn *conn, const struct db_stmt *st,
				const char *const *params, const char **error_r);
/* db_query_prepared_bin - db_query_prepared with lengths and formats (1 = binary) per
 * parameter, as db_query_bin; results in text format */
PGresult *db_query_prepared_bin(PGconn *conn, const struct db_stmt *st,
				const char *const *params, const int *lengths, const int *formats,
				const char **error_r);
/* db_prepare - prepare the n statements on conn now, outside a transaction, so that the
 * transaction that follows does not pay for a savepoint per first use. Does nothing inside
 * a transaction or once DB_PREPARED_MAX are remembered; 0, or -1 with *error_r when a
 * PREPARE failed */
int db_prepare(PGconn *conn, const struct db_stmt *const *stmts, size_t n,
	       const char **error_r);

#endif
