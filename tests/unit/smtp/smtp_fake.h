/* smtp_fake - drive a session against a small pretend world, writing a transcript.
 *
 * The world: example.org and example.net are ours; alice, bob and sales exist in
 * example.org; catchall.example takes any local part; tempfail.example makes lookups fail;
 * everything else is foreign. alice@example.org has password "secret" and may send as
 * herself and as sales@example.org. User "locked@example.org" is locked out, user
 * "tempfail@example.org" hits a database failure. Stores succeed with ids Q1, Q2, ...
 * unless the sender is <dbfail@example.org>.
 *
 * The transcript holds the server's replies with CRLF turned into LF, and "## " lines for
 * what the caller was asked to do (store, starttls, close). */
#ifndef SMTP_FAKE_H
#define SMTP_FAKE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp_session.h"

/* smtp_fake_config - the defaults the golden files assume; "key=value" words override */
void smtp_fake_config(struct smtp_session_config *cfg, const char *overrides);

/* smtp_fake_run - feed in[0..len) `chunk` bytes at a time (0: all at once) into a new
 * session made from cfg; returns the transcript (g_string_free it) */
GString *smtp_fake_run(const struct smtp_session_config *cfg, const uint8_t *in, size_t len,
		       size_t chunk);

#endif
