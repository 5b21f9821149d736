/* mx_parse - pure helpers over DNS wire data: MX RDATA, names, addresses, domain syntax.
 * No I/O, no allocation; every length is checked. */
#ifndef MERPATI_MX_PARSE_H
#define MERPATI_MX_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define MX_NAME_MAX 254        /* longest name in text, without the final dot, plus NUL */
#define MX_ADDR_MAX 46         /* INET6_ADDRSTRLEN */
#define MX_RRTYPE_A 1
#define MX_RRTYPE_MX 15
#define MX_RRTYPE_AAAA 28

/* mx_name_parse - an uncompressed wire name (RFC 1035 3.1) to lowercase text without the
 * final dot ("" for the root); bytes used, or -1 when malformed or not a host name */
int mx_name_parse(const uint8_t *wire, size_t len, char name[MX_NAME_MAX]);
/* mx_rdata_parse - MX RDATA (RFC 1035 3.3.9): preference and exchange; -1 malformed */
int mx_rdata_parse(const uint8_t *rdata, size_t len, uint16_t *pref_r, char name[MX_NAME_MAX]);
/* mx_addr_format - A (4 bytes) or AAAA (16 bytes) RDATA as text; -1 on a bad length */
int mx_addr_format(int rrtype, const uint8_t *rdata, size_t len, char buf[MX_ADDR_MAX]);
/* mx_domain_normalize - lowercase, drop one final dot, and check the syntax of a domain
 * (letters, digits, hyphens, underscores; labels of 1..63; RFC 1035 2.3.4 lengths); -1 bad */
int mx_domain_normalize(const char *in, char out[MX_NAME_MAX]);

#endif
