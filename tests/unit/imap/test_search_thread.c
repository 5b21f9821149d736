/* test_search_thread.c - base subject (RFC 5256 2.1), SORT ordering and both THREAD
 * algorithms (RFC 5256 3) on hand-built messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "services/imap/search_program.h"
#include "services/imap/sort_keys.h"
#include "thread/sort_subject.h"
#include "thread/thread_algo.h"
#include "store/imap_acl.h"

/* base_is - the base subject of in is want, reply marker as given */
static void base_is(const char *in, const char *want, bool want_reply)
{
	char out[256];
	bool reply = !want_reply;
	size_t len = sort_subject_base(in, out, sizeof(out), &reply);

	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(reply, want_reply);
}

static void test_base_subject(void **state)
{
	base_is("Re: lunch", "lunch", true);
	base_is("RE: [list] Re: Fwd: Lunch (fwd)", "lunch", true);
	base_is("[fwd: Re: lunch]", "lunch", true);
	base_is("Re: [fwd: Re: x] (fwd)", "x", true);
	base_is("[list] lunch", "lunch", false);
	base_is("[list]", "[list]", false);           /* step 4 never empties the subject */
	base_is("[a][b] Re: x", "x", true);            /* blobs before a leader go with it */
	base_is("  Lunch \t  time\r\n now  ", "lunch time now", false);
	base_is("Re:", "", true);
	base_is("Re lunch", "re lunch", false);        /* no colon: not a leader */
	base_is("Fw: x", "x", true);
	base_is("fwd[tag]: y", "y", true);
	base_is("Ärger ÜBER Re: x", "Ärger Über re: x", false); /* only ASCII folds */
	base_is("", "", false);
	base_is("lunch (fwd) (FWD)  ", "lunch", true);
	base_is("[fwd: ]", "", true);
}

static void test_base_subject_bounded(void **state)
{
	char small[6];
	bool reply;

	sort_subject_base("Re: abcdefgh", small, sizeof(small), &reply);
	assert_true(strlen(small) < sizeof(small));
	sort_subject_base(NULL, small, sizeof(small), &reply);
	assert_string_equal(small, "");
}

/* M - a message for the threading tests */
#define M(num, d, subj, id, irt, refs) { num, d, subj, id, irt, refs }

/* threads - the formatted forest of an algorithm */
static char *threads(struct thread_tree *(*algo)(const struct thread_msg *, size_t),
		     const struct thread_msg *m, size_t n)
{
	struct thread_tree *t = algo(m, n);
	char *s = thread_tree_format(t);

	thread_tree_free(&t);
	assert_null(t);
	return s;
}

static void test_thread_references(void **state)
{
	static const struct thread_msg m[] = {
		M(1, 100, "lunch", "<1@x>", "", ""),
		M(2, 200, "Re: lunch", "<2@x>", "<1@x>", "<1@x>"),
		M(3, 300, "Re: lunch", "<3@x>", "", "<1@x> <2@x>"),
		M(4, 250, "Re: lunch", "<4@x>", "<1@x>", ""),  /* In-Reply-To only */
		M(5, 50, "other", "<5@x>", "", ""),
		M(6, 400, "orphan", "<6@x>", "", "<gone@x>"),
		M(7, 410, "orphan two", "<7@x>", "", "<gone@x>"),
		M(8, 60, "Re: other", "<8@x>", "", ""),        /* joins by subject (5.C) */
	};
	char *s = threads(thread_references, m, 8);

	assert_string_equal(s, "(5 8)(1 (2 3)(4))((6)(7))");
	g_free(s);
}

static void test_thread_references_truncated(void **state)
{
	/* 3 names only 2 as parent; 2 came later with the full chain: 2 moves below 1 */
	static const struct thread_msg m[] = {
		M(1, 10, "a", "<1@x>", "", ""),
		M(2, 20, "b", "<2@x>", "", "<1@x>"),
		M(3, 30, "c", "<3@x>", "", "<2@x>"),
		M(4, 40, "d", "<4@x>", "", "<9@x> <3@x>"),  /* the last reference is the parent */
	};
	char *s = threads(thread_references, m, 4);

	assert_string_equal(s, "(1 2 3 4)");
	g_free(s);
}

static void test_thread_references_loops_and_duplicates(void **state)
{
	static const struct thread_msg m[] = {
		M(1, 10, "p", "<a@x>", "", "<b@x>"),
		M(2, 20, "q", "<b@x>", "", "<a@x>"),          /* would close a loop: ignored */
		M(3, 30, "dup", "<d@x>", "", ""),
		M(4, 40, "dup", "<d@x>", "", ""),             /* same id: a container of its own */
		M(5, 50, "self", "<s@x>", "", "<s@x>"),       /* references itself */
		M(6, 60, "", "", "", ""),                     /* nothing at all */
	};
	char *s = threads(thread_references, m, 6);

	/* 1 hangs below the container of <b@x>, which message 2 fills; 3 and 4 share a
	 * subject and neither is a reply: a dummy holds both (5.C) */
	assert_string_equal(s, "(2 1)((3)(4))(5)(6)");
	g_free(s);
}

static void test_thread_references_dummy_parent_promoted(void **state)
{
	static const struct thread_msg m[] = {
		M(1, 10, "x", "<1@x>", "", "<gone@x>"),      /* a dummy with one child: promoted */
		M(2, 5, "y", "<2@x>", "", "<g1@x> <g2@x>"),   /* two dummies in a row */
	};
	char *s = threads(thread_references, m, 2);

	assert_string_equal(s, "(2)(1)");
	g_free(s);
}

static void test_thread_orderedsubject(void **state)
{
	static const struct thread_msg m[] = {
		M(1, 100, "lunch", "", "", ""),
		M(2, 50, "Re: lunch", "", "", ""),
		M(3, 70, "x", "", "", ""),
		M(4, 300, "re: LUNCH", "", "", ""),
		M(5, 200, "Re: lunch", "", "", ""),
		M(6, 70, "[fwd: x]", "", "", ""),             /* same date as 3: number decides */
		M(7, 10, "solo", "", "", ""),
	};
	char *s = threads(thread_orderedsubject, m, 7);

	assert_string_equal(s, "(7)(2 (1)(5)(4))(3 6)");
	g_free(s);
	s = threads(thread_orderedsubject, m, 0);
	assert_string_equal(s, "");
	g_free(s);
}

/* R - a search row for the SORT tests */
#define R(u, idate, sdate, sz, subj, fr, t, c) \
	{ .uid = u, .internal_date = idate, .sent_date = sdate, .size = sz, .subject = subj, \
	  .from = fr, .to = t, .cc = c, .message_id = "", .in_reply_to = "", .references = "" }

static const struct store_search_row sort_rows[] = {
	R(1, 300, 30, 500, "Re: beta", "Zed <z@x>", "b@x", ""),
	R(2, 100, 10, 100, "alpha", "\"Able\" <ALAN@x>", "a@x", "c@x"),
	R(3, 200, 30, 500, "Beta", "bob@x, ann@x", "", "a@x"),
	R(4, 400, 20, 100, "[list] Alpha (fwd)", "=?utf-8?q?Y?= <yo@x>", "c@x", ""),
};

/* sorted - uids after sorting a copy of sort_rows by the criteria, as "u u u u" */
static void sorted(const char *want, size_t nc, const struct sort_criterion *c)
{
	struct store_search_row rows[4];
	char got[64] = "";

	memcpy(rows, sort_rows, sizeof(rows));
	assert_int_equal(sort_keys_apply(rows, 4, c, nc), 0);
	for (size_t i = 0; i < 4; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u", i ? " " : "",
			 rows[i].uid);
	assert_string_equal(got, want);
}

static void test_sort_apply(void **state)
{
	sorted("2 3 1 4", 1, (struct sort_criterion[]){ { SORT_ARRIVAL, false } });
	sorted("4 1 3 2", 1, (struct sort_criterion[]){ { SORT_ARRIVAL, true } });
	sorted("2 4 1 3", 1, (struct sort_criterion[]){ { SORT_DATE, false } });  /* 1, 3 tie */
	sorted("1 3 4 2", 1, (struct sort_criterion[]){ { SORT_DATE, true } });
	/* base subjects: alpha alpha beta beta; ties by sequence number */
	sorted("2 4 1 3", 1, (struct sort_criterion[]){ { SORT_SUBJECT, false } });
	sorted("1 3 2 4", 2, (struct sort_criterion[]){ { SORT_SUBJECT, true }, { SORT_SIZE, true } });
	sorted("3 1 2 4", 2, (struct sort_criterion[]){ { SORT_SUBJECT, true },
							 { SORT_ARRIVAL, false } });
	/* addr-mailbox of the first From: alan bob yo z */
	sorted("2 3 4 1", 1, (struct sort_criterion[]){ { SORT_FROM, false } });
	/* "" (3) sorts first; a b c */
	sorted("3 2 1 4", 1, (struct sort_criterion[]){ { SORT_TO, false } });
	sorted("1 4 3 2", 1, (struct sort_criterion[]){ { SORT_CC, false } });
	sorted("4 2 1 3", 2, (struct sort_criterion[]){ { SORT_SIZE, false },
							 { SORT_DATE, true } });
}

static void test_sort_mailbox(void **state)
{
	char out[8];

	sort_keys_mailbox("Some One <Some.One@Example.test>, x@y", out, sizeof(out));
	assert_string_equal(out, "some.on");  /* bounded */
	sort_keys_mailbox("", out, sizeof(out));
	assert_string_equal(out, "");
	sort_keys_mailbox("not an address at all", out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
}

/* atom - an IMAP atom argument */
static struct imap_arg atom(const char *s)
{
	return (struct imap_arg){ .type = IMAP_ARG_ATOM, .str = s, .len = strlen(s) };
}

static void test_sort_parse(void **state)
{
	struct imap_arg items[20], list = { .type = IMAP_ARG_LIST, .list = items };
	struct sort_criterion c[SORT_CRITERIA_MAX];
	const char *error = NULL;
	size_t n = 0;

	items[0] = atom("reverse"), items[1] = atom("DATE"), items[2] = atom("subject");
	list.count = 3;
	assert_int_equal(sort_keys_parse(&list, c, &n, &error), 0);
	assert_int_equal(n, 2);
	assert_true(c[0].key == SORT_DATE && c[0].reverse);
	assert_true(c[1].key == SORT_SUBJECT && !c[1].reverse);
	items[2] = atom("REVERSE");
	assert_int_equal(sort_keys_parse(&list, c, &n, &error), -1);  /* REVERSE at the end */
	items[0] = atom("REVERSE"), items[1] = atom("REVERSE"), items[2] = atom("SIZE");
	assert_int_equal(sort_keys_parse(&list, c, &n, &error), -1);
	items[0] = atom("WEIGHT"), list.count = 1;
	assert_int_equal(sort_keys_parse(&list, c, &n, &error), -1);
	list.count = 0;
	assert_int_equal(sort_keys_parse(&list, c, &n, &error), -1);
	for (size_t i = 0; i < 17; i++)
		items[i] = atom("SIZE");
	list.count = 17;
	assert_int_equal(sort_keys_parse(&list, c, &n, &error), -1);
	assert_string_equal(error, "too many sort criteria");
	items[0] = (struct imap_arg){ .type = IMAP_ARG_STRING, .str = "DATE", .len = 4 };
	list.count = 1;
	assert_int_equal(sort_keys_parse(&list, c, &n, &error), -1);
}

static void test_acl_normalize(void **state)
{
	char out[STORE_ACL_RIGHTS_SIZE], many[200];

	assert_int_equal(store_acl_normalize("arl", out), 0);
	assert_string_equal(out, "lra");                   /* RFC 4314 order */
	assert_int_equal(store_acl_normalize("cd", out), 0);
	assert_string_equal(out, "kxte");                  /* RFC 4314 2.1.1 */
	memset(many, 'l', sizeof(many) - 2);
	many[sizeof(many) - 2] = 'w';
	many[sizeof(many) - 1] = '\0';
	assert_int_equal(store_acl_normalize(many, out), 0);
	assert_string_equal(out, "lw");                    /* repeats do not crowd out letters */
	assert_int_equal(store_acl_normalize("", out), 0);
	assert_string_equal(out, "");
	assert_int_equal(store_acl_normalize("lz", out), -1);
	assert_true(store_acl_has("lrs", "rl") && !store_acl_has("lrs", "w"));
}

static void test_search_date(void **state)
{
	int32_t y, m, d;

	assert_int_equal(search_program_date("1-Feb-1994", &y, &m, &d), 0);
	assert_true(y == 1994 && m == 2 && d == 1);
	assert_int_equal(search_program_date("29-feb-2024", &y, &m, &d), 0);
	assert_int_equal(search_program_date("29-Feb-2023", &y, &m, &d), -1);  /* not leap */
	assert_int_equal(search_program_date("31-Apr-2024", &y, &m, &d), -1);
	assert_int_equal(search_program_date("1-Fbe-1994", &y, &m, &d), -1);
	assert_int_equal(search_program_date("1-Feb-94", &y, &m, &d), -1);
	assert_int_equal(search_program_date("1-Feb-19945", &y, &m, &d), -1);
	assert_int_equal(search_program_date("0-Feb-1994", &y, &m, &d), -1);
	assert_int_equal(search_program_date("", &y, &m, &d), -1);
}

/* parse_words - a program of atoms (and one list when given) over a view of UIDs 10 20 30 */
static int parse_words(struct search_program *prog, struct imap_arena *arena,
		       const char *const *words, size_t n, const char **error, const char **code)
{
	static uint32_t uids[] = { 10, 20, 30 };
	struct imap_view v = { .uids = uids, .count = 3 };
	struct imap_arg *args = imap_arena_array(arena, n + 1, sizeof(*args));

	for (size_t i = 0; i < n; i++)
		args[i] = atom(words[i]);
	memset(prog, 0, sizeof(*prog));
	return search_program_parse(args, n, SEARCH_FORM_SEARCH, &v, arena, prog, error, code);
}

static void test_search_program(void **state)
{
	static struct search_program prog;
	struct imap_arena *arena = imap_arena_new(4096);
	const char *error = NULL, *code = NULL;
	const struct store_search_key *k;

	/* MSNs 2:* are UIDs 20..30; beyond the view nothing; the program is an AND */
	assert_int_equal(parse_words(&prog, arena, (const char *[]){ "2:*", "9" }, 2, &error,
				     &code), 0);
	k = prog.root->child;
	assert_int_equal(k->kind, STORE_SEARCH_UIDS);
	assert_int_equal(k->nranges, 1);
	assert_true(k->ranges[0].lo == 20 && k->ranges[0].hi == 30);
	assert_int_equal(k->next->nranges, 0);
	/* UID 40:* with 30 the highest names 30 (RFC 3501 6.4.8) */
	assert_int_equal(parse_words(&prog, arena, (const char *[]){ "UID", "40:*" }, 2, &error,
				     &code), 0);
	k = prog.root->child;
	assert_true(k->nranges == 1 && k->ranges[0].lo == 30 && k->ranges[0].hi == 30);
	assert_int_equal(parse_words(&prog, arena, (const char *[]){ "RETURN", "ALL" }, 2,
				     &error, &code), -1);  /* RETURN needs a list */
	assert_int_equal(parse_words(&prog, arena, (const char *[]){ "CHARSET", "KOI8-R", "ALL" },
				     3, &error, &code), -1);
	assert_string_equal(code, SEARCH_BADCHARSET);
	assert_int_equal(parse_words(&prog, arena, (const char *[]){ "UNKEYWORD", "$Junk" }, 2,
				     &error, &code), 0);
	k = prog.root->child;
	assert_true(k->kind == STORE_SEARCH_NOT && k->child->kind == STORE_SEARCH_KEYWORD);
	assert_int_equal(parse_words(&prog, arena, (const char *[]){ "MODSEQ", "5" }, 2, &error,
				     &code), 0);
	assert_true(prog.root->child->kind == STORE_SEARCH_MODSEQ &&
		    prog.root->child->number == 5);
	assert_int_equal(parse_words(&prog, arena, (const char *[]){ "OR", "SEEN" }, 2, &error,
				     &code), -1);
	assert_null(code);
	assert_int_equal(parse_words(&prog, arena, (const char *[]){ "SENTON" }, 1, &error,
				     &code), -1);
	imap_arena_free(&arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_subject),
		cmocka_unit_test(test_base_subject_bounded),
		cmocka_unit_test(test_thread_references),
		cmocka_unit_test(test_thread_references_truncated),
		cmocka_unit_test(test_thread_references_loops_and_duplicates),
		cmocka_unit_test(test_thread_references_dummy_parent_promoted),
		cmocka_unit_test(test_thread_orderedsubject),
		cmocka_unit_test(test_sort_apply),
		cmocka_unit_test(test_sort_mailbox),
		cmocka_unit_test(test_sort_parse),
		cmocka_unit_test(test_acl_normalize),
		cmocka_unit_test(test_search_date),
		cmocka_unit_test(test_search_program),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
