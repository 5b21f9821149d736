/* cli.c - error lines, subcommand dispatch and option parsing shared by every command */
#include "admin/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* cli_fail - print "merpati: WHAT: message" on stderr and return code */
int cli_fail(struct cli *cli, int code, const char *fmt, ...)
{
	va_list ap;

	if (cli->what[0] != '\0')
		fprintf(stderr, "merpati: %s: ", cli->what);
	else
		fputs("merpati: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* cli_name_what - record "FAMILY SUB" as the command named in error lines */
static void cli_name_what(struct cli *cli, const char *family, const char *sub)
{
	snprintf(cli->what, sizeof(cli->what), "%s %s", family, sub);
}

/* cli_dispatch - run the subcommand named by argv[0] from subs (NULL-name terminated) */
int cli_dispatch(struct cli *cli, const char *family, const struct cli_sub *subs,
		 int argc, char **argv)
{
	if (argc < 1)
		return cli_fail(cli, CLI_EXIT_USAGE,
				"missing subcommand (see `merpati help %s`)", family);
	for (const struct cli_sub *s = subs; s->name != NULL; s++) {
		if (strcmp(s->name, argv[0]) == 0) {
			cli_name_what(cli, family, s->name);
			return s->run(cli, argc, argv);
		}
	}
	return cli_fail(cli, CLI_EXIT_USAGE, "unknown subcommand '%.64s' (see `merpati help %s`)",
			argv[0], family);
}

/* cli_wants_help - true when argv holds -h or --help (before a "--") */
bool cli_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

/* cli_getopt_reset - make the next cli_getopt() start a new argv (GNU: optind = 0) */
void cli_getopt_reset(void)
{
	optind = 0;
	opterr = 0;
}

/* cli_getopt - next long option; '?' after reporting an unknown option or missing value */
int cli_getopt(struct cli *cli, int argc, char **argv, const struct option *opts, int *index_r)
{
	int c = getopt_long(argc, argv, ":", opts, index_r);
	const char *bad;

	if (c != '?' && c != ':')
		return c;
	bad = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	if (c == ':')
		cli_fail(cli, CLI_EXIT_USAGE, "option %.64s needs a value", bad);
	else
		cli_fail(cli, CLI_EXIT_USAGE, "unknown option '%.64s'", bad);
	return '?';
}

/* cli_args - check that min..max positional arguments remain; prints usage line if not */
int cli_args(struct cli *cli, int count, int min, int max, const char *usage)
{
	if (count < min)
		return cli_fail(cli, CLI_EXIT_USAGE, "missing argument (usage: merpati %s)", usage);
	if (count > max)
		return cli_fail(cli, CLI_EXIT_USAGE, "too many arguments (usage: merpati %s)", usage);
	return CLI_EXIT_OK;
}

/* cli_size_text - bytes as "0", "512k", "25M", "1.5G" (binary units) into buf */
const char *cli_size_text(char buf[CLI_SIZE_TEXT], long long bytes)
{
	static const char units[] = "kMGT";
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, CLI_SIZE_TEXT, "%lld", bytes);
	else if (v == (double)(long long)v)
		snprintf(buf, CLI_SIZE_TEXT, "%lld%c", (long long)v, units[u]);
	else
		snprintf(buf, CLI_SIZE_TEXT, "%.1f%c", v, units[u]);
	return buf;
}
