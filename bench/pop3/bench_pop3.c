/* merpati-bench-pop3 - POP3 load generator: N event-driven clients, each logging in as its
 * own user, run LIST, UIDL, RETR of every message and QUIT, session after session, for T
 * seconds; prints messages retrieved per second. Users are PREFIX<i>SUFFIX, i = 0..N-1.
 *
 *   merpati-bench-pop3 -H 127.0.0.1 -p 1110 -c 20 -t 30 -x p -s @bench.test -P password
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bench_pop3_client.h"

#define BENCH_POP3_CLIENTS_MAX 1000
#define BENCH_POP3_SECONDS_MAX 3600

struct bench_pop3_args {
	const char *host, *prefix, *suffix, *password;
	long port, clients, seconds;
};

/* usage - the command line, then exit 2 */
static void usage(void)
{
	fprintf(stderr, "usage: merpati-bench-pop3 -H ipv4 -p port -c clients -t seconds"
		" -x user-prefix [-s user-suffix] -P password\n");
	exit(2);
}

/* number - a decimal argument within [min, max], or usage() */
static long number(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* parse_args - the options into a; usage() on anything wrong */
static void parse_args(int argc, char **argv, struct bench_pop3_args *a)
{
	struct in_addr addr;
	int opt;

	*a = (struct bench_pop3_args){ .host = "127.0.0.1", .suffix = "", .clients = 1,
				       .seconds = 10 };
	while ((opt = getopt(argc, argv, "H:p:c:t:x:s:P:")) != -1) {
		switch (opt) {
		case 'H': a->host = optarg; break;
		case 'p': a->port = number(optarg, 1, 65535); break;
		case 'c': a->clients = number(optarg, 1, BENCH_POP3_CLIENTS_MAX); break;
		case 't': a->seconds = number(optarg, 1, BENCH_POP3_SECONDS_MAX); break;
		case 'x': a->prefix = optarg; break;
		case 's': a->suffix = optarg; break;
		case 'P': a->password = optarg; break;
		default: usage();
		}
	}
	if (a->port == 0 || a->prefix == NULL || a->password == NULL ||
	    inet_pton(AF_INET, a->host, &addr) != 1 ||
	    strlen(a->password) >= BENCH_POP3_NAME_MAX)
		usage();
}

/* elapsed - seconds since start */
static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	struct bench_pop3_args a;
	struct bench_pop3_run run = { 0 };
	struct bench_pop3_client **clients;
	struct timespec start;
	char user[BENCH_POP3_NAME_MAX];
	double secs;

	parse_args(argc, argv, &a);
	run.base = event_base_new();
	clients = calloc((size_t)a.clients, sizeof(*clients));
	if (run.base == NULL || clients == NULL)
		abort();
	run.host = a.host;
	run.port = (uint16_t)a.port;
	run.password = a.password;
	run.max_errors = 100;
	clock_gettime(CLOCK_MONOTONIC, &start);
	run.deadline = start;
	run.deadline.tv_sec += a.seconds;
	for (long i = 0; i < a.clients; i++) {
		snprintf(user, sizeof(user), "%s%ld%s", a.prefix, i, a.suffix);
		clients[i] = bench_pop3_client_new(&run, user);
		if (clients[i] == NULL)
			usage();
		bench_pop3_client_start(clients[i]);
	}
	event_base_dispatch(run.base);
	secs = elapsed(&start);
	printf("clients=%ld seconds=%.2f sessions=%llu messages=%llu bytes=%llu errors=%llu"
	       " msgs_per_s=%.1f\n", a.clients, secs, (unsigned long long)run.sessions,
	       (unsigned long long)run.messages, (unsigned long long)run.bytes,
	       (unsigned long long)run.errors, run.messages / secs);
	for (long i = 0; i < a.clients; i++)
		bench_pop3_client_free(&clients[i]);
	free(clients);
	event_base_free(run.base);
	return run.errors > 0 ? 1 : 0;
}
