/* net_iplimit.c - connections per client address, for the per-IP limit of a listener */
#include "net/net_internal.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define IPLIMIT_BUCKETS 1024

struct iplimit_entry {
	uint8_t key[16];   /* IPv6 address, or IPv4 as ::ffff:a.b.c.d */
	unsigned count;
	struct iplimit_entry *next;
};

struct net_iplimit {
	struct iplimit_entry *buckets[IPLIMIT_BUCKETS];
};

struct net_iplimit *net_iplimit_new(void)
{
	struct net_iplimit *t = calloc(1, sizeof(*t));

	if (t == NULL)
		abort();
	return t;
}

void net_iplimit_free(struct net_iplimit **t)
{
	if (*t == NULL)
		return;
	for (size_t i = 0; i < IPLIMIT_BUCKETS; i++) {
		while ((*t)->buckets[i] != NULL) {
			struct iplimit_entry *e = (*t)->buckets[i];
			(*t)->buckets[i] = e->next;
			free(e);
		}
	}
	free(*t);
	*t = NULL;
}

/* key_of - the 16-byte key of an address; -1 for other families */
static int key_of(const struct sockaddr *sa, uint8_t key[16])
{
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 0;
	}
	if (sa->sa_family == AF_INET) {
		memset(key, 0, 10);
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	return -1;
}

/* slot - the chain link where key is or would be */
static struct iplimit_entry **slot(struct net_iplimit *t, const uint8_t key[16])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	struct iplimit_entry **p;

	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	for (p = &t->buckets[h % IPLIMIT_BUCKETS]; *p != NULL; p = &(*p)->next)
		if (memcmp((*p)->key, key, 16) == 0)
			break;
	return p;
}

bool net_iplimit_acquire(struct net_iplimit *t, const struct sockaddr *sa, unsigned max)
{
	uint8_t key[16];
	struct iplimit_entry **p;

	if (key_of(sa, key) < 0)
		return true;
	p = slot(t, key);
	if (*p == NULL) {
		*p = calloc(1, sizeof(**p));
		if (*p == NULL)
			abort();
		memcpy((*p)->key, key, 16);
	}
	if (max > 0 && (*p)->count >= max)
		return false;
	(*p)->count++;
	return true;
}

void net_iplimit_release(struct net_iplimit *t, const struct sockaddr *sa)
{
	uint8_t key[16];
	struct iplimit_entry **p, *e;

	if (key_of(sa, key) < 0)
		return;
	p = slot(t, key);
	if (*p == NULL)
		return;
	if (--(*p)->count == 0) {
		e = *p;
		*p = e->next;
		free(e);
	}
}
