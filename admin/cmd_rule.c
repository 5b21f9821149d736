/* cmd_rule.c - `merpati rule add|list|remove`: per-user filter rules run by the mda.
 *
 * The options become the JSON of rule_json.h; the SQL over filter_rules is here, as the
 * store has no rule functions. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/cli_db.h"
#include "admin/commands.h"
#include "admin/rule_json.h"
#include "store/address.h"

#define RULE_NAME_MAX 256
#define RULE_POSITION_MAX 100000
#define RULE_TEXT_SIZE 4096

const char cmd_rule_help[] =
	"usage: merpati rule add ADDRESS [--name NAME] [--position N] CONDITION... ACTION...\n"
	"       merpati rule list ADDRESS\n"
	"       merpati rule remove ADDRESS ID\n"
	"\n"
	"Rules run in position order when mail is delivered to the account ADDRESS. A rule\n"
	"applies when ALL its conditions hold (with none, to every message); then its actions\n"
	"run in the order given. Text matches are case-insensitive substrings.\n"
	"\n"
	"Conditions:\n"
	"  --from TEXT         the From: field contains TEXT\n"
	"  --to TEXT           the To: or Cc: field contains TEXT\n"
	"  --subject TEXT      the Subject: contains TEXT\n"
	"  --header NAME:TEXT  the header field NAME contains TEXT (e.g. List-Id:announce)\n"
	"  --larger SIZE       the message is larger than SIZE (bytes, or with k, M, G)\n"
	"  --smaller SIZE      the message is smaller than SIZE\n"
	"Actions:\n"
	"  --fileinto MAILBOX  deliver into MAILBOX (which must exist) instead of INBOX\n"
	"  --redirect ADDRESS  send the message on to ADDRESS instead\n"
	"  --flag FLAG         set \\Flagged, \\Answered, \\Draft, \\Deleted or a keyword\n"
	"  --seen              mark the message as read\n"
	"  --discard           drop the message silently\n"
	"  --stop              run no further rules for this message\n"
	"Other options:\n"
	"  --name NAME         a label shown by `rule list`\n"
	"  --position N        run at position N (0 first); later rules move down one.\n"
	"                      Without it the rule goes last.\n"
	"\n"
	"Example: merpati rule add alice@example.org --header List-Id:announce \\\n"
	"             --fileinto Lists --seen --stop\n"
	"`rule list` prints: ID (position N) \"NAME\": if ... then ...; `rule remove` takes\n"
	"that ID.\n";

/* The options of `rule add`: name and position, then those of rule_json.h. */
static const struct option rule_opts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "position", required_argument, NULL, 'p' },
	{ "from", required_argument, NULL, 'r' },
	{ "to", required_argument, NULL, 'r' },
	{ "subject", required_argument, NULL, 'r' },
	{ "header", required_argument, NULL, 'r' },
	{ "larger", required_argument, NULL, 'r' },
	{ "smaller", required_argument, NULL, 'r' },
	{ "fileinto", required_argument, NULL, 'r' },
	{ "redirect", required_argument, NULL, 'r' },
	{ "flag", required_argument, NULL, 'r' },
	{ "seen", no_argument, NULL, 'r' },
	{ "discard", no_argument, NULL, 'r' },
	{ "stop", no_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

struct rule_new {
	struct rule_json json;
	char name[RULE_NAME_MAX + 1];
	long position;       /* -1: last */
	char address[STORE_ADDRESS_SIZE];
	char account_id[24];
};

/* rule_parse_position - "N", 0 <= N <= RULE_POSITION_MAX; -1 when not */
static long rule_parse_position(const char *s)
{
	char *end;
	long n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return errno != 0 || *end != '\0' || n > RULE_POSITION_MAX ? -1 : n;
}

/* rule_parse - the options and ADDRESS of `rule add` into r; exit code */
static int rule_parse(struct cli *cli, int argc, char **argv, struct rule_new *r)
{
	const char *error = NULL;
	int c, index = 0, rc;

	cli_getopt_reset();
	while ((c = cli_getopt(cli, argc, argv, rule_opts, &index)) != -1) {
		if (c == '?')
			return CLI_EXIT_USAGE;
		if (c == 'n' && strlen(optarg) > RULE_NAME_MAX)
			return cli_fail(cli, CLI_EXIT_USAGE, "a rule name has at most %d bytes",
					RULE_NAME_MAX);
		if (c == 'n')
			snprintf(r->name, sizeof(r->name), "%s", optarg);
		else if (c == 'p' && (r->position = rule_parse_position(optarg)) < 0)
			return cli_fail(cli, CLI_EXIT_USAGE, "--position wants a number from 0 to %d",
					RULE_POSITION_MAX);
		else if (c == 'r' && rule_json_add(&r->json, rule_opts[index].name,
						   rule_opts[index].has_arg ? optarg : NULL, &error) < 0)
			return cli_fail(cli, CLI_EXIT_USAGE, "--%s: %s", rule_opts[index].name, error);
	}
	if ((rc = cli_args(cli, argc - optind, 1, 1,
			   "rule add ADDRESS [OPTIONS] CONDITION... ACTION...")) != CLI_EXIT_OK)
		return rc;
	if (rule_json_check(&r->json, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "%s", error);
	if (store_address_normalize(argv[optind], r->address, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a valid address: %s",
				argv[optind], error);
	return CLI_EXIT_OK;
}

/* rule_lock_account - the account's id as text, its row locked so rule positions of one
 * account change one command at a time; exit code */
static int rule_lock_account(struct cli *cli, const char *address, char id[24])
{
	const char *params[1] = { address }, *error = NULL;
	PGresult *res = db_query(cli->db, "SELECT id FROM accounts WHERE lower(address) = $1"
				 " FOR UPDATE", 1, params, &error);

	if (res == NULL)
		return cli_db_fail(cli, error);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return cli_fail(cli, CLI_EXIT_USAGE, "user %s does not exist", address);
	}
	snprintf(id, 24, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return CLI_EXIT_OK;
}

/* rule_check_actions - fileinto mailboxes exist; no redirect to the account itself */
static int rule_check_actions(struct cli *cli, const struct rule_new *r)
{
	const char *params[2] = { r->account_id, NULL }, *error = NULL;
	const char *mailbox, *target;
	json_t *action;
	size_t i;
	int found;

	json_array_foreach(r->json.actions, i, action) {
		target = json_string_value(json_object_get(action, "redirect"));
		if (target != NULL && strcmp(target, r->address) == 0)
			return cli_fail(cli, CLI_EXIT_USAGE, "a rule cannot redirect %s to itself",
					r->address);
		if ((mailbox = json_string_value(json_object_get(action, "fileinto"))) == NULL)
			continue;
		params[1] = mailbox;
		found = cli_db_exists(cli, "SELECT 1 FROM mailboxes WHERE account_id = $1"
				      " AND name = $2", 2, params, &error);
		if (found < 0)
			return cli_db_fail(cli, error);
		if (found == 0)
			return cli_fail(cli, CLI_EXIT_USAGE, "%s has no mailbox '%.200s'",
					r->address, mailbox);
	}
	return CLI_EXIT_OK;
}

/* rule_make_room - the position for the new rule: last, or r->position with the rules
 * from there moved down one (the unique constraint is checked at COMMIT); exit code */
static int rule_make_room(struct cli *cli, struct rule_new *r, char position[24])
{
	const char *params[2] = { r->account_id, position }, *error = NULL;
	PGresult *res;
	int rc;

	if (r->position >= 0) {
		snprintf(position, 24, "%ld", r->position);
		if ((rc = cli_db_exec(cli, "SET CONSTRAINTS ALL DEFERRED", 0, NULL)) != 0)
			return rc;
		return cli_db_exec(cli, "UPDATE filter_rules SET position = position + 1"
				   " WHERE account_id = $1 AND position >= $2", 2, params);
	}
	res = db_query(cli->db, "SELECT coalesce(max(position) + 1, 0) FROM filter_rules"
		       " WHERE account_id = $1", 1, params, &error);
	if (res == NULL)
		return cli_db_fail(cli, error);
	snprintf(position, 24, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return CLI_EXIT_OK;
}

/* rule_insert - store the rule; its id into id (24 bytes); exit code */
static int rule_insert(struct cli *cli, struct rule_new *r, const char *position, char id[24])
{
	char *conditions = json_dumps(r->json.conditions, JSON_COMPACT);
	char *actions = json_dumps(r->json.actions, JSON_COMPACT);
	const char *params[5] = { r->account_id, position, r->name, conditions, actions };
	const char *error = NULL;
	PGresult *res;

	if (conditions == NULL || actions == NULL)
		abort();
	res = db_query(cli->db, "INSERT INTO filter_rules (account_id, position, name,"
		       " conditions, actions) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)"
		       " RETURNING id", 5, params, &error);
	free(conditions);
	free(actions);
	if (res == NULL)
		return cli_db_fail(cli, error);
	snprintf(id, 24, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return CLI_EXIT_OK;
}

/* rule_add - `rule add ADDRESS [--name NAME] [--position N] CONDITION... ACTION...` */
static int rule_add(struct cli *cli, int argc, char **argv)
{
	struct rule_new r = { .position = -1 };
	char position[24], id[24];
	char *conditions, *actions, text[RULE_TEXT_SIZE];
	int rc;

	rule_json_init(&r.json);
	if ((rc = rule_parse(cli, argc, argv, &r)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = rule_lock_account(cli, r.address, r.account_id)) != CLI_EXIT_OK ||
	    (rc = rule_check_actions(cli, &r)) != CLI_EXIT_OK ||
	    (rc = rule_make_room(cli, &r, position)) != CLI_EXIT_OK ||
	    (rc = rule_insert(cli, &r, position, id)) != CLI_EXIT_OK ||
	    (rc = cli_db_commit(cli)) != CLI_EXIT_OK) {
		rule_json_free(&r.json);
		return rc;
	}
	conditions = json_dumps(r.json.conditions, JSON_COMPACT);
	actions = json_dumps(r.json.actions, JSON_COMPACT);
	if (conditions == NULL || actions == NULL)
		abort();
	printf("added rule %s for %s at position %s: %s\n", id, r.address, position,
	       rule_json_describe(conditions, actions, text, sizeof(text)));
	free(conditions);
	free(actions);
	rule_json_free(&r.json);
	return CLI_EXIT_OK;
}

/* rule_account - the normalised ADDRESS operand and its account id; exit code */
static int rule_account(struct cli *cli, const char *arg, char address[STORE_ADDRESS_SIZE],
			char id[24])
{
	const char *error = NULL;

	if (store_address_normalize(arg, address, &error) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a valid address: %s", arg, error);
	return rule_lock_account(cli, address, id);
}

/* rule_list - `rule list ADDRESS` */
static int rule_list(struct cli *cli, int argc, char **argv)
{
	char address[STORE_ADDRESS_SIZE], id[24], text[RULE_TEXT_SIZE];
	const char *params[1] = { id }, *error = NULL;
	PGresult *res;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 1, 1, "rule list ADDRESS")) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = rule_account(cli, argv[1], address, id)) != CLI_EXIT_OK)
		return rc;
	res = db_query(cli->db, "SELECT id, position, name, conditions::text, actions::text,"
		       " enabled FROM filter_rules WHERE account_id = $1 ORDER BY position",
		       1, params, &error);
	if (res == NULL)
		return cli_db_fail(cli, error);
	for (int row = 0; row < PQntuples(res); row++)
		printf("%s (position %s) \"%s\": %s%s\n", PQgetvalue(res, row, 0),
		       PQgetvalue(res, row, 1), PQgetvalue(res, row, 2),
		       rule_json_describe(PQgetvalue(res, row, 3), PQgetvalue(res, row, 4),
					  text, sizeof(text)),
		       db_get_bool(res, row, 5) ? "" : " (disabled)");
	PQclear(res);
	return cli_db_commit(cli);
}

/* rule_remove - `rule remove ADDRESS ID` */
static int rule_remove(struct cli *cli, int argc, char **argv)
{
	char address[STORE_ADDRESS_SIZE], account[24];
	const char *params[2] = { account, argv[argc > 2 ? 2 : 0] }, *error = NULL;
	int64_t removed;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 2, 2, "rule remove ADDRESS ID")) != CLI_EXIT_OK)
		return rc;
	/* 1 to 18 digits: always a valid bigint */
	if (argv[2][0] == '\0' || strlen(argv[2]) > 18 ||
	    strspn(argv[2], "0123456789") != strlen(argv[2]))
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a rule id (see `merpati rule "
				"list`)", argv[2]);
	if ((rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = rule_account(cli, argv[1], address, account)) != CLI_EXIT_OK)
		return rc;
	removed = db_exec(cli->db, "DELETE FROM filter_rules WHERE account_id = $1 AND id = $2",
			  2, params, &error);
	if (removed < 0)
		return cli_db_fail(cli, error);
	if (removed == 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "%s has no rule %s", address, argv[2]);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("removed rule %s of %s\n", argv[2], address);
	return CLI_EXIT_OK;
}

static const struct cli_sub rule_subs[] = {
	{ "add", rule_add },
	{ "list", rule_list },
	{ "remove", rule_remove },
	{ NULL, NULL },
};

/* cmd_rule_run - `merpati rule ...` */
int cmd_rule_run(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "rule", rule_subs, argc - 1, argv + 1);
}
