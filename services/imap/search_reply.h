/* search_reply - the untagged answers of SEARCH (RFC 3501 7.2.5, RFC 9051 7.3.4), ESEARCH
 * (RFC 4731 3.1), SORT and THREAD (RFC 5256 4), with MODSEQ where RFC 7162 3.1.5 asks. */
#ifndef MERPATI_IMAP_SEARCH_REPLY_H
#define MERPATI_IMAP_SEARCH_REPLY_H

#include "services/imap/imap.h"
#include "services/imap/search_job.h"

/* search_reply_list - "* SEARCH n n ..." or "* SORT n n ...": word, the numbers in order,
 * then "(MODSEQ m)" when with_modseq and something matched */
void search_reply_list(struct imap_session *s, const char *word, const struct search_job *j,
		       bool with_modseq);
/* search_reply_esearch - "* ESEARCH (TAG "t") [UID] MIN MAX COUNT ALL [MODSEQ]" with the
 * options ret asked for (SEARCH_RETURN_*); nothing but the tag (and UID) when no match */
void search_reply_esearch(struct imap_session *s, const char *tag, bool uid, unsigned ret,
			  const struct search_job *j, bool with_modseq);
/* search_reply_set - ascending numbers as a compact sequence set ("2,4:7") */
void search_reply_set(struct imap_session *s, const uint32_t *nums, size_t n);

#endif
