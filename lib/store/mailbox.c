/* mailbox.c - mailboxes, UID/modseq allocation, flags and expunge (RFC 3501, RFC 7162).
 *
 * Every change to a mailbox's messages first locks the mailbox row (an UPDATE or SELECT
 * ... FOR UPDATE on mailboxes), then reads uidnext/highestmodseq under that lock, so
 * concurrent appends from any number of connections get strictly ascending UIDs, and
 * counts move in the same transaction as the rows they count. */
#include "store/mailbox.h"
#include "store/db.h"
#include "store/db_prepared.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAILBOX_COLUMNS "id, account_id, name, coalesce(special_use, ''), subscribed, " \
			"uidvalidity, uidnext, highestmodseq, messages, unseen, total_size"
#define MAILBOX_UID_LIMIT "4294967296" /* uidnext at which a mailbox is full */

static const char *const mailbox_special_uses[] = {
	"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash", NULL
};

/* mailbox_from_row - fill a struct from a row of MAILBOX_COLUMNS */
static void mailbox_from_row(const PGresult *res, int row, struct store_mailbox *m)
{
	m->id = db_get_int64(res, row, 0);
	m->account_id = db_get_int64(res, row, 1);
	(void)db_copy_str(res, row, 2, m->name, sizeof(m->name));
	(void)db_copy_str(res, row, 3, m->special_use, sizeof(m->special_use));
	m->subscribed = db_get_bool(res, row, 4);
	m->uidvalidity = (uint32_t)db_get_int64(res, row, 5);
	m->uidnext = (uint32_t)db_get_int64(res, row, 6);
	m->highestmodseq = (uint64_t)db_get_int64(res, row, 7);
	m->messages = (uint32_t)db_get_int64(res, row, 8);
	m->unseen = (uint32_t)db_get_int64(res, row, 9);
	m->total_size = db_get_int64(res, row, 10);
}

/* The statements of every SELECT, STORE and expunge: prepared once per connection. */
static const struct db_stmt mailbox_find_stmt = { "mailbox_find",
	"SELECT " MAILBOX_COLUMNS " FROM mailboxes WHERE account_id = $1 AND name = $2", 2 };
static const struct db_stmt mailbox_get_stmt = { "mailbox_get",
	"SELECT " MAILBOX_COLUMNS " FROM mailboxes WHERE id = $1", 1 };
static const struct db_stmt mailbox_find_special_stmt = { "mailbox_find_special",
	"SELECT " MAILBOX_COLUMNS " FROM mailboxes WHERE account_id = $1 AND special_use = $2 "
	"ORDER BY id LIMIT 1", 2 };
/* LockRows sits above the sort: rows are locked in ascending id order */
static const struct db_stmt mailbox_lock_stmt = { "mailbox_lock",
	"SELECT id, (SELECT count(DISTINCT x) FROM unnest($1::bigint[]) x) "
	"FROM mailboxes WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE", 1 };
static const struct db_stmt mailbox_lock_modseq_stmt = { "mailbox_lock_modseq",
	"SELECT highestmodseq FROM mailboxes WHERE id = $1 FOR UPDATE", 1 };
static const struct db_stmt mailbox_finish_change_stmt = { "mailbox_finish_change",
	"WITH m AS (UPDATE mailboxes SET highestmodseq = $2, "
	"messages = messages + $3::int, unseen = unseen + $4::int, "
	"total_size = total_size + $5::bigint WHERE id = $1 RETURNING account_id) "
	"UPDATE accounts SET used_bytes = greatest(0, used_bytes + $5::bigint) "
	"WHERE $5::bigint <> 0 AND id = (SELECT account_id FROM m)", 5 };

/* mailbox_name - check a name and give its stored form: INBOX is case-insensitive
 * (RFC 3501 5.1); no control characters, no empty hierarchy levels */
static const char *mailbox_name(const char *name, const char **error_r)
{
	size_t len = strlen(name), i;

	if (strcasecmp(name, "INBOX") == 0)
		return "INBOX";
	if (len == 0 || len > STORE_MAILBOX_NAME_MAX) {
		db_fail("22023", error_r, "mailbox name must be 1 to %d bytes", STORE_MAILBOX_NAME_MAX);
		return NULL;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    (name[i] == '/' && (i == 0 || i == len - 1 || name[i + 1] == '/'))) {
			db_fail("22023", error_r, "malformed mailbox name");
			return NULL;
		}
	}
	return name;
}

/* mailbox_special_use_ok - NULL or one of the RFC 6154 attributes */
static bool mailbox_special_use_ok(const char *s)
{
	size_t i;

	if (s == NULL)
		return true;
	for (i = 0; mailbox_special_uses[i] != NULL; i++)
		if (strcmp(s, mailbox_special_uses[i]) == 0)
			return true;
	return false;
}

int store_mailbox_create_defaults(PGconn *conn, int64_t account_id, const char **error_r)
{
	char id[24];
	const char *params[1] = { db_int64_param(id, account_id) };

	return db_exec(conn, "INSERT INTO mailboxes (account_id, name, special_use) VALUES "
			     "($1, 'INBOX', NULL), ($1, 'Sent', '\\Sent'), "
			     "($1, 'Drafts', '\\Drafts'), ($1, 'Trash', '\\Trash'), "
			     "($1, 'Junk', '\\Junk'), ($1, 'Archive', '\\Archive') "
			     "ON CONFLICT (account_id, name) DO NOTHING", 1, params, error_r) < 0 ? -1 : 0;
}

int store_mailbox_create(PGconn *conn, int64_t account_id, const char *name,
			 const char *special_use, int64_t *id_r, const char **error_r)
{
	char id[24];
	const char *params[3] = { db_int64_param(id, account_id), mailbox_name(name, error_r),
				  special_use };
	PGresult *res;

	if (params[1] == NULL)
		return -1;
	if (!mailbox_special_use_ok(special_use))
		return db_fail("22023", error_r, "unknown special-use attribute");
	res = db_query(conn, "INSERT INTO mailboxes (account_id, name, special_use) "
			     "VALUES ($1, $2, $3) RETURNING id", 3, params, error_r);
	if (res == NULL) {
		if (db_error_unique())
			return db_fail("23505", error_r, "mailbox exists already");
		return -1;
	}
	if (id_r != NULL)
		*id_r = db_get_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* mailbox_query_one - a statement returning MAILBOX_COLUMNS of at most one mailbox;
 * 1 found, 0 not found, -1 error */
static int mailbox_query_one(PGconn *conn, const struct db_stmt *st, const char *const *params,
			     struct store_mailbox *out, const char **error_r)
{
	PGresult *res = db_query_prepared(conn, st, params, error_r);
	int found;

	if (res == NULL)
		return -1;
	found = PQntuples(res) > 0;
	if (found && out != NULL)
		mailbox_from_row(res, 0, out);
	PQclear(res);
	return found;
}

int store_mailbox_find(PGconn *conn, int64_t account_id, const char *name,
		       struct store_mailbox *out, const char **error_r)
{
	char id[24];
	const char *params[2] = { db_int64_param(id, account_id), mailbox_name(name, error_r) };

	if (params[1] == NULL)
		return 0; /* a malformed name names no mailbox */
	return mailbox_query_one(conn, &mailbox_find_stmt, params, out, error_r);
}

int store_mailbox_get(PGconn *conn, int64_t mailbox_id, struct store_mailbox *out,
		      const char **error_r)
{
	char id[24];
	const char *params[1] = { db_int64_param(id, mailbox_id) };

	return mailbox_query_one(conn, &mailbox_get_stmt, params, out, error_r);
}

int64_t store_mailbox_count_deleted(PGconn *conn, int64_t mailbox_id, const char **error_r)
{
	char id[24], bit[8];
	const char *params[2] = { db_int64_param(id, mailbox_id), bit };
	PGresult *res;
	int64_t n;

	snprintf(bit, sizeof(bit), "%d", STORE_FLAG_DELETED);
	res = db_query(conn, "SELECT count(*) FROM mailbox_messages WHERE mailbox_id = $1 "
			     "AND flags & $2::int <> 0", 2, params, error_r);
	if (res == NULL)
		return -1;
	n = db_get_int64(res, 0, 0);
	PQclear(res);
	return n;
}

int store_mailbox_find_special(PGconn *conn, int64_t account_id, const char *special_use,
			       struct store_mailbox *out, const char **error_r)
{
	char id[24];
	const char *params[2] = { db_int64_param(id, account_id), special_use };

	return mailbox_query_one(conn, &mailbox_find_special_stmt, params, out, error_r);
}

int store_mailbox_list(PGconn *conn, int64_t account_id, store_mailbox_list_fn *fn, void *arg,
		       const char **error_r)
{
	char id[24];
	const char *params[1] = { db_int64_param(id, account_id) };
	struct store_mailbox m;
	PGresult *res;
	int i, n;

	res = db_query(conn, "SELECT " MAILBOX_COLUMNS " FROM mailboxes WHERE account_id = $1 "
			     "ORDER BY name", 1, params, error_r);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		mailbox_from_row(res, i, &m);
		if (fn(&m, arg) != 0)
			break;
	}
	PQclear(res);
	return n;
}

int store_mailbox_subscribe(PGconn *conn, int64_t account_id, const char *name, bool on,
			    const char **error_r)
{
	char id[24];
	const char *params[3] = { db_int64_param(id, account_id), mailbox_name(name, error_r),
				  on ? "true" : "false" };

	if (params[1] == NULL)
		return -1;
	return (int)db_exec(conn, "UPDATE mailboxes SET subscribed = $3 "
				  "WHERE account_id = $1 AND name = $2", 3, params, error_r);
}

int store_mailbox_rename(PGconn *conn, int64_t account_id, const char *from, const char *to,
			 const char **error_r)
{
	char id[24];
	const char *params[3] = { db_int64_param(id, account_id), mailbox_name(from, error_r),
				  NULL };
	int64_t n;

	if (params[1] == NULL || (params[2] = mailbox_name(to, error_r)) == NULL)
		return -1;
	if (strcmp(params[1], "INBOX") == 0 || strcmp(params[2], "INBOX") == 0)
		return db_fail("22023", error_r, "INBOX cannot be renamed, nor be a new name");
	/* prefix tests rather than LIKE: '%' and '_' are ordinary characters in names */
	n = db_exec(conn, "UPDATE mailboxes SET name = $3 || substr(name, length($2) + 1) "
			  "WHERE account_id = $1 AND (name = $2 OR left(name, length($2) + 1) = $2 || '/')",
		    3, params, error_r);
	if (n < 0 && db_error_unique())
		return db_fail("23505", error_r, "a mailbox with the new name exists already");
	return n < 0 ? -1 : n > 0;
}

int store_mailbox_delete(PGconn *conn, int64_t account_id, const char *name,
			 const char **error_r)
{
	char id[24];
	const char *params[2] = { db_int64_param(id, account_id), mailbox_name(name, error_r) };
	int64_t n;

	if (params[1] == NULL)
		return -1;
	if (strcmp(params[1], "INBOX") == 0)
		return db_fail("22023", error_r, "INBOX cannot be deleted");
	n = db_exec(conn, "WITH d AS (DELETE FROM mailboxes WHERE account_id = $1 AND name = $2 "
			  "RETURNING account_id, total_size) UPDATE accounts a SET used_bytes = "
			  "greatest(0, a.used_bytes - d.total_size) FROM d WHERE a.id = d.account_id",
		    2, params, error_r);
	return n < 0 ? -1 : n > 0;
}

/* mailbox_int64_array - a PostgreSQL array literal "{1,2,3}" of n values; malloc'd */
static char *mailbox_int64_array(const int64_t *v, size_t n)
{
	char *s = malloc(n * 21 + 3), *p;
	size_t i;

	if (s == NULL)
		abort();
	p = s;
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, i == 0 ? "%" PRId64 : ",%" PRId64, v[i]);
	*p++ = '}';
	*p = '\0';
	return s;
}

/* mailbox_uid_array - the same for 32-bit UIDs */
static char *mailbox_uid_array(const uint32_t *uids, size_t n)
{
	int64_t *v = malloc((n ? n : 1) * sizeof(*v));
	char *s;
	size_t i;

	if (v == NULL)
		abort();
	for (i = 0; i < n; i++)
		v[i] = uids[i];
	s = mailbox_int64_array(v, n);
	free(v);
	return s;
}

int store_mailbox_lock(PGconn *conn, const int64_t *ids, size_t n, const char **error_r)
{
	char *array = mailbox_int64_array(ids, n);
	const char *params[1] = { array };
	PGresult *res;
	int64_t wanted;

	res = db_query_prepared(conn, &mailbox_lock_stmt, params, error_r);
	free(array);
	if (res == NULL)
		return -1;
	wanted = PQntuples(res) > 0 ? db_get_int64(res, 0, 1) : (int64_t)(n > 0);
	if (PQntuples(res) != wanted) {
		PQclear(res);
		return db_fail("23503", error_r, "no such mailbox");
	}
	PQclear(res);
	return 0;
}

/* mailbox_keyword_ok - an IMAP flag-keyword is an atom (RFC 3501 9, flag-keyword) */
static bool mailbox_keyword_ok(const char *k)
{
	size_t len = strlen(k), i;

	if (len == 0 || len > STORE_MAILBOX_KEYWORD_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)k[i];

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c) != NULL)
			return false;
	}
	return true;
}

/* mailbox_keywords - keywords joined by spaces (never inside an atom) for string_to_array;
 * malloc'd, NULL with *error_r when one is not a valid keyword or there are too many */
static char *mailbox_keywords(const char *const *kw, size_t n, const char **error_r)
{
	size_t i, len = 1;
	char *s;

	if (n > STORE_MAILBOX_KEYWORDS_MAX) {
		db_fail("22023", error_r, "too many keywords (at most %d)", STORE_MAILBOX_KEYWORDS_MAX);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!mailbox_keyword_ok(kw[i])) {
			db_fail("22023", error_r, "malformed keyword");
			return NULL;
		}
		len += strlen(kw[i]) + 1;
	}
	if ((s = malloc(len)) == NULL)
		abort();
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, kw[i]);
	}
	return s;
}

/* The two statements of an append, prepared once per connection (db_prepared.h). */
static const struct db_stmt mailbox_advance_stmt = {
	"mailbox_advance",
	"UPDATE mailboxes SET uidnext = uidnext + 1, "
	"highestmodseq = highestmodseq + 1, messages = messages + 1, "
	"unseen = unseen + $3::int, total_size = total_size + $2::bigint "
	"WHERE id = $1 AND uidnext < " MAILBOX_UID_LIMIT " "
	"RETURNING uidnext - 1, highestmodseq, account_id", 3 };
static const struct db_stmt mailbox_insert_row_stmt = {
	"mailbox_insert_row",
	"WITH m AS (INSERT INTO mailbox_messages (mailbox_id, uid, sha256, modseq, flags, "
	"keywords, internal_date, size, trace) VALUES ($1, $2, decode($3, 'hex'), $4, $5, "
	"string_to_array($6, ' '), CASE WHEN $7::bigint = 0 THEN now() "
	"ELSE to_timestamp($7::bigint) END, $8, $10) RETURNING size) "
	"UPDATE accounts SET used_bytes = used_bytes + (SELECT size FROM m) WHERE id = $9", 10 };

/* mailbox_advance - lock the mailbox by advancing uidnext and highestmodseq by one and
 * counting the new message; gives the uid and modseq to use and the owning account */
static int mailbox_advance(PGconn *conn, const struct store_append *a, uint32_t *uid_r,
			   uint64_t *modseq_r, int64_t *account_r, const char **error_r)
{
	char id[24], size[24];
	const char *params[3] = { db_int64_param(id, a->mailbox_id), db_int64_param(size, a->size),
				  (a->flags & STORE_FLAG_SEEN) ? "0" : "1" };
	PGresult *res;

	res = db_query_prepared(conn, &mailbox_advance_stmt, params, error_r);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return db_fail("23503", error_r, "no such mailbox, or its UIDs are exhausted");
	}
	*uid_r = (uint32_t)db_get_int64(res, 0, 0);
	*modseq_r = (uint64_t)db_get_int64(res, 0, 1);
	*account_r = db_get_int64(res, 0, 2);
	PQclear(res);
	return 0;
}

/* mailbox_insert_row - the mailbox_messages row, and the account's used bytes */
static int mailbox_insert_row(PGconn *conn, const struct store_append *a, uint32_t uid,
			      uint64_t modseq, int64_t account, const char *keywords,
			      const char **error_r)
{
	char mb[24], u[24], ms[24], size[24], flags[24], date[24], acc[24];
	const char *params[9] = {
		db_int64_param(mb, a->mailbox_id), db_int64_param(u, uid),
		a->sha256_hex, db_int64_param(ms, (int64_t)modseq),
		db_int64_param(flags, a->flags), keywords,
		db_int64_param(date, a->internal_date), db_int64_param(size, a->size),
		db_int64_param(acc, account) };
	const char *p[10];
	int lengths[10] = { 0 }, formats[10] = { 0 };
	PGresult *res;

	memcpy(p, params, sizeof(params));
	p[9] = a->trace != NULL ? a->trace : "";
	lengths[9] = (int)a->trace_len;
	formats[9] = 1;
	res = db_query_prepared_bin(conn, &mailbox_insert_row_stmt, p, lengths, formats, error_r);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int store_mailbox_append(PGconn *conn, const struct store_append *a, uint32_t *uid_r,
			 uint64_t *modseq_r, const char **error_r)
{
	char *keywords;
	int64_t account = 0;
	int ret;

	if (a->trace_len > STORE_MAILBOX_TRACE_MAX || a->size < 0 ||
	    (a->flags & ~(unsigned)STORE_FLAGS_ALL) != 0 || a->sha256_hex == NULL ||
	    strlen(a->sha256_hex) != STORE_SHA256_HEX_SIZE - 1)
		return db_fail("22023", error_r, "malformed append");
	keywords = mailbox_keywords(a->keywords, a->nkeywords, error_r);
	if (keywords == NULL)
		return -1;
	ret = mailbox_advance(conn, a, uid_r, modseq_r, &account, error_r);
	if (ret == 0)
		ret = mailbox_insert_row(conn, a, *uid_r, *modseq_r, account, keywords, error_r);
	free(keywords);
	return ret;
}

/* mailbox_lock_modseq - lock one mailbox row and read its highestmodseq */
static int mailbox_lock_modseq(PGconn *conn, int64_t mailbox_id, uint64_t *modseq_r,
			       const char **error_r)
{
	char id[24];
	const char *params[1] = { db_int64_param(id, mailbox_id) };
	PGresult *res;

	res = db_query_prepared(conn, &mailbox_lock_modseq_stmt, params, error_r);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return db_fail("23503", error_r, "no such mailbox");
	}
	*modseq_r = (uint64_t)db_get_int64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* mailbox_finish_change - record the new highestmodseq and count changes on the mailbox */
static int mailbox_finish_change(PGconn *conn, int64_t mailbox_id, uint64_t modseq,
				 int64_t d_messages, int64_t d_unseen, int64_t d_size,
				 const char **error_r)
{
	char id[24], ms[24], dm[24], du[24], ds[24];
	const char *params[5] = { db_int64_param(id, mailbox_id), db_int64_param(ms, (int64_t)modseq),
				  db_int64_param(dm, d_messages), db_int64_param(du, d_unseen),
				  db_int64_param(ds, d_size) };
	PGresult *res = db_query_prepared(conn, &mailbox_finish_change_stmt, params, error_r);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* The STORE statement: the new flags and keywords are NF from $3 and NK from $4 (RFC 3501
 * 6.4.6); one prepared statement per operation */
#define MAILBOX_FLAGS_SQL(NF, NK) \
	"WITH o AS (SELECT uid, flags, keywords FROM mailbox_messages WHERE mailbox_id = $1 " \
	"AND uid = ANY($2::bigint[]) AND ($5::bigint = 0 OR modseq <= $5::bigint) FOR UPDATE), " \
	"n AS (SELECT o.uid, o.flags AS oflags, o.keywords AS okw, nf, nk FROM o, " \
	"LATERAL (SELECT " NF ", " NK ") AS x(nf, nk)) " \
	"UPDATE mailbox_messages m SET flags = n.nf, keywords = n.nk, modseq = $6 FROM n " \
	"WHERE m.mailbox_id = $1 AND m.uid = n.uid AND (n.nf <> n.oflags OR n.nk <> n.okw) " \
	"RETURNING m.uid, n.oflags, n.nf"

static const struct db_stmt mailbox_flags_stmts[] = {
	[STORE_FLAGS_SET] = { "mailbox_flags_set",
		MAILBOX_FLAGS_SQL("$3::smallint", "string_to_array($4, ' ')"), 6 },
	[STORE_FLAGS_ADD] = { "mailbox_flags_add",
		MAILBOX_FLAGS_SQL("o.flags | $3::smallint",
				  "o.keywords || ARRAY(SELECT k FROM unnest(string_to_array($4, ' ')) k "
				  "WHERE k <> ALL (o.keywords))"), 6 },
	[STORE_FLAGS_REMOVE] = { "mailbox_flags_remove",
		MAILBOX_FLAGS_SQL("o.flags & ~$3::smallint",
				  "ARRAY(SELECT k FROM unnest(o.keywords) k "
				  "WHERE k <> ALL (string_to_array($4, ' ')))"), 6 },
};

/* mailbox_update_flags - change the rows, return (uid, old flags, new flags) of changed ones */
static PGresult *mailbox_update_flags(PGconn *conn, int64_t mailbox_id, const char *uids,
				      enum store_flags_op op, unsigned flags, const char *kw,
				      uint64_t unchangedsince, uint64_t modseq, const char **error_r)
{
	char id[24], fl[24], us[24], ms[24];
	const char *params[6] = { db_int64_param(id, mailbox_id), uids, db_int64_param(fl, flags),
				  kw, db_int64_param(us, (int64_t)unchangedsince),
				  db_int64_param(ms, (int64_t)modseq) };

	return db_query_prepared(conn, &mailbox_flags_stmts[op], params, error_r);
}

int store_mailbox_store_flags(PGconn *conn, int64_t mailbox_id, const uint32_t *uids, size_t n,
			      enum store_flags_op op, unsigned flags,
			      const char *const *keywords, size_t nkeywords,
			      uint64_t unchangedsince, uint64_t *modseq_r, const char **error_r)
{
	char *kw, *array;
	uint64_t modseq;
	int64_t d_unseen = 0;
	PGresult *res;
	int i, changed;

	*modseq_r = 0;
	if ((flags & ~(unsigned)STORE_FLAGS_ALL) != 0 || op > STORE_FLAGS_REMOVE)
		return db_fail("22023", error_r, "malformed flags");
	if ((kw = mailbox_keywords(keywords, nkeywords, error_r)) == NULL)
		return -1;
	if (mailbox_lock_modseq(conn, mailbox_id, &modseq, error_r) < 0) {
		free(kw);
		return -1;
	}
	array = mailbox_uid_array(uids, n);
	res = mailbox_update_flags(conn, mailbox_id, array, op, flags, kw, unchangedsince,
				   modseq + 1, error_r);
	free(array);
	free(kw);
	if (res == NULL)
		return -1;
	changed = PQntuples(res);
	for (i = 0; i < changed; i++) {
		bool was = db_get_int64(res, i, 1) & STORE_FLAG_SEEN;
		bool is = db_get_int64(res, i, 2) & STORE_FLAG_SEEN;

		d_unseen += was == is ? 0 : (is ? -1 : 1);
	}
	PQclear(res);
	if (changed == 0)
		return 0;
	if (mailbox_finish_change(conn, mailbox_id, modseq + 1, 0, d_unseen, 0, error_r) < 0)
		return -1;
	*modseq_r = modseq + 1;
	return changed;
}

/* mailbox_delete_rows - remove the rows and log them as expunged at modseq; returns
 * (uid, size, flags) of each removed row in UID order */
static PGresult *mailbox_delete_rows(PGconn *conn, int64_t mailbox_id, const char *uids,
				     uint64_t modseq, const char **error_r)
{
	char id[24], ms[24];
	const char *params[3] = { db_int64_param(id, mailbox_id), uids,
				  db_int64_param(ms, (int64_t)modseq) };

	return db_query(conn,
		"WITH d AS (DELETE FROM mailbox_messages WHERE mailbox_id = $1 AND "
		"CASE WHEN $2::bigint[] IS NULL THEN flags & 8 <> 0 ELSE uid = ANY($2::bigint[]) END "
		"RETURNING uid, size, flags), "
		"e AS (INSERT INTO expunged (mailbox_id, uid, modseq) SELECT $1, uid, $3 FROM d "
		"ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq) "
		"SELECT uid, size, flags FROM d ORDER BY uid", 3, params, error_r);
}

int store_mailbox_expunge(PGconn *conn, int64_t mailbox_id, const uint32_t *uids, size_t n,
			  store_mailbox_expunged_fn *fn, void *arg, uint64_t *modseq_r,
			  const char **error_r)
{
	char *array = NULL;
	uint64_t modseq;
	int64_t d_unseen = 0, d_size = 0;
	PGresult *res;
	int i, removed;

	*modseq_r = 0;
	if (mailbox_lock_modseq(conn, mailbox_id, &modseq, error_r) < 0)
		return -1;
	if (uids != NULL)
		array = mailbox_uid_array(uids, n);
	res = mailbox_delete_rows(conn, mailbox_id, array, modseq + 1, error_r);
	free(array);
	if (res == NULL)
		return -1;
	removed = PQntuples(res);
	for (i = 0; i < removed; i++) {
		d_size -= db_get_int64(res, i, 1);
		if (!(db_get_int64(res, i, 2) & STORE_FLAG_SEEN))
			d_unseen--;
		if (fn != NULL)
			fn((uint32_t)db_get_int64(res, i, 0), arg);
	}
	PQclear(res);
	if (removed == 0)
		return 0;
	if (mailbox_finish_change(conn, mailbox_id, modseq + 1, -removed, d_unseen, d_size,
				  error_r) < 0)
		return -1;
	*modseq_r = modseq + 1;
	return removed;
}
