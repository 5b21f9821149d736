/* smtp_data - the streaming decoder of a message body: DATA (RFC 5321 4.1.1.4, 4.5.2) and
 * BDAT chunks (RFC 3030).
 *
 * Pure: bytes in, decoded bytes out into a caller's buffer at least as long as the input
 * (decoding only ever removes bytes). State survives between calls, so input may come one
 * byte at a time.
 *
 * Safety rules against SMTP smuggling (CVE-2023-51764 class):
 * - Only CRLF "." CRLF ends DATA. "LF.LF", "LF.CRLF", "CR.CR" and friends are data.
 * - A bare LF or bare CR anywhere in the message marks it `bare_newline`; the session then
 *   refuses the whole message (554 5.6.0) after its true end. Nothing is normalised, so what
 *   is stored is byte for byte what was checked.
 * - A text line longer than `line_max` (998 + CRLF by default, RFC 5322 2.1.1) marks it
 *   `line_too_long`; refused the same way. BODY=BINARYMIME content skips both line checks.
 * - More than `size_max` decoded bytes marks it `too_big`; output stops there (memory stays
 *   bounded) while the input is still read to its end, so the reply lands in sync. */
#ifndef MERPATI_SMTP_DATA_H
#define MERPATI_SMTP_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMTP_DATA_LINE_DEFAULT 1000 /* 998 text + CRLF */

enum smtp_data_state {
	SMTP_DATA_BOL,     /* at the start of a line */
	SMTP_DATA_TEXT,    /* inside a line */
	SMTP_DATA_CR,      /* after CR */
	SMTP_DATA_DOT,     /* after "." at the start of a line */
	SMTP_DATA_DOT_CR,  /* after "." CR at the start of a line */
	SMTP_DATA_DONE,    /* CRLF.CRLF seen */
};

struct smtp_data {
	enum smtp_data_state state;
	bool bdat;          /* BDAT content: no dot-stuffing, the chunk length frames it */
	bool binary;        /* BODY=BINARYMIME: no line checks */
	size_t size_max;
	size_t line_max;    /* CRLF included */
	uint64_t size;      /* decoded bytes so far, including those past size_max */
	size_t line_len;    /* bytes in the current line, CRLF excluded */
	bool too_big;
	bool bare_newline;
	bool line_too_long;
};

/* smtp_data_init - start a body; bdat selects chunk mode, binary turns line checks off */
void smtp_data_init(struct smtp_data *d, size_t size_max, size_t line_max, bool bdat,
		    bool binary);

/* smtp_data_feed - decode in[0..len) into out (room for len bytes); returns bytes consumed,
 * which is less than len only when DATA ended inside the input; *out_len_r gets the bytes
 * written. In BDAT mode the caller passes no more than the chunk's remaining length. */
size_t smtp_data_feed(struct smtp_data *d, const uint8_t *in, size_t len, uint8_t *out,
		      size_t *out_len_r);

/* smtp_data_done - whether DATA's end was seen */
bool smtp_data_done(const struct smtp_data *d);

/* smtp_data_error - the reply for a refused body, NULL when the body is acceptable. In BDAT
 * mode a body must also end at a line end, checked by smtp_data_error_final. */
const char *smtp_data_error(const struct smtp_data *d);
const char *smtp_data_error_final(const struct smtp_data *d);

#endif
