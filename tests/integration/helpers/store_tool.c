/* store_tool.c - one lib/store or lib/queue call per run, for the integration tests.
 *
 *   store-tool COMMAND ARGS...    (MERPATI_DB; ARGON2 cost from the environment)
 *
 * Prints results one per line; on failure prints "error: <message>" on stderr and exits 1.
 * Commands (stdin carries passwords and message bytes):
 *   create-account ADDR QUOTA      (password on stdin)     -> id
 *   login ADDR                     (password on stdin)     -> ok ID | denied
 *   may-send-as ACCOUNT_ID FROM                            -> yes | no
 *   lookup ADDR                                            -> local | unknown | foreign
 *   expand ADDR                    -> "local ID ADDRESS TAG" | "remote ADDRESS", one each
 *   put                            (message on stdin)      -> SHA INSERTED
 *   read SHA OFFSET LENGTH         -> the bytes on stdout
 *   meta SHA SUBJECT SENT_DATE     (body text on stdin)    -> INSERTED HAS_META
 *   append MAILBOX SHA SIZE FLAGS [KEYWORD...]             -> UID MODSEQ
 *   flags MAILBOX set|add|remove FLAGS UID,UID.. UNCHANGEDSINCE [KEYWORD...] -> CHANGED MODSEQ
 *   expunge MAILBOX [UID,UID..]                            -> REMOVED MODSEQ UIDS
 *   in-insert KEY SENDER RCPT...   (message on stdin)      -> JOB_ID SHA
 *   in-lease OWNER SECONDS MAX     -> "job ID ATTEMPTS SENDER RCPT,RCPT", one each
 *   in-finish ID OWNER | in-defer ID OWNER DELAY ERROR     -> ROWS
 *   out-insert SENDER RCPT SHA KEY                         -> 1 | 0
 *   out-lease OWNER SECONDS MAX    -> "job ID ATTEMPTS DOMAIN RECIPIENT", one each
 *   out-defer ID OWNER DELAY REPLY WARNED | out-finish ID OWNER -> ROWS
 *   queue-list in|out              -> "ID SENDER RECIPIENT NRCPTS ATTEMPTS LEASED LAST_ERROR"
 *   mailboxes ACCOUNT              -> "NAME SPECIAL_USE|- SUBSCRIBED UIDVALIDITY MESSAGES", one each
 *   create-mailbox ACCOUNT NAME    -> ID
 *   subscribe ACCOUNT NAME 0|1 | rename ACCOUNT FROM TO | delete ACCOUNT NAME -> 1 | 0
 *   read-known SHA SIZE OFFSET LENGTH -> the bytes on stdout (the size as a mailbox row has it)
 *   prepared-tx                    -> what statements prepared inside transactions return
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "queue/queue.h"
#include "store/account.h"
#include "store/db.h"
#include "store/db_prepared.h"
#include "store/mailbox.h"
#include "store/message.h"
#include "store/recipient.h"

#define TOOL_INPUT_MAX (STORE_MESSAGE_MAX + 1)

struct tool_cmd {
	const char *name;
	int min_args;
	int (*run)(PGconn *conn, int argc, char **argv, const char **error_r);
};

/* tool_stdin - all of stdin (bounded); *len_r its length */
static char *tool_stdin(size_t *len_r)
{
	char *buf = malloc(TOOL_INPUT_MAX);
	size_t n = 0, got;

	if (buf == NULL)
		abort();
	while (n < TOOL_INPUT_MAX - 1 && (got = fread(buf + n, 1, TOOL_INPUT_MAX - 1 - n, stdin)) > 0)
		n += got;
	buf[n] = '\0';
	*len_r = n;
	return buf;
}

/* tool_password - stdin without its final newline */
static char *tool_password(size_t *len_r)
{
	char *pw = tool_stdin(len_r);

	while (*len_r > 0 && (pw[*len_r - 1] == '\n' || pw[*len_r - 1] == '\r'))
		pw[--*len_r] = '\0';
	return pw;
}

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

static int cmd_create_account(PGconn *conn, int argc, char **argv, const char **error_r)
{
	char hash[AUTH_HASH_SIZE];
	size_t len;
	char *pw = tool_password(&len);
	int64_t id;
	int ret = auth_hash(pw, len, hash, error_r);

	free(pw);
	if (ret == 0)
		ret = store_account_create(conn, argv[0], hash, atoll(argv[1]), &id, error_r);
	if (ret == 0)
		printf("%lld\n", (long long)id);
	return ret;
}

static int cmd_login(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct store_account a;
	size_t len;
	char *pw = tool_password(&len);
	int ret = store_account_login(conn, argv[0], pw, len, &a, error_r);

	free(pw);
	if (ret == 1)
		printf("ok %lld\n", (long long)a.id);
	else if (ret == 0)
		printf("denied\n");
	return ret < 0 ? -1 : 0;
}

static int cmd_may_send_as(PGconn *conn, int argc, char **argv, const char **error_r)
{
	int ret = store_account_may_send_as(conn, atoll(argv[0]), argv[1], error_r);

	if (ret >= 0)
		printf("%s\n", ret ? "yes" : "no");
	return ret < 0 ? -1 : 0;
}

static int cmd_lookup(PGconn *conn, int argc, char **argv, const char **error_r)
{
	static const char *const names[] = { "local", "unknown", "foreign" };
	enum store_recipient_kind kind;

	if (store_recipient_lookup(conn, argv[0], &kind, error_r) < 0)
		return -1;
	printf("%s\n", names[kind]);
	return 0;
}

static int cmd_expand(PGconn *conn, int argc, char **argv, const char **error_r)
{
	static struct store_recipient_list list;
	size_t i;

	if (store_recipient_expand(conn, argv[0], &list, error_r) < 0)
		return -1;
	for (i = 0; i < list.count; i++) {
		if (list.targets[i].account_id > 0)
			printf("local %lld %s %s\n", (long long)list.targets[i].account_id,
			       list.targets[i].address, list.targets[i].tag);
		else
			printf("remote %s\n", list.targets[i].address);
	}
	return 0;
}

static int cmd_put(PGconn *conn, int argc, char **argv, const char **error_r)
{
	char sha[STORE_SHA256_HEX_SIZE];
	size_t len;
	char *msg = tool_stdin(&len);
	int inserted, ret = store_message_insert(conn, msg, len, sha, &inserted, error_r);

	free(msg);
	if (ret == 0)
		printf("%s %d\n", sha, inserted);
	return ret;
}

/* tool_write - chunk callback: bytes to stdout */
static int tool_write(const void *data, size_t len, void *arg)
{
	return fwrite(data, 1, len, stdout) == len ? 0 : 1;
}

static int cmd_read(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return store_message_read(conn, argv[0], atoll(argv[1]), atoll(argv[2]), tool_write, NULL,
				  error_r) < 0 ? -1 : 0;
}

static int cmd_read_known(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return store_message_read_known(conn, argv[0], atoll(argv[1]), atoll(argv[2]),
					atoll(argv[3]), tool_write, NULL, error_r) < 0 ? -1 : 0;
}

static const struct db_stmt tool_add_stmt = { "tool_add", "SELECT $1::int + 1", 1 };
/* prepared with SQL PREPARE before its first db_query_prepared: the protocol-level prepare
 * then fails with 42P05 inside the transaction */
static const struct db_stmt tool_taken_stmt = { "tool_taken", "SELECT 'taken'", 0 };

/* tool_print_prepared - print the first value of st's result */
static int tool_print_prepared(PGconn *conn, const struct db_stmt *st, const char *param,
			       const char **error_r)
{
	const char *params[1] = { param };
	PGresult *res = db_query_prepared(conn, st, params, error_r);

	if (res == NULL)
		return -1;
	printf("%s\n", db_get_str(res, 0, 0));
	PQclear(res);
	return 0;
}

/* tool_prepared_body - first use of both statements inside a transaction, which must stay
 * usable; then roll back on purpose */
static int tool_prepared_body(PGconn *conn, void *arg, const char **error_r)
{
	(void)arg;
	if (tool_print_prepared(conn, &tool_add_stmt, "41", error_r) < 0 ||
	    tool_print_prepared(conn, &tool_taken_stmt, NULL, error_r) < 0 ||
	    tool_print_prepared(conn, &tool_add_stmt, "1", error_r) < 0)
		return -1;
	printf("%s\n", PQtransactionStatus(conn) == PQTRANS_INTRANS ? "in-transaction" : "broken");
	return db_fail("P0001", error_r, "rolled back on purpose");
}

static int cmd_prepared_tx(PGconn *conn, int argc, char **argv, const char **error_r)
{
	const char *error = NULL;
	PGresult *res;

	if (db_exec(conn, "PREPARE tool_taken AS SELECT 'taken'", 0, NULL, error_r) < 0)
		return -1;
	if (db_tx(conn, tool_prepared_body, NULL, &error) != -1)
		return db_fail("XX000", error_r, "the transaction was not rolled back");
	printf("%s\n", error);
	/* prepared statements outlive the rollback: these run prepared */
	res = db_query(conn, "SELECT count(*) FROM pg_prepared_statements "
			     "WHERE name IN ('tool_add', 'tool_taken')", 0, NULL, error_r);
	if (res == NULL)
		return -1;
	printf("%s\n", db_get_str(res, 0, 0));
	PQclear(res);
	if (tool_print_prepared(conn, &tool_add_stmt, "9", error_r) < 0)
		return -1;
	return tool_print_prepared(conn, &tool_taken_stmt, NULL, error_r);
}

static int cmd_meta(PGconn *conn, int argc, char **argv, const char **error_r)
{
	size_t len;
	char *text = tool_stdin(&len);
	struct store_message_meta meta = { .subject = argv[1], .sent_date = argv[2],
		.envelope = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)", .headers = "Subject: x",
		.body_text = text };
	int ret = store_message_meta_insert(conn, argv[0], &meta, error_r);

	free(text);
	if (ret >= 0)
		printf("%d %d\n", ret, store_message_has_meta(conn, argv[0], error_r));
	return ret < 0 ? -1 : 0;
}

/* index MAX - store_message_index_pending: prints how many texts it indexed and how
 * many still wait */
static int cmd_index(PGconn *conn, int argc, char **argv, const char **error_r)
{
	int64_t waiting = -1;
	int n = store_message_index_pending(conn, atoi(argv[0]), &waiting, error_r);

	if (n >= 0)
		printf("%d %lld\n", n, (long long)waiting);
	return n < 0 ? -1 : 0;
}

struct tool_append {
	struct store_append a;
	uint32_t uid;
	uint64_t modseq;
};

/* append_tx - one append in its own transaction */
static int append_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct tool_append *t = arg;

	return store_mailbox_append(conn, &t->a, &t->uid, &t->modseq, error_r);
}

static int cmd_append(PGconn *conn, int argc, char **argv, const char **error_r)
{
	static const char trace[] = "Return-Path: <s@example.test>\r\n";
	struct tool_append t = { .a = { .mailbox_id = atoll(argv[0]), .sha256_hex = argv[1],
		.size = atoll(argv[2]), .flags = (unsigned)atoi(argv[3]),
		.keywords = (const char *const *)argv + 4, .nkeywords = (size_t)argc - 4,
		.trace = trace, .trace_len = sizeof(trace) - 1 } };

	if (db_tx(conn, append_tx, &t, error_r) < 0)
		return -1;
	printf("%u %llu\n", t.uid, (unsigned long long)t.modseq);
	return 0;
}

struct tool_flags {
	int64_t mailbox;
	enum store_flags_op op;
	unsigned flags;
	uint32_t *uids;
	size_t n;
	uint64_t since, modseq;
	char **kw;
	size_t nkw;
};

/* flags_tx - one STORE in its own transaction */
static int flags_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct tool_flags *f = arg;

	return store_mailbox_store_flags(conn, f->mailbox, f->uids, f->n, f->op, f->flags,
					 (const char *const *)f->kw, f->nkw, f->since, &f->modseq,
					 error_r);
}

static int cmd_flags(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct tool_flags f = { .mailbox = atoll(argv[0]), .flags = (unsigned)atoi(argv[2]),
		.since = strtoull(argv[4], NULL, 10), .kw = argv + 5, .nkw = (size_t)argc - 5 };
	int ret;

	f.op = strcmp(argv[1], "add") == 0 ? STORE_FLAGS_ADD :
	       strcmp(argv[1], "remove") == 0 ? STORE_FLAGS_REMOVE : STORE_FLAGS_SET;
	f.uids = tool_uids(argv[3], &f.n);
	ret = db_tx(conn, flags_tx, &f, error_r);
	free(f.uids);
	if (ret >= 0)
		printf("%d %llu\n", ret, (unsigned long long)f.modseq);
	return ret < 0 ? -1 : 0;
}

struct tool_expunge {
	int64_t mailbox;
	uint32_t *uids;
	size_t n;
	uint64_t modseq;
	char list[4096];
};

/* expunged_one - collect expunged UIDs as "1,2,3" */
static void expunged_one(uint32_t uid, void *arg)
{
	struct tool_expunge *e = arg;
	size_t len = strlen(e->list);

	snprintf(e->list + len, sizeof(e->list) - len, len ? ",%u" : "%u", uid);
}

/* expunge_tx - one EXPUNGE in its own transaction */
static int expunge_tx(PGconn *conn, void *arg, const char **error_r)
{
	struct tool_expunge *e = arg;

	e->list[0] = '\0';
	return store_mailbox_expunge(conn, e->mailbox, e->uids, e->n, expunged_one, e, &e->modseq,
				     error_r);
}

static int cmd_expunge(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct tool_expunge e = { .mailbox = atoll(argv[0]) };
	int ret;

	if (argc > 1)
		e.uids = tool_uids(argv[1], &e.n);
	ret = db_tx(conn, expunge_tx, &e, error_r);
	free(e.uids);
	if (ret >= 0)
		printf("%d %llu %s\n", ret, (unsigned long long)e.modseq, e.list[0] ? e.list : "-");
	return ret < 0 ? -1 : 0;
}

static int cmd_in_insert(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct queue_in_job job = { .listener = QUEUE_LISTENER_MX, .ret = QUEUE_RET_HDRS };
	size_t len, i;
	char *msg;
	int ret;

	snprintf(job.idempotency_key, sizeof(job.idempotency_key), "%s", argv[0]);
	snprintf(job.sender, sizeof(job.sender), "%s", argv[1]);
	snprintf(job.client_ip, sizeof(job.client_ip), "127.0.0.1");
	snprintf(job.helo, sizeof(job.helo), "client.example.test");
	job.nrcpts = (size_t)argc - 2;
	if ((job.rcpts = calloc(job.nrcpts, sizeof(*job.rcpts))) == NULL)
		abort();
	for (i = 0; i < job.nrcpts; i++) {
		snprintf(job.rcpts[i].address, sizeof(job.rcpts[i].address), "%s", argv[2 + i]);
		snprintf(job.rcpts[i].orcpt, sizeof(job.rcpts[i].orcpt), "rfc822;%s", argv[2 + i]);
		job.rcpts[i].notify = QUEUE_NOTIFY_FAILURE | QUEUE_NOTIFY_DELAY;
	}
	msg = tool_stdin(&len);
	ret = queue_in_insert(conn, &job, msg, len, error_r);
	free(msg);
	free(job.rcpts);
	if (ret == 0)
		printf("%lld %s\n", (long long)job.id, job.sha256);
	return ret;
}

static int cmd_in_lease(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct queue_in_job *jobs;
	int n = queue_in_lease(conn, argv[0], atoi(argv[1]), (size_t)atoi(argv[2]), &jobs, error_r);
	size_t i;

	for (int j = 0; j < n; j++) {
		printf("job %lld %d %s ", (long long)jobs[j].id, jobs[j].attempts,
		       jobs[j].sender[0] ? jobs[j].sender : "<>");
		for (i = 0; i < jobs[j].nrcpts; i++)
			printf(i ? ",%s" : "%s", jobs[j].rcpts[i].address);
		printf("\n");
	}
	if (n >= 0)
		queue_in_jobs_free(&jobs, (size_t)n);
	return n < 0 ? -1 : 0;
}

/* tool_rows - print a row count result */
static int tool_rows(int rows)
{
	if (rows >= 0)
		printf("%d\n", rows);
	return rows < 0 ? -1 : 0;
}

static int cmd_in_finish(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return tool_rows(queue_in_finish(conn, atoll(argv[0]), argv[1], error_r));
}

static int cmd_in_defer(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return tool_rows(queue_in_defer(conn, atoll(argv[0]), argv[1], atoi(argv[2]), argv[3],
					error_r));
}

static int cmd_out_insert(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct queue_out_job job = { .notify = QUEUE_NOTIFY_FAILURE };

	snprintf(job.sender, sizeof(job.sender), "%s", argv[0]);
	snprintf(job.recipient, sizeof(job.recipient), "%s", argv[1]);
	snprintf(job.sha256, sizeof(job.sha256), "%s", argv[2]);
	snprintf(job.idempotency_key, sizeof(job.idempotency_key), "%s", argv[3]);
	return tool_rows(queue_out_insert(conn, &job, error_r));
}

static int cmd_out_lease(PGconn *conn, int argc, char **argv, const char **error_r)
{
	struct queue_out_job *jobs;
	int n = queue_out_lease(conn, argv[0], atoi(argv[1]), (size_t)atoi(argv[2]), &jobs, error_r);

	for (int j = 0; j < n; j++)
		printf("job %lld %d %s %s\n", (long long)jobs[j].id, jobs[j].attempts, jobs[j].domain,
		       jobs[j].recipient);
	if (n >= 0)
		queue_out_jobs_free(&jobs);
	return n < 0 ? -1 : 0;
}

static int cmd_out_defer(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return tool_rows(queue_out_defer(conn, atoll(argv[0]), argv[1], atoi(argv[2]), argv[3],
					 strcmp(argv[4], "1") == 0, error_r));
}

static int cmd_out_finish(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return tool_rows(queue_out_finish(conn, atoll(argv[0]), argv[1], error_r));
}

/* tool_entry - one queue listing line */
static int tool_entry(const struct queue_entry *e, void *arg)
{
	printf("%lld %s %s %zu %d %d %s\n", (long long)e->id, e->sender[0] ? e->sender : "<>",
	       e->recipient, e->nrcpts, e->attempts, e->leased, e->last_error[0] ? e->last_error : "-");
	return 0;
}

static int cmd_queue_list(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return queue_list(conn, strcmp(argv[0], "out") == 0 ? QUEUE_OUT : QUEUE_IN, tool_entry, NULL,
			  error_r) < 0 ? -1 : 0;
}

/* tool_mailbox - one mailbox listing line */
static int tool_mailbox(const struct store_mailbox *m, void *arg)
{
	printf("%s %s %d %u %u\n", m->name, m->special_use[0] ? m->special_use : "-",
	       m->subscribed, m->uidvalidity, m->messages);
	return 0;
}

static int cmd_mailboxes(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return store_mailbox_list(conn, atoll(argv[0]), tool_mailbox, NULL, error_r) < 0 ? -1 : 0;
}

static int cmd_create_mailbox(PGconn *conn, int argc, char **argv, const char **error_r)
{
	int64_t id;

	if (store_mailbox_create(conn, atoll(argv[0]), argv[1], NULL, &id, error_r) < 0)
		return -1;
	printf("%lld\n", (long long)id);
	return 0;
}

static int cmd_subscribe(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return tool_rows(store_mailbox_subscribe(conn, atoll(argv[0]), argv[1],
						 strcmp(argv[2], "1") == 0, error_r));
}

static int cmd_rename(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return tool_rows(store_mailbox_rename(conn, atoll(argv[0]), argv[1], argv[2], error_r));
}

static int cmd_delete(PGconn *conn, int argc, char **argv, const char **error_r)
{
	return tool_rows(store_mailbox_delete(conn, atoll(argv[0]), argv[1], error_r));
}

static const struct tool_cmd tool_cmds[] = {
	{ "create-account", 2, cmd_create_account }, { "login", 1, cmd_login },
	{ "may-send-as", 2, cmd_may_send_as }, { "lookup", 1, cmd_lookup },
	{ "expand", 1, cmd_expand }, { "put", 0, cmd_put }, { "read", 3, cmd_read },
	{ "meta", 3, cmd_meta }, { "index", 1, cmd_index },
	{ "append", 4, cmd_append }, { "flags", 5, cmd_flags }, { "expunge", 1, cmd_expunge },
	{ "in-insert", 3, cmd_in_insert }, { "in-lease", 3, cmd_in_lease },
	{ "in-finish", 2, cmd_in_finish }, { "in-defer", 4, cmd_in_defer },
	{ "out-insert", 4, cmd_out_insert }, { "out-lease", 3, cmd_out_lease },
	{ "out-defer", 5, cmd_out_defer }, { "out-finish", 2, cmd_out_finish },
	{ "queue-list", 1, cmd_queue_list }, { "mailboxes", 1, cmd_mailboxes },
	{ "create-mailbox", 2, cmd_create_mailbox }, { "subscribe", 3, cmd_subscribe },
	{ "rename", 3, cmd_rename }, { "delete", 2, cmd_delete },
	{ "read-known", 4, cmd_read_known }, { "prepared-tx", 0, cmd_prepared_tx },
};

int main(int argc, char **argv)
{
	const char *error = NULL;
	PGconn *conn;
	size_t i;
	int ret;

	if (argc < 2 || getenv("MERPATI_DB") == NULL) {
		fprintf(stderr, "usage: MERPATI_DB=... store-tool COMMAND ARGS...\n");
		return 2;
	}
	for (i = 0; i < sizeof(tool_cmds) / sizeof(tool_cmds[0]); i++)
		if (strcmp(argv[1], tool_cmds[i].name) == 0)
			break;
	if (i == sizeof(tool_cmds) / sizeof(tool_cmds[0]) || argc - 2 < tool_cmds[i].min_args) {
		fprintf(stderr, "store-tool: unknown command or missing arguments\n");
		return 2;
	}
	if ((conn = db_connect(getenv("MERPATI_DB"), &error)) == NULL) {
		fprintf(stderr, "error: %s\n", error);
		return 1;
	}
	ret = tool_cmds[i].run(conn, argc - 2, argv + 2, &error);
	if (ret < 0)
		fprintf(stderr, "error: %s\n", error != NULL ? error : "?");
	db_close(&conn);
	return ret < 0 ? 1 : 0;
}
