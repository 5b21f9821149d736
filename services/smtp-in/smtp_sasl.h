/* smtp_sasl - SASL PLAIN (RFC 4616) and LOGIN responses for SMTP AUTH (RFC 4954).
 *
 * Pure. Base64 is decoded by libsodium (sodium_base642bin, the strict original alphabet
 * with padding), never by hand. Decoded names and passwords are bounded and may not hold
 * NUL bytes; callers wipe passwords with sodium_memzero when done. */
#ifndef MERPATI_SMTP_SASL_H
#define MERPATI_SMTP_SASL_H

#include <stddef.h>

#define SMTP_SASL_USER_MAX 255
#define SMTP_SASL_PASS_MAX 255

/* smtp_sasl_decode - base64 to bytes in out (NUL-terminated); "=" is the empty response
 * (RFC 4954 4); -1 on bad base64 or overflow */
int smtp_sasl_decode(const char *b64, size_t len, char *out, size_t size, size_t *out_len_r);

/* smtp_sasl_plain - "[authzid] NUL authcid NUL passwd" from base64 (RFC 4616 2); an authzid
 * other than empty or the authcid itself is refused; -1 with a reply in *error_r */
int smtp_sasl_plain(const char *b64, size_t len, char user[SMTP_SASL_USER_MAX + 1],
		    char pass[SMTP_SASL_PASS_MAX + 1], const char **error_r);

/* smtp_sasl_login_field - one LOGIN response (user name or password) from base64 */
int smtp_sasl_login_field(const char *b64, size_t len, char *out, size_t size,
			  const char **error_r);

#endif
