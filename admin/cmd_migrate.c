/* cmd_migrate.c - `merpati migrate`: apply the embedded db/migrations in order (DESIGN.md 3.7).
 *
 * Each file runs in its own transaction together with its row in schema_migrations, so a
 * file is either wholly applied and recorded or not at all. A session-level advisory lock
 * serialises migrators: when several containers start at once, the first applies, the
 * others wait, then find nothing to do. */
#include "admin/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/cli_db.h"
#include "admin/migrations.h"
#include "store/db.h"

/* The advisory lock key every migrator takes: "merpati" in ASCII, as a bigint. */
#define MIGRATE_LOCK_KEY "30792314647573609"

const char cmd_migrate_help[] =
	"usage: merpati migrate [--status]\n"
	"\n"
	"Apply the schema migrations built into this program (db/migrations/NNNN_name.sql)\n"
	"that the database does not have yet, in order, each in its own transaction, and\n"
	"record them in schema_migrations. Safe to run again (\"nothing to do\") and from\n"
	"several places at once (an advisory lock lets one migrator work at a time).\n"
	"\n"
	"  --status   list every migration and whether it is applied; change nothing\n";

/* applied_set - the versions recorded in schema_migrations, as flags indexed by entry */
static int applied_set(struct cli *cli, unsigned char *applied, int *max_version_r)
{
	const char *error = NULL;
	PGresult *res = db_query(cli->db,
		"SELECT version, name FROM schema_migrations ORDER BY version", 0, NULL, &error);

	if (res == NULL)
		return cli_db_fail(cli, error);
	*max_version_r = 0;
	for (int row = 0; row < PQntuples(res); row++) {
		int version = atoi(PQgetvalue(res, row, 0));
		const char *name = PQgetvalue(res, row, 1);
		unsigned i;

		for (i = 0; i < migrations_count; i++)
			if (migrations_list[i].version == version)
				break;
		if (i == migrations_count)
			printf("note: the database has migration %s, which this merpati does not know\n",
			       name);
		else if (strcmp(migrations_list[i].name, name) != 0)
			printf("note: migration %04d is recorded as %s, built in as %s\n",
			       version, name, migrations_list[i].name);
		if (i < migrations_count)
			applied[i] = 1;
		if (version > *max_version_r)
			*max_version_r = version;
	}
	PQclear(res);
	return CLI_EXIT_OK;
}

/* apply_one - run one migration file and record it, in one transaction */
static int apply_one(struct cli *cli, const struct migrations_entry *m)
{
	char version[16], what[CLI_WHAT_MAX];
	const char *params[2] = { version, m->name }, *error = NULL;
	int rc;

	snprintf(version, sizeof(version), "%d", m->version);
	if ((rc = cli_db_exec(cli, "BEGIN", 0, NULL)) != CLI_EXIT_OK)
		return rc;
	/* Without parameters db_exec uses the simple protocol, which runs a whole file. */
	if (db_exec(cli->db, m->sql, 0, NULL, &error) < 0) {
		snprintf(what, sizeof(what), "migrate: %s", m->name);
		memcpy(cli->what, what, sizeof(what));
		rc = cli_db_fail(cli, error);
		/* Not the caller's mistake even when the SQLSTATE is a data error: the
		 * database refused the schema change, so exit 4 rather than 1. */
		return rc == CLI_EXIT_USAGE ? CLI_EXIT_DB_ERROR : rc;
	}
	rc = cli_db_exec(cli, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
			 2, params);
	if (rc == CLI_EXIT_OK)
		rc = cli_db_commit(cli);
	return rc;
}

/* print_status - one line per built-in migration: applied or pending */
static void print_status(const unsigned char *applied)
{
	for (unsigned i = 0; i < migrations_count; i++)
		printf("%-8s %s\n", applied[i] ? "applied" : "pending", migrations_list[i].name);
}

/* migrate_locked - with the lock held: find what is missing and apply it in order */
static int migrate_locked(struct cli *cli, bool status_only)
{
	unsigned char *applied = calloc(migrations_count + 1, 1);
	int rc, max_version = 0, done = 0;

	if (applied == NULL)
		abort();
	rc = cli_db_exec(cli, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			 " version integer PRIMARY KEY,"
			 " name text NOT NULL,"
			 " applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL);
	if (rc == CLI_EXIT_OK)
		rc = applied_set(cli, applied, &max_version);
	if (rc == CLI_EXIT_OK && status_only)
		print_status(applied);
	for (unsigned i = 0; rc == CLI_EXIT_OK && !status_only && i < migrations_count; i++) {
		if (applied[i])
			continue;
		rc = apply_one(cli, &migrations_list[i]);
		if (rc != CLI_EXIT_OK)
			break;
		printf("applied %s\n", migrations_list[i].name);
		fflush(stdout);
		done++;
		if (migrations_list[i].version > max_version)
			max_version = migrations_list[i].version;
	}
	free(applied);
	if (rc == CLI_EXIT_OK && !status_only && done == 0)
		printf("nothing to do: the schema is at version %04d\n", max_version);
	else if (rc == CLI_EXIT_OK && !status_only)
		printf("applied %d migration%s: the schema is at version %04d\n",
		       done, done == 1 ? "" : "s", max_version);
	return rc;
}

/* cmd_migrate_run - `merpati migrate [--status]` */
int cmd_migrate_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	bool status_only = false;
	int c, rc;

	cli_getopt_reset();
	while ((c = cli_getopt(cli, argc, argv, opts, NULL)) != -1) {
		if (c == '?')
			return CLI_EXIT_USAGE;
		status_only = true;
	}
	if ((rc = cli_args(cli, argc - optind, 0, 0, "migrate [--status]")) != CLI_EXIT_OK)
		return rc;
	if ((rc = cli_db_open(cli)) != CLI_EXIT_OK)
		return rc;
	/* Waiting for another migrator and building indexes may take longer than the
	 * store's statement_timeout; a migration is never cut short half-way. */
	if ((rc = cli_db_exec(cli, "SET statement_timeout = 0", 0, NULL)) != CLI_EXIT_OK)
		return rc;
	/* Session-level lock: held across the per-file transactions, released at the end. */
	if ((rc = cli_db_exec(cli, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", 0, NULL)) != 0)
		return rc;
	rc = migrate_locked(cli, status_only);
	if (rc == CLI_EXIT_OK)
		rc = cli_db_exec(cli, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", 0, NULL);
	return rc;
}
