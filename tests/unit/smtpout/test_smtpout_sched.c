/* Unit tests of the retry schedule and the NOTIFY rules (RFC 3461 4.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "queue/queue.h"
#include "services/smtp-out/smtpout_sched.h"

static const long iv[] = { 900, 900, 1800, 3600 };

/* decide - with 4h warning and 5d bounce */
static struct smtpout_sched_out decide(struct smtpout_sched_in in)
{
	struct smtpout_sched_out out;

	smtpout_sched_decide(&in, iv, 4, 4 * 3600, 5 * 86400, &out);
	return out;
}

static void test_intervals_grow_and_last_repeats(void **state)
{
	int want[] = { 900, 900, 1800, 3600, 3600, 3600 };

	for (int a = 1; a <= 6; a++) {
		struct smtpout_sched_out o = decide((struct smtpout_sched_in){ .code = 451,
								.attempts = a, .age = 60 });
		assert_int_equal(o.outcome, SMTPOUT_DEFERRED);
		assert_int_equal(o.delay, want[a - 1]);
		assert_int_equal(o.dsn, DSN_NONE);
	}
}

static void test_one_delay_notice_then_bounce(void **state)
{
	struct smtpout_sched_out o;

	o = decide((struct smtpout_sched_in){ .code = 0, .attempts = 9, .age = 4 * 3600 });
	assert_int_equal(o.dsn, DSN_DELAYED);
	assert_true(o.warned);
	o = decide((struct smtpout_sched_in){ .code = 0, .attempts = 10, .age = 5 * 3600,
					      .warned = true });
	assert_int_equal(o.dsn, DSN_NONE);
	assert_int_equal(o.outcome, SMTPOUT_DEFERRED);
	o = decide((struct smtpout_sched_in){ .code = 421, .attempts = 40, .age = 5 * 86400,
					      .warned = true });
	assert_int_equal(o.outcome, SMTPOUT_FAILED);
	assert_int_equal(o.dsn, DSN_FAILED);
}

static void test_notify_and_null_sender(void **state)
{
	struct smtpout_sched_out o;

	o = decide((struct smtpout_sched_in){ .code = 550, .attempts = 1 });
	assert_int_equal(o.outcome, SMTPOUT_FAILED);
	assert_int_equal(o.dsn, DSN_FAILED);
	o = decide((struct smtpout_sched_in){ .code = 550, .null_sender = true });
	assert_int_equal(o.dsn, DSN_NONE);       /* never a bounce of a bounce */
	o = decide((struct smtpout_sched_in){ .code = 550, .notify = QUEUE_NOTIFY_NEVER });
	assert_int_equal(o.dsn, DSN_NONE);
	o = decide((struct smtpout_sched_in){ .code = 550, .notify = QUEUE_NOTIFY_DELAY });
	assert_int_equal(o.dsn, DSN_NONE);
	o = decide((struct smtpout_sched_in){ .code = 0, .age = 5 * 3600,
					      .notify = QUEUE_NOTIFY_FAILURE });
	assert_int_equal(o.dsn, DSN_NONE);       /* no DELAY asked: none, still warned */
	assert_true(o.warned);
	o = decide((struct smtpout_sched_in){ .code = 250, .notify = QUEUE_NOTIFY_SUCCESS });
	assert_int_equal(o.dsn, DSN_RELAYED);
	o = decide((struct smtpout_sched_in){ .code = 250, .notify = QUEUE_NOTIFY_SUCCESS,
					      .remote_dsn = true });
	assert_int_equal(o.dsn, DSN_NONE);       /* the remote server notifies */
	o = decide((struct smtpout_sched_in){ .code = 250 });
	assert_int_equal(o.outcome, SMTPOUT_DELIVERED);
	assert_int_equal(o.dsn, DSN_NONE);
	o = decide((struct smtpout_sched_in){ .code = 0, .permanent = true });
	assert_int_equal(o.outcome, SMTPOUT_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intervals_grow_and_last_repeats),
		cmocka_unit_test(test_one_delay_notice_then_bounce),
		cmocka_unit_test(test_notify_and_null_sender),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
