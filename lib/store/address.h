/* address - envelope address normalisation and plus-address splitting (pure, no I/O).
 *
 * Addresses arrive already parsed from an SMTP path (RFC 5321 4.1.2) or a CLI argument. The
 * store keeps them in one canonical form so that lookups and unique indexes agree:
 * lowercase, no surrounding angle brackets or spaces, exactly one '@', a non-empty local
 * part of at most 64 octets and a domain of at most 255 octets, 254 octets in all
 * (RFC 5321 4.5.3.1). Local parts are compared case-insensitively, as every major provider
 * does, although RFC 5321 2.4 allows them to be case-sensitive. Quoted local parts and
 * address literals are refused: they cannot be accounts here. */
#ifndef MERPATI_STORE_ADDRESS_H
#define MERPATI_STORE_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#define STORE_ADDRESS_LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1 */
#define STORE_ADDRESS_DOMAIN_MAX 255 /* RFC 5321 4.5.3.1.2 */
#define STORE_ADDRESS_MAX 254        /* 256-octet path minus the angle brackets */
#define STORE_ADDRESS_SIZE (STORE_ADDRESS_MAX + 1)
#define STORE_DOMAIN_SIZE (STORE_ADDRESS_DOMAIN_MAX + 1)

/* store_address_normalize - canonical form of an address into out (STORE_ADDRESS_SIZE
 * bytes); -1 with *error_r when it is not a usable address */
int store_address_normalize(const char *in, char out[STORE_ADDRESS_SIZE], const char **error_r);
/* store_domain_normalize - canonical (lowercase, no trailing dot) domain name into out;
 * -1 with *error_r when it is not a valid hostname (RFC 1123 2.1 labels) */
int store_domain_normalize(const char *in, char out[STORE_DOMAIN_SIZE], const char **error_r);
/* store_address_domain - the part after the '@' of a normalised address ("" if none) */
const char *store_address_domain(const char *address);
/* store_address_split_plus - "user+tag@d" gives base "user@d" and tag "tag"; returns
 * true when there was a tag. Without '+' (or with '+' first in the local part) the base is
 * the address itself and tag is "". Input must be normalised. */
bool store_address_split_plus(const char *address, char base[STORE_ADDRESS_SIZE],
			      char tag[STORE_ADDRESS_LOCAL_MAX + 1]);
/* store_address_is_role - local part is postmaster or abuse, which every domain must
 * accept (RFC 5321 4.5.1, RFC 2142 2-4) */
bool store_address_is_role(const char *address);

#endif
