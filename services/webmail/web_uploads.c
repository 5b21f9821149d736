/* web_uploads - the webmail_uploads table: insert, load for sending, delete. */
#include "services/webmail/web_uploads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

int web_uploads_insert(PGconn *conn, int64_t account_id, const char *filename,
		       const char *type, const void *data, size_t len,
		       char id_r[WEB_UPLOAD_ID_SIZE], const char **error_r)
{
	char acc[24];
	const char *params[4] = {db_int64_param(acc, account_id), filename, type, data};
	int lengths[4] = {0, 0, 0, (int)len}, formats[4] = {0, 0, 0, 1};
	PGresult *res;

	if (db_exec(conn, "DELETE FROM webmail_uploads WHERE created < now() - interval '"
		    WEB_UPLOADS_MAX_AGE "'", 0, NULL, error_r) < 0)
		return -1;
	res = db_query_bin(conn, "INSERT INTO webmail_uploads (account_id, filename, content_type, "
			   "bytes) VALUES ($1, $2, $3, $4) RETURNING id::text", 4, params,
			   lengths, formats, error_r);
	if (res == NULL)
		return -1;
	db_copy_str(res, 0, 0, id_r, WEB_UPLOAD_ID_SIZE);
	PQclear(res);
	return 0;
}

/* id_ok - s is a uuid in its text form (8-4-4-4-12 hex digits), so it never reaches
 * PostgreSQL as a value it would refuse */
static bool id_ok(const char *s)
{
	if (s == NULL || strlen(s) != WEB_UPLOAD_ID_SIZE - 1)
		return false;
	for (size_t i = 0; s[i] != '\0'; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return false;
	}
	return true;
}

/* load_one - one upload of the account into u; 1, 0 absent, -1 error */
static int load_one(PGconn *conn, const char *acc, const char *id, struct web_upload *u,
		    const char **error_r)
{
	const char *params[2] = {id, acc};
	PGresult *res = db_query_raw(conn, "SELECT filename, content_type, bytes FROM "
				     "webmail_uploads WHERE id = $1::uuid AND account_id = $2::bigint",
				     2, params, NULL, NULL, 1, error_r);

	if (res == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return 0;
	}
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->filename, sizeof(u->filename), "%.*s", PQgetlength(res, 0, 0),
		 PQgetvalue(res, 0, 0));
	snprintf(u->type, sizeof(u->type), "%.*s", PQgetlength(res, 0, 1), PQgetvalue(res, 0, 1));
	u->len = (size_t)PQgetlength(res, 0, 2);
	if ((u->data = malloc(u->len + 1)) == NULL)
		abort();
	memcpy(u->data, PQgetvalue(res, 0, 2), u->len);
	PQclear(res);
	return 1;
}

int web_uploads_load(PGconn *conn, int64_t account_id, const json_t *ids, size_t max_total,
		     struct web_upload out[WEB_UPLOADS_PER_MESSAGE], size_t *n_r,
		     const char **error_r)
{
	char acc[24];
	size_t i, total = 0;
	const json_t *v;
	int r;

	*n_r = 0;
	if (ids == NULL)
		return 1;
	if (!json_is_array(ids) || json_array_size(ids) > WEB_UPLOADS_PER_MESSAGE)
		return -3;
	db_int64_param(acc, account_id);
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v))
			return -3;
		if (!id_ok(json_string_value(v)))
			return 0;
		if ((r = load_one(conn, acc, json_string_value(v), &out[*n_r], error_r)) <= 0)
			return r;
		total += out[(*n_r)++].len;
		if (total > max_total)
			return -2;
	}
	return 1;
}

int web_uploads_delete(PGconn *conn, int64_t account_id, const struct web_upload *u, size_t n,
		       const char **error_r)
{
	char acc[24];

	db_int64_param(acc, account_id);
	for (size_t i = 0; i < n; i++) {
		const char *params[2] = {u[i].id, acc};

		if (db_exec(conn, "DELETE FROM webmail_uploads WHERE id = $1::uuid AND "
			    "account_id = $2::bigint", 2, params, error_r) < 0)
			return -1;
	}
	return 0;
}

void web_uploads_free(struct web_upload *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(u[i].data);
		u[i].data = NULL;
	}
}
