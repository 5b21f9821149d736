/* imap_status - STATUS items from the mailbox row's counters. */
#include <string.h>

#include "services/imap/imap_status.h"
#include "store/imap_recent.h"

static const struct { const char *name; unsigned bit; } status_items[] = {
	{ "MESSAGES", IMAP_STATUS_MESSAGES }, { "RECENT", IMAP_STATUS_RECENT },
	{ "UIDNEXT", IMAP_STATUS_UIDNEXT }, { "UIDVALIDITY", IMAP_STATUS_UIDVALIDITY },
	{ "UNSEEN", IMAP_STATUS_UNSEEN }, { "SIZE", IMAP_STATUS_SIZE },
	{ "HIGHESTMODSEQ", IMAP_STATUS_HIGHESTMODSEQ }, { "DELETED", IMAP_STATUS_DELETED },
};
#define STATUS_NITEMS (sizeof(status_items) / sizeof(status_items[0]))

/* imap_status_items - see imap_status.h */
int imap_status_items(const struct imap_arg *list, unsigned *items_r)
{
	*items_r = 0;
	if (list->type != IMAP_ARG_LIST || list->count == 0)
		return -1;
	for (size_t i = 0; i < list->count; i++) {
		size_t k = 0;

		while (k < STATUS_NITEMS && !imap_arg_atom_is(&list->list[i], status_items[k].name))
			k++;
		if (k == STATUS_NITEMS)
			return -1;
		*items_r |= status_items[k].bit;
	}
	return 0;
}

/* imap_status_extra_read - see imap_status.h */
int imap_status_extra_read(PGconn *conn, int64_t mailbox_id, unsigned items,
			   struct imap_status_extra *out, const char **error_r)
{
	int64_t n;

	memset(out, 0, sizeof(*out));
	if (items & IMAP_STATUS_DELETED) {
		if ((n = store_mailbox_count_deleted(conn, mailbox_id, error_r)) < 0)
			return -1;
		out->deleted = (uint32_t)n;
	}
	if (items & IMAP_STATUS_RECENT) {
		if ((n = store_imap_recent_count(conn, mailbox_id, error_r)) < 0)
			return -1;
		out->recent = (uint32_t)n;
	}
	return 0;
}

/* status_value - one item's value */
static unsigned long long status_value(const struct store_mailbox *m,
				       const struct imap_status_extra *x, unsigned bit)
{
	switch (bit) {
	case IMAP_STATUS_DELETED: return x->deleted;
	case IMAP_STATUS_RECENT: return x->recent;
	case IMAP_STATUS_MESSAGES: return m->messages;
	case IMAP_STATUS_UIDNEXT: return m->uidnext;
	case IMAP_STATUS_UIDVALIDITY: return m->uidvalidity;
	case IMAP_STATUS_UNSEEN: return m->unseen;
	case IMAP_STATUS_SIZE: return (unsigned long long)m->total_size;
	case IMAP_STATUS_HIGHESTMODSEQ: return m->highestmodseq;
	default: return 0;
	}
}

/* imap_status_write - see imap_status.h */
void imap_status_write(struct imap_session *s, const char *name, const struct store_mailbox *m,
		       const struct imap_status_extra *x, unsigned items)
{
	const char *sep = "";

	imap_reply_raw(s, "* STATUS ", 9);
	imap_reply_mailbox(s, name);
	imap_reply_raw(s, " (", 2);
	for (size_t k = 0; k < STATUS_NITEMS; k++) {
		if (!(items & status_items[k].bit))
			continue;
		imap_reply_printf(s, "%s%s %llu", sep, status_items[k].name,
				  status_value(m, x, status_items[k].bit));
		sep = " ";
	}
	imap_reply_raw(s, ")\r\n", 3);
}
