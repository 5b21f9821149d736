/* fetch_binary.c - BINARY sections: Content-Transfer-Encoding undone (RFC 3516) */
#include "services/imap/fetch_binary.h"
#include "store/db.h"
#include "store/imap_msg_header.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BINARY_MIME_MAX (64u * 1024) /* bytes of a part's MIME header read for its CTE */

struct binary_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* binary_gather - store_message_chunk_fn into a bounded buffer */
static int binary_gather(const void *data, size_t len, void *arg)
{
	struct binary_buf *b = arg;

	if (len > b->cap - b->len)
		len = b->cap - b->len;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return b->len == b->cap;
}

/* binary_cte - the part's Content-Transfer-Encoding (RFC 2045 6.1) from its MIME header
 * (for part "1" of a single-part message that is the message header) */
static GMimeContentEncoding binary_cte(PGconn *conn, const struct fetch_msg *m, const char *part,
				       bool *known_r, const char **error_r)
{
	static const char *const names[] = { "Content-Transfer-Encoding" };
	struct imap_msg_range r;
	char hdr[BINARY_MIME_MAX], out[BINARY_MIME_MAX + 4], *v;
	struct binary_buf b = { hdr, 0, sizeof(hdr) };
	size_t n;

	*known_r = false;
	if (imap_msg_section_range(m->row.sections, m->row.trace_len, part, IMAP_MSG_SECTION_MIME,
				   &r) != 1 ||
	    imap_msg_fetch_read(conn, &m->row, (struct imap_msg_range){ r.start, r.end - r.start >
			(int64_t)sizeof(hdr) ? r.start + (int64_t)sizeof(hdr) : r.end },
			binary_gather, &b, error_r) < 0)
		return GMIME_CONTENT_ENCODING_DEFAULT;
	n = imap_msg_header_filter(hdr, b.len, names, 1, false, out);
	out[n] = '\0';
	if ((v = strchr(out, ':')) == NULL) {
		*known_r = true; /* absent: 7bit (RFC 2045 6.1) */
		return GMIME_CONTENT_ENCODING_7BIT;
	}
	v = g_strstrip(v + 1);
	GMimeContentEncoding e = g_mime_content_encoding_from_string(v);
	*known_r = e != GMIME_CONTENT_ENCODING_DEFAULT;
	return e;
}

/* binary_decode - the part body decoded with GMime, read STORE_MESSAGE_CHUNK at a time;
 * 1 when the batch buffer has no room for it */
static int binary_decode(PGconn *conn, struct fetch_job *job, const struct fetch_msg *m,
			 GMimeContentEncoding e, struct fetch_part *p, const char **error_r)
{
	struct binary_buf in = { .cap = STORE_MESSAGE_CHUNK };
	GMimeEncoding state;
	char *out = malloc(FETCH_BINARY_MAX + 16), *kept;
	size_t len = 0;

	if ((in.data = malloc(in.cap)) == NULL || out == NULL)
		abort();
	g_mime_encoding_init_decode(&state, e);
	for (int64_t at = p->range.start; at < p->range.end; at += (int64_t)in.len) {
		int64_t end = p->range.end - at > (int64_t)in.cap ? at + (int64_t)in.cap : p->range.end;
		in.len = 0;
		if (imap_msg_fetch_read(conn, &m->row, (struct imap_msg_range){ at, end },
					binary_gather, &in, error_r) < 0 || in.len == 0 ||
		    g_mime_encoding_outlen(&state, in.len) > FETCH_BINARY_MAX - len) {
			free(in.data);
			free(out);
			return in.len == 0 ? -1 : db_fail("54000", error_r, "BINARY part too large");
		}
		len += g_mime_encoding_step(&state, in.data, in.len, out + len);
	}
	len += g_mime_encoding_flush(&state, NULL, 0, out + len);
	free(in.data);
	/* kept in the batch buffer; when it has no room the message starts the next batch */
	if ((kept = fetch_job_alloc(job, len + 1)) != NULL)
		memcpy(kept, out, len);
	free(out);
	if (kept == NULL)
		return 1;
	p->data = kept;
	p->len = len;
	return 0;
}

/* binary_partial - apply <origin.count> to bytes at hand */
static void binary_partial(const struct fetch_section *sec, struct fetch_part *p)
{
	struct imap_msg_range r = { 0, (int64_t)p->len };

	if (!sec->partial)
		return;
	imap_msg_section_partial(&r, sec->origin, sec->count);
	p->data += r.start;
	p->len = (size_t)(r.end - r.start);
}

int fetch_binary_part(PGconn *conn, struct fetch_job *job, struct fetch_msg *m,
		      const struct fetch_section *sec, struct fetch_part *p, const char **error_r)
{
	GMimeContentEncoding e = GMIME_CONTENT_ENCODING_BINARY;
	bool known = true;
	int found = imap_msg_section_range(m->row.sections, m->row.trace_len, sec->part,
					   IMAP_MSG_SECTION_ALL, &p->range);

	if (found < 0)
		return db_fail("XX000", error_r, "unusable part offsets");
	if ((p->exists = found == 1) == false)
		return 0;
	if (sec->part[0] != '\0') {
		const char *error = NULL;

		e = binary_cte(conn, m, sec->part, &known, &error);
		if (error != NULL) {
			*error_r = error;
			return -1;
		}
		if (!known) {
			p->binary_unsupported = true;
			return 0;
		}
	}
	p->literal8 = true;
	if (e == GMIME_CONTENT_ENCODING_BASE64 || e == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    e == GMIME_CONTENT_ENCODING_UUENCODE) {
		int r = binary_decode(conn, job, m, e, p, error_r);
		if (r != 0)
			return r;
		p->size = p->len;
		binary_partial(sec, p);
		return 0;
	}
	p->size = (uint64_t)(p->range.end - p->range.start); /* identity (RFC 3516 4.2) */
	if (sec->partial)
		imap_msg_section_partial(&p->range, sec->origin, sec->count);
	return 0;
}
