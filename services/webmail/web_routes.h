/* web_routes - the table of API routes (docs/WEBMAIL-API.md) and the path matcher. */
#ifndef MERPATI_WEBMAIL_WEB_ROUTES_H
#define MERPATI_WEBMAIL_WEB_ROUTES_H

#include "services/webmail/web_server.h"

enum web_auth {
	WEB_AUTH_NONE,    /* login */
	WEB_AUTH_SESSION, /* a valid session; CSRF token too for POST/PUT/PATCH/DELETE */
	WEB_AUTH_ADMIN,   /* the same, and the address is in MERPATI_WEBMAIL_ADMINS */
};

struct web_route {
	const char *method;
	const char *pattern; /* "/api/folders/#/messages": '#' matches a positive integer */
	enum web_auth auth;
	web_route_fn *fn;
};

/* web_routes_match - the route for method and path, filling call->ids; NULL with
 * *status_r 404 (no such path) or 405 (path exists with another method) */
const struct web_route *web_routes_match(const char *method, const char *path,
					 struct web_call *call, int *status_r);

/* Route work functions, by file. */
web_route_fn web_session_login, web_session_logout, web_session_get, web_session_password;
web_route_fn web_api_folders_list, web_api_folders_create, web_api_folders_rename,
	web_api_folders_delete;
web_route_fn web_api_messages_list, web_api_messages_get, web_api_messages_body,
	web_api_messages_raw, web_api_messages_flags;
web_route_fn web_api_messages_part, web_api_messages_cid, web_api_messages_move,
	web_api_messages_delete;
web_route_fn web_api_uploads_create;
web_route_fn web_api_send, web_api_drafts, web_api_search, web_api_events,
	web_api_identities, web_api_identities_replace, web_api_rules_list, web_api_rules_replace;
web_route_fn web_api_contacts_list, web_api_contacts_autocomplete, web_api_contacts_export,
	web_api_contacts_create, web_api_contacts_update, web_api_contacts_delete,
	web_api_contacts_import;
web_route_fn web_api_admin_domains_list, web_api_admin_domains_create,
	web_api_admin_domains_delete;
web_route_fn web_api_admin_users_list, web_api_admin_users_create, web_api_admin_users_update,
	web_api_admin_users_delete;
web_route_fn web_api_admin_aliases_list, web_api_admin_aliases_create,
	web_api_admin_aliases_delete;
web_route_fn web_api_admin_shares_list, web_api_admin_shares_grant, web_api_admin_shares_revoke;
web_route_fn web_api_admin_queue_list, web_api_admin_queue_retry, web_api_admin_queue_delete;

#endif
