/* bench_run - command line, deadline, counters and result line of a bench/ generator. */
#include "bench_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

/* usage - the command line, then exit 2 */
static void usage(const char *program)
{
	fprintf(stderr, "usage: %s -H ipv4 -p port -c clients -t seconds"
		" -x user-prefix [-s user-suffix] -P password\n", program);
	exit(2);
}

/* number - a decimal argument within [min, max], or usage() */
static long number(const char *program, const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		usage(program);
	return v;
}

void bench_args_parse(int argc, char **argv, const char *program, struct bench_args *a)
{
	struct in_addr addr;
	int opt;

	*a = (struct bench_args){ .host = "127.0.0.1", .suffix = "", .clients = 1,
				  .seconds = 10 };
	while ((opt = getopt(argc, argv, "H:p:c:t:x:s:P:")) != -1) {
		switch (opt) {
		case 'H': a->host = optarg; break;
		case 'p': a->port = number(program, optarg, 1, 65535); break;
		case 'c': a->clients = number(program, optarg, 1, BENCH_CLIENTS_MAX); break;
		case 't': a->seconds = number(program, optarg, 1, BENCH_SECONDS_MAX); break;
		case 'x': a->prefix = optarg; break;
		case 's': a->suffix = optarg; break;
		case 'P': a->password = optarg; break;
		default: usage(program);
		}
	}
	if (a->port == 0 || a->prefix == NULL || a->password == NULL ||
	    inet_pton(AF_INET, a->host, &addr) != 1 ||
	    strlen(a->password) >= BENCH_NAME_MAX)
		usage(program);
}

bool bench_args_user(const struct bench_args *a, long i, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%ld%s", a->prefix, i, a->suffix);

	return n >= 0 && (size_t)n < size;
}

void bench_run_init(struct bench_run *run, const char *program, const struct bench_args *a)
{
	*run = (struct bench_run){ .program = program, .host = a->host,
				   .port = (uint16_t)a->port, .password = a->password,
				   .max_errors = 100 };
	run->base = event_base_new();
	if (run->base == NULL)
		abort();
	clock_gettime(CLOCK_MONOTONIC, &run->start);
	run->deadline = run->start;
	run->deadline.tv_sec += a->seconds;
}

bool bench_run_past_deadline(const struct bench_run *run)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > run->deadline.tv_sec ||
	       (now.tv_sec == run->deadline.tv_sec && now.tv_nsec >= run->deadline.tv_nsec);
}

/* elapsed - seconds since the run started */
static double elapsed(const struct bench_run *run)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - run->start.tv_sec) +
	       (now.tv_nsec - run->start.tv_nsec) / 1e9;
}

void bench_run_report(const struct bench_run *run, long clients)
{
	double secs = elapsed(run);

	printf("clients=%ld seconds=%.2f sessions=%llu commands=%llu messages=%llu bytes=%llu"
	       " errors=%llu cmds_per_s=%.1f msgs_per_s=%.1f\n", clients, secs,
	       (unsigned long long)run->sessions, (unsigned long long)run->commands,
	       (unsigned long long)run->messages, (unsigned long long)run->bytes,
	       (unsigned long long)run->errors, run->commands / secs, run->messages / secs);
}

void bench_run_free(struct bench_run *run)
{
	if (run->base != NULL)
		event_base_free(run->base);
	run->base = NULL;
}
