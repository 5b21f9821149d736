/* cli_db - the admin program's database session over lib/store/db.h: connect with the
 * right exit codes, one transaction per command, and one error line per failure.
 *
 * Commands use db_query()/db_exec() and the store functions directly on cli->db, and on
 * failure `return cli_db_fail(cli, error);`, which prints the one line and picks the exit
 * code. A command that returns without cli_db_commit() is rolled back by cli_db_close(),
 * so a mistake changes nothing. */
#ifndef MERPATI_CLI_DB_H
#define MERPATI_CLI_DB_H

#include <libpq-fe.h>

#include "admin/cli.h"
#include "store/admin.h"
#include "store/db.h"

/* cli_db_open - connect to MERPATI_DB (config_db()); exit 2 if it does not parse, 3 if
 * the server cannot be reached */
int cli_db_open(struct cli *cli);
/* cli_db_close - roll back anything left open and disconnect */
void cli_db_close(struct cli *cli);

/* cli_db_begin - open the database if needed and start the command's transaction */
int cli_db_begin(struct cli *cli);
/* cli_db_commit - commit the command's transaction */
int cli_db_commit(struct cli *cli);

/* cli_db_fail - print a failure from db_* or a store/queue function (its error_r) as one
 * line; exit code 3 when the server is unreachable, 1 when it refused a value (SQLSTATE
 * class 22 data exception or 23 integrity violation), else 4 */
int cli_db_fail(struct cli *cli, const char *error);

/* cli_admin_fail - print a store_admin_* outcome that is not OK as one line: a database
 * failure as cli_db_fail does, a refusal with exit code 1 */
int cli_admin_fail(struct cli *cli, const struct store_admin_result *r);

/* cli_db_exec - run a statement whose rows do not matter; exit code (failure printed) */
int cli_db_exec(struct cli *cli, const char *sql, int nparams, const char *const *params);
/* cli_db_exists - 1 when sql returns a row, 0 when not, -1 with *error_r */
int cli_db_exists(struct cli *cli, const char *sql, int nparams, const char *const *params,
		  const char **error_r);

#endif
