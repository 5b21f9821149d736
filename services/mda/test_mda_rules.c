/* test_mda_rules.c - filter rule evaluation against parsed messages, without a database:
 * each condition kind, the Sieve keep/cancel model, stop, and malformed rules */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mime/mime.h"
#include "services/mda/mda_rules.h"

static const char msg[] =
	"From: \"Big Boss\" <boss@corp.example>\r\n"
	"To: team@corp.example\r\n"
	"Cc: =?UTF-8?Q?J=C3=B6rg?= <joerg@corp.example>\r\n"
	"Subject: =?UTF-8?Q?Quarterly_r=C3=A9sults?=\r\n"
	"List-Id: Announcements <announce.corp.example>\r\n"
	"\r\n"
	"Numbers.\r\n";

/* apply - one rule on msg; returns mda_rules_apply's value */
static int apply(const char *conds, const char *acts, int64_t size, struct mda_rules_outcome *o,
		 bool *stop)
{
	struct mime_meta m;
	const char *error;
	int r;

	assert_int_equal(mime_parse(msg, sizeof(msg) - 1, &m, &error), 0);
	r = mda_rules_apply(conds, acts, &m, size, o, stop, &error);
	mime_meta_clear(&m);
	return r;
}

static void test_conditions(void **state)
{
	struct mda_rules_outcome o;
	bool stop = false;

	mda_rules_init(&o);
	assert_int_equal(apply("[{\"field\":\"from\",\"op\":\"contains\",\"value\":\"BOSS@corp\"}]",
			       "[{\"seen\":true}]", 10, &o, &stop), 1);
	assert_int_equal(apply("[{\"field\":\"to\",\"op\":\"contains\",\"value\":\"JÖRG\"}]",
			       "[{\"seen\":true}]", 10, &o, &stop), 0); /* ASCII casemap only */
	assert_int_equal(apply("[{\"field\":\"to\",\"op\":\"contains\",\"value\":\"Jörg\"}]",
			       "[{\"seen\":true}]", 10, &o, &stop), 1); /* Cc counts as To */
	assert_int_equal(apply("[{\"field\":\"subject\",\"op\":\"contains\",\"value\":\"résults\"}]",
			       "[{\"seen\":true}]", 10, &o, &stop), 1); /* decoded RFC 2047 */
	assert_int_equal(apply("[{\"field\":\"header\",\"name\":\"list-id\",\"op\":\"contains\","
			       "\"value\":\"ANNOUNCE.corp\"}]", "[{\"seen\":true}]", 10, &o, &stop), 1);
	assert_int_equal(apply("[{\"field\":\"header\",\"name\":\"List\",\"op\":\"contains\","
			       "\"value\":\"announce\"}]", "[{\"seen\":true}]", 10, &o, &stop), 0);
	assert_int_equal(apply("[{\"field\":\"size\",\"op\":\"over\",\"value\":100}]",
			       "[{\"seen\":true}]", 101, &o, &stop), 1);
	assert_int_equal(apply("[{\"field\":\"size\",\"op\":\"over\",\"value\":100}]",
			       "[{\"seen\":true}]", 100, &o, &stop), 0);
	assert_int_equal(apply("[{\"field\":\"size\",\"op\":\"under\",\"value\":100}]",
			       "[{\"seen\":true}]", 99, &o, &stop), 1);
	/* all conditions must hold; none at all matches every message */
	assert_int_equal(apply("[{\"field\":\"from\",\"op\":\"contains\",\"value\":\"boss\"},"
			       "{\"field\":\"subject\",\"op\":\"contains\",\"value\":\"nope\"}]",
			       "[{\"seen\":true}]", 10, &o, &stop), 0);
	assert_int_equal(apply("[]", "[{\"seen\":true}]", 10, &o, &stop), 1);
	assert_int_equal(o.matched, 7);
	assert_false(stop);
}

static void test_actions(void **state)
{
	struct mda_rules_outcome o;
	bool stop = false;

	mda_rules_init(&o);
	assert_true(o.keep);
	assert_int_equal(apply("[]", "[{\"flag\":\"\\\\Flagged\"},{\"flag\":\"urgent\"},"
			       "{\"flag\":\"URGENT\"},{\"seen\":true}]", 10, &o, &stop), 1);
	assert_true(o.keep); /* flags keep the implicit keep (RFC 5228 4.2) */
	assert_int_equal(o.flags, STORE_FLAG_FLAGGED | STORE_FLAG_SEEN);
	assert_int_equal(o.nkeywords, 1);
	assert_string_equal(o.keywords[0], "urgent");
	assert_int_equal(apply("[]", "[{\"fileinto\":\"Lists\"},{\"fileinto\":\"Lists\"},"
			       "{\"redirect\":\"x@elsewhere.example\"},{\"stop\":true}]", 10, &o,
			       &stop), 1);
	assert_false(o.keep);
	assert_int_equal(o.nfileinto, 1);
	assert_string_equal(o.fileinto[0], "Lists");
	assert_int_equal(o.nredirect, 1);
	assert_true(stop);

	mda_rules_init(&o);
	assert_int_equal(apply("[]", "[{\"discard\":true}]", 10, &o, &stop), 1);
	assert_false(o.keep);
	assert_int_equal(o.nfileinto + o.nredirect, 0);
}

static void test_malformed(void **state)
{
	struct mda_rules_outcome o;
	bool stop = false;

	mda_rules_init(&o);
	assert_int_equal(apply("{", "[{\"seen\":true}]", 10, &o, &stop), -1);
	assert_int_equal(apply("[]", "[{\"seen\":true},{\"explode\":1}]", 10, &o, &stop), -1);
	assert_int_equal(apply("[{\"field\":\"size\",\"op\":\"over\",\"value\":\"big\"}]",
			       "[{\"seen\":true}]", 10, &o, &stop), -1);
	assert_int_equal(apply("[{\"field\":\"mood\",\"op\":\"contains\",\"value\":\"x\"}]",
			       "[{\"seen\":true}]", 10, &o, &stop), -1);
	/* a malformed rule changes nothing, not even its valid first action */
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.matched, 0);
	assert_true(o.keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
