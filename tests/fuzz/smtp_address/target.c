/* Fuzz the RFC 5321 path parser: no crash, bounds hold, and parse -> format -> parse gives
 * the same address. The first byte picks the flags. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "smtp_address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_address a, b;
	char buf[SMTP_ADDRESS_PATH_MAX * 2 + 3], dom[SMTP_ADDRESS_DOMAIN_MAX + 1];
	const char *err;
	unsigned flags;
	ssize_t n;
	int len;

	if (size == 0)
		return 0;
	flags = data[0] & 7;
	n = smtp_address_parse((const char *)data + 1, size - 1, flags, &a, &err);
	(void)smtp_address_parse_domain((const char *)data + 1, size - 1, flags & 4, dom);
	if (n < 0) {
		assert(err != NULL && strlen(err) > 4);
		return 0;
	}
	assert((size_t)n <= size - 1 && (size_t)n <= SMTP_ADDRESS_PATH_MAX);
	assert(strlen(a.local) <= SMTP_ADDRESS_LOCAL_MAX);
	assert(strlen(a.domain) <= SMTP_ADDRESS_DOMAIN_MAX);
	len = smtp_address_format(&a, buf, sizeof(buf));
	assert(len > 0 && (size_t)len == strlen(buf));
	assert(smtp_address_parse(buf, (size_t)len, flags, &b, &err) == len);
	assert(b.is_null == a.is_null && b.utf8 == a.utf8);
	assert(strcmp(a.local, b.local) == 0 && strcmp(a.domain, b.domain) == 0);
	return 0;
}
