/* mime_bodystructure.c - IMAP BODY and BODYSTRUCTURE (RFC 3501 7.4.2, RFC 9051 7.5.2).
 *
 *   body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
 *   body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
 * Extension data (ext) is MD5, disposition, language and location after the basic fields,
 * and the parameters, disposition, language and location of a multipart. */
#include <string.h>

#include "mime/mime_internal.h"

/* append_params - body-fld-param: ("name" "value" ...) or NIL; text/ parts get the
 * charset us-ascii default of RFC 2045 5.2 when they name none */
static void append_params(GString *out, GMimeParamList *params, bool default_charset)
{
	int n = params != NULL ? g_mime_param_list_length(params) : 0;

	if (n == 0 && !default_charset) {
		g_string_append(out, "NIL");
		return;
	}
	g_string_append_c(out, '(');
	if (default_charset)
		g_string_append(out, n > 0 ? "\"charset\" \"us-ascii\" " : "\"charset\" \"us-ascii\"");
	for (int i = 0; i < n; i++) {
		GMimeParam *p = g_mime_param_list_get_parameter_at(params, i);
		const char *name = g_mime_param_get_name(p), *value = g_mime_param_get_value(p);

		if (i > 0)
			g_string_append_c(out, ' ');
		mime_istr_string(out, name != NULL ? name : "", name != NULL ? strlen(name) : 0);
		g_string_append_c(out, ' ');
		mime_istr_string(out, value != NULL ? value : "", value != NULL ? strlen(value) : 0);
	}
	g_string_append_c(out, ')');
}

/* append_disposition - body-fld-dsp: ("attachment" (params)) or NIL */
static void append_disposition(GString *out, GMimeObject *obj)
{
	GMimeContentDisposition *d = obj != NULL ? g_mime_object_get_content_disposition(obj) : NULL;
	const char *kind = d != NULL ? g_mime_content_disposition_get_disposition(d) : NULL;

	if (kind == NULL || *kind == '\0') {
		g_string_append(out, "NIL");
		return;
	}
	g_string_append_c(out, '(');
	mime_istr_string(out, kind, strlen(kind));
	g_string_append_c(out, ' ');
	append_params(out, g_mime_content_disposition_get_parameters(d), false);
	g_string_append_c(out, ')');
}

/* append_language - body-fld-lang: ("en" "de") from Content-Language (RFC 3282), or NIL */
static void append_language(GString *out, GMimeObject *obj)
{
	char *v = mime_header_raw(obj, "Content-Language");
	char **tags;
	unsigned n = 0;

	if (v == NULL || *v == '\0') {
		g_free(v);
		g_string_append(out, "NIL");
		return;
	}
	tags = g_strsplit_set(v, ", \t", -1);
	g_string_append_c(out, '(');
	for (char **t = tags; *t != NULL; t++) {
		if (**t == '\0')
			continue;
		if (n++ > 0)
			g_string_append_c(out, ' ');
		mime_istr_string(out, *t, strlen(*t));
	}
	g_string_append_c(out, ')');
	g_strfreev(tags);
	g_free(v);
}

/* append_raw - a raw header of obj as nstring */
static void append_raw(GString *out, GMimeObject *obj, const char *name)
{
	char *v = mime_header_raw(obj, name);

	mime_istr_nstring(out, v);
	g_free(v);
}

/* append_ext_tail - SP body-fld-dsp SP body-fld-lang SP body-fld-loc */
static void append_ext_tail(GString *out, GMimeObject *obj)
{
	g_string_append_c(out, ' ');
	append_disposition(out, obj);
	g_string_append_c(out, ' ');
	append_language(out, obj);
	g_string_append_c(out, ' ');
	append_raw(out, obj, "Content-Location");
}

/* append_degraded - what cannot be described is plain US-ASCII text (RFC 2045 5.2) */
static void append_degraded(GString *out, const struct mime_node *node, bool ext)
{
	g_string_append_printf(out, "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
			       "\"7bit\" %zu %zu", node->body_end - node->body_start, node->lines);
	if (ext)
		g_string_append(out, " NIL NIL NIL NIL");
	g_string_append_c(out, ')');
}

/* append_fields - media type, subtype and body-fields of a single part */
static void append_fields(GString *out, const struct mime_node *node, const char *type,
			  const char *subtype, bool is_text)
{
	GMimeContentType *ct = g_mime_object_get_content_type(node->object);
	GMimeParamList *params = g_mime_content_type_get_parameters(ct);
	GMimeParam *charset = params != NULL ? g_mime_param_list_get_parameter(params, "charset") : NULL;
	char *enc = mime_header_raw(node->object, "Content-Transfer-Encoding");

	mime_istr_string(out, type, strlen(type));
	g_string_append_c(out, ' ');
	mime_istr_string(out, subtype, strlen(subtype));
	g_string_append_c(out, ' ');
	append_params(out, params, is_text && charset == NULL);
	g_string_append_c(out, ' ');
	append_raw(out, node->object, "Content-ID");
	g_string_append_c(out, ' ');
	append_raw(out, node->object, "Content-Description");
	g_string_append_c(out, ' ');
	if (enc == NULL || *enc == '\0')
		g_string_append(out, "\"7bit\"");
	else
		mime_istr_string(out, enc, strlen(enc));
	g_string_append_printf(out, " %zu", node->body_end - node->body_start);
	g_free(enc);
}

/* append_single - body-type-1part */
static void append_single(GString *out, const struct mime_node *node, bool ext)
{
	GMimeContentType *ct = g_mime_object_get_content_type(node->object);
	const char *type = ct != NULL ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *subtype = ct != NULL ? g_mime_content_type_get_media_subtype(ct) : NULL;
	bool is_text;

	if (type == NULL || subtype == NULL) {
		append_degraded(out, node, ext);
		return;
	}
	is_text = g_ascii_strcasecmp(type, "text") == 0;
	g_string_append_c(out, '(');
	append_fields(out, node, type, subtype, is_text);
	if (node->kind == MIME_NODE_MESSAGE) {
		/* body-type-msg: envelope, body and lines of the encapsulated message */
		g_string_append_c(out, ' ');
		mime_envelope_append(out, node->children[0].message);
		g_string_append_c(out, ' ');
		mime_bodystructure_append(out, &node->children[0], ext);
	}
	if (is_text || node->kind == MIME_NODE_MESSAGE)
		g_string_append_printf(out, " %zu", node->lines);
	if (ext) {
		g_string_append_c(out, ' ');
		append_raw(out, node->object, "Content-MD5");
		append_ext_tail(out, node->object);
	}
	g_string_append_c(out, ')');
}

/* append_multipart - body-type-mpart */
static void append_multipart(GString *out, const struct mime_node *node, bool ext)
{
	GMimeContentType *ct = g_mime_object_get_content_type(node->object);
	const char *subtype = g_mime_content_type_get_media_subtype(ct);

	g_string_append_c(out, '(');
	for (unsigned i = 0; i < node->nchildren; i++)
		mime_bodystructure_append(out, &node->children[i], ext);
	g_string_append_c(out, ' ');
	mime_istr_string(out, subtype != NULL ? subtype : "mixed",
			 subtype != NULL ? strlen(subtype) : 5);
	if (ext) {
		g_string_append_c(out, ' ');
		append_params(out, g_mime_content_type_get_parameters(ct), false);
		append_ext_tail(out, node->object);
	}
	g_string_append_c(out, ')');
}

/* mime_bodystructure_append - append BODY (ext false) or BODYSTRUCTURE (ext true) of node */
void mime_bodystructure_append(GString *out, const struct mime_node *node, bool ext)
{
	if (node->degraded || node->object == NULL)
		append_degraded(out, node, ext);
	else if (node->kind == MIME_NODE_MULTIPART)
		append_multipart(out, node, ext);
	else
		append_single(out, node, ext);
}
