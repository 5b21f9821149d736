/* web_vcard - a pure parser of vCard 3.0 / 4.0 (RFC 6350, RFC 2426) for the address book
 * import: one card per call, the fields the address book keeps (FN or N, EMAIL, TEL, NOTE),
 * bounded, no I/O and no allocation. */
#ifndef MERPATI_WEBMAIL_WEB_VCARD_H
#define MERPATI_WEBMAIL_WEB_VCARD_H

#include <stddef.h>
#include <sys/types.h>

#define WEB_VCARD_BODY_MAX (1u << 20)   /* bytes of one import */
#define WEB_VCARD_CARDS_MAX 5000        /* cards of one import */
#define WEB_VCARD_NAME_MAX 256          /* bytes of FN (or the name built from N) */
#define WEB_VCARD_EMAIL_MAX 254         /* bytes of one EMAIL (RFC 5321 4.5.3.1.3) */
#define WEB_VCARD_EMAILS_MAX 16         /* EMAIL properties of one card */
#define WEB_VCARD_PHONE_MAX 64          /* bytes of TEL (the first one is kept) */
#define WEB_VCARD_NOTES_MAX 4096        /* bytes of NOTE (several are joined by newlines) */
#define WEB_VCARD_LINE_MAX 16384        /* bytes of one unfolded property we read */

/* One card, values unescaped (RFC 6350 3.4). `problem` is set (and the card should be
 * skipped) when a field is over its bound: the card is well formed but not importable. */
struct web_vcard {
	char name[WEB_VCARD_NAME_MAX + 1];
	char emails[WEB_VCARD_EMAILS_MAX][WEB_VCARD_EMAIL_MAX + 1];
	size_t nemails;
	char phone[WEB_VCARD_PHONE_MAX + 1];
	char notes[WEB_VCARD_NOTES_MAX + 1];
	const char *problem;  /* static text, or NULL */
};

/* web_vcard_parse - the first card of buf (blank lines before it are skipped): bytes
 * consumed up to and including its END:VCARD line; 0 when buf holds no complete card (only
 * blank lines, or a card without END:VCARD: more is needed); -1 with *error_r (static text)
 * for a malformed card, a vCard 2.1 card or quoted-printable (not supported). */
ssize_t web_vcard_parse(const char *buf, size_t len, struct web_vcard *out,
			const char **error_r);

#endif
