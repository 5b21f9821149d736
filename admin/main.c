/* main.c - `merpati`, the administration program: a table of command families */
#include <stdio.h>
#include <string.h>

#include "admin/cli.h"
#include "admin/cli_db.h"
#include "admin/commands.h"

#ifndef MERPATI_VERSION
#define MERPATI_VERSION "unknown"
#endif

struct main_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *help;
	const char *summary;
};

static const struct main_command commands[] = {
	{ "migrate", cmd_migrate_run, cmd_migrate_help, "apply the database schema migrations" },
	{ "domain", cmd_domain_run, cmd_domain_help, "add, list or remove mail domains" },
	{ "user", cmd_user_run, cmd_user_help, "add, list or remove accounts; set passwords" },
	{ "alias", cmd_alias_run, cmd_alias_help, "addresses delivered to other addresses" },
	{ "forward", cmd_forward_run, cmd_forward_help, "forward an account's mail elsewhere" },
	{ "share", cmd_share_run, cmd_share_help, "let another user use a mailbox (RFC 4314)" },
	{ "queue", cmd_queue_run, cmd_queue_help, "inspect and act on inbound/outbound jobs" },
	{ "rule", cmd_rule_run, cmd_rule_help, "per-user filter rules run at delivery" },
	{ "dns", cmd_dns_run, cmd_dns_help, "the DNS records to publish for a domain" },
	{ NULL, NULL, NULL, NULL },
};

static const char main_help_tail[] =
	"\n"
	"Run `merpati help COMMAND` or `merpati COMMAND --help` for the details of one.\n"
	"\n"
	"Environment:\n"
	"  MERPATI_DB        libpq connection string or URL (default: the cluster of `make run`)\n"
	"  MERPATI_HOSTNAME  this server's host name, used by `merpati dns`\n"
	"\n"
	"Exit status: 0 done; 1 bad usage or invalid value (nothing changed); 2 bad setting;\n"
	"3 database unreachable; 4 the database refused the work (nothing changed).\n";

/* main_usage - the list of commands, on out */
static void main_usage(FILE *out)
{
	fputs("usage: merpati COMMAND [ARGS...]\n\nCommands:\n", out);
	for (const struct main_command *c = commands; c->name != NULL; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->summary);
	fprintf(out, "  %-9s %s\n", "help", "this text, or the help of one command");
	fputs(main_help_tail, out);
}

/* main_find - the command family called name, or NULL */
static const struct main_command *main_find(const char *name)
{
	for (const struct main_command *c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* main_help - `merpati help [COMMAND]` */
static int main_help(struct cli *cli, int argc, char **argv)
{
	const struct main_command *c;

	if (argc < 2) {
		main_usage(stdout);
		return CLI_EXIT_OK;
	}
	c = main_find(argv[1]);
	if (c == NULL)
		return cli_fail(cli, CLI_EXIT_USAGE, "help: unknown command '%.64s'", argv[1]);
	fputs(c->help, stdout);
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli cli = { .what = "", .db = NULL };
	const struct main_command *c;
	int rc;

	if (argc < 2) {
		main_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return main_help(&cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("merpati %s\n", MERPATI_VERSION);
		return CLI_EXIT_OK;
	}
	c = main_find(argv[1]);
	if (c == NULL)
		return cli_fail(&cli, CLI_EXIT_USAGE,
				"unknown command '%.64s' (see `merpati help`)", argv[1]);
	if (cli_wants_help(argc - 2, argv + 2)) {
		fputs(c->help, stdout);
		return CLI_EXIT_OK;
	}
	snprintf(cli.what, sizeof(cli.what), "%s", c->name);
	rc = c->run(&cli, argc - 1, argv + 1);
	fflush(stdout);
	cli_db_close(&cli);
	return rc;
}
