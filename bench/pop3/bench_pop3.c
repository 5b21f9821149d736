/* merpati-bench-pop3 - POP3 load generator: N event-driven clients, each logging in as its
 * own user, run LIST, UIDL, RETR of every message and QUIT, session after session, for T
 * seconds; prints messages retrieved per second. Users are PREFIX<i>SUFFIX, i = 0..N-1.
 *
 *   merpati-bench-pop3 -H 127.0.0.1 -p 1110 -c 20 -t 30 -x p -s @bench.test -P password
 */
#include "../common/bench_main.h"
#include "bench_pop3_client.h"

int main(int argc, char **argv)
{
	return bench_main(argc, argv, "merpati-bench-pop3", bench_pop3_client_new);
}
