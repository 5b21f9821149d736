/* web_static - the UI's files from MERPATI_WEBMAIL_STATIC, with types by extension. */
#include "services/webmail/web_http.h"
#include "services/webmail/web_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>

#define STATIC_FILE_MAX (8u << 20) /* larger files are not served */

static const struct { const char *ext, *type; } types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".json", "application/json"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
};

const char *web_static_type(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i].ext);

		if (len > n && strcmp(name + len - n, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* path_safe - a relative path of plain segments: no "..", no ".", no hidden files, no
 * backslash or control characters */
static bool path_safe(const char *p)
{
	if (*p == '\0' || strlen(p) > 512)
		return false;
	for (const char *s = p; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == '\\' || *s == 0x7f)
			return false;
		if ((s == p || s[-1] == '/') && (*s == '.' || *s == '/'))
			return false;
	}
	return true;
}

void web_static_serve(struct evhttp_request *req, const struct web_config *cfg,
		      const char *path)
{
	const char *rel = strcmp(path, "/") == 0 ? "index.html" : path + 1;
	const char *type = web_static_type(rel);
	char full[4096 + 600];
	struct evbuffer *buf;
	struct stat st;
	int fd;

	if (!path_safe(rel) || type == NULL) {
		web_http_error(req, 404, "not_found", "no such file");
		return;
	}
	snprintf(full, sizeof(full), "%s/%s", cfg->static_dir, rel);
	if ((fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		web_http_error(req, 404, "not_found", "no such file");
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_FILE_MAX) {
		close(fd);
		web_http_error(req, 404, "not_found", "no such file");
		return;
	}
	web_http_headers(req, NULL);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control",
			  strncmp(type, "text/html", 9) == 0 ? "no-cache" : "max-age=3600");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
	buf = evbuffer_new();
	if (buf == NULL || (st.st_size > 0 && evbuffer_add_file(buf, fd, 0, st.st_size) < 0)) {
		if (buf != NULL)
			evbuffer_free(buf);
		close(fd);
		web_http_error(req, 500, "internal", "file unreadable");
		return;
	}
	if (st.st_size == 0)
		close(fd);
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
}
