/* imap_parser - client command lines into struct imap_command (RFC 3501 9, RFC 9051 9).
 *
 * Pure and stateless: call it with every byte of the command received so far (from the
 * start of the command). It returns the octets of a complete command, literals included;
 * 0 when more input is needed (with how much and whether a synchronising literal waits
 * for "+ " first, RFC 3501 7.5); or -1 for a command it refuses, with how much input to
 * throw away so the next command can be read (bad syntax gets BAD and the connection keeps
 * working). Bounded: line length, literal size, whole command size, nesting depth, number
 * of arguments. Literals: {n} synchronising, {n+} LITERAL+ and LITERAL- (RFC 7888), ~{n}
 * literal8 (RFC 3516). Strings are copied into the arena. */
#ifndef MERPATI_IMAP_PARSER_H
#define MERPATI_IMAP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "services/imap/imap.h"

struct imap_parser_limits {
	size_t max_line;       /* octets of one line (literal data excluded), CRLF included */
	uint64_t max_literal;  /* octets of one literal */
	uint64_t max_command;  /* octets of the whole command */
	bool literal_minus;    /* LITERAL- (RFC 7888 5): {n+} only up to 4096 octets */
};

struct imap_parse_result {
	/* need more (return 0) */
	size_t need;          /* at least this many more octets before trying again */
	bool continuation;    /* a synchronising literal waits: send "+ " (once per literal) */
	size_t literal_at;    /* offset of that literal's first octet: identifies it */
	/* refused (return -1) */
	const char *error;    /* why, for the BAD/NO text */
	bool toobig;          /* a literal or the command is over a limit (RFC 7889 TOOBIG) */
	size_t skip;          /* octets of buf to discard */
	bool skip_line;       /* then discard further input through the next LF */
	uint64_t skip_bytes;  /* then discard this many more octets (a refused {n+} literal) */
	char tag[IMAP_TAG_MAX + 1];  /* the tag, "" when none could be read */
};

/* imap_parser_limits_default - the defaults above (IMAP_*_DEFAULT) */
void imap_parser_limits_default(struct imap_parser_limits *lim);

/* imap_parser_parse - see above. cmd is filled only when a command is returned. */
ssize_t imap_parser_parse(const struct imap_parser_limits *lim, const uint8_t *buf, size_t len,
			  struct imap_arena *arena, struct imap_command *cmd,
			  struct imap_parse_result *res);

/* imap_parser_write - cmd as the client would send it (LITERAL+ for non-quotable strings)
 * into arena; *len_r its length. Parsing the result gives back cmd (the fuzz target's
 * round trip). */
char *imap_parser_write(const struct imap_command *cmd, struct imap_arena *arena, size_t *len_r);

#endif
