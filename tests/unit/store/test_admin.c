/* test_admin.c - the operand checks `merpati` and the webmail's /api/admin/ share: rights
 * (RFC 4314 2.1), alias sources, quotas, addresses and domains, with their messages */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "store/admin_alias.h"
#include "store/admin_share.h"
#include "store/admin_user.h"

/* refused - r holds code and a message containing says */
static void refused(const struct store_admin_result *r, enum store_admin_code code,
		    const char *says)
{
	assert_int_equal(r->code, code);
	assert_non_null(strstr(r->message, says));
}

static void test_rights(void **state)
{
	char out[STORE_ACL_RIGHTS_SIZE];
	struct store_admin_result r;

	(void)state;
	assert_int_equal(store_admin_share_rights("srl", out, &r), STORE_ADMIN_OK);
	assert_string_equal(out, "lrs");
	assert_int_equal(store_admin_share_rights("aetxkpiwsrlaaa", out, &r), STORE_ADMIN_OK);
	assert_string_equal(out, STORE_ACL_ALL);
	assert_int_equal(store_admin_share_rights("lrz", out, &r), STORE_ADMIN_INVALID);
	refused(&r, STORE_ADMIN_INVALID, "'z' is not an RFC 4314 right");
	/* the obsolete RFC 2086 letters are IMAP SETACL's business, not an administrator's */
	assert_int_equal(store_admin_share_rights("lrc", out, &r), STORE_ADMIN_INVALID);
	assert_int_equal(store_admin_share_rights("", out, &r), STORE_ADMIN_INVALID);
	refused(&r, STORE_ADMIN_INVALID, "no rights given");
}

static void test_alias_source(void **state)
{
	char out[STORE_ADDRESS_SIZE], long_domain[300];
	struct store_admin_result r;

	(void)state;
	assert_int_equal(store_admin_alias_source("Info@Example.ORG", out, &r), STORE_ADMIN_OK);
	assert_string_equal(out, "info@example.org");
	assert_int_equal(store_admin_alias_source("@Example.ORG.", out, &r), STORE_ADMIN_OK);
	assert_string_equal(out, "@example.org");
	assert_int_equal(store_admin_alias_source("@not a domain", out, &r), STORE_ADMIN_INVALID);
	refused(&r, STORE_ADMIN_INVALID, "is not @ and a domain name");
	assert_int_equal(store_admin_alias_source("nobody", out, &r), STORE_ADMIN_INVALID);
	refused(&r, STORE_ADMIN_INVALID, "'nobody' is not a valid address");
	/* "@" and a domain of 254 octets do not fit an address (254 octets at most) */
	memset(long_domain, 0, sizeof(long_domain));
	long_domain[0] = '@';
	for (size_t i = 1; i < 255; i++)
		long_domain[i] = (i % 60 == 0) ? '.' : 'a';
	assert_int_equal(store_admin_alias_source(long_domain, out, &r), STORE_ADMIN_INVALID);
}

static void test_quota(void **state)
{
	struct store_admin_result r;
	int64_t q = -1;

	(void)state;
	assert_int_equal(store_admin_quota("0", &q, &r), STORE_ADMIN_OK);
	assert_int_equal(q, 0);
	assert_int_equal(store_admin_quota("500M", &q, &r), STORE_ADMIN_OK);
	assert_int_equal(q, 500LL << 20);
	assert_int_equal(store_admin_quota("1G", &q, &r), STORE_ADMIN_OK);
	assert_int_equal(q, 1LL << 30);
	assert_int_equal(store_admin_quota("lots", &q, &r), STORE_ADMIN_INVALID);
	refused(&r, STORE_ADMIN_INVALID, "quota 'lots' is not a size");
	assert_int_equal(store_admin_quota("-1", &q, &r), STORE_ADMIN_INVALID);
}

static void test_operands(void **state)
{
	char address[STORE_ADDRESS_SIZE], domain[STORE_DOMAIN_SIZE];
	struct store_admin_result r;

	(void)state;
	assert_int_equal(store_admin_address("A@B.test", "owner", address, &r), STORE_ADMIN_OK);
	assert_string_equal(address, "a@b.test");
	assert_int_equal(store_admin_address("nope", "owner", address, &r), STORE_ADMIN_INVALID);
	refused(&r, STORE_ADMIN_INVALID, "owner 'nope' is not a valid address");
	assert_int_equal(store_admin_address("nope", NULL, address, &r), STORE_ADMIN_INVALID);
	assert_int_equal(strncmp(r.message, "'nope' is not a valid address", 29), 0);
	assert_int_equal(store_admin_domain_name("Example.TEST.", domain, &r), STORE_ADMIN_OK);
	assert_string_equal(domain, "example.test");
	assert_int_equal(store_admin_domain_name("-bad-.test", domain, &r), STORE_ADMIN_INVALID);
	refused(&r, STORE_ADMIN_INVALID, "is not a domain name");
}

static void test_password(void **state)
{
	char hash[AUTH_HASH_SIZE];
	struct store_admin_result r;

	(void)state;
	assert_int_equal(store_admin_password_hash("short", 5, hash, &r), STORE_ADMIN_INVALID);
	refused(&r, STORE_ADMIN_INVALID, "at least");
	assert_int_equal(store_admin_password_hash("long enough\0x", 13, hash, &r),
			 STORE_ADMIN_INVALID);
	assert_int_equal(store_admin_password_hash("long enough pw", 14, hash, &r), STORE_ADMIN_OK);
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rights),
		cmocka_unit_test(test_alias_source),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_password),
	};

	/* the cheapest argon2id: the test is about the policy, not the cost */
	setenv("MERPATI_ARGON2_OPSLIMIT", "1", 1);
	setenv("MERPATI_ARGON2_MEMLIMIT", "8k", 1);
	unsetenv("MERPATI_PASSWORD_MIN_LENGTH");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
