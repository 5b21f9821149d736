/* smtp_authlimit - lock out client addresses after repeated failed AUTH.
 *
 * A per-process table: `failures` failed logins from one address within `window` seconds
 * lock it out until the window that began with its first failure ends; AUTH from it is then
 * answered 454 4.7.0 without checking the password. Replicas keep their own tables, so the
 * bound is per replica. The table holds at most SMTP_AUTHLIMIT_MAX addresses; when full,
 * expired entries go first, then the oldest. Pure: the clock is a parameter. */
#ifndef MERPATI_SMTP_AUTHLIMIT_H
#define MERPATI_SMTP_AUTHLIMIT_H

#include <stdbool.h>
#include <time.h>

#define SMTP_AUTHLIMIT_MAX 4096

struct smtp_authlimit;

struct smtp_authlimit *smtp_authlimit_new(unsigned failures, long window);
void smtp_authlimit_free(struct smtp_authlimit **lp);
/* smtp_authlimit_locked - is this address locked out now? */
bool smtp_authlimit_locked(struct smtp_authlimit *l, const char *addr, time_t now);
/* smtp_authlimit_failed - count one failure */
void smtp_authlimit_failed(struct smtp_authlimit *l, const char *addr, time_t now);
/* smtp_authlimit_succeeded - a good login clears the address's count */
void smtp_authlimit_succeeded(struct smtp_authlimit *l, const char *addr);

#endif
