/* Unit tests of the webmail's HTML sanitizer: a hostile corpus (scripts, handlers,
 * javascript: and data: URLs, CSS expressions, forms, SVG, malformed HTML, deep nesting)
 * and the rewriting of cid: and remote images. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "services/webmail/web_sanitize.h"

static const struct web_sanitize_opts opts_default = {
	.remote_images = false, .cid_prefix = "/api/folders/3/messages/9/cid/"};

/* sanitize - run the sanitizer on s and return the malloc'd body part of the output */
static char *sanitize(const char *s, const struct web_sanitize_opts *o, bool *blocked_r)
{
	struct web_sanitize_result r;
	const char *error = NULL, *start, *end;
	char *body;

	assert_int_equal(web_sanitize_html(s, strlen(s), o, &r, &error), 0);
	start = strstr(r.html, "<body>");
	end = strstr(r.html, "</body>");
	assert_non_null(start);
	assert_non_null(end);
	start += 6;
	body = strndup(start, (size_t)(end - start));
	if (blocked_r != NULL)
		*blocked_r = r.remote_blocked;
	free(r.html);
	return body;
}

/* expect - the body of sanitize(in) is exactly out */
static void expect(const char *in, const char *out)
{
	char *got = sanitize(in, &opts_default, NULL);

	assert_string_equal(got, out);
	free(got);
}

static void test_scripts_dropped(void **state)
{
	expect("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>");
	expect("<SCRIPT SRC=http://x/x.js></SCRIPT>ok", "ok");
	expect("<style>body{display:none}</style>ok", "ok");
	expect("<iframe src=\"http://x\">in</iframe><object data=x></object><embed src=x>ok", "ok");
	/* parsed as with scripting off (as the sandboxed frame is): the content is markup */
	expect("<noscript><img src=x onerror=alert(1)></noscript>ok", "<img>ok");
}

static void test_handlers_dropped(void **state)
{
	expect("<p onclick=\"alert(1)\" ONMOUSEOVER=x>t</p>", "<p>t</p>");
	expect("<img src=x onerror=alert(1) alt=a>", "<img alt=\"a\">");
	expect("<body onload=alert(1)>t</body>", "t");
}

static void test_urls(void **state)
{
	expect("<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>");
	expect("<a href=\"java\tscript:alert(1)\">x</a>", "<a>x</a>");
	expect("<a href=\" \x01JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>");
	expect("<a href=\"data:text/html,<script>alert(1)</script>\">x</a>", "<a>x</a>");
	expect("<a href=\"vbscript:x\">x</a><a href=\"/api/logout\">y</a>", "<a>x</a><a>y</a>");
	expect("<a href=\"https://example.org/?a=1&amp;b=2\">x</a>",
	       "<a href=\"https://example.org/?a=1&amp;b=2\" target=\"_blank\" "
	       "rel=\"noopener noreferrer\">x</a>");
	expect("<a href=\"mailto:a@example.org\">m</a>",
	       "<a href=\"mailto:a@example.org\" target=\"_blank\" rel=\"noopener noreferrer\">m</a>");
	expect("<img src=\"data:image/png;base64,AAAA\">", "<img>");
}

static void test_images(void **state)
{
	struct web_sanitize_opts remote = opts_default;
	bool blocked = false;
	char *got;

	expect("<img src=\"cid:logo@x.org\">",
	       "<img src=\"/api/folders/3/messages/9/cid/logo%40x.org\">");
	expect("<img src='cid:a\\\"b<c'>",
	       "<img src=\"/api/folders/3/messages/9/cid/a%5C%22b%3Cc\">");
	got = sanitize("<img src=\"http://tracker.example/p.gif\" alt=t>", &opts_default, &blocked);
	assert_string_equal(got, "<img data-blocked-src=\"1\" alt=\"t\">");
	assert_true(blocked);
	free(got);
	remote.remote_images = true;
	got = sanitize("<img src=\"http://tracker.example/p.gif\">", &remote, &blocked);
	assert_string_equal(got, "<img src=\"http://tracker.example/p.gif\">");
	assert_false(blocked);
	free(got);
}

static void test_styles(void **state)
{
	expect("<div style=\"color: red; width: expression(alert(1))\">t</div>",
	       "<div style=\"color: red;\">t</div>");
	expect("<div style=\"background: url(http://x/a.png); BACKGROUND-COLOR:#fff\">t</div>",
	       "<div style=\"background-color: #fff;\">t</div>");
	expect("<div style=\"color: r\\65 d; position: fixed; font-size: 12px\">t</div>",
	       "<div style=\"font-size: 12px;\">t</div>");
	expect("<div style=\"behavior: url(x.htc); -moz-binding: url(x)\">t</div>", "<div>t</div>");
}

static void test_forms_svg_math(void **state)
{
	expect("<form action=x><input value=v><button>b</button><textarea>t</textarea></form>ok",
	       "ok");
	expect("<svg><script>alert(1)</script><a xlink:href=\"javascript:1\">x</a></svg>ok", "ok");
	expect("<math><mtext><img src=x onerror=alert(1)></mtext></math>ok", "ok");
}

static void test_unknown_unwrapped_and_escaped(void **state)
{
	expect("<article><custom-tag x=1>te&lt;xt</custom-tag></article>", "te&lt;xt");
	expect("<p title='a\"b'>\"q\" &amp; 'r'</p>",
	       "<p title=\"a&quot;b\">&quot;q&quot; &amp; &#39;r&#39;</p>");
	expect("<!-- <script>alert(1)</script> -->ok", "ok");
}

static void test_malformed(void **state)
{
	expect("<table><tr><td>a<td>b</table>",
	       "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>");
	expect("<p>unclosed <b>bold", "<p>unclosed <b>bold</b></p>");
	expect("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)");
	expect("<img src=\"x\" <script>alert(1)</script>", "<img>alert(1)");
}

/* nested - n nested <div>s around text: no crash, the output nests at most
 * WEB_SANITIZE_DEPTH_MAX levels, and the text is kept when it lies within
 * WEB_SANITIZE_TAGS_MAX tags */
static void nested(size_t n, bool text_kept)
{
	size_t len = n * 5 + 32;
	char *in = malloc(len), *got, *p = in;
	size_t opens = 0;

	assert_non_null(in);
	memcpy(p, "top", 3);
	p += 3;
	for (size_t i = 0; i < n; i++, p += 5)
		memcpy(p, "<div>", 5);
	strcpy(p, "deep<script>x");
	got = sanitize(in, &opts_default, NULL);
	assert_int_equal(strncmp(got, "top", 3), 0);
	assert_true((strstr(got, "deep") != NULL) == text_kept);
	assert_null(strstr(got, "<script"));
	for (const char *q = got; (q = strstr(q, "<div>")) != NULL; q++)
		opens++;
	assert_true(opens <= WEB_SANITIZE_DEPTH_MAX + 1);
	free(got);
	free(in);
}

/* test_deep_nesting - flattened below the depth limit; cut after the tag limit */
static void test_deep_nesting(void **state)
{
	nested(5000, true);
	nested(200000, false);
}

/* test_input_bounded - input beyond WEB_SANITIZE_INPUT_MAX is cut, never refused */
static void test_input_bounded(void **state)
{
	size_t len = WEB_SANITIZE_INPUT_MAX + 1000;
	char *in = malloc(len + 1);
	struct web_sanitize_result r;
	const char *error;

	assert_non_null(in);
	memset(in, 'a', len);
	in[len] = '\0';
	assert_int_equal(web_sanitize_html(in, len, &opts_default, &r, &error), 0);
	assert_true(r.len < WEB_SANITIZE_INPUT_MAX + 200);
	free(r.html);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scripts_dropped),
		cmocka_unit_test(test_handlers_dropped),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_styles),
		cmocka_unit_test(test_forms_svg_math),
		cmocka_unit_test(test_unknown_unwrapped_and_escaped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_input_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
