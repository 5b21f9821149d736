/* fuzz imap_command - the IMAP command parser: no crash, no overread, and for every
 * command it accepts, parse -> write -> parse gives the same command. The accepted
 * command's sequence sets ("$" of RFC 5182 included) are resolved against a small view
 * with a saved result, and a SEARCH's program is parsed over it, as the handlers do. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "services/imap/imap_parser.h"
#include "services/imap/imap_status.h"
#include "services/imap/search_program.h"

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

/* check_sets - every atom argument that is a sequence set resolves within the view */
static void check_sets(const struct imap_command *cmd, struct imap_view *v,
		       struct imap_arena *arena)
{
	for (size_t i = 0; i < cmd->nargs; i++) {
		struct imap_seqset set;
		const char *error = NULL;
		uint32_t *uids;
		size_t n;

		if (imap_seqset_parse(&cmd->args[i], arena, &set, &error) < 0)
			continue;
		for (int by_uid = 0; by_uid < 2; by_uid++) {
			if (imap_view_resolve(v, &set, by_uid, arena, &uids, &n, &error) < 0)
				continue;
			for (size_t k = 0; k < n; k++)
				if (imap_view_msn(v, uids[k]) == 0 || (k > 0 && uids[k] <= uids[k - 1]))
					abort();
		}
	}
}

/* check_status - STATUS items parse into known bits (DELETED is the highest) or fail */
static void check_status(const struct imap_command *cmd)
{
	unsigned items;

	if (strcmp(cmd->name, "STATUS") == 0 && cmd->nargs == 2 &&
	    imap_status_items(&cmd->args[1], &items) == 0 &&
	    (items == 0 || items >= IMAP_STATUS_DELETED << 1))
		abort();
}

/* check_search - a SEARCH program parses or fails cleanly */
static void check_search(const struct imap_command *cmd, const struct imap_view *v,
			 struct imap_arena *arena)
{
	struct search_program *prog = imap_arena_alloc(arena, sizeof(*prog));
	const char *error = NULL, *code = NULL;

	if (strcmp(cmd->name, "SEARCH") != 0)
		return;
	if (search_program_parse(cmd->args, cmd->nargs, SEARCH_FORM_SEARCH, v, arena, prog,
				 &error, &code) < 0 && error == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t saved[] = { 3, 9, 10, 12 };
	struct imap_view *v = imap_view_new(1);
	struct imap_parser_limits lim;
	struct imap_arena *arena = imap_arena_new(4096);
	size_t off = 0;

	for (uint32_t uid = 3; uid <= 12; uid += 3)
		imap_view_append(v, uid);             /* 3 6 9 12: "$" names 3, 9 and 12 */
	imap_view_save(v, saved, sizeof(saved) / sizeof(saved[0]));
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
		check_sets(&cmd, v, arena);
		check_search(&cmd, v, arena);
		check_status(&cmd);
		off += (size_t)r;
		imap_arena_clear(arena);
	}
	imap_arena_free(&arena);
	imap_view_free(&v);
	return 0;
}
