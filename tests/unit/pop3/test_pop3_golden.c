/* test_pop3_golden.c - replay tests/golden/pop3/<name>.in through a session and compare
 * the server's bytes with <name>.out, fed all at once, one octet at a time, and in
 * threes: the answers must not depend on how TCP splits the input.
 * With POP3_GOLDEN_WRITE=1 the .out files are written instead (review them by eye). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pop3_fake.h"

static const char *golden_dir;

/* golden_read - a whole small file into a NUL-terminated buffer */
static char *golden_read(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	*len_r = (size_t)len;
	return buf;
}

/* golden_one - run one transcript with one feeding step; returns the server output */
static char *golden_one(const char *in, size_t len, size_t step)
{
	struct pop3_session_config cfg;
	struct pop3_fake f;
	bool tls = false, secure = true;
	char *out;

	pop3_fake_config(&cfg);
	if (strncmp(in, "#!", 2) == 0) {
		const char *nl = strchr(in, '\n');
		char opts[256];
		assert_non_null(nl);
		assert_true((size_t)(nl - in) < sizeof(opts));
		memcpy(opts, in + 2, (size_t)(nl - in - 2));
		opts[nl - in - 2] = '\0';
		assert_int_equal(pop3_fake_options(&cfg, &tls, &secure, opts), 0);
		len -= (size_t)(nl + 1 - in);
		in = nl + 1;
	}
	pop3_fake_init(&f, &cfg, tls, secure);
	pop3_fake_run(&f, (const uint8_t *)in, len, step);
	out = strdup(f.out != NULL ? f.out : "");
	pop3_fake_free(&f);
	return out;
}

/* golden_check - one .in file against its .out */
static void golden_check(const char *name)
{
	char path[1024];
	size_t in_len, ref_len;
	char *in, *ref, *out;
	static const size_t steps[] = { 0, 1, 3 };

	snprintf(path, sizeof(path), "%s/%s.in", golden_dir, name);
	in = golden_read(path, &in_len);
	assert_non_null(in);
	snprintf(path, sizeof(path), "%s/%s.out", golden_dir, name);
	if (getenv("POP3_GOLDEN_WRITE") != NULL) {
		FILE *f = fopen(path, "wb");
		out = golden_one(in, in_len, 0);
		assert_non_null(f);
		fputs(out, f);
		fclose(f);
		free(out);
	}
	ref = golden_read(path, &ref_len);
	assert_non_null(ref);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		out = golden_one(in, in_len, steps[i]);
		if (strcmp(out, ref) != 0)
			fail_msg("%s (step %zu) differs:\n--- got\n%s--- want\n%s", name, steps[i],
				 out, ref);
		free(out);
	}
	free(in);
	free(ref);
}

static void test_golden(void **state)
{
	DIR *dir = opendir(golden_dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		char name[256];
		if (len < 4 || len >= sizeof(name) || strcmp(de->d_name + len - 3, ".in") != 0)
			continue;
		memcpy(name, de->d_name, len - 3);
		name[len - 3] = '\0';
		golden_check(name);
		n++;
	}
	closedir(dir);
	print_message("%d transcripts\n", n);
	assert_true(n >= 10);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
		return 2;
	}
	golden_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
