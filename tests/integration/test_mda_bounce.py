"""test_mda_bounce - recipients the mda cannot deliver are reported to the sender with an
RFC 3464 delivery status notification, sent with the null sender through the normal path;
NOTIFY (RFC 3461) is honoured and a bounce is never bounced.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_mda_bounce.py
"""
from test_mda_delivery import (FAST, enqueue, message, new_domain, new_user, rows, run_sql,
                               text, wait_for, wait_gone)

def raw_of(pg, sha):
    return pg.psql(f"SELECT convert_from(raw, 'UTF8') FROM messages "
                   f"WHERE sha256 = decode('{sha}', 'hex')")

def test_unknown_recipient_bounces_to_a_local_sender(pg, stack):
    d = new_domain(stack)
    sender = new_user(stack, f"writer@{d}")
    stack.start("mda", env=FAST)
    job = enqueue(pg, sender, [f"nobody@{d}"], message("to nobody", body="the text\r\n"),
                  listener="submission")
    wait_gone(pg, job)
    wait_for(pg, f"SELECT count(*) FROM mailbox_messages mm JOIN mailboxes m ON m.id = "
                 f"mm.mailbox_id JOIN accounts a ON a.id = m.account_id WHERE a.address = "
                 f"{text(sender)} AND m.name = 'INBOX'", "1")
    (uid, _flags, _kw, _size, trace, sha, _tlen), = rows(pg, sender)
    assert trace.startswith("Return-Path: <>")           # the null sender (RFC 3461 2)
    dsn = raw_of(pg, sha)
    assert "multipart/report" in dsn and "report-type=delivery-status" in dsn
    assert f"Final-Recipient: rfc822; nobody@{d}" in dsn
    assert "Action: failed" in dsn and "Status: 5.1.1" in dsn
    assert "Subject: to nobody" in dsn                   # the original's header comes back

def test_mail_loop_bounces_and_the_bounce_is_not_bounced(pg, stack):
    d = new_domain(stack)
    sender = new_user(stack, f"looper@{d}")
    stack.start("mda", env=dict(FAST, MERPATI_MAX_RECEIVED="5"))
    hops = "".join(f"Received: from h{i} by h{i + 1}; Sun, 22 Nov 2026 04:30:00 +0000\r\n"
                   for i in range(6)).encode()
    job = enqueue(pg, sender, [f"else@{d}"], hops + message("round and round"),
                  listener="submission")
    wait_gone(pg, job)
    wait_for(pg, f"SELECT count(*) FROM mailbox_messages mm JOIN mailboxes m ON m.id = "
                 f"mm.mailbox_id JOIN accounts a ON a.id = m.account_id "
                 f"WHERE a.address = {text(sender)}", "1")
    dsn = raw_of(pg, rows(pg, sender)[0][5])
    assert "Status: 5.4.6" in dsn

    # a null-sender message that fails makes no DSN at all: a DSN of it would be keyed to its
    # job (mda-dsn:<job>:...) and addressed to the empty path
    job = enqueue(pg, "", [f"ghost@{d}"], message("a bounce that fails"))
    wait_gone(pg, job)
    assert pg.psql(f"SELECT event FROM delivery_events WHERE queue_in_id = {job}") == "failed"
    assert pg.psql(f"SELECT count(*) FROM queue_in "
                   f"WHERE idempotency_key LIKE 'mda-dsn:{job}:%'") == "0"
    assert pg.psql("SELECT count(*) FROM queue_in_rcpt WHERE address = ''") == "0"
    assert pg.psql("SELECT count(*) FROM delivery_events WHERE recipient = ''") == "0"


def test_notify_never_and_success_only_send_no_failure_report(pg, stack):
    d = new_domain(stack)
    sender = new_user(stack, f"quiet@{d}")
    stack.start("mda", env=FAST)
    for notify in ("8", "1"):   # QUEUE_NOTIFY_NEVER, QUEUE_NOTIFY_SUCCESS
        job = enqueue(pg, sender, [f"missing{notify}@{d}"], message(f"notify {notify}"),
                      listener="submission")
        run_sql(pg, f"UPDATE queue_in_rcpt SET notify = {notify} WHERE job_id = {job}")
        wait_gone(pg, job)
        assert pg.psql(f"SELECT event FROM delivery_events WHERE queue_in_id = {job}") == "failed"
    # and NOTIFY=FAILURE does report, so the two above were not lost on the way
    job = enqueue(pg, sender, [f"missing2@{d}"], message("notify failure"),
                  listener="submission")
    run_sql(pg, f"UPDATE queue_in_rcpt SET notify = 2 WHERE job_id = {job}")
    wait_gone(pg, job)
    wait_for(pg, f"SELECT count(*) FROM mailbox_messages mm JOIN mailboxes m ON m.id = "
                 f"mm.mailbox_id JOIN accounts a ON a.id = m.account_id "
                 f"WHERE a.address = {text(sender)}", "1")
    assert f"missing2@{d}" in raw_of(pg, rows(pg, sender)[0][5])
