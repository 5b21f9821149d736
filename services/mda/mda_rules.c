/* mda_rules.c - filter rules at delivery: conditions on From, To/Cc, Subject, any header
 * and size; actions fileinto, redirect, flag, seen, discard, stop (rules/rule_check.h) */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "log/log.h"
#include "store/db.h"
#include "store/db_prepared.h"
#include "services/mda/mda_rules.h"

/* contains - case-insensitive substring (RFC 5228 2.7.1 :contains, i;ascii-casemap) */
static bool contains(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
}

/* header_contains - does some field `name` of the header text hold value? The text is
 * mime_meta.headers: one "Name: value" line per field, unfolded and decoded */
static bool header_contains(const char *headers, const char *name, const char *value)
{
	size_t nlen = strlen(name);

	for (const char *line = headers; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);

		if (len > nlen + 1 && g_ascii_strncasecmp(line, name, nlen) == 0 &&
		    line[nlen] == ':') {
			char *v = g_strndup(line + nlen + 1, len - nlen - 1);
			bool hit = contains(v, value);
			g_free(v);
			if (hit)
				return true;
		}
		line = end != NULL ? end + 1 : NULL;
	}
	return false;
}

/* condition_holds - one condition object; -1 when it is malformed */
static int condition_holds(json_t *c, const struct mime_meta *m, int64_t size)
{
	const char *field = json_string_value(json_object_get(c, "field"));
	const char *op = json_string_value(json_object_get(c, "op"));
	json_t *value = json_object_get(c, "value");
	const char *text = json_string_value(value);

	if (field == NULL || op == NULL)
		return -1;
	if (strcmp(field, "size") == 0) {
		json_int_t limit = json_is_integer(value) ? json_integer_value(value) : -1;
		if (limit < 0)
			return -1;
		if (strcmp(op, "over") == 0)
			return size > limit;
		return strcmp(op, "under") == 0 ? size < limit : -1;
	}
	if (text == NULL || strcmp(op, "contains") != 0)
		return -1;
	if (strcmp(field, "from") == 0)
		return contains(m->from, text);
	if (strcmp(field, "to") == 0)
		return contains(m->to, text) || contains(m->cc, text);
	if (strcmp(field, "subject") == 0)
		return contains(m->subject, text);
	if (strcmp(field, "header") == 0) {
		const char *name = json_string_value(json_object_get(c, "name"));
		return name != NULL ? header_contains(m->headers, name, text) : -1;
	}
	return -1;
}

/* add_flag - a system flag (RFC 3501 2.3.2) or a keyword, once */
static void add_flag(struct mda_rules_outcome *out, const char *flag)
{
	static const struct { const char *name; unsigned bit; } system[] = {
		{ "\\Seen", STORE_FLAG_SEEN }, { "\\Answered", STORE_FLAG_ANSWERED },
		{ "\\Flagged", STORE_FLAG_FLAGGED }, { "\\Deleted", STORE_FLAG_DELETED },
		{ "\\Draft", STORE_FLAG_DRAFT },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(system); i++) {
		if (g_ascii_strcasecmp(flag, system[i].name) == 0) {
			out->flags |= system[i].bit;
			return;
		}
	}
	if (flag[0] == '\\' || strlen(flag) > STORE_MAILBOX_KEYWORD_MAX)
		return;
	for (size_t i = 0; i < out->nkeywords; i++)
		if (g_ascii_strcasecmp(out->keywords[i], flag) == 0)
			return;
	if (out->nkeywords < STORE_MAILBOX_KEYWORDS_MAX)
		g_strlcpy(out->keywords[out->nkeywords++], flag, STORE_MAILBOX_KEYWORD_MAX + 1);
}

/* add_fileinto - file into a mailbox, once (RFC 5228 4.1: duplicates are one delivery) */
static void add_fileinto(struct mda_rules_outcome *out, const char *mailbox)
{
	for (size_t i = 0; i < out->nfileinto; i++)
		if (strcmp(out->fileinto[i], mailbox) == 0)
			return;
	if (out->nfileinto < MDA_RULES_FILEINTO_MAX && strlen(mailbox) <= STORE_MAILBOX_NAME_MAX)
		g_strlcpy(out->fileinto[out->nfileinto++], mailbox, STORE_MAILBOX_NAME_MAX + 1);
}

/* run_action - one action object; -1 when it is malformed */
static int run_action(json_t *a, struct mda_rules_outcome *out, bool *stop_r)
{
	const char *s;

	if ((s = json_string_value(json_object_get(a, "fileinto"))) != NULL) {
		add_fileinto(out, s);
		out->keep = false;
	} else if ((s = json_string_value(json_object_get(a, "redirect"))) != NULL) {
		if (out->nredirect < MDA_RULES_REDIRECT_MAX && strlen(s) <= STORE_ADDRESS_MAX)
			g_strlcpy(out->redirect[out->nredirect++], s, STORE_ADDRESS_SIZE);
		out->keep = false;
	} else if ((s = json_string_value(json_object_get(a, "flag"))) != NULL) {
		add_flag(out, s);
	} else if (json_is_true(json_object_get(a, "seen"))) {
		out->flags |= STORE_FLAG_SEEN;
	} else if (json_is_true(json_object_get(a, "discard"))) {
		out->keep = false;
	} else if (json_is_true(json_object_get(a, "stop"))) {
		*stop_r = true;
	} else {
		return -1;
	}
	return 0;
}

/* mda_rules_init - the outcome of no rules: keep into INBOX */
void mda_rules_init(struct mda_rules_outcome *out)
{
	memset(out, 0, sizeof(*out));
	out->keep = true;
}

/* check_conditions - 1 all hold, 0 one does not, -1 malformed */
static int check_conditions(json_t *conds, const struct mime_meta *m, int64_t size)
{
	size_t i;
	json_t *c;

	json_array_foreach(conds, i, c) {
		int r = condition_holds(c, m, size);
		if (r <= 0)
			return r;
	}
	return 1;
}

/* mda_rules_apply - evaluate one rule against the message */
int mda_rules_apply(const char *conditions, const char *actions, const struct mime_meta *m,
		    int64_t size, struct mda_rules_outcome *out, bool *stop_r,
		    const char **error_r)
{
	json_t *conds = json_loads(conditions, 0, NULL), *acts = json_loads(actions, 0, NULL);
	int r = -1;
	size_t i;
	json_t *a;

	*error_r = "malformed rule";
	if (json_is_array(conds) && json_is_array(acts) &&
	    (r = check_conditions(conds, m, size)) == 1) {
		/* the actions are checked first, so a malformed rule changes nothing */
		struct mda_rules_outcome copy = *out;
		bool stop = false;
		json_array_foreach(acts, i, a) {
			if (run_action(a, &copy, &stop) < 0) {
				r = -1;
				break;
			}
		}
		if (r == 1) {
			copy.matched++;
			*out = copy;
			*stop_r = stop;
		}
	}
	json_decref(conds);
	json_decref(acts);
	return r;
}

static const struct db_stmt rules_stmt = {
	"mda_rules",
	"SELECT id, conditions::text, actions::text FROM filter_rules"
	" WHERE account_id = $1 AND enabled ORDER BY position LIMIT $2", 2 };

/* mda_rules_run - read the account's enabled rules in position order and apply them */
int mda_rules_run(PGconn *conn, int64_t account_id, const struct mime_meta *m, int64_t size,
		  struct mda_rules_outcome *out, const char **error_r)
{
	char idbuf[24], limit[24];
	const char *params[] = { db_int64_param(idbuf, account_id), db_int64_param(limit, MDA_RULES_MAX) };
	PGresult *res = db_query_prepared(conn, &rules_stmt, params, error_r);
	bool stop = false;

	mda_rules_init(out);
	if (res == NULL)
		return -1;
	for (int i = 0; i < PQntuples(res) && !stop; i++) {
		const char *error;
		if (mda_rules_apply(db_get_str(res, i, 1), db_get_str(res, i, 2), m, size, out,
				    &stop, &error) < 0)
			log_warn("event=rule_skipped account=%lld rule=%lld error=\"%s\"",
				 (long long)account_id, (long long)db_get_int64(res, i, 0), error);
	}
	PQclear(res);
	return 0;
}
