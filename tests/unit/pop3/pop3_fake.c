/* pop3_fake.c - an in-memory stand-in for the service around a pop3_session */
#include "pop3_fake.h"

#include <stdlib.h>
#include <string.h>

/* Stored bytes as they may come from the store: CRLF, bare LF, a leading dot, no final
 * line ending. */
static const struct { uint32_t uid; const char *raw; } fake_messages[POP3_FAKE_MESSAGES] = {
	{ 1, "Subject: one\r\nFrom: a@example.test\r\n\r\nHello\r\n.dot line\r\n" },
	{ 2, "Subject: two\nFrom: b@example.test\n\nline1\nline2\n..two dots\n.\nline5" },
	{ 5, "Subject: vanished\r\n\r\ngone\r\n" },
	{ 7, "Subject: four\r\n\r\n" },
};

const char *pop3_fake_message(uint32_t uid)
{
	for (size_t i = 0; i < POP3_FAKE_MESSAGES; i++)
		if (fake_messages[i].uid == uid)
			return fake_messages[i].raw;
	return NULL;
}

/* fake_write - the output sink: append to a growing buffer */
static void fake_write(void *ctx, const void *data, size_t len)
{
	struct pop3_fake *f = ctx;

	if (f->out_len + len + 1 > f->out_cap) {
		f->out_cap = (f->out_len + len + 1) * 2;
		f->out = realloc(f->out, f->out_cap);
		if (f->out == NULL)
			abort();
	}
	memcpy(f->out + f->out_len, data, len);
	f->out_len += len;
	f->out[f->out_len] = '\0';
}

void pop3_fake_config(struct pop3_session_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hostname = "mail.example.test";
	cfg->max_line = 255;
	cfg->max_sasl_line = 1024;
	cfg->max_bad_commands = 10;
	cfg->max_auth_failures = 3;
	cfg->expire_days = -1;
	cfg->login_delay = -1;
	cfg->stls_offered = true;
}

int pop3_fake_options(struct pop3_session_config *cfg, bool *tls, bool *secure, const char *line)
{
	char buf[256], *save = NULL, *tok;

	if (strlen(line) >= sizeof(buf))
		return -1;
	strcpy(buf, line);
	for (tok = strtok_r(buf, " \r\n", &save); tok != NULL; tok = strtok_r(NULL, " \r\n", &save)) {
		if (strcmp(tok, "insecure") == 0) *secure = false;
		else if (strcmp(tok, "tls") == 0) *tls = true;
		else if (strcmp(tok, "nostls") == 0) cfg->stls_offered = false;
		else if (strncmp(tok, "expire=", 7) == 0)
			cfg->expire_days = strcmp(tok + 7, "never") == 0 ? POP3_SESSION_EXPIRE_NEVER :
					   atol(tok + 7);
		else if (strncmp(tok, "login-delay=", 12) == 0) cfg->login_delay = atol(tok + 12);
		else if (strncmp(tok, "max-bad=", 8) == 0) cfg->max_bad_commands = (unsigned)atoi(tok + 8);
		else if (strncmp(tok, "max-line=", 9) == 0) cfg->max_line = (size_t)atoi(tok + 9);
		else return -1;
	}
	return 0;
}

void pop3_fake_init(struct pop3_fake *f, const struct pop3_session_config *cfg, bool tls,
		    bool secure)
{
	struct pop3_output out = { fake_write, f };

	memset(f, 0, sizeof(*f));
	f->chunk = 7;
	f->s = pop3_session_new(cfg, &out, tls, secure);
}

/* fake_maildrop - a fresh snapshot of the fake messages */
static struct maildrop *fake_maildrop(void)
{
	struct maildrop *md = maildrop_new(POP3_FAKE_MESSAGES);

	md->account_id = 1;
	md->mailbox_id = 1;
	md->uidvalidity = POP3_FAKE_UIDVALIDITY;
	for (size_t i = 0; i < POP3_FAKE_MESSAGES; i++) {
		md->msgs[i].uid = fake_messages[i].uid;
		md->msgs[i].size = strlen(fake_messages[i].raw);
		md->total_size += md->msgs[i].size;
	}
	return md;
}

/* fake_login - the credential check and maildrop lock */
static enum pop3_action fake_login(struct pop3_fake *f)
{
	const char *user = pop3_session_login_user(f->s), *pass = pop3_session_login_pass(f->s);

	static const struct { const char *user; enum pop3_login_result r; } refusals[] = {
		{ "busy", POP3_LOGIN_IN_USE }, { "temp", POP3_LOGIN_TEMPFAIL },
		{ "perm", POP3_LOGIN_PERMFAIL }, { "soon", POP3_LOGIN_DELAY },
	};

	if (strcmp(pass, "secret") != 0)
		return pop3_session_login_done(f->s, POP3_LOGIN_FAILED, NULL);
	if (strcmp(user, "alice") == 0)
		return pop3_session_login_done(f->s, POP3_LOGIN_OK, fake_maildrop());
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (strcmp(user, refusals[i].user) == 0)
			return pop3_session_login_done(f->s, refusals[i].r, NULL);
	return pop3_session_login_done(f->s, POP3_LOGIN_FAILED, NULL);
}

/* fake_retr - stream a message in small chunks, as the store would */
static void fake_retr(struct pop3_fake *f)
{
	uint32_t uid = pop3_session_retr_uid(f->s);
	const char *raw = pop3_fake_message(uid);
	size_t len, off = 0;

	if (uid == 5 || raw == NULL) {
		pop3_session_retr_fail(f->s, false);
		return;
	}
	len = strlen(raw);
	pop3_session_retr_begin(f->s);
	while (off < len) {
		size_t n = len - off < f->chunk ? len - off : f->chunk;
		if (pop3_session_retr_chunk(f->s, (const uint8_t *)raw + off, n))
			break;
		off += n;
	}
	pop3_session_retr_end(f->s);
}

/* fake_update - the UPDATE state: remember what would be expunged */
static void fake_update(struct pop3_fake *f)
{
	struct maildrop *md = pop3_session_maildrop(f->s);

	for (size_t i = 0; i < md->count; i++)
		if (md->msgs[i].deleted)
			f->expunged[f->nexpunged++] = md->msgs[i].uid;
	pop3_session_update_done(f->s, true);
}

/* fake_act - carry out one action; returns the action that follows from it */
static enum pop3_action fake_act(struct pop3_fake *f, enum pop3_action a)
{
	switch (a) {
	case POP3_ACTION_LOGIN:
		return fake_login(f);
	case POP3_ACTION_STLS:
		return pop3_session_tls_done(f->s, true);
	case POP3_ACTION_RETR:
		fake_retr(f);
		return POP3_ACTION_READ;
	case POP3_ACTION_UPDATE:
		fake_update(f);
		return POP3_ACTION_CLOSE;
	case POP3_ACTION_READ:
	case POP3_ACTION_CLOSE:
		break;
	}
	return a;
}

void pop3_fake_run(struct pop3_fake *f, const uint8_t *in, size_t len, size_t step)
{
	size_t pos = 0, avail = step == 0 || step > len ? len : step;

	pop3_session_greet(f->s);
	while (!f->closed) {
		enum pop3_action a;
		size_t used = pop3_session_input(f->s, in + pos, avail - pos, &a);
		pos += used;
		a = fake_act(f, a);
		if (a == POP3_ACTION_CLOSE) {
			f->closed = true;
			break;
		}
		if (used == 0 && a == POP3_ACTION_READ) {
			if (avail == len)
				break;
			size_t inc = step == 0 ? len : step;
			avail = len - avail < inc ? len : avail + inc;
		}
	}
}

void pop3_fake_free(struct pop3_fake *f)
{
	pop3_session_free(&f->s);
	free(f->out);
	f->out = NULL;
}
