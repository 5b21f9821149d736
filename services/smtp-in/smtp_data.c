/* smtp_data.c - DATA dot-unstuffing and end detection, BDAT content checks */
#include "smtp_data.h"

#include <string.h>

/* smtp_data_init - reset the decoder for a new body */
void smtp_data_init(struct smtp_data *d, size_t size_max, size_t line_max, bool bdat,
		    bool binary)
{
	memset(d, 0, sizeof(*d));
	/* DATA starts right after the CRLF that ended the DATA command (RFC 5321 4.1.1.4). */
	d->state = SMTP_DATA_BOL;
	d->bdat = bdat;
	d->binary = binary;
	d->size_max = size_max;
	d->line_max = line_max;
}

/* emit - one decoded byte: counted always, written only while under the size bound */
static void emit(struct smtp_data *d, uint8_t ch, uint8_t *out, size_t *n)
{
	d->size++;
	if (d->size > d->size_max) {
		d->too_big = true;
		return;
	}
	out[(*n)++] = ch;
}

/* line_byte - account one byte of line text for the line-length bound (CRLF excluded) */
static void line_byte(struct smtp_data *d)
{
	if (++d->line_len + 2 > d->line_max && !d->binary)
		d->line_too_long = true;
}

/* bare - a CR or LF not part of CRLF */
static void bare(struct smtp_data *d)
{
	if (!d->binary)
		d->bare_newline = true;
}

/* after_cr - the byte after a CR: LF completes a line, anything else makes the CR bare */
static void after_cr(struct smtp_data *d, uint8_t ch, uint8_t *out, size_t *n)
{
	if (ch == '\n') {
		emit(d, '\n', out, n);
		d->line_len = 0;
		d->state = SMTP_DATA_BOL;
		return;
	}
	bare(d);
	line_byte(d);
	if (ch == '\r') {
		emit(d, '\r', out, n);
		d->state = SMTP_DATA_CR; /* this CR may start a CRLF */
		return;
	}
	emit(d, ch, out, n);
	line_byte(d);
	d->state = SMTP_DATA_TEXT;
}

/* text_byte - a byte inside a line (or at its start, when no dot rule applies) */
static void text_byte(struct smtp_data *d, uint8_t ch, uint8_t *out, size_t *n)
{
	emit(d, ch, out, n);
	if (ch == '\r') {
		d->state = SMTP_DATA_CR;
		return;
	}
	if (ch == '\n') {
		/* A bare LF never starts a line: "LF . CRLF" must not end the message. */
		bare(d);
		line_byte(d);
		d->state = SMTP_DATA_TEXT;
		return;
	}
	line_byte(d);
	d->state = SMTP_DATA_TEXT;
}

/* data_byte - one input byte of DATA: the transparency rule of RFC 5321 4.5.2 */
static void data_byte(struct smtp_data *d, uint8_t ch, uint8_t *out, size_t *n)
{
	switch (d->state) {
	case SMTP_DATA_BOL:
		if (ch == '.') {
			d->state = SMTP_DATA_DOT; /* the leading dot is never data */
			return;
		}
		text_byte(d, ch, out, n);
		return;
	case SMTP_DATA_DOT:
		if (ch == '\r') {
			d->state = SMTP_DATA_DOT_CR;
			return;
		}
		line_byte(d); /* the removed dot was on the wire */
		text_byte(d, ch, out, n);
		return;
	case SMTP_DATA_DOT_CR:
		if (ch == '\n') {
			d->state = SMTP_DATA_DONE;
			return;
		}
		/* "." CR x: the dot was stuffing, the CR is bare */
		line_byte(d);
		emit(d, '\r', out, n);
		after_cr(d, ch, out, n);
		return;
	case SMTP_DATA_CR:
		after_cr(d, ch, out, n);
		return;
	case SMTP_DATA_TEXT:
		text_byte(d, ch, out, n);
		return;
	case SMTP_DATA_DONE:
		return;
	}
}

/* bdat_byte - one byte of BDAT content: no dot rule, only the line checks */
static void bdat_byte(struct smtp_data *d, uint8_t ch, uint8_t *out, size_t *n)
{
	if (d->state == SMTP_DATA_CR)
		after_cr(d, ch, out, n);
	else
		text_byte(d, ch, out, n);
}

/* plain_run - how many bytes at the start of in[0..len) are neither CR nor LF */
static size_t plain_run(const uint8_t *in, size_t len)
{
	const uint8_t *cr = memchr(in, '\r', len);
	size_t n = cr != NULL ? (size_t)(cr - in) : len;
	const uint8_t *lf = memchr(in, '\n', n);

	return lf != NULL ? (size_t)(lf - in) : n;
}

/* run_allowed - whether the next bytes, if plain, are line text as text_byte sees them: inside
 * a line, or at its start unless a dot there needs the transparency rule */
static bool run_allowed(const struct smtp_data *d, uint8_t first)
{
	if (d->state == SMTP_DATA_TEXT)
		return true;
	return d->state == SMTP_DATA_BOL && (d->bdat || first != '.');
}

/* text_run - n plain bytes of line text at once: what text_byte does to each of them
 * (count, copy while under size_max, line length), with one memcpy */
static void text_run(struct smtp_data *d, const uint8_t *in, size_t n, uint8_t *out,
		     size_t *out_n)
{
	uint64_t room = d->size < d->size_max ? d->size_max - d->size : 0;
	size_t copy = n < room ? n : (size_t)room;

	memcpy(out + *out_n, in, copy);
	*out_n += copy;
	d->size += n;
	if (copy < n)
		d->too_big = true;
	d->line_len += n;
	if (!d->binary && d->line_len + 2 > d->line_max)
		d->line_too_long = true;
	d->state = SMTP_DATA_TEXT;
}

/* smtp_data_feed - decode what fits, stopping right after DATA's end. Runs of plain line
 * text are found with memchr and copied whole; CR, LF and a dot at a line's start go
 * through the byte rules above. */
size_t smtp_data_feed(struct smtp_data *d, const uint8_t *in, size_t len, uint8_t *out,
		      size_t *out_len_r)
{
	size_t i = 0, n = 0, run;

	while (i < len && d->state != SMTP_DATA_DONE) {
		if (run_allowed(d, in[i]) && (run = plain_run(in + i, len - i)) > 0) {
			text_run(d, in + i, run, out, &n);
			i += run;
			continue;
		}
		if (d->bdat)
			bdat_byte(d, in[i], out, &n);
		else
			data_byte(d, in[i], out, &n);
		i++;
	}
	*out_len_r = n;
	return i;
}

/* smtp_data_done - CRLF.CRLF was seen */
bool smtp_data_done(const struct smtp_data *d)
{
	return d->state == SMTP_DATA_DONE;
}

/* smtp_data_error - why the body is refused, or NULL */
const char *smtp_data_error(const struct smtp_data *d)
{
	/* RFC 1870 6.2 / RFC 3463 3.4: 552 5.3.4 message too big for system */
	if (d->too_big)
		return "552 5.3.4 Message size exceeds fixed maximum message size";
	if (d->bare_newline)
		return "554 5.6.0 Message contains bare CR or LF (RFC 5321 2.3.8)";
	if (d->line_too_long)
		return "554 5.6.0 Message line too long (RFC 5322 2.1.1)";
	return NULL;
}

/* smtp_data_error_final - smtp_data_error, plus "ends with CRLF" for the last BDAT chunk */
const char *smtp_data_error_final(const struct smtp_data *d)
{
	const char *err = smtp_data_error(d);

	if (err != NULL)
		return err;
	/* A BDAT body that stops mid-line or after a lone CR is not an RFC 5322 message. */
	if (d->bdat && !d->binary && d->size > 0 && d->state != SMTP_DATA_BOL)
		return "554 5.6.0 Message does not end with CRLF";
	return NULL;
}
