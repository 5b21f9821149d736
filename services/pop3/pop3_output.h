/* pop3_output - where the protocol layer writes its bytes: a callback, so the same code
 * writes to a bufferevent in the service and to a memory buffer in the tests. */
#ifndef MERPATI_POP3_OUTPUT_H
#define MERPATI_POP3_OUTPUT_H

#include <stddef.h>

struct pop3_output {
	void (*write)(void *ctx, const void *data, size_t len);
	void *ctx;
};

#endif
