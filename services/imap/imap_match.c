/* imap_match - wildcard matching with a step budget. */
#include <string.h>
#include <strings.h>

#include "services/imap/imap_match.h"

#define MATCH_BUDGET 200000  /* comparison steps per name */

/* match_at - recursive matcher; *budget bounds the backtracking */
static bool match_at(const char *p, const char *n, long *budget)
{
	for (; *p != '\0'; p++, n++) {
		if (--*budget < 0)
			return false;
		if (*p == '*' || *p == '%') {
			bool star = *p == '*';

			while (p[1] == '*' || p[1] == '%')
				star |= *++p == '*';
			for (const char *k = n; ; k++) {
				if (match_at(p + 1, k, budget))
					return true;
				if (*k == '\0' || (!star && *k == '/') || *budget < 0)
					return false;
			}
		}
		if (*n == '\0' || *p != *n)
			return false;
	}
	return *n == '\0';
}

/* imap_match - INBOX (and INBOX/...) compared case-insensitively (RFC 3501 5.1) */
bool imap_match(const char *pattern, const char *name)
{
	long budget = MATCH_BUDGET;
	if (strncasecmp(pattern, "INBOX", 5) == 0 && strncmp(name, "INBOX", 5) == 0 &&
	    (pattern[5] == '\0' || pattern[5] == '/' || pattern[5] == '*' || pattern[5] == '%')) {
		return match_at(pattern + 5, name + 5, &budget);
	}
	return match_at(pattern, name, &budget);
}
