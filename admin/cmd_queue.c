/* cmd_queue.c - `merpati queue list|show|retry|delete|hold|release` over both queues.
 *
 * Jobs are named in:N (inbound, accepted by smtp-in, waiting for the mda) and out:N
 * (outbound, waiting for smtp-out); a bare N is accepted when only one queue has it.
 * hold/release have no queue function: their SQL is here. Only outbound jobs can be held:
 * queue_in has no held column, and inbound jobs are local deliveries that should not wait. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/cli_db.h"
#include "admin/commands.h"
#include "queue/queue.h"

#define QUEUE_SHOWN_ERROR 100 /* bytes of last_error in a `queue list` line */

const char cmd_queue_help[] =
	"usage: merpati queue list [in|out]\n"
	"       merpati queue show ID\n"
	"       merpati queue retry ID      make the job due now (and release it if held)\n"
	"       merpati queue delete ID     drop the job for good (no bounce is sent)\n"
	"       merpati queue hold ID       keep an outbound job from being tried\n"
	"       merpati queue release ID    let a held outbound job go again\n"
	"\n"
	"ID is in:N for an inbound job (accepted mail waiting for local delivery) or out:N\n"
	"for an outbound one (mail waiting to be sent to another server); a bare N is enough\n"
	"when only one queue has a job N. `list` prints one job a line, oldest first:\n"
	"  ID STATE SENDER -> RECIPIENT size=SIZE attempts=N next=TIME [last=\"REPLY\"]\n"
	"where STATE is due, waiting (until next), leased (being worked on) or held.\n";

/* queue_time - Unix seconds as "2026-11-22T04:30:00Z" into buf (32 bytes) */
static const char *queue_time(char buf[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

/* queue_state - what a job is doing now */
static const char *queue_state(const struct queue_entry *e)
{
	if (e->held)
		return "held";
	if (e->leased)
		return "leased";
	/* next_attempt comes rounded to the nearest second: allow for that one second */
	return e->next_attempt <= (int64_t)time(NULL) + 1 ? "due" : "waiting";
}

/* queue_print_line - one job, one line (see the help text) */
static int queue_print_line(const struct queue_entry *e, void *arg)
{
	char size[CLI_SIZE_TEXT], when[32];

	(void)arg;
	printf("%s:%lld %s <%s> -> <%s>", e->kind == QUEUE_IN ? "in" : "out", (long long)e->id,
	       queue_state(e), e->sender, e->recipient);
	if (e->nrcpts > 1)
		printf(" (+%zu more)", e->nrcpts - 1);
	printf(" size=%s attempts=%d next=%s", cli_size_text(size, e->size), e->attempts,
	       queue_time(when, e->next_attempt));
	if (e->last_error[0] != '\0')
		printf(" last=\"%.*s\"", QUEUE_SHOWN_ERROR, e->last_error);
	printf("\n");
	return 0;
}

/* queue_print_show - one job, one field a line */
static void queue_print_show(const struct queue_entry *e)
{
	char when[32];

	printf("id: %s:%lld\n", e->kind == QUEUE_IN ? "in" : "out", (long long)e->id);
	printf("queue: %s\n", e->kind == QUEUE_IN ? "inbound" : "outbound");
	printf("state: %s\n", queue_state(e));
	printf("sender: <%s>\n", e->sender);
	printf("recipient: <%s>\n", e->recipient);
	printf("recipients: %zu\n", e->nrcpts);
	printf("size: %lld\n", (long long)e->size);
	printf("attempts: %d\n", e->attempts);
	printf("created: %s\n", queue_time(when, e->created));
	printf("next attempt: %s\n", queue_time(when, e->next_attempt));
	printf("last error: %s\n", e->last_error);
}

/* queue_parse_id - "in:N", "out:N" or "N" (*kind_known_r false); -1 when malformed */
static int queue_parse_id(const char *s, enum queue_kind *kind_r, bool *kind_known_r,
			  int64_t *id_r)
{
	char *end;
	long long n;

	*kind_known_r = true;
	if (strncmp(s, "in:", 3) == 0) {
		*kind_r = QUEUE_IN;
		s += 3;
	} else if (strncmp(s, "out:", 4) == 0) {
		*kind_r = QUEUE_OUT;
		s += 4;
	} else {
		*kind_known_r = false;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0)
		return -1;
	*id_r = n;
	return 0;
}

/* queue_find - the job named by arg, read into *e; exit code */
static int queue_find(struct cli *cli, const char *arg, struct queue_entry *e)
{
	struct queue_entry other;
	const char *error = NULL;
	enum queue_kind kind = QUEUE_IN;
	bool known;
	int64_t id;
	int in, out;

	if (queue_parse_id(arg, &kind, &known, &id) < 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a job id (in:N or out:N)", arg);
	if ((in = (!known || kind == QUEUE_IN) ?
		  queue_show(cli->db, QUEUE_IN, id, e, &error) : 0) < 0)
		return cli_db_fail(cli, error);
	if ((out = (!known || kind == QUEUE_OUT) ?
		   queue_show(cli->db, QUEUE_OUT, id, in ? &other : e, &error) : 0) < 0)
		return cli_db_fail(cli, error);
	if (in && out)
		return cli_fail(cli, CLI_EXIT_USAGE, "both in:%lld and out:%lld exist: say which",
				(long long)id, (long long)id);
	if (!in && !out)
		return cli_fail(cli, CLI_EXIT_USAGE, "no job %s in the queue", arg);
	return CLI_EXIT_OK;
}

/* queue_list_cmd - `queue list [in|out]` */
static int queue_list_cmd(struct cli *cli, int argc, char **argv)
{
	const char *error = NULL;
	bool in = true, out = true;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 0, 1, "queue list [in|out]")) != CLI_EXIT_OK)
		return rc;
	if (argc > 1 && strcmp(argv[1], "in") != 0 && strcmp(argv[1], "out") != 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "'%.64s' is not a queue (in or out)", argv[1]);
	if (argc > 1) {
		in = strcmp(argv[1], "in") == 0;
		out = !in;
	}
	if ((rc = cli_db_open(cli)) != CLI_EXIT_OK)
		return rc;
	if (in && queue_list(cli->db, QUEUE_IN, queue_print_line, NULL, &error) < 0)
		return cli_db_fail(cli, error);
	if (out && queue_list(cli->db, QUEUE_OUT, queue_print_line, NULL, &error) < 0)
		return cli_db_fail(cli, error);
	return CLI_EXIT_OK;
}

/* queue_show_cmd - `queue show ID` */
static int queue_show_cmd(struct cli *cli, int argc, char **argv)
{
	struct queue_entry e;
	int rc;

	if ((rc = cli_args(cli, argc - 1, 1, 1, "queue show ID")) != CLI_EXIT_OK ||
	    (rc = cli_db_open(cli)) != CLI_EXIT_OK ||
	    (rc = queue_find(cli, argv[1], &e)) != CLI_EXIT_OK)
		return rc;
	queue_print_show(&e);
	return CLI_EXIT_OK;
}

/* queue_set_held - hold or release an outbound job; 1 changed, 0 gone, -1 with *error_r */
static int queue_set_held(struct cli *cli, int64_t id, bool held, const char **error_r)
{
	char idtext[24];
	const char *params[2] = { db_int64_param(idtext, id), held ? "true" : "false" };

	return (int)db_exec(cli->db, "UPDATE queue_out SET held = $2 WHERE id = $1",
			    2, params, error_r);
}

/* apply_retry - make the job due now (queue_retry also releases a held job) */
static int apply_retry(struct cli *cli, const struct queue_entry *e, const char **error_r)
{
	return queue_retry(cli->db, e->kind, e->id, error_r);
}

/* apply_delete - drop the job, and leave a 'deleted' event in the delivery trace: the row
 * is gone, and the trace is where an administrator later looks for what became of it */
static int apply_delete(struct cli *cli, const struct queue_entry *e, const char **error_r)
{
	char id[24];
	const char *params[4] = { NULL, NULL, e->sender, e->recipient };
	int done = queue_delete(cli->db, e->kind, e->id, error_r);

	if (done <= 0)
		return done;
	params[e->kind == QUEUE_IN ? 0 : 1] = db_int64_param(id, e->id);
	if (db_exec(cli->db, "INSERT INTO delivery_events (queue_in_id, queue_out_id, sender,"
		    " recipient, event, detail) VALUES ($1, $2, $3, $4, 'deleted',"
		    " 'merpati queue delete')", 4, params, error_r) < 0)
		return -1;
	return done;
}

/* apply_hold, apply_release - set or clear queue_out.held */
static int apply_hold(struct cli *cli, const struct queue_entry *e, const char **error_r)
{
	return queue_set_held(cli, e->id, true, error_r);
}

static int apply_release(struct cli *cli, const struct queue_entry *e, const char **error_r)
{
	return queue_set_held(cli, e->id, false, error_r);
}

/* What `queue retry|delete|hold|release ID` do to a job: apply returns 1 done, 0 the job
 * is gone, -1 with *error_r. */
struct queue_action {
	const char *name;
	const char *done;       /* the word printed before the job id */
	bool outbound_only;
	int (*apply)(struct cli *cli, const struct queue_entry *e, const char **error_r);
};

static const struct queue_action queue_actions[] = {
	{ "retry", "retrying", false, apply_retry },
	{ "delete", "deleted", false, apply_delete },
	{ "hold", "holding", true, apply_hold },
	{ "release", "released", true, apply_release },
	{ NULL, NULL, false, NULL },
};

/* queue_act - look up the job of argv[1] and apply the action named argv[0] to it, in one
 * transaction */
static int queue_act(struct cli *cli, int argc, char **argv)
{
	const struct queue_action *a = queue_actions;
	struct queue_entry e;
	const char *error = NULL;
	char usage[32];
	int rc, done;

	while (a->name != NULL && strcmp(a->name, argv[0]) != 0)
		a++;
	assert(a->name != NULL); /* queue_subs routes only the names of queue_actions */
	snprintf(usage, sizeof(usage), "queue %s ID", a->name);
	if ((rc = cli_args(cli, argc - 1, 1, 1, usage)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = queue_find(cli, argv[1], &e)) != CLI_EXIT_OK)
		return rc;
	if (a->outbound_only && e.kind == QUEUE_IN)
		return cli_fail(cli, CLI_EXIT_USAGE, "only outbound jobs can be held "
				"(in:%lld is a local delivery)", (long long)e.id);
	if ((done = a->apply(cli, &e, &error)) < 0)
		return cli_db_fail(cli, error);
	if (done == 0)
		return cli_fail(cli, CLI_EXIT_USAGE, "job %s left the queue meanwhile", argv[1]);
	if ((rc = cli_db_commit(cli)) != CLI_EXIT_OK)
		return rc;
	printf("%s %s:%lld%s\n", a->done, e.kind == QUEUE_IN ? "in" : "out", (long long)e.id,
	       e.leased ? " (a worker is trying it at this moment)" : "");
	return CLI_EXIT_OK;
}

static const struct cli_sub queue_subs[] = {
	{ "list", queue_list_cmd },
	{ "show", queue_show_cmd },
	{ "retry", queue_act },
	{ "delete", queue_act },
	{ "hold", queue_act },
	{ "release", queue_act },
	{ NULL, NULL },
};

/* cmd_queue_run - `merpati queue ...` */
int cmd_queue_run(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "queue", queue_subs, argc - 1, argv + 1);
}
