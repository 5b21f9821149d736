/* cmd_user.c - `merpati user add|passwd|quota|remove|list`: mail accounts */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "admin/cli_db.h"
#include "admin/cli_password.h"
#include "admin/commands.h"
#include "store/account.h"
#include "store/admin_domain.h"
#include "store/admin_user.h"

const char cmd_user_help[] =
	"usage: merpati user add ADDRESS [--password-stdin] [--quota SIZE]\n"
	"       merpati user passwd ADDRESS [--password-stdin]\n"
	"       merpati user quota ADDRESS SIZE\n"
	"       merpati user remove ADDRESS\n"
	"       merpati user list [DOMAIN]\n"
	"\n"
	"An account is a mailbox address in one of our domains (`merpati domain add`). A new\n"
	"account gets the folders INBOX, Sent, Drafts, Trash, Junk and Archive (RFC 6154\n"
	"special-use) in the same transaction. Addresses are stored in lowercase.\n"
	"\n"
	"  --password-stdin  read the password from the first line of standard input;\n"
	"                    without it, the password is asked twice on the terminal\n"
	"  --quota SIZE      storage limit: bytes, or with k, M or G (e.g. 500M, 1G);\n"
	"                    0 (the default) means unlimited\n"
	"\n"
	"Passwords are stored as argon2id hashes and must have at least 8 characters\n"
	"(MERPATI_PASSWORD_MIN_LENGTH) and at most 1024 bytes.\n"
	"`remove` deletes the account with all its mailboxes and mail.\n";

/* user_address - the normalised ADDRESS operand; exit code */
static int user_address(struct cli *cli, const char *arg, char out[STORE_ADDRESS_SIZE])
{
	struct store_admin_result r;

	if (store_admin_address(arg, NULL, out, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	return CLI_EXIT_OK;
}

/* user_quota_arg - parse a SIZE operand into bytes; exit code */
static int user_quota_arg(struct cli *cli, const char *arg, int64_t *bytes_r)
{
	struct store_admin_result r;

	if (store_admin_quota(arg, bytes_r, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	return CLI_EXIT_OK;
}

/* user_check_new - the domain of address exists and the account does not; exit code */
static int user_check_new(struct cli *cli, const char *address)
{
	struct store_admin_result r;

	if (store_admin_user_check_new(cli->db, address, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	return CLI_EXIT_OK;
}

/* user_check_exists - the account exists; exit code */
static int user_check_exists(struct cli *cli, const char *address)
{
	struct store_account a;
	struct store_admin_result r;

	if (store_admin_user_find(cli->db, address, &a, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	return CLI_EXIT_OK;
}

/* user_done - exit code of a store_admin_user_* change, committed when it worked */
static int user_done(struct cli *cli, enum store_admin_code code,
		     const struct store_admin_result *r)
{
	if (code != STORE_ADMIN_OK)
		return cli_admin_fail(cli, r);
	return cli_db_commit(cli);
}

/* user_add - `user add ADDRESS [--password-stdin] [--quota SIZE]` */
static int user_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "quota", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	char address[STORE_ADDRESS_SIZE], hash[AUTH_HASH_SIZE], size[CLI_SIZE_TEXT];
	struct store_admin_result r;
	bool from_stdin = false;
	int64_t quota = 0, id;
	int c, rc;

	cli_getopt_reset();
	while ((c = cli_getopt(cli, argc, argv, opts, NULL)) != -1) {
		if (c == '?')
			return CLI_EXIT_USAGE;
		if (c == 'p')
			from_stdin = true;
		else if ((rc = user_quota_arg(cli, optarg, &quota)) != CLI_EXIT_OK)
			return rc;
	}
	if ((rc = cli_args(cli, argc - optind, 1, 1,
			   "user add ADDRESS [--password-stdin] [--quota SIZE]")) != 0 ||
	    (rc = user_address(cli, argv[optind], address)) != CLI_EXIT_OK)
		return rc;
	/* Check before asking for the password, outside the transaction: a person may be
	 * typing, and a transaction must never wait on a person. */
	if ((rc = cli_db_open(cli)) != CLI_EXIT_OK ||
	    (rc = user_check_new(cli, address)) != CLI_EXIT_OK ||
	    (rc = cli_password_hash(cli, address, from_stdin, hash)) != CLI_EXIT_OK)
		return rc;
	/* One transaction of its own: the account and its default mailboxes. */
	if (store_admin_user_create(cli->db, address, hash, quota, &id, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	printf("added user %s (quota %s)\n", address,
	       quota == 0 ? "unlimited" : cli_size_text(size, quota));
	return CLI_EXIT_OK;
}

/* user_passwd - `user passwd ADDRESS [--password-stdin]` */
static int user_passwd(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-stdin", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	char address[STORE_ADDRESS_SIZE], hash[AUTH_HASH_SIZE];
	struct store_admin_result r;
	bool from_stdin = false;
	int c, rc;

	cli_getopt_reset();
	while ((c = cli_getopt(cli, argc, argv, opts, NULL)) != -1) {
		if (c == '?')
			return CLI_EXIT_USAGE;
		from_stdin = true;
	}
	if ((rc = cli_args(cli, argc - optind, 1, 1, "user passwd ADDRESS [--password-stdin]")) ||
	    (rc = user_address(cli, argv[optind], address)) != CLI_EXIT_OK ||
	    (rc = cli_db_open(cli)) != CLI_EXIT_OK ||
	    (rc = user_check_exists(cli, address)) != CLI_EXIT_OK ||
	    (rc = cli_password_hash(cli, address, from_stdin, hash)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	if ((rc = user_done(cli, store_admin_user_passwd(cli->db, address, hash, &r), &r)) != 0)
		return rc;
	printf("changed the password of %s\n", address);
	return CLI_EXIT_OK;
}

/* user_quota - `user quota ADDRESS SIZE` */
static int user_quota(struct cli *cli, int argc, char **argv)
{
	char address[STORE_ADDRESS_SIZE], size[CLI_SIZE_TEXT];
	struct store_admin_result r;
	int64_t quota = 0;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 2, 2, "user quota ADDRESS SIZE")) != CLI_EXIT_OK ||
	    (rc = user_address(cli, argv[1], address)) != CLI_EXIT_OK ||
	    (rc = user_quota_arg(cli, argv[2], &quota)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	if ((rc = user_done(cli, store_admin_user_quota(cli->db, address, quota, &r), &r)) != 0)
		return rc;
	printf("quota of %s is now %s\n", address,
	       quota == 0 ? "unlimited" : cli_size_text(size, quota));
	return CLI_EXIT_OK;
}

/* user_remove - `user remove ADDRESS` */
static int user_remove(struct cli *cli, int argc, char **argv)
{
	char address[STORE_ADDRESS_SIZE];
	struct store_admin_result r;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 1, 1, "user remove ADDRESS")) != CLI_EXIT_OK ||
	    (rc = user_address(cli, argv[1], address)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	if ((rc = user_done(cli, store_admin_user_remove(cli->db, address, &r), &r)) != 0)
		return rc;
	printf("removed user %s and its mail\n", address);
	return CLI_EXIT_OK;
}

/* user_print - store_account_list callback: address, quota, used, state */
static int user_print(const struct store_account *a, void *arg)
{
	char quota[CLI_SIZE_TEXT], used[CLI_SIZE_TEXT];

	(void)arg;
	printf("%-40s quota=%s used=%s%s\n", a->address,
	       a->quota_bytes == 0 ? "unlimited" : cli_size_text(quota, a->quota_bytes),
	       cli_size_text(used, a->used_bytes), a->enabled ? "" : " disabled");
	return 0;
}

/* user_list - `user list [DOMAIN]` */
static int user_list(struct cli *cli, int argc, char **argv)
{
	char domain[STORE_DOMAIN_SIZE];
	struct store_domain d;
	struct store_admin_result r;
	const char *error = NULL;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 0, 1, "user list [DOMAIN]")) != CLI_EXIT_OK)
		return rc;
	if (argc > 1 && store_admin_domain_name(argv[1], domain, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_open(cli)) != CLI_EXIT_OK)
		return rc;
	if (argc > 1 && store_admin_domain_find(cli->db, domain, &d, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if (store_account_list(cli->db, argc > 1 ? domain : NULL, user_print, NULL, &error) < 0)
		return cli_db_fail(cli, error);
	return CLI_EXIT_OK;
}

static const struct cli_sub user_subs[] = {
	{ "add", user_add },
	{ "passwd", user_passwd },
	{ "quota", user_quota },
	{ "remove", user_remove },
	{ "list", user_list },
	{ NULL, NULL },
};

/* cmd_user_run - `merpati user ...` */
int cmd_user_run(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "user", user_subs, argc - 1, argv + 1);
}
