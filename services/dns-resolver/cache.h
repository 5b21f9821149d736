/* cache - MX replies by domain until their TTL runs out, with a bound on the entries.
 *
 * Values are packed MxReply bytes. Expired entries are never returned (and are dropped when
 * looked up); when the cache is full, the least recently used entry goes. */
#ifndef MERPATI_CACHE_H
#define MERPATI_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct cache;

/* cache_new - at most max entries (at least 1) */
struct cache *cache_new(size_t max);
/* cache_get - the bytes cached for key and the seconds they stay valid; NULL on a miss.
 * The pointer is valid until the next cache_put. */
const uint8_t *cache_get(struct cache *c, const char *key, time_t now, size_t *len_r,
			 uint32_t *ttl_left_r);
/* cache_put - store a copy of data for key for ttl seconds (0: not stored) */
void cache_put(struct cache *c, const char *key, const uint8_t *data, size_t len,
	       uint32_t ttl, time_t now);
/* cache_count - entries held (some may have expired) */
size_t cache_count(const struct cache *c);
void cache_free(struct cache **c);

#endif
