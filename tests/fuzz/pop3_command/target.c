/* Fuzz the POP3 command parser and the session above it.
 *
 * 1. parse -> write -> parse: a line that parses as a command, written back as
 *    "VERB arg arg\r\n", parses to the same verb and arguments.
 * 2. The whole input as a client's bytes to a session (tests/unit/pop3/pop3_fake.c): no
 *    crash, and the same answers whether it arrives at once or one octet at a time. */
#include "services/pop3/pop3_parser.h"
#include "../../unit/pop3/pop3_fake.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* roundtrip - check property 1 on every line of the input */
static void roundtrip(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off < size) {
		struct pop3_cmd a, b;
		const char *error;
		char line[600];
		size_t len;
		ssize_t n = pop3_parser_parse(data + off, size - off, 255, &a, &error);

		if (n <= 0)
			return;
		assert((size_t)n <= size - off && a.line.len < (size_t)n);
		assert(a.argc <= POP3_PARSER_ARGS_MAX);
		off += (size_t)n;
		if (a.verb[0] == '\0' || a.bad != NULL || a.args_bad != NULL)
			continue;
		len = (size_t)snprintf(line, sizeof(line), "%s", a.verb);
		for (size_t i = 0; i < a.argc; i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, " %.*s",
						(int)a.args[i].len, a.args[i].s);
		len += (size_t)snprintf(line + len, sizeof(line) - len, "\r\n");
		assert(pop3_parser_parse((const uint8_t *)line, len, 600, &b, &error) == (ssize_t)len);
		assert(strcmp(a.verb, b.verb) == 0 && a.argc == b.argc && b.bad == NULL);
		for (size_t i = 0; i < a.argc; i++)
			assert(a.args[i].len == b.args[i].len &&
			       memcmp(a.args[i].s, b.args[i].s, a.args[i].len) == 0);
	}
}

/* session_output - the session's answers to data fed `step` octets at a time */
static char *session_output(const uint8_t *data, size_t size, size_t step)
{
	struct pop3_session_config cfg;
	struct pop3_fake f;
	char *out;

	pop3_fake_config(&cfg);
	pop3_fake_init(&f, &cfg, false, true);
	pop3_fake_run(&f, data, size, step);
	out = strdup(f.out != NULL ? f.out : "");
	assert(out != NULL);
	pop3_fake_free(&f);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole, *bytewise;

	roundtrip(data, size);
	if (size > 4096)
		return 0;
	whole = session_output(data, size, 0);
	bytewise = session_output(data, size, 1);
	assert(strcmp(whole, bytewise) == 0);
	free(whole);
	free(bytewise);
	return 0;
}
