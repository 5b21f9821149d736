/* imap_compress - zlib streams for COMPRESS=DEFLATE (RFC 4978 4). */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "services/imap/imap_compress.h"

#define COMPRESS_CHUNK 16384

struct imap_compress {
	z_stream in, out;
	struct evbuffer *plain;
};

/* imap_compress_new - raw deflate (negative window bits), as RFC 4978 4 requires */
struct imap_compress *imap_compress_new(void)
{
	struct imap_compress *z = calloc(1, sizeof(*z));

	if (z == NULL)
		abort();
	if (inflateInit2(&z->in, -15) != Z_OK) {
		free(z);
		return NULL;
	}
	if (deflateInit2(&z->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		inflateEnd(&z->in);
		free(z);
		return NULL;
	}
	if ((z->plain = evbuffer_new()) == NULL)
		abort();
	return z;
}

/* imap_compress_free - both streams and the buffer */
void imap_compress_free(struct imap_compress **z)
{
	if (*z == NULL)
		return;
	inflateEnd(&(*z)->in);
	deflateEnd(&(*z)->out);
	evbuffer_free((*z)->plain);
	free(*z);
	*z = NULL;
}

/* imap_compress_out - one write, flushed so the peer can read it whole */
int imap_compress_out(struct imap_compress *z, const void *data, size_t len,
		      struct evbuffer *out)
{
	unsigned char buf[COMPRESS_CHUNK];

	z->out.next_in = (Bytef *)data;
	z->out.avail_in = (uInt)len;
	do {
		z->out.next_out = buf;
		z->out.avail_out = sizeof(buf);
		if (deflate(&z->out, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
			return -1;
		evbuffer_add(out, buf, sizeof(buf) - z->out.avail_out);
	} while (z->out.avail_out == 0);
	return 0;
}

/* imap_compress_in - inflate chunk by chunk, never beyond max octets waiting */
int imap_compress_in(struct imap_compress *z, struct evbuffer *raw, size_t max)
{
	unsigned char buf[COMPRESS_CHUNK];

	while (evbuffer_get_length(raw) > 0) {
		size_t n = evbuffer_get_contiguous_space(raw);
		int r;

		z->in.next_in = evbuffer_pullup(raw, (ssize_t)n);
		z->in.avail_in = (uInt)n;
		do {
			z->in.next_out = buf;
			z->in.avail_out = sizeof(buf);
			r = inflate(&z->in, Z_SYNC_FLUSH);
			if (r != Z_OK && r != Z_BUF_ERROR)
				return -1;  /* corrupt, or the stream ended: RFC 4978 has no end */
			evbuffer_add(z->plain, buf, sizeof(buf) - z->in.avail_out);
			if (evbuffer_get_length(z->plain) > max)
				return -1;
		} while (z->in.avail_out == 0);
		evbuffer_drain(raw, n - z->in.avail_in);
		if (z->in.avail_in != 0)
			return -1;
	}
	return 0;
}

/* imap_compress_plain - see imap_compress.h */
struct evbuffer *imap_compress_plain(struct imap_compress *z)
{
	return z->plain;
}
