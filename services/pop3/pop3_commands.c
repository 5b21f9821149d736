/* pop3_commands.c - TRANSACTION state commands over the session's snapshot (RFC 1939 5, 7) */
#include "services/pop3/pop3_session_int.h"

#include <assert.h>

/* commands_msg - a message-number argument to an index; -1 after answering -ERR.
 * RFC 1939 5: a number names a message that exists and is not marked deleted. */
static long commands_msg(struct pop3_session *s, const struct pop3_arg *arg)
{
	long n;

	if (pop3_parser_arg_number(arg, &n) < 0) {
		pop3_session_reply(s, "-ERR Invalid message number");
		return -1;
	}
	if (n < 1 || (size_t)n > s->md->count) {
		pop3_session_reply(s, "-ERR No such message");
		return -1;
	}
	if (s->md->msgs[n - 1].deleted) {
		pop3_session_reply(s, "-ERR Message %ld already deleted", n);
		return -1;
	}
	return n - 1;
}

/* commands_undeleted - messages and octets not marked deleted (RFC 1939 5 STAT) */
static void commands_undeleted(const struct pop3_session *s, size_t *count_r, uint64_t *size_r)
{
	*count_r = s->md->count - s->deleted;
	*size_r = s->md->total_size - s->deleted_size;
}

enum pop3_action pop3_commands_stat(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	size_t count;
	uint64_t size;

	commands_undeleted(s, &count, &size);
	pop3_session_reply(s, "+OK %zu %llu", count, (unsigned long long)size);
	return POP3_ACTION_READ;
}

/* commands_scan_line - one LIST or UIDL line for message index i */
static void commands_scan_line(struct pop3_session *s, size_t i, bool uidl, const char *prefix)
{
	char uid[MAILDROP_UIDL_MAX + 1];

	if (uidl) {
		maildrop_uidl(s->md, i, uid);
		pop3_session_reply(s, "%s%zu %s", prefix, i + 1, uid);
	} else {
		pop3_session_reply(s, "%s%zu %llu", prefix, i + 1,
				   (unsigned long long)s->md->msgs[i].size);
	}
}

/* commands_scan - LIST and UIDL: one message, or every message not deleted */
static enum pop3_action commands_scan(struct pop3_session *s, const struct pop3_cmd *cmd,
				      bool uidl)
{
	long i;

	if (cmd->argc == 1) {
		if ((i = commands_msg(s, &cmd->args[0])) >= 0)
			commands_scan_line(s, (size_t)i, uidl, "+OK ");
		return POP3_ACTION_READ;
	}
	if (uidl) {
		pop3_session_reply(s, "+OK Unique-ID listing follows");
	} else {
		size_t count;
		uint64_t size;
		commands_undeleted(s, &count, &size);
		pop3_session_reply(s, "+OK %zu messages (%llu octets)", count,
				   (unsigned long long)size);
	}
	for (size_t j = 0; j < s->md->count; j++)
		if (!s->md->msgs[j].deleted)
			commands_scan_line(s, j, uidl, "");
	pop3_session_write(s, ".\r\n", 3);
	return POP3_ACTION_READ;
}

enum pop3_action pop3_commands_list(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	return commands_scan(s, cmd, false);
}

enum pop3_action pop3_commands_uidl(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	/* RFC 1939 7 UIDL */
	return commands_scan(s, cmd, true);
}

/* commands_fetch - RETR and TOP: the caller streams the message */
static enum pop3_action commands_fetch(struct pop3_session *s, const struct pop3_arg *msg,
				       long lines)
{
	long i = commands_msg(s, msg);

	if (i < 0)
		return POP3_ACTION_READ;
	s->retr_index = (size_t)i;
	s->retr_lines = lines;
	return POP3_ACTION_RETR;
}

enum pop3_action pop3_commands_retr(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	return commands_fetch(s, &cmd->args[0], -1);
}

enum pop3_action pop3_commands_top(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	long lines;

	/* RFC 1939 7 TOP: the number of lines is a non-negative number */
	if (pop3_parser_arg_number(&cmd->args[1], &lines) < 0) {
		pop3_session_reply(s, "-ERR Invalid number of lines");
		return POP3_ACTION_READ;
	}
	return commands_fetch(s, &cmd->args[0], lines);
}

enum pop3_action pop3_commands_dele(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	long i = commands_msg(s, &cmd->args[0]);

	if (i < 0)
		return POP3_ACTION_READ;
	/* RFC 1939 5: only marked now; removed in the UPDATE state */
	s->md->msgs[i].deleted = true;
	s->deleted++;
	s->deleted_size += s->md->msgs[i].size;
	pop3_session_reply(s, "+OK Message %ld deleted", i + 1);
	return POP3_ACTION_READ;
}

enum pop3_action pop3_commands_noop(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	pop3_session_reply(s, "+OK");
	return POP3_ACTION_READ;
}

enum pop3_action pop3_commands_rset(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	for (size_t i = 0; i < s->md->count; i++)
		s->md->msgs[i].deleted = false;
	s->deleted = 0;
	s->deleted_size = 0;
	pop3_session_reply(s, "+OK Maildrop has %zu messages (%llu octets)", s->md->count,
			   (unsigned long long)s->md->total_size);
	return POP3_ACTION_READ;
}

enum pop3_action pop3_commands_quit(struct pop3_session *s, const struct pop3_cmd *cmd)
{
	if (s->state == POP3_STATE_AUTHORIZATION) {
		/* RFC 1939 4: QUIT before login does not enter the UPDATE state */
		pop3_session_reply(s, "+OK Merpati POP3 server signing off");
		s->state = POP3_STATE_CLOSED;
		return POP3_ACTION_CLOSE;
	}
	s->state = POP3_STATE_UPDATE;
	return POP3_ACTION_UPDATE;
}

uint32_t pop3_session_retr_uid(const struct pop3_session *s)
{
	assert(s->pending == POP3_ACTION_RETR);
	return s->md->msgs[s->retr_index].uid;
}

size_t pop3_session_retr_index(const struct pop3_session *s)
{
	assert(s->pending == POP3_ACTION_RETR);
	return s->retr_index;
}

void pop3_session_retr_begin(struct pop3_session *s)
{
	assert(s->pending == POP3_ACTION_RETR);
	if (s->retr_lines < 0)
		pop3_session_reply(s, "+OK %llu octets",
				   (unsigned long long)s->md->msgs[s->retr_index].size);
	else
		pop3_session_reply(s, "+OK Top of message follows");
	pop3_dotstuff_init(&s->enc, s->retr_lines);
}

bool pop3_session_retr_chunk(struct pop3_session *s, const uint8_t *data, size_t len)
{
	assert(s->pending == POP3_ACTION_RETR);
	return pop3_dotstuff_feed(&s->enc, data, len, &s->out);
}

void pop3_session_retr_end(struct pop3_session *s)
{
	assert(s->pending == POP3_ACTION_RETR);
	pop3_dotstuff_finish(&s->enc, &s->out);
	/* the whole message went out: \Seen in the UPDATE state (TOP does not count) */
	if (s->retr_lines < 0)
		s->md->msgs[s->retr_index].retrieved = true;
	s->pending = POP3_ACTION_READ;
}

void pop3_session_retr_fail(struct pop3_session *s, bool temporary)
{
	assert(s->pending == POP3_ACTION_RETR);
	s->pending = POP3_ACTION_READ;
	if (temporary)
		pop3_session_reply(s, "-ERR [SYS/TEMP] Cannot read the message now, try again later");
	else
		pop3_session_reply(s, "-ERR Message %zu was removed by another session",
				   s->retr_index + 1);
}

struct maildrop *pop3_session_maildrop(struct pop3_session *s)
{
	return s->md;
}

size_t pop3_session_deleted_count(const struct pop3_session *s)
{
	return s->deleted;
}

void pop3_session_update_done(struct pop3_session *s, bool ok)
{
	assert(s->pending == POP3_ACTION_UPDATE);
	s->pending = POP3_ACTION_READ;
	s->state = POP3_STATE_CLOSED;
	/* RFC 1939 6 */
	if (ok)
		pop3_session_reply(s, "+OK Merpati POP3 server signing off (%zu messages left)",
				   s->md->count - s->deleted);
	else
		pop3_session_reply(s, "-ERR [SYS/TEMP] Some deleted messages not removed");
}
