/* cli - what every `merpati` command shares: error lines, exit codes, options, the database.
 *
 * A command runs as one transaction: it validates its arguments, opens the database,
 * does its work and commits, or prints ONE line on stderr
 *     merpati: user add: domain example.org does not exist
 * and returns an exit code; the open transaction is then rolled back, so a mistake
 * changes nothing. */
#ifndef MERPATI_CLI_H
#define MERPATI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

/* Exit codes, documented in `merpati help`. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_USAGE = 1,     /* bad usage or a value that does not validate */
	CLI_EXIT_CONFIG = 2,    /* a MERPATI_* setting is wrong (e.g. MERPATI_DB does not parse) */
	CLI_EXIT_DB_DOWN = 3,   /* the database cannot be reached */
	CLI_EXIT_DB_ERROR = 4,  /* the database refused the work (e.g. a migration failed) */
};

#define CLI_WHAT_MAX 64

struct cli {
	char what[CLI_WHAT_MAX]; /* "user add": names the command in error lines */
	PGconn *db;              /* NULL until cli_db_open() */
};

/* A subcommand of a family: `merpati user add ...` runs add with argv[0] = "add". */
struct cli_sub {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/* cli_fail - print "merpati: WHAT: message" on stderr and return code */
int cli_fail(struct cli *cli, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* cli_dispatch - run the subcommand named by argv[0] from subs (NULL-name terminated) */
int cli_dispatch(struct cli *cli, const char *family, const struct cli_sub *subs,
		 int argc, char **argv);

/* cli_wants_help - true when argv holds -h or --help (before a "--") */
bool cli_wants_help(int argc, char **argv);

/* cli_getopt - next long option (getopt_long, arguments permuted); -1 at the end; '?' after
 * printing the error line for an unknown option or a missing value. *index_r (may be NULL)
 * gets the option's index in opts. Call cli_getopt_reset() before the first call for an
 * argv. */
struct option;
void cli_getopt_reset(void);
int cli_getopt(struct cli *cli, int argc, char **argv, const struct option *opts, int *index_r);

/* cli_args - check that min..max positional arguments remain; prints usage line if not */
int cli_args(struct cli *cli, int count, int min, int max, const char *usage);

/* cli_size_text - bytes as "0", "512k", "25M", "1.5G" (binary units) into buf */
#define CLI_SIZE_TEXT 24
const char *cli_size_text(char buf[CLI_SIZE_TEXT], long long bytes);

#endif
