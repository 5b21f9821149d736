/* admin.c - results and operand checks every administrative operation shares */
#include "store/admin.h"

#include <stdarg.h>
#include <stdio.h>

enum store_admin_code store_admin_fail(struct store_admin_result *r, enum store_admin_code code,
				       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	r->code = code;
	r->db_error = NULL;
	return code;
}

enum store_admin_code store_admin_db(struct store_admin_result *r, const char *error)
{
	r->code = STORE_ADMIN_DB;
	r->db_error = error != NULL ? error : "unknown error";
	snprintf(r->message, sizeof(r->message), "%s", r->db_error);
	return STORE_ADMIN_DB;
}

enum store_admin_code store_admin_address(const char *in, const char *role,
					  char out[STORE_ADDRESS_SIZE],
					  struct store_admin_result *r)
{
	const char *why = NULL;

	if (store_address_normalize(in, out, &why) == 0)
		return STORE_ADMIN_OK;
	if (role != NULL)
		return store_admin_fail(r, STORE_ADMIN_INVALID, "%s '%.64s' is not a valid address: %s",
					role, in, why);
	return store_admin_fail(r, STORE_ADMIN_INVALID, "'%.64s' is not a valid address: %s", in,
				why);
}

enum store_admin_code store_admin_domain_name(const char *in, char out[STORE_DOMAIN_SIZE],
					      struct store_admin_result *r)
{
	const char *why = NULL;

	if (store_domain_normalize(in, out, &why) == 0)
		return STORE_ADMIN_OK;
	return store_admin_fail(r, STORE_ADMIN_INVALID, "'%.64s' is not a domain name: %s", in, why);
}
