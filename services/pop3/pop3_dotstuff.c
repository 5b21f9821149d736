/* pop3_dotstuff.c - byte-stuffing and CRLF normalisation for multi-line responses (RFC 1939 3) */
#include "services/pop3/pop3_dotstuff.h"

void pop3_dotstuff_init(struct pop3_dotstuff *d, long body_lines)
{
	d->body_lines = body_lines;
	d->line_start = true;
	d->pending_cr = false;
	d->in_body = false;
	d->done = false;
}

/* dotstuff_end_line - write CRLF and count the line against the TOP limit */
static void dotstuff_end_line(struct pop3_dotstuff *d, const struct pop3_output *out)
{
	bool empty = d->line_start;

	out->write(out->ctx, "\r\n", 2);
	d->line_start = true;
	if (d->body_lines < 0)
		return;
	if (!d->in_body) {
		/* RFC 1939 7: TOP sends the header, the blank line, then n body lines */
		if (empty) {
			d->in_body = true;
			d->done = d->body_lines == 0;
		}
		return;
	}
	if (--d->body_lines == 0)
		d->done = true;
}

/* dotstuff_text - write a run of ordinary octets, doubling a "." that starts a line */
static void dotstuff_text(struct pop3_dotstuff *d, const uint8_t *s, size_t len,
			  const struct pop3_output *out)
{
	if (len == 0)
		return;
	if (d->line_start && s[0] == '.')
		out->write(out->ctx, ".", 1);
	out->write(out->ctx, s, len);
	d->line_start = false;
}

bool pop3_dotstuff_feed(struct pop3_dotstuff *d, const uint8_t *in, size_t len,
			const struct pop3_output *out)
{
	size_t run = 0;

	for (size_t i = 0; i < len && !d->done; i++) {
		uint8_t c = in[i];

		if (d->pending_cr) {
			/* CRLF, or a bare CR: either way the line ended at the CR */
			d->pending_cr = false;
			dotstuff_end_line(d, out);
			run = i + (c == '\n');
			if (c == '\n' || d->done)
				continue;
		}
		if (c != '\r' && c != '\n')
			continue;
		dotstuff_text(d, in + run, i - run, out);
		run = i + 1;
		if (c == '\r')
			d->pending_cr = true;
		else
			dotstuff_end_line(d, out);
	}
	if (!d->done && run < len)
		dotstuff_text(d, in + run, len - run, out);
	return d->done;
}

void pop3_dotstuff_finish(struct pop3_dotstuff *d, const struct pop3_output *out)
{
	if (!d->done && (d->pending_cr || !d->line_start)) {
		d->pending_cr = false;
		out->write(out->ctx, "\r\n", 2);
	}
	out->write(out->ctx, ".\r\n", 3);
}
