"""test_imap_fetch_sections - the part offsets IMAP serves BODY[section] from: the mda stores
lib/mime's sections JSON in message_meta.sections (migration 0005) at delivery, and each
range it names holds exactly the bytes RFC 3501 6.4.5 gives that part.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_imap_fetch_sections.py
"""
import json

import test_mda_delivery as mda

NESTED = (b"From: a@remote.example\r\nTo: b@example.test\r\nSubject: nested\r\n"
          b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
          b"preamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
          b"--XX\r\nContent-Type: message/rfc822\r\n\r\n"
          b"Subject: inner\r\nContent-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n"
          b"--YY\r\nContent-Type: text/plain\r\n\r\ninner plain\r\n"
          b"--YY\r\nContent-Type: text/html\r\n\r\n<p>inner html</p>\r\n--YY--\r\n"
          b"\r\n--XX--\r\n")


def sections_of(pg, address):
    """sections_of - the blob and the decoded sections JSON of the first message in INBOX"""
    sha = mda.rows(pg, address)[0][5]
    raw = bytes.fromhex(pg.psql(f"SELECT encode(raw, 'hex') FROM messages"
                                f" WHERE encode(sha256, 'hex') = '{sha}'"))
    js = pg.psql(f"SELECT sections FROM message_meta WHERE encode(sha256, 'hex') = '{sha}'")
    return raw, json.loads(js)


def test_delivery_stores_part_offsets(pg, stack):
    d = mda.new_domain(stack)
    alice = mda.new_user(stack, f"alice@{d}")
    stack.start("mda", env=mda.FAST)
    mda.wait_gone(pg, mda.enqueue(pg, "a@remote.example", [alice], NESTED))
    raw, s = sections_of(pg, alice)

    assert s[""][:3] == [0, raw.index(b"\r\n\r\n") + 4, len(raw)]
    one = s["1"]
    assert raw[one[0]:one[1]] == b"Content-Type: text/plain\r\n\r\n"
    assert raw[one[1]:one[2]] == b"first part"
    two = s["2"]
    assert raw[two[0]:two[1]] == b"Content-Type: message/rfc822\r\n\r\n"
    assert raw[two[1]:two[4]].startswith(b"Subject: inner\r\n")   # BODY[2.HEADER]
    assert raw[two[1]:two[4]].endswith(b"\r\n\r\n")
    assert raw[two[4]:two[2]].startswith(b"--YY\r\n")              # BODY[2.TEXT]
    assert raw[s["2.1"][1]:s["2.1"][2]] == b"inner plain"
    assert raw[s["2.2"][0]:s["2.2"][1]] == b"Content-Type: text/html\r\n\r\n"
    assert raw[s["2.2"][1]:s["2.2"][2]] == b"<p>inner html</p>"
    assert "3" not in s and "2.3" not in s
