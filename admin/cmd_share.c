/* cmd_share.c - `merpati share`: let another account use a mailbox, with RFC 4314 rights.
 *
 * The store has no ACL functions yet: the SQL over mailbox_acl is here. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin/cli_db.h"
#include "admin/commands.h"
#include "store/account.h"
#include "store/mailbox.h"

/* RFC 4314 2.1: the rights, in the order they are printed and stored. */
static const char share_letters[] = "lrswipkxtea";

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

/* share_rights - validate RIGHTS and write them once each, in RFC 4314 order; exit code */
static int share_rights(struct cli *cli, const char *arg, char out[sizeof(share_letters)])
{
	size_t n = 0;

	if (arg[0] == '\0')
		return cli_fail(cli, CLI_EXIT_USAGE, "no rights given (e.g. lrs; see `merpati help share`)");
	for (const char *p = arg; *p != '\0'; p++)
		if (strchr(share_letters, *p) == NULL)
			return cli_fail(cli, CLI_EXIT_USAGE, "'%c' is not an RFC 4314 right "
					"(use the letters %s)", *p, share_letters);
	for (const char *l = share_letters; *l != '\0'; l++)
		if (strchr(arg, *l) != NULL)
			out[n++] = *l;
	out[n] = '\0';
	return CLI_EXIT_OK;
}

/* share_account - the id of the account named by arg (normalised into address); exit code */
static int share_account(struct cli *cli, const char *arg, const char *role,
			 char address[STORE_ADDRESS_SIZE], int64_t *id_r)
{
	struct store_account a;
	const char *error = NULL;
	int found;

	if (store_address_normalize(arg, address, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "%s '%.64s' is not a valid address: %s",
				role, arg, error);
	found = store_account_find(cli->db, address, &a, &error);
	if (found < 0)
		return cli_db_fail(cli, error);
	if (found == 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "user %s does not exist", address);
	*id_r = a.id;
	return CLI_EXIT_OK;
}

/* share_mailbox - the id of the owner's mailbox name; INBOX in any case (RFC 3501 5.1) */
static int share_mailbox(struct cli *cli, int64_t owner_id, const char *owner, const char *name,
			 int64_t *id_r)
{
	char owner_id_text[24];
	const char *params[2] = { db_int64_param(owner_id_text, owner_id),
				  strcasecmp(name, "INBOX") == 0 ? "INBOX" : name };
	const char *error = NULL;
	PGresult *res;

	if (strlen(name) > STORE_MAILBOX_NAME_MAX)
		return cli_fail(cli, CLI_EXIT_USAGE, "mailbox name longer than %d bytes",
				STORE_MAILBOX_NAME_MAX);
	res = db_query(cli->db, "SELECT id FROM mailboxes WHERE account_id = $1 AND name = $2",
		       2, params, &error);
	if (res == NULL)
		return cli_db_fail(cli, error);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return cli_fail(cli, CLI_EXIT_USAGE, "%s has no mailbox '%.200s'", owner, params[1]);
	}
	*id_r = db_get_int64(res, 0, 0);
	PQclear(res);
	return CLI_EXIT_OK;
}

struct share_target {
	char owner[STORE_ADDRESS_SIZE], grantee[STORE_ADDRESS_SIZE];
	const char *mailbox; /* as stored: INBOX in capitals */
	int64_t owner_id, grantee_id, mailbox_id;
};

/* share_resolve - OWNER MAILBOX GRANTEE operands to ids, inside the transaction; exit code */
static int share_resolve(struct cli *cli, char **argv, struct share_target *t)
{
	int rc;

	if ((rc = share_account(cli, argv[0], "owner", t->owner, &t->owner_id)) != CLI_EXIT_OK ||
	    (rc = share_mailbox(cli, t->owner_id, t->owner, argv[1], &t->mailbox_id)) != 0 ||
	    (rc = share_account(cli, argv[2], "grantee", t->grantee, &t->grantee_id)) != 0)
		return rc;
	t->mailbox = strcasecmp(argv[1], "INBOX") == 0 ? "INBOX" : argv[1];
	if (t->owner_id == t->grantee_id)
		return cli_fail(cli, CLI_EXIT_USAGE, "%s owns the mailbox already", t->owner);
	return CLI_EXIT_OK;
}

/* share_grant - `share [add] OWNER MAILBOX GRANTEE RIGHTS` */
static int share_grant(struct cli *cli, int argc, char **argv)
{
	char rights[sizeof(share_letters)], mb[24], gr[24];
	const char *params[3] = { NULL, NULL, rights };
	struct share_target t;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 4, 4, "share OWNER MAILBOX GRANTEE RIGHTS")) != 0 ||
	    (rc = share_rights(cli, argv[4], rights)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = share_resolve(cli, argv + 1, &t)) != CLI_EXIT_OK)
		return rc;
	params[0] = db_int64_param(mb, t.mailbox_id);
	params[1] = db_int64_param(gr, t.grantee_id);
	if ((rc = cli_db_exec(cli, "INSERT INTO mailbox_acl (mailbox_id, grantee_id, rights)"
			      " VALUES ($1, $2, $3) ON CONFLICT (mailbox_id, grantee_id)"
			      " DO UPDATE SET rights = EXCLUDED.rights", 3, params)) != 0 ||
	    (rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("%s may use %s's mailbox %s with rights %s\n", t.grantee, t.owner, t.mailbox,
	       rights);
	return CLI_EXIT_OK;
}

/* share_remove - `share remove OWNER MAILBOX GRANTEE` */
static int share_remove(struct cli *cli, int argc, char **argv)
{
	char mb[24], gr[24];
	const char *params[2], *error = NULL;
	struct share_target t;
	int64_t removed;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 3, 3, "share remove OWNER MAILBOX GRANTEE")) != 0 ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = share_resolve(cli, argv + 1, &t)) != CLI_EXIT_OK)
		return rc;
	params[0] = db_int64_param(mb, t.mailbox_id);
	params[1] = db_int64_param(gr, t.grantee_id);
	removed = db_exec(cli->db, "DELETE FROM mailbox_acl WHERE mailbox_id = $1 AND grantee_id = $2",
			  2, params, &error);
	if (removed < 0)
		return cli_db_fail(cli, error);
	if (removed == 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "%s has no rights on %s's mailbox %s",
				t.grantee, t.owner, t.mailbox);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("%s may no longer use %s's mailbox %s\n", t.grantee, t.owner, t.mailbox);
	return CLI_EXIT_OK;
}

/* share_list - `share list [ADDRESS]`: "owner mailbox grantee rights" lines */
static int share_list(struct cli *cli, int argc, char **argv)
{
	char address[STORE_ADDRESS_SIZE];
	const char *params[1] = { NULL }, *error = NULL;
	PGresult *res;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 0, 1, "share list [ADDRESS]")) != CLI_EXIT_OK)
		return rc;
	if (argc > 1 && store_address_normalize(argv[1], address, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a valid address: %s",
				argv[1], error);
	if (argc > 1)
		params[0] = address;
	if ((rc = cli_db_open(cli)) != CLI_EXIT_OK)
		return rc;
	res = db_query(cli->db, "SELECT o.address, m.name, g.address, acl.rights"
		       " FROM mailbox_acl acl JOIN mailboxes m ON m.id = acl.mailbox_id"
		       " JOIN accounts o ON o.id = m.account_id"
		       " JOIN accounts g ON g.id = acl.grantee_id"
		       " WHERE $1::text IS NULL OR lower(o.address) = $1 OR lower(g.address) = $1"
		       " ORDER BY o.address, m.name, g.address", 1, params, &error);
	if (res == NULL)
		return cli_db_fail(cli, error);
	for (int row = 0; row < PQntuples(res); row++)
		printf("%s %s -> %s %s\n", db_get_str(res, row, 0), db_get_str(res, row, 1),
		       db_get_str(res, row, 2), db_get_str(res, row, 3));
	PQclear(res);
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
