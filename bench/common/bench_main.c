/* bench_main - the shared main of bench/'s load generators. */
#include "bench_main.h"

#include <stdio.h>
#include <stdlib.h>

int bench_main(int argc, char **argv, const char *program, bench_client_new_fn *client_new)
{
	struct bench_args a;
	struct bench_run run;
	struct bench_conn **clients;
	char user[BENCH_NAME_MAX];

	bench_args_parse(argc, argv, program, &a);
	clients = calloc((size_t)a.clients, sizeof(*clients));
	if (clients == NULL)
		abort();
	bench_run_init(&run, program, &a);
	for (long i = 0; i < a.clients; i++) {
		if (!bench_args_user(&a, i, user, sizeof(user)) ||
		    (clients[i] = client_new(&run, user)) == NULL) {
			fprintf(stderr, "%s: user name or password not usable\n", program);
			exit(2);
		}
		bench_conn_start(clients[i]);
	}
	event_base_dispatch(run.base);
	bench_run_report(&run, a.clients);
	for (long i = 0; i < a.clients; i++)
		bench_conn_free(&clients[i]);
	free(clients);
	bench_run_free(&run);
	return run.errors > 0 ? 1 : 0;
}
