/* sort_subject.c - base subject extraction (RFC 5256 2.1). The subject arrives already
 * decoded from RFC 2047 (step 1's first half was done at delivery by GMime). */
#include "thread/sort_subject.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* subject_normalize - step 1: tabs and line breaks become spaces, runs of spaces one space,
 * ASCII letters lower case; returns the length written (out holds size bytes) */
static size_t subject_normalize(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p != '\0' && n + 1 < size && p - in < SORT_SUBJECT_MAX; p++) {
		char c = *p == '\t' || *p == '\r' || *p == '\n' ? ' ' : *p;

		if (c == ' ' && n > 0 && out[n - 1] == ' ')
			continue;
		out[n++] = (char)tolower((unsigned char)c);
	}
	out[n] = '\0';
	return n;
}

/* subject_trailer - step 2: drop every trailing subj-trailer ("(fwd)" / WSP); true if a
 * "(fwd)" went */
static bool subject_trailer(char *s, size_t *len)
{
	bool fwd = false;

	for (;;) {
		if (*len > 0 && s[*len - 1] == ' ') {
			(*len)--;
		} else if (*len >= 5 && memcmp(s + *len - 5, "(fwd)", 5) == 0) {
			*len -= 5;
			fwd = true;
		} else {
			s[*len] = '\0';
			return fwd;
		}
	}
}

/* subject_blob - subj-blob at s: "[" *BLOBCHAR "]" *WSP; its length, 0 if none */
static size_t subject_blob(const char *s)
{
	size_t i = 1;

	if (s[0] != '[')
		return 0;
	while (s[i] != '\0' && s[i] != '[' && s[i] != ']')
		i++;
	if (s[i] != ']')
		return 0;
	for (i++; s[i] == ' '; i++)
		;
	return i;
}

/* subject_refwd - subj-refwd at s: ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; its
 * length, 0 if none */
static size_t subject_refwd(const char *s)
{
	size_t i;

	if (strncmp(s, "re", 2) == 0)
		i = 2;
	else if (strncmp(s, "fwd", 3) == 0)
		i = 3;
	else if (strncmp(s, "fw", 2) == 0)
		i = 2;
	else
		return 0;
	while (s[i] == ' ')
		i++;
	i += subject_blob(s + i);
	return s[i] == ':' ? i + 1 : 0;
}

/* subject_leader - subj-leader at s: (*subj-blob subj-refwd) / WSP; its length, 0 if none;
 * *refwd_r set when it was a reply/forward marker */
static size_t subject_leader(const char *s, bool *refwd_r)
{
	size_t i = 0, b, r;

	if (s[0] == ' ')
		return 1;
	while ((b = subject_blob(s + i)) > 0)
		i += b;
	if ((r = subject_refwd(s + i)) == 0)
		return 0;
	*refwd_r = true;
	return i + r;
}

/* subject_strip_front - steps 3 to 5: leaders, then a blob that does not leave the subject
 * empty, until neither applies */
static size_t subject_strip_front(char *s, size_t len, bool *reply)
{
	size_t skip = 0, n;
	bool changed = true;

	while (changed) {
		changed = false;
		while ((n = subject_leader(s + skip, reply)) > 0) {
			skip += n;
			changed = true;
		}
		n = subject_blob(s + skip);
		if (n > 0 && skip + n < len) {
			skip += n;
			changed = true;
		}
	}
	memmove(s, s + skip, len - skip + 1);
	return len - skip;
}

/* sort_subject_base - RFC 5256 2.1 steps 1 to 7 */
size_t sort_subject_base(const char *subject, char *out, size_t size, bool *reply_r)
{
	bool reply = false;
	size_t len = subject_normalize(subject != NULL ? subject : "", out, size);

	for (;;) {
		reply |= subject_trailer(out, &len);                 /* step 2 */
		len = subject_strip_front(out, len, &reply);        /* steps 3-5 */
		/* step 6: "[fwd:" ... "]" wraps a forwarded subject; unwrap and go again */
		if (len >= 6 && strncmp(out, "[fwd:", 5) == 0 && out[len - 1] == ']') {
			len -= 6;
			memmove(out, out + 5, len);
			out[len] = '\0';
			reply = true;
			continue;
		}
		break;
	}
	if (reply_r != NULL)
		*reply_r = reply;
	return len;
}
