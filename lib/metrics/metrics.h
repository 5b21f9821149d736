/* metrics - counters, gauges and histograms, and the admin HTTP port (DESIGN.md 5).
 *
 * Every service answers on MERPATI_ADMIN_LISTEN (default per service, docs/ARCHITECTURE.md):
 *   GET /metrics   Prometheus text exposition format 0.0.4
 *   GET /healthz   200 "ok", or 503 with the reason the health callback gives
 *
 * Metrics are registered once by name (a second registration of the same name returns
 * the same object) and live until the process exits. Updates are lock-free atomics, so
 * store worker threads may count too. A name may carry fixed labels:
 *
 *   static struct metrics_counter *accepted;
 *   accepted = metrics_counter("merpati_smtp_messages_total{result=\"accepted\"}",
 *                              "Messages received over SMTP");
 *   metrics_counter_inc(accepted);
 *
 *   metrics_serve(base, ":9101", &error);   // once, in main
 */
#ifndef MERPATI_METRICS_H
#define MERPATI_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>

#define METRICS_MAX 256          /* registered series per process */
#define METRICS_NAME_MAX 160     /* name including {labels} */
#define METRICS_BUCKETS_MAX 16   /* histogram buckets, +Inf excluded */

struct metrics_counter;
struct metrics_gauge;
struct metrics_histogram;

/* metrics_counter - register (or find) a monotonically increasing counter */
struct metrics_counter *metrics_counter(const char *name, const char *help);
void metrics_counter_add(struct metrics_counter *c, uint64_t n);
void metrics_counter_inc(struct metrics_counter *c);
uint64_t metrics_counter_value(const struct metrics_counter *c);

/* metrics_gauge - register (or find) a value that goes up and down */
struct metrics_gauge *metrics_gauge(const char *name, const char *help);
void metrics_gauge_set(struct metrics_gauge *g, int64_t v);
void metrics_gauge_add(struct metrics_gauge *g, int64_t delta);
int64_t metrics_gauge_value(const struct metrics_gauge *g);

/* metrics_histogram - register (or find) a histogram with ascending upper bounds
 * (at most METRICS_BUCKETS_MAX; +Inf is implicit); NULL bounds: latency seconds
 * 0.001 .. 10 */
struct metrics_histogram *metrics_histogram(const char *name, const char *help,
					    const double *bounds, size_t n_bounds);
void metrics_histogram_observe(struct metrics_histogram *h, double v);

/* metrics_render - append the Prometheus text of every registered metric to out */
void metrics_render(struct evbuffer *out);

/* metrics_health_cb - NULL when healthy, else a short reason (static string) */
typedef const char *(*metrics_health_cb)(void *arg);
/* metrics_set_health - the check /healthz runs; without one /healthz says "ok" */
void metrics_set_health(metrics_health_cb cb, void *arg);

/* metrics_serve - start the admin HTTP server on MERPATI_ADMIN_LISTEN, or on
 * default_listen (e.g. ":9100") when unset, on the service's own loop; -1 on error.
 * Exits with status 2 when MERPATI_ADMIN_LISTEN does not parse. */
int metrics_serve(struct event_base *base, const char *default_listen, const char **error_r);
/* metrics_serve_port - the bound admin port after metrics_serve, else -1 */
int metrics_serve_port(void);
/* metrics_stop - close the admin server (at shutdown) */
void metrics_stop(void);

#endif
