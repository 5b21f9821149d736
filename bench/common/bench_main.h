/* bench_main - the main program of a bench/ load generator: parse the command line, start
 * one client per user, run the loop until every client finished, print the result line. */
#ifndef MERPATI_BENCH_MAIN_H
#define MERPATI_BENCH_MAIN_H

#include "bench_conn.h"

/* a protocol's client for user, its connection not yet started; NULL on a bad name */
typedef struct bench_conn *bench_client_new_fn(struct bench_run *run, const char *user);

/* bench_main - run the generator; the exit status (1 when any error was counted) */
int bench_main(int argc, char **argv, const char *program, bench_client_new_fn *client_new);

#endif
