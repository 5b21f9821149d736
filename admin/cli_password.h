/* cli_password - read a new password: one line of standard input, or twice from the
 * terminal without echo; then lib/auth's policy check and argon2id hash. */
#ifndef MERPATI_CLI_PASSWORD_H
#define MERPATI_CLI_PASSWORD_H

#include <stdbool.h>
#include <stdio.h>

#include "admin/cli.h"
#include "auth/auth.h"

/* cli_password_hash - read the password for address (from_stdin: first line of stdin;
 * else the terminal, asked twice), check it against the policy and hash it into
 * hash (AUTH_HASH_SIZE bytes). The clear text is wiped before returning. Exit code. */
int cli_password_hash(struct cli *cli, const char *address, bool from_stdin,
		      char hash[AUTH_HASH_SIZE]);

/* cli_password_line - read one line of at most max bytes from in into buf (max + 2 bytes),
 * without its line ending; 0, or -1 with *error_r (nothing to read, line too long, NUL) */
int cli_password_line(FILE *in, char *buf, size_t max, size_t *len_r, const char **error_r);

#endif
