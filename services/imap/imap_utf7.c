/* imap_utf7 - RFC 3501 5.1.3: "&" starts base64 (with "," for "/") of UTF-16BE, "-" ends
 * it; "&-" is "&"; printable ASCII stands for itself. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "services/imap/imap_utf7.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* utf7_put - one octet into out, within size (leaving room for the NUL) */
static int utf7_put(char *out, size_t size, size_t *n, char c)
{
	if (*n + 1 >= size)
		return -1;
	out[(*n)++] = c;
	return 0;
}

/* utf7_put_utf8 - code point cp as UTF-8 */
static int utf7_put_utf8(char *out, size_t size, size_t *n, uint32_t cp)
{
	if (cp < 0x80)
		return utf7_put(out, size, n, (char)cp);
	if (cp < 0x800)
		return utf7_put(out, size, n, (char)(0xc0 | cp >> 6)) |
			utf7_put(out, size, n, (char)(0x80 | (cp & 0x3f)));
	if (cp < 0x10000)
		return utf7_put(out, size, n, (char)(0xe0 | cp >> 12)) |
			utf7_put(out, size, n, (char)(0x80 | ((cp >> 6) & 0x3f))) |
			utf7_put(out, size, n, (char)(0x80 | (cp & 0x3f)));
	return utf7_put(out, size, n, (char)(0xf0 | cp >> 18)) |
		utf7_put(out, size, n, (char)(0x80 | ((cp >> 12) & 0x3f))) |
		utf7_put(out, size, n, (char)(0x80 | ((cp >> 6) & 0x3f))) |
		utf7_put(out, size, n, (char)(0x80 | (cp & 0x3f)));
}

/* utf7_decode_run - the base64 run starting at *pp (after "&") up to "-" */
static int utf7_decode_run(const char **pp, char *out, size_t size, size_t *n)
{
	const char *p = *pp;
	uint32_t bits = 0, high = 0;
	int nbits = 0;
	bool any = false;

	for (; *p != '-'; p++) {
		const char *d = *p != '\0' ? strchr(b64, *p) : NULL;

		if (d == NULL)
			return -1;
		bits = bits << 6 | (uint32_t)(d - b64);
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		uint32_t u = (bits >> nbits) & 0xffff;

		any = true;
		if (u >= 0xd800 && u < 0xdc00) {
			if (high != 0)
				return -1;
			high = u;
			continue;
		}
		if (u >= 0xdc00 && u < 0xe000) {
			if (high == 0)
				return -1;
			u = 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00);
			high = 0;
		} else if (high != 0 || (u >= 0x20 && u < 0x7f)) {
			return -1;  /* printable ASCII must not be encoded (RFC 3501 5.1.3) */
		}
		if (utf7_put_utf8(out, size, n, u) < 0)
			return -1;
	}
	if (!any || high != 0 || nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
		return -1;
	*pp = p + 1;
	return 0;
}

/* imap_utf7_decode - see imap_utf7.h */
int imap_utf7_decode(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p != '\0'; ) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c >= 0x7f)
			return -1;
		if (c != '&') {
			if (utf7_put(out, size, &n, *p++) < 0)
				return -1;
			continue;
		}
		p++;
		if (*p == '-') {
			if (utf7_put(out, size, &n, '&') < 0)
				return -1;
			p++;
			continue;
		}
		if (utf7_decode_run(&p, out, size, &n) < 0)
			return -1;
	}
	if (n >= size)
		return -1;
	out[n] = '\0';
	return 0;
}

/* utf8_next - one code point from *pp; -1 when the UTF-8 is invalid */
static int utf8_next(const unsigned char **pp, uint32_t *cp)
{
	const unsigned char *p = *pp;
	int len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 :
		(p[0] & 0xf8) == 0xf0 ? 4 : 0;
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };

	if (len == 0)
		return -1;
	*cp = len == 1 ? p[0] : p[0] & (0x7f >> len);
	for (int i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if (*cp < min[len] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp < 0xe000))
		return -1;
	*pp = p + len;
	return 0;
}

/* utf7_put16 - one UTF-16 unit into the base64 run */
static int utf7_put16(char *out, size_t size, size_t *n, uint32_t *bits, int *nbits, uint32_t u)
{
	*bits = *bits << 16 | u;
	*nbits += 16;
	while (*nbits >= 6) {
		*nbits -= 6;
		if (utf7_put(out, size, n, b64[(*bits >> *nbits) & 0x3f]) < 0)
			return -1;
	}
	return 0;
}

/* imap_utf7_encode - see imap_utf7.h */
int imap_utf7_encode(const char *in, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;

	while (*p != '\0') {
		uint32_t cp, bits = 0;
		int nbits = 0;

		if (*p >= 0x20 && *p < 0x7f) {
			if (utf7_put(out, size, &n, (char)*p) < 0 ||
			    (*p == '&' && utf7_put(out, size, &n, '-') < 0))
				return -1;
			p++;
			continue;
		}
		if (utf7_put(out, size, &n, '&') < 0)
			return -1;
		while (*p != '\0' && (*p < 0x20 || *p >= 0x7f)) {
			if (utf8_next(&p, &cp) < 0)
				return -1;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				if (utf7_put16(out, size, &n, &bits, &nbits, 0xd800 + (cp >> 10)) < 0 ||
				    utf7_put16(out, size, &n, &bits, &nbits, 0xdc00 + (cp & 0x3ff)) < 0)
					return -1;
			} else if (utf7_put16(out, size, &n, &bits, &nbits, cp) < 0) {
				return -1;
			}
		}
		if ((nbits > 0 && utf7_put(out, size, &n, b64[(bits << (6 - nbits)) & 0x3f]) < 0) ||
		    utf7_put(out, size, &n, '-') < 0)
			return -1;
	}
	if (n >= size)
		return -1;
	out[n] = '\0';
	return 0;
}
