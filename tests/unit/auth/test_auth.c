/* test_auth.c - argon2id hashes verify only their password; the policy refuses weak ones */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "auth/auth.h"

static void test_hash_and_verify(void **state)
{
	char h1[AUTH_HASH_SIZE], h2[AUTH_HASH_SIZE];
	const char *error;

	assert_int_equal(auth_hash("correct horse", 13, h1, &error), 0);
	assert_true(strncmp(h1, "$argon2id$", 10) == 0);
	assert_int_equal(auth_verify(h1, "correct horse", 13), 1);
	assert_int_equal(auth_verify(h1, "correct hors", 12), 0);
	assert_int_equal(auth_verify(h1, "Correct horse", 13), 0);
	assert_int_equal(auth_verify(h1, "correct horse ", 14), 0);
	/* a fresh random salt each time: same password, different strings */
	assert_int_equal(auth_hash("correct horse", 13, h2, &error), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(auth_verify(h2, "correct horse", 13), 1);
}

static void test_verify_embedded_nul_and_length(void **state)
{
	char h[AUTH_HASH_SIZE];
	const char *error;
	char big[AUTH_PASSWORD_MAX + 2];

	/* the length counts, not the C string: "ab\0cd" is not "ab" */
	assert_int_equal(auth_hash("ab\0cd", 5, h, &error), 0);
	assert_int_equal(auth_verify(h, "ab\0cd", 5), 1);
	assert_int_equal(auth_verify(h, "ab", 2), 0);
	memset(big, 'x', sizeof(big));
	assert_int_equal(auth_hash(big, sizeof(big), h, &error), -1);
	assert_int_equal(auth_verify(h, big, sizeof(big)), 0);
}

static void test_malformed_hash(void **state)
{
	char bad[AUTH_HASH_SIZE];

	assert_int_equal(auth_verify("", "x", 1), 0);
	assert_int_equal(auth_verify("$argon2i$v=19$m=8,t=1,p=1$AAAA$AAAA", "x", 1), 0);
	assert_int_equal(auth_verify("$argon2id$garbage", "x", 1), 0);
	memset(bad, 'A', sizeof(bad)); /* no NUL at all: must not read past the buffer */
	memcpy(bad, "$argon2id$", 10);
	assert_int_equal(auth_verify(bad, "x", 1), 0);
	assert_int_equal(auth_verify_dummy("x", 1), 0);
}

static void test_needs_rehash(void **state)
{
	char h[AUTH_HASH_SIZE];
	const char *error;

	assert_int_equal(auth_hash("password1", 9, h, &error), 0);
	assert_false(auth_needs_rehash(h));
	/* a valid hash made with other parameters (2 passes instead of the configured 1) */
	assert_int_equal(crypto_pwhash_str_alg(h, "password1", 9, 2, 8192,
					       crypto_pwhash_ALG_ARGON2ID13), 0);
	assert_int_equal(auth_verify(h, "password1", 9), 1);
	assert_true(auth_needs_rehash(h));
}

static void test_password_policy(void **state)
{
	const char *error = NULL;

	assert_int_equal(auth_password_check("", 0, &error), -1);
	assert_string_equal(error, "password is empty");
	assert_int_equal(auth_password_check("short", 5, &error), -1);
	assert_non_null(strstr(error, "at least 8"));
	assert_int_equal(auth_password_check("1234567", 7, &error), -1);
	assert_int_equal(auth_password_check("12345678", 8, &error), 0);
	assert_int_equal(auth_password_check("line\nbreak", 10, &error), -1);
	assert_int_equal(auth_password_check("nul\0inside", 10, &error), -1);
	/* characters, not bytes: seven 2-byte letters are still too short */
	assert_int_equal(auth_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
					     14, &error), -1);
	setenv("MERPATI_PASSWORD_MIN_LENGTH", "4", 1);
	assert_int_equal(auth_password_check("abcd", 4, &error), 0);
	unsetenv("MERPATI_PASSWORD_MIN_LENGTH");
	assert_int_equal(auth_password_check("abcd", 4, &error), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_verify_embedded_nul_and_length),
		cmocka_unit_test(test_malformed_hash),
		cmocka_unit_test(test_needs_rehash),
		cmocka_unit_test(test_password_policy),
	};

	/* cheap parameters: the cost is not under test, the algorithm is */
	setenv("MERPATI_ARGON2_OPSLIMIT", "1", 1);
	setenv("MERPATI_ARGON2_MEMLIMIT", "8k", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
