/* smtp_address - the RFC 5321 4.1.2 path parser: "<local@domain>", "<>", "<postmaster>".
 *
 * Pure: no I/O, no allocation. A parsed address keeps the local part decoded (a quoted
 * string's quotes and backslashes removed) and the domain lowercased (ASCII letters only;
 * U-labels are kept as UTF-8). smtp_address_format writes the canonical wire form back, so
 * parse -> format -> parse gives the same address (the smtp_address fuzz target checks it). */
#ifndef MERPATI_SMTP_ADDRESS_H
#define MERPATI_SMTP_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* RFC 5321 4.5.3.1.1-3: local part 64 octets, domain 255 octets, path 256 octets. */
#define SMTP_ADDRESS_LOCAL_MAX 64
#define SMTP_ADDRESS_DOMAIN_MAX 255
#define SMTP_ADDRESS_PATH_MAX 256

/* flags for smtp_address_parse */
#define SMTP_ADDRESS_ALLOW_NULL 0x1       /* "<>" is the null reverse-path (MAIL FROM) */
#define SMTP_ADDRESS_ALLOW_POSTMASTER 0x2 /* "<Postmaster>" without domain (RCPT, 4.1.1.3) */
#define SMTP_ADDRESS_ALLOW_UTF8 0x4       /* RFC 6531: UTF-8 in local part and domain */

struct smtp_address {
	char local[SMTP_ADDRESS_LOCAL_MAX + 1];   /* decoded; "" for the null path */
	char domain[SMTP_ADDRESS_DOMAIN_MAX + 1]; /* lowercased; "" for null and postmaster */
	bool is_null;                             /* "<>" */
	bool utf8;                                /* some byte >= 0x80 in local or domain */
};

/* smtp_address_parse - parse a path at the start of s[0..len); returns the bytes consumed
 * (through the closing '>') or -1 with a reply text in *error_r */
ssize_t smtp_address_parse(const char *s, size_t len, unsigned flags,
			   struct smtp_address *out, const char **error_r);

/* smtp_address_parse_domain - a domain or address literal (EHLO argument, RFC 5321 4.1.3);
 * writes it lowercased to out; -1 when it is not one */
int smtp_address_parse_domain(const char *s, size_t len, bool allow_utf8,
			      char out[SMTP_ADDRESS_DOMAIN_MAX + 1]);

/* smtp_address_format - "<local@domain>" (local re-quoted when needed) into buf;
 * returns the length, or -1 when it does not fit */
int smtp_address_format(const struct smtp_address *a, char *buf, size_t size);

/* smtp_address_mailbox - "local@domain" without brackets (for lookups and the queue);
 * "" for the null path; returns the length or -1 when it does not fit */
int smtp_address_mailbox(const struct smtp_address *a, char *buf, size_t size);

#endif
