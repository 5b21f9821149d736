/* web_api_admin_shares - GET/POST/DELETE /api/admin/shares: what `merpati share list|add|
 * remove` do (lib/store/admin_share.c). A change publishes an "acl" MailboxEvent for the
 * grantee, so its webmail and IMAP IDLE see the shared folder come or go. */
#include "services/webmail/web_api_admin.h"

#include "bus/bus.h"
#include "store/admin_share.h"

/* append_share - store_admin_share_fn adding the share object to a JSON array */
static int append_share(const struct store_admin_share *s, void *arg)
{
	json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s}", "mailbox",
					     (json_int_t)s->mailbox_id, "owner", s->owner, "name",
					     s->mailbox, "grantee", s->grantee, "rights", s->rights));
	return 0;
}

int web_api_admin_shares_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	char in[WEB_ADMIN_PARAM_SIZE], address[STORE_ADDRESS_SIZE];
	bool one = web_call_query(call, "address", in, sizeof(in)) && in[0] != '\0';
	struct store_admin_result r;
	int64_t limit, offset;
	json_t *arr;

	if (!web_api_admin_page(call, &limit, &offset))
		return 0;
	if (one && store_admin_address(in, NULL, address, &r) != STORE_ADMIN_OK)
		return web_api_admin_fail(call, &r, error_r);
	arr = json_array();
	return web_api_admin_list_answer(call, "shares", arr, store_admin_share_list(
		conn, one ? address : NULL, limit, offset, append_share, arr, error_r));
}

struct share_change {
	const char *owner, *mailbox, *grantee, *rights; /* rights NULL: revoke */
	struct store_admin_share s;
};

/* share_change_tx - web_api_admin_tx_fn: grant or revoke */
static enum store_admin_code share_change_tx(PGconn *conn, void *arg,
					     struct store_admin_result *r)
{
	struct share_change *c = arg;

	if (c->rights != NULL)
		return store_admin_share_grant(conn, c->owner, c->mailbox, c->grantee, c->rights,
					       &c->s, r);
	return store_admin_share_revoke(conn, c->owner, c->mailbox, c->grantee, &c->s, r);
}

/* share_change - the body's owner, mailbox, grantee (and rights) applied in one
 * transaction */
static int share_change(PGconn *conn, struct web_call *call, bool grant, const char **error_r)
{
	struct share_change c = { 0 };
	struct store_admin_result r;
	int ret;

	if ((c.owner = web_api_admin_string(call, "owner", STORE_ADDRESS_MAX)) == NULL ||
	    (c.mailbox = web_api_admin_string(call, "mailbox", STORE_MAILBOX_NAME_MAX)) == NULL ||
	    (c.grantee = web_api_admin_string(call, "grantee", STORE_ADDRESS_MAX)) == NULL ||
	    (grant && (c.rights = web_api_admin_string(call, "rights", 64)) == NULL))
		return 0;
	if ((ret = web_api_admin_tx(conn, share_change_tx, &c, &r, error_r)) < 0)
		return -1;
	if (ret == 0) {
		web_api_admin_refuse(call, &r);
		return 0;
	}
	web_call_changed(call, c.s.grantee_id, c.s.mailbox_id,
			 MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_ACL);
	web_call_json(call, 200, json_object());
	return 0;
}

int web_api_admin_shares_grant(PGconn *conn, struct web_call *call, const char **error_r)
{
	return share_change(conn, call, true, error_r);
}

int web_api_admin_shares_revoke(PGconn *conn, struct web_call *call, const char **error_r)
{
	return share_change(conn, call, false, error_r);
}
