/* cmd_domain.c - `merpati domain add|list|remove`: the mail domains Merpati receives for */
#include <getopt.h>
#include <stdio.h>

#include "admin/cli_db.h"
#include "admin/commands.h"
#include "store/account.h"
#include "store/admin_user.h"
#include "store/db.h"
#include "store/admin_domain.h"
#include "store/domain.h"

const char cmd_domain_help[] =
	"usage: merpati domain add DOMAIN\n"
	"       merpati domain list\n"
	"       merpati domain remove DOMAIN [--force]\n"
	"       merpati domain admin DOMAIN ADDRESS\n"
	"\n"
	"Domains are stored in lowercase and must be host names (letters, digits and hyphens,\n"
	"dot-separated labels of at most 63 characters, RFC 1123 2.1). Internationalised names\n"
	"are given in their xn-- form. `remove` refuses while the domain still has accounts;\n"
	"with --force it removes them too, with their mail, aliases and forwards.\n"
	"`admin` names the account that receives mail for postmaster@DOMAIN and abuse@DOMAIN\n"
	"(RFC 5321 4.5.1, RFC 2142), which every domain must accept; without one, the domain's\n"
	"oldest account receives it.\n"
	"After `domain add`, `merpati dns DOMAIN` prints the DNS records to publish.\n";

/* domain_arg - the normalised DOMAIN operand; exit code */
static int domain_arg(struct cli *cli, const char *arg, char out[STORE_DOMAIN_SIZE])
{
	struct store_admin_result r;

	if (store_admin_domain_name(arg, out, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	return CLI_EXIT_OK;
}

/* domain_add - `domain add DOMAIN` */
static int domain_add(struct cli *cli, int argc, char **argv)
{
	char name[STORE_DOMAIN_SIZE];
	struct store_admin_result r;
	int64_t id;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 1, 1, "domain add DOMAIN")) != CLI_EXIT_OK ||
	    (rc = domain_arg(cli, argv[1], name)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	if (store_admin_domain_add(cli->db, argv[1], name, &id, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("added domain %s (see `merpati dns %s` for its DNS records)\n", name, name);
	return CLI_EXIT_OK;
}

/* domain_print - store_domain_list callback: one name a line */
static int domain_print(const struct store_domain *d, void *arg)
{
	(void)arg;
	printf("%s\n", d->name);
	return 0;
}

/* domain_list - `domain list` */
static int domain_list(struct cli *cli, int argc, char **argv)
{
	const char *error = NULL;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 0, 0, "domain list")) != CLI_EXIT_OK ||
	    (rc = cli_db_open(cli)) != CLI_EXIT_OK)
		return rc;
	if (store_domain_list(cli->db, domain_print, NULL, &error) < 0)
		return cli_db_fail(cli, error);
	return CLI_EXIT_OK;
}

/* domain_remove - `domain remove DOMAIN [--force]` */
static int domain_remove(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	char name[STORE_DOMAIN_SIZE];
	struct store_admin_result r;
	bool force = false;
	int64_t accounts;
	int c, rc;
	enum store_admin_code code;

	cli_getopt_reset();
	while ((c = cli_getopt(cli, argc, argv, opts, NULL)) != -1) {
		if (c == '?')
			return CLI_EXIT_USAGE;
		force = true;
	}
	if ((rc = cli_args(cli, argc - optind, 1, 1, "domain remove DOMAIN [--force]")) != 0 ||
	    (rc = domain_arg(cli, argv[optind], name)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	code = store_admin_domain_remove(cli->db, argv[optind], force, name, &accounts, &r);
	if (code == STORE_ADMIN_REFUSED)
		return cli_fail(cli, CLI_EXIT_USAGE, "%s (--force removes them and their mail)",
				r.message);
	if (code != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("removed domain %s", name);
	if (accounts > 0)
		printf(" and its %lld account%s", (long long)accounts, accounts == 1 ? "" : "s");
	printf("\n");
	return CLI_EXIT_OK;
}

/* domain_admin - `domain admin DOMAIN ADDRESS`: who gets postmaster@ and abuse@ mail */
static int domain_admin(struct cli *cli, int argc, char **argv)
{
	char name[STORE_DOMAIN_SIZE], address[STORE_ADDRESS_SIZE];
	struct store_domain d;
	struct store_account a;
	struct store_admin_result r;
	const char *error = NULL;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 2, 2, "domain admin DOMAIN ADDRESS")) != CLI_EXIT_OK ||
	    (rc = domain_arg(cli, argv[1], name)) != CLI_EXIT_OK)
		return rc;
	if (store_admin_address(argv[2], NULL, address, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	if (store_admin_domain_find(cli->db, name, &d, &r) != STORE_ADMIN_OK ||
	    store_admin_user_find(cli->db, address, &a, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if (store_domain_set_admin(cli->db, d.id, a.id, &error) < 0)
		return cli_db_fail(cli, error);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("mail for postmaster@%s and abuse@%s goes to %s\n", name, name, address);
	return CLI_EXIT_OK;
}

static const struct cli_sub domain_subs[] = {
	{ "admin", domain_admin },
	{ "add", domain_add },
	{ "list", domain_list },
	{ "remove", domain_remove },
	{ NULL, NULL },
};

/* cmd_domain_run - `merpati domain ...` */
int cmd_domain_run(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "domain", domain_subs, argc - 1, argv + 1);
}
