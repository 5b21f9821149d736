/* imap_msg_section.c - section specs (RFC 3501 6.4.5) to byte ranges of trace + blob */
#include "store/imap_msg_section.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECTION_VALUES_MAX 5 /* [header_start, body_start, body_end, lines, inner_body] */

int imap_msg_section_part_ok(const char *part)
{
	size_t len = strlen(part), i;
	bool digit_before = false;

	if (len == 0)
		return 1;
	if (len > IMAP_MSG_PART_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (part[i] == '.') {
			if (!digit_before)
				return 0;
			digit_before = false;
		} else if (part[i] >= '0' && part[i] <= '9') {
			/* RFC 3501 9: nz-number, no leading zero */
			if (!digit_before && part[i] == '0')
				return 0;
			digit_before = true;
		} else {
			return 0;
		}
	}
	return digit_before;
}

/* section_find - the entry "part":[...] of sections; pointer just past '[', NULL if absent */
static const char *section_find(const char *sections, const char *part)
{
	char key[IMAP_MSG_PART_MAX + 8];

	/* keys hold only digits and dots, so the quoted key cannot occur inside a value */
	if (snprintf(key, sizeof(key), "\"%s\":[", part) >= (int)sizeof(key))
		return NULL;
	const char *p = strstr(sections, key);
	return p != NULL ? p + strlen(key) : NULL;
}

/* section_values - parse up to SECTION_VALUES_MAX unsigned numbers up to ']';
 * returns how many, -1 when malformed */
static int section_values(const char *p, int64_t v[SECTION_VALUES_MAX])
{
	int n = 0;
	char *end;

	for (;;) {
		if (*p < '0' || *p > '9' || n == SECTION_VALUES_MAX)
			return -1;
		errno = 0;
		unsigned long long x = strtoull(p, &end, 10);
		if (errno != 0 || x > INT64_MAX)
			return -1;
		v[n++] = (int64_t)x;
		if (*end == ']')
			return n;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
}

/* section_entry - the values of one part, checked to be ordered; 1, 0 absent, -1 malformed */
static int section_entry(const char *sections, const char *part, int64_t v[SECTION_VALUES_MAX],
			 int *n_r)
{
	const char *p = section_find(sections, part);

	if (p == NULL)
		return 0;
	*n_r = section_values(p, v);
	if (*n_r < 4 || v[0] > v[1] || v[1] > v[2])
		return -1;
	if (*n_r == 5 && (v[4] < v[1] || v[4] > v[2]))
		return -1;
	return 1;
}

/* section_set - r = [start, end) shifted past the trace */
static int section_set(struct imap_msg_range *r, size_t trace_len, int64_t start, int64_t end)
{
	r->start = (int64_t)trace_len + start;
	r->end = (int64_t)trace_len + end;
	return 1;
}

/* section_top - the whole message: its header includes the trace lines, which the client
 * sees as the first header fields */
static int section_top(const int64_t v[SECTION_VALUES_MAX], size_t trace_len,
		       enum imap_msg_section_text text, struct imap_msg_range *r)
{
	switch (text) {
	case IMAP_MSG_SECTION_ALL:
		return section_set(r, trace_len, -(int64_t)trace_len, v[2]);
	case IMAP_MSG_SECTION_HEADER:
		return section_set(r, trace_len, -(int64_t)trace_len, v[1]);
	case IMAP_MSG_SECTION_TEXT:
		return section_set(r, trace_len, v[1], v[2]);
	default:
		return -1; /* RFC 3501 6.4.5: MIME needs a part number */
	}
}

/* section_part - a numbered part; HEADER and TEXT exist only for message/rfc822 parts,
 * whose entry has the encapsulated message's body start as fifth value */
static int section_part(const int64_t v[SECTION_VALUES_MAX], int n, size_t trace_len,
			enum imap_msg_section_text text, struct imap_msg_range *r)
{
	switch (text) {
	case IMAP_MSG_SECTION_ALL:
		return section_set(r, trace_len, v[1], v[2]);
	case IMAP_MSG_SECTION_MIME:
		return section_set(r, trace_len, v[0], v[1]);
	case IMAP_MSG_SECTION_HEADER:
		return n == 5 ? section_set(r, trace_len, v[1], v[4]) : 0;
	case IMAP_MSG_SECTION_TEXT:
		return n == 5 ? section_set(r, trace_len, v[4], v[2]) : 0;
	}
	return -1;
}

int imap_msg_section_range(const char *sections, size_t trace_len, const char *part,
			   enum imap_msg_section_text text, struct imap_msg_range *r)
{
	int64_t v[SECTION_VALUES_MAX];
	int n = 0, found;

	if (sections == NULL || part == NULL || !imap_msg_section_part_ok(part))
		return -1;
	found = section_entry(sections, part, v, &n);
	if (found <= 0)
		return *part == '\0' ? -1 : found; /* every message has a top level */
	return *part == '\0' ? section_top(v, trace_len, text, r) :
			       section_part(v, n, trace_len, text, r);
}

void imap_msg_section_partial(struct imap_msg_range *r, uint64_t origin, uint64_t count)
{
	uint64_t len = (uint64_t)(r->end - r->start);

	if (origin >= len) {
		r->start = r->end;
		return;
	}
	r->start += (int64_t)origin;
	if (count < len - origin)
		r->end = r->start + (int64_t)count;
}
