/* web_throttle - a fixed table of counters keyed by "ip:<addr>" and "user:<name>". */
#include "services/webmail/web_throttle.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define KEY_MAX 300

struct slot {
	char key[KEY_MAX];
	time_t start;
	unsigned fails;
};

static struct slot slots[WEB_THROTTLE_SLOTS];

/* find - the slot of key, or a free/expired/oldest one taken for it when create is set */
static struct slot *find(const char *key, bool create, time_t now)
{
	struct slot *victim = &slots[0];

	for (size_t i = 0; i < WEB_THROTTLE_SLOTS; i++) {
		if (slots[i].key[0] != '\0' && strcmp(slots[i].key, key) == 0) {
			if (now - slots[i].start >= WEB_THROTTLE_WINDOW) {
				slots[i].start = now;
				slots[i].fails = 0;
			}
			return &slots[i];
		}
		if (slots[i].start < victim->start)
			victim = &slots[i];
	}
	if (!create)
		return NULL;
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	victim->start = now;
	victim->fails = 0;
	return victim;
}

/* user_key - "user:<lowercased username>" from the login body ("" when none) */
static void user_key(const json_t *login, char key[KEY_MAX])
{
	const char *u = json_string_value(json_object_get(login, "username"));

	key[0] = '\0';
	if (u == NULL || strlen(u) > 254)
		return;
	snprintf(key, KEY_MAX, "user:%s", u);
	for (char *p = key; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
}

/* wait_for - seconds left in the window of key once it reached max failures */
static int wait_for(const char *key, unsigned max, time_t now)
{
	struct slot *s = find(key, false, now);

	if (s == NULL || s->fails < max)
		return 0;
	return (int)(WEB_THROTTLE_WINDOW - (now - s->start));
}

int web_throttle_check(const char *ip, const json_t *login)
{
	char key[KEY_MAX];
	time_t now = time(NULL);
	int w;

	snprintf(key, sizeof(key), "ip:%s", ip);
	if ((w = wait_for(key, WEB_THROTTLE_IP_MAX, now)) > 0)
		return w;
	user_key(login, key);
	return key[0] != '\0' ? wait_for(key, WEB_THROTTLE_USER_MAX, now) : 0;
}

void web_throttle_fail(const char *ip, const json_t *login)
{
	char key[KEY_MAX];
	time_t now = time(NULL);

	snprintf(key, sizeof(key), "ip:%s", ip);
	find(key, true, now)->fails++;
	user_key(login, key);
	if (key[0] != '\0')
		find(key, true, now)->fails++;
}
