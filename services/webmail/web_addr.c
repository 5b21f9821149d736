/* web_addr - address lists to JSON; groups (RFC 5322 3.4) are flattened to their members. */
#include "services/webmail/web_addr.h"

#include <gmime/gmime.h>

/* add_list - append the mailboxes of l (and of groups inside it) to arr */
static void add_list(json_t *arr, InternetAddressList *l, int depth)
{
	for (int i = 0; i < internet_address_list_length(l) && depth < 2; i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		const char *name = internet_address_get_name(a);

		if (json_array_size(arr) >= WEB_ADDR_MAX)
			return;
		if (INTERNET_ADDRESS_IS_GROUP(a)) {
			add_list(arr, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)),
				 depth + 1);
			continue;
		}
		json_array_append_new(arr, json_pack("{s:s, s:s}", "name", name != NULL ? name : "",
			"email", internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))));
	}
}

json_t *web_addr_json(const char *text)
{
	json_t *arr = json_array();
	InternetAddressList *l;

	if (text == NULL || text[0] == '\0' || (l = internet_address_list_parse(NULL, text)) == NULL)
		return arr;
	add_list(arr, l, 0);
	g_object_unref(l);
	return arr;
}
