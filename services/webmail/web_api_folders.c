/* web_api_folders - list, create, rename and delete folders (own and shared per ACL,
 * RFC 4314). */
#include "services/webmail/web_api.h"
#include "services/webmail/web_routes.h"

#include <string.h>
#include <strings.h>

#include "bus/bus.h"
#include "store/db.h"

int web_api_folder_access(PGconn *conn, struct web_call *call, const char *need,
			  struct store_mailbox *mb, char rights[STORE_ACL_RIGHTS_SIZE],
			  const char **error_r)
{
	int r = store_acl_rights(conn, call->account_id, call->ids[0], rights, error_r);

	if (r < 0)
		return -1;
	if (r == 0 || (!store_acl_has(rights, "l") && !store_acl_has(rights, "r"))) {
		web_call_error(call, 404, "not_found", "no such folder");
		return 0;
	}
	if (!store_acl_has(rights, need)) {
		web_call_error(call, 403, "forbidden", "not allowed on this folder");
		return 0;
	}
	if ((r = store_mailbox_get(conn, call->ids[0], mb, error_r)) <= 0) {
		if (r == 0)
			web_call_error(call, 404, "not_found", "no such folder");
		return r;
	}
	return 1;
}

json_t *web_api_folder_json(const struct store_mailbox *mb, const char *owner, bool shared,
			    const char *rights)
{
	const char *su = mb->special_use;

	if (su[0] == '\0' && strcmp(mb->name, "INBOX") == 0)
		su = "\\Inbox";
	return json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:I}",
			 "id", (json_int_t)mb->id, "name", mb->name, "special_use", su,
			 "owner", owner, "shared", shared, "rights", rights,
			 "messages", (json_int_t)mb->messages, "unseen", (json_int_t)mb->unseen,
			 "size", (json_int_t)mb->total_size,
			 "uidvalidity", (json_int_t)mb->uidvalidity,
			 "highestmodseq", (json_int_t)mb->highestmodseq);
}

struct list_ctx {
	json_t *arr;
	const char *owner;
};

/* list_own - one of the account's own mailboxes */
static int list_own(const struct store_mailbox *m, void *arg)
{
	struct list_ctx *c = arg;

	json_array_append_new(c->arr, web_api_folder_json(m, c->owner, false, STORE_ACL_ALL));
	return 0;
}

/* list_shared - one mailbox another account shares with us */
static int list_shared(const struct store_acl_shared *s, void *arg)
{
	struct list_ctx *c = arg;

	json_array_append_new(c->arr, web_api_folder_json(&s->mailbox, s->owner, true, s->rights));
	return 0;
}

int web_api_folders_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct list_ctx c = {json_array(), call->address};

	if (store_mailbox_list(conn, call->account_id, list_own, &c, error_r) < 0 ||
	    store_acl_shared_list(conn, call->account_id, list_shared, &c, error_r) < 0) {
		json_decref(c.arr);
		return -1;
	}
	web_call_json(call, 200, json_pack("{s:o}", "folders", c.arr));
	return 0;
}

/* name_ok - a folder name the API accepts: 1..1024 bytes, no '/' at either end, no "//",
 * no control characters */
static bool name_ok(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > STORE_MAILBOX_NAME_MAX || name[0] == '/' || name[n - 1] == '/' ||
	    strstr(name, "//") != NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

int web_api_folders_create(PGconn *conn, struct web_call *call, const char **error_r)
{
	const char *name = json_string_value(json_object_get(call->in, "name"));
	struct store_mailbox mb;
	int64_t id;

	if (!name_ok(name)) {
		web_call_error(call, 400, "bad_request", "invalid folder name");
		return 0;
	}
	if (store_mailbox_find(conn, call->account_id, name, &mb, error_r) != 0) {
		web_call_error(call, 409, "exists", "a folder with this name exists");
		return 0;
	}
	if (store_mailbox_create(conn, call->account_id, name, NULL, &id, error_r) < 0) {
		if (!db_error_unique())
			return -1;
		web_call_error(call, 409, "exists", "a folder with this name exists");
		return 0;
	}
	if (store_mailbox_get(conn, id, &mb, error_r) <= 0)
		return -1;
	web_call_changed(call, call->account_id, id, MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_CREATE);
	web_call_json(call, 201, json_pack("{s:o}", "folder",
					   web_api_folder_json(&mb, call->address, false,
							       STORE_ACL_ALL)));
	return 0;
}

/* own_folder - the folder is the caller's own and not INBOX; 0 with 400/403/404 set */
static int own_folder(PGconn *conn, struct web_call *call, struct store_mailbox *mb,
		      const char **error_r)
{
	char rights[STORE_ACL_RIGHTS_SIZE];
	int r = web_api_folder_access(conn, call, "x", mb, rights, error_r);

	if (r <= 0)
		return r;
	if (mb->account_id != call->account_id) {
		web_call_error(call, 403, "forbidden", "only the owner renames or deletes a folder");
		return 0;
	}
	if (strcasecmp(mb->name, "INBOX") == 0) {
		web_call_error(call, 400, "bad_request", "INBOX cannot be renamed or deleted");
		return 0;
	}
	return 1;
}

int web_api_folders_rename(PGconn *conn, struct web_call *call, const char **error_r)
{
	const char *name = json_string_value(json_object_get(call->in, "name"));
	struct store_mailbox mb, other;
	int r;

	if (!name_ok(name)) {
		web_call_error(call, 400, "bad_request", "invalid folder name");
		return 0;
	}
	if ((r = own_folder(conn, call, &mb, error_r)) <= 0)
		return r;
	if ((r = store_mailbox_find(conn, call->account_id, name, &other, error_r)) != 0) {
		if (r > 0)
			web_call_error(call, 409, "exists", "a folder with this name exists");
		return r < 0 ? -1 : 0;
	}
	if (store_mailbox_rename(conn, call->account_id, mb.name, name, error_r) < 0 ||
	    store_mailbox_get(conn, mb.id, &mb, error_r) <= 0)
		return -1;
	web_call_changed(call, call->account_id, mb.id, MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_RENAME);
	web_call_json(call, 200, json_pack("{s:o}", "folder",
					   web_api_folder_json(&mb, call->address, false,
							       STORE_ACL_ALL)));
	return 0;
}

int web_api_folders_delete(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct store_mailbox mb;
	int r;

	if ((r = own_folder(conn, call, &mb, error_r)) <= 0)
		return r;
	if (store_mailbox_delete(conn, call->account_id, mb.name, error_r) < 0)
		return -1;
	web_call_changed(call, call->account_id, mb.id, MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_DELETE);
	web_call_json(call, 200, json_object());
	return 0;
}

/* watch_shared - remember a shared mailbox the stream follows */
static int watch_shared(const struct store_acl_shared *s, void *arg)
{
	struct web_call *call = arg;

	if (call->nwatch == WEB_WATCH_MAX)
		return 1;
	call->watch[call->nwatch++] = s->mailbox.id;
	return 0;
}

int web_api_events(PGconn *conn, struct web_call *call, const char **error_r)
{
	if (store_acl_shared_list(conn, call->account_id, watch_shared, call, error_r) < 0)
		return -1;
	call->status = 200;
	call->stream = true;
	return 0;
}
