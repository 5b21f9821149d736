/* bench_imap_client - the per-session state machine of merpati-bench-imap; the connection
 * itself is bench/common/bench_conn. */
#include "bench_imap_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define BENCH_IMAP_LITERAL_MAX (1024UL * 1024 * 1024)

enum bench_imap_state {
	ST_GREETING, ST_LOGIN, ST_SELECT, ST_FETCH_META, ST_FETCH_BODY, ST_SEARCH, ST_STORE,
	ST_LOGOUT,
};

struct bench_imap_client {
	struct bench_conn conn;
	enum bench_imap_state state;
	unsigned tag;               /* number of the command waiting for its tagged answer */
	unsigned exists;            /* messages in INBOX, from SELECT's EXISTS */
	unsigned next;              /* next message number to FETCH BODY.PEEK[] of */
	uint64_t sessions;          /* this client's sessions, to alternate +FLAGS/-FLAGS */
};

/* client_send - the next tagged command, then wait in state next */
static void client_send(struct bench_imap_client *c, enum bench_imap_state next,
			const char *command)
{
	c->tag++;
	bench_conn_sendf(&c->conn, "a%u %s", c->tag, command);
	c->state = next;
}

/* client_body_next - FETCH the next body, or go on to SEARCH when all are fetched or time
 * is up */
static void client_body_next(struct bench_imap_client *c)
{
	char cmd[64];

	if (c->next > c->exists || bench_run_past_deadline(c->conn.run)) {
		client_send(c, ST_SEARCH, "SEARCH FROM \"sender\" TEXT \"fox\"");
		return;
	}
	snprintf(cmd, sizeof(cmd), "FETCH %u BODY.PEEK[]", c->next);
	c->next++;
	client_send(c, ST_FETCH_BODY, cmd);
}

/* client_after_select - FETCH the metadata of every message (none: straight to SEARCH) */
static void client_after_select(struct bench_imap_client *c)
{
	c->next = 1;
	if (c->exists == 0)
		client_body_next(c);
	else
		client_send(c, ST_FETCH_META, "FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE)");
}

/* client_store - set or, every other session, clear \Seen on every message */
static void client_store(struct bench_imap_client *c)
{
	if (c->exists == 0) {
		client_send(c, ST_LOGOUT, "LOGOUT");
		return;
	}
	client_send(c, ST_STORE, c->sessions % 2 == 0 ? "STORE 1:* +FLAGS (\\Seen)"
						       : "STORE 1:* -FLAGS (\\Seen)");
}

/* client_next - the command after the one that just succeeded */
static void client_next(struct bench_imap_client *c)
{
	char cmd[2 * BENCH_NAME_MAX + 16];

	switch (c->state) {
	case ST_GREETING:
		snprintf(cmd, sizeof(cmd), "LOGIN \"%s\" \"%s\"", c->conn.user,
			 c->conn.run->password);
		client_send(c, ST_LOGIN, cmd);
		break;
	case ST_LOGIN:
		client_send(c, ST_SELECT, "SELECT INBOX");
		break;
	case ST_SELECT:
		client_after_select(c);
		break;
	case ST_FETCH_META:
	case ST_FETCH_BODY:
		client_body_next(c);
		break;
	case ST_SEARCH:
		client_store(c);
		break;
	case ST_STORE:
		client_send(c, ST_LOGOUT, "LOGOUT");
		break;
	case ST_LOGOUT:
		break;
	}
}

/* literal_size - the size of a literal that ends line ("{123}" or "{123+}"); -1 if none */
static long literal_size(const char *line, size_t len)
{
	const char *open;
	char *end;
	unsigned long n;

	if (len < 3 || line[len - 1] != '}' || (open = strrchr(line, '{')) == NULL)
		return -1;
	n = strtoul(open + 1, &end, 10);
	if (end == open + 1 || (*end != '}' && !(*end == '+' && end[1] == '}')) ||
	    n > BENCH_IMAP_LITERAL_MAX)
		return -1;
	return (long)n;
}

/* client_untagged - an untagged line or the rest of one after a literal: EXISTS, and the
 * literals to skip (a BODY[] literal is a message fetched) */
static void client_untagged(struct bench_imap_client *c, const char *line, size_t len)
{
	unsigned n;
	int end = 0;
	long lit;

	/* %n, since sscanf's count stops at %u and "* 0 RECENT" would match as well */
	if (c->state == ST_SELECT && sscanf(line, "* %u EXISTS%n", &n, &end) == 1 &&
	    (size_t)end == len)
		c->exists = n;
	lit = literal_size(line, len);
	if (lit < 0)
		return;
	if (c->state == ST_FETCH_BODY && strstr(line, "BODY[]") != NULL) {
		c->conn.run->messages++;
		c->conn.run->bytes += (uint64_t)lit;
	}
	bench_conn_literal(&c->conn, (size_t)lit);
}

/* client_line - advance the state machine by one server line; false when it stopped */
static bool client_line(void *owner, const char *line, size_t len)
{
	struct bench_imap_client *c = owner;
	char tag[16];
	int n;

	if (c->state == ST_GREETING) {
		if (strncmp(line, "* OK", 4) != 0) {
			bench_conn_error(&c->conn, "greeting", line);
			return false;
		}
		client_next(c);
		return true;
	}
	n = snprintf(tag, sizeof(tag), "a%u ", c->tag);
	if (strncmp(line, tag, (size_t)n) != 0) {
		client_untagged(c, line, len);
		return true;
	}
	if (strncmp(line + n, "OK", 2) != 0) {
		bench_conn_error(&c->conn, "refused", line);
		return false;
	}
	c->conn.run->commands++;
	if (c->state == ST_LOGOUT) {
		c->sessions++;
		bench_conn_session_end(&c->conn);
		return false;
	}
	client_next(c);
	return true;
}

/* client_session - a new connection: wait for the greeting */
static void client_session(void *owner)
{
	struct bench_imap_client *c = owner;

	c->state = ST_GREETING;
	c->tag = 0;
	c->exists = 0;
	c->next = 0;
}

static const struct bench_conn_ops client_ops = { client_session, client_line };

struct bench_conn *bench_imap_client_new(struct bench_run *run, const char *user)
{
	struct bench_imap_client *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	if (strchr(user, '"') != NULL || strchr(user, '\\') != NULL ||
	    strchr(run->password, '"') != NULL || strchr(run->password, '\\') != NULL ||
	    !bench_conn_init(&c->conn, run, user, &client_ops, c)) {
		free(c);
		return NULL;
	}
	return &c->conn;
}
