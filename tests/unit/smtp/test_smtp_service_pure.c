/* test_smtp_service_pure.c - the Received header (RFC 5321 4.4, RFC 3848); the failed-AUTH
 * lockout lives in the store and is tested through smtp-in (test_smtp_limits.py) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "smtp_received.h"

static void test_received_full(void **state)
{
	struct smtp_received r = {
		.helo = "client.example", .client_ip = "192.0.2.1", .hostname = "mx.example.org",
		.esmtp = true, .tls = true, .authenticated = true,
		.tls_info = "TLSv1.3 TLS_AES_256_GCM_SHA384", .auth_user = "alice@example.org",
		.id = "0123456789abcdef", .for_rcpt = "<bob@example.org>", .when = 1795321800,
	};
	char buf[1024];
	int n = smtp_received_format(&r, buf, sizeof(buf));

	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
		"Received: from client.example ([192.0.2.1])\r\n"
		"\t(using TLSv1.3 TLS_AES_256_GCM_SHA384)\r\n"
		"\t(authenticated as alice@example.org)\r\n"
		"\tby mx.example.org (Merpati) with ESMTPSA id 0123456789abcdef\r\n"
		"\tfor <bob@example.org>;\r\n"
		"\tSun, 22 Nov 2026 04:30:00 +0000\r\n");
	assert_int_equal(smtp_received_format(&r, buf, 100), -1);
}

static void test_received_minimal(void **state)
{
	struct smtp_received r = {
		.helo = "", .client_ip = "2001:db8::1", .hostname = "mx.example.org",
		.id = "x", .when = 0,
	};
	char buf[512];

	assert_true(smtp_received_format(&r, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "Received: from unknown ([2001:db8::1])\r\n"
			    "\tby mx.example.org (Merpati) with SMTP id x;\r\n"
			    "\tThu, 01 Jan 1970 00:00:00 +0000\r\n");
}

static void test_received_protocols(void **state)
{
	struct smtp_received r = { .esmtp = true };

	assert_string_equal(smtp_received_protocol(&r), "ESMTP");
	r.tls = true;
	assert_string_equal(smtp_received_protocol(&r), "ESMTPS");
	r.authenticated = true;
	r.tls = false;
	assert_string_equal(smtp_received_protocol(&r), "ESMTPA");
	r.smtputf8 = true;
	assert_string_equal(smtp_received_protocol(&r), "UTF8SMTPA");
	r.tls = true;
	assert_string_equal(smtp_received_protocol(&r), "UTF8SMTPSA");
	r.esmtp = false;
	assert_string_equal(smtp_received_protocol(&r), "SMTP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_received_full), cmocka_unit_test(test_received_minimal),
		cmocka_unit_test(test_received_protocols),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
