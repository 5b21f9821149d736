/* smtp_received.c - the trace header of RFC 5321 4.4 */
#include "smtp_received.h"

#include <stdio.h>
#include <string.h>

/* smtp_received_protocol - the "with" keyword of RFC 3848 / RFC 6531 3.7.3 */
const char *smtp_received_protocol(const struct smtp_received *r)
{
	static const char *const utf8[] = { "UTF8SMTP", "UTF8SMTPS", "UTF8SMTPA", "UTF8SMTPSA" };
	static const char *const esmtp[] = { "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA" };
	int i = (r->tls ? 1 : 0) + (r->authenticated ? 2 : 0);

	if (!r->esmtp)
		return "SMTP";
	return r->smtputf8 ? utf8[i] : esmtp[i];
}

/* smtp_received_format - the folded header, CRLF-terminated */
int smtp_received_format(const struct smtp_received *r, char *buf, size_t size)
{
	char date[64], tls[160] = "", auth[320] = "", rcpt[300] = "";
	struct tm tm;
	int n;

	if (gmtime_r(&r->when, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		return -1;
	if (r->tls && r->tls_info != NULL)
		snprintf(tls, sizeof(tls), "\r\n\t(using %s)", r->tls_info);
	if (r->authenticated && r->auth_user != NULL)
		snprintf(auth, sizeof(auth), "\r\n\t(authenticated as %s)", r->auth_user);
	if (r->for_rcpt != NULL)
		snprintf(rcpt, sizeof(rcpt), "\r\n\tfor %s", r->for_rcpt);
	n = snprintf(buf, size,
		     "Received: from %s ([%s])%s%s\r\n\tby %s (Merpati) with %s id %s%s;\r\n\t%s\r\n",
		     r->helo[0] != '\0' ? r->helo : "unknown", r->client_ip, tls, auth,
		     r->hostname, smtp_received_protocol(r), r->id, rcpt, date);
	return n < 0 || (size_t)n >= size ? -1 : n;
}
