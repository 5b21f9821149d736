/* fetch_job - the database side of FETCH, run on a store pool thread (imap.h job
 * convention): one batch of messages with their rows, the implicit \Seen of non-PEEK body
 * sections (RFC 3501 6.4.5), the byte ranges of their sections and the bytes of the small
 * ones; large sections are read later one chunk per job (fetch_job_chunk) so a big message
 * is never held whole. Everything a job produces goes into the command's arena, which the
 * handler does not touch while the job runs. */
#ifndef MERPATI_IMAP_FETCH_JOB_H
#define MERPATI_IMAP_FETCH_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "services/imap/fetch_items.h"
#include "store/imap_msg_fetch.h"

#define FETCH_JOB_BATCH 200          /* messages per job without body sections */
#define FETCH_JOB_BATCH_SECTIONS 16  /* messages per job with body sections */
#define FETCH_JOB_INLINE_MAX (64u * 1024) /* larger sections are streamed in chunks */
#define FETCH_JOB_BUF_SIZE (1u << 20)     /* what one batch keeps (metadata, small sections);
					   * a batch that would need more ends early */

/* One section of one message: its bytes when small, else the range to stream. */
struct fetch_part {
	bool exists;                  /* false: no such part, sent as "" (RFC 3501 6.4.5) */
	struct imap_msg_range range;  /* of the client's view (trace + blob) */
	const char *data;             /* NULL when streamed */
	size_t len;
	bool binary_unsupported;      /* BINARY of an encoding we cannot decode (RFC 3516 4.3) */
	bool literal8;                /* BINARY: may hold NUL octets (RFC 3516 4.2) */
	uint64_t size;                /* BINARY.SIZE: the decoded size */
};

/* One message of the batch, copied out of the row. */
struct fetch_msg {
	struct imap_msg_row row;      /* keywords/metadata pointers point into the arena */
	struct fetch_part *parts;     /* one per fetch_items section */
};

struct fetch_job {
	/* in */
	struct imap_arena *arena;
	const struct fetch_items *items;
	int64_t mailbox_id;
	bool set_seen;                /* not read-only and a non-PEEK section was asked for */
	const uint32_t *uids;         /* this batch */
	size_t nuids;
	/* out */
	struct fetch_msg *msgs;       /* room for nuids of every batch, reused (not zeroed) */
	size_t nmsgs;
	size_t consumed;              /* UIDs of uids[] this batch covered */
	char *buf;                    /* FETCH_JOB_BUF_SIZE bytes, reused (not zeroed) */
	size_t buf_used;
	uint64_t seen_modseq;         /* non-zero when \Seen was set on some message */
	/* chunk reads */
	const struct imap_msg_row *chunk_row;
	struct imap_msg_range chunk_range;
	unsigned char *chunk;         /* STORE_MESSAGE_CHUNK bytes, reused (not zeroed) */
	size_t chunk_len;
};

/* fetch_job_alloc - n bytes of the batch buffer (8-aligned, not zeroed), NULL when full */
void *fetch_job_alloc(struct fetch_job *job, size_t n);

/* fetch_job_batch - imap_job_fn: the rows of job->uids and their sections; a batch whose
 * values outgrow the buffer stops early (consumed < nuids) */
int fetch_job_batch(PGconn *conn, void *arg, const char **error_r);
/* fetch_job_chunk - imap_job_fn: read chunk_range (at most STORE_MESSAGE_CHUNK bytes) of
 * chunk_row into chunk */
int fetch_job_chunk(PGconn *conn, void *arg, const char **error_r);

#endif
