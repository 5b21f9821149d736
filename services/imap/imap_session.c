/* imap_session - commands on one connection: input into the parser, the state and
 * command-table checks (RFC 3501 6), running handlers until done, the sync before the
 * tagged reply, and the end of a connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "log/log.h"
#include "services/imap/imap_conn.h"

/* imap_session_release - free once closed and no job refers to the connection */
void imap_session_release(struct imap_conn *ic)
{
	if (ic->net != NULL || ic->jobs > 0)
		return;
	imap_server_watch(ic->srv, ic, 0);
	if (ic->user_counted)
		imap_server_user_remove(ic->srv, ic->s.account_id);
	event_free(ic->autologout);
	event_free(ic->timer);
	imap_view_free(&ic->s.selected);
	store_imap_sync_clear(&ic->sync);
	imap_arena_free(&ic->cmd_arena);
	imap_arena_free(&ic->s.arena);
	imap_compress_free(&ic->z);
	if (ic->prev != NULL)
		ic->prev->next = ic->next;
	else
		ic->srv->conns = ic->next;
	if (ic->next != NULL)
		ic->next->prev = ic->prev;
	ic->srv->live_conns--;
	free(ic);
}

/* imap_session_close - an untagged BYE (RFC 3501 7.1.5) when given, then close */
void imap_session_close(struct imap_conn *ic, const char *bye)
{
	if (ic->net == NULL)
		return;
	if (bye != NULL)
		imap_reply_untagged(&ic->s, "BYE %s", bye);
	ic->s.state = IMAP_STATE_LOGOUT;
	net_conn_close(ic->net);
}

/* imap_session_tagged - hold the tagged line back until the sync has reported changes
 * (untagged responses come before the completion, RFC 3501 2.2.2) */
void imap_session_tagged(struct imap_cmd_ctx *ctx, const char *line, size_t len)
{
	struct imap_session *s = ctx->session;
	struct imap_conn *ic = (struct imap_conn *)s->conn;

	if (ic == NULL) {
		imap_reply_raw(s, line, len);
		return;
	}
	ic->tagged = imap_arena_memdup(ctx->arena, line, len);
	ic->tagged_len = len;
}

/* session_tls_done - the STARTTLS handshake ended (RFC 3501 6.2.1) */
static void session_tls_done(struct net_conn *c, bool ok, void *arg)
{
	struct imap_conn *ic = arg;

	log_info("session=%s event=starttls ok=%d", ic->id, ok);
	if (!ok)
		return;  /* the net layer closes the connection */
	ic->s.tls = true;
	ic->s.secure = net_conn_is_secure(c);
	ic->busy = false;
	imap_session_process(ic);
}

/* session_starttls - the OK is queued: start the handshake; the net layer drops any
 * plaintext the client sent after the command */
static void session_starttls(struct imap_conn *ic)
{
	const char *error;

	ic->starttls = false;
	imap_arena_clear(ic->cmd_arena);
	memset(&ic->ctx, 0, sizeof(ic->ctx));
	if (net_conn_starttls(ic->net, session_tls_done, &error) < 0) {
		log_warn("session=%s event=starttls_failed error=\"%s\"", ic->id, error);
		imap_session_close(ic, "TLS failed");
	}
}

/* imap_session_read_line - see imap_conn.h */
void imap_session_read_line(struct imap_cmd_ctx *ctx, size_t max)
{
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;

	ic->line_max = max;
	ic->line = NULL;
}

/* imap_session_line - the line read for the handler ("" when none) */
const char *imap_session_line(struct imap_cmd_ctx *ctx)
{
	struct imap_conn *ic = (struct imap_conn *)ctx->session->conn;

	return ic != NULL && ic->line != NULL ? ic->line : "";
}

/* session_line_input - a handler waits for a line (SASL response, RFC 3501 6.2.2) */
static void session_line_input(struct imap_conn *ic, struct evbuffer *in)
{
	size_t n;
	char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);

	if (line == NULL) {
		if (evbuffer_get_length(in) > ic->line_max + 2)
			imap_session_close(ic, "Line too long");
		return;
	}
	if (n > ic->line_max) {
		free(line);
		imap_session_close(ic, "Line too long");
		return;
	}
	ic->line = imap_arena_memdup(ic->cmd_arena, line, n);
	ic->line_max = 0;
	free(line);
	imap_session_continue(ic);
}

/* session_end_command - the tagged line out, the command's memory freed, input read on */
static void session_end_command(struct imap_conn *ic)
{
	if (ic->tagged != NULL)
		imap_reply_raw(&ic->s, ic->tagged, ic->tagged_len);
	ic->tagged = NULL;
	if (ic->starttls && ic->net != NULL) {
		session_starttls(ic);
		return;
	}
	if (ic->compress && ic->net != NULL) {
		ic->compress = false;
		imap_conn_compress_start(ic);
	}
	ic->busy = false;
	imap_arena_clear(ic->cmd_arena);
	memset(&ic->ctx, 0, sizeof(ic->ctx));
	if (ic->s.state == IMAP_STATE_LOGOUT) {
		imap_session_close(ic, NULL);
		return;
	}
	if (ic->net != NULL)
		net_conn_resume(ic->net);
	imap_session_process(ic);
}

/* session_synced - the sync after a command wrote its untagged responses */
static void session_synced(struct imap_conn *ic)
{
	session_end_command(ic);
}

/* session_finish - the handler is done: sync (RFC 3501 7.4.1 decides about EXPUNGE),
 * then the tagged reply */
static void session_finish(struct imap_conn *ic)
{
	const struct imap_command_def *def = ic->ctx.def;
	bool allow_expunge;

	if (ic->net == NULL || def == NULL || (def->flags & IMAP_CMDF_NO_SYNC) ||
	    ic->s.state != IMAP_STATE_SELECTED) {
		session_end_command(ic);
		return;
	}
	allow_expunge = !(def->flags & IMAP_CMDF_NO_EXPUNGE) || ic->cmd.uid;
	if (!imap_sync_start(ic, allow_expunge, session_synced))
		session_end_command(ic);
}

/* imap_session_continue - (re)enter the current handler */
void imap_session_continue(struct imap_conn *ic)
{
	enum imap_cmd_result r;

	if (ic->net == NULL || !ic->busy)
		return;
	r = ic->ctx.def->fn(&ic->ctx);
	if (r == IMAP_CMD_DONE) {
		session_finish(ic);
	} else if (r == IMAP_CMD_WAIT_OUTPUT) {
		struct timeval tv = { 0, 20000 };

		ic->timer_for = IMAP_TIMER_OUTPUT;
		event_add(ic->timer, &tv);
	}
	/* pipelined input waits in the kernel, not in memory, while a command works; IDLE
	 * and SASL exchanges still read */
	if (r != IMAP_CMD_DONE && ic->net != NULL && ic->idle == IMAP_IDLE_OFF &&
	    ic->line_max == 0)
		net_conn_pause(ic->net);
	else if (r != IMAP_CMD_DONE && ic->net != NULL)
		net_conn_resume(ic->net);
}

/* session_bad - answer a refused command; too many in a row end the connection */
static void session_bad(struct imap_conn *ic, const char *tag, bool toobig, const char *why)
{
	imap_reply_printf(&ic->s, "%s BAD %s%s\r\n", tag[0] != '\0' ? tag : "*",
			  toobig ? "[TOOBIG] " : "", why);
	if (++ic->bad_commands >= ic->s.cfg->max_bad_commands)
		imap_session_close(ic, "Too many invalid commands");
}

/* session_dispatch - the table's checks, then the handler (OpenSMTPD's check/proceed) */
static void session_dispatch(struct imap_conn *ic)
{
	const struct imap_command_def *def = imap_commands_find(ic->cmd.name);

	if (def == NULL) {
		session_bad(ic, ic->cmd.tag, false, "Unknown command");
		return;
	}
	if (!(def->states & ic->s.state)) {
		session_bad(ic, ic->cmd.tag, false, ic->s.state == IMAP_STATE_NOT_AUTH ?
			    "Log in first" : "Not allowed in this state");
		return;
	}
	if (ic->cmd.uid ? !(def->flags & IMAP_CMDF_UID) : (def->flags & IMAP_CMDF_UID_ONLY)) {
		session_bad(ic, ic->cmd.tag, false, ic->cmd.uid ? "No UID form of this command" :
			    "Only as a UID command");
		return;
	}
	ic->bad_commands = 0;
	ic->busy = true;
	ic->ctx.session = &ic->s;
	ic->ctx.cmd = &ic->cmd;
	ic->ctx.def = def;
	ic->ctx.arena = ic->cmd_arena;
	imap_session_continue(ic);
}

/* session_skip - throw away input after a refused command; true when done skipping */
static bool session_skip(struct imap_conn *ic, struct evbuffer *in)
{
	if (ic->skip_bytes > 0) {
		size_t n = evbuffer_get_length(in);

		if (n > ic->skip_bytes)
			n = (size_t)ic->skip_bytes;
		evbuffer_drain(in, n);
		ic->skip_bytes -= n;
		if (ic->skip_bytes > 0)
			return false;
	}
	if (ic->skip_line) {
		struct evbuffer_ptr p = evbuffer_search(in, "\n", 1, NULL);

		if (p.pos < 0) {
			evbuffer_drain(in, evbuffer_get_length(in));
			return false;
		}
		evbuffer_drain(in, (size_t)p.pos + 1);
		ic->skip_line = false;
	}
	return true;
}

/* session_parse - one command from the input; false when input must wait */
static bool session_parse(struct imap_conn *ic, struct evbuffer *in)
{
	size_t avail = evbuffer_get_length(in);
	struct imap_parse_result res;
	ssize_t r;

	if (avail == 0 || avail < ic->want)
		return false;
	r = imap_parser_parse(&ic->s.cfg->limits, evbuffer_pullup(in, (ssize_t)avail), avail,
			      ic->cmd_arena, &ic->cmd, &res);
	if (r == 0) {
		imap_arena_clear(ic->cmd_arena);
		ic->want = avail + res.need;
		if (res.continuation && ic->cont_at != res.literal_at + 1) {
			imap_reply_raw(&ic->s, "+ OK\r\n", 6);  /* RFC 3501 7.5 */
			ic->cont_at = res.literal_at + 1;
		}
		return false;
	}
	ic->want = 0;
	ic->cont_at = 0;
	if (r < 0) {
		imap_arena_clear(ic->cmd_arena);
		evbuffer_drain(in, res.skip);
		ic->skip_line = res.skip_line;
		ic->skip_bytes = res.skip_bytes;
		session_bad(ic, res.tag, res.toobig, res.error);
		return true;
	}
	evbuffer_drain(in, (size_t)r);
	session_dispatch(ic);
	return true;
}

/* session_idle_input - during IDLE only "DONE" is read (RFC 2177 3) */
static void session_idle_input(struct imap_conn *ic, struct evbuffer *in)
{
	size_t n;
	char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);

	if (line == NULL) {
		if (evbuffer_get_length(in) > 64)
			imap_session_close(ic, "Expected DONE");
		return;
	}
	if (strcasecmp(line, "DONE") != 0) {
		free(line);
		imap_session_close(ic, "Expected DONE");
		return;
	}
	free(line);
	ic->idle = IMAP_IDLE_DONE;
	if (!ic->syncing)
		imap_session_continue(ic);
}

/* session_at_rest - between commands with no part of one read (a literal being sent is let
 * through, so an APPEND under way completes), or in IDLE: where a BYE may interrupt */
static bool session_at_rest(const struct imap_conn *ic)
{
	if (ic->idle == IMAP_IDLE_ON)
		return true;
	return !ic->busy && ic->want == 0 && ic->cont_at == 0 && ic->skip_bytes == 0;
}

void imap_session_drain(struct imap_conn *ic)
{
	/* RFC 3501 7.1.5: BYE when the server is shutting down; RFC 5530 UNAVAILABLE: try
	 * again later (the front proxy sends the reconnect to another replica) */
	if (ic->net != NULL && session_at_rest(ic))
		imap_session_close(ic, "[UNAVAILABLE] Server shutting down");
}

/* imap_session_process - run what the input holds until a command waits */
void imap_session_process(struct imap_conn *ic)
{
	if (ic->srv->draining) {
		imap_session_drain(ic);
		if (ic->net == NULL || ic->s.state == IMAP_STATE_LOGOUT)
			return;
	}
	while (ic->net != NULL && ic->s.state != IMAP_STATE_LOGOUT) {
		struct evbuffer *in = imap_conn_input(ic);

		if (ic->busy) {
			if (ic->idle == IMAP_IDLE_ON)
				session_idle_input(ic, in);
			else if (ic->line_max > 0)
				session_line_input(ic, in);
			return;
		}
		if (!session_skip(ic, in) || !session_parse(ic, in))
			return;
	}
}

/* imap_session_select - see imap.h: the SELECTED state, events for the mailbox */
void imap_session_select(struct imap_session *s, struct imap_view *v)
{
	struct imap_conn *ic = (struct imap_conn *)s->conn;

	imap_view_free(&s->selected);
	s->selected = v;
	s->state = IMAP_STATE_SELECTED;
	if (ic != NULL)
		imap_server_watch(ic->srv, ic, v->mailbox_id);
}

/* imap_session_unselect - see imap.h */
void imap_session_unselect(struct imap_session *s)
{
	struct imap_conn *ic = (struct imap_conn *)s->conn;

	imap_view_free(&s->selected);
	if (s->state == IMAP_STATE_SELECTED)
		s->state = IMAP_STATE_AUTH;
	if (ic != NULL)
		imap_server_watch(ic->srv, ic, 0);
}
