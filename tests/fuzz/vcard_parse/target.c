/* Fuzz the webmail's vCard parser (services/webmail/web_vcard_parse.c).
 *
 * 1. Any input parses card after card without a crash; each call consumes at most what it
 *    was given and, when it answers a card, something; every field is NUL-terminated within
 *    its bound.
 * 2. parse -> write -> parse gives the same card: a card written back the way
 *    GET /api/contacts.vcf writes one (RFC 6350 3.4 escaping) reads back with the same
 *    fields. */
#include "services/webmail/web_vcard.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct web_vcard card, again;

/* check_bounds - property 1 for the fields */
static void check_bounds(const struct web_vcard *c)
{
	assert(memchr(c->name, '\0', sizeof(c->name)) != NULL);
	assert(memchr(c->phone, '\0', sizeof(c->phone)) != NULL);
	assert(memchr(c->notes, '\0', sizeof(c->notes)) != NULL);
	assert(c->nemails <= WEB_VCARD_EMAILS_MAX);
	for (size_t i = 0; i < c->nemails; i++)
		assert(memchr(c->emails[i], '\0', sizeof(c->emails[i])) != NULL);
}

/* put_text - a value escaped as web_api_contacts.c's vcard_text does */
static void put_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ',' || *s == ';')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* writable - the card's values survive writing: no return character (the exporter drops
 * it), no email the reader would trim or strip a scheme from, no phone with one */
static int writable(const struct web_vcard *c)
{
	if (c->problem != NULL || strchr(c->name, '\r') || strchr(c->phone, '\r') ||
	    strchr(c->notes, '\r') || strncasecmp(c->phone, "tel:", 4) == 0)
		return 0;
	for (size_t i = 0; i < c->nemails; i++) {
		const char *e = c->emails[i];
		size_t n = strlen(e);

		if (strchr(e, '\r') || strncasecmp(e, "mailto:", 7) == 0 || e[0] == ' ' ||
		    e[0] == '\t' || e[n - 1] == ' ' || e[n - 1] == '\t')
			return 0;
	}
	return 1;
}

/* round_trip - property 2 */
static void round_trip(const struct web_vcard *c)
{
	char *buf = NULL;
	size_t len = 0;
	const char *error = NULL;
	FILE *f = open_memstream(&buf, &len);
	ssize_t n;

	assert(f != NULL);
	fputs("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:", f);
	put_text(f, c->name);
	for (size_t i = 0; i < c->nemails; i++) {
		fputs("\r\nEMAIL:", f);
		put_text(f, c->emails[i]);
	}
	fputs("\r\nTEL:", f);
	put_text(f, c->phone);
	fputs("\r\nNOTE:", f);
	put_text(f, c->notes);
	fputs("\r\nEND:VCARD\r\n", f);
	fclose(f);
	n = web_vcard_parse(buf, len, &again, &error);
	assert(n == (ssize_t)len);
	if (again.problem == NULL) {
		assert(strcmp(again.name, c->name) == 0);
		assert(strcmp(again.phone, c->phone) == 0);
		assert(strcmp(again.notes, c->notes) == 0);
		assert(again.nemails == c->nemails);
		for (size_t i = 0; i < c->nemails; i++)
			assert(strcmp(again.emails[i], c->emails[i]) == 0);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *error;
	size_t pos = 0;
	ssize_t n;

	if (size > WEB_VCARD_BODY_MAX)
		return 0;
	for (;;) {
		error = NULL;
		n = web_vcard_parse(buf + pos, size - pos, &card, &error);
		assert(n <= (ssize_t)(size - pos));
		if (n <= 0) {
			assert(n == 0 || error != NULL);
			break;
		}
		pos += (size_t)n;
		check_bounds(&card);
		if (writable(&card))
			round_trip(&card);
	}
	return 0;
}
