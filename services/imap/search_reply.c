/* search_reply.c - SEARCH, ESEARCH, SORT and THREAD responses */
#include "services/imap/search_reply.h"
#include "services/imap/search_program.h"

#include <inttypes.h>
#include <string.h>

/* search_reply_list - numbers in the job's order */
void search_reply_list(struct imap_session *s, const char *word, const struct search_job *j,
		       bool with_modseq)
{
	imap_reply_printf(s, "* %s", word);
	for (size_t i = 0; i < j->n; i++)
		imap_reply_printf(s, " %" PRIu32, j->nums[i]);
	if (with_modseq && j->n > 0)
		imap_reply_printf(s, " (MODSEQ %" PRIu64 ")", j->highest_modseq);
	imap_reply_crlf(s);
}

/* search_reply_set - runs of consecutive numbers become lo:hi */
void search_reply_set(struct imap_session *s, const uint32_t *nums, size_t n)
{
	for (size_t i = 0; i < n; ) {
		size_t k = i;

		while (k + 1 < n && nums[k + 1] == nums[k] + 1)
			k++;
		imap_reply_printf(s, "%s%" PRIu32, i > 0 ? "," : "", nums[i]);
		if (k > i)
			imap_reply_printf(s, ":%" PRIu32, nums[k]);
		i = k + 1;
	}
}

/* esearch_modseq - RFC 7162 3.1.5 with RFC 4731: the highest modseq of what is returned;
 * MIN/MAX alone return only those messages */
static uint64_t esearch_modseq(unsigned ret, const struct search_job *j)
{
	uint64_t m = 0;

	if (ret & (SEARCH_RETURN_ALL | SEARCH_RETURN_COUNT))
		return j->highest_modseq;
	if (ret & SEARCH_RETURN_MIN)
		m = j->modseqs[0];
	if ((ret & SEARCH_RETURN_MAX) && j->modseqs[j->n - 1] > m)
		m = j->modseqs[j->n - 1];
	return m;
}

/* search_reply_esearch - the options in RFC 4731's order of description */
void search_reply_esearch(struct imap_session *s, const char *tag, bool uid, unsigned ret,
			  const struct search_job *j, bool with_modseq)
{
	imap_reply_printf(s, "* ESEARCH (TAG ");
	imap_reply_string(s, tag, strlen(tag));
	imap_reply_printf(s, ")%s", uid ? " UID" : "");
	if (j->n > 0 && (ret & SEARCH_RETURN_MIN))
		imap_reply_printf(s, " MIN %" PRIu32, j->nums[0]);
	if (j->n > 0 && (ret & SEARCH_RETURN_MAX))
		imap_reply_printf(s, " MAX %" PRIu32, j->nums[j->n - 1]);
	if (ret & SEARCH_RETURN_COUNT)
		imap_reply_printf(s, " COUNT %zu", j->n);
	if (j->n > 0 && (ret & SEARCH_RETURN_ALL)) {
		imap_reply_printf(s, " ALL ");
		search_reply_set(s, j->nums, j->n);
	}
	if (with_modseq && j->n > 0 && (ret & (SEARCH_RETURN_MIN | SEARCH_RETURN_MAX |
					       SEARCH_RETURN_ALL | SEARCH_RETURN_COUNT)))
		imap_reply_printf(s, " MODSEQ %" PRIu64, esearch_modseq(ret, j));
	imap_reply_crlf(s);
}
