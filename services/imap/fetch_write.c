/* fetch_write.c - one FETCH response's text (RFC 3501 7.4.2) */
#include "services/imap/fetch_write.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

/* write_internaldate - date-time "dd-Mon-yyyy hh:mm:ss +0000" (RFC 3501 9), in UTC */
static void write_internaldate(struct imap_session *s, int64_t when)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)when;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		tm = (struct tm){ .tm_mday = 1, .tm_year = 70 };
	imap_reply_printf(s, " INTERNALDATE \"%02d-%s-%04d %02d:%02d:%02d +0000\"", tm.tm_mday,
			  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* write_structure - a stored structure, or for a message stored without metadata the
 * structure of an unparsed text/plain body (RFC 3501 7.4.2) */
static void write_structure(struct imap_session *s, const char *name, const char *stored,
			    const struct imap_msg_row *row)
{
	imap_reply_printf(s, " %s ", name);
	if (stored != NULL)
		imap_reply_printf(s, "%s", stored);
	else
		imap_reply_printf(s, "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
				     "\"7bit\" %" PRId64 " 0)", row->size);
}

void fetch_write_begin(struct imap_session *s, uint32_t msn, const struct fetch_items *items,
		       const struct imap_msg_row *row, bool uid, bool flags)
{
	unsigned f = items->flags;

	imap_reply_printf(s, "* %" PRIu32 " FETCH (UID %" PRIu32, msn, row->uid);
	(void)uid; /* UID always leads: clients match responses by it (RFC 3501 6.4.8) */
	if ((f & FETCH_FLAGS) || flags) {
		imap_reply_printf(s, " FLAGS ");
		imap_reply_flags(s, imap_view_flags(s, msn, row->flags), row->keywords,
				 row->nkeywords);
	}
	if (f & FETCH_INTERNALDATE)
		write_internaldate(s, row->internal_date);
	if (f & FETCH_RFC822_SIZE)
		imap_reply_printf(s, " RFC822.SIZE %" PRId64, row->size);
	if (f & FETCH_ENVELOPE)
		imap_reply_printf(s, " ENVELOPE %s", row->envelope != NULL ? row->envelope :
			"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	if (f & FETCH_BODYSTRUCTURE)
		write_structure(s, "BODYSTRUCTURE", row->bodystructure, row);
	if (f & FETCH_BODY)
		write_structure(s, "BODY", row->body, row);
	/* a FLAGS change reported under CONDSTORE carries its MODSEQ (RFC 7162 3.1.4.1) */
	if ((f & FETCH_MODSEQ) || (flags && (s->enabled & IMAP_ENABLED_CONDSTORE)))
		imap_reply_printf(s, " MODSEQ (%" PRIu64 ")", row->modseq);
}

void fetch_write_section_head(struct imap_session *s, const struct fetch_section *sec)
{
	imap_reply_printf(s, " %s ", sec->reply_name);
}

bool fetch_write_part(struct imap_session *s, const struct fetch_section *sec,
		      const struct fetch_part *p)
{
	if (sec->kind == FETCH_SECTION_BINARY_SIZE) {
		imap_reply_printf(s, "%" PRIu64, p->exists ? p->size : 0);
		return true;
	}
	if (!p->exists) {
		imap_reply_printf(s, "\"\"");
		return true;
	}
	if (p->data != NULL) {
		/* literal8 only when needed: NUL octets (RFC 3516 4.2) */
		imap_reply_literal(s, p->data, p->len,
				   p->literal8 && memchr(p->data, '\0', p->len) != NULL);
		return true;
	}
	imap_reply_literal_begin(s, (uint64_t)(p->range.end - p->range.start), p->literal8);
	return false;
}

void fetch_write_end(struct imap_session *s)
{
	imap_reply_printf(s, ")");
	imap_reply_crlf(s);
}
