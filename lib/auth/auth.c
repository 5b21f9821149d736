/* auth.c - argon2id password hashes with libsodium, and the minimum password policy */
#include "auth/auth.h"
#include "config/config.h"

#include <pthread.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static unsigned long long auth_opslimit;
static size_t auth_memlimit;
static int auth_ready = -1;
static pthread_once_t auth_once = PTHREAD_ONCE_INIT;
static char auth_dummy_hash[AUTH_HASH_SIZE];
static pthread_once_t auth_dummy_once = PTHREAD_ONCE_INIT;

/* auth_setup - start libsodium and read the cost settings, once per process */
static void auth_setup(void)
{
	size_t mem;

	if (sodium_init() < 0)
		return;
	auth_opslimit = (unsigned long long)config_int("MERPATI_ARGON2_OPSLIMIT", 3,
		crypto_pwhash_argon2id_OPSLIMIT_MIN, 32);
	mem = config_size("MERPATI_ARGON2_MEMLIMIT", "64M");
	if (mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || mem > ((size_t)4 << 30))
		config_fail("MERPATI_ARGON2_MEMLIMIT", getenv("MERPATI_ARGON2_MEMLIMIT"),
			    "must be between 8k and 4G");
	auth_memlimit = mem;
	auth_ready = 0;
}

int auth_init(void)
{
	pthread_once(&auth_once, auth_setup);
	return auth_ready;
}

int auth_hash(const char *password, size_t len, char out[AUTH_HASH_SIZE], const char **error_r)
{
	if (auth_init() < 0) {
		*error_r = "libsodium could not start";
		return -1;
	}
	if (len > AUTH_PASSWORD_MAX) {
		*error_r = "password too long";
		return -1;
	}
	if (crypto_pwhash_str_alg(out, password, len, auth_opslimit, auth_memlimit,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		*error_r = "out of memory while hashing the password";
		return -1;
	}
	return 0;
}

int auth_verify(const char *hash, const char *password, size_t len)
{
	if (auth_init() < 0 || len > AUTH_PASSWORD_MAX)
		return 0;
	/* crypto_pwhash_str_verify reads the hash up to its NUL: make sure there is one */
	if (memchr(hash, '\0', AUTH_HASH_SIZE) == NULL ||
	    strncmp(hash, crypto_pwhash_argon2id_STRPREFIX,
		    strlen(crypto_pwhash_argon2id_STRPREFIX)) != 0)
		return 0;
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

/* auth_make_dummy - a hash of random bytes with the current cost, for unknown users */
static void auth_make_dummy(void)
{
	unsigned char random[32];
	const char *error;

	randombytes_buf(random, sizeof(random));
	if (auth_hash((const char *)random, sizeof(random), auth_dummy_hash, &error) < 0)
		auth_dummy_hash[0] = '\0';
}

int auth_verify_dummy(const char *password, size_t len)
{
	if (auth_init() < 0)
		return 0;
	pthread_once(&auth_dummy_once, auth_make_dummy);
	if (auth_dummy_hash[0] != '\0')
		(void)auth_verify(auth_dummy_hash, password, len);
	return 0;
}

bool auth_needs_rehash(const char *hash)
{
	if (auth_init() < 0)
		return false;
	return crypto_pwhash_str_needs_rehash(hash, auth_opslimit, auth_memlimit) != 0;
}

/* auth_utf8_chars - characters in a string, counting each UTF-8 lead byte once */
static size_t auth_utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

int auth_password_check(const char *password, size_t len, const char **error_r)
{
	static __thread char msg[96];
	long min = config_int("MERPATI_PASSWORD_MIN_LENGTH", AUTH_PASSWORD_MIN_DEFAULT, 1, 1024);

	if (len == 0) {
		*error_r = "password is empty";
		return -1;
	}
	if (len > AUTH_PASSWORD_MAX) {
		*error_r = "password is too long (at most 1024 bytes)";
		return -1;
	}
	if (memchr(password, '\0', len) || memchr(password, '\r', len) ||
	    memchr(password, '\n', len)) {
		*error_r = "password may not contain NUL or line breaks";
		return -1;
	}
	if (auth_utf8_chars(password, len) < (size_t)min) {
		snprintf(msg, sizeof(msg), "password is too short (at least %ld characters)", min);
		*error_r = msg;
		return -1;
	}
	return 0;
}
