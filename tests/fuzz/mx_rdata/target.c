/* Fuzz the resolver's wire parsers: MX RDATA and names from a DNS answer never overrun, and
 * what parses formats back to a valid, normalised domain. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "mx_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[MX_NAME_MAX], again[MX_NAME_MAX], addr[MX_ADDR_MAX];
	uint16_t pref;

	if (mx_rdata_parse(data, size, &pref, name) == 0 && name[0] != '\0') {
		assert(strlen(name) < MX_NAME_MAX);
		/* a parsed exchange is already normal: normalising changes nothing */
		if (mx_domain_normalize(name, again) == 0)
			assert(strcmp(name, again) == 0);
	}
	(void)mx_name_parse(data, size, name);
	(void)mx_addr_format(MX_RRTYPE_A, data, size, addr);
	(void)mx_addr_format(MX_RRTYPE_AAAA, data, size, addr);
	return 0;
}
