/* imap_compress - COMPRESS=DEFLATE (RFC 4978): raw deflate (RFC 1951) both ways once the
 * tagged OK has gone out, with zlib. Output is flushed with Z_SYNC_FLUSH on every write so
 * a response is never held back; input is inflated into a buffer of its own, bounded. */
#ifndef MERPATI_IMAP_COMPRESS_H
#define MERPATI_IMAP_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/buffer.h>

struct imap_compress;

/* imap_compress_new - both streams; NULL when zlib refuses (no memory) */
struct imap_compress *imap_compress_new(void);
void imap_compress_free(struct imap_compress **z);
/* imap_compress_out - deflate data into out; -1 on a zlib error */
int imap_compress_out(struct imap_compress *z, const void *data, size_t len,
		      struct evbuffer *out);
/* imap_compress_in - inflate everything in raw into the plain buffer (drained from raw);
 * -1 on corrupt input or when plain would exceed max */
int imap_compress_in(struct imap_compress *z, struct evbuffer *raw, size_t max);
/* imap_compress_plain - the inflated input, read by the session */
struct evbuffer *imap_compress_plain(struct imap_compress *z);

#endif
