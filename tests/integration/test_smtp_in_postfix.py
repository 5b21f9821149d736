"""test_smtp_in_postfix - Postfix from Debian relaying into merpati-smtp-in: a private
Postfix (helpers_smtpout/postfix.py) with relayhost = our MX listener takes messages from its
own sendmail and delivers them to us; merpati-mda puts them in the mailbox, read back over
IMAP. Plain, STARTTLS (smtp_tls_security_level = may), an 8-bit body, and a recipient we
refuse, which Postfix must bounce with our 550 5.1.1.
"""
import imaplib
import os
import re
import shutil
import time

import pytest

from harness.stack import free_port
from test_mda_delivery import PASSWORD, new_domain, new_user, unique

PF_DOMAIN = "pf-client.example.test"   # Postfix's own virtual domain: bounces land there
SENDER = f"sender@{PF_DOMAIN}"
DEADLINE = 60.0


def wait(cond, what, timeout=DEADLINE):
    """wait - poll cond until true; fail saying what did not happen"""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"no {what} after {timeout:.0f}s"
        time.sleep(0.2)


@pytest.fixture
def relay(stack):
    """relay - smtp-in, mda, imap and a Postfix factory whose relayhost is our MX port"""
    if shutil.which("postfix") is None and not os.access("/usr/sbin/postfix", os.X_OK):
        pytest.fail("postfix is not installed (Debian package `postfix`)")
    domain = new_domain(stack)
    user = new_user(stack, f"rcpt@{domain}")
    stack.start("mda")
    smtp = stack.start("smtp-in", env={"MERPATI_HOSTNAME": f"mx.{domain}"})
    imap = stack.start("imap", plaintext_auth="always")
    started = []

    def postfix(tls):
        from helpers_smtpout.postfix import Postfix
        mx = smtp.port("MERPATI_SMTP_LISTEN")
        pf = Postfix("127.0.0.7", free_port(), PF_DOMAIN, relayhost=f"[127.0.0.1]:{mx}",
                     extra={"smtp_tls_security_level": tls,
                            "smtp_tls_loglevel": "1"}).start()
        started.append(pf)
        return pf

    yield domain, user, imap, postfix
    for pf in started:
        print(f"----- Postfix maillog -----\n{pf.maillog()}")
        pf.stop()


def inbox(imap, user):
    """inbox - BODY[] of every message in user's INBOX, over IMAP"""
    c = imaplib.IMAP4("127.0.0.1", imap.port("MERPATI_IMAP_LISTEN"), timeout=30)
    try:
        c.login(user, PASSWORD)
        c.select("INBOX", readonly=True)
        _, data = c.uid("FETCH", "1:*", "(BODY.PEEK[])")
        return [part[1] for part in data if isinstance(part, tuple)]
    finally:
        c.logout()


def arrived(imap, user, marker):
    """arrived - the one INBOX message carrying marker, or None"""
    found = [m for m in inbox(imap, user) if marker.encode() in m]
    assert len(found) <= 1, f"{marker} arrived {len(found)} times"
    return found[0] if found else None


def received_fields(raw):
    """received_fields - the Received fields of a message's header, unfolded, in order"""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    return [re.sub(r"\r\n[ \t]+", " ", f) for f in re.findall(
        r"^Received:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", head, flags=re.M)]


def relay_one(pf, imap, user, body, *options, content=""):
    """relay_one - sendmail through Postfix to user; the stored message and its marker"""
    marker = unique("pf")
    msg = (f"From: Sender <{SENDER}>\nTo: <{user}>\nSubject: {marker}\n"
           f"Message-ID: <{marker}@{PF_DOMAIN}>\n{content}\n").encode() + body
    pf.sendmail(SENDER, [user], msg, *options)
    wait(lambda: arrived(imap, user, marker) is not None, "message in the INBOX")
    wait(lambda: "status=sent" in pf.maillog(), "status=sent in Postfix's log")
    return arrived(imap, user, marker), marker


def check_relayed(raw, body, domain, esmtp):
    """check_relayed - body byte-equal (CRLF on the wire), our Received first, then
    Postfix's own from its pickup, preserved"""
    assert raw.split(b"\r\n\r\n", 1)[1] == body.replace(b"\n", b"\r\n")
    fields = received_fields(raw)
    assert len(fields) == 2, fields
    ours, theirs = fields
    assert ours.startswith(f"Received: from postfix.{PF_DOMAIN} ([127.0.0.1])")
    assert f"by mx.{domain} (Merpati) with {esmtp} id " in ours
    assert theirs.startswith(f"Received: by postfix.{PF_DOMAIN} (Postfix, from userid 0)")


def test_postfix_relays_plain(relay, pg):
    domain, user, imap, postfix = relay
    pf = postfix("none")
    body = b"Plain relay from Postfix.\n\nSecond paragraph.\n"
    raw, _ = relay_one(pf, imap, user, body)
    check_relayed(raw, body, domain, "ESMTP")
    assert "(using TLS" not in received_fields(raw)[0]
    log = pf.maillog()
    assert re.search(r"relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent "
                     r"\(250 2\.0\.0 Ok: queued as \d+\)", log), log
    assert "TLS connection established" not in log
    wait(pf.queue_empty, "empty Postfix queue")


def test_postfix_relays_over_starttls(relay, pg):
    domain, user, imap, postfix = relay
    pf = postfix("may")
    body = b"Encrypted on the way in.\n"
    raw, _ = relay_one(pf, imap, user, body)
    check_relayed(raw, body, domain, "ESMTPS")
    assert "(using TLSv1." in received_fields(raw)[0]
    # opportunistic TLS: our self-signed certificate is not verified, the session is encrypted
    assert re.search(r"(Anonymous|Untrusted) TLS connection established to "
                     r"127\.0\.0\.1\[127\.0\.0\.1\]:\d+: TLSv1\.[23]", pf.maillog()), pf.maillog()


def test_postfix_relays_an_8bit_body(relay, pg):
    domain, user, imap, postfix = relay
    pf = postfix("may")
    body = "Grüße aus Köln, 日本語のテキスト, naïve café.\n".encode()
    raw, _ = relay_one(pf, imap, user, body, "-B", "8BITMIME",
                       content="MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                               "Content-Transfer-Encoding: 8bit\n")
    # we announce 8BITMIME, so Postfix sends the octets as they are (RFC 6152), no QP
    check_relayed(raw, body, domain, "ESMTPS")
    assert b"Content-Transfer-Encoding: 8bit\r\n" in raw


def test_postfix_bounces_a_recipient_we_refuse(relay, pg):
    domain, user, imap, postfix = relay
    pf = postfix("may")
    nobody = f"nobody@{domain}"
    marker = unique("pf-bounce")
    pf.sendmail(SENDER, [nobody], f"Subject: {marker}\nTo: <{nobody}>\n\nNobody here.\n".encode())
    wait(lambda: "status=bounced" in pf.maillog(), "bounce in Postfix's log")
    log = pf.maillog()
    assert re.search(rf"to=<{re.escape(nobody)}>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*"
                     r"status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.1\.1 "
                     r"Recipient address rejected: user unknown \(in reply to RCPT TO command\)",
                     log), log
    # the bounce goes back to the sender, in Postfix's own virtual domain
    wait(lambda: any(marker.encode() in m for m in pf.messages()), "bounce in the sender's box")
    bounce = next(m for m in pf.messages() if marker.encode() in m)
    assert b"Subject: Undelivered Mail Returned to Sender" in bounce
    assert b"Status: 5.1.1" in bounce and nobody.encode() in bounce
    assert pg.psql(f"SELECT count(*) FROM queue_in_rcpt WHERE address = '{nobody}'") == "0"
    wait(pf.queue_empty, "empty Postfix queue")
