/* imap_search - IMAP SEARCH keys as one parameterised SQL query (DESIGN.md rule 5).
 *
 * The command layer turns a parsed SEARCH program into a tree of store_search_key nodes
 * taken from a fixed-size struct store_search (so nesting and key count are bounded),
 * after mapping what only the session knows into keys the store understands: message
 * sequence numbers and \Recent become UID sets, NEW/OLD become AND/NOT of those. This file
 * turns the tree into one SELECT over mailbox_messages and message_meta: header and text
 * keys are case-insensitive substring matches (ILIKE with % _ \ escaped, served by the
 * pg_trgm indexes in large mailboxes, tested message by message in small ones), flags test
 * the bitmask, dates compare calendar days in UTC, and every
 * value from the client travels as a parameter, never inside the SQL text. */
#ifndef MERPATI_STORE_IMAP_SEARCH_H
#define MERPATI_STORE_IMAP_SEARCH_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_SEARCH_NODES_MAX 256  /* keys in one SEARCH program */
#define STORE_SEARCH_DEPTH_MAX 32   /* nesting of NOT / OR / parentheses */
#define STORE_SEARCH_VALUE_MAX 4096 /* bytes of one search string */
#define STORE_SEARCH_SQL_MAX 32768  /* bytes of the generated query */
#define STORE_SEARCH_PARAMS_MAX 260 /* one per key, and the mailbox */
/* Messages in a mailbox up to which a search on headers or text tests each of the
 * mailbox's messages rather than start from the trigram indexes over every mailbox's
 * messages: bounded work, whatever the planner guesses about a substring's selectivity */
#define STORE_SEARCH_SCAN_MAX 2000

enum store_search_kind {
	STORE_SEARCH_ALL,          /* every message */
	STORE_SEARCH_AND,          /* every child matches (a parenthesised list, or the program) */
	STORE_SEARCH_OR,           /* one of two children */
	STORE_SEARCH_NOT,          /* its one child does not match */
	STORE_SEARCH_UIDS,         /* uid in ranges (UID key, sequence sets after mapping) */
	STORE_SEARCH_FLAGS_SET,    /* every flag bit in flags set (SEEN, ANSWERED...) */
	STORE_SEARCH_FLAGS_CLEAR,  /* no flag bit in flags set (UNSEEN, UNANSWERED...) */
	STORE_SEARCH_KEYWORD,      /* the keyword value is set (case-insensitive) */
	STORE_SEARCH_FIELD,        /* field contains value: FROM TO CC BCC SUBJECT */
	STORE_SEARCH_HEADER,       /* header name has a line containing value */
	STORE_SEARCH_BODY,         /* decoded body text contains value */
	STORE_SEARCH_TEXT,         /* headers or body text contain value */
	STORE_SEARCH_DATE,         /* internal or sent date before/on/since day */
	STORE_SEARCH_SIZE,         /* RFC822.SIZE larger/smaller than number */
	STORE_SEARCH_MODSEQ,       /* modseq >= number (RFC 7162 3.1.5) */
};

enum store_search_field { STORE_SEARCH_FROM, STORE_SEARCH_TO, STORE_SEARCH_CC,
			  STORE_SEARCH_BCC, STORE_SEARCH_SUBJECT };
enum store_search_cmp { STORE_SEARCH_BEFORE, STORE_SEARCH_ON, STORE_SEARCH_SINCE,
			STORE_SEARCH_LARGER, STORE_SEARCH_SMALLER };

/* An inclusive UID range, lo <= hi. */
struct store_search_range {
	uint32_t lo, hi;
};

struct store_search_key {
	enum store_search_kind kind;
	struct store_search_key *child, *next;  /* first child and next sibling */
	enum store_search_field field;
	enum store_search_cmp cmp;
	bool sent;                  /* DATE: the Date: header instead of the internal date */
	unsigned flags;             /* STORE_FLAG_* bits */
	const char *name;           /* HEADER field name */
	const char *value;          /* string keys; KEYWORD's keyword */
	int32_t year, month, day;   /* DATE */
	uint64_t number;            /* SIZE, MODSEQ */
	const struct store_search_range *ranges;  /* UIDS, caller-owned, may be empty */
	size_t nranges;
};

/* The nodes of one program; the caller points strings and ranges at memory that outlives
 * the query. Zero it before use. */
struct store_search {
	struct store_search_key nodes[STORE_SEARCH_NODES_MAX];
	size_t used;
};

/* store_search_node - a new key of kind, zeroed; NULL when the program has too many keys */
struct store_search_key *store_search_node(struct store_search *s, enum store_search_kind kind);
/* store_search_add - append child to parent's children (AND, OR, NOT) */
void store_search_add(struct store_search_key *parent, struct store_search_key *child);

/* The query built from a tree. params[0] is the mailbox id. */
struct store_search_query {
	char sql[STORE_SEARCH_SQL_MAX];
	size_t len;
	const char *params[STORE_SEARCH_PARAMS_MAX];
	char *owned[STORE_SEARCH_PARAMS_MAX];  /* params this struct allocated */
	int nparams;
	bool uses_modseq;                      /* a MODSEQ key: report the highest (RFC 7162) */
	bool uses_meta;                        /* a key tests message_meta ("mt") */
};

/* store_search_sql_where - the WHERE condition of key (mailbox_messages "mm", message_meta
 * "mt") into q, parameters from $2 on; -1 with *error_r when it exceeds a bound or a key is
 * malformed. Pure: no database. Free with store_search_query_clear. */
int store_search_sql_where(const struct store_search_key *key, struct store_search_query *q,
			   const char **error_r);
/* store_search_query_clear - free what the query allocated; it may be reused after */
void store_search_query_clear(struct store_search_query *q);

/* One matching message; strings point into the result and are "" when absent. */
struct store_search_row {
	uint32_t uid;
	uint64_t modseq;
	int64_t size;
	int64_t internal_date;     /* Unix seconds */
	int64_t sent_date;         /* Unix seconds; the internal date when the header is absent */
	const char *subject, *from, *to, *cc, *message_id, *in_reply_to, *references;
};

struct store_search_result {
	struct store_search_row *rows;  /* ascending UID */
	size_t n;
	uint64_t highest_modseq;        /* of the matches (0 when none) */
	PGresult *res;
};

/* store_search_run - the messages of mailbox_id matching key, ascending by UID; messages is
 * how many the mailbox holds as far as the caller knows (it picks the plan, see
 * STORE_SEARCH_SCAN_MAX); with_meta also reads the metadata SORT and THREAD need (otherwise
 * those strings are ""). -1 on error (SQLSTATE 22021 when a search string is not valid
 * UTF-8). Free with store_search_result_clear. */
int store_search_run(PGconn *conn, int64_t mailbox_id, uint32_t messages,
		     const struct store_search_key *key, bool with_meta,
		     struct store_search_result *out, const char **error_r);
/* store_search_result_clear - free the rows and the result */
void store_search_result_clear(struct store_search_result *r);

#endif
