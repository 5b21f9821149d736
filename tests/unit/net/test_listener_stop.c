/* test_listener_stop - net_listener_stop_accepting: clients whose handshake the kernel
 * completed before the stop are handed to the service, not reset; later ones are refused;
 * open connections stay open until net_listener_free */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"

struct seen {
	unsigned accepted, closed;
};

static void on_close(struct net_conn *c, enum net_close_reason reason, void *arg)
{
	struct seen *s = arg;

	s->closed++;
}

static void on_accept(struct net_conn *c, void *arg)
{
	struct seen *s = arg;

	s->accepted++;
	net_conn_set_callbacks(c, NULL, on_close, s);
}

/* client - a blocking connect to 127.0.0.1:port; the fd, or -errno */
static int client(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static void test_stop_takes_backlog_then_refuses(void **state)
{
	struct event_base *base = event_base_new();
	struct config_listen addr = { .host = "127.0.0.1", .port = "0" };
	struct seen seen = { 0, 0 };
	struct net_listener_opts o = { .accept_cb = on_accept, .arg = &seen };
	const char *err = NULL;
	struct net_listener *l = net_listener_new(base, &addr, &o, &err);
	int port, a, b, c;

	assert_non_null(l);
	port = net_listener_port(l);
	/* the loop never ran: both wait in the kernel's accept queue */
	a = client(port);
	b = client(port);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(seen.accepted, 0);
	net_listener_stop_accepting(l);
	assert_int_equal(seen.accepted, 2);
	assert_int_equal(net_listener_count(l), 2);
	assert_int_equal(seen.closed, 0);
	assert_int_equal(net_listener_port(l), -1);
	c = client(port);
	assert_int_equal(c, -ECONNREFUSED);
	net_listener_stop_accepting(l); /* twice is harmless */
	net_listener_free(&l);
	assert_int_equal(seen.closed, 2);
	close(a);
	close(b);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_takes_backlog_then_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
