/* test_metrics.c - the Prometheus text lib/metrics renders, and exact counts from threads
 * (lib/bus counts its drops and malformed messages here, so its tests live beside them) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"

/* render - the whole exposition as a NUL-terminated string (caller frees) */
static char *render(void)
{
	struct evbuffer *b = evbuffer_new();
	size_t len;
	char *s;

	metrics_render(b);
	len = evbuffer_get_length(b);
	s = malloc(len + 1);
	evbuffer_remove(b, s, len);
	s[len] = '\0';
	evbuffer_free(b);
	return s;
}

/* count - occurrences of needle in hay */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void test_families_grouped(void **state)
{
	struct metrics_counter *a = metrics_counter("t_requests_total{kind=\"a\"}", "Requests");
	struct metrics_gauge *g = metrics_gauge("t_open", "Open things");
	struct metrics_counter *b = metrics_counter("t_requests_total{kind=\"b\"}", "Requests");
	char *text;

	metrics_counter_add(a, 5);
	metrics_counter_inc(b);
	metrics_gauge_set(g, -3);
	/* registering again gives the same object */
	assert_ptr_equal(metrics_counter("t_requests_total{kind=\"a\"}", "Requests"), a);
	text = render();
	/* one HELP and TYPE per family, and the family's samples together after them */
	assert_int_equal(count(text, "# TYPE t_requests_total counter\n"), 1);
	assert_int_equal(count(text, "# HELP t_requests_total Requests\n"), 1);
	assert_non_null(strstr(text, "# TYPE t_requests_total counter\n"
				     "t_requests_total{kind=\"a\"} 5\n"
				     "t_requests_total{kind=\"b\"} 1\n"));
	assert_non_null(strstr(text, "# TYPE t_open gauge\nt_open -3\n"));
	free(text);
}

static void test_histogram(void **state)
{
	static const double bounds[] = { 0.1, 1 };
	struct metrics_histogram *h = metrics_histogram("t_latency_seconds{op=\"x\"}", "Latency",
							bounds, 2);
	char *text;

	metrics_histogram_observe(h, 0.05);
	metrics_histogram_observe(h, 0.1);     /* le is inclusive */
	metrics_histogram_observe(h, 0.5);
	metrics_histogram_observe(h, 7);
	text = render();
	assert_non_null(strstr(text, "# TYPE t_latency_seconds histogram\n"
		"t_latency_seconds_bucket{op=\"x\",le=\"0.1\"} 2\n"
		"t_latency_seconds_bucket{op=\"x\",le=\"1\"} 3\n"
		"t_latency_seconds_bucket{op=\"x\",le=\"+Inf\"} 4\n"
		"t_latency_seconds_sum{op=\"x\"} 7.65\n"
		"t_latency_seconds_count{op=\"x\"} 4\n"));
	free(text);
}

#define THREADS 4
#define PER_THREAD 100000

/* hammer - many increments from one thread */
static void *hammer(void *arg)
{
	struct metrics_counter *c = metrics_counter("t_threads_total", "From threads");
	struct metrics_histogram *h = metrics_histogram("t_threads_seconds", "From threads",
							NULL, 0);

	for (int i = 0; i < PER_THREAD; i++) {
		metrics_counter_inc(c);
		metrics_histogram_observe(h, 0.5);
	}
	return arg;
}

static void test_threads(void **state)
{
	pthread_t t[THREADS];
	char *text;

	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(metrics_counter_value(metrics_counter("t_threads_total", "")),
			 THREADS * PER_THREAD);
	text = render();
	assert_non_null(strstr(text, "t_threads_seconds_count 400000\n"));
	assert_non_null(strstr(text, "t_threads_seconds_sum 200000\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families_grouped),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
