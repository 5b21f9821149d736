/* Fuzz the SMTP command path: the input is a client's byte stream, fed to a session in
 * pieces whose sizes come from the first bytes; every action gets an answer derived from the
 * input. Checks: no crash, consumption never exceeds input, every reply line is CRLF-ended,
 * starts with a 3-digit code and fits 512 octets, and the stored body stays within bounds. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "smtp_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_output - every reply line well formed; drains the buffer */
static void check_output(struct smtp_session *s)
{
	struct evbuffer *out = smtp_session_output(s);
	size_t len = evbuffer_get_length(out);
	char *p = (char *)evbuffer_pullup(out, -1);
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		assert(i > start && p[i - 1] == '\r');
		assert(i + 1 - start <= 512 && i - start >= 4);
		assert(p[start] >= '2' && p[start] <= '5');
		assert(p[start + 3] == ' ' || p[start + 3] == '-');
		start = i + 1;
	}
	assert(start == len);
	evbuffer_drain(out, len);
}

/* answer - resolve one action from a byte of the input */
static int answer(struct smtp_session *s, enum smtp_action a, uint8_t pick,
		  const struct smtp_session_config *cfg)
{
	struct smtp_envelope env;

	switch (a) {
	case SMTP_ACTION_READ:
		return 0;
	case SMTP_ACTION_RCPT:
		smtp_session_rcpt_done(s, (enum smtp_rcpt_result)(pick % 4));
		return 1;
	case SMTP_ACTION_SENDER:
		smtp_session_sender_done(s, (enum smtp_check_result)(pick % 3));
		return 1;
	case SMTP_ACTION_AUTH:
		assert(smtp_session_auth_user(s) != NULL);
		smtp_session_auth_done(s, (enum smtp_auth_result)(pick % 4));
		return 1;
	case SMTP_ACTION_STORE:
		smtp_session_envelope(s, &env);
		assert(env.rcpt_count > 0 && env.rcpt_count <= cfg->recipients_max);
		assert(evbuffer_get_length(env.body) <= cfg->message_max);
		smtp_session_store_done(s, pick & 1 ? "Q1" : NULL);
		return 1;
	case SMTP_ACTION_STARTTLS:
		smtp_session_tls_started(s);
		return 2;
	case SMTP_ACTION_EXPN: {
		const char *members[2] = { "a@example.org", "b@example.net" };

		assert(smtp_session_authenticated(s) && cfg->expn == SMTP_EXPN_AUTH);
		assert(smtp_session_expn_address(s)->domain[0] != '\0');
		smtp_session_expn_done(s, (enum smtp_expn_result)(pick % 4), members,
				       pick % 3, pick & 4);
		return 1;
	}
	case SMTP_ACTION_CLOSE:
		return -1;
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_session_config cfg = {
		.hostname = "mx.example.org", .line_max = 512, .text_line_max = 1000,
		.message_max = 4096, .recipients_max = 3, .errors_max = 20, .auth_failures_max = 3,
		.starttls_available = true,
	};
	struct smtp_session *s;
	size_t off = 2, step;

	if (size < 2)
		return 0;
	cfg.listener = (enum smtp_listener)(data[0] % 3);
	cfg.expn = data[0] & 0x80 ? SMTP_EXPN_AUTH : SMTP_EXPN_OFF;
	cfg.tls = data[0] & 4;
	cfg.plaintext_auth = data[0] & 8;
	step = 1 + data[1] % 64;
	s = smtp_session_new(&cfg);
	check_output(s);
	while (off < size) {
		size_t len = size - off < step ? size - off : step, used = 0;
		enum smtp_action a = smtp_session_input(s, data + off, len, &used);
		int r;

		assert(used <= len);
		off += used;
		check_output(s);
		r = answer(s, a, data[off % size], &cfg);
		check_output(s);
		if (r < 0)
			break;
		if (r == 0 && used == 0) {
			if (len == size - off)
				break; /* a partial line at the end: nothing more will come */
			step = size; /* the session wants more than this piece: give it all */
		}
	}
	smtp_session_free(&s);
	return 0;
}
