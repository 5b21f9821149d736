/* merpati-bench-pop3 - POP3 load generator: N event-driven clients, each logging in as its
 * own user, run LIST, UIDL, RETR of every message and QUIT, session after session, for T
 * seconds; prints messages retrieved per second. Users are PREFIX<i>SUFFIX, i = 0..N-1.
 *
 *   merpati-bench-pop3 -H 127.0.0.1 -p 1110 -c 20 -t 30 -x p -s @bench.test -P password
 */
#include "../common/bench_main.h"
#include "bench_pop3_client.h"

static void *client_new(struct bench_run *run, const char *user)
{
	return bench_pop3_client_new(run, user);
}

static void client_start(void *c)
{
	bench_pop3_client_start(c);
}

static void client_free(void *c)
{
	struct bench_pop3_client *p = c;

	bench_pop3_client_free(&p);
}

int main(int argc, char **argv)
{
	static const struct bench_client_ops ops = { client_new, client_start, client_free };

	return bench_main(argc, argv, "merpati-bench-pop3", &ops);
}
