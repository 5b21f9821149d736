/* commands - the command families of `merpati`, one file each (admin/cmd_*.c).
 *
 * Each family has a run function, called with argv[0] = the family's name (so getopt
 * starts at argv[1], and families with subcommands pass argv + 1 to cli_dispatch()), and
 * a help text printed by `merpati help NAME` and
 * `merpati NAME --help`. main.c lists them in one table. Run functions return an exit
 * code (enum cli_exit) after printing at most one error line. */
#ifndef MERPATI_COMMANDS_H
#define MERPATI_COMMANDS_H

#include "admin/cli.h"

extern const char cmd_migrate_help[];
int cmd_migrate_run(struct cli *cli, int argc, char **argv);
extern const char cmd_domain_help[];
int cmd_domain_run(struct cli *cli, int argc, char **argv);
extern const char cmd_user_help[];
int cmd_user_run(struct cli *cli, int argc, char **argv);
extern const char cmd_alias_help[];
int cmd_alias_run(struct cli *cli, int argc, char **argv);
extern const char cmd_forward_help[];
int cmd_forward_run(struct cli *cli, int argc, char **argv);
extern const char cmd_share_help[];
int cmd_share_run(struct cli *cli, int argc, char **argv);
extern const char cmd_queue_help[];
int cmd_queue_run(struct cli *cli, int argc, char **argv);
extern const char cmd_dns_help[];
int cmd_dns_run(struct cli *cli, int argc, char **argv);
extern const char cmd_rule_help[];
int cmd_rule_run(struct cli *cli, int argc, char **argv);

#endif
