/* web_api_send - send (enqueue like SMTP submission, then a copy in Sent) and drafts. */
#include "services/webmail/web_answered.h"
#include "services/webmail/web_api.h"
#include "services/webmail/web_forward.h"
#include "services/webmail/web_compose.h"
#include "services/webmail/web_routes.h"
#include "services/webmail/web_uploads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "config/config.h"
#include "log/log.h"
#include "queue/queue.h"
#include "store/account.h"
#include "store/db.h"
#include "store/imap_msg_append.h"
#include "store/web_identity.h"

/* sender_of - the From address: "from" of the body or the account's own, and the display
 * name of its identity; 1 allowed, 0 refused, -1 error. An address the account may not send
 * as at all is 403 (RFC 6409 6.1: the submitter may only use its own); one it may use but
 * has not made one of its identities (PUT /api/identities) is 400. */
static int sender_of(PGconn *conn, struct web_call *call, const char **from_r,
		     char name[WEB_IDENTITY_NAME_MAX + 1], const char **error_r)
{
	const char *from = json_string_value(json_object_get(call->in, "from"));
	int r;

	name[0] = '\0';
	if (from == NULL || from[0] == '\0') {
		*from_r = call->address;
		return web_identity_find(conn, call->account_id, call->address, call->address,
					 name, WEB_IDENTITY_NAME_MAX + 1, error_r) < 0 ? -1 : 1;
	}
	if (strlen(from) >= STORE_ADDRESS_SIZE) {
		web_call_error(call, 400, "bad_request", "from too long");
		return 0;
	}
	*from_r = from;
	if ((r = store_account_may_send_as(conn, call->account_id, from, error_r)) == 0)
		web_call_error(call, 403, "forbidden", "this account may not send as that address");
	if (r <= 0)
		return r;
	if ((r = web_identity_find(conn, call->account_id, call->address, from, name,
				   WEB_IDENTITY_NAME_MAX + 1, error_r)) == 0)
		web_call_error(call, 400, "bad_request", "from is not one of the account's identities");
	return r;
}

/* enqueue - the job smtp-in's submission listener would make */
static int enqueue(PGconn *conn, struct web_call *call, const char *from,
		   const struct web_compose *c, int64_t *job_r, const char **error_r)
{
	struct queue_in_job job;
	struct queue_rcpt *rcpts = calloc(c->nrcpts, sizeof(*rcpts));
	int r;

	if (rcpts == NULL)
		abort();
	memset(&job, 0, sizeof(job));
	snprintf(job.sender, sizeof(job.sender), "%s", from);
	snprintf(job.client_ip, sizeof(job.client_ip), "%.*s", QUEUE_IP_MAX, call->client_ip);
	snprintf(job.helo, sizeof(job.helo), "webmail");
	job.auth_account_id = call->account_id;
	job.listener = QUEUE_LISTENER_SUBMISSION;
	for (size_t i = 0; i < c->nrcpts; i++)
		snprintf(rcpts[i].address, sizeof(rcpts[i].address), "%s", c->rcpts[i]);
	job.rcpts = rcpts;
	job.nrcpts = c->nrcpts;
	r = queue_in_insert(conn, &job, c->wire, c->wire_len, error_r);
	free(rcpts);
	*job_r = job.id;
	return r;
}

/* append_special - store msg in the account's mailbox with this special use */
static int append_special(PGconn *conn, int64_t account_id, const char *special,
			  const char *msg, size_t len, unsigned flags, int64_t *mailbox_r,
			  uint32_t *uid_r, const char **error_r)
{
	struct store_mailbox mb;
	struct imap_msg_append a = {0};
	uint32_t uidvalidity;
	uint64_t modseq;
	int r = store_mailbox_find_special(conn, account_id, special, &mb, error_r);

	if (r <= 0)
		return r < 0 ? -1 : 0;
	a.mailbox_id = mb.id;
	a.data = msg;
	a.len = len;
	a.flags = flags;
	*mailbox_r = mb.id;
	if (imap_msg_append_one(conn, &a, &uidvalidity, uid_r, &modseq, error_r) < 0)
		return -1;
	return 1;
}

/* struct attach - the uploads a compose object names and the message it forwards, as
 * files for web_compose */
struct attach {
	struct web_upload uploads[WEB_UPLOADS_PER_MESSAGE];
	struct web_compose_file files[WEB_UPLOADS_PER_MESSAGE + 1];
	size_t n, nfiles;
	char *forwarded;  /* malloc'd, or NULL */
	size_t forwarded_len;
};

/* attach_load - the uploads of "attachments" and the message "forward" names (attached as
 * message/rfc822); 1 loaded, 0 refused (404 another account's or unknown id or a message
 * the caller may not read, 413 over MERPATI_WEBMAIL_MAX_UPLOAD, 400 bad shape), -1 error */
static int attach_load(PGconn *conn, struct web_call *call, struct attach *a,
		       const char **error_r)
{
	int r = web_uploads_load(conn, call->account_id, json_object_get(call->in, "attachments"),
				 call->cfg->max_upload, a->uploads, &a->n, error_r);

	if (r == 0)
		web_call_error(call, 404, "not_found", "no such upload");
	else if (r == -2)
		web_call_error(call, 413, "too_large", "the attachments are over the message limit");
	else if (r == -3)
		web_call_error(call, 400, "bad_request", "attachments: an array of upload ids");
	if (r != 1)
		return r == -1 ? -1 : 0;
	for (size_t i = 0; i < a->n; i++)
		a->files[i] = (struct web_compose_file){a->uploads[i].filename,
			a->uploads[i].type, a->uploads[i].data, a->uploads[i].len};
	a->nfiles = a->n;
	if ((r = web_forward_load(conn, call, &a->forwarded, &a->forwarded_len, error_r)) == 1)
		a->files[a->nfiles++] = (struct web_compose_file){"forwarded.eml",
			"message/rfc822", a->forwarded, a->forwarded_len};
	return r == 2 ? 1 : r;
}

/* build - the message from the compose object and the loaded uploads; 1 built, 0 400 set */
static int build(struct web_call *call, const char *from, const char *from_name,
		 const struct attach *a, struct web_compose *c, bool need_rcpt)
{
	const char *why;

	if (web_compose_build(call->in, from, from_name, config_hostname(), a->files, a->nfiles, c, &why) < 0) {
		web_call_error(call, 400, "bad_request", why);
		return 0;
	}
	if (need_rcpt && c->nrcpts == 0) {
		web_call_error(call, 400, "bad_request", "at least one valid recipient is required");
		web_compose_free(c);
		return 0;
	}
	return 1;
}

/* after_send - what follows a queued message: the uploads it carried are removed, the
 * message it replies to is \Answered, a copy goes to Sent; 1 Sent copy made, 0 not */
static int after_send(PGconn *conn, struct web_call *call, const struct attach *a,
		      const struct web_compose *c, uint32_t *uid_r, const char **error_r)
{
	int64_t sent = 0;
	int r;

	/* the message is on its way: what fails from here is logged or reported, not fatal */
	if (web_uploads_delete(conn, call->account_id, a->uploads, a->n, error_r) < 0)
		log_warn("event=upload_delete_failed error=\"%s\"", *error_r);
	if (web_answered_mark(conn, call, json_string_value(json_object_get(call->in,
			      "in_reply_to")), error_r) < 0)
		log_warn("event=answered_failed error=\"%s\"", *error_r);
	r = append_special(conn, call->account_id, "\\Sent", c->with_bcc, c->with_bcc_len,
			   STORE_FLAG_SEEN, &sent, uid_r, error_r);
	if (r > 0)
		web_call_changed(call, call->account_id, sent, MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_APPEND);
	return r > 0;
}

int web_api_send(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct attach *a = calloc(1, sizeof(*a));
	struct web_compose c;
	const char *from;
	char name[WEB_IDENTITY_NAME_MAX + 1];
	int64_t job = 0;
	uint32_t uid = 0;
	int r;

	if (a == NULL)
		abort();
	if ((r = sender_of(conn, call, &from, name, error_r)) <= 0 ||
	    (r = attach_load(conn, call, a, error_r)) <= 0 ||
	    (r = build(call, from, name, a, &c, true)) <= 0)
		goto out;
	if ((r = enqueue(conn, call, from, &c, &job, error_r)) < 0) {
		web_compose_free(&c);
		goto out;
	}
	call->queued_job = job;
	r = after_send(conn, call, a, &c, &uid, error_r);
	web_call_json(call, 200, json_pack("{s:b, s:s, s:I, s:b}", "queued", 1, "message_id",
					   c.message_id, "sent_uid", (json_int_t)uid,
					   "sent_copy", r));
	web_compose_free(&c);
	r = 0;
out:
	web_uploads_free(a->uploads, a->n);
	free(a->forwarded);
	free(a);
	return r < 0 ? -1 : 0;
}

/* save_draft - append c to Drafts with \Seen \Draft and expunge the draft it replaces;
 * 1 saved, 0 400 set (no Drafts folder), -1 error */
static int save_draft(PGconn *conn, struct web_call *call, const struct web_compose *c,
		      const char **error_r)
{
	json_int_t old = json_integer_value(json_object_get(call->in, "replace_uid"));
	int64_t drafts = 0;
	uint32_t uid = 0, old_uid;
	uint64_t modseq;
	int r = append_special(conn, call->account_id, "\\Drafts", c->with_bcc, c->with_bcc_len,
			       STORE_FLAG_SEEN | STORE_FLAG_DRAFT, &drafts, &uid, error_r);

	if (r <= 0) {
		if (r == 0)
			web_call_error(call, 400, "bad_request", "the account has no Drafts folder");
		return r;
	}
	if (old > 0 && old <= 4294967295LL) {
		old_uid = (uint32_t)old;
		if (store_mailbox_expunge(conn, drafts, &old_uid, 1, NULL, NULL, &modseq,
					  error_r) < 0)
			return -1;
	}
	web_call_changed(call, call->account_id, drafts, MERPATI__MAILBOX_EVENT_KIND__MAILBOX_EVENT_APPEND);
	web_call_json(call, 200, json_pack("{s:I, s:I}", "folder", (json_int_t)drafts, "uid",
					   (json_int_t)uid));
	return 1;
}

int web_api_drafts(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct attach *a = calloc(1, sizeof(*a));
	struct web_compose c;
	const char *from;
	char name[WEB_IDENTITY_NAME_MAX + 1];
	int r;

	if (a == NULL)
		abort();
	/* the uploads stay: the draft is sent later, or they expire */
	if ((r = sender_of(conn, call, &from, name, error_r)) > 0 &&
	    (r = attach_load(conn, call, a, error_r)) > 0 &&
	    (r = build(call, from, name, a, &c, false)) > 0) {
		r = save_draft(conn, call, &c, error_r);
		web_compose_free(&c);
	}
	web_uploads_free(a->uploads, a->n);
	free(a->forwarded);
	free(a);
	return r < 0 ? -1 : 0;
}
