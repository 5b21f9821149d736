/* web_sanitize - reduce a mail's HTML to an allowlist, for a sandboxed iframe
 * (docs/WEBMAIL-API.md, "HTML mail").
 *
 * The input is parsed by gumbo exactly as a browser would (HTML5 tree construction), and
 * the tree is written back keeping only allowed elements and attributes:
 *   - script, style, iframe, object, form, svg, math ... are dropped with their content;
 *     other elements that are not allowed are replaced by their children;
 *   - every on* handler and every attribute not in the list is dropped; `style` keeps only
 *     allowed properties with harmless values;
 *   - href keeps http:, https: and mailto: only (after removing the tab and newline
 *     characters browsers ignore in URLs); img src keeps cid: (rewritten to cid_prefix +
 *     the percent-encoded Content-ID) and http(s): only when remote images are allowed.
 * Input is cut after WEB_SANITIZE_INPUT_MAX bytes or WEB_SANITIZE_TAGS_MAX start tags, which
 * bounds the parser's time (quadratic in nesting depth) on hostile mail.
 * The output is a whole UTF-8 document. Pure: no I/O, no globals. */
#ifndef MERPATI_WEBMAIL_WEB_SANITIZE_H
#define MERPATI_WEBMAIL_WEB_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_SANITIZE_INPUT_MAX (2u * 1024 * 1024)   /* bytes of HTML parsed; more is cut */
#define WEB_SANITIZE_TAGS_MAX 20000                 /* start tags parsed; the rest is cut */
#define WEB_SANITIZE_OUTPUT_MAX (16u * 1024 * 1024) /* bytes written at most */
#define WEB_SANITIZE_DEPTH_MAX 128                  /* deeper elements are flattened */
#define WEB_SANITIZE_PREFIX_MAX 256                 /* bytes of cid_prefix */

struct web_sanitize_opts {
	bool remote_images;     /* keep http(s) images (the user asked for them) */
	const char *cid_prefix; /* e.g. "/api/folders/12/messages/7/cid/"; NULL drops cid: */
};

struct web_sanitize_result {
	char *html;          /* malloc'd, NUL-terminated; the caller frees */
	size_t len;
	bool remote_blocked; /* a remote image was removed */
};

/* web_sanitize_html - sanitize len bytes of html; 0 with *out filled, -1 with *error_r when
 * the output would exceed WEB_SANITIZE_OUTPUT_MAX or gumbo fails */
int web_sanitize_html(const char *html, size_t len, const struct web_sanitize_opts *opts,
		      struct web_sanitize_result *out, const char **error_r);

#endif
