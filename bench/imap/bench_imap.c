/* merpati-bench-imap - IMAP load generator: N event-driven clients, each logging in as its
 * own user, run the session of bench_imap_client.h again and again for T seconds; prints
 * commands and messages fetched per second. Users are PREFIX<i>SUFFIX, i = 0..N-1.
 *
 *   merpati-bench-imap -H 127.0.0.1 -p 1143 -c 20 -t 30 -x i -s @bench.test -P password
 */
#include "../common/bench_main.h"
#include "bench_imap_client.h"

int main(int argc, char **argv)
{
	return bench_main(argc, argv, "merpati-bench-imap", bench_imap_client_new);
}
