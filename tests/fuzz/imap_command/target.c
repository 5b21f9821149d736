/* fuzz imap_command - the IMAP command parser: no crash, no overread, and for every
 * command it accepts, parse -> write -> parse gives the same command. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "services/imap/imap_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* same_arg - two parsed arguments are equal (a quotable literal comes back quoted) */
static int same_arg(const struct imap_arg *a, const struct imap_arg *b)
{
	bool sa = a->type == IMAP_ARG_STRING || a->type == IMAP_ARG_LITERAL;
	bool sb = b->type == IMAP_ARG_STRING || b->type == IMAP_ARG_LITERAL;

	if (sa != sb || (!sa && a->type != b->type))
		return 0;
	if (a->type == IMAP_ARG_NIL)
		return 1;  /* NIL in any case is written as "NIL" */
	if (a->type == IMAP_ARG_LIST) {
		if (a->count != b->count)
			return 0;
		for (size_t i = 0; i < a->count; i++)
			if (!same_arg(&a->list[i], &b->list[i]))
				return 0;
		return 1;
	}
	return a->len == b->len && memcmp(a->str, b->str, a->len) == 0 &&
		(!sa || a->literal8 == b->literal8);
}

/* check_round_trip - write cmd and parse it again */
static void check_round_trip(const struct imap_parser_limits *lim, const struct imap_command *cmd,
			     struct imap_arena *arena)
{
	struct imap_command again;
	struct imap_parse_result res;
	size_t len;
	char *w = imap_parser_write(cmd, arena, &len);

	if (imap_parser_parse(lim, (const uint8_t *)w, len, arena, &again, &res) != (ssize_t)len)
		abort();
	if (strcmp(cmd->tag, again.tag) != 0 || strcmp(cmd->name, again.name) != 0 ||
	    cmd->uid != again.uid || cmd->nargs != again.nargs)
		abort();
	for (size_t i = 0; i < cmd->nargs; i++)
		if (!same_arg(&cmd->args[i], &again.args[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_limits lim;
	struct imap_arena *arena = imap_arena_new(4096);
	size_t off = 0;

	imap_parser_limits_default(&lim);
	lim.max_line = 4096;
	lim.max_literal = 1 << 20;
	/* run the input as a stream of commands, as a session does */
	while (off < size) {
		struct imap_command cmd;
		struct imap_parse_result res;
		ssize_t r = imap_parser_parse(&lim, data + off, size - off, arena, &cmd, &res);

		if (r == 0)
			break;
		if (r < 0) {
			if (res.skip == 0 || res.skip > size - off)
				abort();
			off += res.skip;
			continue;
		}
		check_round_trip(&lim, &cmd, arena);
		off += (size_t)r;
		imap_arena_clear(arena);
	}
	imap_arena_free(&arena);
	return 0;
}
