/* pop3_dotstuff - streaming encoder for multi-line responses (RFC 1939 3).
 *
 * Stored message bytes go in, in chunks of any size; out come CRLF-terminated lines with
 * a leading "." doubled, and finally the ".\r\n" terminator. A bare LF or a bare CR ends
 * a line, so the client always sees CRLF. For TOP (RFC 1939 7) the encoder stops after
 * the header, the blank line and the requested number of body lines. Nothing is held
 * but a few flags: a message of any size streams through in constant memory. */
#ifndef MERPATI_POP3_DOTSTUFF_H
#define MERPATI_POP3_DOTSTUFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/pop3/pop3_output.h"

struct pop3_dotstuff {
	long body_lines;   /* body lines still to send; -1: all */
	bool line_start;   /* nothing of the current line written yet */
	bool pending_cr;   /* last input octet was a CR */
	bool in_body;      /* the blank line after the header was seen */
	bool done;         /* TOP limit reached: ignore further input */
};

/* pop3_dotstuff_init - start a message; body_lines -1 for RETR, n >= 0 for TOP */
void pop3_dotstuff_init(struct pop3_dotstuff *d, long body_lines);

/* pop3_dotstuff_feed - encode one chunk; returns true when no more input is wanted */
bool pop3_dotstuff_feed(struct pop3_dotstuff *d, const uint8_t *in, size_t len,
			const struct pop3_output *out);

/* pop3_dotstuff_finish - end an unterminated last line and write the terminator */
void pop3_dotstuff_finish(struct pop3_dotstuff *d, const struct pop3_output *out);

#endif
