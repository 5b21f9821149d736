/* db - libpq helpers: connecting, parameterised queries, transactions with retry.
 *
 * Everything here is synchronous and meant to run on a store pool worker (pool.h) or in a
 * command-line program, never on an event loop thread. Functions that fail return -1 (or
 * NULL) and set *error_r to a message that stays valid until the next db_* call on the same
 * thread; the SQLSTATE of the last failure is kept per thread too (db_sqlstate()), so callers
 * can tell "try again" from "this will never work". Only text-format parameters are used
 * except where a function says otherwise; every query is parameterised, never formatted. */
#ifndef MERPATI_STORE_DB_H
#define MERPATI_STORE_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many times db_tx runs its body when PostgreSQL reports a serialization failure
 * (40001) or a deadlock (40P01) before giving up. */
#define DB_TX_MAX_ATTEMPTS 5
/* Longest error message kept per thread. */
#define DB_ERROR_MAX 512

/* db_tx_fn - body of a transaction; return >= 0 to commit, -1 to roll back */
typedef int db_tx_fn(PGconn *conn, void *arg, const char **error_r);

/* db_connect - open a connection from a libpq conninfo string or URL; NULL on failure.
 * Sets a statement_timeout and application_name; synchronous_commit is left on (rule 2). */
PGconn *db_connect(const char *conninfo, const char **error_r);
/* db_close - close *conn and set it to NULL */
void db_close(PGconn **conn);
/* db_connected - true when the connection is usable as far as libpq knows */
bool db_connected(PGconn *conn);

/* db_query - run sql with nparams text parameters (NULL entries are SQL NULL).
 * Returns the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK) for the caller to PQclear,
 * or NULL on failure with *error_r set. */
PGresult *db_query(PGconn *conn, const char *sql, int nparams, const char *const *params,
		   const char **error_r);
/* db_query_bin - like db_query but with explicit lengths and formats (1 = binary) per
 * parameter, for bytea values; results in text format. */
PGresult *db_query_bin(PGconn *conn, const char *sql, int nparams, const char *const *params,
		       const int *lengths, const int *formats, const char **error_r);
/* db_query_raw - like db_query_bin, and result_format 1 asks for binary results (bytea
 * values arrive as their raw bytes, PQgetlength gives their size) */
PGresult *db_query_raw(PGconn *conn, const char *sql, int nparams, const char *const *params,
		       const int *lengths, const int *formats, int result_format,
		       const char **error_r);
/* db_rows_cleared - the number of rows a command's result says it affected, after
 * PQclear of it; -1 for a NULL result (the query failed) */
int64_t db_rows_cleared(PGresult *res);
/* db_exec - run a command and discard its result; returns the number of rows affected
 * (0 for statements without a count) or -1 */
int64_t db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
		const char **error_r);

/* db_tx - run fn inside BEGIN ... COMMIT, retrying the whole body up to DB_TX_MAX_ATTEMPTS
 * times on serialization failure or deadlock, with a short randomised pause between tries.
 * fn must not do network I/O or keep state across attempts. Not for use inside another
 * transaction (that is refused). Returns fn's value after a successful COMMIT, or -1
 * (rolled back) with *error_r set. */
int db_tx(PGconn *conn, db_tx_fn *fn, void *arg, const char **error_r);

/* db_sqlstate - SQLSTATE of the last failure on this thread ("" when none or no server reply) */
const char *db_sqlstate(void);
/* db_error_retryable - the last failure was a serialization failure or deadlock */
bool db_error_retryable(void);
/* db_error_unavailable - the last failure means the server is unreachable or going away
 * (connection lost, class 08, 57P0x shutdown, 53 resources): a temporary failure */
bool db_error_unavailable(PGconn *conn);
/* db_error_unique - the last failure was a unique-constraint violation (23505) */
bool db_error_unique(void);
/* db_fail - record a failure that did not come from the server (bad data in a row...) */
int db_fail(const char *sqlstate, const char **error_r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Column readers: NULL or malformed values give the default / "" (never abort). */
int64_t db_get_int64(const PGresult *res, int row, int col);
bool db_get_bool(const PGresult *res, int row, int col);
/* db_get_str - the text value, "" for NULL; valid until PQclear */
const char *db_get_str(const PGresult *res, int row, int col);
/* db_copy_str - copy a text value into buf (size bytes); -1 if it does not fit */
int db_copy_str(const PGresult *res, int row, int col, char *buf, size_t size);

/* db_int64_param - format v into buf for use as a text parameter */
const char *db_int64_param(char buf[24], int64_t v);
/* db_page_params - params[0..1] for "LIMIT $n::bigint OFFSET $m::bigint" of a listing;
 * a limit < 0 is NULL, which LIMIT takes as no limit */
void db_page_params(char buf[2][24], int64_t limit, int64_t offset, const char **params);

#endif
