"""From SMTP to POP3: a message sent with smtplib to merpati-smtp-in, delivered by
merpati-mda, comes out of merpati-pop3 with the mda's trace lines (Return-Path,
Delivered-To) in front of the shared stored bytes, exactly once per recipient."""
import poplib
import smtplib
import time

from test_pop3_helpers import PASSWORD, new_account


def test_smtp_mda_pop3(pg, stack):
    alice, bob = new_account(stack, "alice"), new_account(stack, "bob")
    stack.start("mda", env={"MERPATI_MDA_POLL": "5m"})
    smtp = stack.start("smtp-in")
    pop3 = stack.start("pop3")
    body = (f"From: Carol <carol@remote.example>\r\nTo: {alice}, {bob}\r\n"
            f"Subject: through everything\r\nMessage-ID: <e2e.1@remote.example>\r\n\r\n"
            f"First line.\r\n.A line starting with a dot.\r\n")
    with smtplib.SMTP("127.0.0.1", smtp.port("MERPATI_SMTP_LISTEN"), timeout=30) as s:
        s.ehlo("client.remote.example")
        assert s.sendmail("carol@remote.example", [alice, bob], body.encode()) == {}
    for address in (alice, bob):
        deadline = time.monotonic() + 20
        while True:
            c = poplib.POP3("127.0.0.1", pop3.port("MERPATI_POP3_LISTEN"), timeout=20)
            c.user(address)
            c.pass_(PASSWORD)
            if c.stat()[0] == 1:
                break
            c.quit()
            assert time.monotonic() < deadline, "not delivered"
            time.sleep(0.2)
        resp, lines, octets = c.retr(1)
        assert lines[0] == b"Return-Path: <carol@remote.example>"
        assert lines[1] == b"Delivered-To: " + address.encode()
        assert lines[2].startswith(b"Received: from client.remote.example")
        assert lines[-2:] == [b"First line.", b".A line starting with a dot."]
        assert octets == int(c.list(1).split()[2])
        c.dele(1)
        c.quit()
        c = poplib.POP3("127.0.0.1", pop3.port("MERPATI_POP3_LISTEN"), timeout=20)
        c.user(address)
        c.pass_(PASSWORD)
        assert c.stat() == (0, 0)
        c.quit()
