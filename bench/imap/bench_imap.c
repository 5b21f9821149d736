/* merpati-bench-imap - IMAP load generator: N event-driven clients, each logging in as its
 * own user, run the session of bench_imap_client.h again and again for T seconds; prints
 * commands and messages fetched per second. Users are PREFIX<i>SUFFIX, i = 0..N-1.
 *
 *   merpati-bench-imap -H 127.0.0.1 -p 1143 -c 20 -t 30 -x i -s @bench.test -P password
 */
#include "../common/bench_main.h"
#include "bench_imap_client.h"

static void *client_new(struct bench_run *run, const char *user)
{
	return bench_imap_client_new(run, user);
}

static void client_start(void *c)
{
	bench_imap_client_start(c);
}

static void client_free(void *c)
{
	struct bench_imap_client *p = c;

	bench_imap_client_free(&p);
}

int main(int argc, char **argv)
{
	static const struct bench_client_ops ops = { client_new, client_start, client_free };

	return bench_main(argc, argv, "merpati-bench-imap", &ops);
}
