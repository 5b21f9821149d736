/* bench_run - what every load generator of bench/ shares: the command line (-H -p -c -t -x
 * -s -P), the run's deadline and counters, and the result line. */
#ifndef MERPATI_BENCH_RUN_H
#define MERPATI_BENCH_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <event2/event.h>

#define BENCH_NAME_MAX 256          /* user name or password */
#define BENCH_CLIENTS_MAX 1000
#define BENCH_SECONDS_MAX 3600

/* the options every generator takes; users are PREFIX<i>SUFFIX, i = 0..clients-1 */
struct bench_args {
	const char *host, *prefix, *suffix, *password;
	long port, clients, seconds;
};

/* shared by all clients of a run */
struct bench_run {
	const char *program;        /* for messages: "merpati-bench-pop3" */
	struct event_base *base;
	const char *host;
	uint16_t port;
	const char *password;
	struct timespec start, deadline;
	unsigned active;            /* clients not yet finished */
	uint64_t sessions;          /* sessions that ended with a good answer to their logout */
	uint64_t commands;          /* commands answered without error */
	uint64_t messages;          /* messages retrieved in full */
	uint64_t bytes;             /* bytes of those messages, as received */
	uint64_t errors;            /* refusals, broken connections, protocol errors */
	uint64_t max_errors;        /* the run stops after this many */
};

/* bench_args_parse - the options into a; usage (exit 2) on anything wrong */
void bench_args_parse(int argc, char **argv, const char *program, struct bench_args *a);
/* bench_args_user - the name of client i into buf; false when it does not fit */
bool bench_args_user(const struct bench_args *a, long i, char *buf, size_t size);

/* bench_run_init - event base, deadline from now and the counters at zero */
void bench_run_init(struct bench_run *run, const char *program, const struct bench_args *a);
/* bench_run_past_deadline - true once the run's time is up */
bool bench_run_past_deadline(const struct bench_run *run);
/* bench_run_report - the result line on stdout: counters and rates per second */
void bench_run_report(const struct bench_run *run, long clients);
/* bench_run_free - the event base */
void bench_run_free(struct bench_run *run);

#endif
