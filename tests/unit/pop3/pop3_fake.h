/* pop3_fake - drives a pop3_session the way the service does, with an in-memory maildrop
 * and credentials instead of PostgreSQL; for unit tests, golden transcripts and fuzzing.
 *
 * Users: alice/secret logs in; with password secret, busy gets IN-USE, temp SYS/TEMP,
 * perm SYS/PERM and soon LOGIN-DELAY; any other pair fails. The maildrop: POP3_FAKE_MESSAGES messages; the third one "vanishes"
 * (RETR answers as if another session expunged it). */
#ifndef MERPATI_POP3_FAKE_H
#define MERPATI_POP3_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/pop3/pop3_session.h"

#define POP3_FAKE_MESSAGES 4
#define POP3_FAKE_UIDVALIDITY 1234567u

struct pop3_fake {
	struct pop3_session *s;
	char *out;
	size_t out_len, out_cap;
	uint32_t expunged[POP3_FAKE_MESSAGES]; /* uids removed in the UPDATE state */
	size_t nexpunged;
	bool closed;
	size_t chunk; /* bytes per simulated store read */
};

/* pop3_fake_config - the configuration golden transcripts start from */
void pop3_fake_config(struct pop3_session_config *cfg);
/* pop3_fake_options - apply a "#!" option line ("insecure tls nostls expire=30 ...") */
int pop3_fake_options(struct pop3_session_config *cfg, bool *tls, bool *secure, const char *line);
void pop3_fake_init(struct pop3_fake *f, const struct pop3_session_config *cfg, bool tls,
		    bool secure);
/* pop3_fake_run - greet, then feed input `step` octets at a time (0: all at once),
 * carrying out every action, until the input ends or the session closes */
void pop3_fake_run(struct pop3_fake *f, const uint8_t *in, size_t len, size_t step);
void pop3_fake_free(struct pop3_fake *f);

/* pop3_fake_message - the stored bytes of the fake message with this uid, or NULL */
const char *pop3_fake_message(uint32_t uid);

#endif
