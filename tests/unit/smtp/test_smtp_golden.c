/* test_smtp_golden.c - replay tests/golden/smtp/NAME.in through the session and compare the
 * transcript with NAME.out, feeding one byte at a time and (without STARTTLS, which drops
 * pipelined plaintext on purpose) all at once: both must give the same transcript.
 *
 * NAME.in: the client's lines, each sent with CRLF appended. A first line "#! key=value ..."
 * sets the session (see smtp_fake_config); other lines starting with "#" are comments.
 * Escapes: \r \n \0 \\ \xHH, and a line ending in \z is sent without its CRLF.
 * SMTP_GOLDEN_UPDATE=1 rewrites the .out files (review the diff before committing). */
#include <dirent.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_fake.h"

/* unescape_line - one .in line to the bytes sent */
static void unescape_line(GByteArray *out, const char *line)
{
	size_t len = strlen(line);
	bool crlf = true;

	if (len >= 2 && strcmp(line + len - 2, "\\z") == 0) {
		crlf = false;
		len -= 2;
	}
	for (size_t i = 0; i < len; i++) {
		guint8 ch = (guint8)line[i];

		if (ch == '\\' && i + 3 < len && line[i + 1] == 'x' &&
		    g_ascii_isxdigit(line[i + 2]) && g_ascii_isxdigit(line[i + 3])) {
			ch = (guint8)(g_ascii_xdigit_value(line[i + 2]) * 16 +
				      g_ascii_xdigit_value(line[i + 3]));
			i += 3;
		} else if (ch == '\\' && i + 1 < len) {
			char e = line[++i];
			ch = e == 'r' ? '\r' : e == 'n' ? '\n' : e == '0' ? '\0' : (guint8)e;
		}
		g_byte_array_append(out, &ch, 1);
	}
	if (crlf)
		g_byte_array_append(out, (const guint8 *)"\r\n", 2);
}

/* load_input - the bytes of a .in file and its session overrides */
static GByteArray *load_input(const char *path, char **overrides_r)
{
	gchar *text = NULL;
	gchar **lines;
	GByteArray *in = g_byte_array_new();

	*overrides_r = g_strdup("");
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return in;
	lines = g_strsplit(text, "\n", -1);
	for (gchar **l = lines; *l != NULL; l++) {
		if (l[1] == NULL && **l == '\0')
			break; /* the file's final newline */
		if (strncmp(*l, "#!", 2) == 0) {
			g_free(*overrides_r);
			*overrides_r = g_strdup(*l + 2);
		} else if (**l != '#') {
			unescape_line(in, *l);
		}
	}
	g_strfreev(lines);
	g_free(text);
	return in;
}

/* check_one - run one golden file; 0 when it matches */
static int check_one(const char *dir, const char *name)
{
	gchar *in_path = g_strdup_printf("%s/%s.in", dir, name);
	gchar *out_path = g_strdup_printf("%s/%s.out", dir, name), *want = NULL, *overrides;
	GByteArray *in = load_input(in_path, &overrides);
	struct smtp_session_config cfg;
	GString *bytewise, *whole;
	int bad = 0;

	smtp_fake_config(&cfg, overrides);
	bytewise = smtp_fake_run(&cfg, in->data, in->len, 1);
	whole = smtp_fake_run(&cfg, in->data, in->len, 0);
	if (getenv("SMTP_GOLDEN_UPDATE") != NULL)
		g_file_set_contents(out_path, bytewise->str, (gssize)bytewise->len, NULL);
	if (!g_file_get_contents(out_path, &want, NULL, NULL)) {
		fprintf(stderr, "golden %s: no %s\n", name, out_path);
		bad = 1;
	} else if (strcmp(want, bytewise->str) != 0) {
		fprintf(stderr, "golden %s: byte-at-a-time transcript differs:\n%s", name,
			bytewise->str);
		bad = 1;
	} else if (strstr(want, "## starttls") == NULL && strcmp(want, whole->str) != 0) {
		fprintf(stderr, "golden %s: all-at-once transcript differs:\n%s", name, whole->str);
		bad = 1;
	}
	printf("%s golden %s\n", bad ? "not ok" : "ok", name);
	g_string_free(bytewise, TRUE);
	g_string_free(whole, TRUE);
	g_byte_array_free(in, TRUE);
	g_free(want);
	g_free(overrides);
	g_free(in_path);
	g_free(out_path);
	return bad;
}

int main(int argc, char **argv)
{
	DIR *d;
	struct dirent *de;
	int failed = 0, count = 0;

	if (argc != 2 || (d = opendir(argv[1])) == NULL) {
		fprintf(stderr, "usage: test-smtp-golden DIR\n");
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		gchar *name;

		if (n < 4 || strcmp(de->d_name + n - 3, ".in") != 0)
			continue;
		name = g_strndup(de->d_name, n - 3);
		failed += check_one(argv[1], name);
		count++;
		g_free(name);
	}
	closedir(d);
	printf("%d golden transcripts, %d failed\n", count, failed);
	return failed == 0 && count > 0 ? 0 : 1;
}
