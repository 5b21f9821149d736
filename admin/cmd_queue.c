/* cmd_queue.c - `merpati queue list|show|retry|delete|hold|release` over both queues.
 *
 * Jobs are named in:N (inbound, accepted by smtp-in, waiting for the mda) and out:N
 * (outbound, waiting for smtp-out); a bare N is accepted when only one queue has it.
 * Finding a job and acting on it is lib/store/admin_queue.c, shared with the webmail. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/cli_db.h"
#include "admin/commands.h"
#include "store/admin_queue.h"

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

/* queue_find - the job named by arg, read into *e; exit code */
static int queue_find(struct cli *cli, const char *arg, struct queue_entry *e)
{
	struct store_admin_result r;

	if (store_admin_queue_find(cli->db, arg, e, &r) != STORE_ADMIN_OK)
		return cli_admin_fail(cli, &r);
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

/* What `queue retry|delete|hold|release ID` do to a job. */
struct queue_action {
	const char *name;
	const char *done;       /* the word printed before the job id */
	enum store_admin_queue_action action;
};

static const struct queue_action queue_actions[] = {
	{ "retry", "retrying", STORE_ADMIN_QUEUE_RETRY },
	{ "delete", "deleted", STORE_ADMIN_QUEUE_DELETE },
	{ "hold", "holding", STORE_ADMIN_QUEUE_HOLD },
	{ "release", "released", STORE_ADMIN_QUEUE_RELEASE },
	{ NULL, NULL, STORE_ADMIN_QUEUE_RETRY },
};

/* queue_act - look up the job of argv[1] and apply the action named argv[0] to it, in one
 * transaction */
static int queue_act(struct cli *cli, int argc, char **argv)
{
	const struct queue_action *a = queue_actions;
	struct queue_entry e;
	struct store_admin_result r;
	char usage[32];
	int rc;

	while (a->name != NULL && strcmp(a->name, argv[0]) != 0)
		a++;
	assert(a->name != NULL); /* queue_subs routes only the names of queue_actions */
	snprintf(usage, sizeof(usage), "queue %s ID", a->name);
	if ((rc = cli_args(cli, argc - 1, 1, 1, usage)) != CLI_EXIT_OK ||
	    (rc = cli_db_begin(cli)) != CLI_EXIT_OK ||
	    (rc = queue_find(cli, argv[1], &e)) != CLI_EXIT_OK)
		return rc;
	if (store_admin_queue_act(cli->db, a->action, &e, "merpati queue delete", &r) != 0)
		return cli_admin_fail(cli, &r);
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
