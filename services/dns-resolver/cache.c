/* cache.c - a hash table with an LRU list and TTLs */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_BUCKETS 4096

struct entry {
	char *key;
	uint8_t *data;
	size_t len;
	time_t expires;
	struct entry *hnext;            /* chain in a bucket */
	struct entry *newer, *older;    /* LRU list */
};

struct cache {
	struct entry *buckets[CACHE_BUCKETS];
	struct entry *newest, *oldest;
	size_t count, max;
};

struct cache *cache_new(size_t max)
{
	struct cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	c->max = max > 0 ? max : 1;
	return c;
}

/* bucket - the chain head for key (FNV-1a) */
static struct entry **bucket(struct cache *c, const char *key)
{
	uint32_t h = 2166136261u;

	for (const char *p = key; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return &c->buckets[h % CACHE_BUCKETS];
}

/* lru_unlink - take e out of the LRU list */
static void lru_unlink(struct cache *c, struct entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

/* lru_front - make e the most recently used */
static void lru_front(struct cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest != NULL)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

/* find - the entry for key and the link pointing at it */
static struct entry *find(struct cache *c, const char *key, struct entry ***link_r)
{
	struct entry **p = bucket(c, key);

	for (; *p != NULL; p = &(*p)->hnext)
		if (strcmp((*p)->key, key) == 0)
			break;
	*link_r = p;
	return *p;
}

/* remove_entry - unlink from both structures and free */
static void remove_entry(struct cache *c, struct entry *e)
{
	struct entry **link;

	find(c, e->key, &link);
	*link = e->hnext;
	lru_unlink(c, e);
	free(e->key);
	free(e->data);
	free(e);
	c->count--;
}

const uint8_t *cache_get(struct cache *c, const char *key, time_t now, size_t *len_r,
			 uint32_t *ttl_left_r)
{
	struct entry **link, *e = find(c, key, &link);

	if (e == NULL)
		return NULL;
	if (e->expires <= now) {
		remove_entry(c, e);
		return NULL;
	}
	lru_unlink(c, e);
	lru_front(c, e);
	*len_r = e->len;
	*ttl_left_r = (uint32_t)(e->expires - now);
	return e->data;
}

void cache_put(struct cache *c, const char *key, const uint8_t *data, size_t len,
	       uint32_t ttl, time_t now)
{
	struct entry **link, *e = find(c, key, &link);

	if (e != NULL)
		remove_entry(c, e);
	if (ttl == 0)
		return;
	while (c->count >= c->max)
		remove_entry(c, c->oldest);
	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->key = strdup(key)) == NULL || (e->data = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(e->data, data, len);
	e->len = len;
	e->expires = now + (time_t)ttl;
	find(c, key, &link);
	*link = e;
	lru_front(c, e);
	c->count++;
}

size_t cache_count(const struct cache *c)
{
	return c->count;
}

void cache_free(struct cache **c)
{
	if (*c == NULL)
		return;
	while ((*c)->oldest != NULL)
		remove_entry(*c, (*c)->oldest);
	free(*c);
	*c = NULL;
}
