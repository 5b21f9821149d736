/* cmd_forward.c - `merpati forward add|remove|list`: an account's mail sent on elsewhere.
 *
 * The listing has no store function: its SQL is here. */
#include <getopt.h>
#include <stdio.h>

#include "admin/cli_db.h"
#include "admin/commands.h"
#include "store/account.h"

const char cmd_forward_help[] =
	"usage: merpati forward add ADDRESS TARGET [--keep]\n"
	"       merpati forward remove ADDRESS TARGET\n"
	"       merpati forward list [ADDRESS]\n"
	"\n"
	"Mail for the account ADDRESS is forwarded to TARGET (any address, ours or foreign).\n"
	"An account may have several forwards. With --keep the account also keeps a copy in\n"
	"its INBOX; without it, forwarded mail is not kept. The choice holds for all of the\n"
	"account's forwards: the last `forward add` sets it.\n";

/* forward_addresses - normalise ADDRESS and TARGET operands; exit code */
static int forward_addresses(struct cli *cli, char **argv, char address[STORE_ADDRESS_SIZE],
			     char target[STORE_ADDRESS_SIZE])
{
	const char *error = NULL;

	if (store_address_normalize(argv[0], address, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a valid address: %s",
				argv[0], error);
	if (store_address_normalize(argv[1], target, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "target '%.64s' is not a valid address: %s",
				argv[1], error);
	return CLI_EXIT_OK;
}

/* forward_account_exists - the account exists; exit code */
static int forward_account_exists(struct cli *cli, const char *address)
{
	const char *error = NULL;
	int found = store_account_find(cli->db, address, NULL, &error);

	if (found < 0)
		return cli_db_fail(cli, error);
	if (found == 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "user %s does not exist", address);
	return CLI_EXIT_OK;
}

/* forward_add - `forward add ADDRESS TARGET [--keep]` */
static int forward_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	char address[STORE_ADDRESS_SIZE], target[STORE_ADDRESS_SIZE];
	const char *error = NULL;
	bool keep = false;
	int c, rc;

	cli_getopt_reset();
	while ((c = cli_getopt(cli, argc, argv, opts, NULL)) != -1) {
		if (c == '?')
			return CLI_EXIT_USAGE;
		keep = true;
	}
	if ((rc = cli_args(cli, argc - optind, 2, 2, "forward add ADDRESS TARGET [--keep]")) ||
	    (rc = forward_addresses(cli, argv + optind, address, target)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = forward_account_exists(cli, address)) != CLI_EXIT_OK)
		return rc;
	if (store_account_forward_add(cli->db, address, target, keep, &error) < 0)
		return cli_db_fail(cli, error);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("mail for %s is forwarded to %s%s\n", address, target,
	       keep ? " (and kept)" : " (not kept)");
	return CLI_EXIT_OK;
}

/* forward_remove - `forward remove ADDRESS TARGET` */
static int forward_remove(struct cli *cli, int argc, char **argv)
{
	char address[STORE_ADDRESS_SIZE], target[STORE_ADDRESS_SIZE];
	const char *error = NULL;
	int rc, removed;

	if ((rc = cli_args(cli, argc - 1, 2, 2, "forward remove ADDRESS TARGET")) != CLI_EXIT_OK ||
	    (rc = forward_addresses(cli, argv + 1, address, target)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = forward_account_exists(cli, address)) != CLI_EXIT_OK)
		return rc;
	removed = store_account_forward_remove(cli->db, address, target, &error);
	if (removed < 0)
		return cli_db_fail(cli, error);
	if (removed == 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "%s is not forwarded to %s", address, target);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("mail for %s is no longer forwarded to %s\n", address, target);
	return CLI_EXIT_OK;
}

/* forward_list - `forward list [ADDRESS]`: "address -> target (kept|not kept)" */
static int forward_list(struct cli *cli, int argc, char **argv)
{
	char address[STORE_ADDRESS_SIZE];
	const char *params[1] = { NULL }, *error = NULL;
	PGresult *res;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 0, 1, "forward list [ADDRESS]")) != CLI_EXIT_OK)
		return rc;
	if (argc > 1 && store_address_normalize(argv[1], address, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a valid address: %s",
				argv[1], error);
	if (argc > 1)
		params[0] = address;
	if ((rc = cli_db_open(cli)) != CLI_EXIT_OK ||
	    (argc > 1 && (rc = forward_account_exists(cli, address)) != CLI_EXIT_OK))
		return rc;
	res = db_query(cli->db, "SELECT a.address, f.target, a.forward_keep_copy"
		       " FROM forwards f JOIN accounts a ON a.id = f.account_id"
		       " WHERE $1::text IS NULL OR lower(a.address) = $1"
		       " ORDER BY a.address, f.target", 1, params, &error);
	if (res == NULL)
		return cli_db_fail(cli, error);
	for (int row = 0; row < PQntuples(res); row++)
		printf("%s -> %s (%s)\n", db_get_str(res, row, 0), db_get_str(res, row, 1),
		       db_get_bool(res, row, 2) ? "kept" : "not kept");
	PQclear(res);
	return CLI_EXIT_OK;
}

static const struct cli_sub forward_subs[] = {
	{ "add", forward_add },
	{ "remove", forward_remove },
	{ "list", forward_list },
	{ NULL, NULL },
};

/* cmd_forward_run - `merpati forward ...` */
int cmd_forward_run(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "forward", forward_subs, argc - 1, argv + 1);
}
