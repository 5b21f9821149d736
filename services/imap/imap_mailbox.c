/* imap_mailbox - mailbox names on the wire (RFC 3501 5.1, 5.1.3; RFC 6855 3) and their
 * resolution to the account's own mailboxes or the shared namespace (RFC 2342 5). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "services/imap/imap.h"
#include "services/imap/imap_utf7.h"
#include "store/imap_list.h"

/* mailbox_utf8 - names are UTF-8 on the wire once the client enabled it */
static bool mailbox_utf8(const struct imap_session *s)
{
	return (s->enabled & (IMAP_ENABLED_UTF8 | IMAP_ENABLED_REV2)) != 0;
}

/* imap_mailbox_name - see imap.h */
const char *imap_mailbox_name(const struct imap_session *s, const struct imap_arg *a,
			      struct imap_arena *arena, const char **error_r)
{
	const char *raw = imap_arg_astring(a);
	char *out;

	if (raw == NULL || raw[0] == '\0' || strlen(raw) > STORE_MAILBOX_NAME_MAX) {
		*error_r = "Invalid mailbox name";
		return NULL;
	}
	if (strcasecmp(raw, "INBOX") == 0)
		return "INBOX";
	if (mailbox_utf8(s))
		return raw;
	out = imap_arena_alloc(arena, STORE_MAILBOX_NAME_MAX + 1);
	if (imap_utf7_decode(raw, out, STORE_MAILBOX_NAME_MAX + 1) < 0) {
		*error_r = "Invalid modified UTF-7 mailbox name";
		return NULL;
	}
	return out;
}

/* imap_reply_mailbox - see imap.h */
void imap_reply_mailbox(struct imap_session *s, const char *utf8_name)
{
	char enc[STORE_MAILBOX_NAME_MAX * 3 + 8];

	if (!mailbox_utf8(s) && imap_utf7_encode(utf8_name, enc, sizeof(enc)) == 0) {
		imap_reply_astring(s, enc);
		return;
	}
	imap_reply_astring(s, utf8_name);
}

/* mailbox_split_shared - "Shared/<owner>/<name>" into owner and name */
static bool mailbox_split_shared(const char *name, char *owner, size_t size,
				 const char **rest_r)
{
	const char *p, *slash;

	if (strncmp(name, IMAP_SHARED_PREFIX, strlen(IMAP_SHARED_PREFIX)) != 0)
		return false;
	p = name + strlen(IMAP_SHARED_PREFIX);
	if ((slash = strchr(p, '/')) == NULL || slash == p || (size_t)(slash - p) >= size ||
	    slash[1] == '\0')
		return false;
	memcpy(owner, p, (size_t)(slash - p));
	owner[slash - p] = '\0';
	*rest_r = slash + 1;
	return true;
}

/* imap_mailbox_resolve - see imap.h */
int imap_mailbox_resolve(PGconn *conn, int64_t account_id, const char *utf8_name,
			 struct imap_mailbox_ref *out, const char **error_r)
{
	struct store_mailbox m;
	struct store_imap_shared sh;
	char owner[STORE_ADDRESS_SIZE];
	const char *rest;
	int r;

	memset(out, 0, sizeof(*out));
	if (mailbox_split_shared(utf8_name, owner, sizeof(owner), &rest)) {
		if ((r = store_imap_shared_find(conn, account_id, owner, rest, &sh, error_r)) <= 0)
			return r;
		out->mailbox_id = sh.mailbox.id;
		out->owner_id = sh.mailbox.account_id;
		snprintf(out->name, sizeof(out->name), "%s", sh.mailbox.name);
		snprintf(out->rights, sizeof(out->rights), "%s", sh.rights);
		out->shared = true;
		return 1;
	}
	if ((r = store_mailbox_find(conn, account_id, utf8_name, &m, error_r)) <= 0)
		return r;
	out->mailbox_id = m.id;
	out->owner_id = account_id;
	snprintf(out->name, sizeof(out->name), "%s", m.name);
	snprintf(out->rights, sizeof(out->rights), "%s", "lrswipkxtea");
	return 1;
}
