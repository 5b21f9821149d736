/* smtp_authlimit.c - failed-AUTH counting per client address */
#include "smtp_authlimit.h"

#include <glib.h>

struct entry {
	time_t first;   /* first failure of the current window */
	unsigned count;
};

struct smtp_authlimit {
	GHashTable *by_addr; /* char * -> struct entry * */
	unsigned failures;
	long window;
};

/* smtp_authlimit_new - an empty table */
struct smtp_authlimit *smtp_authlimit_new(unsigned failures, long window)
{
	struct smtp_authlimit *l = g_new0(struct smtp_authlimit, 1);

	l->by_addr = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	l->failures = failures;
	l->window = window;
	return l;
}

/* smtp_authlimit_free - free the table and set *lp = NULL */
void smtp_authlimit_free(struct smtp_authlimit **lp)
{
	if (*lp == NULL)
		return;
	g_hash_table_destroy((*lp)->by_addr);
	g_free(*lp);
	*lp = NULL;
}

/* expired - the entry's window is over */
static bool expired(const struct smtp_authlimit *l, const struct entry *e, time_t now)
{
	return now - e->first >= l->window;
}

/* make_room - drop expired entries, and if none were, the oldest one */
static void make_room(struct smtp_authlimit *l, time_t now)
{
	GHashTableIter it;
	gpointer key, val, oldest = NULL;
	time_t oldest_first = now + 1;
	guint before = g_hash_table_size(l->by_addr);

	g_hash_table_iter_init(&it, l->by_addr);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct entry *e = val;

		if (expired(l, e, now)) {
			g_hash_table_iter_remove(&it);
		} else if (e->first < oldest_first) {
			oldest_first = e->first;
			oldest = key;
		}
	}
	if (g_hash_table_size(l->by_addr) == before && oldest != NULL)
		g_hash_table_remove(l->by_addr, oldest);
}

/* smtp_authlimit_locked - locked out now? (forgets an expired entry on the way) */
bool smtp_authlimit_locked(struct smtp_authlimit *l, const char *addr, time_t now)
{
	struct entry *e = g_hash_table_lookup(l->by_addr, addr);

	if (e == NULL)
		return false;
	if (expired(l, e, now)) {
		g_hash_table_remove(l->by_addr, addr);
		return false;
	}
	return e->count >= l->failures;
}

/* smtp_authlimit_failed - count a failure, starting a new window when the old one ended */
void smtp_authlimit_failed(struct smtp_authlimit *l, const char *addr, time_t now)
{
	struct entry *e = g_hash_table_lookup(l->by_addr, addr);

	if (e != NULL && expired(l, e, now)) {
		e->first = now;
		e->count = 0;
	}
	if (e == NULL) {
		if (g_hash_table_size(l->by_addr) >= SMTP_AUTHLIMIT_MAX)
			make_room(l, now);
		e = g_new0(struct entry, 1);
		e->first = now;
		g_hash_table_insert(l->by_addr, g_strdup(addr), e);
	}
	e->count++;
}

/* smtp_authlimit_succeeded - forget the address */
void smtp_authlimit_succeeded(struct smtp_authlimit *l, const char *addr)
{
	g_hash_table_remove(l->by_addr, addr);
}
