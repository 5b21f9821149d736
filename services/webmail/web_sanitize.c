/* web_sanitize - parse with gumbo, walk the tree, write back what the allowlist keeps. */
#include "services/webmail/web_sanitize.h"
#include "services/webmail/web_sanitize_internal.h"

#include <stdlib.h>
#include <string.h>

#include <gumbo.h>

/* Elements written out (with their allowed attributes). */
static const char *const keep_elems[] = {
	"a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col",
	"colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5",
	"h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span",
	"strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
	"tt", "u", "ul", NULL,
};

/* Elements dropped with everything inside them: active content, forms, embedded documents,
 * metadata, and raw-text containers whose text is not meant to be shown. */
static const char *const drop_elems[] = {
	"script", "style", "iframe", "object", "embed", "applet", "form", "input", "button",
	"textarea", "select", "option", "link", "meta", "base", "frame", "frameset", "noframes",
	"noscript", "template", "title", "head", "audio", "video", "canvas", "xmp", "plaintext",
	"noembed", "param", "source", "track", "dialog", "portal", "math", "svg", NULL,
};

/* Void elements (WHATWG 13.1.2): no end tag. */
static const char *const void_elems[] = {"br", "col", "hr", "img", NULL};

struct walk {
	struct web_sanitize_buf *b;
	const struct web_sanitize_opts *opts;
	bool remote_blocked;
};

/* in_list - s is one of the NULL-terminated words */
static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

void web_sanitize_put(struct web_sanitize_buf *b, const char *s, size_t n)
{
	if (b->full || n == 0)
		return;
	if (n > WEB_SANITIZE_OUTPUT_MAX - b->len) {
		b->full = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 4096 : b->cap;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			abort();
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void web_sanitize_puts(struct web_sanitize_buf *b, const char *s)
{
	web_sanitize_put(b, s, strlen(s));
}

void web_sanitize_escape(struct web_sanitize_buf *b, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		const char *ref = NULL;

		switch (s[i]) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\'': ref = "&#39;"; break;
		case '\0': ref = "\xef\xbf\xbd"; break; /* U+FFFD */
		default: continue;
		}
		web_sanitize_put(b, s + run, i - run);
		web_sanitize_puts(b, ref);
		run = i + 1;
	}
	web_sanitize_put(b, s + run, n - run);
}

static void walk_children(struct walk *w, const GumboVector *children, unsigned depth);

/* node_dropped - an element dropped with its content (drop_elems, foreign content) */
static bool node_dropped(const GumboNode *n)
{
	const GumboElement *e = &n->v.element;

	if (e->tag_namespace != GUMBO_NAMESPACE_HTML)
		return true;
	return e->tag != GUMBO_TAG_UNKNOWN && in_list(drop_elems, gumbo_normalized_tagname(e->tag));
}

/* walk_flat - below WEB_SANITIZE_DEPTH_MAX only the text is written, by an iterative walk
 * with its own stack, so hostile nesting cannot exhaust the C stack */
static void walk_flat(struct walk *w, const GumboVector *top)
{
	struct frame { const GumboVector *v; unsigned i; } *stack;
	size_t n = 0, cap = 64;

	if ((stack = malloc(cap * sizeof(*stack))) == NULL)
		abort();
	stack[n++] = (struct frame){top, 0};
	while (n > 0 && !w->b->full) {
		struct frame *f = &stack[n - 1];
		const GumboNode *c;

		if (f->i >= f->v->length) {
			n--;
			continue;
		}
		c = f->v->data[f->i++];
		if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE) {
			web_sanitize_escape(w->b, c->v.text.text, strlen(c->v.text.text));
		} else if (c->type == GUMBO_NODE_ELEMENT && !node_dropped(c)) {
			if (n == cap && (stack = realloc(stack, (cap *= 2) * sizeof(*stack))) == NULL)
				abort();
			stack[n++] = (struct frame){&c->v.element.children, 0};
		}
	}
	free(stack);
}

/* elem_name - the lowercase tag name of an HTML element, NULL for foreign ones (SVG,
 * MathML) and unknown tags (which the caller unwraps) */
static const char *elem_name(const GumboElement *e)
{
	if (e->tag_namespace != GUMBO_NAMESPACE_HTML)
		return "svg"; /* foreign content: dropped as a whole */
	if (e->tag == GUMBO_TAG_UNKNOWN)
		return NULL;
	return gumbo_normalized_tagname(e->tag);
}

/* walk_element - write an allowed element with its kept attributes and children; unwrap
 * other harmless ones; skip dangerous ones entirely */
static void walk_element(struct walk *w, const GumboElement *e, unsigned depth)
{
	const char *name = elem_name(e);

	if (name != NULL && in_list(drop_elems, name))
		return;
	if (depth > WEB_SANITIZE_DEPTH_MAX) {
		walk_flat(w, &e->children);
		return;
	}
	if (name == NULL || !in_list(keep_elems, name)) {
		walk_children(w, &e->children, depth + 1);
		return;
	}
	web_sanitize_puts(w->b, "<");
	web_sanitize_puts(w->b, name);
	for (unsigned i = 0; i < e->attributes.length; i++) {
		const GumboAttribute *a = e->attributes.data[i];

		if (a->attr_namespace == GUMBO_ATTR_NAMESPACE_NONE)
			web_sanitize_attr(w->b, name, a->name, a->value, w->opts,
					  &w->remote_blocked);
	}
	web_sanitize_puts(w->b, ">");
	if (in_list(void_elems, name))
		return;
	walk_children(w, &e->children, depth + 1);
	web_sanitize_puts(w->b, "</");
	web_sanitize_puts(w->b, name);
	web_sanitize_puts(w->b, ">");
}

/* walk_node - one node: elements by the rules, text escaped, comments and CDATA dropped */
static void walk_node(struct walk *w, const GumboNode *n, unsigned depth)
{
	switch (n->type) {
	case GUMBO_NODE_ELEMENT:
		walk_element(w, &n->v.element, depth);
		break;
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_WHITESPACE:
		web_sanitize_escape(w->b, n->v.text.text, strlen(n->v.text.text));
		break;
	default: /* document, comment, CDATA, template */
		break;
	}
}

/* walk_children - each child in order (recursion depth is at most WEB_SANITIZE_DEPTH_MAX) */
static void walk_children(struct walk *w, const GumboVector *children, unsigned depth)
{
	for (unsigned i = 0; i < children->length && !w->b->full; i++)
		walk_node(w, children->data[i], depth);
}

/* body_of - the <body> element of gumbo's document (always present after parsing) */
static const GumboNode *body_of(const GumboOutput *out)
{
	const GumboVector *kids = &out->root->v.element.children;

	for (unsigned i = 0; i < kids->length; i++) {
		const GumboNode *n = kids->data[i];

		if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_BODY)
			return n;
	}
	return NULL;
}

/* tags_cut - the length of the input up to its WEB_SANITIZE_TAGS_MAX-th start tag ('<'
 * before a letter): gumbo's time grows with the square of the nesting depth, and depth is
 * bounded by the number of tags */
static size_t tags_cut(const char *html, size_t len)
{
	size_t tags = 0;

	for (size_t i = 0; i + 1 < len; i++) {
		unsigned char c = (unsigned char)html[i + 1];

		if (html[i] == '<' && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
		    ++tags > WEB_SANITIZE_TAGS_MAX)
			return i;
	}
	return len;
}

int web_sanitize_html(const char *html, size_t len, const struct web_sanitize_opts *opts,
		      struct web_sanitize_result *out, const char **error_r)
{
	struct web_sanitize_buf b = {0};
	struct walk w = {.b = &b, .opts = opts};
	GumboOptions gopts = kGumboDefaultOptions;
	GumboOutput *g;
	const GumboNode *body;

	if (len > WEB_SANITIZE_INPUT_MAX)
		len = WEB_SANITIZE_INPUT_MAX;
	len = tags_cut(html, len);
	/* Parse errors are not kept: gumbo copies the open-element stack into each one, which
	 * costs memory quadratic in the nesting depth of hostile input. */
	gopts.max_errors = 0;
	if ((g = gumbo_parse_with_options(&gopts, html, len)) == NULL) {
		*error_r = "HTML parser failed";
		return -1;
	}
	web_sanitize_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>");
	if ((body = body_of(g)) != NULL)
		walk_children(&w, &body->v.element.children, 0);
	web_sanitize_puts(&b, "</body></html>\n");
	gumbo_destroy_output(&gopts, g);
	if (b.full) {
		free(b.p);
		*error_r = "sanitized HTML too large";
		return -1;
	}
	out->html = b.p;
	out->len = b.len;
	out->remote_blocked = w.remote_blocked;
	return 0;
}
