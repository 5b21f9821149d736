/* web_throttle - failed logins per client IP and per username, in this process's memory
 * (loop thread only). After WEB_THROTTLE_IP_MAX failures from one IP, or
 * WEB_THROTTLE_USER_MAX for one username, within WEB_THROTTLE_WINDOW seconds, further
 * logins are refused until the window passes. */
#ifndef MERPATI_WEBMAIL_WEB_THROTTLE_H
#define MERPATI_WEBMAIL_WEB_THROTTLE_H

#include <jansson.h>

#define WEB_THROTTLE_IP_MAX 5
#define WEB_THROTTLE_USER_MAX 10
#define WEB_THROTTLE_WINDOW 300
#define WEB_THROTTLE_SLOTS 4096  /* remembered keys; the oldest is forgotten first */

/* web_throttle_check - seconds to wait before this login may be tried, 0 when it may */
int web_throttle_check(const char *ip, const json_t *login);
/* web_throttle_fail - count a failed login for the IP and the username in the body */
void web_throttle_fail(const char *ip, const json_t *login);

#endif
