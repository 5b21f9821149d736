/* message_mime.c - the store's view of a message parsed by lib/mime */
#include <string.h>
#include <time.h>

#include "mime/mime.h"
#include "store/message.h"

void store_message_meta_from_mime(const struct mime_meta *m, struct store_message_meta *out,
				  char iso_date_r[32])
{
	struct tm tm;

	memset(out, 0, sizeof(*out));
	out->envelope = m->envelope;
	out->bodystructure = m->bodystructure;
	out->body = m->body;
	if (m->has_date && gmtime_r(&m->date, &tm) != NULL &&
	    strftime(iso_date_r, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		out->sent_date = iso_date_r;
	out->subject = m->subject;
	out->from = m->from;
	out->to = m->to;
	out->cc = m->cc;
	out->bcc = m->bcc;
	out->reply_to = m->reply_to;
	out->message_id = m->message_id;
	out->in_reply_to = m->in_reply_to;
	out->references = m->references;
	out->headers = m->headers;
	out->body_text = m->text;
	out->sections = m->sections;
}
