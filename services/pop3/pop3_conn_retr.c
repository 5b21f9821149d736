/* pop3_conn_retr.c - POP3_ACTION_RETR: a message streamed from the store in chunks, each
 * fetched only when the client has taken most of the last (RFC 1939 7 RETR, TOP) */
#include "services/pop3/pop3_conn_int.h"

#include <stdlib.h>

#include "log/log.h"

/* While a client reads slower than the store delivers, stop reading ahead at this many
 * queued octets and look again after a short pause. */
#define CONN_OUTPUT_HIGH (512u * 1024)
#define CONN_BACKPRESSURE_USEC 5000

/* conn_read_fail - the store could not deliver: -ERR before +OK, else close */
static void conn_read_fail(struct pop3_conn *pc, const char *error)
{
	log_warn("session=%s event=store_error op=retr uid=%u error=\"%s\"", pc->id, pc->read.uid,
		 error != NULL ? error : "store unavailable");
	if (pc->retr_begun) {
		/* half a message is out: the only honest end is closing */
		pop3_conn_close(pc);
		return;
	}
	pop3_session_retr_fail(pc->s, true);
	pop3_conn_resume(pc, POP3_ACTION_READ);
}

/* conn_read_done - one chunk of a RETR/TOP arrived from the store */
static void conn_read_done(int ret, const char *error, void *arg)
{
	struct pop3_conn *pc = *(void **)arg;
	struct pop3_store_read *job = &pc->read;
	bool enough;

	pc->jobs--;
	if (pc->net == NULL) {
		pop3_conn_release(pc);
		return;
	}
	if (ret < 0) {
		conn_read_fail(pc, error);
		return;
	}
	if (!pc->retr_begun) {
		if (job->found == 0) {
			/* expunged by another session after our snapshot */
			pop3_session_retr_fail(pc->s, false);
			pop3_conn_resume(pc, POP3_ACTION_READ);
			return;
		}
		pop3_session_retr_begin(pc->s);
		pc->retr_begun = true;
	}
	pop3_server_count(POP3_METRIC_RETR_BYTES, (int64_t)job->len);
	enough = job->len > 0 && pop3_session_retr_chunk(pc->s, job->buf, job->len);
	job->offset += job->len;
	if (job->len == 0 || enough || job->offset >= maildrop_reader_size(&job->reader)) {
		pop3_session_retr_end(pc->s);
		pc->retr_begun = false;
		pop3_conn_resume(pc, POP3_ACTION_READ);
		return;
	}
	pop3_conn_retr_next(pc);
}

/* pop3_conn_retr_next - fetch the next chunk once the client has taken most of the last ones */
void pop3_conn_retr_next(struct pop3_conn *pc)
{
	struct timeval pause = { 0, CONN_BACKPRESSURE_USEC };

	if (pc->net == NULL)
		return;
	if (net_conn_output_len(pc->net) > CONN_OUTPUT_HIGH) {
		pc->waiting = POP3_CONN_WAIT_OUTPUT;
		event_add(pc->wait, &pause);
		return;
	}
	if (pop3_conn_submit(pc, &pc->read.conn, pop3_store_read_work, conn_read_done) < 0)
		pop3_conn_close(pc);
}

/* pop3_conn_retr_start - POP3_ACTION_RETR: stream the message in chunks */
void pop3_conn_retr_start(struct pop3_conn *pc)
{
	struct pop3_store_read *job = &pc->read;
	struct maildrop *md = pop3_session_maildrop(pc->s);

	if (job->buf == NULL) {
		job->cap = STORE_MESSAGE_CHUNK;
		job->buf = malloc(job->cap);
		if (job->buf == NULL)
			abort();
	}
	job->mailbox_id = md->mailbox_id;
	job->uid = pop3_session_retr_uid(pc->s);
	job->opened = false;
	job->found = 0;
	job->offset = 0;
	job->len = 0;
	pc->retr_begun = false;
	if (pop3_conn_submit(pc, &pc->read.conn, pop3_store_read_work, conn_read_done) < 0) {
		pop3_session_retr_fail(pc->s, true);
		pop3_conn_resume(pc, POP3_ACTION_READ);
	}
}
