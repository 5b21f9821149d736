/* imap_msg_fetch.c - message rows, part offsets and streamed bytes for IMAP FETCH */
#include "store/imap_msg_fetch.h"
#include "store/db.h"
#include "store/db_prepared.h"
#include "mime/mime.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of the row query, in order. */
enum { COL_UID, COL_MODSEQ, COL_FLAGS, COL_KEYWORDS, COL_DATE, COL_SIZE, COL_SHA, COL_TRACE,
       COL_ENVELOPE, COL_BODYSTRUCTURE, COL_BODY, COL_SECTIONS };

/* imap_msg_uid_array - "{1,2,3}" for a bigint[] parameter (malloc'd) */
char *imap_msg_uid_array(const uint32_t *uids, size_t n)
{
	char *s = malloc(n * 11 + 3), *p;
	size_t i;

	if (s == NULL)
		abort();
	p = s;
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, i > 0 ? ",%" PRIu32 : "%" PRIu32, uids[i]);
	*p++ = '}';
	*p = '\0';
	return s;
}

/* fetch_hex_digit - the value of one hex digit, -1 for anything else */
static int fetch_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* fetch_hex - decode 2n hex digits into out (at most max bytes); -1 when malformed */
static int fetch_hex(const char *hex, unsigned char *out, size_t max, size_t *len_r)
{
	size_t n = strlen(hex), i;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = fetch_hex_digit(hex[2 * i]), lo = fetch_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len_r = n / 2;
	return 0;
}

/* fetch_keywords - split the space-joined keywords (atoms, RFC 3501 9) in place */
static void fetch_keywords(char *s, struct imap_msg_row *row)
{
	char *save = NULL, *k;

	row->nkeywords = 0;
	for (k = strtok_r(s, " ", &save); k != NULL && row->nkeywords < STORE_MAILBOX_KEYWORDS_MAX;
	     k = strtok_r(NULL, " ", &save))
		row->keywords[row->nkeywords++] = k;
}

/* fetch_nullable - the column's text, NULL for SQL NULL */
static const char *fetch_nullable(const PGresult *res, int i, int col)
{
	return PQgetisnull(res, i, col) ? NULL : PQgetvalue(res, i, col);
}

/* fetch_row - fill row from result row i; -1 when the database gave something malformed */
static int fetch_row(PGresult *res, int i, struct imap_msg_row *row, char *kwbuf, size_t kwmax,
		     const char **error_r)
{
	memset(row, 0, sizeof(*row));
	row->uid = (uint32_t)db_get_int64(res, i, COL_UID);
	row->modseq = (uint64_t)db_get_int64(res, i, COL_MODSEQ);
	row->flags = (unsigned)db_get_int64(res, i, COL_FLAGS) & STORE_FLAGS_ALL;
	row->internal_date = db_get_int64(res, i, COL_DATE);
	row->size = db_get_int64(res, i, COL_SIZE);
	if (db_copy_str(res, i, COL_SHA, row->sha256, sizeof(row->sha256)) < 0 ||
	    fetch_hex(db_get_str(res, i, COL_TRACE), row->trace, sizeof(row->trace),
		      &row->trace_len) < 0 ||
	    db_copy_str(res, i, COL_KEYWORDS, kwbuf, kwmax) < 0)
		return db_fail("XX000", error_r, "malformed message row");
	fetch_keywords(kwbuf, row);
	row->envelope = fetch_nullable(res, i, COL_ENVELOPE);
	row->bodystructure = fetch_nullable(res, i, COL_BODYSTRUCTURE);
	row->body = fetch_nullable(res, i, COL_BODY);
	row->sections = fetch_nullable(res, i, COL_SECTIONS);
	return 0;
}

/* The rows; metadata columns are NULL unless wanted ($4, IMAP_MSG_WANT_*), so a
 * FLAGS-only fetch does not carry BODYSTRUCTUREs over the wire. Run for every FETCH and
 * STORE: prepared once per connection. */
static const struct db_stmt fetch_rows_stmt = { "imap_msg_fetch_rows",
	"SELECT mm.uid, mm.modseq, mm.flags, array_to_string(mm.keywords, ' '), "
	"extract(epoch FROM mm.internal_date)::bigint, mm.size, encode(mm.sha256, 'hex'), "
	"encode(mm.trace, 'hex'), "
	"CASE WHEN $4::int & 1 <> 0 THEN me.envelope END, "
	"CASE WHEN $4::int & 2 <> 0 THEN me.bodystructure END, "
	"CASE WHEN $4::int & 4 <> 0 THEN me.body END, "
	"CASE WHEN $4::int & 8 <> 0 THEN me.sections END "
	"FROM mailbox_messages mm LEFT JOIN message_meta me ON me.sha256 = mm.sha256 "
	"WHERE mm.mailbox_id = $1 AND mm.uid = ANY($2::bigint[]) AND mm.modseq > $3::bigint "
	"ORDER BY mm.uid", 4 };

/* fetch_query - the rows of uids */
static PGresult *fetch_query(PGconn *conn, int64_t mailbox_id, const uint32_t *uids, size_t n,
			     uint64_t changedsince, unsigned want, const char **error_r)
{
	char id[24], cs[24], w[24];
	char *array = imap_msg_uid_array(uids, n);
	const char *params[4] = { db_int64_param(id, mailbox_id), array,
				  db_int64_param(cs, (int64_t)changedsince),
				  db_int64_param(w, (int64_t)want) };
	PGresult *res = db_query_prepared(conn, &fetch_rows_stmt, params, error_r);

	free(array);
	return res;
}

int imap_msg_fetch_rows(PGconn *conn, int64_t mailbox_id, const uint32_t *uids, size_t n,
			uint64_t changedsince, unsigned want, imap_msg_fetch_fn *fn, void *arg,
			const char **error_r)
{
	char kwbuf[STORE_MAILBOX_KEYWORDS_MAX * (STORE_MAILBOX_KEYWORD_MAX + 1) + 1];
	struct imap_msg_row *row;
	PGresult *res;
	int i, rows, ret = 0;

	if (n > IMAP_MSG_FETCH_BATCH || changedsince > INT64_MAX)
		return db_fail("22023", error_r, "too many messages in one fetch batch");
	if (n == 0)
		return 0;
	if ((res = fetch_query(conn, mailbox_id, uids, n, changedsince, want, error_r)) == NULL)
		return -1;
	if ((row = malloc(sizeof(*row))) == NULL)
		abort();
	rows = PQntuples(res);
	for (i = 0; i < rows && ret == 0; i++) {
		if (fetch_row(res, i, row, kwbuf, sizeof(kwbuf), error_r) < 0)
			ret = -1;
		else if (fn(row, arg) != 0)
			ret = 1;
	}
	free(row);
	PQclear(res);
	return ret < 0 ? -1 : i;
}

/* fetch_collect - store_message_read callback gathering a whole blob */
struct fetch_blob {
	char *data;
	size_t len;
	size_t cap;
};

static int fetch_collect(const void *data, size_t len, void *arg)
{
	struct fetch_blob *b = arg;

	if (b->len + len > b->cap)
		return 1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

/* fetch_compute_sections - parse the blob with lib/mime (once: messages stored before
 * message_meta.sections existed) and keep the result */
static int fetch_compute_sections(PGconn *conn, const char *sha256_hex, char **sections_r,
				  const char **error_r)
{
	struct fetch_blob b = { 0 };
	struct mime_meta m;
	int64_t size;
	int found;

	if ((found = store_message_size(conn, sha256_hex, &size, error_r)) <= 0)
		return found < 0 ? -1 : db_fail("02000", error_r, "no such message");
	if (size > (int64_t)STORE_MESSAGE_MAX)
		return db_fail("54000", error_r, "message too large");
	b.cap = (size_t)size;
	if ((b.data = malloc(b.cap + 1)) == NULL)
		abort();
	if (store_message_read(conn, sha256_hex, 0, size, fetch_collect, &b, error_r) != size ||
	    mime_parse(b.data, b.len, &m, error_r) < 0) {
		free(b.data);
		return db_fail("XX001", error_r, "message unreadable");
	}
	free(b.data);
	*sections_r = strdup(m.sections);
	mime_meta_clear(&m);
	if (*sections_r == NULL)
		abort();
	const char *params[2] = { sha256_hex, *sections_r };
	if (strlen(*sections_r) <= STORE_META_SECTIONS_MAX &&
	    db_exec(conn, "UPDATE message_meta SET sections = $2 WHERE sha256 = decode($1, 'hex') "
			  "AND sections IS NULL", 2, params, error_r) < 0) {
		free(*sections_r);
		*sections_r = NULL;
		return -1;
	}
	return 0;
}

static const struct db_stmt fetch_sections_stmt = { "imap_msg_fetch_sections",
	"SELECT sections FROM message_meta WHERE sha256 = decode($1, 'hex') "
	"AND sections IS NOT NULL", 1 };

int imap_msg_fetch_sections(PGconn *conn, const char *sha256_hex, char **sections_r,
			    const char **error_r)
{
	const char *params[1] = { sha256_hex };
	PGresult *res;

	*sections_r = NULL;
	res = db_query_prepared(conn, &fetch_sections_stmt, params, error_r);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1 && (*sections_r = strdup(PQgetvalue(res, 0, 0))) == NULL)
		abort();
	PQclear(res);
	if (*sections_r != NULL)
		return 0;
	return fetch_compute_sections(conn, sha256_hex, sections_r, error_r);
}

int64_t imap_msg_fetch_read(PGconn *conn, const struct imap_msg_row *row,
			    struct imap_msg_range r, store_message_chunk_fn *fn, void *arg,
			    const char **error_r)
{
	int64_t t = (int64_t)row->trace_len, done = 0, got;

	if (r.start < 0 || r.end < r.start || r.end > row->size)
		return db_fail("22023", error_r, "range beyond the message");
	if (r.start < t) {
		int64_t end = r.end < t ? r.end : t;

		if (fn(row->trace + r.start, (size_t)(end - r.start), arg) != 0)
			return end - r.start;
		done = end - r.start;
	}
	if (r.end <= t)
		return done;
	/* the row gives the blob's size: no query to ask for it again */
	got = store_message_read_known(conn, row->sha256, row->size - t, r.start + done - t,
				       r.end - (r.start + done), fn, arg, error_r);
	if (got < 0)
		return -1;
	if (got != r.end - (r.start + done))
		return db_fail("XX001", error_r, "message shorter than its size");
	return done + got;
}
