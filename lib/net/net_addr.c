/* net_addr.c - addresses as text, loopback test, and the MERPATI_PLAINTEXT_AUTH rule */
#include "net/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

const char *net_addr_format(const struct sockaddr *sa, char buf[NET_ADDR_MAX])
{
	const void *addr = NULL;

	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (addr == NULL || inet_ntop(sa->sa_family, addr, buf, NET_ADDR_MAX) == NULL)
		strcpy(buf, "unknown");
	return buf;
}

bool net_addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
		return (ntohl(s->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

bool net_is_secure(enum net_plaintext_auth policy, bool tls, const struct sockaddr *peer)
{
	if (tls || policy == NET_PLAINTEXT_AUTH_ALWAYS)
		return true;
	/* DESIGN.md section 6: "loopback" trusts 127.0.0.0/8 and ::1, as Dovecot does. */
	return policy == NET_PLAINTEXT_AUTH_LOOPBACK && peer != NULL && net_addr_is_loopback(peer);
}

enum net_plaintext_auth net_plaintext_auth_from_config(void)
{
	static const char *const choices[] = { "never", "loopback", "always", NULL };

	return (enum net_plaintext_auth)config_enum("MERPATI_PLAINTEXT_AUTH", "loopback",
						     choices);
}
