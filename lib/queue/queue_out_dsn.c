/* queue_out_dsn.c - DSNs from smtp-out as inbound jobs (see queue_out_dsn.h) */
#include <string.h>

#include "queue/queue.h"
#include "queue/queue_out_dsn.h"
#include "store/db.h"

int queue_out_dsn_insert(PGconn *conn, const char *to, const void *msg, size_t len,
			 const char *key, int64_t *id_r, const char **error_r)
{
	char hex[STORE_SHA256_HEX_SIZE], size[24], id[24];
	const char *params[4];
	PGresult *res;
	int inserted;

	if (to[0] == '\0' || strlen(to) >= STORE_ADDRESS_SIZE || key[0] == '\0' ||
	    strlen(key) > QUEUE_KEY_MAX)
		return db_fail("22023", error_r, "malformed DSN recipient or key");
	if (store_message_insert(conn, msg, len, hex, &inserted, error_r) < 0)
		return -1;
	params[0] = hex;
	params[1] = db_int64_param(size, (int64_t)len);
	params[2] = key;
	res = db_query(conn, "INSERT INTO queue_in (sender, client_ip, helo, listener, sha256, "
			     "size, idempotency_key) VALUES ('', '127.0.0.1', 'localhost', 'local', "
			     "decode($1, 'hex'), $2, $3) ON CONFLICT (idempotency_key) DO NOTHING "
			     "RETURNING id", 3, params, error_r);
	if (res == NULL)
		return -1;
	inserted = PQntuples(res) == 1;
	*id_r = inserted ? db_get_int64(res, 0, 0) : 0;
	PQclear(res);
	if (!inserted)
		return 0;
	params[0] = db_int64_param(id, *id_r);
	params[1] = to;
	if (db_exec(conn, "INSERT INTO queue_in_rcpt (job_id, position, address, notify) "
			  "VALUES ($1, 0, $2, 8)", 2, params, error_r) < 0)
		return -1;
	return 1;
}
