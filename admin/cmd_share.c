/* cmd_share.c - `merpati share`: let another account use a mailbox, with RFC 4314 rights
 * (the checks and the SQL are in lib/store/admin_share.c, shared with the webmail). */
#include <stdio.h>
#include <string.h>

#include "admin/cli_db.h"
#include "admin/commands.h"
#include "store/admin_share.h"

const char cmd_share_help[] =
	"usage: merpati share OWNER MAILBOX GRANTEE RIGHTS   (also: share add ...)\n"
	"       merpati share remove OWNER MAILBOX GRANTEE\n"
	"       merpati share list [ADDRESS]\n"
	"\n"
	"Give the account GRANTEE RIGHTS on OWNER's mailbox MAILBOX (replacing any rights it\n"
	"had there). GRANTEE then sees the mailbox in IMAP and the webmail. RIGHTS are RFC 4314\n"
	"section 2.1 letters:\n"
	"  l lookup (see the mailbox)      r read      s keep seen/unseen\n"
	"  w write other flags             i insert    p post (send to it)\n"
	"  k create mailboxes below        x delete the mailbox\n"
	"  t delete messages (\\Deleted)    e expunge   a administer (change rights)\n"
	"e.g. `lrs` to read, `lrswipte` to read and manage messages.\n"
	"`share list` shows every grant, or those where ADDRESS is owner or grantee.\n";

/* share_grant - `share [add] OWNER MAILBOX GRANTEE RIGHTS` */
static int share_grant(struct cli *cli, int argc, char **argv)
{
	struct store_admin_share s;
	struct store_admin_result r;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 4, 4, "share OWNER MAILBOX GRANTEE RIGHTS")) != 0)
		return rc;
	/* the rights first: a typo there is found without the database */
	if (store_admin_share_rights(argv[4], s.rights, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	if (store_admin_share_grant(cli->db, argv[1], argv[2], argv[3], argv[4], &s, &r) != 0)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("%s may use %s's mailbox %s with rights %s\n", s.grantee, s.owner, s.mailbox,
	       s.rights);
	return CLI_EXIT_OK;
}

/* share_remove - `share remove OWNER MAILBOX GRANTEE` */
static int share_remove(struct cli *cli, int argc, char **argv)
{
	struct store_admin_share s;
	struct store_admin_result r;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 3, 3, "share remove OWNER MAILBOX GRANTEE")) != 0 ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK)
		return rc;
	if (store_admin_share_revoke(cli->db, argv[1], argv[2], argv[3], &s, &r) != 0)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("%s may no longer use %s's mailbox %s\n", s.grantee, s.owner, s.mailbox);
	return CLI_EXIT_OK;
}

/* share_print - store_admin_share_list callback: "owner mailbox -> grantee rights" */
static int share_print(const struct store_admin_share *s, void *arg)
{
	(void)arg;
	printf("%s %s -> %s %s\n", s->owner, s->mailbox, s->grantee, s->rights);
	return 0;
}

/* share_list - `share list [ADDRESS]`: "owner mailbox grantee rights" lines */
static int share_list(struct cli *cli, int argc, char **argv)
{
	char address[STORE_ADDRESS_SIZE];
	struct store_admin_result r;
	const char *error = NULL;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 0, 1, "share list [ADDRESS]")) != CLI_EXIT_OK)
		return rc;
	if (argc > 1 && store_admin_address(argv[1], NULL, address, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
	if ((rc = cli_db_open(cli)) != CLI_EXIT_OK)
		return rc;
	if (store_admin_share_list(cli->db, argc > 1 ? address : NULL, -1, 0, share_print, NULL,
				   &error) < 0)
		return cli_db_fail(cli, error);
	return CLI_EXIT_OK;
}

static const struct cli_sub share_subs[] = {
	{ "add", share_grant },
	{ "remove", share_remove },
	{ "list", share_list },
	{ NULL, NULL },
};

/* cmd_share_run - `merpati share ...`; without a subcommand word, a grant */
int cmd_share_run(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && strchr(argv[1], '@') != NULL)
		return share_grant(cli, argc, argv);
	return cli_dispatch(cli, "share", share_subs, argc - 1, argv + 1);
}
