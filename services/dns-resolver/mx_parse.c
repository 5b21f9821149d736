/* mx_parse.c - MX RDATA, wire names, addresses and domain syntax */
#include "mx_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <sys/socket.h>

#define MX_LABEL_MAX 63        /* RFC 1035 2.3.4 */
#define MX_WIRE_NAME_MAX 255   /* RFC 1035 2.3.4, in wire form */

/* host_char - characters of a host name label (RFC 1035 2.3.1 LDH, plus "_" seen in the
 * wild); anything else is refused rather than passed on to smtp-out */
static int host_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_';
}

int mx_name_parse(const uint8_t *wire, size_t len, char name[MX_NAME_MAX])
{
	size_t i = 0, o = 0;

	for (;;) {
		uint8_t label;
		if (i >= len || i >= MX_WIRE_NAME_MAX)
			return -1;
		label = wire[i++];
		if (label == 0)
			break;
		/* compression pointers (0xC0) and extended labels have no place here */
		if (label > MX_LABEL_MAX || i + label > len)
			return -1;
		if (o > 0)
			name[o++] = '.';
		if (o + label >= MX_NAME_MAX)
			return -1;
		for (uint8_t k = 0; k < label; k++) {
			if (!host_char(wire[i + k]))
				return -1;
			name[o++] = (char)tolower(wire[i + k]);
		}
		i += label;
	}
	name[o] = '\0';
	return (int)i;
}

int mx_rdata_parse(const uint8_t *rdata, size_t len, uint16_t *pref_r, char name[MX_NAME_MAX])
{
	int n;

	if (len < 3)
		return -1;
	*pref_r = (uint16_t)((rdata[0] << 8) | rdata[1]);
	n = mx_name_parse(rdata + 2, len - 2, name);
	return n < 0 || (size_t)n != len - 2 ? -1 : 0;
}

int mx_addr_format(int rrtype, const uint8_t *rdata, size_t len, char buf[MX_ADDR_MAX])
{
	if (rrtype == MX_RRTYPE_A && len == 4)
		return inet_ntop(AF_INET, rdata, buf, MX_ADDR_MAX) != NULL ? 0 : -1;
	if (rrtype == MX_RRTYPE_AAAA && len == 16)
		return inet_ntop(AF_INET6, rdata, buf, MX_ADDR_MAX) != NULL ? 0 : -1;
	return -1;
}

int mx_domain_normalize(const char *in, char out[MX_NAME_MAX])
{
	size_t len = strnlen(in, MX_NAME_MAX + 1), label = 0;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len >= MX_NAME_MAX)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '.') {
			if (label == 0)
				return -1;     /* empty label */
			label = 0;
		} else if (!host_char(c) || ++label > MX_LABEL_MAX) {
			return -1;
		}
		out[i] = (char)tolower(c);
	}
	if (label == 0)
		return -1;
	out[len] = '\0';
	return 0;
}
