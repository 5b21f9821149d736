/* auth - password hashing and checking with argon2id (libsodium), and the password policy.
 *
 * Hashes are libsodium's crypto_pwhash_str strings ("$argon2id$v=19$m=...,t=...,p=1$...")
 * so the parameters travel with each hash and can be raised later (auth_needs_rehash).
 * Verification is crypto_pwhash_str_verify, whose final comparison is constant-time.
 * Cost comes from MERPATI_ARGON2_OPSLIMIT (passes, default 3) and MERPATI_ARGON2_MEMLIMIT
 * (bytes with k/M/G, default 64M); tests lower them to keep fast. */
#ifndef MERPATI_AUTH_H
#define MERPATI_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_HASH_SIZE 128          /* crypto_pwhash_STRBYTES */
#define AUTH_PASSWORD_MAX 1024      /* longer passwords are refused, bytes */
#define AUTH_PASSWORD_MIN_DEFAULT 8 /* MERPATI_PASSWORD_MIN_LENGTH overrides */

/* auth_init - initialise libsodium and read the cost settings; -1 if libsodium cannot
 * start. Safe to call more than once; the other functions call it themselves. */
int auth_init(void);
/* auth_hash - argon2id hash of password into out; -1 with *error_r (too long, out of memory) */
int auth_hash(const char *password, size_t len, char out[AUTH_HASH_SIZE], const char **error_r);
/* auth_verify - 1 if password matches hash, 0 if not or if hash is malformed */
int auth_verify(const char *hash, const char *password, size_t len);
/* auth_verify_dummy - spend the time of one verification for an unknown user, so that the
 * response time does not tell whether an account exists; always returns 0. The first call
 * in a process also makes the dummy hash (one extra hashing). */
int auth_verify_dummy(const char *password, size_t len);
/* auth_needs_rehash - the hash was made with other parameters than the current ones */
bool auth_needs_rehash(const char *hash);
/* auth_password_check - the minimum policy for new passwords: not empty, at least
 * MERPATI_PASSWORD_MIN_LENGTH (default 8) characters, at most AUTH_PASSWORD_MAX bytes, no
 * NUL or line breaks. 0 acceptable, -1 with *error_r saying why. */
int auth_password_check(const char *password, size_t len, const char **error_r);

#endif
