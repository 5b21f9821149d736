/* smtp_sasl.c - SASL PLAIN and LOGIN decoding */
#include "smtp_sasl.h"

#include <sodium.h>
#include <string.h>

static const char *const ERR_BASE64 = "501 5.5.2 Invalid base64 data";
static const char *const ERR_PLAIN = "501 5.5.2 Malformed PLAIN response";
static const char *const ERR_AUTHZ = "535 5.7.8 Authorization identity not allowed";

#define DECODED_MAX (SMTP_SASL_USER_MAX * 2 + SMTP_SASL_PASS_MAX + 3)

/* smtp_sasl_decode - strict base64 (libsodium), "=" for empty */
int smtp_sasl_decode(const char *b64, size_t len, char *out, size_t size, size_t *out_len_r)
{
	size_t n = 0;
	const char *end = NULL;

	if (size == 0)
		return -1;
	if (len == 1 && b64[0] == '=') {
		out[0] = '\0';
		*out_len_r = 0;
		return 0;
	}
	if (len == 0 || sodium_base642bin((unsigned char *)out, size - 1, b64, len, NULL, &n,
					  &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != b64 + len)
		return -1;
	out[n] = '\0';
	*out_len_r = n;
	return 0;
}

/* copy_field - one NUL-free field of at most max bytes into out */
static int copy_field(const char *p, size_t len, char *out, size_t max)
{
	if (len > max || memchr(p, '\0', len) != NULL)
		return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

/* smtp_sasl_plain - authzid NUL authcid NUL passwd (RFC 4616 2) */
int smtp_sasl_plain(const char *b64, size_t len, char user[SMTP_SASL_USER_MAX + 1],
		    char pass[SMTP_SASL_PASS_MAX + 1], const char **error_r)
{
	char buf[DECODED_MAX + 1], authz[SMTP_SASL_USER_MAX + 1];
	const char *nul1, *nul2;
	size_t n;
	int r = -1;

	*error_r = ERR_BASE64;
	if (smtp_sasl_decode(b64, len, buf, sizeof(buf), &n) < 0)
		goto out;
	*error_r = ERR_PLAIN;
	nul1 = memchr(buf, '\0', n);
	nul2 = nul1 != NULL ? memchr(nul1 + 1, '\0', n - (size_t)(nul1 + 1 - buf)) : NULL;
	if (nul2 == NULL || nul2 == nul1 + 1 ||
	    copy_field(buf, (size_t)(nul1 - buf), authz, SMTP_SASL_USER_MAX) < 0 ||
	    copy_field(nul1 + 1, (size_t)(nul2 - nul1 - 1), user, SMTP_SASL_USER_MAX) < 0 ||
	    copy_field(nul2 + 1, n - (size_t)(nul2 + 1 - buf), pass, SMTP_SASL_PASS_MAX) < 0)
		goto out;
	if (authz[0] != '\0' && strcmp(authz, user) != 0) {
		*error_r = ERR_AUTHZ;
		goto out;
	}
	r = 0;
	*error_r = NULL;
out:
	sodium_memzero(buf, sizeof(buf));
	if (r < 0)
		sodium_memzero(pass, SMTP_SASL_PASS_MAX + 1);
	return r;
}

/* smtp_sasl_login_field - one base64 LOGIN answer */
int smtp_sasl_login_field(const char *b64, size_t len, char *out, size_t size,
			  const char **error_r)
{
	char buf[SMTP_SASL_PASS_MAX + 2];
	size_t n;
	int r = -1;

	*error_r = ERR_BASE64;
	if (smtp_sasl_decode(b64, len, buf, sizeof(buf), &n) == 0) {
		*error_r = "501 5.5.2 Malformed LOGIN response";
		if (size > 0 && copy_field(buf, n, out, size - 1) == 0) {
			*error_r = NULL;
			r = 0;
		}
	}
	sodium_memzero(buf, sizeof(buf));
	return r;
}
