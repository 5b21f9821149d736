/* bench_main - the main program of a bench/ load generator: parse the command line, start
 * one client per user, run the loop until every client finished, print the result line. */
#ifndef MERPATI_BENCH_MAIN_H
#define MERPATI_BENCH_MAIN_H

#include "bench_run.h"

/* how a protocol makes, starts and frees its clients */
struct bench_client_ops {
	void *(*new)(struct bench_run *run, const char *user);   /* NULL: bad user name */
	void (*start)(void *client);
	void (*free)(void *client);
};

/* bench_main - run the generator; the exit status (1 when any error was counted) */
int bench_main(int argc, char **argv, const char *program, const struct bench_client_ops *ops);

#endif
