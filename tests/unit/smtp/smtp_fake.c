/* smtp_fake.c - a pretend world for session tests and golden transcripts */
#include "smtp_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake {
	struct smtp_session *s;
	GString *t;
	unsigned stored;
	int closed;
};

void smtp_fake_config(struct smtp_session_config *cfg, const char *overrides)
{
	gchar **words = g_strsplit(overrides != NULL ? overrides : "", " ", -1);

	memset(cfg, 0, sizeof(*cfg));
	cfg->listener = SMTP_LISTENER_MX;
	cfg->hostname = "mx.example.org";
	cfg->line_max = 512;
	cfg->text_line_max = 1000;
	cfg->message_max = 10240;
	cfg->recipients_max = 5;
	cfg->errors_max = 10;
	cfg->auth_failures_max = 3;
	cfg->starttls_available = true;
	for (gchar **w = words; *w != NULL; w++) {
		char *eq = strchr(*w, '=');
		long v;

		if (eq == NULL)
			continue;
		*eq = '\0';
		v = strtol(eq + 1, NULL, 10);
		if (strcmp(*w, "listener") == 0)
			cfg->listener = strcmp(eq + 1, "submission") == 0 ? SMTP_LISTENER_SUBMISSION :
					strcmp(eq + 1, "submissions") == 0 ? SMTP_LISTENER_SUBMISSIONS :
					SMTP_LISTENER_MX;
		else if (strcmp(*w, "tls") == 0) cfg->tls = v != 0;
		else if (strcmp(*w, "starttls") == 0) cfg->starttls_available = v != 0;
		else if (strcmp(*w, "plaintext_auth") == 0) cfg->plaintext_auth = v != 0;
		else if (strcmp(*w, "line_max") == 0) cfg->line_max = (size_t)v;
		else if (strcmp(*w, "text_line_max") == 0) cfg->text_line_max = (size_t)v;
		else if (strcmp(*w, "message_max") == 0) cfg->message_max = (size_t)v;
		else if (strcmp(*w, "recipients_max") == 0) cfg->recipients_max = (unsigned)v;
		else if (strcmp(*w, "errors_max") == 0) cfg->errors_max = (unsigned)v;
		else if (strcmp(*w, "auth_failures_max") == 0) cfg->auth_failures_max = (unsigned)v;
		else if (strcmp(*w, "expn") == 0)
			cfg->expn = strcmp(eq + 1, "auth") == 0 ? SMTP_EXPN_AUTH : SMTP_EXPN_OFF;
	}
	g_strfreev(words);
}

/* drain - move the session's replies into the transcript, CRLF as LF */
static void drain(struct fake *f)
{
	struct evbuffer *out = smtp_session_output(f->s);
	size_t n = evbuffer_get_length(out);
	char *buf = g_malloc(n + 1);

	evbuffer_remove(out, buf, n);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\r' && i + 1 < n && buf[i + 1] == '\n')
			continue;
		g_string_append_c(f->t, buf[i]);
	}
	g_free(buf);
}

static enum smtp_rcpt_result fake_rcpt(const struct smtp_address *a)
{
	static const char *const users[] = { "alice", "bob", "sales" };

	if (strcmp(a->domain, "tempfail.example") == 0)
		return SMTP_RCPT_TEMPFAIL;
	if (strcmp(a->domain, "catchall.example") == 0)
		return SMTP_RCPT_OK;
	if (strcmp(a->domain, "example.org") != 0 && strcmp(a->domain, "example.net") != 0)
		return SMTP_RCPT_FOREIGN;
	for (size_t i = 0; i < G_N_ELEMENTS(users); i++)
		if (g_ascii_strcasecmp(a->local, users[i]) == 0 &&
		    strcmp(a->domain, "example.org") == 0)
			return SMTP_RCPT_OK;
	return SMTP_RCPT_NO_SUCH_USER;
}

static enum smtp_auth_result fake_auth(const char *user, const char *pass)
{
	if (strcmp(user, "locked@example.org") == 0)
		return SMTP_AUTH_LOCKED;
	if (strcmp(user, "tempfail@example.org") == 0)
		return SMTP_AUTH_TEMPFAIL;
	if (strcmp(user, "alice@example.org") == 0 && strcmp(pass, "secret") == 0)
		return SMTP_AUTH_OK;
	return SMTP_AUTH_FAILED;
}

static enum smtp_check_result fake_sender(const struct smtp_mail_args *m)
{
	char box[SMTP_ADDRESS_PATH_MAX + 1];

	smtp_address_mailbox(&m->from, box, sizeof(box));
	if (strcmp(box, "tempfail@example.org") == 0)
		return SMTP_CHECK_TEMPFAIL;
	return strcmp(box, "alice@example.org") == 0 || strcmp(box, "sales@example.org") == 0 ?
	       SMTP_CHECK_OK : SMTP_CHECK_REFUSED;
}

/* fake_expn - sales@example.org lists alice and bob, big@example.org has 150 members,
 * alice and bob are accounts, tempfail.example fails */
static void fake_expn(struct fake *f)
{
	static const char *const sales[] = { "alice@example.org", "bob@example.org" };
	const struct smtp_address *a = smtp_session_expn_address(f->s);
	char box[SMTP_ADDRESS_PATH_MAX + 1];
	const char *one[1] = { box }, *big[SMTP_EXPN_MEMBERS_MAX];

	smtp_address_mailbox(a, box, sizeof(box));
	for (size_t i = 0; i < G_N_ELEMENTS(big); i++)
		big[i] = "member@example.net";
	if (strcmp(a->domain, "tempfail.example") == 0)
		smtp_session_expn_done(f->s, SMTP_EXPN_TEMPFAIL, NULL, 0, false);
	else if (g_ascii_strcasecmp(box, "sales@example.org") == 0)
		smtp_session_expn_done(f->s, SMTP_EXPN_LIST, sales, 2, false);
	else if (strcmp(box, "big@example.org") == 0)
		smtp_session_expn_done(f->s, SMTP_EXPN_LIST, big, G_N_ELEMENTS(big), true);
	else if (fake_rcpt(a) == SMTP_RCPT_OK && strcmp(a->domain, "example.org") == 0)
		smtp_session_expn_done(f->s, SMTP_EXPN_ACCOUNT, one, 1, false);
	else
		smtp_session_expn_done(f->s, SMTP_EXPN_UNKNOWN, NULL, 0, false);
}

/* fake_store - write the envelope and the body into the transcript */
static void fake_store(struct fake *f)
{
	struct smtp_envelope env;
	char addr[SMTP_ADDRESS_PATH_MAX + 3], id[16];
	size_t n;
	char *body;

	smtp_session_envelope(f->s, &env);
	smtp_address_format(&env.mail->from, addr, sizeof(addr));
	drain(f);
	g_string_append_printf(f->t, "## store from=%s to=", addr);
	for (size_t i = 0; i < env.rcpt_count; i++) {
		smtp_address_format(&env.rcpts[i].to, addr, sizeof(addr));
		g_string_append_printf(f->t, "%s%s", i > 0 ? "," : "", addr);
	}
	n = evbuffer_get_length(env.body);
	body = (char *)evbuffer_pullup(env.body, -1);
	g_string_append_printf(f->t, " size=%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || body[i - 1] == '\n')
			g_string_append(f->t, "## | ");
		if (body[i] == '\r')
			g_string_append(f->t, "\\r");
		else if (body[i] == '\n')
			g_string_append(f->t, "\\n\n");
		else
			g_string_append_c(f->t, body[i]);
	}
	if (n > 0 && body[n - 1] != '\n')
		g_string_append_c(f->t, '\n');
	if (strcmp(env.mail->from.local, "dbfail") == 0) {
		smtp_session_store_done(f->s, NULL);
		return;
	}
	snprintf(id, sizeof(id), "Q%u", ++f->stored);
	smtp_session_store_done(f->s, id);
}

/* act - carry out one action; returns 1 to keep reading, 0 to stop, -1 to drop the
 * rest of the current chunk (after STARTTLS) */
static int act(struct fake *f, enum smtp_action a)
{
	switch (a) {
	case SMTP_ACTION_READ:
		return 1;
	case SMTP_ACTION_RCPT:
		smtp_session_rcpt_done(f->s, fake_rcpt(&smtp_session_rcpt(f->s)->to));
		return 1;
	case SMTP_ACTION_SENDER:
		smtp_session_sender_done(f->s, fake_sender(smtp_session_mail(f->s)));
		return 1;
	case SMTP_ACTION_AUTH:
		smtp_session_auth_done(f->s, fake_auth(smtp_session_auth_user(f->s),
						       smtp_session_auth_password(f->s)));
		return 1;
	case SMTP_ACTION_STORE:
		fake_store(f);
		return 1;
	case SMTP_ACTION_EXPN:
		fake_expn(f);
		return 1;
	case SMTP_ACTION_STARTTLS:
		drain(f);
		g_string_append(f->t, "## starttls\n");
		smtp_session_tls_started(f->s);
		return -1;
	case SMTP_ACTION_CLOSE:
		drain(f);
		g_string_append(f->t, "## close\n");
		f->closed = 1;
		return 0;
	}
	return 0;
}

/* feed - one chunk of input, with every action it causes */
static void feed(struct fake *f, const uint8_t *in, size_t len, GByteArray *pending)
{
	g_byte_array_append(pending, in, (guint)len);
	while (!f->closed) {
		size_t used = 0;
		enum smtp_action a = smtp_session_input(f->s, pending->data, pending->len, &used);
		int r;

		g_byte_array_remove_range(pending, 0, (guint)used);
		r = act(f, a);
		if (r < 0)
			g_byte_array_set_size(pending, 0);
		if (r <= 0 || a == SMTP_ACTION_READ)
			break;
	}
	drain(f);
}

GString *smtp_fake_run(const struct smtp_session_config *cfg, const uint8_t *in, size_t len,
		       size_t chunk)
{
	struct fake f = { .s = smtp_session_new(cfg), .t = g_string_new("") };
	GByteArray *pending = g_byte_array_new();

	if (chunk == 0)
		chunk = len > 0 ? len : 1;
	drain(&f);
	for (size_t off = 0; off < len && !f.closed; off += chunk)
		feed(&f, in + off, len - off < chunk ? len - off : chunk, pending);
	g_byte_array_free(pending, TRUE);
	smtp_session_free(&f.s);
	return f.t;
}
