/* fetch_job.c - FETCH's store work on a pool thread: rows, implicit \Seen, sections */
#include "services/imap/fetch_job.h"
#include "services/imap/fetch_binary.h"
#include "store/db.h"
#include "store/imap_msg_header.h"

#include <stdlib.h>
#include <string.h>

/* job_wants - the metadata columns the items need */
static unsigned job_wants(const struct fetch_items *items)
{
	unsigned want = 0;

	if (items->flags & FETCH_ENVELOPE)
		want |= IMAP_MSG_WANT_ENVELOPE;
	if (items->flags & FETCH_BODYSTRUCTURE)
		want |= IMAP_MSG_WANT_BODYSTRUCTURE;
	if (items->flags & FETCH_BODY)
		want |= IMAP_MSG_WANT_BODY;
	if (items->nsections > 0)
		want |= IMAP_MSG_WANT_SECTIONS;
	return want;
}

void *fetch_job_alloc(struct fetch_job *job, size_t n)
{
	size_t need = (n + 7) & ~(size_t)7;
	void *p;

	if (need < n || need > FETCH_JOB_BUF_SIZE - job->buf_used)
		return NULL;
	p = job->buf + job->buf_used;
	job->buf_used += need;
	return p;
}

/* job_keep_str - a copy in the batch buffer; false when it does not fit */
static bool job_keep_str(struct fetch_job *job, const char **s)
{
	size_t len;
	char *copy;

	if (*s == NULL)
		return true;
	len = strlen(*s);
	if ((copy = fetch_job_alloc(job, len + 1)) == NULL)
		return false;
	memcpy(copy, *s, len + 1);
	*s = copy;
	return true;
}

/* job_keep_row - imap_msg_fetch_fn: copy the row into the batch; stops the batch when
 * the buffer is full (the row is fetched again by the next batch) */
static int job_keep_row(const struct imap_msg_row *row, void *arg)
{
	struct fetch_job *job = arg;
	struct fetch_msg *m = &job->msgs[job->nmsgs];
	size_t mark = job->buf_used;
	bool fits = true;

	m->row = *row;
	m->parts = NULL; /* job_sections fills them in when sections were asked for */
	for (size_t i = 0; i < row->nkeywords; i++)
		fits = fits && job_keep_str(job, &m->row.keywords[i]);
	fits = fits && job_keep_str(job, &m->row.envelope) &&
	       job_keep_str(job, &m->row.bodystructure) && job_keep_str(job, &m->row.body) &&
	       job_keep_str(job, &m->row.sections);
	if (!fits) {
		job->buf_used = mark;
		return 1;
	}
	job->nmsgs++;
	return 0;
}

struct job_gather {
	char *data;
	size_t len;
	size_t cap;
};

/* job_gather - store_message_chunk_fn appending to a bounded buffer */
static int job_gather(const void *data, size_t len, void *arg)
{
	struct job_gather *g = arg;

	if (len > g->cap - g->len)
		return 1;
	memcpy(g->data + g->len, data, len);
	g->len += len;
	return 0;
}

/* job_read_small - the bytes of a range that fits FETCH_JOB_INLINE_MAX, in the arena */
static int job_read_small(PGconn *conn, struct fetch_job *job, const struct imap_msg_row *row,
			  struct fetch_part *p, const char **error_r)
{
	struct job_gather g = { .cap = (size_t)(p->range.end - p->range.start) };

	if ((g.data = fetch_job_alloc(job, g.cap + 1)) == NULL)
		return 0; /* no room in this batch: the section is streamed instead */
	if (imap_msg_fetch_read(conn, row, p->range, job_gather, &g, error_r) < 0)
		return -1;
	p->data = g.data;
	p->len = g.len;
	return 0;
}

/* job_fields - HEADER.FIELDS (NOT): the header read (bounded) and filtered */
static int job_fields(PGconn *conn, struct fetch_job *job, const struct imap_msg_row *row,
		      const struct fetch_section *sec, struct fetch_part *p, const char **error_r)
{
	struct job_gather g = { .cap = IMAP_MSG_HEADER_MAX };
	struct imap_msg_range r = p->range;
	char *out;

	if (r.end - r.start > (int64_t)IMAP_MSG_HEADER_MAX)
		r.end = r.start + IMAP_MSG_HEADER_MAX;
	if ((g.data = malloc(g.cap)) == NULL)
		abort();
	if (imap_msg_fetch_read(conn, row, r, job_gather, &g, error_r) < 0) {
		free(g.data);
		return -1;
	}
	if ((out = fetch_job_alloc(job, g.len + 4)) == NULL) {
		free(g.data);
		return 1; /* the batch ends before this message */
	}
	p->len = imap_msg_header_filter(g.data, g.len, sec->names, sec->nnames, sec->fields_not,
					out);
	p->data = out;
	free(g.data);
	/* the partial applies to the filtered text (RFC 3501 6.4.5) */
	p->range = (struct imap_msg_range){ 0, (int64_t)p->len };
	if (sec->partial)
		imap_msg_section_partial(&p->range, sec->origin, sec->count);
	p->data += p->range.start;
	p->len = (size_t)(p->range.end - p->range.start);
	return 0;
}

/* job_part - resolve one section of one message */
static int job_part(PGconn *conn, struct fetch_job *job, struct fetch_msg *m,
		    const struct fetch_section *sec, struct fetch_part *p, const char **error_r)
{
	int found = imap_msg_section_range(m->row.sections, m->row.trace_len, sec->part,
					   sec->text, &p->range);

	if (found < 0)
		return db_fail("XX000", error_r, "unusable part offsets");
	if ((p->exists = found == 1) == false)
		return 0;
	if (sec->fields)
		return job_fields(conn, job, &m->row, sec, p, error_r);
	if (sec->partial)
		imap_msg_section_partial(&p->range, sec->origin, sec->count);
	if (p->range.end - p->range.start <= (int64_t)FETCH_JOB_INLINE_MAX)
		return job_read_small(conn, job, &m->row, p, error_r);
	return 0;
}

/* job_sections - the offsets (computed when missing) and every section of a message */
static int job_sections(PGconn *conn, struct fetch_job *job, struct fetch_msg *m,
			const char **error_r)
{
	char *sections = NULL;

	bool fits;

	if ((m->parts = fetch_job_alloc(job, job->items->nsections * sizeof(*m->parts))) == NULL)
		return 1;
	memset(m->parts, 0, job->items->nsections * sizeof(*m->parts));
	if (m->row.sections == NULL) {
		if (imap_msg_fetch_sections(conn, m->row.sha256, &sections, error_r) < 0)
			return -1;
		m->row.sections = sections;
		fits = job_keep_str(job, &m->row.sections);
		free(sections);
		if (!fits)
			return 1;
	}
	for (size_t i = 0; i < job->items->nsections; i++) {
		const struct fetch_section *sec = &job->items->sections[i];

		struct fetch_part *p = &m->parts[i];

		int r;

		if (sec->kind == FETCH_SECTION_BODY) {
			if ((r = job_part(conn, job, m, sec, p, error_r)) != 0)
				return r;
			continue;
		}
		if ((r = fetch_binary_part(conn, job, m, sec, p, error_r)) != 0)
			return r;
		/* an identity-encoded BINARY part is a range like BODY[n]: read it when small */
		if (sec->kind == FETCH_SECTION_BINARY && p->exists && p->data == NULL &&
		    !p->binary_unsupported &&
		    p->range.end - p->range.start <= (int64_t)FETCH_JOB_INLINE_MAX &&
		    job_read_small(conn, job, &m->row, p, error_r) < 0)
			return -1;
	}
	return 0;
}

/* job_seen_tx - the implicit \Seen of a non-PEEK body section, in its own transaction */
static int job_seen_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct fetch_job *job = arg;

	return store_mailbox_store_flags(conn, job->mailbox_id, job->uids, job->nuids,
					 STORE_FLAGS_ADD, STORE_FLAG_SEEN, NULL, 0, 0,
					 &job->seen_modseq, error_r);
}

/* job_consumed - how many of the batch's UIDs the first n rows cover */
static size_t job_consumed(const struct fetch_job *job, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return 0;
	while (k < job->nuids && job->uids[k] <= job->msgs[n - 1].row.uid)
		k++;
	return k;
}

int fetch_job_batch(PGconn *conn, void *arg, const char **error_r)
{
	struct fetch_job *job = arg;
	int r;

	job->nmsgs = 0;
	job->buf_used = 0;
	job->consumed = job->nuids;
	if (job->set_seen && db_tx(conn, job_seen_tx, job, error_r) < 0)
		return -1;
	r = imap_msg_fetch_rows(conn, job->mailbox_id, job->uids, job->nuids,
				job->items->changedsince, job_wants(job->items), job_keep_row, job,
				error_r);
	if (r < 0)
		return -1;
	if (job->nmsgs < (size_t)r) { /* the buffer filled up: the rest is the next batch's */
		if (job->nmsgs == 0)
			return db_fail("54000", error_r, "one message's FETCH items are too large");
		job->consumed = job_consumed(job, job->nmsgs);
	}
	for (size_t i = 0; i < job->nmsgs && job->items->nsections > 0; i++) {
		if ((r = job_sections(conn, job, &job->msgs[i], error_r)) < 0)
			return -1;
		if (r > 0 && i > 0) { /* no room for message i: it starts the next batch */
			job->nmsgs = i;
			job->consumed = job_consumed(job, i);
			break;
		}
		if (r > 0)
			return db_fail("54000", error_r, "one message's FETCH items are too large");
	}
	return 0;
}

int fetch_job_chunk(PGconn *conn, void *arg, const char **error_r)
{
	struct fetch_job *job = arg;
	struct job_gather g = { .data = (char *)job->chunk, .cap = STORE_MESSAGE_CHUNK };

	if (imap_msg_fetch_read(conn, job->chunk_row, job->chunk_range, job_gather, &g,
				error_r) < 0)
		return -1;
	job->chunk_len = g.len;
	return 0;
}
