/* smtp_received - the Received header smtp-in prepends (RFC 5321 4.4, RFC 5322 3.6.7).
 *
 *   Received: from client.example ([192.0.2.1])
 *   	(using TLSv1.3 TLS_AES_256_GCM_SHA384)
 *   	(authenticated as alice@example.org)
 *   	by mx.example.org (Merpati) with ESMTPSA id 5f1c0a3e9b2d4c61
 *   	for <bob@example.org>; Sun, 22 Nov 2026 04:30:00 +0000
 *
 * "with" names the protocol as RFC 3848 and RFC 6531 3.7.3 register it (SMTP, ESMTP,
 * ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP...). "for" appears only with one recipient, so a
 * message never discloses its other recipients. Pure: the time is a parameter. */
#ifndef MERPATI_SMTP_RECEIVED_H
#define MERPATI_SMTP_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct smtp_received {
	const char *helo;       /* "" when the client never greeted */
	const char *client_ip;
	const char *hostname;
	bool esmtp, tls, authenticated, smtputf8;
	const char *tls_info;   /* "TLSv1.3 TLS_AES_..." or NULL */
	const char *auth_user;  /* or NULL */
	const char *id;
	const char *for_rcpt;   /* "<a@b>" when exactly one recipient, else NULL */
	time_t when;
};

/* smtp_received_protocol - the "with" keyword */
const char *smtp_received_protocol(const struct smtp_received *r);

/* smtp_received_format - the whole header, folded, CRLF-terminated, into buf; returns its
 * length or -1 when it does not fit */
int smtp_received_format(const struct smtp_received *r, char *buf, size_t size);

#endif
