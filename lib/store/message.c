/* message.c - content-addressed blobs (SHA-256) and their parsed metadata */
#include "store/message.h"
#include "store/db.h"
#include "store/db_prepared.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGE_META_FIELDS 15

void store_message_hash(const void *data, size_t len, char hex_r[STORE_SHA256_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		abort(); /* SHA-256 is always there in OpenSSL 3: failing is out of memory */
	for (i = 0; i < mdlen; i++) {
		hex_r[2 * i] = digits[md[i] >> 4];
		hex_r[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex_r[64] = '\0';
}

/* message_hex_ok - 64 lowercase hex digits, as store_message_hash makes them */
static bool message_hex_ok(const char *hex)
{
	return hex != NULL && strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64;
}

static const struct db_stmt message_insert_stmt = {
	"store_message_insert",
	"INSERT INTO messages (sha256, raw, size) VALUES (decode($1, 'hex'), $2, $3) "
	"ON CONFLICT (sha256) DO NOTHING", 3 };

/* The text goes to body_text_pending: the mda moves it into the trigram index later
 * (migration 0011, store_message_index_pending). */
static const struct db_stmt message_meta_insert_stmt = {
	"store_message_meta_insert",
	"INSERT INTO message_meta (sha256, envelope, bodystructure, body, sent_date, subject, "
	"from_addr, to_addr, cc_addr, bcc_addr, reply_to, message_id, in_reply_to, refs, "
	"headers, body_text_pending, sections) VALUES (decode($1, 'hex'), $2, $3, $4, "
	"$5::timestamptz, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
	"ON CONFLICT (sha256) DO NOTHING", MESSAGE_META_FIELDS + 2 };

int store_message_prepare(PGconn *conn, const char **error_r)
{
	static const struct db_stmt *const stmts[] = { &message_insert_stmt,
						       &message_meta_insert_stmt };

	return db_prepare(conn, stmts, sizeof(stmts) / sizeof(stmts[0]), error_r);
}

int store_message_insert(PGconn *conn, const void *data, size_t len,
			 char hex_r[STORE_SHA256_HEX_SIZE], int *inserted_r, const char **error_r)
{
	char size[24];
	const char *params[3];
	int lengths[3] = { 0, (int)len, 0 }, formats[3] = { 0, 1, 0 };
	int64_t n;
	PGresult *res;

	if (len > STORE_MESSAGE_MAX)
		return db_fail("54000", error_r, "message larger than %u bytes", STORE_MESSAGE_MAX);
	store_message_hash(data, len, hex_r);
	params[0] = hex_r;
	params[1] = len > 0 ? data : "";
	params[2] = db_int64_param(size, (int64_t)len);
	res = db_query_prepared_bin(conn, &message_insert_stmt, params, lengths, formats, error_r);
	if (res == NULL)
		return -1;
	n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	if (inserted_r != NULL)
		*inserted_r = n > 0;
	return 0;
}

/* message_utf8_cut - the longest prefix of s not over max bytes that does not split a
 * UTF-8 sequence */
static size_t message_utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* message_bound - s itself, or a malloc'd copy truncated to max bytes (kept in *copy_r) */
static const char *message_bound(const char *s, size_t max, char **copy_r)
{
	size_t len, cut;

	*copy_r = NULL;
	if (s == NULL)
		return NULL;
	len = strlen(s);
	cut = message_utf8_cut(s, len, max);
	if (cut == len)
		return s;
	if ((*copy_r = strndup(s, cut)) == NULL)
		abort();
	return *copy_r;
}

int store_message_meta_insert(PGconn *conn, const char *sha256_hex,
			      const struct store_message_meta *meta, const char **error_r)
{
	const char *fields[MESSAGE_META_FIELDS] = {
		meta->envelope, meta->bodystructure, meta->body, meta->sent_date, meta->subject,
		meta->from, meta->to, meta->cc, meta->bcc, meta->reply_to, meta->message_id,
		meta->in_reply_to, meta->references, meta->headers, meta->body_text };
	const char *params[MESSAGE_META_FIELDS + 2];
	char *copies[MESSAGE_META_FIELDS];
	PGresult *res;
	int64_t n = -1;
	int i;

	if (!message_hex_ok(sha256_hex))
		return db_fail("22023", error_r, "malformed message hash");
	params[0] = sha256_hex;
	for (i = 0; i < MESSAGE_META_FIELDS; i++)
		params[i + 1] = message_bound(fields[i], i == MESSAGE_META_FIELDS - 1 ?
					      STORE_META_TEXT_MAX : STORE_META_FIELD_MAX, &copies[i]);
	/* offsets cut short would point into the wrong bytes: too long means none */
	params[MESSAGE_META_FIELDS + 1] = meta->sections != NULL &&
		strlen(meta->sections) <= STORE_META_SECTIONS_MAX ? meta->sections : NULL;
	res = db_query_prepared(conn, &message_meta_insert_stmt, params, error_r);
	if (res != NULL) {
		n = strtoll(PQcmdTuples(res), NULL, 10);
		PQclear(res);
	}
	for (i = 0; i < MESSAGE_META_FIELDS; i++)
		free(copies[i]);
	return n < 0 ? -1 : n > 0;
}

/* Per-message statements: prepared once per connection (db_prepared.h). */
static const struct db_stmt message_has_meta_stmt = {
	"message_has_meta", "SELECT 1 FROM message_meta WHERE sha256 = decode($1, 'hex')", 1 };
static const struct db_stmt message_size_stmt = {
	"message_size", "SELECT size FROM messages WHERE sha256 = decode($1, 'hex')", 1 };
/* results in binary: the bytes themselves, not their hex (PQgetlength is their size) */
static const struct db_stmt message_chunk_stmt = {
	"message_chunk", "SELECT substring(raw FROM $2::int FOR $3::int) FROM messages "
			 "WHERE sha256 = decode($1, 'hex')", 3 };

/* message_scalar - run a one-parameter statement on a hash; 1 with the first value in
 * *v_r, 0 when there is no row, -1 on error */
static int message_scalar(PGconn *conn, const struct db_stmt *st, const char *sha256_hex,
			  int64_t *v_r, const char **error_r)
{
	const char *params[1] = { sha256_hex };
	PGresult *res;
	int found;

	if (!message_hex_ok(sha256_hex))
		return db_fail("22023", error_r, "malformed message hash");
	if ((res = db_query_prepared(conn, st, params, error_r)) == NULL)
		return -1;
	found = PQntuples(res) > 0;
	if (found && v_r != NULL)
		*v_r = db_get_int64(res, 0, 0);
	PQclear(res);
	return found;
}

int store_message_has_meta(PGconn *conn, const char *sha256_hex, const char **error_r)
{
	return message_scalar(conn, &message_has_meta_stmt, sha256_hex, NULL, error_r);
}

int store_message_size(PGconn *conn, const char *sha256_hex, int64_t *size_r,
		       const char **error_r)
{
	return message_scalar(conn, &message_size_stmt, sha256_hex, size_r, error_r);
}

/* message_read_chunk - one substring() of the blob (1-based from, count bytes) to fn;
 * returns the bytes read (0 at the end) or -1; *stop_r set when fn asked to stop */
static int64_t message_read_chunk(PGconn *conn, const char *sha256_hex, int64_t from,
				  int64_t count, store_message_chunk_fn *fn, void *arg,
				  bool *stop_r, const char **error_r)
{
	char f[24], c[24];
	const char *params[3] = { sha256_hex, db_int64_param(f, from), db_int64_param(c, count) };
	PGresult *res;
	int64_t got;

	res = db_query_prepared_raw(conn, &message_chunk_stmt, params, error_r);
	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return db_fail("02000", error_r, "no such message");
	}
	got = PQgetlength(res, 0, 0);
	if (got > 0 && fn(PQgetvalue(res, 0, 0), (size_t)got, arg) != 0)
		*stop_r = true;
	PQclear(res);
	return got;
}

/* message_read_range - bytes [offset, end) of a blob to fn, a chunk per query */
static int64_t message_read_range(PGconn *conn, const char *sha256_hex, int64_t offset,
				  int64_t end, store_message_chunk_fn *fn, void *arg,
				  const char **error_r)
{
	int64_t done = 0, got, want;
	bool stop = false;

	while (offset + done < end && !stop) {
		want = end - offset - done;
		if (want > STORE_MESSAGE_CHUNK)
			want = STORE_MESSAGE_CHUNK;
		got = message_read_chunk(conn, sha256_hex, offset + done + 1, want, fn, arg, &stop,
					 error_r);
		if (got <= 0)
			return got < 0 ? -1 : db_fail("XX001", error_r, "message shorter than its size");
		done += got;
	}
	return done;
}

/* message_range_end - where a read of length bytes (< 0: to the end) from offset stops in
 * a blob of size bytes; -1 when offset is beyond it */
static int64_t message_range_end(int64_t size, int64_t offset, int64_t length)
{
	if (offset < 0 || offset > size)
		return -1;
	return length < 0 || length > size - offset ? size : offset + length;
}

int64_t store_message_read(PGconn *conn, const char *sha256_hex, int64_t offset, int64_t length,
			   store_message_chunk_fn *fn, void *arg, const char **error_r)
{
	int64_t size, end;
	int found;

	if ((found = store_message_size(conn, sha256_hex, &size, error_r)) <= 0)
		return found < 0 ? -1 : db_fail("02000", error_r, "no such message");
	if ((end = message_range_end(size, offset, length)) < 0)
		return db_fail("22023", error_r, "offset beyond the message");
	return message_read_range(conn, sha256_hex, offset, end, fn, arg, error_r);
}

int64_t store_message_read_known(PGconn *conn, const char *sha256_hex, int64_t size,
				 int64_t offset, int64_t length, store_message_chunk_fn *fn,
				 void *arg, const char **error_r)
{
	int64_t end;

	if (!message_hex_ok(sha256_hex))
		return db_fail("22023", error_r, "malformed message hash");
	if (size < 0 || (end = message_range_end(size, offset, length)) < 0)
		return db_fail("22023", error_r, "offset beyond the message");
	return message_read_range(conn, sha256_hex, offset, end, fn, arg, error_r);
}
