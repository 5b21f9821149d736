"""test_mda_smtp - from the first SMTP byte to the mailbox: Python's smtplib talks to
merpati-smtp-in, whose QueueKick wakes merpati-mda (its poll timer is set far away).

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_mda_smtp.py
"""
import smtplib
import time

from test_mda_delivery import new_domain, new_user, rows


def test_smtp_to_mailboxes(pg, stack):
    d = new_domain(stack)
    alice, bob = new_user(stack, f"alice@{d}"), new_user(stack, f"bob@{d}")
    stack.start("mda", env={"MERPATI_MDA_POLL": "5m"})
    smtp = stack.start("smtp-in", env={"MERPATI_HOSTNAME": "mx.mda.example.test"})
    body = (f"From: Carol <carol@remote.example>\r\nTo: {alice}, {bob}\r\n"
            f"Subject: =?UTF-8?B?w6l0w6k=?=\r\nMessage-ID: <smtp.1@remote.example>\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\nVia SMTP.\r\n")
    with smtplib.SMTP("127.0.0.1", smtp.port("MERPATI_SMTP_LISTEN"), timeout=30) as s:
        s.ehlo("client.remote.example")
        refused = s.sendmail("carol@remote.example", [alice, f"bob+news@{d}"], body.encode())
        assert refused == {}

    deadline = time.monotonic() + 15
    while len(rows(pg, alice)) < 1 or len(rows(pg, bob)) < 1:
        assert time.monotonic() < deadline, "not delivered: the kick did not arrive"
        time.sleep(0.05)
    a, b = rows(pg, alice)[0], rows(pg, bob)[0]
    assert a[5] == b[5]                              # one blob for both
    assert a[4] == f"Return-Path: <carol@remote.example> / Delivered-To: {alice} / "
    raw = pg.psql(f"SELECT convert_from(raw, 'UTF8') FROM messages WHERE encode(sha256, 'hex') = '{a[5]}'")
    assert raw.startswith("Received: from client.remote.example")   # smtp-in's trace is in the blob
    assert "Delivered-To" not in raw and "Return-Path" not in raw     # the mda's is beside it
    meta = pg.psql(f"SELECT subject || '|' || message_id FROM message_meta"
                   f" WHERE encode(sha256, 'hex') = '{a[5]}'")
    assert meta == "été|<smtp.1@remote.example>"
    assert pg.psql(f"SELECT count(*) FROM queue_in WHERE sha256 = decode('{a[5]}', 'hex')") == "0"
