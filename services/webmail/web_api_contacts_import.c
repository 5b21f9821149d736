/* web_api_contacts_import - POST /api/contacts/import: vCard 3.0/4.0 cards (RFC 6350) into
 * the address book, all of them or (for a malformed body) none. */
#include "services/webmail/web_routes.h"
#include "services/webmail/web_vcard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/db.h"
#include "store/web_contact.h"

#define SKIPPED_LISTED_MAX 100  /* skipped entries the answer names one by one */

/* struct import - one import's input and, per db_tx attempt, its tallies */
struct import {
	const char *body;
	size_t len;
	int64_t account_id;
	size_t created, updated, skipped;
	json_t *skipped_list;
	struct web_vcard card;
};

/* type_ok - text/vcard (RFC 6350 10.1), or the older names clients still send */
static bool type_ok(const char *type)
{
	static const char *const names[] = {"text/vcard", "text/x-vcard", "text/directory"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		if (strncasecmp(type, names[i], n) == 0 && (type[n] == '\0' || type[n] == ';' ||
							    type[n] == ' '))
			return true;
	}
	return false;
}

/* check_all - parse every card once without the store: the count of cards, or -1 with a
 * message naming the card that is malformed */
static long check_all(const char *body, size_t len, struct web_vcard *card, char *why,
		      size_t size)
{
	size_t pos = 0;
	long cards = 0;
	const char *error = NULL;
	ssize_t n;

	while ((n = web_vcard_parse(body + pos, len - pos, card, &error)) > 0) {
		pos += (size_t)n;
		if (++cards > WEB_VCARD_CARDS_MAX) {
			snprintf(why, size, "more than %d cards in one import", WEB_VCARD_CARDS_MAX);
			return -1;
		}
	}
	if (n < 0) {
		snprintf(why, size, "card %ld: %s", cards + 1, error);
		return -1;
	}
	if (strspn(body + pos, " \t\r\n") != len - pos) {
		snprintf(why, size, "card %ld: no END:VCARD", cards + 1);
		return -1;
	}
	if (cards == 0)
		snprintf(why, size, "no vCard in the body");
	return cards;
}

/* has_control - a control character, but newline, return and tab when multiline */
static bool has_control(const char *s, bool multiline)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && !(multiline && (*s == '\n' || *s == '\r' ||
								*s == '\t')))
			return true;
	return false;
}

/* why_not - the reason an address of a card cannot be stored, or NULL: the rules of
 * POST /api/contacts */
static const char *why_not(const struct web_vcard *card, const char *email)
{
	if (card->problem != NULL)
		return card->problem;
	if (strlen(email) < 3 || strchr(email, '@') == NULL ||
	    strpbrk(email, " \t\r\n<>,;\"") != NULL || has_control(email, false))
		return "not an email address";
	if (has_control(card->name, false))
		return "FN holds a line break or control character";
	if (has_control(card->phone, false))
		return "TEL holds a line break or control character";
	return NULL;
}

/* skip - count a skipped address (or card) and name the first ones in the answer */
static void skip(struct import *im, long card, const char *email, const char *reason)
{
	if (im->skipped++ < SKIPPED_LISTED_MAX)
		json_array_append_new(im->skipped_list, json_pack("{s:i, s:s, s:s}", "card",
			(int)card, "email", email, "reason", reason));
}

/* import_card - every address of one card; -1 store error */
static int import_card(PGconn *conn, struct import *im, long index, const char **error_r)
{
	const struct web_vcard *card = &im->card;

	if (card->nemails == 0) {
		skip(im, index, "", card->problem != NULL ? card->problem : "no EMAIL");
		return 0;
	}
	for (size_t i = 0; i < card->nemails; i++) {
		const char *email = card->emails[i], *why = why_not(card, email);
		struct web_contact c = {0, card->name, email, card->phone, card->notes};
		int r;

		if (why != NULL) {
			skip(im, index, email, why);
			continue;
		}
		if ((r = web_contact_merge(conn, im->account_id, &c, error_r)) < 0)
			return -1;
		if (r == 1)
			im->created++;
		else
			im->updated++;
	}
	return 0;
}

/* import_tx - db_tx body: every card of the (already checked) body */
static int import_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct import *im = arg;
	const char *error;
	size_t pos = 0;
	long index = 0;
	ssize_t n;

	im->created = im->updated = im->skipped = 0;
	json_array_clear(im->skipped_list);
	while ((n = web_vcard_parse(im->body + pos, im->len - pos, &im->card, &error)) > 0) {
		pos += (size_t)n;
		if (import_card(conn, im, ++index, error_r) < 0)
			return -1;
	}
	return 0;
}

int web_api_contacts_import(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct import *im;
	char why[256];
	long cards;

	if (!type_ok(call->raw_type)) {
		web_call_error(call, 400, "bad_request", "the body must be text/vcard");
		return 0;
	}
	if (call->raw_len > WEB_VCARD_BODY_MAX) {
		web_call_error(call, 413, "too_large", "a vCard import is at most 1 MiB");
		return 0;
	}
	if ((im = calloc(1, sizeof(*im))) == NULL)
		abort();
	call->raw[call->raw_len] = '\0';
	if ((cards = check_all(call->raw, call->raw_len, &im->card, why, sizeof(why))) <= 0) {
		web_call_error(call, 400, "bad_request", why);
		free(im);
		return 0;
	}
	im->body = call->raw;
	im->len = call->raw_len;
	im->account_id = call->account_id;
	im->skipped_list = json_array();
	if (db_tx(conn, import_tx, im, error_r) < 0) {
		json_decref(im->skipped_list);
		free(im);
		return -1;
	}
	web_call_json(call, 200, json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "cards",
		(json_int_t)cards, "created", (json_int_t)im->created, "updated",
		(json_int_t)im->updated, "imported", (json_int_t)(im->created + im->updated),
		"skipped", (json_int_t)im->skipped, "skipped_list", im->skipped_list));
	free(im);
	return 0;
}
