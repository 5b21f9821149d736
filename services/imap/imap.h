/* imap - what every part of the IMAP service shares: parsed commands, the session, the
 * selected mailbox's view, the command handler convention and the reply helpers.
 *
 * Layers (DESIGN.md 5): imap_parser.c turns client bytes into a struct imap_command
 * (pure, bounded); imap_session.c runs the state machine and the command table
 * (imap_commands.c); cmd_*.c hold one handler per command; imap_conn*.c wire a session to
 * a net_conn, the store pool and the bus.
 *
 * A handler (imap_cmd_fn) gets a struct imap_cmd_ctx. It either finishes (writes its
 * tagged reply and returns IMAP_CMD_DONE) or hands database work to the store pool with
 * imap_cmd_submit() and returns IMAP_CMD_WAIT: the job's work function runs on a worker
 * thread with its own PGconn and must touch nothing but its arg; when it ends, the handler
 * is called again with ctx->job_ret / ctx->job_error set and ctx->step as it left it
 * ("not finished, call me again", as Dovecot's handlers do). Everything a handler keeps
 * between calls lives in ctx->arena (ctx->state is the handler's own pointer), which is
 * freed when the command ends, also when the connection went away meanwhile (the arena
 * lives until the last job returns). Handlers never write to the socket themselves: they
 * use the imap_reply_* helpers, which write to the session's output.
 *
 * After a command ends the session reports changes made by other sessions to the selected
 * mailbox (EXISTS, EXPUNGE or VANISHED, FETCH FLAGS; RFC 3501 7, RFC 7162 3.2.10). A command
 * whose table entry has IMAP_CMDF_NO_EXPUNGE (FETCH, STORE, SEARCH without UID) gets no
 * EXPUNGE reported after it (RFC 3501 7.4.1). */
#ifndef MERPATI_IMAP_H
#define MERPATI_IMAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libpq-fe.h>

#include "services/imap/imap_arena.h"
#include "store/address.h"
#include "store/mailbox.h"

/* ---- Bounds ---------------------------------------------------------------------- */

#define IMAP_TAG_MAX 64              /* octets of a tag */
#define IMAP_COMMAND_NAME_MAX 32     /* octets of a command name */
#define IMAP_LINE_MAX_DEFAULT 65536  /* one line of a command, CRLF included (RFC 7162 4:
				      * at least 8192) */
#define IMAP_LITERAL_MAX_DEFAULT (64u * 1024 * 1024)  /* one literal (APPENDLIMIT) */
#define IMAP_NONSYNC_LITERAL_MAX 4096  /* LITERAL- (RFC 7888 5) */
#define IMAP_DEPTH_MAX 16            /* nesting of parenthesised lists */
#define IMAP_ARGS_MAX 10000          /* arguments in one command, all lists together */

/* ---- Parsed commands (imap_parser.c) --------------------------------------------- */

enum imap_arg_type {
	IMAP_ARG_ATOM,     /* atom, number, flag (\Seen), sequence set, also "[...]" parts of
			    * FETCH items such as BODY[HEADER.FIELDS (A B)]<0.10> kept whole */
	IMAP_ARG_STRING,   /* quoted string, unescaped */
	IMAP_ARG_LITERAL,  /* {n} or {n+} literal, or ~{n} literal8 (RFC 3516) */
	IMAP_ARG_NIL,      /* the atom NIL */
	IMAP_ARG_LIST,     /* ( ... ) */
};

/* One argument. str is NUL-terminated and lives in the command's arena (a literal may
 * hold NUL octets: use len). For IMAP_ARG_LIST, list/count are the elements. */
struct imap_arg {
	enum imap_arg_type type;
	const char *str;
	size_t len;
	bool literal8;            /* IMAP_ARG_LITERAL from ~{n} */
	struct imap_arg *list;
	size_t count;
};

/* One complete command, literals included. */
struct imap_command {
	char tag[IMAP_TAG_MAX + 1];
	char name[IMAP_COMMAND_NAME_MAX + 1];  /* upper case; "FETCH" for "UID FETCH" */
	bool uid;                              /* the UID prefix was given (RFC 3501 6.4.8) */
	struct imap_arg *args;
	size_t nargs;
};

/* ---- Argument helpers (imap_args.c) ---------------------------------------------- */

/* imap_arg_is_astring - atom, quoted string or literal (RFC 3501 9 astring) */
bool imap_arg_is_astring(const struct imap_arg *a);
/* imap_arg_astring - the text of an astring without NUL octets, or NULL */
const char *imap_arg_astring(const struct imap_arg *a);
/* imap_arg_atom_is - a is the atom word, compared case-insensitively */
bool imap_arg_atom_is(const struct imap_arg *a, const char *word);
/* imap_arg_number - a is a number (RFC 3501 9) up to max; 0 on success, -1 if not */
int imap_arg_number(const struct imap_arg *a, uint64_t max, uint64_t *value_r);

/* A sequence set (RFC 3501 9 sequence-set). "*" is IMAP_SEQ_STAR until resolved against a
 * mailbox; ranges are as written (lo may be above hi). */
#define IMAP_SEQ_STAR UINT32_MAX
struct imap_seq_range {
	uint32_t lo, hi;
};
struct imap_seqset {
	struct imap_seq_range *ranges;
	size_t count;
	bool saved;  /* "$" (RFC 5182): the last saved search result */
};

/* imap_seqset_parse - parse a sequence set from an atom into ranges in arena; 0 or -1 with
 * *error_r. Numbers are 1..2^32-1 (RFC 3501 9 nz-number). */
int imap_seqset_parse(const struct imap_arg *a, struct imap_arena *arena,
		      struct imap_seqset *out, const char **error_r);
/* imap_seqset_contains - n is in set, "*" standing for star */
bool imap_seqset_contains(const struct imap_seqset *set, uint32_t n, uint32_t star);

/* ---- The selected mailbox (imap_view.c) ------------------------------------------ */

/* What this session believes the selected mailbox holds: message n (the MSN, RFC 3501
 * 2.3.1.2) has UID uids[n - 1], ascending. Changed only by the session's sync step and by
 * the session's own EXPUNGE/MOVE (imap_view_remove) so that MSNs stay what the client was
 * told. highestmodseq is the newest change this session has reported; reported[n - 1] is
 * the modseq of message n the client last saw in a FETCH of its own command (0: none), so
 * the sync does not tell it again what it was already told (RFC 7162 3.1.3). */
struct imap_view {
	int64_t mailbox_id;
	int64_t owner_id;             /* the account owning the mailbox */
	char name[STORE_MAILBOX_NAME_MAX + 1];  /* as the client named it, UTF-8 */
	char rights[16];              /* RFC 4314 rights of this session's account */
	bool readonly;                /* EXAMINE, or no rights to change it */
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t highestmodseq;
	uint32_t *uids;
	uint64_t *reported;
	uint32_t count;
	uint32_t cap;
	bool *recent;                 /* recent[n - 1]: message n is \Recent in this session
				       * (RFC 3501 2.3.2.1; claimed in lib/store/imap_recent.c) */
	uint32_t nrecent;
	uint32_t recent_from, recent_upto;  /* claimed by a sync that could not report yet */
	uint32_t *saved;              /* "$", the saved search result (RFC 5182): UIDs,
				       * ascending, at most count of them when saved */
	size_t nsaved;
};

/* imap_view_uid - the UID of message msn, 0 when out of range */
uint32_t imap_view_uid(const struct imap_view *v, uint32_t msn);
/* imap_view_msn - the MSN of uid, 0 when the view does not hold it */
uint32_t imap_view_msn(const struct imap_view *v, uint32_t uid);
/* imap_view_resolve - the UIDs of the view that set names, ascending, in arena: set is
 * UIDs when by_uid, else MSNs (RFC 3501 6.4.8: UIDs not in the view are ignored; an MSN
 * above count is an error, returning -1 with *error_r); "$" is the saved result's messages
 * still in the view, in either form (RFC 5182 2.1) */
int imap_view_resolve(const struct imap_view *v, const struct imap_seqset *set, bool by_uid,
		      struct imap_arena *arena, uint32_t **uids_r, size_t *n_r,
		      const char **error_r);
/* imap_view_append - add uid, above every UID the view holds (the sync step's EXISTS) */
void imap_view_append(struct imap_view *v, uint32_t uid);
/* imap_view_reported - the client was told message msn's flags as of modseq */
void imap_view_reported(struct imap_view *v, uint32_t msn, uint64_t modseq);
/* imap_view_already_reported - the client was told message msn's flags as of modseq or
 * later */
bool imap_view_already_reported(const struct imap_view *v, uint32_t msn, uint64_t modseq);
/* imap_view_mark_recent - the messages with from < UID <= upto are \Recent here */
void imap_view_mark_recent(struct imap_view *v, uint32_t from, uint32_t upto);
/* imap_view_is_recent - message msn is \Recent in this session */
bool imap_view_is_recent(const struct imap_view *v, uint32_t msn);
/* IMAP_FLAG_RECENT - beside the STORE_FLAG_* bits: imap_reply_flags writes \Recent */
#define IMAP_FLAG_RECENT 0x10000u
/* imap_view_save - make uids (ascending, n of them) the saved search result "$" */
void imap_view_save(struct imap_view *v, const uint32_t *uids, size_t n);
/* imap_view_remove - drop uid from the view (after this session expunged it and is about
 * to send its EXPUNGE); returns its former MSN, 0 if absent */
uint32_t imap_view_remove(struct imap_view *v, uint32_t uid);

/* ---- The session ------------------------------------------------------------------ */

enum imap_state {
	IMAP_STATE_NOT_AUTH = 0x1,   /* RFC 3501 3.1 */
	IMAP_STATE_AUTH = 0x2,       /* 3.2 */
	IMAP_STATE_SELECTED = 0x4,   /* 3.3 */
	IMAP_STATE_LOGOUT = 0x8,     /* 3.4 */
};

/* Extensions the client turned on with ENABLE (RFC 5161) or implicitly (RFC 7162 3.1). */
#define IMAP_ENABLED_CONDSTORE 0x1
#define IMAP_ENABLED_QRESYNC   0x2
#define IMAP_ENABLED_REV2      0x4   /* IMAP4rev2 (RFC 9051) */
#define IMAP_ENABLED_UTF8      0x8   /* UTF8=ACCEPT (RFC 6855) */

/* Where a session's bytes go: the connection's bufferevent, or memory in tests. pending
 * says how many bytes wait to be sent (handlers streaming large data return
 * IMAP_CMD_WAIT_OUTPUT while it is above IMAP_OUTPUT_HIGH). */
#define IMAP_OUTPUT_HIGH (256u * 1024)
struct imap_output {
	void (*write)(void *ctx, const void *data, size_t len);
	size_t (*pending)(void *ctx);
	void *ctx;
};

struct imap_session_config;
struct imap_conn;
struct store_pool;

/* Per-connection state. Handlers read every field and may change only: enabled,
 * selected's contents through imap_view_*, and state/selected through
 * imap_session_select()/imap_session_unselect(). */
struct imap_session {
	uint64_t id;
	enum imap_state state;
	const struct imap_session_config *cfg;
	struct imap_output out;
	struct imap_arena *arena;      /* lives as long as the session */
	bool tls;                      /* the connection is encrypted */
	bool secure;                   /* passwords may be sent (TLS or MERPATI_PLAINTEXT_AUTH) */
	int64_t account_id;            /* from AUTH on */
	char user[STORE_ADDRESS_SIZE]; /* the login name, from AUTH on */
	unsigned enabled;              /* IMAP_ENABLED_* */
	struct imap_view *selected;    /* non-NULL in the SELECTED state */
	struct imap_conn *conn;        /* the net side, NULL in tests */
	struct store_pool *pool;       /* NULL in tests */
};

/* ---- Command handlers -------------------------------------------------------------- */

enum imap_cmd_result {
	IMAP_CMD_DONE,         /* the tagged reply is written; the command is over */
	IMAP_CMD_WAIT,         /* a job was submitted; call me again when it ends */
	IMAP_CMD_WAIT_OUTPUT,  /* call me again when the output has drained below
				* IMAP_OUTPUT_HIGH (for streaming) */
};

struct imap_cmd_ctx {
	struct imap_session *session;
	const struct imap_command *cmd;  /* tag, name, uid, args */
	const struct imap_command_def *def;
	struct imap_arena *arena;        /* freed when the command ends */
	unsigned step;                   /* 0 on the first call; the handler's own counter */
	void *state;                     /* the handler's own data, in arena */
	int job_ret;                     /* what the last job's work function returned */
	const char *job_error;           /* and its error (NULL if none), in arena */
};

typedef enum imap_cmd_result imap_cmd_fn(struct imap_cmd_ctx *ctx);

/* imap_job_fn - database work on a store pool thread: conn is the worker's connection,
 * arg the handler's (in the command's arena). Return < 0 with *error_r on failure. Never
 * touch the session here. */
typedef int imap_job_fn(PGconn *conn, void *arg, const char **error_r);

/* imap_cmd_submit - run work(conn, arg) on the store pool; the handler must return
 * IMAP_CMD_WAIT right after. Returns 0, or -1 when the pool is unavailable (the handler
 * then answers NO [UNAVAILABLE] itself). */
int imap_cmd_submit(struct imap_cmd_ctx *ctx, imap_job_fn *work, void *arg);

/* imap_cmd_sleep - call the handler again after ms milliseconds (e.g. the delay after a
 * failed login); the handler returns IMAP_CMD_WAIT right after */
void imap_cmd_sleep(struct imap_cmd_ctx *ctx, unsigned ms);

/* What a committed change was, for imap_session_publish (the MailboxEventKind values of
 * proto/merpati.proto). */
enum imap_event {
	IMAP_EVENT_APPEND = 1,
	IMAP_EVENT_EXPUNGE = 2,
	IMAP_EVENT_FLAGS = 3,
	IMAP_EVENT_CREATE = 4,
	IMAP_EVENT_DELETE = 5,
	IMAP_EVENT_RENAME = 6,
	IMAP_EVENT_SUBSCRIBE = 7,
	IMAP_EVENT_ACL = 8,
};

/* imap_session_publish - after a change is committed, tell every session on every replica
 * (a MailboxEvent on the bus; a hint only, DESIGN.md rule 4). owner_id is the mailbox's
 * account; uids may be NULL (n 0). Does nothing without a bus (tests). */
void imap_session_publish(struct imap_session *s, int64_t owner_id, int64_t mailbox_id,
			  uint32_t uidvalidity, uint64_t modseq, enum imap_event kind,
			  const uint32_t *uids, size_t n);

/* Table flags. */
#define IMAP_CMDF_UID         0x01  /* may follow "UID " (RFC 3501 6.4.8) */
#define IMAP_CMDF_NO_EXPUNGE  0x02  /* no EXPUNGE sent after it unless under UID (7.4.1) */
#define IMAP_CMDF_NO_SYNC     0x04  /* no mailbox sync after it at all */
#define IMAP_CMDF_UID_ONLY    0x08  /* exists only as "UID x" (UID EXPUNGE, RFC 4315) */

struct imap_command_def {
	const char *name;
	imap_cmd_fn *fn;
	unsigned states;   /* IMAP_STATE_* in which it may run (RFC 3501 6) */
	unsigned flags;    /* IMAP_CMDF_* */
};

/* imap_commands_find - the table entry for an upper-case name, or NULL */
const struct imap_command_def *imap_commands_find(const char *name);

/* imap_session_select - make v (allocated with imap_view_new) the selected mailbox, freeing
 * a previous one; imap_session_unselect - back to the AUTH state (RFC 3501 6.4.2) */
void imap_session_select(struct imap_session *s, struct imap_view *v);
void imap_session_unselect(struct imap_session *s);
/* imap_view_flags - flags of message msn as this session shows them: with \Recent when
 * it is recent here, unless IMAP4rev2 is on (RFC 9051 removed it) */
unsigned imap_view_flags(const struct imap_session *s, uint32_t msn, unsigned flags);
/* imap_view_new - an empty view for mailbox_id */
struct imap_view *imap_view_new(int64_t mailbox_id);
void imap_view_free(struct imap_view **v);

/* ---- Replies (imap_reply.c) --------------------------------------------------------- */

enum imap_status { IMAP_OK, IMAP_NO, IMAP_BAD };

/* imap_reply_tagged - "<tag> OK|NO|BAD [code] text\r\n" for the command; code may be NULL
 * ("TRYCREATE", "CANNOT", "APPENDUID 38505 3955", ... RFC 3501 7.1, RFC 5530) */
void imap_reply_tagged(struct imap_cmd_ctx *ctx, enum imap_status st, const char *code,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* imap_reply_untagged - "* " fmt "\r\n" */
void imap_reply_untagged(struct imap_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* imap_reply_printf - formatted text, no CRLF (for building a response piecewise) */
void imap_reply_printf(struct imap_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* imap_reply_raw - bytes as they are */
void imap_reply_raw(struct imap_session *s, const void *data, size_t len);
/* imap_reply_crlf - end a response line */
void imap_reply_crlf(struct imap_session *s);
/* imap_reply_literal - "{len}\r\n" and the bytes (RFC 3501 4.3); literal8: "~{len}" */
void imap_reply_literal(struct imap_session *s, const void *data, size_t len, bool literal8);
/* imap_reply_literal_begin - only the "{len}\r\n" prefix; the caller streams len bytes */
void imap_reply_literal_begin(struct imap_session *s, uint64_t len, bool literal8);
/* imap_reply_string - data as a quoted string when it can be one, else a literal */
void imap_reply_string(struct imap_session *s, const char *data, size_t len);
/* imap_reply_nstring - NIL for NULL, else imap_reply_string */
void imap_reply_nstring(struct imap_session *s, const char *str);
/* imap_reply_astring - an atom when str is one, else imap_reply_string (RFC 3501 9) */
void imap_reply_astring(struct imap_session *s, const char *str);
/* imap_reply_mailbox - a mailbox name: UTF-8 once UTF8=ACCEPT or IMAP4rev2 is enabled,
 * else modified UTF-7 (RFC 3501 5.1.3) */
void imap_reply_mailbox(struct imap_session *s, const char *utf8_name);
/* imap_reply_flags - "(\Seen \Answered ... kw1 kw2)" from STORE_FLAG_* and keywords */
void imap_reply_flags(struct imap_session *s, unsigned flags, const char *const *keywords,
		      size_t nkeywords);

/* ---- Mailbox names (imap_mailbox.c) ------------------------------------------------- */

/* The shared namespace (RFC 2342 5): "Shared/<owner address>/<owner's name>". */
#define IMAP_SHARED_PREFIX "Shared/"

/* A mailbox as a command named it, resolved against the account's own mailboxes and the
 * shared namespace "Shared/<owner>/<name>" (RFC 2342, RFC 4314). */
struct imap_mailbox_ref {
	int64_t mailbox_id;
	int64_t owner_id;
	char name[STORE_MAILBOX_NAME_MAX + 1];  /* the owner's name for it */
	char rights[16];                        /* this account's rights (RFC 4314 2.1) */
	bool shared;                            /* reached through the shared namespace */
};

/* imap_mailbox_name - a mailbox argument as UTF-8 (decoding modified UTF-7 unless the
 * session enabled UTF8=ACCEPT/IMAP4rev2; "INBOX" in any case is INBOX, RFC 3501 5.1),
 * in arena; NULL with *error_r when it is not a valid name */
const char *imap_mailbox_name(const struct imap_session *s, const struct imap_arg *a,
			      struct imap_arena *arena, const char **error_r);
/* imap_mailbox_resolve - find the mailbox named utf8_name for account_id (a job function
 * helper: call on a store pool thread). 1 found, 0 no such mailbox or no "l" right
 * (RFC 4314 4), -1 error */
int imap_mailbox_resolve(PGconn *conn, int64_t account_id, const char *utf8_name,
			 struct imap_mailbox_ref *out, const char **error_r);

#endif
