/* proxy - parser for the PROXY protocol header, versions 1 (text) and 2 (binary).
 *
 * A front proxy (HAProxy, the compose front end) that accepts the client's TCP connection
 * sends this header first, so the service learns the real client address. The parser is
 * pure: bytes in, the addresses out, no I/O, no allocation. It follows the HAProxy
 * specification "The PROXY protocol, versions 1 & 2" (section 2.1 for v1, 2.2 for v2).
 *
 *   ssize_t n = proxy_parse(buf, len, &hdr, &error);
 *   n > 0: header complete, n bytes consumed (what follows belongs to the protocol)
 *   n == 0: need more bytes (never more than PROXY_HEADER_MAX in total)
 *   n < 0: not a valid PROXY header; drop the connection
 */
#ifndef MERPATI_PROXY_H
#define MERPATI_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define PROXY_V1_MAX 107            /* spec 2.1: the longest v1 line with CRLF */
#define PROXY_V2_HEADER_LEN 16      /* spec 2.2: signature, ver/cmd, family, length */
#define PROXY_V2_PAYLOAD_MAX 2048   /* our bound on addresses + TLVs */
#define PROXY_HEADER_MAX (PROXY_V2_HEADER_LEN + PROXY_V2_PAYLOAD_MAX)

struct proxy_header {
	int version;              /* 1 or 2 */
	bool local;               /* v2 LOCAL or v1 UNKNOWN: keep the socket's addresses */
	struct sockaddr_storage src; /* the real client, when !local */
	struct sockaddr_storage dst; /* the address the client connected to, when !local */
	socklen_t src_len;
	socklen_t dst_len;
};

/* proxy_parse - parse one PROXY header at the start of buf; see above */
ssize_t proxy_parse(const uint8_t *buf, size_t len, struct proxy_header *out,
		    const char **error_r);

#endif
