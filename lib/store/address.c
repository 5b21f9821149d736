/* address.c - canonical envelope addresses and plus-address splitting (pure) */
#include "store/address.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* address_local_char - may c appear in a dot-atom local part? (RFC 5322 3.2.3 atext;
 * octets >= 0x80 are UTF-8 under SMTPUTF8, RFC 6531 3.3) */
static bool address_local_char(unsigned char c)
{
	if (c >= 0x80 || isalnum(c))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* address_trim - the address without surrounding blanks and one pair of angle brackets */
static const char *address_trim(const char *in, size_t *len_r)
{
	size_t len = strlen(in);

	while (len > 0 && (*in == ' ' || *in == '\t')) {
		in++;
		len--;
	}
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	if (len >= 2 && in[0] == '<' && in[len - 1] == '>') {
		in++;
		len -= 2;
	}
	*len_r = len;
	return in;
}

/* address_check_local - validate a dot-atom local part of len bytes (RFC 5321 4.1.2) */
static int address_check_local(const char *s, size_t len, const char **error_r)
{
	size_t i;

	if (len == 0 || len > STORE_ADDRESS_LOCAL_MAX) {
		*error_r = len == 0 ? "empty local part" : "local part longer than 64 octets";
		return -1;
	}
	if (s[0] == '.' || s[len - 1] == '.') {
		*error_r = "local part starts or ends with a dot";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '.' && s[i + 1] == '.') {
			*error_r = "local part has consecutive dots";
			return -1;
		}
		if (s[i] != '.' && !address_local_char((unsigned char)s[i])) {
			*error_r = "local part has a character not allowed here";
			return -1;
		}
	}
	return 0;
}

/* address_check_label - one DNS label of a hostname (RFC 1123 2.1, RFC 1035 2.3.4) */
static int address_check_label(const char *s, size_t len, const char **error_r)
{
	size_t i;

	if (len == 0 || len > 63) {
		*error_r = len == 0 ? "empty label in domain" : "domain label longer than 63 octets";
		return -1;
	}
	if (s[0] == '-' || s[len - 1] == '-') {
		*error_r = "domain label starts or ends with a hyphen";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-') {
			*error_r = "domain has a character not allowed in a hostname";
			return -1;
		}
	}
	return 0;
}

/* address_lower - ASCII lowercase copy of len bytes plus a NUL */
static void address_lower(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[len] = '\0';
}

/* address_domain_bytes - validate and lowercase a domain of len bytes into out */
static int address_domain_bytes(const char *s, size_t len, char out[STORE_DOMAIN_SIZE],
				const char **error_r)
{
	size_t start = 0, i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253) {
		*error_r = len == 0 ? "empty domain" : "domain longer than 253 octets";
		return -1;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (address_check_label(s + start, i - start, error_r) < 0)
				return -1;
			start = i + 1;
		}
	}
	address_lower(out, s, len);
	return 0;
}

int store_domain_normalize(const char *in, char out[STORE_DOMAIN_SIZE], const char **error_r)
{
	size_t len;
	const char *s = address_trim(in, &len);

	return address_domain_bytes(s, len, out, error_r);
}

int store_address_normalize(const char *in, char out[STORE_ADDRESS_SIZE], const char **error_r)
{
	char domain[STORE_DOMAIN_SIZE];
	const char *s, *at;
	size_t len, local_len, dlen;

	s = address_trim(in, &len);
	if (len > STORE_ADDRESS_MAX) {
		*error_r = "address longer than 254 octets";
		return -1;
	}
	at = memchr(s, '@', len);
	if (at == NULL || memchr(at + 1, '@', len - (size_t)(at - s) - 1) != NULL) {
		*error_r = at == NULL ? "address has no @" : "address has more than one @";
		return -1;
	}
	local_len = (size_t)(at - s);
	if (address_check_local(s, local_len, error_r) < 0)
		return -1;
	if (address_domain_bytes(at + 1, len - local_len - 1, domain, error_r) < 0)
		return -1;
	dlen = strlen(domain);
	if (local_len + 1 + dlen > STORE_ADDRESS_MAX) {
		*error_r = "address longer than 254 octets";
		return -1;
	}
	address_lower(out, s, local_len);
	out[local_len] = '@';
	memcpy(out + local_len + 1, domain, dlen + 1);
	return 0;
}

const char *store_address_domain(const char *address)
{
	const char *at = strrchr(address, '@');

	return at == NULL ? "" : at + 1;
}

bool store_address_split_plus(const char *address, char base[STORE_ADDRESS_SIZE],
			      char tag[STORE_ADDRESS_LOCAL_MAX + 1])
{
	const char *at = strrchr(address, '@');
	const char *plus;
	size_t local_len, tag_len;

	tag[0] = '\0';
	if (strlen(address) > STORE_ADDRESS_MAX) {
		base[0] = '\0';
		return false;
	}
	strcpy(base, address);
	if (at == NULL)
		return false;
	plus = memchr(address, '+', (size_t)(at - address));
	if (plus == NULL || plus == address)
		return false;
	local_len = (size_t)(plus - address);
	tag_len = (size_t)(at - plus - 1);
	if (tag_len > STORE_ADDRESS_LOCAL_MAX)
		return false;
	memcpy(tag, plus + 1, tag_len);
	tag[tag_len] = '\0';
	memcpy(base + local_len, at, strlen(at) + 1);
	return true;
}

bool store_address_is_role(const char *address)
{
	const char *at = strrchr(address, '@');
	size_t n = at == NULL ? strlen(address) : (size_t)(at - address);

	return (n == 10 && strncasecmp(address, "postmaster", 10) == 0) ||
	       (n == 5 && strncasecmp(address, "abuse", 5) == 0);
}
