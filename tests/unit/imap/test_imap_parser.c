/* test_imap_parser - the pure IMAP command parser: whole commands, one byte at a time,
 * literals (synchronising, LITERAL+, literal8), refusals with their skip, bounds, and the
 * writer's round trip; modified UTF-7, LIST patterns and sequence sets beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "services/imap/imap_match.h"
#include "services/imap/imap_parser.h"
#include "services/imap/imap_utf7.h"

static struct imap_parser_limits lim;

/* parse - one call over the whole of in */
static ssize_t parse(const char *in, size_t len, struct imap_arena *a, struct imap_command *cmd,
		     struct imap_parse_result *res)
{
	return imap_parser_parse(&lim, (const uint8_t *)in, len, a, cmd, res);
}

static int setup(void **state)
{
	imap_parser_limits_default(&lim);
	*state = imap_arena_new(4096);
	return 0;
}

static int teardown(void **state)
{
	struct imap_arena *a = *state;

	imap_arena_free(&a);
	return 0;
}

static void test_simple_and_uid(void **state)
{
	struct imap_command cmd;
	struct imap_parse_result res;
	const char *in = "a1 uid fetch 1:*,5 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.10>)\r\n";

	assert_int_equal(parse(in, strlen(in), *state, &cmd, &res), (ssize_t)strlen(in));
	assert_string_equal(cmd.tag, "a1");
	assert_string_equal(cmd.name, "FETCH");
	assert_true(cmd.uid);
	assert_int_equal(cmd.nargs, 2);
	assert_int_equal(cmd.args[0].type, IMAP_ARG_ATOM);
	assert_string_equal(cmd.args[0].str, "1:*,5");
	assert_int_equal(cmd.args[1].type, IMAP_ARG_LIST);
	assert_int_equal(cmd.args[1].count, 2);
	assert_string_equal(cmd.args[1].list[1].str, "BODY.PEEK[HEADER.FIELDS (From To)]<0.10>");
}

static void test_strings_nil_and_nesting(void **state)
{
	struct imap_command cmd;
	struct imap_parse_result res;
	const char *in = "t LOGIN \"a \\\"q\\\" \\\\b\" NIL (x (y ()))\r\n";

	assert_int_equal(parse(in, strlen(in), *state, &cmd, &res), (ssize_t)strlen(in));
	assert_int_equal(cmd.args[0].type, IMAP_ARG_STRING);
	assert_string_equal(cmd.args[0].str, "a \"q\" \\b");
	assert_int_equal(cmd.args[1].type, IMAP_ARG_NIL);
	assert_int_equal(cmd.args[2].list[1].list[1].type, IMAP_ARG_LIST);
	assert_int_equal(cmd.args[2].list[1].list[1].count, 0);
}

/* test_byte_at_a_time - every prefix needs more; the synchronising literal asks for "+"
 * exactly when its header line is complete; the whole command parses at the end */
static void test_byte_at_a_time(void **state)
{
	const char in[] = "x APPEND INBOX (\\Seen) {5}\r\nhello ~{3+}\r\na\0b {2+}\r\nhi\r\n";
	size_t len = sizeof(in) - 1, cont_at = strstr(in, "{5}\r\n") + 5 - in;
	struct imap_command cmd;
	struct imap_parse_result res;
	int continuations = 0;

	for (size_t n = 0; n < len; n++) {
		assert_int_equal(parse(in, n, *state, &cmd, &res), 0);
		assert_true(res.need >= 1);
		assert_true(n + res.need <= len);
		if (res.continuation) {
			assert_int_equal(res.literal_at, cont_at);
			assert_true(n >= cont_at);
			continuations += n == cont_at;
		}
	}
	assert_int_equal(continuations, 1);
	assert_int_equal(parse(in, len, *state, &cmd, &res), (ssize_t)len);
	assert_int_equal(cmd.nargs, 5);
	assert_int_equal(cmd.args[2].type, IMAP_ARG_LITERAL);
	assert_memory_equal(cmd.args[2].str, "hello", 5);
	assert_true(cmd.args[3].literal8);
	assert_int_equal(cmd.args[3].len, 3);
	assert_memory_equal(cmd.args[3].str, "a\0b", 3);
	assert_string_equal(cmd.args[4].str, "hi");
}

/* test_need_skips_literal_data - "need N more" covers the literal's data at once */
static void test_need_skips_literal_data(void **state)
{
	const char *in = "x LOGIN {10}\r\nab";
	struct imap_command cmd;
	struct imap_parse_result res;

	assert_int_equal(parse(in, strlen(in), *state, &cmd, &res), 0);
	assert_int_equal(res.need, 8);
	assert_true(res.continuation);
}

/* test_bad_syntax - refused with the tag, skipping exactly through the bad line */
static void test_bad_syntax(void **state)
{
	static const char *const bad[] = {
		"t1 LOGIN \"unterminated\r\n", "t2  NOOP\r\n", "t3 NOOP \r\n", "t4 X (a\r\n",
		"t5 X a)b\r\n", "t6 X \"bad\\escape\"\r\n", "t7 X {x}\r\n", "t8 X \x80\r\n",
		"t9 UID\r\n", "t10 X a\rb\r\n",
	};
	struct imap_command cmd;
	struct imap_parse_result res;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[128];
		size_t len = strlen(bad[i]);

		memcpy(buf, bad[i], len);
		memcpy(buf + len, "n NOOP\r\n", 8);
		assert_int_equal(parse(buf, len + 8, *state, &cmd, &res), -1);
		assert_non_null(res.error);
		assert_int_equal(res.skip, len);
		assert_false(res.skip_line);
		assert_memory_equal(res.tag, bad[i], strchr(bad[i], ' ') - bad[i]);
		assert_int_equal(parse(buf + res.skip, 8, *state, &cmd, &res), 8);
		assert_string_equal(cmd.name, "NOOP");
	}
}

/* test_empty_and_incomplete_bad_line - an error waits for the end of its line */
static void test_incomplete_bad_line_waits(void **state)
{
	struct imap_command cmd;
	struct imap_parse_result res;

	assert_int_equal(parse("t X (a)b", 8, *state, &cmd, &res), 0);
	assert_int_equal(parse("\r\n", 2, *state, &cmd, &res), -1);
	assert_string_equal(res.tag, "");
	assert_int_equal(res.skip, 2);
}

static void test_bounds(void **state)
{
	struct imap_command cmd;
	struct imap_parse_result res;
	char deep[64] = "t X ";
	char big[128];

	/* nesting deeper than IMAP_DEPTH_MAX */
	for (int i = 0; i <= IMAP_DEPTH_MAX; i++)
		strcat(deep, "(");
	strcat(deep, "\r\n");
	assert_int_equal(parse(deep, strlen(deep), *state, &cmd, &res), -1);
	assert_true(res.toobig);
	/* a synchronising literal over the bound: the client sends nothing more */
	snprintf(big, sizeof(big), "t APPEND x {%llu}\r\n",
		 (unsigned long long)lim.max_literal + 1);
	assert_int_equal(parse(big, strlen(big), *state, &cmd, &res), -1);
	assert_true(res.toobig);
	assert_int_equal(res.skip, strlen(big));
	assert_int_equal(res.skip_bytes, 0);
	/* LITERAL+ over the bound: its data is skipped as it comes, then the line */
	snprintf(big, sizeof(big), "t APPEND x {%llu+}\r\n",
		 (unsigned long long)lim.max_literal + 1);
	assert_int_equal(parse(big, strlen(big), *state, &cmd, &res), -1);
	assert_int_equal(res.skip_bytes, lim.max_literal + 1);
	assert_true(res.skip_line);
	/* LITERAL-: {n+} only up to 4096 */
	lim.literal_minus = true;
	assert_int_equal(parse("t X {4097+}\r\n", 13, *state, &cmd, &res), -1);
	lim.literal_minus = false;
}

static void test_line_too_long(void **state)
{
	struct imap_command cmd;
	struct imap_parse_result res;
	size_t len = lim.max_line + 10;
	char *buf = imap_arena_alloc(*state, len);

	memset(buf, 'a', len);
	memcpy(buf, "t X ", 4);
	assert_int_equal(parse(buf, len, *state, &cmd, &res), -1);
	assert_true(res.toobig);
	assert_true(res.skip_line);
	assert_int_equal(res.skip, len);
}

static void test_round_trip(void **state)
{
	const char in[] = "w1 UID STORE 1:3 +FLAGS.SILENT (\\Seen $Junk) \"a\\\"b\" {4}\r\nx\r\ny NIL\r\n";
	struct imap_command cmd, again;
	struct imap_parse_result res;
	size_t wlen;
	char *w;

	assert_true(parse(in, sizeof(in) - 1, *state, &cmd, &res) > 0);
	w = imap_parser_write(&cmd, *state, &wlen);
	assert_int_equal(parse(w, wlen, *state, &again, &res), (ssize_t)wlen);
	assert_true(again.uid);
	assert_int_equal(again.nargs, cmd.nargs);
	assert_string_equal(again.args[3].str, "a\"b");
	assert_memory_equal(again.args[4].str, "x\r\ny", 4);
}

static void test_utf7(void **state)
{
	char out[256], back[256];

	(void)state;
	/* RFC 3501 5.1.3's example */
	assert_int_equal(imap_utf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-", out, sizeof(out)), 0);
	assert_string_equal(out, "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	assert_int_equal(imap_utf7_encode(out, back, sizeof(back)), 0);
	assert_string_equal(back, "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	assert_int_equal(imap_utf7_decode("a&-b", out, sizeof(out)), 0);
	assert_string_equal(out, "a&b");
	assert_int_equal(imap_utf7_encode("a&b", back, sizeof(back)), 0);
	assert_string_equal(back, "a&-b");
	assert_int_equal(imap_utf7_decode("&Jjo!", out, sizeof(out)), -1);      /* unterminated */
	assert_int_equal(imap_utf7_decode("&AGE-", out, sizeof(out)), -1);      /* ASCII encoded */
	assert_int_equal(imap_utf7_encode("\xff", back, sizeof(back)), -1);      /* not UTF-8 */
	assert_int_equal(imap_utf7_encode("\xf0\x9f\x98\x80", back, sizeof(back)), 0);
	assert_int_equal(imap_utf7_decode(back, out, sizeof(out)), 0);
	assert_string_equal(out, "\xf0\x9f\x98\x80");
}

static void test_match(void **state)
{
	(void)state;
	assert_true(imap_match("*", "a/b/c"));
	assert_true(imap_match("%", "INBOX"));
	assert_false(imap_match("%", "a/b"));
	assert_true(imap_match("a/%", "a/b"));
	assert_true(imap_match("inbox", "INBOX"));
	assert_true(imap_match("Inbox/%", "INBOX/x"));
	assert_false(imap_match("inbox", "inboxes"));
	assert_true(imap_match("*b*", "abc"));
	assert_false(imap_match("a*%*%*%*%*%*%*%*%*%*%*%*%*%*z",
				"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_seqset_and_view(void **state)
{
	struct imap_arg a = { .type = IMAP_ARG_ATOM, .str = "2:*,1", .len = 5 };
	struct imap_seqset set;
	const char *error;
	uint32_t uids[] = { 3, 7, 9, 12 }, *out;
	struct imap_view v = { .uids = uids, .count = 4, .cap = 4 };
	size_t n;

	assert_int_equal(imap_seqset_parse(&a, *state, &set, &error), 0);
	assert_int_equal(set.count, 2);
	assert_int_equal(imap_view_resolve(&v, &set, false, *state, &out, &n, &error), 0);
	assert_int_equal(n, 4);
	a.str = "8:10";
	a.len = 4;
	assert_int_equal(imap_seqset_parse(&a, *state, &set, &error), 0);
	assert_int_equal(imap_view_resolve(&v, &set, true, *state, &out, &n, &error), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 9);
	assert_int_equal(imap_view_resolve(&v, &set, false, *state, &out, &n, &error), -1);
	a.str = "0:3";
	a.len = 3;
	assert_int_equal(imap_seqset_parse(&a, *state, &set, &error), -1);
	assert_int_equal(imap_view_msn(&v, 12), 4);
	assert_int_equal(imap_view_msn(&v, 8), 0);
}

/* the view's per-message state follows its messages: "$" (RFC 5182), \Recent and the
 * modseq the session last reported */
static void test_view_saved_recent_reported(void **state)
{
	struct imap_arg dollar = { .type = IMAP_ARG_ATOM, .str = "$", .len = 1 };
	struct imap_arg mixed = { .type = IMAP_ARG_ATOM, .str = "$,1", .len = 3 };
	struct imap_view *v = imap_view_new(1);
	const uint32_t saved[] = { 2, 4, 8 };
	struct imap_seqset set;
	const char *error;
	uint32_t *out;
	size_t n;

	for (uint32_t uid = 2; uid <= 10; uid += 2)
		imap_view_append(v, uid);                 /* 2 4 6 8 10 */
	assert_int_equal(imap_seqset_parse(&dollar, *state, &set, &error), 0);
	assert_true(set.saved);
	assert_int_equal(imap_seqset_parse(&mixed, *state, &set, &error), -1);
	assert_int_equal(imap_seqset_parse(&dollar, *state, &set, &error), 0);
	assert_int_equal(imap_view_resolve(v, &set, false, *state, &out, &n, &error), 0);
	assert_int_equal(n, 0);                           /* nothing saved yet */
	imap_view_save(v, saved, 3);
	imap_view_mark_recent(v, 6, 10);                  /* UIDs 8 and 10 */
	imap_view_reported(v, imap_view_msn(v, 4), 7);
	assert_int_equal(imap_view_remove(v, 4), 2);      /* expunged: leaves "$" */
	assert_int_equal(imap_view_resolve(v, &set, false, *state, &out, &n, &error), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 8);
	assert_int_equal(v->nrecent, 2);
	assert_false(imap_view_is_recent(v, 2));          /* UID 6 */
	assert_true(imap_view_is_recent(v, 3));           /* UID 8 */
	assert_int_equal(imap_view_remove(v, 8), 3);
	assert_int_equal(v->nrecent, 1);
	assert_true(imap_view_is_recent(v, 3));           /* UID 10 moved down */
	assert_false(imap_view_already_reported(v, 1, 1));
	imap_view_reported(v, 2, 5);
	assert_true(imap_view_already_reported(v, 2, 5));
	assert_false(imap_view_already_reported(v, 2, 6));
	imap_view_free(&v);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_simple_and_uid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings_nil_and_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_byte_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_need_skips_literal_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_bad_line_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utf7, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seqset_and_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_saved_recent_reported, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
