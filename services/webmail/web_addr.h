/* web_addr - an address list as stored in message_meta ("Name <a@b>, c@d", decoded) to
 * the JSON the API gives: [{"name": "Name", "email": "a@b"}, ...] (GMime parses it). */
#ifndef MERPATI_WEBMAIL_WEB_ADDR_H
#define MERPATI_WEBMAIL_WEB_ADDR_H

#include <jansson.h>

#define WEB_ADDR_MAX 200 /* addresses listed from one field */

/* web_addr_json - a new JSON array ([] for "" or text GMime cannot read) */
json_t *web_addr_json(const char *text);

#endif
