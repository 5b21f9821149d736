/* web_api_admin_aliases - GET/POST /api/admin/aliases, DELETE /api/admin/aliases/{id}:
 * what `merpati alias list|add|remove` do (lib/store/admin_alias.c). */
#include "services/webmail/web_api_admin.h"

#include "store/admin_alias.h"

/* alias_json - the alias object of docs/WEBMAIL-API.md */
static json_t *alias_json(int64_t id, const char *source, const char *target)
{
	return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "source", source, "target",
			 target);
}

/* append_alias - store_alias_page_fn adding to a JSON array */
static int append_alias(const struct store_alias *a, void *arg)
{
	json_array_append_new(arg, alias_json(a->id, a->source, a->target));
	return 0;
}

/* list_aliases - web_api_admin_lister over store_alias_list_page */
static int list_aliases(PGconn *conn, const char *domain, const char *match, int64_t limit,
			int64_t offset, json_t *arr, const char **error_r)
{
	return store_alias_list_page(conn, domain, match, limit, offset, append_alias, arr,
				     error_r);
}

int web_api_admin_aliases_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	return web_api_admin_list_by_domain(conn, call, "aliases", list_aliases, error_r);
}

struct alias_add {
	const char *source_in, *target_in;
	char source[STORE_ADDRESS_SIZE], target[STORE_ADDRESS_SIZE];
	int64_t id;
};

/* alias_add_tx - web_api_admin_tx_fn: as `merpati alias add SOURCE TARGET` */
static enum store_admin_code alias_add_tx(PGconn *conn, void *arg, struct store_admin_result *r)
{
	struct alias_add *a = arg;
	enum store_admin_code code;

	if ((code = store_admin_alias_source(a->source_in, a->source, r)) != STORE_ADMIN_OK ||
	    (code = store_admin_alias_domain(conn, a->source, r)) != STORE_ADMIN_OK)
		return code;
	return store_admin_alias_add(conn, a->source, a->target_in, a->target, &a->id, r);
}

int web_api_admin_aliases_create(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct alias_add a = { .source_in = web_api_admin_string(call, "source", STORE_ADDRESS_MAX) };
	struct store_admin_result r;
	int ret;

	if (a.source_in == NULL ||
	    (a.target_in = web_api_admin_string(call, "target", STORE_ADDRESS_MAX)) == NULL)
		return 0;
	if ((ret = web_api_admin_tx(conn, alias_add_tx, &a, &r, error_r)) < 0)
		return -1;
	if (ret == 0)
		web_api_admin_refuse(call, &r);
	else
		web_call_json(call, 201, json_pack("{s:o}", "alias",
						   alias_json(a.id, a.source, a.target)));
	return 0;
}

int web_api_admin_aliases_delete(PGconn *conn, struct web_call *call, const char **error_r)
{
	int removed = store_alias_remove_id(conn, call->ids[0], error_r);

	if (removed < 0)
		return -1;
	if (removed == 0)
		web_call_error(call, 404, "not_found", "no such alias");
	else
		web_call_json(call, 200, json_object());
	return 0;
}
