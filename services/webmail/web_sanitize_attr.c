/* web_sanitize_attr - which attributes survive, and how URLs and inline CSS are checked.
 * Attribute names arrive lowercased by gumbo (HTML tokenizer, WHATWG 13.2.5.33). */
#include "services/webmail/web_sanitize_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define URL_MAX 4096   /* longer URLs are dropped */
#define STYLE_MAX 4096 /* longer style attributes are dropped */

/* Attributes kept as they are on any allowed element (their values are escaped). */
static const char *const plain_attrs[] = {
	"alt", "title", "width", "height", "align", "valign", "bgcolor", "color", "colspan",
	"rowspan", "border", "cellpadding", "cellspacing", "dir", "lang", "face", "size",
	"start", "type", "span", "summary", "nowrap", NULL,
};

/* CSS properties kept in style="" (exact names, or prefixes ending in '-' or '*'). */
static const char *const style_props[] = {
	"color", "background-color", "font", "font-*", "text-*", "margin", "margin-*",
	"padding", "padding-*", "border", "border-*", "width", "height", "max-width",
	"min-width", "line-height", "vertical-align", "display", "white-space", "letter-spacing",
	"word-spacing", "list-style-type", NULL,
};

/* Substrings that disqualify a CSS value: fetches (url, image-set, @import), old IE script
 * hooks (expression, behavior, -moz-binding) and escapes that could hide them. */
static const char *const style_bad[] = {
	"url", "image", "expression", "behavior", "binding", "javascript", "\\", "<", ">", "@",
	"/*", "*/", "&", "\"", "'", "{", "}", NULL,
};

/* in_list - s is one of the NULL-terminated words */
static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* url_clean - copy value without the ASCII tab/LF/CR browsers strip from URLs and without
 * leading/trailing C0 controls and spaces (WHATWG URL "basic URL parser"); -1 if too long */
static int url_clean(const char *value, char *out, size_t size)
{
	size_t n = 0, len = strlen(value);

	while (len > 0 && (unsigned char)value[len - 1] <= 0x20)
		len--;
	while (len > 0 && (unsigned char)*value <= 0x20) {
		value++;
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		if (value[i] == '\t' || value[i] == '\n' || value[i] == '\r')
			continue;
		if (n + 1 >= size)
			return -1;
		out[n++] = value[i];
	}
	out[n] = '\0';
	return 0;
}

/* url_scheme_is - the URL starts with scheme followed by ':' (case-insensitive) */
static bool url_scheme_is(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);

	return strncasecmp(url, scheme, n) == 0 && url[n] == ':';
}

/* put_attr - write ` name="escaped value"` */
static void put_attr(struct web_sanitize_buf *b, const char *name, const char *value)
{
	web_sanitize_puts(b, " ");
	web_sanitize_puts(b, name);
	web_sanitize_puts(b, "=\"");
	web_sanitize_escape(b, value, strlen(value));
	web_sanitize_puts(b, "\"");
}

/* attr_href - links: http, https and mailto only, opened outside the frame */
static void attr_href(struct web_sanitize_buf *b, const char *value)
{
	char url[URL_MAX];

	if (url_clean(value, url, sizeof(url)) < 0)
		return;
	if (!url_scheme_is(url, "http") && !url_scheme_is(url, "https") &&
	    !url_scheme_is(url, "mailto"))
		return;
	put_attr(b, "href", url);
	put_attr(b, "target", "_blank");
	put_attr(b, "rel", "noopener noreferrer");
}

/* put_cid - the URL of an inline part: prefix + percent-encoded Content-ID (RFC 2392 2) */
static void put_cid(struct web_sanitize_buf *b, const char *prefix, const char *cid)
{
	static const char hex[] = "0123456789ABCDEF";

	web_sanitize_puts(b, " src=\"");
	web_sanitize_escape(b, prefix, strlen(prefix));
	for (const unsigned char *p = (const unsigned char *)cid; *p != '\0'; p++) {
		char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};

		if (isalnum(*p) || *p == '.' || *p == '-' || *p == '_' || *p == '~')
			web_sanitize_put(b, (const char *)p, 1);
		else
			web_sanitize_put(b, enc, 3);
	}
	web_sanitize_puts(b, "\"");
}

/* attr_src - images: cid: from the message; remote ones only when the user asked */
static void attr_src(struct web_sanitize_buf *b, const char *value,
		     const struct web_sanitize_opts *opts, bool *remote_blocked_r)
{
	char url[URL_MAX];

	if (url_clean(value, url, sizeof(url)) < 0)
		return;
	if (url_scheme_is(url, "cid")) {
		if (opts->cid_prefix != NULL && url[4] != '\0' &&
		    strlen(opts->cid_prefix) <= WEB_SANITIZE_PREFIX_MAX)
			put_cid(b, opts->cid_prefix, url + 4);
		return;
	}
	if (!url_scheme_is(url, "http") && !url_scheme_is(url, "https"))
		return;
	if (opts->remote_images) {
		put_attr(b, "src", url);
		return;
	}
	*remote_blocked_r = true;
	put_attr(b, "data-blocked-src", "1");
}

/* style_prop_ok - the property name is in style_props */
static bool style_prop_ok(const char *prop)
{
	for (size_t i = 0; style_props[i] != NULL; i++) {
		size_t n = strlen(style_props[i]);

		if (style_props[i][n - 1] == '*') {
			if (strncmp(prop, style_props[i], n - 1) == 0)
				return true;
		} else if (strcmp(prop, style_props[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* style_value_ok - no fetch, script hook or escape anywhere in the value, printable ASCII */
static bool style_value_ok(const char *value)
{
	char low[STYLE_MAX];
	size_t n = 0;

	for (const char *p = value; *p != '\0' && n + 1 < sizeof(low); p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return false;
		low[n++] = (char)tolower((unsigned char)*p);
	}
	low[n] = '\0';
	for (size_t i = 0; style_bad[i] != NULL; i++)
		if (strstr(low, style_bad[i]) != NULL)
			return false;
	return true;
}

/* trim - strip spaces from both ends in place */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* attr_style - keep the declarations whose property and value pass (CSS 2.1 4.1.8) */
static void attr_style(struct web_sanitize_buf *b, const char *value)
{
	char copy[STYLE_MAX], kept[STYLE_MAX];
	char *save = NULL;
	size_t k = 0;

	if (strlen(value) >= sizeof(copy))
		return;
	strcpy(copy, value);
	kept[0] = '\0';
	for (char *decl = strtok_r(copy, ";", &save); decl != NULL;
	     decl = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(decl, ':'), *prop, *val;

		if (colon == NULL)
			continue;
		*colon = '\0';
		prop = trim(decl);
		val = trim(colon + 1);
		for (char *p = prop; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		if (*val == '\0' || !style_prop_ok(prop) || !style_value_ok(val))
			continue;
		k += (size_t)snprintf(kept + k, sizeof(kept) - k, "%s: %s; ", prop, val);
		if (k >= sizeof(kept))
			return;
	}
	if (k > 0)
		put_attr(b, "style", trim(kept));
}

void web_sanitize_attr(struct web_sanitize_buf *b, const char *tag, const char *name,
		       const char *value, const struct web_sanitize_opts *opts,
		       bool *remote_blocked_r)
{
	if (strcmp(name, "href") == 0) {
		if (strcmp(tag, "a") == 0)
			attr_href(b, value);
	} else if (strcmp(name, "src") == 0) {
		if (strcmp(tag, "img") == 0)
			attr_src(b, value, opts, remote_blocked_r);
	} else if (strcmp(name, "style") == 0) {
		attr_style(b, value);
	} else if (in_list(plain_attrs, name)) {
		put_attr(b, name, value);
	}
}
