/* web_api_contacts - the address book: list, autocomplete, create, edit, delete, and vCard
 * 4.0 export (RFC 6350). */
#include "services/webmail/web_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/web_contact.h"

#define AUTOCOMPLETE_MAX 10

/* contact_json - the contact object of docs/WEBMAIL-API.md */
static json_t *contact_json(const struct web_contact *c)
{
	return json_pack("{s:I, s:s, s:[s], s:s, s:s}", "id", (json_int_t)c->id, "name", c->name,
			 "emails", c->email, "phone", c->phone, "notes", c->notes);
}

/* append_contact - web_contact_fn adding to a JSON array */
static int append_contact(const struct web_contact *c, void *arg)
{
	json_array_append_new(arg, contact_json(c));
	return 0;
}

/* append_match - web_contact_fn adding {"name","email"} */
static int append_match(const struct web_contact *c, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s}", "name", c->name, "email", c->email));
	return 0;
}

int web_api_contacts_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	char q[256] = "";
	json_t *arr = json_array();

	web_call_query(call, "q", q, sizeof(q));
	if (web_contact_list(conn, call->account_id, q, WEB_CONTACT_LIST_MAX, append_contact, arr,
			     error_r) < 0) {
		json_decref(arr);
		return -1;
	}
	web_call_json(call, 200, json_pack("{s:o}", "contacts", arr));
	return 0;
}

int web_api_contacts_autocomplete(PGconn *conn, struct web_call *call, const char **error_r)
{
	char q[256] = "";
	json_t *arr;

	if (!web_call_query(call, "q", q, sizeof(q)) || q[0] == '\0') {
		web_call_error(call, 400, "bad_request", "q is required");
		return 0;
	}
	arr = json_array();
	if (web_contact_list(conn, call->account_id, q, AUTOCOMPLETE_MAX, append_match, arr,
			     error_r) < 0) {
		json_decref(arr);
		return -1;
	}
	web_call_json(call, 200, json_pack("{s:o}", "matches", arr));
	return 0;
}

/* field - a string member of at most max bytes without control characters except in
 * notes; "" when absent; NULL when bad */
static const char *field(const json_t *in, const char *key, size_t max, bool multiline)
{
	const json_t *v = json_object_get(in, key);
	const char *s;

	if (v == NULL)
		return "";
	if ((s = json_string_value(v)) == NULL || strlen(s) > max)
		return NULL;
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
			return NULL;
	return s;
}

/* contact_of - the contact in the body; -1 when a field is bad */
static int contact_of(const json_t *in, struct web_contact *c)
{
	const json_t *emails = json_object_get(in, "emails");
	const char *email = json_string_value(json_array_get(emails, 0));

	c->name = field(in, "name", WEB_CONTACT_NAME_MAX, false);
	c->phone = field(in, "phone", WEB_CONTACT_PHONE_MAX, false);
	c->notes = field(in, "notes", WEB_CONTACT_NOTES_MAX, true);
	c->email = email;
	if (c->name == NULL || c->phone == NULL || c->notes == NULL || !json_is_array(emails) ||
	    json_array_size(emails) != 1 || email == NULL || strlen(email) < 3 ||
	    strlen(email) > WEB_CONTACT_EMAIL_MAX || strchr(email, '@') == NULL ||
	    strpbrk(email, " \t\r\n<>,;\"") != NULL)
		return -1;
	return 0;
}

/* save - create or update, then answer with the stored row */
static int save(PGconn *conn, struct web_call *call, int64_t id, int ok_status,
		const char **error_r)
{
	struct web_contact c = {0};
	json_t *arr;
	int64_t saved;
	int r;

	if (contact_of(call->in, &c) < 0) {
		web_call_error(call, 400, "bad_request",
			       "emails must hold one address; name, phone, notes strings");
		return 0;
	}
	c.id = id;
	if ((r = web_contact_save(conn, call->account_id, &c, &saved, error_r)) == -1)
		return -1;
	if (r == -2 || r == 0) {
		web_call_error(call, r == 0 ? 404 : 409, r == 0 ? "not_found" : "exists",
			       r == 0 ? "no such contact" : "this address is in the book already");
		return 0;
	}
	arr = json_array();
	if (web_contact_get(conn, call->account_id, saved, append_contact, arr, error_r) != 1) {
		json_decref(arr);
		return -1;
	}
	web_call_json(call, ok_status, json_pack("{s:O}", "contact", json_array_get(arr, 0)));
	json_decref(arr);
	return 0;
}

int web_api_contacts_create(PGconn *conn, struct web_call *call, const char **error_r)
{
	return save(conn, call, 0, 201, error_r);
}

int web_api_contacts_update(PGconn *conn, struct web_call *call, const char **error_r)
{
	return save(conn, call, call->ids[0], 200, error_r);
}

int web_api_contacts_delete(PGconn *conn, struct web_call *call, const char **error_r)
{
	int r = web_contact_delete(conn, call->account_id, call->ids[0], error_r);

	if (r < 0)
		return -1;
	if (r == 0)
		web_call_error(call, 404, "not_found", "no such contact");
	else
		web_call_json(call, 200, json_object());
	return 0;
}

/* vcard_text - a value with RFC 6350 3.4 escaping (backslash, comma, semicolon, newline) */
static void vcard_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ',' || *s == ';')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s != '\r')
			fputc(*s, f);
	}
}

/* write_vcard - one VCARD (RFC 6350 6.1.4 FN, 6.4.2 EMAIL, 6.4.1 TEL, 6.7.2 NOTE) */
static int write_vcard(const struct web_contact *c, void *arg)
{
	FILE *f = arg;

	fputs("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:", f);
	vcard_text(f, c->name[0] != '\0' ? c->name : c->email);
	fputs("\r\nEMAIL:", f);
	vcard_text(f, c->email);
	if (c->phone[0] != '\0') {
		fputs("\r\nTEL:", f);
		vcard_text(f, c->phone);
	}
	if (c->notes[0] != '\0') {
		fputs("\r\nNOTE:", f);
		vcard_text(f, c->notes);
	}
	fputs("\r\nEND:VCARD\r\n", f);
	return 0;
}

int web_api_contacts_export(PGconn *conn, struct web_call *call, const char **error_r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (f == NULL)
		abort();
	r = web_contact_list(conn, call->account_id, NULL, WEB_CONTACT_LIST_MAX, write_vcard, f,
			     error_r);
	fclose(f);
	if (r < 0) {
		free(buf);
		return -1;
	}
	call->status = 200;
	call->body = buf;
	call->body_len = len;
	snprintf(call->content_type, sizeof(call->content_type), "text/vcard; charset=utf-8");
	snprintf(call->disposition, sizeof(call->disposition),
		 "attachment; filename=\"contacts.vcf\"");
	return 0;
}
