"""test_smtp_out_postfix - merpati-smtp-out delivering to Postfix from Debian, a real
remote MTA on 127.0.0.6 (helpers_smtpout/postfix.py): STARTTLS, and the whole path from a
submission through merpati-smtp-in and merpati-mda to Postfix's maildir.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_smtp_out_postfix.py
"""
import email
import email.policy
import os
import shutil
import smtplib

import pytest

from helpers_bus.procs import procs  # noqa: F401
from helpers_smtpout.postfix import Postfix
from helpers_smtpout.queue import add_job, dsns
from test_mda_delivery import PASSWORD, new_domain, new_user
from test_smtp_out import BODY, Outbound, gone, wait

DOMAIN = "pf.smtpout.example.org"


@pytest.fixture
def postfix_out(pg, stack, procs, tmp_path):
    if shutil.which("postfix") is None and not os.access("/usr/sbin/postfix", os.X_OK):
        pytest.fail("postfix is not installed (Debian package `postfix`)")
    o = Outbound(pg, stack, procs, tmp_path)
    pf = Postfix("127.0.0.6", o.port, DOMAIN).start()
    yield o, pf
    print(f"----- Postfix maillog -----\n{pf.maillog()}")
    pf.stop()
    o.close()


def test_starttls_to_postfix(postfix_out, pg):
    o, pf = postfix_out
    raw = BODY.format(tag="postfix")
    j = add_job(pg, "s@local.test", f"user@{DOMAIN}", raw, notify=1)
    o.run()
    wait(lambda: gone(pg, j), what="delivery to Postfix")
    wait(lambda: len(pf.messages()) == 1, what="Postfix's maildir")
    got = pf.messages()[0]
    msg = email.message_from_bytes(got, policy=email.policy.default)
    received = msg.get_all("Received")[0]
    assert "(using TLSv1." in received                  # the session was encrypted
    assert received.startswith("from out.local.test")  # our EHLO name
    assert got.endswith(raw.split("\r\n\r\n", 1)[1].replace("\r\n", "\n").encode())
    wait(lambda: "status=sent" in pf.maillog(), what="Postfix to log the delivery")
    assert "ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1" in pf.maillog()
    # Postfix offered DSN, so NOTIFY=SUCCESS was passed on and we send no notice ourselves
    assert dsns(pg, "s@local.test", o.first_queue_in) == []


def test_submission_through_smtp_in_mda_smtp_out_to_postfix(postfix_out, pg, stack):
    o, pf = postfix_out
    d = new_domain(stack)
    alice = new_user(stack, f"alice@{d}")
    o.run()
    stack.start("mda")
    smtp = stack.start("smtp-in", plaintext_auth="always")
    body = (f"From: Alice <{alice}>\r\nTo: <friend@{DOMAIN}>\r\nSubject: end to end\r\n"
            f"Message-ID: <e2e@{d}>\r\n\r\nAcross the whole platform.\r\n")
    with smtplib.SMTP("127.0.0.1", smtp.port("MERPATI_SUBMISSION_LISTEN"), timeout=30) as s:
        s.ehlo("client.test")
        s.login(alice, PASSWORD)
        assert s.sendmail(alice, [f"friend@{DOMAIN}"], body.encode()) == {}
    wait(lambda: len(pf.messages()) == 1, timeout=40, what="the message at Postfix")
    msg = email.message_from_bytes(pf.messages()[0], policy=email.policy.default)
    assert msg["Subject"] == "end to end"
    assert msg["Return-Path"] == f"<{alice}>"
    assert "Across the whole platform." in msg.get_content()
    wait(lambda: pg.psql(f"SELECT count(*) FROM queue_out WHERE domain = '{DOMAIN}'") == "0",
         what="the outbound job to finish")
