/* pop3_session_int - the session's insides, shared by pop3_session.c and the command files
 * (pop3_auth.c, pop3_commands.c, pop3_capa.c); nothing outside services/pop3 includes it. */
#ifndef MERPATI_POP3_SESSION_INT_H
#define MERPATI_POP3_SESSION_INT_H

#include "services/pop3/pop3_dotstuff.h"
#include "services/pop3/pop3_parser.h"
#include "services/pop3/pop3_session.h"

/* RFC 1939 3: the three states, plus the end. */
enum pop3_state {
	POP3_STATE_AUTHORIZATION = 1 << 0,
	POP3_STATE_TRANSACTION = 1 << 1,
	POP3_STATE_UPDATE = 1 << 2,
	POP3_STATE_CLOSED = 1 << 3,
};

/* Where a SASL exchange (RFC 5034 4) waits for the client's next line. */
enum pop3_sasl {
	POP3_SASL_NONE,
	POP3_SASL_PLAIN,
	POP3_SASL_LOGIN_USER,
	POP3_SASL_LOGIN_PASS,
};

struct pop3_session {
	struct pop3_session_config cfg;
	struct pop3_output out;
	enum pop3_state state;
	enum pop3_sasl sasl;
	enum pop3_action pending;   /* the action the caller is carrying out, or READ */
	bool tls, secure;
	unsigned bad_commands, auth_failures;
	bool have_user;
	char user[POP3_SESSION_USER_MAX + 1];
	char pass[POP3_SESSION_PASS_MAX + 1];
	struct maildrop *md;
	size_t deleted;             /* messages marked by DELE */
	uint64_t deleted_size;
	size_t retr_index;          /* RETR/TOP: 0-based message index */
	long retr_lines;            /* -1: RETR; n: TOP n */
	struct pop3_dotstuff enc;
};

/* One row of the command table: check (states, argument counts) then proceed. */
struct pop3_command {
	const char *verb;
	unsigned states;
	size_t min_args, max_args;
	bool whole_line;            /* takes the rest of the line (PASS, RFC 1939 7) */
	enum pop3_action (*proceed)(struct pop3_session *s, const struct pop3_cmd *cmd);
};

/* pop3_session_reply - write one response line; CRLF is added, the line is bounded */
void pop3_session_reply(struct pop3_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* pop3_session_write - write raw bytes (multi-line bodies, terminators) */
void pop3_session_write(struct pop3_session *s, const void *data, size_t len);
/* pop3_session_bad - count a bad command; true when the limit closed the session */
bool pop3_session_bad(struct pop3_session *s, const char *why);

/* The command handlers, by file. */
enum pop3_action pop3_auth_user(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_auth_pass(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_auth_auth(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_auth_stls(struct pop3_session *s, const struct pop3_cmd *cmd);
/* pop3_auth_sasl_line - a client line while a SASL exchange waits (RFC 5034 4) */
enum pop3_action pop3_auth_sasl_line(struct pop3_session *s, const uint8_t *line, size_t len);

enum pop3_action pop3_commands_stat(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_commands_list(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_commands_uidl(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_commands_retr(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_commands_top(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_commands_dele(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_commands_noop(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_commands_rset(struct pop3_session *s, const struct pop3_cmd *cmd);
enum pop3_action pop3_commands_quit(struct pop3_session *s, const struct pop3_cmd *cmd);

enum pop3_action pop3_capa_capa(struct pop3_session *s, const struct pop3_cmd *cmd);

#endif
