/* message - content-addressed message blobs and their parsed metadata (DESIGN.md rule 5).
 *
 * A message's raw bytes are stored once, verbatim, keyed by their SHA-256; every mailbox
 * copy and queue job refers to the hash. Inserting a blob that exists already does nothing
 * (ON CONFLICT DO NOTHING), so deliveries of the same bytes share one row. The metadata IMAP
 * and SEARCH need is computed once by the MIME layer (lib/mime fills store_message_meta from
 * GMime) and stored beside the blob. Blobs are read back in chunks with substring(), never
 * whole per connection. */
#ifndef MERPATI_STORE_MESSAGE_H
#define MERPATI_STORE_MESSAGE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SHA256_HEX_SIZE 65          /* 64 hex digits and a NUL */
#define STORE_MESSAGE_MAX (64u << 20)     /* largest blob the store accepts */
#define STORE_MESSAGE_CHUNK (256u << 10)  /* bytes per substring() read */
#define STORE_META_TEXT_MAX (1u << 20)    /* decoded body text kept for SEARCH, bytes */
#define STORE_META_FIELD_MAX (64u << 10)  /* any other metadata field, bytes */
#define STORE_META_SECTIONS_MAX (256u << 10) /* sections JSON; longer is stored as NULL */

/* Plain strings, each may be NULL (stored as NULL). Fields longer than their bound are
 * truncated at a UTF-8 character boundary by store_message_meta_insert. */
struct store_message_meta {
	const char *envelope;      /* IMAP ENVELOPE, RFC 3501 7.4.2 / RFC 9051 7.5.2 */
	const char *bodystructure; /* IMAP BODYSTRUCTURE (extensible form) */
	const char *body;          /* IMAP BODY (non-extensible form) */
	const char *sent_date;     /* Date: header as ISO 8601 with offset; NULL if absent/bad */
	const char *subject;       /* decoded (RFC 2047) UTF-8 */
	const char *from;          /* address lists as decoded display text */
	const char *to;
	const char *cc;
	const char *bcc;
	const char *reply_to;
	const char *message_id;
	const char *in_reply_to;
	const char *references;
	const char *headers;       /* the whole header section, unfolded, decoded text */
	const char *body_text;     /* decoded text of the text parts, for BODY/TEXT SEARCH;
				    * stored as pending, for store_message_index_pending */
	const char *sections;      /* byte ranges of the parts (lib/mime/mime.h); never cut:
				    * over STORE_META_SECTIONS_MAX it is stored as NULL */
};

/* store_message_hash - lowercase hex SHA-256 of data (OpenSSL) */
void store_message_hash(const void *data, size_t len, char hex_r[STORE_SHA256_HEX_SIZE]);
/* store_message_prepare - prepare the two inserts below on conn, outside a transaction, so
 * that the transaction which follows runs them prepared (db_prepared.h); 0 or -1 */
int store_message_prepare(PGconn *conn, const char **error_r);
/* store_message_insert - store the bytes unless already there; sets hex_r to their hash and
 * *inserted_r to 1 if this call created the row (0 if it existed). -1 on error or when len
 * exceeds STORE_MESSAGE_MAX. Runs in the caller's transaction, if any. */
int store_message_insert(PGconn *conn, const void *data, size_t len,
			 char hex_r[STORE_SHA256_HEX_SIZE], int *inserted_r, const char **error_r);
/* store_message_meta_insert - store metadata for an existing blob unless already there;
 * returns 1 inserted, 0 already present, -1 error */
int store_message_meta_insert(PGconn *conn, const char *sha256_hex,
			      const struct store_message_meta *meta, const char **error_r);
#define STORE_INDEX_WAITING_MAX 1000000 /* texts waiting are counted up to this */
/* store_message_index_pending - put the texts of up to max messages stored since the
 * last call into the trigram index (migration 0011): one statement, in the caller's
 * transaction or its own, skipping rows another indexer holds. Returns how many it
 * indexed (fewer than max: none are left but those others hold), or -1; *waiting_r (may
 * be NULL) how many texts still wait, held ones included, at most
 * STORE_INDEX_WAITING_MAX. */
int store_message_index_pending(PGconn *conn, int max, int64_t *waiting_r,
				const char **error_r);
/* store_message_has_meta - 1 when metadata exists for the blob, 0 when not, -1 error */
int store_message_has_meta(PGconn *conn, const char *sha256_hex, const char **error_r);
/* store_message_size - size of a stored blob; 1 found, 0 no such blob, -1 error */
int store_message_size(PGconn *conn, const char *sha256_hex, int64_t *size_r,
		       const char **error_r);

/* store_message_chunk_fn - receives consecutive pieces; non-zero stops the read */
typedef int store_message_chunk_fn(const void *data, size_t len, void *arg);
/* store_message_read - hand bytes [offset, offset+length) of a blob to fn in pieces of at
 * most STORE_MESSAGE_CHUNK (length < 0: to the end). Returns the bytes handed over, or -1 on
 * error or when the blob does not exist. */
int64_t store_message_read(PGconn *conn, const char *sha256_hex, int64_t offset, int64_t length,
			   store_message_chunk_fn *fn, void *arg, const char **error_r);
/* store_message_read_known - store_message_read of a blob whose size the caller read
 * beside its hash (a mailbox row: RFC822.SIZE less the trace), without asking for it again;
 * a blob shorter than size is an error, as is one that does not exist */
int64_t store_message_read_known(PGconn *conn, const char *sha256_hex, int64_t size,
				 int64_t offset, int64_t length, store_message_chunk_fn *fn,
				 void *arg, const char **error_r);

struct mime_meta;
/* store_message_meta_from_mime - the store's view of a message lib/mime parsed; out points
 * into m, and iso_date_r holds the Date as ISO 8601 */
void store_message_meta_from_mime(const struct mime_meta *m, struct store_message_meta *out,
				  char iso_date_r[32]);

#endif
