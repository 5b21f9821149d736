/* search_program - the arguments of SEARCH, SORT and THREAD (RFC 3501 6.4.4, RFC 9051
 * 6.4.4, RFC 4731, RFC 5256, RFC 7162 3.1.5) into a store_search key tree. Pure: the view
 * gives the meaning of message sequence numbers and "*", nothing else is read. */
#ifndef MERPATI_IMAP_SEARCH_PROGRAM_H
#define MERPATI_IMAP_SEARCH_PROGRAM_H

#include "services/imap/imap.h"
#include "store/imap_search.h"

/* ESEARCH result options (RFC 4731 3.1) */
#define SEARCH_RETURN_MIN   0x01
#define SEARCH_RETURN_MAX   0x02
#define SEARCH_RETURN_ALL   0x04
#define SEARCH_RETURN_COUNT 0x08
#define SEARCH_RETURN_SAVE  0x10

/* The BADCHARSET response code listing what SEARCH accepts (RFC 3501 7.1). */
#define SEARCH_BADCHARSET "BADCHARSET (US-ASCII UTF-8)"

struct search_program {
	struct store_search s;          /* the nodes */
	struct store_search_key *root;
	bool esearch;                   /* RETURN was given: answer with ESEARCH */
	unsigned ret;                   /* SEARCH_RETURN_* */
};

enum search_program_form {
	SEARCH_FORM_SEARCH,  /* [RETURN (...)] [CHARSET x] keys */
	SEARCH_FORM_SORTED,  /* charset keys: SORT and THREAD after their own arguments */
};

/* search_program_parse - args[0..nargs) in form into out (allocated from arena by the
 * caller, zeroed). Sequence numbers are resolved against v, UIDs and "*" too. -1 with
 * *error_r for a BAD, or with *code_r also set (BADCHARSET) for a NO. */
int search_program_parse(const struct imap_arg *args, size_t nargs,
			 enum search_program_form form, const struct imap_view *v,
			 struct imap_arena *arena, struct search_program *out,
			 const char **error_r, const char **code_r);

/* search_program_date - an IMAP date "d-Mon-yyyy" (RFC 3501 9 date, quotes removed) into
 * year/month/day; -1 when malformed or not a calendar day */
int search_program_date(const char *s, int32_t *year, int32_t *month, int32_t *day);

#endif
