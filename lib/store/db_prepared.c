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

/* can_prepare - whether a PREPARE may be sent now: outside a transaction, with room left */
static bool can_prepare(PGconn *conn)
{
	return PQtransactionStatus(conn) == PQTRANS_IDLE && prep.n < DB_PREPARED_MAX;
}

PGresult *db_query_prepared_bin(PGconn *conn, const struct db_stmt *st,
				const char *const *params, const int *lengths, const int *formats,
				const char **error_r)
{
	PGresult *res;
	ExecStatusType status;

	if (!db_connected(conn))
		return db_query_bin(conn, st->sql, st->nparams, params, lengths, formats, error_r);
	if (!prepared_known(conn, st)) {
		if (!can_prepare(conn))
			return db_query_bin(conn, st->sql, st->nparams, params, lengths, formats,
					    error_r);
		if (prepare(conn, st, error_r) < 0)
			return NULL;
	}
	res = PQexecPrepared(conn, st->name, st->nparams, params, lengths, formats, 0);
	status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
		return res;
	return failed(conn, res, error_r);
}

PGresult *db_query_prepared(PGconn *conn, const struct db_stmt *st, const char *const *params,
			    const char **error_r)
{
	return db_query_prepared_bin(conn, st, params, NULL, NULL, error_r);
}

int db_prepare(PGconn *conn, const struct db_stmt *const *stmts, size_t n,
	       const char **error_r)
{
	if (!db_connected(conn))
		return 0; /* the statements run unprepared and report the failure themselves */
	for (size_t i = 0; i < n; i++)
		if (!prepared_known(conn, stmts[i]) && can_prepare(conn) &&
		    prepare(conn, stmts[i], error_r) < 0)
			return -1;
	return 0;
}
