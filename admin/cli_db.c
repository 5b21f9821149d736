/* cli_db.c - the admin program's database session: exit codes, one transaction, one line */
#include "admin/cli_db.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

#define CLI_DB_LINE_MAX 300

/* quiet_notices - drop NOTICEs (e.g. "relation already exists, skipping") from stderr */
static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* cli_db_open - connect to MERPATI_DB (config_db()); exit code 2 or 3 on failure */
int cli_db_open(struct cli *cli)
{
	const char *dsn = config_db(), *error = NULL;
	PQconninfoOption *opts;
	char *perr = NULL;

	if (cli->db != NULL)
		return CLI_EXIT_OK;
	opts = PQconninfoParse(dsn, &perr);
	if (opts == NULL) {
		int rc = cli_fail(cli, CLI_EXIT_CONFIG, "MERPATI_DB: %.*s",
				  perr != NULL ? (int)strcspn(perr, "\n") : 13,
				  perr != NULL ? perr : "out of memory");
		PQfreemem(perr);
		return rc;
	}
	PQconninfoFree(opts);
	cli->db = db_connect(dsn, &error);
	if (cli->db == NULL)
		return cli_fail(cli, CLI_EXIT_DB_DOWN, "cannot reach the database: %.*s",
				CLI_DB_LINE_MAX, error);
	PQsetNoticeProcessor(cli->db, quiet_notices, NULL);
	return CLI_EXIT_OK;
}

/* cli_db_close - roll back anything left open and disconnect */
void cli_db_close(struct cli *cli)
{
	if (cli->db == NULL)
		return;
	if (PQtransactionStatus(cli->db) != PQTRANS_IDLE)
		PQclear(PQexec(cli->db, "ROLLBACK"));
	db_close(&cli->db);
}

/* refused_value - SQLSTATE classes 22 (data exception) and 23 (integrity violation) */
static bool refused_value(const char *sqlstate)
{
	return strncmp(sqlstate, "22", 2) == 0 || strncmp(sqlstate, "23", 2) == 0;
}

/* message_part - the part of a server message worth one line: without the severity
 * prefix ("ERROR:  ") and without the quoted statement (" LINE 53: ...") that follows the
 * message once lib/store has joined its lines; *len_r bytes from the returned pointer */
static const char *message_part(const char *error, int *len_r)
{
	static const char *const prefixes[] = { "ERROR:  ", "FATAL:  ", NULL };
	const char *line;
	size_t len;

	for (int i = 0; prefixes[i] != NULL; i++)
		if (strncmp(error, prefixes[i], strlen(prefixes[i])) == 0)
			error += strlen(prefixes[i]);
	len = strcspn(error, "\r\n");
	for (line = strstr(error, " LINE "); line != NULL; line = strstr(line + 1, " LINE "))
		if ((size_t)(line - error) < len && line[6] >= '0' && line[6] <= '9') {
			len = (size_t)(line - error);
			break;
		}
	*len_r = len > CLI_DB_LINE_MAX ? CLI_DB_LINE_MAX : (int)len;
	return error;
}

/* cli_db_fail - print a db_* or store failure as one line and choose the exit code */
int cli_db_fail(struct cli *cli, const char *error)
{
	int len;

	error = message_part(error != NULL ? error : "unknown error", &len);
	if (cli->db == NULL || db_error_unavailable(cli->db))
		return cli_fail(cli, CLI_EXIT_DB_DOWN, "lost the database: %.*s", len, error);
	if (refused_value(db_sqlstate()))
		return cli_fail(cli, CLI_EXIT_USAGE, "%.*s", len, error);
	return cli_fail(cli, CLI_EXIT_DB_ERROR, "database error: %.*s", len, error);
}

/* cli_admin_fail - a store_admin_* refusal or failure as one line; exit code */
int cli_admin_fail(struct cli *cli, const struct store_admin_result *r)
{
	if (r->code == STORE_ADMIN_DB)
		return cli_db_fail(cli, r->db_error);
	return cli_fail(cli, CLI_EXIT_USAGE, "%s", r->message);
}

/* cli_db_exec - run a statement whose rows do not matter; exit code (failure printed) */
int cli_db_exec(struct cli *cli, const char *sql, int nparams, const char *const *params)
{
	const char *error = NULL;

	if (db_exec(cli->db, sql, nparams, params, &error) < 0)
		return cli_db_fail(cli, error);
	return CLI_EXIT_OK;
}

/* cli_db_begin - open the database if needed and start the command's transaction */
int cli_db_begin(struct cli *cli)
{
	int rc = cli_db_open(cli);

	if (rc != CLI_EXIT_OK)
		return rc;
	return cli_db_exec(cli, "BEGIN", 0, NULL);
}

/* cli_db_commit - commit the command's transaction */
int cli_db_commit(struct cli *cli)
{
	return cli_db_exec(cli, "COMMIT", 0, NULL);
}

/* cli_db_exists - 1 when sql returns a row, 0 when not, -1 with *error_r */
int cli_db_exists(struct cli *cli, const char *sql, int nparams, const char *const *params,
		  const char **error_r)
{
	PGresult *res = db_query(cli->db, sql, nparams, params, error_r);
	int found;

	if (res == NULL)
		return -1;
	found = PQntuples(res) > 0;
	PQclear(res);
	return found;
}
