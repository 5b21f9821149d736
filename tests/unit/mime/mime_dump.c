/* mime_dump - print what lib/mime computes for a message file: one "name: value" line per
 * field, so golden files can be written by hand and compared with other IMAP servers */
#include <stdio.h>
#include <stdlib.h>

#include "mime/mime.h"

/* read_file - the whole file at path (free it), or NULL */
static char *read_file(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)len + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len_r = (size_t)len;
	return buf;
}

int main(int argc, char **argv)
{
	struct mime_meta m;
	const char *error;
	size_t len;
	char *raw;

	if (argc != 2 || (raw = read_file(argv[1], &len)) == NULL) {
		fprintf(stderr, "usage: mime-dump FILE\n");
		return 2;
	}
	if (mime_parse(raw, len, &m, &error) < 0) {
		fprintf(stderr, "mime-dump: %s\n", error);
		return 1;
	}
	printf("ENVELOPE %s\nBODY %s\nBODYSTRUCTURE %s\nSECTIONS %s\n", m.envelope, m.body,
	       m.bodystructure, m.sections);
	printf("size=%zu header_size=%zu lines=%zu received=%u parts=%u degraded=%d\n", m.size,
	       m.header_size, m.lines, m.received, m.parts, m.degraded);
	printf("subject=%s\nfrom=%s\nfrom_addr=%s\nto=%s\ncc=%s\nmessage_id=%s\n", m.subject,
	       m.from, m.from_addr, m.to, m.cc, m.message_id);
	printf("in_reply_to=%s\nreferences=%s\ndate=%lld has_date=%d attachments=%d\n",
	       m.in_reply_to, m.references, (long long)m.date, m.has_date, m.has_attachments);
	printf("TEXT %s\nHEADERS %s", m.text, m.headers);
	mime_meta_clear(&m);
	free(raw);
	return 0;
}
