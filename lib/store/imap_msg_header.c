/* imap_msg_header.c - header field subsets for HEADER.FIELDS (RFC 3501 6.4.5) */
#include "store/imap_msg_header.h"

#include <string.h>
#include <strings.h>

/* header_line_end - offset just past the line starting at i (its LF, or len) */
static size_t header_line_end(const char *hdr, size_t len, size_t i)
{
	const char *lf = memchr(hdr + i, '\n', len - i);

	return lf != NULL ? (size_t)(lf - hdr) + 1 : len;
}

/* header_field_end - offset past a field starting at i and its continuation lines, which
 * begin with a space or tab (RFC 5322 2.2.3) */
static size_t header_field_end(const char *hdr, size_t len, size_t i)
{
	size_t end = header_line_end(hdr, len, i);

	while (end < len && (hdr[end] == ' ' || hdr[end] == '\t'))
		end = header_line_end(hdr, len, end);
	return end;
}

/* header_blank - the line at i is empty: the end of the header section */
static bool header_blank(const char *hdr, size_t len, size_t i)
{
	return hdr[i] == '\n' || (hdr[i] == '\r' && i + 1 < len && hdr[i + 1] == '\n');
}

/* header_listed - the field at hdr (ending before end) is named in names */
static bool header_listed(const char *hdr, size_t end, const char *const *names, size_t nnames)
{
	const char *colon = memchr(hdr, ':', end);
	size_t nlen, k;

	if (colon == NULL)
		return false;
	nlen = (size_t)(colon - hdr);
	while (nlen > 0 && (hdr[nlen - 1] == ' ' || hdr[nlen - 1] == '\t'))
		nlen--; /* RFC 822 allowed white space before the colon */
	if (nlen == 0 || nlen > IMAP_MSG_FIELD_NAME_MAX)
		return false;
	for (k = 0; k < nnames; k++)
		if (strlen(names[k]) == nlen && strncasecmp(names[k], hdr, nlen) == 0)
			return true;
	return false;
}

size_t imap_msg_header_filter(const char *hdr, size_t len, const char *const *names,
			      size_t nnames, bool exclude, char *out)
{
	size_t i = 0, o = 0, end;

	while (i < len && !header_blank(hdr, len, i)) {
		end = header_field_end(hdr, len, i);
		if (header_listed(hdr + i, end - i, names, nnames) != exclude) {
			memcpy(out + o, hdr + i, end - i);
			o += end - i;
			if (hdr[end - 1] != '\n') { /* a last field without its line end */
				memcpy(out + o, "\r\n", 2);
				o += 2;
			}
		}
		i = end;
	}
	memcpy(out + o, "\r\n", 2);
	return o + 2;
}
