/* db_prepared.c - prepare once per connection, then execute (db_prepared.h) */
#include "store/db_prepared.h"
#include "store/db.h"

#include <stdbool.h>
#include <string.h>

/* What this thread has prepared on the connection it used last. */
static __thread struct {
	PGconn *conn;
	int pid;
	size_t n;
	const struct db_stmt *done[DB_PREPARED_MAX];
} prep;

/* prepared_known - st is prepared on conn; forgets everything when conn is another one */
static bool prepared_known(PGconn *conn, const struct db_stmt *st)
{
	int pid = PQbackendPID(conn);

	if (prep.conn != conn || prep.pid != pid) {
		prep.conn = conn;
		prep.pid = pid;
		prep.n = 0;
	}
	for (size_t i = 0; i < prep.n; i++)
		if (prep.done[i] == st)
			return true;
	return false;
}

/* failed - record the failure of res (or of conn), free res; NULL */
static PGresult *failed(PGconn *conn, PGresult *res, const char **error_r)
{
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	db_fail(state != NULL ? state : "", error_r, "%s",
		res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	/* 26000: the session lost its statements (DISCARD ALL): prepare again next time */
	if (state != NULL && strcmp(state, "26000") == 0)
		prep.n = 0;
	PQclear(res);
	return NULL;
}

/* prepare - PREPARE st on conn, outside a transaction; 0 or -1 */
static int prepare(PGconn *conn, const struct db_stmt *st, const char **error_r)
{
	PGresult *res = PQprepare(conn, st->name, st->sql, st->nparams, NULL);
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	/* 42P05: already prepared in this session (a name is one statement for good) */
	if ((res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) &&
	    (state == NULL || strcmp(state, "42P05") != 0)) {
		failed(conn, res, error_r);
		return -1;
	}
	PQclear(res);
	prep.done[prep.n++] = st;
	return 0;
}

/* savepoint_exec - one savepoint command in the caller's transaction; 0 or -1 */
static int savepoint_exec(PGconn *conn, const char *sql, const char **error_r)
{
	return db_exec(conn, sql, 0, NULL, error_r) < 0 ? -1 : 0;
}

/* prepare_in_tx - PREPARE st inside the caller's transaction behind a savepoint, so a
 * failure does not abort the transaction: 1 prepared, 0 not (run it unprepared), -1 the
 * savepoint commands failed (the connection, most likely) */
static int prepare_in_tx(PGconn *conn, const struct db_stmt *st, const char **error_r)
{
	const char *ignored;
	int r;

	if (savepoint_exec(conn, "SAVEPOINT db_prepare", error_r) < 0)
		return -1;
	r = prepare(conn, st, &ignored);
	/* even a PREPARE counted as done (42P05) has put the transaction in error */
	if (PQtransactionStatus(conn) == PQTRANS_INERROR &&
	    savepoint_exec(conn, "ROLLBACK TO SAVEPOINT db_prepare", error_r) < 0)
		return -1;
	if (savepoint_exec(conn, "RELEASE SAVEPOINT db_prepare", error_r) < 0)
		return -1;
	return r == 0;
}

/* prepared_ready - make sure st is prepared on conn: 1 yes, 0 run it unprepared, -1 error */
static int prepared_ready(PGconn *conn, const struct db_stmt *st, const char **error_r)
{
	if (!db_connected(conn))
		return 0;
	if (prepared_known(conn, st))
		return 1;
	if (prep.n >= DB_PREPARED_MAX)
		return 0;
	switch (PQtransactionStatus(conn)) {
	case PQTRANS_IDLE:
		return prepare(conn, st, error_r) < 0 ? -1 : 1;
	case PQTRANS_INTRANS:
		return prepare_in_tx(conn, st, error_r);
	default:
		return 0; /* a failed transaction: the query reports it */
	}
}

/* query_prepared - st with parameters in the given formats (NULL lengths and formats: all
 * text); results in result_format (0 text, 1 binary) */
static PGresult *query_prepared(PGconn *conn, const struct db_stmt *st,
				const char *const *params, const int *lengths, const int *formats,
				int result_format, const char **error_r)
{
	PGresult *res;
	ExecStatusType status;

	switch (prepared_ready(conn, st, error_r)) {
	case -1:
		return NULL;
	case 0:
		return db_query_raw(conn, st->sql, st->nparams, params, lengths, formats,
				    result_format, error_r);
	default:
		break;
	}
	res = PQexecPrepared(conn, st->name, st->nparams, params, lengths, formats, result_format);
	status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
		return res;
	return failed(conn, res, error_r);
}

PGresult *db_query_prepared(PGconn *conn, const struct db_stmt *st, const char *const *params,
			    const char **error_r)
{
	return query_prepared(conn, st, params, NULL, NULL, 0, error_r);
}

int64_t db_exec_prepared(PGconn *conn, const struct db_stmt *st, const char *const *params,
			 const char **error_r)
{
	return db_rows_cleared(db_query_prepared(conn, st, params, error_r));
}

PGresult *db_query_prepared_raw(PGconn *conn, const struct db_stmt *st,
				   const char *const *params, const char **error_r)
{
	return query_prepared(conn, st, params, NULL, NULL, 1, error_r);
}

PGresult *db_query_prepared_bin(PGconn *conn, const struct db_stmt *st,
				const char *const *params, const int *lengths, const int *formats,
				const char **error_r)
{
	return query_prepared(conn, st, params, lengths, formats, 0, error_r);
}

int db_prepare(PGconn *conn, const struct db_stmt *const *stmts, size_t n,
	       const char **error_r)
{
	if (!db_connected(conn) || PQtransactionStatus(conn) != PQTRANS_IDLE)
		return 0; /* they run (or get prepared) when used, and report failures then */
	for (size_t i = 0; i < n; i++)
		if (!prepared_known(conn, stmts[i]) && prep.n < DB_PREPARED_MAX &&
		    prepare(conn, stmts[i], error_r) < 0)
			return -1;
	return 0;
}
