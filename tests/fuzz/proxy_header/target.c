/* Fuzz the PROXY v1/v2 header parser: no crash, bounded, and a header parsed from a longer
 * input parses the same from exactly its own bytes. */
#include "net/proxy.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_header h, again;
	const char *error = NULL;
	ssize_t n = proxy_parse(data, size, &h, &error);

	assert(n <= (ssize_t)size && n <= (ssize_t)PROXY_HEADER_MAX);
	if (n < 0)
		assert(error != NULL);
	if (n > 0) {
		assert(h.version == 1 || h.version == 2);
		if (!h.local)
			assert(h.src.ss_family == h.dst.ss_family && h.src_len > 0);
		assert(proxy_parse(data, (size_t)n, &again, &error) == n);
		assert(again.local == h.local && again.src_len == h.src_len);
		assert(memcmp(&again.src, &h.src, h.src_len) == 0);
	}
	return 0;
}
