/* Fuzz the SMTP reply parser: the input is what a remote server sends. Checks: no crash,
 * never more consumed than given, a parsed reply formats back to wire lines that parse to
 * the same reply (round trip), and the parse of every prefix of a whole reply asks for more
 * or fails, never succeeds with a different length. The client state machine is fed the
 * same bytes too. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "services/smtp-out/smtp_client.h"
#include "services/smtp-out/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* round_trip - format r, parse again, compare */
static void round_trip(const struct smtp_reply *r)
{
	static char wire[SMTP_REPLY_TEXT_MAX + SMTP_REPLY_LINES_MAX * 8];
	static struct smtp_reply again;
	const char *error = NULL;
	ssize_t w = smtp_reply_format(r, wire, sizeof(wire)), n;

	assert(w > 0);
	n = smtp_reply_parse((const uint8_t *)wire, (size_t)w, &again, &error);
	assert(n == w);
	assert(again.code == r->code && again.nlines == r->nlines);
	assert(strcmp(again.enh, r->enh) == 0 && strcmp(again.text, r->text) == 0);
}

/* drive_client - the session over the same bytes; it must never read past them */
static void drive_client(const uint8_t *data, size_t size)
{
	struct evbuffer *out = evbuffer_new();
	struct smtp_client *c = smtp_client_new("fuzz.example", true, out);
	struct smtp_client_rcpt rcpts[2] = { { .address = "a@example.com", .orcpt = "" },
					     { .address = "b@example.com", .orcpt = "rfc822;b@x" } };
	struct smtp_client_msg msg = { .sender = "s@example.org", .envid = "e", .ret = 2,
				       .size = 100, .nrcpts = 2, .rcpts = rcpts };
	const char *error = NULL;
	size_t pos = 0, used;
	int ev;

	while (pos < size) {
		ev = smtp_client_feed(c, data + pos, size - pos, &used, &error);
		assert(used <= size - pos);
		if (ev < 0 || (ev == SMTP_CLIENT_NEED_MORE && used == 0) ||
		    ev == SMTP_CLIENT_FAILED || ev == SMTP_CLIENT_CLOSED)
			break;
		pos += used;
		if (ev == SMTP_CLIENT_STARTTLS)
			smtp_client_tls_done(c);
		else if (ev == SMTP_CLIENT_READY)
			(void)smtp_client_send(c, &msg);
		else if (ev == SMTP_CLIENT_BODY)
			smtp_client_body_sent(c);
	}
	smtp_client_free(&c);
	evbuffer_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp_reply r, p;
	const char *error = NULL;
	ssize_t n = smtp_reply_parse(data, size, &r, &error), m;

	assert(n <= (ssize_t)size);
	if (n > 0) {
		round_trip(&r);
		m = smtp_reply_parse(data, (size_t)n - 1, &p, &error);
		assert(m <= 0);
	}
	drive_client(data, size);
	return 0;
}
