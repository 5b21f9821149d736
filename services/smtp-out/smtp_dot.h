/* smtp_dot - DATA body transparency as the client sends it (RFC 5321 4.5.2): a line that
 * starts with "." gets one more; lines end in CRLF (a bare LF becomes CRLF, RFC 5321 2.3.8);
 * the body ends with CRLF "." CRLF. Works chunk by chunk, so a stored blob can be streamed
 * in pieces. Pure. */
#ifndef MERPATI_SMTPOUT_DOT_H
#define MERPATI_SMTPOUT_DOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

struct smtp_dot {
	bool line_start;  /* the next byte begins a line */
	bool after_cr;    /* the last byte was CR */
};

/* smtp_dot_init - before the first chunk */
void smtp_dot_init(struct smtp_dot *d);
/* smtp_dot_chunk - append the transparent form of in[0..len) to out */
void smtp_dot_chunk(struct smtp_dot *d, const uint8_t *in, size_t len, struct evbuffer *out);
/* smtp_dot_end - finish the last line if needed and append ".\r\n" */
void smtp_dot_end(struct smtp_dot *d, struct evbuffer *out);

#endif
