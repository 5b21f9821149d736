/* test_imap_arena.c - the command arena: zeroed and raw blocks, alignment, big one-off
 * blocks, reuse after a clear */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "services/imap/imap_arena.h"

/* all_zero - every byte of p is 0 */
static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* a zeroed block is zero even where a raw block left bytes before a clear */
static void test_zeroed_after_reuse(void **state)
{
	struct imap_arena *a = imap_arena_new(1024);
	unsigned char *raw, *z;

	(void)state;
	raw = imap_arena_alloc_raw(a, 512);
	memset(raw, 0xa5, 512);
	imap_arena_clear(a);
	z = imap_arena_alloc(a, 512);
	assert_ptr_equal(z, raw); /* the first chunk is kept and filled again */
	assert_true(all_zero(z, 512));
	z = imap_arena_array(a, 10, sizeof(uint64_t));
	assert_true(all_zero(z, 10 * sizeof(uint64_t)));
	imap_arena_free(&a);
	assert_null(a);
}

/* every block is aligned for any type, raw or not */
static void test_alignment(void **state)
{
	struct imap_arena *a = imap_arena_new(256);

	(void)state;
	for (size_t n = 1; n < 300; n += 7) {
		void *p = imap_arena_alloc_raw(a, n), *q = imap_arena_alloc(a, n);

		assert_int_equal((uintptr_t)p % 16, 0);
		assert_int_equal((uintptr_t)q % 16, 0);
		memset(p, 1, n); /* ASan: the whole block is ours */
	}
	imap_arena_free(&a);
}

/* a block larger than a chunk is writable in full and does not disturb the head chunk;
 * a clear gives it back */
static void test_big_block(void **state)
{
	struct imap_arena *a = imap_arena_new(1024);
	char *small = imap_arena_strdup(a, "kept"), *big, *after;
	size_t before;

	(void)state;
	big = imap_arena_alloc_raw(a, 1u << 20);
	memset(big, 'x', 1u << 20);
	after = imap_arena_memdup(a, "abc", 3);
	assert_string_equal(small, "kept");
	assert_string_equal(after, "abc");
	assert_true(imap_arena_used(a) > (1u << 20));
	before = imap_arena_used(a);
	imap_arena_clear(a);
	assert_true(imap_arena_used(a) < before);
	assert_true(imap_arena_used(a) < 4096);
	imap_arena_free(&a);
}

/* memdup and printf terminate what they copy, whatever the block held before */
static void test_strings(void **state)
{
	struct imap_arena *a = imap_arena_new(1024);
	char long_arg[600];
	char *p;

	(void)state;
	memset(imap_arena_alloc_raw(a, 900), 0x7f, 900);
	imap_arena_clear(a);
	p = imap_arena_memdup(a, "a\0b", 3);
	assert_memory_equal(p, "a\0b", 4);
	memset(long_arg, 'y', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = '\0';
	p = imap_arena_printf(a, "<%s>", long_arg); /* longer than the stack buffer */
	assert_int_equal(strlen(p), sizeof(long_arg) + 1);
	assert_int_equal(p[0], '<');
	assert_int_equal(p[sizeof(long_arg)], '>');
	imap_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zeroed_after_reuse),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_big_block),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
