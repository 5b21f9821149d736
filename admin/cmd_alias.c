/* cmd_alias.c - `merpati alias add|remove|list`: addresses delivered to other addresses */
#include <stdio.h>
#include <string.h>

#include "admin/cli_db.h"
#include "admin/commands.h"
#include "store/admin_alias.h"
#include "store/alias.h"
#include "store/db.h"
#include "store/domain.h"

#define ALIAS_TARGETS_MAX 1000

const char cmd_alias_help[] =
	"usage: merpati alias add SOURCE TARGET [TARGET...]\n"
	"       merpati alias remove SOURCE [TARGET]\n"
	"       merpati alias list [DOMAIN]\n"
	"\n"
	"Mail to SOURCE is delivered to every TARGET instead. SOURCE is an address in one of\n"
	"our domains, or @DOMAIN for the domain's catch-all (used only for addresses that\n"
	"match no account and no other alias). Targets may be local or foreign addresses, up\n"
	"to 1000 per command. `remove` without TARGET removes every target of SOURCE.\n"
	"To forward an account's own mail elsewhere, see `merpati forward`.\n";

/* alias_source - normalise SOURCE ("user@domain" or "@domain") into out; exit code */
static int alias_source(struct cli *cli, const char *arg, char out[STORE_ADDRESS_SIZE])
{
	struct store_admin_result r;

	if (store_admin_alias_source(arg, out, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	return CLI_EXIT_OK;
}

/* alias_domain_exists - the domain of a source is ours; exit code */
static int alias_domain_exists(struct cli *cli, const char *source)
{
	struct store_admin_result r;

	if (store_admin_alias_domain(cli->db, source, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	return CLI_EXIT_OK;
}

/* alias_add_one - validate one TARGET and add source -> target; exit code */
static int alias_add_one(struct cli *cli, const char *source, const char *arg)
{
	char target[STORE_ADDRESS_SIZE];
	struct store_admin_result r;
	int64_t id;

	if (store_admin_alias_add(cli->db, source, arg, target, &id, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	return CLI_EXIT_OK;
}

/* alias_add - `alias add SOURCE TARGET [TARGET...]`, all targets in one transaction */
static int alias_add(struct cli *cli, int argc, char **argv)
{
	char source[STORE_ADDRESS_SIZE];
	int rc;

	if ((rc = cli_args(cli, argc - 1, 2, ALIAS_TARGETS_MAX + 1,
			   "alias add SOURCE TARGET [TARGET...]")) != CLI_EXIT_OK ||
	    (rc = alias_source(cli, argv[1], source)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = alias_domain_exists(cli, source)) != CLI_EXIT_OK)
		return rc;
	for (int i = 2; i < argc; i++)
		if ((rc = alias_add_one(cli, source, argv[i])) != CLI_EXIT_OK)
			return rc;
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("added alias %s -> %d target%s\n", source, argc - 2, argc == 3 ? "" : "s");
	return CLI_EXIT_OK;
}

/* alias_remove - `alias remove SOURCE [TARGET]` */
static int alias_remove(struct cli *cli, int argc, char **argv)
{
	char source[STORE_ADDRESS_SIZE], target[STORE_ADDRESS_SIZE];
	struct store_admin_result r;
	const char *error = NULL;
	int rc, removed;

	if ((rc = cli_args(cli, argc - 1, 1, 2, "alias remove SOURCE [TARGET]")) != CLI_EXIT_OK ||
	    (rc = alias_source(cli, argv[1], source)) != CLI_EXIT_OK)
		return rc;
	if (argc > 2 && store_admin_address(argv[2], "target", target, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	removed = store_alias_remove(cli->db, source, argc > 2 ? target : NULL, &error);
	if (removed < 0)
		return cli_db_fail(cli, error);
	if (removed == 0 && argc > 2)
		return cli_fail(cli, CLI_EXIT_USAGE, "there is no alias %s -> %s", source, target);
	if (removed == 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "there is no alias %s", source);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("removed %d target%s of alias %s\n", removed, removed == 1 ? "" : "s", source);
	return CLI_EXIT_OK;
}

/* alias_print - store_alias_list callback: "source -> target" */
static int alias_print(const char *source, const char *target, void *arg)
{
	(void)arg;
	printf("%s -> %s\n", source, target);
	return 0;
}

/* alias_list - `alias list [DOMAIN]` */
static int alias_list(struct cli *cli, int argc, char **argv)
{
	char domain[STORE_DOMAIN_SIZE];
	struct store_admin_result r;
	const char *error = NULL;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 0, 1, "alias list [DOMAIN]")) != CLI_EXIT_OK)
		return rc;
	if (argc > 1 && store_admin_domain_name(argv[1], domain, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_open(cli)) != CLI_EXIT_OK)
		return rc;
	if (argc > 1) {
		char catchall[STORE_DOMAIN_SIZE + 1];

		snprintf(catchall, sizeof(catchall), "@%s", domain);
		if ((rc = alias_domain_exists(cli, catchall)) != CLI_EXIT_OK)
			return rc;
	}
	if (store_alias_list(cli->db, argc > 1 ? domain : NULL, alias_print, NULL, &error) < 0)
		return cli_db_fail(cli, error);
	return CLI_EXIT_OK;
}

static const struct cli_sub alias_subs[] = {
	{ "add", alias_add },
	{ "remove", alias_remove },
	{ "list", alias_list },
	{ NULL, NULL },
};

/* cmd_alias_run - `merpati alias ...` */
int cmd_alias_run(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "alias", alias_subs, argc - 1, argv + 1);
}
