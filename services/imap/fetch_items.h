/* fetch_items - the data items of a FETCH command (RFC 3501 6.4.5, RFC 9051 6.4.5,
 * RFC 3516 BINARY, RFC 7162 MODSEQ and CHANGEDSINCE/VANISHED modifiers), parsed from the
 * command's arguments into a plan: which per-message values to send and which body
 * sections to cut from the blob. Pure: no I/O; results live in the command's arena. */
#ifndef MERPATI_IMAP_FETCH_ITEMS_H
#define MERPATI_IMAP_FETCH_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/imap/imap.h"
#include "store/imap_msg_section.h"

#define FETCH_ITEMS_SECTIONS_MAX 64 /* body sections in one FETCH */
#define FETCH_ITEMS_FIELDS_MAX 128  /* names in one HEADER.FIELDS list */

/* Simple items (bits of fetch_items.flags). */
#define FETCH_UID           0x001
#define FETCH_FLAGS         0x002
#define FETCH_INTERNALDATE  0x004
#define FETCH_RFC822_SIZE   0x008
#define FETCH_ENVELOPE      0x010
#define FETCH_BODYSTRUCTURE 0x020
#define FETCH_BODY          0x040  /* BODY without a section: non-extensible structure */
#define FETCH_MODSEQ        0x080  /* RFC 7162 3.1.4.1 */

enum fetch_section_kind {
	FETCH_SECTION_BODY,         /* BODY[...] and BODY.PEEK[...], RFC822, RFC822.HEADER/TEXT */
	FETCH_SECTION_BINARY,       /* BINARY[...] and BINARY.PEEK[...] (RFC 3516 4.2) */
	FETCH_SECTION_BINARY_SIZE,  /* BINARY.SIZE[...] */
};

struct fetch_section {
	enum fetch_section_kind kind;
	const char *reply_name;     /* as the response names it: "BODY[1.MIME]", "RFC822" */
	bool peek;                  /* does not set \Seen */
	char part[IMAP_MSG_PART_MAX + 1];  /* "" for the top level */
	enum imap_msg_section_text text;
	bool fields;                /* HEADER.FIELDS or HEADER.FIELDS.NOT */
	bool fields_not;
	const char **names;
	size_t nnames;
	bool partial;               /* <origin.count> */
	uint64_t origin;
	uint64_t count;
};

struct fetch_items {
	unsigned flags;             /* FETCH_* */
	struct fetch_section *sections;
	size_t nsections;
	bool sets_seen;             /* a non-PEEK body section: \Seen is set (RFC 3501 6.4.5) */
	uint64_t changedsince;      /* CHANGEDSINCE modifier (RFC 7162 3.1.4.1), 0 when absent */
	bool vanished;              /* VANISHED modifier (RFC 7162 3.2.6) */
};

/* fetch_items_parse - items is the argument after the sequence set (one item or a
 * parenthesised list or a macro ALL/FAST/FULL); modifiers is the optional list after it
 * (NULL when absent). 0, or -1 with *error_r for a BAD reply. */
int fetch_items_parse(const struct imap_arg *items, const struct imap_arg *modifiers,
		      struct imap_arena *arena, struct fetch_items *out, const char **error_r);

#endif
