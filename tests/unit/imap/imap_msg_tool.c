/* imap_msg_tool.c - one lib/store imap_msg_* call per run, for
 * tests/integration/test_imap_fetch_store.py (MERPATI_DB).
 *
 *   imap-msg-tool append MAILBOX FLAGS DATE [KEYWORD...]  (message on stdin) -> UIDVALIDITY UID MODSEQ
 *   imap-msg-tool rows MAILBOX UID,UID.. CHANGEDSINCE
 *       -> "UID MODSEQ FLAGS SIZE DATE KEYWORDS|-" and the sections JSON, one line each
 *   imap-msg-tool section MAILBOX UID PART ALL|HEADER|TEXT|MIME [ORIGIN COUNT]
 *       -> the bytes of the section on stdout
 *   imap-msg-tool fields MAILBOX UID PART NOT|IN NAME...  -> HEADER.FIELDS bytes on stdout
 *   imap-msg-tool copy|move SRC DST UID,UID..  -> "UIDVALIDITY SRC_UIDS DST_UIDS"
 *   imap-msg-tool vanished MAILBOX SINCE LO:HI,LO:HI..  -> the sequence set ("" for none)
 *
 * On failure prints "error: SQLSTATE message" on stderr and exits 1. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/db.h"
#include "store/imap_msg_append.h"
#include "store/imap_msg_copy.h"
#include "store/imap_msg_fetch.h"
#include "store/imap_msg_header.h"
#include "store/imap_msg_section.h"
#include "store/imap_msg_vanished.h"

struct tool_find {
	struct imap_msg_row row;
	char *sections;
	int found;
};

/* tool_uids - "1,2,3" into an array; *n_r its length */
static uint32_t *tool_uids(const char *s, size_t *n_r)
{
	uint32_t *uids = calloc(strlen(s) + 1, sizeof(uint32_t));
	char *copy = strdup(s), *tok, *save = NULL;

	if (uids == NULL || copy == NULL)
		abort();
	*n_r = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		uids[(*n_r)++] = (uint32_t)strtoul(tok, NULL, 10);
	free(copy);
	return uids;
}

static int tool_print_row(const struct imap_msg_row *r, void *arg)
{
	(void)arg;
	printf("%" PRIu32 " %" PRIu64 " %u %" PRId64 " %" PRId64 " ", r->uid, r->modseq, r->flags,
	       r->size, r->internal_date);
	for (size_t i = 0; i < r->nkeywords; i++)
		printf(i ? ",%s" : "%s", r->keywords[i]);
	printf("%s\n%s\n", r->nkeywords ? "" : "-", r->sections ? r->sections : "NULL");
	return 0;
}

static int tool_keep_row(const struct imap_msg_row *r, void *arg)
{
	struct tool_find *f = arg;

	f->row = *r;
	f->found = 1;
	return 1;
}

static int tool_write(const void *data, size_t len, void *arg)
{
	(void)arg;
	return fwrite(data, 1, len, stdout) == len ? 0 : 1;
}

/* tool_find - the row of one UID with its sections (computed when missing) */
static int tool_find(PGconn *conn, const char *mailbox, const char *uid, struct tool_find *f,
		     const char **error_r)
{
	uint32_t u = (uint32_t)strtoul(uid, NULL, 10);

	memset(f, 0, sizeof(*f));
	if (imap_msg_fetch_rows(conn, atoll(mailbox), &u, 1, 0, 0, tool_keep_row, f, error_r) < 0)
		return -1;
	if (!f->found)
		return db_fail("02000", error_r, "no such message");
	return imap_msg_fetch_sections(conn, f->row.sha256, &f->sections, error_r);
}

/* tool_text - ALL, HEADER, TEXT or MIME */
static enum imap_msg_section_text tool_text(const char *s)
{
	if (strcasecmp(s, "HEADER") == 0)
		return IMAP_MSG_SECTION_HEADER;
	if (strcasecmp(s, "TEXT") == 0)
		return IMAP_MSG_SECTION_TEXT;
	return strcasecmp(s, "MIME") == 0 ? IMAP_MSG_SECTION_MIME : IMAP_MSG_SECTION_ALL;
}

static int cmd_append(PGconn *conn, int argc, char **argv, const char **error_r)
{
	static char buf[STORE_MESSAGE_MAX + 1];
	struct imap_msg_append a = { .mailbox_id = atoll(argv[0]),
				     .flags = (unsigned)atoi(argv[1]),
				     .internal_date = atoll(argv[2]),
				     .keywords = (const char *const *)argv + 3,
				     .nkeywords = (size_t)argc - 3, .data = buf };
	uint32_t uv, uid;
	uint64_t modseq;

	a.len = fread(buf, 1, sizeof(buf), stdin);
	if (imap_msg_append_one(conn, &a, &uv, &uid, &modseq, error_r) < 0)
		return -1;
	printf("%" PRIu32 " %" PRIu32 " %" PRIu64 "\n", uv, uid, modseq);
	return 0;
}

static int cmd_rows(PGconn *conn, int argc, char **argv, const char **error_r)
{
	size_t n;
	uint32_t *uids = tool_uids(argv[1], &n);
	int ret = imap_msg_fetch_rows(conn, atoll(argv[0]), uids, n, strtoull(argv[2], NULL, 10),
				      IMAP_MSG_WANT_SECTIONS, tool_print_row, NULL, error_r);

	(void)argc;
	free(uids);
	return ret < 0 ? -1 : 0;
}

static int cmd_section(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct tool_find f;
	struct imap_msg_range r;
	int found;

	if (tool_find(conn, argv[0], argv[1], &f, error_r) < 0)
		return -1;
	found = imap_msg_section_range(f.sections, f.row.trace_len, argv[2], tool_text(argv[3]), &r);
	free(f.sections);
	if (found <= 0)
		return found < 0 ? db_fail("22023", error_r, "bad section") : 0;
	if (argc >= 6)
		imap_msg_section_partial(&r, strtoull(argv[4], NULL, 10), strtoull(argv[5], NULL, 10));
	return imap_msg_fetch_read(conn, &f.row, r, tool_write, NULL, error_r) < 0 ? -1 : 0;
}

struct tool_buf {
	char *data;
	size_t len;
};

static int tool_gather(const void *data, size_t len, void *arg)
{
	struct tool_buf *b = arg;

	if (b->len + len > IMAP_MSG_HEADER_MAX)
		return 1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

static int cmd_fields(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct tool_find f;
	struct imap_msg_range r;
	struct tool_buf b = { malloc(IMAP_MSG_HEADER_MAX + 4), 0 };
	char *out = malloc(IMAP_MSG_HEADER_MAX + 4);
	int ret = -1;

	if (b.data == NULL || out == NULL)
		abort();
	if (tool_find(conn, argv[0], argv[1], &f, error_r) == 0 &&
	    imap_msg_section_range(f.sections, f.row.trace_len, argv[2], IMAP_MSG_SECTION_HEADER,
				   &r) == 1 &&
	    imap_msg_fetch_read(conn, &f.row, r, tool_gather, &b, error_r) >= 0) {
		size_t n = imap_msg_header_filter(b.data, b.len, (const char *const *)argv + 4,
						  (size_t)argc - 4, strcmp(argv[3], "NOT") == 0, out);
		fwrite(out, 1, n, stdout);
		ret = 0;
	}
	free(f.sections);
	free(b.data);
	free(out);
	return ret;
}

/* tool_copy_tx - the copy or move in its transaction */
struct tool_copy {
	char **argv;
	bool move;
	struct imap_msg_copy_result res;
};

static int tool_copy_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct tool_copy *c = arg;
	size_t n;
	uint32_t *uids = tool_uids(c->argv[2], &n);
	int ret;

	imap_msg_copy_result_clear(&c->res);
	ret = imap_msg_copy(conn, atoll(c->argv[0]), atoll(c->argv[1]), uids, n, c->move, &c->res,
			    error_r);
	free(uids);
	return ret;
}

static int cmd_copy(PGconn *conn, char **argv, bool move, const char **error_r)
{
	struct tool_copy c = { .argv = argv, .move = move };

	if (db_tx(conn, tool_copy_tx, &c, error_r) < 0)
		return -1;
	printf("%" PRIu32 " ", c.res.uidvalidity);
	for (size_t i = 0; i < c.res.count; i++)
		printf(i ? ",%" PRIu32 : "%" PRIu32, c.res.src_uids[i]);
	printf(c.res.count ? " " : "- ");
	for (size_t i = 0; i < c.res.count; i++)
		printf(i ? ",%" PRIu32 : "%" PRIu32, c.res.dst_uids[i]);
	printf(c.res.count ? "\n" : "-\n");
	imap_msg_copy_result_clear(&c.res);
	return 0;
}

static int cmd_vanished(PGconn *conn, char **argv, const char **error_r)
{
	uint32_t lo[IMAP_MSG_VANISHED_RANGES_MAX], hi[IMAP_MSG_VANISHED_RANGES_MAX];
	char *copy = strdup(argv[2]), *tok, *save = NULL, *set;
	size_t n = 0;
	int ret;

	if (copy == NULL)
		abort();
	for (tok = strtok_r(copy, ",", &save); tok && n < IMAP_MSG_VANISHED_RANGES_MAX;
	     tok = strtok_r(NULL, ",", &save), n++) {
		char *colon = strchr(tok, ':');
		lo[n] = (uint32_t)strtoul(tok, NULL, 10);
		hi[n] = colon ? (uint32_t)strtoul(colon + 1, NULL, 10) : lo[n];
	}
	free(copy);
	ret = imap_msg_vanished(conn, atoll(argv[0]), strtoull(argv[1], NULL, 10), lo, hi, n, &set,
				error_r);
	if (ret == 0)
		printf("%s\n", set);
	free(set);
	return ret;
}

/* tool_run - dispatch one command */
static int tool_run(PGconn *conn, int argc, char **argv, const char **error_r)
{
	const char *cmd = argv[0];

	argc--;
	argv++;
	if (strcmp(cmd, "append") == 0 && argc >= 3)
		return cmd_append(conn, argc, argv, error_r);
	if (strcmp(cmd, "rows") == 0 && argc == 3)
		return cmd_rows(conn, argc, argv, error_r);
	if (strcmp(cmd, "section") == 0 && argc >= 4)
		return cmd_section(conn, argc, argv, error_r);
	if (strcmp(cmd, "fields") == 0 && argc >= 4)
		return cmd_fields(conn, argc, argv, error_r);
	if ((strcmp(cmd, "copy") == 0 || strcmp(cmd, "move") == 0) && argc == 3)
		return cmd_copy(conn, argv, cmd[0] == 'm', error_r);
	if (strcmp(cmd, "vanished") == 0 && argc == 3)
		return cmd_vanished(conn, argv, error_r);
	return db_fail("22023", error_r, "usage: see imap_msg_tool.c");
}

int main(int argc, char **argv)
{
	const char *error = NULL, *dsn = getenv("MERPATI_DB");
	PGconn *conn;
	int ret;

	if (argc < 2 || dsn == NULL) {
		fprintf(stderr, "usage: MERPATI_DB=... imap-msg-tool COMMAND ARGS...\n");
		return 2;
	}
	if ((conn = db_connect(dsn, &error)) == NULL) {
		fprintf(stderr, "error: %s\n", error);
		return 1;
	}
	ret = tool_run(conn, argc - 1, argv + 1, &error);
	if (ret < 0)
		fprintf(stderr, "error: %s %s\n", db_sqlstate(), error ? error : "");
	fflush(stdout);
	db_close(&conn);
	return ret < 0 ? 1 : 0;
}
