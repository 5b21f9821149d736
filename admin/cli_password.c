/* cli_password.c - read a new password from stdin or the terminal, check it, hash it */
#include "admin/cli_password.h"

#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "store/admin_user.h"

/* The terminal whose echo is off, so a signal can turn it back on. */
static int tty_fd = -1;
static struct termios tty_saved;

/* cli_password_line - read one line of at most max bytes from in into buf (max + 2 bytes) */
int cli_password_line(FILE *in, char *buf, size_t max, size_t *len_r, const char **error_r)
{
	size_t len = 0;
	int c;

	while ((c = getc(in)) != EOF && c != '\n') {
		if (c == '\0') {
			*error_r = "password may not contain NUL";
			return -1;
		}
		if (len == max) {
			*error_r = "password is too long (at most 1024 bytes)";
			return -1;
		}
		buf[len++] = (char)c;
	}
	if (c == EOF && len == 0) {
		*error_r = "no password on standard input";
		return -1;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	*len_r = len;
	return 0;
}

/* tty_restore_on_signal - put the echo back, then die of the signal as usual */
static void tty_restore_on_signal(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSANOW, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* tty_echo_off - turn the terminal's echo off, dropping what was typed before the prompt */
static int tty_echo_off(void)
{
	struct termios t;

	if (tcgetattr(tty_fd, &tty_saved) != 0)
		return -1;
	signal(SIGINT, tty_restore_on_signal);
	signal(SIGTERM, tty_restore_on_signal);
	signal(SIGHUP, tty_restore_on_signal);
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	return tcsetattr(tty_fd, TCSAFLUSH, &t);
}

/* tty_ask - print prompt on the terminal and read one line (echo is off) */
static int tty_ask(FILE *tty, const char *prompt, char *buf, size_t *len_r, const char **error_r)
{
	fputs(prompt, tty);
	fflush(tty);
	if (cli_password_line(tty, buf, AUTH_PASSWORD_MAX, len_r, error_r) < 0) {
		if (strcmp(*error_r, "no password on standard input") == 0)
			*error_r = "no password typed";
		return -1;
	}
	return 0;
}

/* tty_read_twice - ask for the password twice on the terminal; they must match. Echo goes
 * off before the first prompt and stays off until the second answer, so nothing typed
 * after a prompt appears is ever flushed away. */
static int tty_read_twice(struct cli *cli, const char *address, char *pw, size_t *len_r)
{
	char again[AUTH_PASSWORD_MAX + 2], prompt[300];
	const char *error = NULL;
	size_t again_len = 0;
	FILE *tty;
	int rc = CLI_EXIT_OK;

	tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (tty_fd < 0 || (tty = fdopen(tty_fd, "r+")) == NULL) {
		if (tty_fd >= 0)
			close(tty_fd);
		tty_fd = -1;
		return cli_fail(cli, CLI_EXIT_USAGE, "cannot open the terminal to ask for a password");
	}
	snprintf(prompt, sizeof(prompt), "New password for %s: ", address);
	if (tty_echo_off() != 0)
		rc = cli_fail(cli, CLI_EXIT_USAGE, "cannot turn off the terminal's echo");
	else if (tty_ask(tty, prompt, pw, len_r, &error) < 0 ||
		 tty_ask(tty, "Again: ", again, &again_len, &error) < 0)
		rc = cli_fail(cli, CLI_EXIT_USAGE, "%s", error);
	else if (again_len != *len_r || sodium_memcmp(again, pw, again_len) != 0)
		rc = cli_fail(cli, CLI_EXIT_USAGE, "the two passwords differ");
	tcsetattr(tty_fd, TCSANOW, &tty_saved);
	sodium_memzero(again, sizeof(again));
	fclose(tty);
	tty_fd = -1;
	return rc;
}

/* cli_password_hash - read, check and hash the new password of address; exit code */
int cli_password_hash(struct cli *cli, const char *address, bool from_stdin,
		      char hash[AUTH_HASH_SIZE])
{
	char pw[AUTH_PASSWORD_MAX + 2];
	struct store_admin_result r;
	const char *error = NULL;
	size_t len = 0;
	int rc = CLI_EXIT_OK;

	if (from_stdin) {
		if (cli_password_line(stdin, pw, AUTH_PASSWORD_MAX, &len, &error) < 0)
			rc = cli_fail(cli, CLI_EXIT_USAGE, "%s", error);
	} else if (!isatty(STDIN_FILENO)) {
		return cli_fail(cli, CLI_EXIT_USAGE,
				"no password: give one with --password-stdin or run on a terminal");
	} else {
		rc = tty_read_twice(cli, address, pw, &len);
	}
	if (rc == CLI_EXIT_OK && store_admin_password_hash(pw, len, hash, &r) != STORE_ADMIN_OK)
		rc = cli_fail(cli, CLI_EXIT_USAGE, "%s", r.message); /* never a database error */
	sodium_memzero(pw, sizeof(pw));
	return rc;
}
