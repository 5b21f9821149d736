/* smtp_dot.c - dot-stuffing for DATA (see smtp_dot.h) */
#include "services/smtp-out/smtp_dot.h"

void smtp_dot_init(struct smtp_dot *d)
{
	d->line_start = true;
	d->after_cr = false;
}

/* flush - the run in[start..i) unchanged */
static void flush(const uint8_t *in, size_t start, size_t i, struct evbuffer *out)
{
	if (i > start)
		evbuffer_add(out, in + start, i - start);
}

void smtp_dot_chunk(struct smtp_dot *d, const uint8_t *in, size_t len, struct evbuffer *out)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (d->line_start && in[i] == '.') {
			flush(in, start, i, out);
			evbuffer_add(out, ".", 1);  /* the run restarting at i adds the original */
			start = i;
		}
		if (in[i] == '\n' && !d->after_cr) {
			flush(in, start, i, out);
			evbuffer_add(out, "\r", 1);
			start = i;
		}
		d->line_start = in[i] == '\n';
		d->after_cr = in[i] == '\r';
	}
	flush(in, start, len, out);
}

void smtp_dot_end(struct smtp_dot *d, struct evbuffer *out)
{
	if (d->after_cr)
		evbuffer_add(out, "\n", 1);
	else if (!d->line_start)
		evbuffer_add(out, "\r\n", 2);
	evbuffer_add(out, ".\r\n", 3);
	smtp_dot_init(d);
}
