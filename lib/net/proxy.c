/* proxy.c - PROXY protocol v1/v2 header parser (HAProxy spec "The PROXY protocol") */
#include "net/proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* Spec 2.2: the twelve bytes that open every v2 header. */
static const uint8_t proxy_v2_sig[12] = {
	0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
};
static const char proxy_v1_sig[] = "PROXY ";

#define PROXY_V2_CMD_LOCAL 0x0
#define PROXY_V2_CMD_PROXY 0x1
#define PROXY_V2_AF_UNSPEC 0x0
#define PROXY_V2_AF_INET 0x1
#define PROXY_V2_AF_INET6 0x2
#define PROXY_V2_AF_UNIX 0x3
#define PROXY_V2_PROTO_UNSPEC 0x0
#define PROXY_V2_PROTO_STREAM 0x1

/* prefix_matches - the first min(len, sig_len) bytes of buf equal the signature */
static bool prefix_matches(const uint8_t *buf, size_t len, const void *sig, size_t sig_len)
{
	return memcmp(buf, sig, len < sig_len ? len : sig_len) == 0;
}

/* fail - set the error and return -1 */
static ssize_t fail(const char **error_r, const char *why)
{
	*error_r = why;
	return -1;
}

/* v1_port - a decimal port 0..65535 without sign or leading zeros (spec 2.1) */
static int v1_port(const char *s, uint16_t *port_r)
{
	unsigned long n;
	char *end;

	if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && s[1] != '\0') || strlen(s) > 5)
		return -1;
	n = strtoul(s, &end, 10);
	if (*end != '\0' || n > 65535)
		return -1;
	*port_r = (uint16_t)n;
	return 0;
}

/* v1_addr - fill a sockaddr from one textual address and port of the given family */
static int v1_addr(int family, const char *addr, const char *port,
		   struct sockaddr_storage *ss, socklen_t *len_r)
{
	uint16_t p;

	if (v1_port(port, &p) < 0)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			return -1;
		*len_r = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
			return -1;
		*len_r = sizeof(*sin6);
	}
	return 0;
}

/* v1_fields - split the line on single spaces into at most max fields; count or -1 */
static int v1_fields(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		if (n == max || *p == '\0' || *p == ' ')
			return -1; /* too many, or an empty field */
		fields[n++] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			return n;
		*p++ = '\0';
	}
}

/* parse_v1 - spec 2.1: "PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n" */
static ssize_t parse_v1(const uint8_t *buf, size_t len, struct proxy_header *out,
			const char **error_r)
{
	char line[PROXY_V1_MAX + 1], *f[6];
	size_t avail = len < PROXY_V1_MAX ? len : PROXY_V1_MAX, eol;
	const uint8_t *lf = memchr(buf, '\n', avail);
	int n, family;

	if (lf == NULL)
		return avail == PROXY_V1_MAX ? fail(error_r, "v1 line too long") : 0;
	eol = (size_t)(lf - buf);
	if (eol == 0 || buf[eol - 1] != '\r')
		return fail(error_r, "v1 line must end with CRLF");
	memcpy(line, buf, eol - 1);
	line[eol - 1] = '\0';
	if (strlen(line) != eol - 1)
		return fail(error_r, "NUL in v1 line");
	out->version = 1;
	if (strncmp(line, "PROXY UNKNOWN", 13) == 0 && (line[13] == ' ' || line[13] == '\0')) {
		out->local = true; /* spec 2.1: the rest of the line is ignored */
		return (ssize_t)eol + 1;
	}
	n = v1_fields(line, f, 6);
	if (n != 6)
		return fail(error_r, "v1 line needs 6 fields");
	if (strcmp(f[1], "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(f[1], "TCP6") == 0)
		family = AF_INET6;
	else
		return fail(error_r, "v1 unknown protocol");
	if (v1_addr(family, f[2], f[4], &out->src, &out->src_len) < 0 ||
	    v1_addr(family, f[3], f[5], &out->dst, &out->dst_len) < 0)
		return fail(error_r, "v1 bad address or port");
	out->local = false;
	return (ssize_t)eol + 1;
}

/* v2_inet - spec 2.2: IPv4 block is src(4) dst(4) sport(2) dport(2) */
static int v2_inet(const uint8_t *p, size_t len, struct proxy_header *out)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&out->src;
	struct sockaddr_in *d = (struct sockaddr_in *)&out->dst;

	if (len < 12)
		return -1;
	memset(&out->src, 0, sizeof(out->src));
	memset(&out->dst, 0, sizeof(out->dst));
	s->sin_family = d->sin_family = AF_INET;
	memcpy(&s->sin_addr, p, 4);
	memcpy(&d->sin_addr, p + 4, 4);
	memcpy(&s->sin_port, p + 8, 2);  /* both already in network order */
	memcpy(&d->sin_port, p + 10, 2);
	out->src_len = out->dst_len = sizeof(struct sockaddr_in);
	return 0;
}

/* v2_inet6 - spec 2.2: IPv6 block is src(16) dst(16) sport(2) dport(2) */
static int v2_inet6(const uint8_t *p, size_t len, struct proxy_header *out)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&out->src;
	struct sockaddr_in6 *d = (struct sockaddr_in6 *)&out->dst;

	if (len < 36)
		return -1;
	memset(&out->src, 0, sizeof(out->src));
	memset(&out->dst, 0, sizeof(out->dst));
	s->sin6_family = d->sin6_family = AF_INET6;
	memcpy(&s->sin6_addr, p, 16);
	memcpy(&d->sin6_addr, p + 16, 16);
	memcpy(&s->sin6_port, p + 32, 2);
	memcpy(&d->sin6_port, p + 34, 2);
	out->src_len = out->dst_len = sizeof(struct sockaddr_in6);
	return 0;
}

/* v2_addresses - the address block of a PROXY command; TLVs after it are skipped */
static ssize_t v2_addresses(uint8_t fam, const uint8_t *p, size_t len,
			    struct proxy_header *out, const char **error_r)
{
	uint8_t af = fam >> 4, proto = fam & 0x0f;

	if (af == PROXY_V2_AF_UNSPEC || af == PROXY_V2_AF_UNIX) {
		out->local = true; /* spec 2.2: use the connection's own addresses */
		return 0;
	}
	if (proto != PROXY_V2_PROTO_STREAM)
		return fail(error_r, "v2 transport is not a stream");
	if (af == PROXY_V2_AF_INET && v2_inet(p, len, out) == 0)
		return 0;
	if (af == PROXY_V2_AF_INET6 && v2_inet6(p, len, out) == 0)
		return 0;
	return fail(error_r, "v2 bad address family or short address block");
}

/* parse_v2 - spec 2.2: 16-byte header, then length bytes of addresses and TLVs */
static ssize_t parse_v2(const uint8_t *buf, size_t len, struct proxy_header *out,
			const char **error_r)
{
	size_t payload;
	uint8_t ver_cmd, fam;

	if (len < PROXY_V2_HEADER_LEN)
		return 0;
	ver_cmd = buf[12];
	fam = buf[13];
	payload = ((size_t)buf[14] << 8) | buf[15];
	if ((ver_cmd >> 4) != 2)
		return fail(error_r, "v2 bad version");
	if (payload > PROXY_V2_PAYLOAD_MAX)
		return fail(error_r, "v2 header too long");
	if ((ver_cmd & 0x0f) != PROXY_V2_CMD_LOCAL && (ver_cmd & 0x0f) != PROXY_V2_CMD_PROXY)
		return fail(error_r, "v2 bad command");
	if (len < PROXY_V2_HEADER_LEN + payload)
		return 0;
	out->version = 2;
	out->local = (ver_cmd & 0x0f) == PROXY_V2_CMD_LOCAL;
	if (!out->local && v2_addresses(fam, buf + PROXY_V2_HEADER_LEN, payload, out,
					error_r) < 0)
		return -1;
	return (ssize_t)(PROXY_V2_HEADER_LEN + payload);
}

ssize_t proxy_parse(const uint8_t *buf, size_t len, struct proxy_header *out,
		    const char **error_r)
{
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return 0;
	if (prefix_matches(buf, len, proxy_v2_sig, sizeof(proxy_v2_sig)))
		return len < sizeof(proxy_v2_sig) ? 0 : parse_v2(buf, len, out, error_r);
	if (prefix_matches(buf, len, proxy_v1_sig, sizeof(proxy_v1_sig) - 1))
		return len < sizeof(proxy_v1_sig) - 1 ? 0 : parse_v1(buf, len, out, error_r);
	return fail(error_r, "no PROXY header");
}
