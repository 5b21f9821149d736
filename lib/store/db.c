/* db.c - libpq connections, parameterised queries, and transactions with retry */
#include "store/db.h"
#include "log/log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The last failure on this thread: message and SQLSTATE ("" when not from the server). */
static __thread char db_errbuf[DB_ERROR_MAX];
static __thread char db_state[6];

/* db_record - keep msg (trailing newlines dropped) and sqlstate as this thread's failure */
static void db_record(const char *sqlstate, const char *msg, const char **error_r)
{
	size_t n;

	snprintf(db_state, sizeof(db_state), "%s", sqlstate != NULL ? sqlstate : "");
	snprintf(db_errbuf, sizeof(db_errbuf), "%s", msg != NULL && *msg ? msg : "database error");
	n = strlen(db_errbuf);
	while (n > 0 && (db_errbuf[n - 1] == '\n' || db_errbuf[n - 1] == ' '))
		db_errbuf[--n] = '\0';
	for (char *p = db_errbuf; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	if (error_r != NULL)
		*error_r = db_errbuf;
}

/* db_record_result - record the failure carried by res, or by conn when res is NULL */
static void db_record_result(PGconn *conn, const PGresult *res, const char **error_r)
{
	if (res != NULL && PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL)
		db_record(PQresultErrorField(res, PG_DIAG_SQLSTATE), PQresultErrorMessage(res),
			  error_r);
	else
		db_record("", conn != NULL ? PQerrorMessage(conn) : "no connection", error_r);
}

int db_fail(const char *sqlstate, const char **error_r, const char *fmt, ...)
{
	char msg[DB_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	db_record(sqlstate, msg, error_r);
	return -1;
}

/* db_notice - server notices and warnings go to the log as one logfmt line, not raw stderr */
static void db_notice(void *arg, const char *message)
{
	char q[LOG_QUOTE_MAX];
	size_t len = strlen(message);

	while (len > 0 && message[len - 1] == '\n')
		len--;
	log_warn("event=db_notice message=%s", log_quote(q, message, len));
}

PGconn *db_connect(const char *conninfo, const char **error_r)
{
	/* later keywords win: the caller's conninfo may override these defaults */
	const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *const values[] = { "10", "merpati", conninfo, NULL };
	PGconn *conn;
	PGresult *res;

	conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL) {
		db_record("", "out of memory", error_r);
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		db_record("08006", PQerrorMessage(conn), error_r);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, db_notice, NULL);
	/* a statement or a forgotten transaction must never hold locks for long */
	res = db_query(conn, "SET statement_timeout = '60s'; "
			     "SET idle_in_transaction_session_timeout = '60s'", 0, NULL, error_r);
	if (res == NULL) {
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);
	return conn;
}

void db_close(PGconn **conn)
{
	if (*conn != NULL)
		PQfinish(*conn);
	*conn = NULL;
}

bool db_connected(PGconn *conn)
{
	return conn != NULL && PQstatus(conn) == CONNECTION_OK;
}

/* db_check - pass a successful result through; record and clear a failed one */
static PGresult *db_check(PGconn *conn, PGresult *res, const char **error_r)
{
	ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	db_record_result(conn, res, error_r);
	PQclear(res);
	return NULL;
}

PGresult *db_query(PGconn *conn, const char *sql, int nparams, const char *const *params,
		   const char **error_r)
{
	if (conn == NULL) {
		db_record("08003", "no database connection", error_r);
		return NULL;
	}
	if (nparams == 0)
		return db_check(conn, PQexec(conn, sql), error_r);
	return db_check(conn, PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0),
			error_r);
}

PGresult *db_query_bin(PGconn *conn, const char *sql, int nparams, const char *const *params,
		       const int *lengths, const int *formats, const char **error_r)
{
	return db_query_raw(conn, sql, nparams, params, lengths, formats, 0, error_r);
}

PGresult *db_query_raw(PGconn *conn, const char *sql, int nparams, const char *const *params,
		       const int *lengths, const int *formats, int result_format,
		       const char **error_r)
{
	if (conn == NULL) {
		db_record("08003", "no database connection", error_r);
		return NULL;
	}
	return db_check(conn, PQexecParams(conn, sql, nparams, NULL, params, lengths, formats,
					   result_format), error_r);
}

int64_t db_rows_cleared(PGresult *res)
{
	const char *n;
	int64_t rows;

	if (res == NULL)
		return -1;
	n = PQcmdTuples(res);
	rows = n != NULL && *n ? strtoll(n, NULL, 10) : 0;
	PQclear(res);
	return rows;
}

int64_t db_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
		const char **error_r)
{
	return db_rows_cleared(db_query(conn, sql, nparams, params, error_r));
}

/* db_backoff - sleep a random 1..(5 * attempt) ms so retrying transactions spread out */
static void db_backoff(int attempt)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&attempt;
	long ms = 1 + (long)(rand_r(&seed) % (5 * attempt));
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* db_commit - COMMIT; a transaction that failed inside answers ROLLBACK, which is a failure */
static int db_commit(PGconn *conn, const char **error_r)
{
	PGresult *res = db_query(conn, "COMMIT", 0, NULL, error_r);
	int ok;

	if (res == NULL)
		return -1;
	ok = strcmp(PQcmdStatus(res), "COMMIT") == 0;
	PQclear(res);
	if (!ok)
		return db_fail("25P02", error_r, "transaction was rolled back after an error");
	return 0;
}

/* db_rollback - ROLLBACK without losing the failure that caused it */
static void db_rollback(PGconn *conn)
{
	char state[sizeof(db_state)], msg[DB_ERROR_MAX];
	PGresult *res;

	memcpy(state, db_state, sizeof(state));
	memcpy(msg, db_errbuf, sizeof(msg));
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
	memcpy(db_state, state, sizeof(state));
	memcpy(db_errbuf, msg, sizeof(msg));
}

int db_tx(PGconn *conn, db_tx_fn *fn, void *arg, const char **error_r)
{
	int attempt, ret;

	if (db_connected(conn) && PQtransactionStatus(conn) != PQTRANS_IDLE)
		return db_fail("25001", error_r, "db_tx called inside a transaction");
	for (attempt = 1; ; attempt++) {
		if (db_exec(conn, "BEGIN", 0, NULL, error_r) < 0)
			return -1;
		db_state[0] = '\0';
		ret = fn(conn, arg, error_r);
		if (ret >= 0 && db_commit(conn, error_r) == 0)
			return ret;
		if (ret < 0)
			db_rollback(conn);
		if (!db_error_retryable() || attempt >= DB_TX_MAX_ATTEMPTS)
			return -1;
		db_backoff(attempt);
	}
}

const char *db_sqlstate(void)
{
	return db_state;
}

bool db_error_retryable(void)
{
	return strcmp(db_state, "40001") == 0 || strcmp(db_state, "40P01") == 0;
}

bool db_error_unavailable(PGconn *conn)
{
	if (!db_connected(conn))
		return true;
	return strncmp(db_state, "08", 2) == 0 || strncmp(db_state, "57P", 3) == 0 ||
	       strncmp(db_state, "53", 2) == 0;
}

bool db_error_unique(void)
{
	return strcmp(db_state, "23505") == 0;
}

int64_t db_get_int64(const PGresult *res, int row, int col)
{
	if (row >= PQntuples(res) || col >= PQnfields(res) || PQgetisnull(res, row, col))
		return 0;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool db_get_bool(const PGresult *res, int row, int col)
{
	if (row >= PQntuples(res) || col >= PQnfields(res) || PQgetisnull(res, row, col))
		return false;
	return PQgetvalue(res, row, col)[0] == 't';
}

const char *db_get_str(const PGresult *res, int row, int col)
{
	if (row >= PQntuples(res) || col >= PQnfields(res) || PQgetisnull(res, row, col))
		return "";
	return PQgetvalue(res, row, col);
}

int db_copy_str(const PGresult *res, int row, int col, char *buf, size_t size)
{
	const char *s = db_get_str(res, row, col);
	size_t n = strlen(s);

	if (n >= size) {
		buf[0] = '\0';
		return -1;
	}
	memcpy(buf, s, n + 1);
	return 0;
}

const char *db_int64_param(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

void db_page_params(char buf[2][24], int64_t limit, int64_t offset, const char **params)
{
	params[0] = limit < 0 ? NULL : db_int64_param(buf[0], limit);
	params[1] = db_int64_param(buf[1], offset);
}
