/* test_service.c - the service skeleton: a listener that accepts on loopback, the table's
 * checks, SIGTERM leaving the loop, and the drain asking "how many still live" */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "service/service.h"

struct accept_state {
	struct service *svc;
	int accepted;
};

/* on_accept - count the connection, close it, leave the loop */
static void on_accept(struct net_conn *c, void *arg)
{
	struct accept_state *st = arg;

	st->accepted++;
	net_conn_close(c);
	event_base_loopexit(st->svc->base, NULL);
}

/* on_guard - the test's time limit: leave the loop whatever happened */
static void on_guard(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

/* connect_loopback - a blocking TCP connect to 127.0.0.1:port; the fd, or -1 */
static int connect_loopback(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_accepts_on_loopback(void **state)
{
	struct config_listen addr;
	struct service svc;
	struct accept_state st = { .svc = &svc };
	struct service_listener l[2] = {
		{ .name = "off", .addr = &addr, .enabled = false, .accept_cb = on_accept, .arg = &st },
		{ .name = "on", .addr = &addr, .enabled = true, .accept_cb = on_accept, .arg = &st },
	};
	struct service_settings set = { .name = "test", .listeners = l, .n_listeners = 2 };
	struct timeval limit = { 5, 0 };
	const char *error = NULL;
	struct event *guard;
	int fd;

	assert_int_equal(config_parse_listen("127.0.0.1:0", &addr), 0);
	assert_int_equal(service_start(&svc, &set, &error), 0);
	assert_int_equal(service_listener_port(&svc, 0), -1);
	assert_true(service_listener_port(&svc, 1) > 0);
	assert_int_equal(service_listener_port(&svc, SERVICE_LISTENERS_MAX), -1);
	assert_non_null(strchr(svc.instance, ':'));
	fd = connect_loopback(service_listener_port(&svc, 1));
	assert_true(fd >= 0);
	guard = evtimer_new(svc.base, on_guard, svc.base);
	evtimer_add(guard, &limit);
	event_base_dispatch(svc.base);
	event_free(guard);
	assert_int_equal(st.accepted, 1);
	close(fd);
	service_stop(&svc);
	assert_null(svc.base);
}

static void test_rejects_bad_tables(void **state)
{
	struct config_listen addr;
	struct service svc;
	struct service_listener tls = { .name = "tls", .addr = &addr, .enabled = true,
					.implicit_tls = true, .accept_cb = on_accept };
	struct service_settings set = { .name = "test", .listeners = &tls, .n_listeners = 1 };
	const char *error = NULL;

	assert_int_equal(config_parse_listen("127.0.0.1:0", &addr), 0);
	/* implicit TLS needs the TLS context the table did not ask for */
	assert_int_equal(service_start(&svc, &set, &error), -1);
	assert_non_null(error);
	service_stop(&svc);
	set.n_listeners = SERVICE_LISTENERS_MAX + 1;
	error = NULL;
	assert_int_equal(service_start(&svc, &set, &error), -1);
	assert_string_equal(error, "too many listeners");
	service_stop(&svc);
}

static void test_instance_tag(void **state)
{
	struct service svc;
	struct service_settings set = { .name = "test", .instance_tag = "imap" };
	const char *error = NULL;

	assert_int_equal(service_start(&svc, &set, &error), 0);
	assert_memory_equal(svc.instance, "imap:", 5);
	service_stop(&svc);
}

static void test_sigterm_leaves_loop(void **state)
{
	struct service svc;
	struct service_settings set = { .name = "test" };
	const char *error = NULL;

	assert_int_equal(service_start(&svc, &set, &error), 0);
	raise(SIGTERM);
	service_run(&svc);              /* returns only because the signal was handled */
	service_stop(&svc);
	assert_int_equal(raise(SIGPIPE), 0);   /* ignored, the process lives on */
}

struct drain_state {
	unsigned live;
	unsigned calls;
};

/* drain_live - one fewer live connection each time the skeleton asks */
static unsigned drain_live(void *arg)
{
	struct drain_state *d = arg;

	d->calls++;
	return d->live > 0 ? d->live-- : 0;
}

static void test_drain_until_none_live(void **state)
{
	struct service svc;
	struct drain_state d = { .live = 3 };
	struct service_settings set = { .name = "test", .live = drain_live, .arg = &d };
	const char *error = NULL;

	assert_int_equal(service_start(&svc, &set, &error), 0);
	service_stop(&svc);
	assert_int_equal(d.live, 0);
	assert_int_equal(d.calls, 4);   /* 3, 2, 1 live, then 0: stop asking */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_on_loopback),
		cmocka_unit_test(test_rejects_bad_tables),
		cmocka_unit_test(test_instance_tag),
		cmocka_unit_test(test_sigterm_leaves_loop),
		cmocka_unit_test(test_drain_until_none_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
