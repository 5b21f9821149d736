/* web_api_admin - what the /api/admin/ route files share: paging, request fields, one
 * transaction around a lib/store admin operation, and the HTTP answer of its outcome. The
 * checks themselves are lib/store's admin_*.c, the same the `merpati` command runs. */
#ifndef MERPATI_WEBMAIL_WEB_API_ADMIN_H
#define MERPATI_WEBMAIL_WEB_API_ADMIN_H

#include "services/webmail/web_routes.h"
#include "store/admin.h"

#define WEB_ADMIN_LIMIT_DEFAULT 100  /* rows of a listing without ?limit= */
#define WEB_ADMIN_LIMIT_MAX 1000     /* most rows one listing answers */
#define WEB_ADMIN_OFFSET_MAX 1000000000
/* Room for a query parameter's value: the whole query string fits, so a value too long for
 * its field is refused (400) rather than taken as absent. */
#define WEB_ADMIN_PARAM_SIZE (sizeof(((struct web_call *)0)->query))

/* web_api_admin_page - ?limit= and ?offset= of a listing, bounded; false after a 400 */
bool web_api_admin_page(struct web_call *call, int64_t *limit_r, int64_t *offset_r);
#define WEB_ADMIN_MATCH_MAX 254       /* bytes of a ?q= filter: an address's length */

/* web_api_admin_lister - one page of a listing of domain (NULL: every domain), only the rows
 * containing match (NULL: every row), appended to arr; the number listed or -1 with *error_r */
typedef int web_api_admin_lister(PGconn *conn, const char *domain, const char *match,
			     int64_t limit, int64_t offset, json_t *arr, const char **error_r);
/* web_api_admin_list_by_domain - a GET with ?limit=, ?offset=, an optional ?domain= (400 when
 * malformed, 404 when not ours) and an optional ?q= (text the address contains; 400 when not
 * UTF-8 or longer than WEB_ADMIN_MATCH_MAX) answered {"key": [...]}; what the route returns */
int web_api_admin_list_by_domain(PGconn *conn, struct web_call *call, const char *key,
			     web_api_admin_lister *list, const char **error_r);
/* web_api_admin_list_answer - answer {"key": arr} after a listing that returned n (< 0: it
 * failed, arr is dropped); what the route returns */
int web_api_admin_list_answer(struct web_call *call, const char *key, json_t *arr, int n);
/* web_api_admin_string - the string member key of the body (at most max bytes, no control
 * characters); NULL after a 400 naming it */
const char *web_api_admin_string(struct web_call *call, const char *key, size_t max);
/* web_api_admin_refuse - answer a store_admin outcome that is neither OK nor DB: 400
 * bad_request, 404 not_found, 409 exists or 409 not_empty, with its message */
void web_api_admin_refuse(struct web_call *call, const struct store_admin_result *r);

/* web_api_admin_fail - what a route returns for an outcome that is not OK: -1 with *error_r
 * for a database failure, else 0 after web_api_admin_refuse */
int web_api_admin_fail(struct web_call *call, const struct store_admin_result *r,
		   const char **error_r);

/* web_api_admin_tx_fn - an admin operation inside web_api_admin_tx's transaction */
typedef enum store_admin_code web_api_admin_tx_fn(PGconn *conn, void *arg,
					      struct store_admin_result *r);
/* web_api_admin_tx - run fn in one transaction (retried on serialization failures). 1 done and
 * committed; 0 refused and rolled back, r says why; -1 store error with *error_r */
int web_api_admin_tx(PGconn *conn, web_api_admin_tx_fn *fn, void *arg, struct store_admin_result *r,
		 const char **error_r);
#endif
