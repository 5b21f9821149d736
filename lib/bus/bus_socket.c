/* bus_socket.c - the process's ZeroMQ context and sockets by role (DESIGN.md section 4) */
#include "bus/bus.h"
#include "config/config.h"
#include "log/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

/* What each role is: socket type, whether it binds, and where its address comes from. */
struct bus_role_info {
	const char *name;
	int type;
	bool binds;
	const char *endpoint_var;
	const char *bind_var;
	const char *def;
};

#define MDA "MERPATI_MDA_ENDPOINT"
#define OUT "MERPATI_SMTP_OUT_ENDPOINT"
#define RES "MERPATI_RESOLVER_ENDPOINT"
#define EVP "MERPATI_EVENTS_PUB"
#define EVS "MERPATI_EVENTS_SUB"

static const struct bus_role_info bus_roles[] = {
	[BUS_QUEUE_KICK_PULL] = { "queue_kick_pull", ZMQ_PULL, true, MDA, "MERPATI_MDA_BIND",
				  "tcp://127.0.0.1:7001" },
	[BUS_QUEUE_KICK_PUSH] = { "queue_kick_push", ZMQ_PUSH, false, MDA, NULL,
				  "tcp://127.0.0.1:7001" },
	[BUS_OUTBOUND_KICK_PULL] = { "outbound_kick_pull", ZMQ_PULL, true, OUT,
				     "MERPATI_SMTP_OUT_BIND", "tcp://127.0.0.1:7002" },
	[BUS_OUTBOUND_KICK_PUSH] = { "outbound_kick_push", ZMQ_PUSH, false, OUT, NULL,
				     "tcp://127.0.0.1:7002" },
	[BUS_RESOLVER_ROUTER] = { "resolver_router", ZMQ_ROUTER, true, RES,
				  "MERPATI_RESOLVER_BIND", "tcp://127.0.0.1:7003" },
	[BUS_RESOLVER_DEALER] = { "resolver_dealer", ZMQ_DEALER, false, RES, NULL,
				  "tcp://127.0.0.1:7003" },
	[BUS_EVENTS_XSUB] = { "events_xsub", ZMQ_XSUB, true, EVP, "MERPATI_EVENTS_PUB_BIND",
			      "tcp://127.0.0.1:7004" },
	[BUS_EVENTS_XPUB] = { "events_xpub", ZMQ_XPUB, true, EVS, "MERPATI_EVENTS_SUB_BIND",
			      "tcp://127.0.0.1:7005" },
	[BUS_EVENTS_PUB] = { "events_pub", ZMQ_PUB, false, EVP, NULL, "tcp://127.0.0.1:7004" },
	[BUS_EVENTS_SUB] = { "events_sub", ZMQ_SUB, false, EVS, NULL, "tcp://127.0.0.1:7005" },
};

static pthread_once_t bus_context_once = PTHREAD_ONCE_INIT;
static void *bus_ctx;

/* bus_context_create - zmq_ctx_new once; no context means no messaging at all */
static void bus_context_create(void)
{
	bus_ctx = zmq_ctx_new();
	if (bus_ctx == NULL)
		abort();
}

void *bus_context(void)
{
	pthread_once(&bus_context_once, bus_context_create);
	return bus_ctx;
}

void bus_shutdown(void)
{
	if (bus_ctx != NULL)
		zmq_ctx_term(bus_ctx);
	bus_ctx = NULL;
}

/* bind_from_connect - "tcp://host:port" becomes "tcp://" "*:port"; other transports
 * (ipc://, inproc://) bind where they connect */
static int bind_from_connect(const char *endpoint, char buf[BUS_ENDPOINT_MAX])
{
	const char *colon;
	int n;

	if (strncmp(endpoint, "tcp://", 6) != 0) {
		n = snprintf(buf, BUS_ENDPOINT_MAX, "%s", endpoint);
		return n < 0 || n >= BUS_ENDPOINT_MAX ? -1 : 0;
	}
	colon = strrchr(endpoint + 6, ':');
	if (colon == NULL || colon[1] == '\0')
		return -1;
	n = snprintf(buf, BUS_ENDPOINT_MAX, "tcp://*%s", colon);
	return n < 0 || n >= BUS_ENDPOINT_MAX ? -1 : 0;
}

int bus_endpoint(enum bus_role role, char buf[BUS_ENDPOINT_MAX])
{
	const struct bus_role_info *r = &bus_roles[role];
	const char *endpoint = config_str(r->endpoint_var, r->def);
	int n;

	if (r->binds && r->bind_var != NULL && config_str(r->bind_var, NULL) != NULL)
		endpoint = config_str(r->bind_var, NULL);
	else if (r->binds)
		return bind_from_connect(endpoint, buf);
	n = snprintf(buf, BUS_ENDPOINT_MAX, "%s", endpoint);
	return n < 0 || n >= BUS_ENDPOINT_MAX ? -1 : 0;
}

/* set_options - the bounds every socket gets (zguide: size, high-water marks, linger) */
static int set_options(void *sock, int type)
{
	int64_t max = BUS_MSG_MAX;
	int hwm = BUS_HWM, linger = BUS_LINGER_MS, one = 1;

	if (zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof(max)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof(hwm)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger)) != 0)
		return -1;
	/* A reply to a peer that went away fails visibly instead of vanishing. */
	if (type == ZMQ_ROUTER &&
	    zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof(one)) != 0)
		return -1;
	return 0;
}

void *bus_socket_at(enum bus_role role, const char *endpoint, const char **error_r)
{
	const struct bus_role_info *r = &bus_roles[role];
	void *sock = zmq_socket(bus_context(), r->type);

	if (sock == NULL) {
		*error_r = zmq_strerror(errno);
		return NULL;
	}
	if (set_options(sock, r->type) < 0 ||
	    (r->binds ? zmq_bind(sock, endpoint) : zmq_connect(sock, endpoint)) != 0) {
		*error_r = zmq_strerror(errno);
		zmq_close(sock);
		return NULL;
	}
	log_info("event=bus_socket role=%s %s=%s", r->name, r->binds ? "bind" : "connect",
		 endpoint);
	return sock;
}

void *bus_socket_new(enum bus_role role, const char **error_r)
{
	char endpoint[BUS_ENDPOINT_MAX];

	if (bus_endpoint(role, endpoint) < 0) {
		*error_r = "endpoint too long or without a port";
		return NULL;
	}
	return bus_socket_at(role, endpoint, error_r);
}

void bus_socket_close(void **sock)
{
	if (*sock != NULL)
		zmq_close(*sock);
	*sock = NULL;
}
