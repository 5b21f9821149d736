/* web_routes - the table of API routes and the path matcher. */
#include "services/webmail/web_routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct web_route routes[] = {
	{"POST", "/api/login", WEB_AUTH_NONE, web_session_login},
	{"POST", "/api/logout", WEB_AUTH_SESSION, web_session_logout},
	{"GET", "/api/session", WEB_AUTH_SESSION, web_session_get},
	{"POST", "/api/password", WEB_AUTH_SESSION, web_session_password},
	{"POST", "/api/uploads", WEB_AUTH_SESSION, web_api_uploads_create},
	{"POST", "/api/send", WEB_AUTH_SESSION, web_api_send},
	{"POST", "/api/drafts", WEB_AUTH_SESSION, web_api_drafts},
	{"GET", "/api/contacts", WEB_AUTH_SESSION, web_api_contacts_list},
	{"GET", "/api/contacts/autocomplete", WEB_AUTH_SESSION, web_api_contacts_autocomplete},
	{"GET", "/api/contacts.vcf", WEB_AUTH_SESSION, web_api_contacts_export},
	{"POST", "/api/contacts", WEB_AUTH_SESSION, web_api_contacts_create},
	{"POST", "/api/contacts/import", WEB_AUTH_SESSION, web_api_contacts_import},
	{"PUT", "/api/contacts/#", WEB_AUTH_SESSION, web_api_contacts_update},
	{"DELETE", "/api/contacts/#", WEB_AUTH_SESSION, web_api_contacts_delete},
	{"GET", "/api/search", WEB_AUTH_SESSION, web_api_search},
	{"GET", "/api/events", WEB_AUTH_SESSION, web_api_events},
	{"GET", "/api/identities", WEB_AUTH_SESSION, web_api_identities},
	{"PUT", "/api/identities", WEB_AUTH_SESSION, web_api_identities_replace},
	{"GET", "/api/rules", WEB_AUTH_SESSION, web_api_rules_list},
	{"PUT", "/api/rules", WEB_AUTH_SESSION, web_api_rules_replace},
	{"GET", "/api/folders", WEB_AUTH_SESSION, web_api_folders_list},
	{"POST", "/api/folders", WEB_AUTH_SESSION, web_api_folders_create},
	{"PATCH", "/api/folders/#", WEB_AUTH_SESSION, web_api_folders_rename},
	{"DELETE", "/api/folders/#", WEB_AUTH_SESSION, web_api_folders_delete},
	{"GET", "/api/folders/#/messages", WEB_AUTH_SESSION, web_api_messages_list},
	{"PATCH", "/api/folders/#/messages", WEB_AUTH_SESSION, web_api_messages_flags},
	{"GET", "/api/folders/#/messages/#", WEB_AUTH_SESSION, web_api_messages_get},
	{"GET", "/api/folders/#/messages/#/body", WEB_AUTH_SESSION, web_api_messages_body},
	{"GET", "/api/folders/#/messages/#/raw", WEB_AUTH_SESSION, web_api_messages_raw},
	{"GET", "/api/folders/#/messages/#/parts/*", WEB_AUTH_SESSION, web_api_messages_part},
	{"GET", "/api/folders/#/messages/#/cid/*", WEB_AUTH_SESSION, web_api_messages_cid},
	{"POST", "/api/folders/#/messages/move", WEB_AUTH_SESSION, web_api_messages_move},
	{"POST", "/api/folders/#/messages/delete", WEB_AUTH_SESSION, web_api_messages_delete},
	{"GET", "/api/admin/domains", WEB_AUTH_ADMIN, web_api_admin_domains_list},
	{"POST", "/api/admin/domains", WEB_AUTH_ADMIN, web_api_admin_domains_create},
	{"DELETE", "/api/admin/domains/#", WEB_AUTH_ADMIN, web_api_admin_domains_delete},
	{"GET", "/api/admin/users", WEB_AUTH_ADMIN, web_api_admin_users_list},
	{"POST", "/api/admin/users", WEB_AUTH_ADMIN, web_api_admin_users_create},
	{"PATCH", "/api/admin/users/#", WEB_AUTH_ADMIN, web_api_admin_users_update},
	{"DELETE", "/api/admin/users/#", WEB_AUTH_ADMIN, web_api_admin_users_delete},
	{"GET", "/api/admin/aliases", WEB_AUTH_ADMIN, web_api_admin_aliases_list},
	{"POST", "/api/admin/aliases", WEB_AUTH_ADMIN, web_api_admin_aliases_create},
	{"DELETE", "/api/admin/aliases/#", WEB_AUTH_ADMIN, web_api_admin_aliases_delete},
	{"GET", "/api/admin/shares", WEB_AUTH_ADMIN, web_api_admin_shares_list},
	{"POST", "/api/admin/shares", WEB_AUTH_ADMIN, web_api_admin_shares_grant},
	{"DELETE", "/api/admin/shares", WEB_AUTH_ADMIN, web_api_admin_shares_revoke},
	{"GET", "/api/admin/queue", WEB_AUTH_ADMIN, web_api_admin_queue_list},
	{"POST", "/api/admin/queue/in/#/retry", WEB_AUTH_ADMIN, web_api_admin_queue_retry},
	{"POST", "/api/admin/queue/out/#/retry", WEB_AUTH_ADMIN, web_api_admin_queue_retry},
	{"DELETE", "/api/admin/queue/in/#", WEB_AUTH_ADMIN, web_api_admin_queue_delete},
	{"DELETE", "/api/admin/queue/out/#", WEB_AUTH_ADMIN, web_api_admin_queue_delete},
};

/* segment_number - a positive decimal integer of at most 18 digits; -1 otherwise */
static int64_t segment_number(const char *s, size_t n)
{
	int64_t v = 0;

	if (n == 0 || n > 18 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* path_match - path fits pattern; the '#' segments go to ids; a final '*' matches one
 * non-empty segment (read again by the route) */
static bool path_match(const char *pattern, const char *path, int64_t ids[WEB_PATH_IDS_MAX])
{
	size_t nids = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '#') {
			size_t n = strcspn(path, "/");
			int64_t v = segment_number(path, n);

			if (v < 0 || nids == WEB_PATH_IDS_MAX)
				return false;
			ids[nids++] = v;
			path += n;
			pattern++;
		} else if (*pattern == '*') {
			size_t n = strcspn(path, "/");

			if (n == 0 || path[n] != '\0')
				return false;
			path += n;
			pattern++;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

const struct web_route *web_routes_match(const char *method, const char *path,
					 struct web_call *call, int *status_r)
{
	bool path_found = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int64_t ids[WEB_PATH_IDS_MAX] = {0};

		if (!path_match(routes[i].pattern, path, ids))
			continue;
		path_found = true;
		if (strcmp(routes[i].method, method) == 0) {
			memcpy(call->ids, ids, sizeof(ids));
			return &routes[i];
		}
	}
	*status_r = path_found ? 405 : 404;
	return NULL;
}
