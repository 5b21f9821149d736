/* metrics.c - registry of counters, gauges and histograms; Prometheus text rendering */
#include "metrics/metrics.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define METRICS_HELP_MAX 200

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

struct metric {
	enum metric_kind kind;
	char name[METRICS_NAME_MAX];
	char help[METRICS_HELP_MAX];
};

struct metrics_counter {
	struct metric m;
	_Atomic uint64_t value;
};

struct metrics_gauge {
	struct metric m;
	_Atomic int64_t value;
};

struct metrics_histogram {
	struct metric m;
	double bounds[METRICS_BUCKETS_MAX];
	size_t n_bounds;
	_Atomic uint64_t buckets[METRICS_BUCKETS_MAX + 1]; /* last one is +Inf */
	_Atomic uint64_t count;
	_Atomic double sum;
};

static const double metrics_latency_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metric *metrics_all[METRICS_MAX];
static size_t metrics_n;

/* metrics_find - a registered metric by full name; caller holds metrics_lock */
static struct metric *metrics_find(const char *name)
{
	for (size_t i = 0; i < metrics_n; i++)
		if (strcmp(metrics_all[i]->name, name) == 0)
			return metrics_all[i];
	return NULL;
}

/* metrics_register - find name, or add the object made by make(); the names and kinds
 * come from the program's own code, so a misuse is a broken invariant */
static struct metric *metrics_register(enum metric_kind kind, const char *name,
				       const char *help, size_t size)
{
	struct metric *m;

	assert(strlen(name) < METRICS_NAME_MAX && strlen(help) < METRICS_HELP_MAX);
	pthread_mutex_lock(&metrics_lock);
	m = metrics_find(name);
	if (m == NULL) {
		assert(metrics_n < METRICS_MAX);
		m = calloc(1, size);
		if (m == NULL)
			abort();
		m->kind = kind;
		strcpy(m->name, name);
		strcpy(m->help, help);
		metrics_all[metrics_n++] = m;
	}
	pthread_mutex_unlock(&metrics_lock);
	assert(m->kind == kind);
	return m;
}

struct metrics_counter *metrics_counter(const char *name, const char *help)
{
	return (struct metrics_counter *)metrics_register(METRIC_COUNTER, name, help,
							   sizeof(struct metrics_counter));
}

void metrics_counter_add(struct metrics_counter *c, uint64_t n)
{
	atomic_fetch_add_explicit(&c->value, n, memory_order_relaxed);
}

void metrics_counter_inc(struct metrics_counter *c)
{
	metrics_counter_add(c, 1);
}

uint64_t metrics_counter_value(const struct metrics_counter *c)
{
	return atomic_load_explicit(&c->value, memory_order_relaxed);
}

struct metrics_gauge *metrics_gauge(const char *name, const char *help)
{
	return (struct metrics_gauge *)metrics_register(METRIC_GAUGE, name, help,
							 sizeof(struct metrics_gauge));
}

void metrics_gauge_set(struct metrics_gauge *g, int64_t v)
{
	atomic_store_explicit(&g->value, v, memory_order_relaxed);
}

void metrics_gauge_add(struct metrics_gauge *g, int64_t delta)
{
	atomic_fetch_add_explicit(&g->value, delta, memory_order_relaxed);
}

int64_t metrics_gauge_value(const struct metrics_gauge *g)
{
	return atomic_load_explicit(&g->value, memory_order_relaxed);
}

struct metrics_histogram *metrics_histogram(const char *name, const char *help,
					    const double *bounds, size_t n_bounds)
{
	struct metrics_histogram *h;

	if (bounds == NULL) {
		bounds = metrics_latency_bounds;
		n_bounds = sizeof(metrics_latency_bounds) / sizeof(metrics_latency_bounds[0]);
	}
	assert(n_bounds > 0 && n_bounds <= METRICS_BUCKETS_MAX);
	h = (struct metrics_histogram *)metrics_register(METRIC_HISTOGRAM, name, help,
							  sizeof(struct metrics_histogram));
	pthread_mutex_lock(&metrics_lock);
	if (h->n_bounds == 0) {
		memcpy(h->bounds, bounds, n_bounds * sizeof(double));
		h->n_bounds = n_bounds;
	}
	pthread_mutex_unlock(&metrics_lock);
	return h;
}

void metrics_histogram_observe(struct metrics_histogram *h, double v)
{
	size_t i = 0;
	double old;

	while (i < h->n_bounds && v > h->bounds[i])
		i++;
	atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	old = atomic_load_explicit(&h->sum, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&h->sum, &old, old + v,
						      memory_order_relaxed, memory_order_relaxed))
		;
}

/* split_name - "base{labels}" into its base length and the labels inside the braces */
static size_t split_name(const char *name, const char **labels_r, size_t *labels_len_r)
{
	const char *brace = strchr(name, '{');
	size_t len = strlen(name);

	if (brace == NULL || len < 2 || name[len - 1] != '}') {
		*labels_r = "";
		*labels_len_r = 0;
		return len;
	}
	*labels_r = brace + 1;
	*labels_len_r = (size_t)(name + len - 1 - brace - 1);
	return (size_t)(brace - name);
}

/* same_base - name's base (before any '{') is exactly base_len bytes of base */
static bool same_base(const char *name, const char *base, size_t base_len)
{
	return strncmp(name, base, base_len) == 0 &&
	       (name[base_len] == '\0' || name[base_len] == '{');
}

/* base_seen - an earlier metric already printed HELP/TYPE for this base name */
static bool base_seen(size_t upto, const char *name, size_t base_len)
{
	for (size_t i = 0; i < upto; i++) {
		if (same_base(metrics_all[i]->name, name, base_len))
			return true;
	}
	return false;
}

/* render_histogram - the _bucket, _sum and _count series of one histogram */
static void render_histogram(struct evbuffer *out, const struct metrics_histogram *h,
			     size_t base_len, const char *labels, size_t labels_len)
{
	const char *sep = labels_len > 0 ? "," : "";
	uint64_t cumulative = 0;

	for (size_t i = 0; i <= h->n_bounds; i++) {
		cumulative += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
		if (i < h->n_bounds)
			evbuffer_add_printf(out, "%.*s_bucket{%.*s%sle=\"%g\"} %llu\n",
				(int)base_len, h->m.name, (int)labels_len, labels, sep,
				h->bounds[i], (unsigned long long)cumulative);
		else
			evbuffer_add_printf(out, "%.*s_bucket{%.*s%sle=\"+Inf\"} %llu\n",
				(int)base_len, h->m.name, (int)labels_len, labels, sep,
				(unsigned long long)cumulative);
	}
	evbuffer_add_printf(out, "%.*s_sum%s%.*s%s %.9g\n", (int)base_len, h->m.name,
		labels_len ? "{" : "", (int)labels_len, labels, labels_len ? "}" : "",
		atomic_load_explicit(&h->sum, memory_order_relaxed));
	evbuffer_add_printf(out, "%.*s_count%s%.*s%s %llu\n", (int)base_len, h->m.name,
		labels_len ? "{" : "", (int)labels_len, labels, labels_len ? "}" : "",
		(unsigned long long)atomic_load_explicit(&h->count, memory_order_relaxed));
}

/* render_samples - the sample lines of one metric */
static void render_samples(struct evbuffer *out, const struct metric *m)
{
	const char *labels;
	size_t labels_len, base_len = split_name(m->name, &labels, &labels_len);

	if (m->kind == METRIC_COUNTER)
		evbuffer_add_printf(out, "%s %llu\n", m->name, (unsigned long long)
			metrics_counter_value((const struct metrics_counter *)m));
	else if (m->kind == METRIC_GAUGE)
		evbuffer_add_printf(out, "%s %lld\n", m->name, (long long)
			metrics_gauge_value((const struct metrics_gauge *)m));
	else
		render_histogram(out, (const struct metrics_histogram *)m, base_len, labels,
				 labels_len);
}

/* render_family - HELP and TYPE, then every metric sharing the base name of metric
 * index: the text format wants one family's samples together */
static void render_family(struct evbuffer *out, size_t index)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	const struct metric *m = metrics_all[index];
	const char *labels;
	size_t labels_len, base_len = split_name(m->name, &labels, &labels_len);

	if (base_seen(index, m->name, base_len))
		return;
	evbuffer_add_printf(out, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)base_len,
		m->name, m->help, (int)base_len, m->name, types[m->kind]);
	for (size_t j = index; j < metrics_n; j++)
		if (same_base(metrics_all[j]->name, m->name, base_len))
			render_samples(out, metrics_all[j]);
}

void metrics_render(struct evbuffer *out)
{
	pthread_mutex_lock(&metrics_lock);
	for (size_t i = 0; i < metrics_n; i++)
		render_family(out, i);
	pthread_mutex_unlock(&metrics_lock);
}
