/* web_api_admin_domains - GET/POST /api/admin/domains, DELETE /api/admin/domains/{id}:
 * what `merpati domain list|add|remove` do (lib/store/admin_domain.c). */
#include "services/webmail/web_api_admin.h"

#include <stdio.h>
#include <string.h>

#include "store/admin_domain.h"

/* domain_json - the domain object of docs/WEBMAIL-API.md */
static json_t *domain_json(int64_t id, const char *name, int64_t users)
{
	return json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "name", name, "users",
			 (json_int_t)users);
}

/* append_domain - store_admin_domain_fn adding to a JSON array */
static int append_domain(const struct store_admin_domain *d, void *arg)
{
	json_array_append_new(arg, domain_json(d->id, d->name, d->users));
	return 0;
}

int web_api_admin_domains_list(PGconn *conn, struct web_call *call, const char **error_r)
{
	int64_t limit, offset;
	json_t *arr;

	if (!web_api_admin_page(call, &limit, &offset))
		return 0;
	arr = json_array();
	return web_api_admin_list_answer(call, "domains", arr, store_admin_domain_list(
		conn, limit, offset, append_domain, arr, error_r));
}

struct domain_add {
	const char *in;
	char name[STORE_DOMAIN_SIZE];
	int64_t id;
};

/* domain_add_tx - web_api_admin_tx_fn of the creation */
static enum store_admin_code domain_add_tx(PGconn *conn, void *arg, struct store_admin_result *r)
{
	struct domain_add *a = arg;

	return store_admin_domain_add(conn, a->in, a->name, &a->id, r);
}

int web_api_admin_domains_create(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct domain_add a = { .in = web_api_admin_string(call, "name", STORE_DOMAIN_SIZE - 1) };
	struct store_admin_result r;
	int ret;

	if (a.in == NULL)
		return 0;
	if ((ret = web_api_admin_tx(conn, domain_add_tx, &a, &r, error_r)) < 0)
		return -1;
	if (ret == 0)
		web_api_admin_refuse(call, &r);
	else
		web_call_json(call, 201, json_pack("{s:o}", "domain", domain_json(a.id, a.name, 0)));
	return 0;
}

struct domain_remove {
	int64_t id;
	bool force;
	char name[STORE_DOMAIN_SIZE];
	int64_t accounts;
};

/* domain_remove_tx - web_api_admin_tx_fn of the removal: the name of the id, then what
 * `merpati domain remove` does */
static enum store_admin_code domain_remove_tx(PGconn *conn, void *arg,
					      struct store_admin_result *r)
{
	struct domain_remove *d = arg;
	char name[STORE_DOMAIN_SIZE];
	enum store_admin_code code = store_admin_domain_by_id(conn, d->id, name, r);

	if (code != STORE_ADMIN_OK)
		return code;
	return store_admin_domain_remove(conn, name, d->force, d->name, &d->accounts, r);
}

int web_api_admin_domains_delete(PGconn *conn, struct web_call *call, const char **error_r)
{
	struct domain_remove d = { .id = call->ids[0] };
	struct store_admin_result r;
	char force[4] = "";
	int ret;

	d.force = web_call_query(call, "force", force, sizeof(force)) && strcmp(force, "1") == 0;
	if ((ret = web_api_admin_tx(conn, domain_remove_tx, &d, &r, error_r)) < 0)
		return -1;
	if (ret > 0) {
		web_call_json(call, 200, json_object());
		return 0;
	}
	if (r.code == STORE_ADMIN_REFUSED)
		/* the same refusal as the CLI's, with this API's way to insist */
		snprintf(r.message + strlen(r.message), sizeof(r.message) - strlen(r.message),
			 " (force=1 removes them and their mail)");
	web_api_admin_refuse(call, &r);
	return 0;
}
