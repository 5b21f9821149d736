"""test_imap_fetch - FETCH, STORE, COPY/MOVE, EXPUNGE and APPEND of merpati-imap, spoken by
Python's imaplib against a real PostgreSQL: every item and section, partial fetch of a
large message, nested message/rfc822 parts, CONDSTORE/QRESYNC flows, and two sessions
(a STORE in one seen by the other).

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_imap_fetch.py
"""
import imaplib
import re
import uuid

import pytest

from harness.stack import hostport

PASSWORD = "imap-Fetch-pw-1"

NESTED = (b"From: Ann <a@remote.example>\r\nTo: b@example.test\r\nSubject: nested\r\n"
          b"Date: Sun, 22 Nov 2026 04:30:00 +0000\r\nMessage-ID: <n1@remote.example>\r\n"
          b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
          b"--XX\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
          b"--XX\r\nContent-Type: message/rfc822\r\n\r\n"
          b"Subject: inner\r\nContent-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n"
          b"--YY\r\nContent-Type: text/plain\r\n\r\ninner plain\r\n"
          b"--YY\r\nContent-Type: text/html\r\n\r\n<p>inner html</p>\r\n--YY--\r\n"
          b"\r\n--XX--\r\n")




@pytest.fixture
def server(stack):
    """server - (host, port, user) of a running merpati-imap with a fresh account"""
    d = f"f{uuid.uuid4().hex[:8]}.test"
    assert stack.merpati("domain", "add", d).returncode == 0
    user = f"u@{d}"
    r = stack.merpati("user", "add", user, "--password-stdin", input=PASSWORD + "\n")
    assert r.returncode == 0, r.stdout + r.stderr
    proc = stack.start("imap")
    host, port = hostport(proc.env["MERPATI_IMAP_LISTEN"])
    return host, port, user


def login(server):
    host, port, user = server
    c = imaplib.IMAP4(host, port)
    c.login(user, PASSWORD)
    return c


def refused(call, *args):
    """refused - the command gets BAD (imaplib raises it as IMAP4.error)"""
    with pytest.raises(imaplib.IMAP4.error, match="BAD"):
        call(*args)


def ok(resp):
    typ, data = resp
    assert typ == "OK", data
    return data


def fetch_one(c, msgset, items, uid=False):
    """fetch_one - {item name: value} of the single FETCH response imaplib gives back"""
    typ, data = c.uid("FETCH", msgset, items) if uid else c.fetch(msgset, items)
    assert typ == "OK", data
    return parse_fetch(data)


SECTION = re.compile(rb"((?:BODY|BINARY|RFC822)[^ \[{]*(?:\[[^\]]*\])?(?:<\d+>)?) ~?\{\d+\}$")


def parse_fetch(data):
    """parse_fetch - the literals of one FETCH response by item name
    ({b"BODY[1]": b"...", ...}) and, under b"_", all the text around them"""
    out, text = {}, b""
    for part in data:
        if isinstance(part, tuple):
            head, lit = part
            text += head
            m = SECTION.search(head)
            assert m, head
            out[m.group(1)] = lit
        elif part is not None:
            text += part
    out[b"_"] = text
    return out


def test_fetch_simple_items(server):
    c = login(server)
    data = ok(c.append("INBOX", r"(\Flagged $Work)", '"22-Nov-2026 05:30:00 +0100"', NESTED))
    uid = int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))
    ok(c.select("INBOX"))
    f = fetch_one(c, "1", "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY)")[b"_"]
    assert b"UID %d" % uid in f
    # the first SELECT after the APPEND sees the message \Recent (RFC 3501 2.3.2.1)
    assert re.search(rb"FLAGS \(([^)]*)\)", f).group(1).split() == [b"\\Flagged", b"\\Recent",
                                                                  b"$Work"]
    assert b'INTERNALDATE "22-Nov-2026 04:30:00 +0000"' in f   # the same instant, in UTC
    assert b"RFC822.SIZE %d" % len(NESTED) in f
    assert b'ENVELOPE ("Sun, 22 Nov 2026 04:30:00 +0000" "nested" (("Ann" NIL "a" "remote.example"))' in f
    assert b'"<n1@remote.example>")' in f
    assert re.search(rb'BODYSTRUCTURE \(\("text" "plain".*"message" "rfc822"', f)
    assert re.search(rb'BODY \(\("text" "plain"', f)
    # FAST / ALL / FULL macros
    f = fetch_one(c, "1", "FAST")[b"_"]
    assert b"FLAGS" in f and b"INTERNALDATE" in f and b"RFC822.SIZE" in f and b"ENVELOPE" not in f
    c.logout()


def test_body_sections_from_the_stored_offsets(server):
    c = login(server)
    ok(c.append("INBOX", None, None, NESTED))
    ok(c.select("INBOX"))
    hdr_end = NESTED.index(b"\r\n\r\n") + 4
    want = {
        "BODY.PEEK[]": NESTED,
        "BODY.PEEK[HEADER]": NESTED[:hdr_end],
        "BODY.PEEK[TEXT]": NESTED[hdr_end:],
        "BODY.PEEK[1]": b"first part",
        "BODY.PEEK[1.MIME]": b"Content-Type: text/plain\r\n\r\n",
        "BODY.PEEK[2.1]": b"inner plain",
        "BODY.PEEK[2.2]": b"<p>inner html</p>",
        "BODY.PEEK[2.2.MIME]": b"Content-Type: text/html\r\n\r\n",
        "BODY.PEEK[2.HEADER]": b"Subject: inner\r\nContent-Type: multipart/alternative; "
                               b"boundary=\"YY\"\r\n\r\n",
        "RFC822.HEADER": NESTED[:hdr_end],
    }
    for item, expect in want.items():
        got = fetch_one(c, "1", f"({item})")
        lits = [v for k, v in got.items() if k != b"_"]
        assert lits == [expect], (item, got)
    got = fetch_one(c, "1", "(BODY.PEEK[2.TEXT])")
    assert [v for k, v in got.items() if k != b"_"][0].startswith(b"--YY\r\n")
    got = fetch_one(c, "1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT MESSAGE-ID)])")
    assert [v for k, v in got.items() if k != b"_"] == \
        [b"Subject: nested\r\nMessage-ID: <n1@remote.example>\r\n\r\n"]
    assert b"BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)]" in got[b"_"]
    got = fetch_one(c, "1", "(BODY.PEEK[2.HEADER.FIELDS.NOT (Content-Type)])")
    assert [v for k, v in got.items() if k != b"_"] == [b"Subject: inner\r\n\r\n"]
    got = fetch_one(c, "1", "(BODY.PEEK[9])")[b"_"]       # no such part: empty string
    assert b'BODY[9] ""' in got
    got = fetch_one(c, "1", "(BODY.PEEK[]<6.9>)")
    assert b"BODY[]<6>" in got[b"_"]
    assert [v for k, v in got.items() if k != b"_"] == [NESTED[6:15]]
    refused(c.fetch, "1", "(BODY[MIME])")                   # MIME needs a part number
    refused(c.fetch, "1", "(BODY[1]<5>)")                   # partial needs origin.count
    c.logout()


def test_body_sets_seen_and_peek_does_not(server):
    c = login(server)
    ok(c.append("INBOX", None, None, NESTED))
    ok(c.select("INBOX"))
    f = fetch_one(c, "1", "(BODY.PEEK[1])")[b"_"]
    assert b"\\Seen" not in f
    assert b"\\Seen" not in fetch_one(c, "1", "(FLAGS)")[b"_"]
    f = fetch_one(c, "1", "(BODY[1])")[b"_"]
    assert b"FLAGS (\\Seen \\Recent)" in f                  # RFC 3501 6.4.5, 2.3.2.1
    assert b"\\Seen" in fetch_one(c, "1", "(FLAGS)")[b"_"]
    c.logout()


def test_large_message_partial_and_whole(server):
    c = login(server)
    body = b"".join(b"line %07d of a large body..........................\r\n" % i
                    for i in range(60000))                   # about 3.3 MB
    raw = b"Subject: large\r\n\r\n" + body
    ok(c.append("INBOX", None, None, raw))
    ok(c.select("INBOX"))
    chunk = 256 * 1024
    for origin, count in ((0, 100), (chunk - 7, 20), (2 * chunk + 3, 3 * chunk),
                          (len(raw) - 10, 1000)):
        got = fetch_one(c, "1", f"(BODY.PEEK[]<{origin}.{count}>)")
        assert [v for k, v in got.items() if k != b"_"] == [raw[origin:origin + count]]
    got = fetch_one(c, "1", "(UID BODY.PEEK[])")
    assert [v for k, v in got.items() if k != b"_"] == [raw]
    got = fetch_one(c, "1", "(BODY.PEEK[TEXT])")
    assert [v for k, v in got.items() if k != b"_"] == [body]
    c.logout()


def test_store_flags_keywords_silent_and_unchangedsince(server):
    c = login(server)
    for i in range(3):
        ok(c.append("INBOX", None, None, b"Subject: s%d\r\n\r\nx\r\n" % i))
    ok(c.select("INBOX"))
    data = ok(c.store("1:2", "+FLAGS", r"(\Answered $Label1)"))
    # this session's SELECT was the first: the messages are \Recent in it (RFC 3501 2.3.2.1)
    assert len(data) == 2 and all(b"\\Answered \\Recent $Label1" in d for d in data), data
    data = ok(c.store("2", "-FLAGS", r"($Label1)"))
    assert b"FLAGS (\\Answered \\Recent)" in data[0]
    data = ok(c.store("3", "FLAGS.SILENT", r"(\Deleted)"))
    assert data == [None]                                     # .SILENT: no FETCH
    assert b"FLAGS (\\Deleted \\Recent)" in fetch_one(c, "3", "(FLAGS)")[b"_"]
    refused(c.store, "1", "+FLAGS", r"(\Recent)")           # RFC 3501 2.3.2
    # CONDSTORE: MODSEQ grows, UNCHANGEDSINCE below a message's modseq leaves it alone
    m1 = int(re.search(rb"MODSEQ \((\d+)\)", fetch_one(c, "1", "(MODSEQ)")[b"_"]).group(1))
    m2 = int(re.search(rb"MODSEQ \((\d+)\)", fetch_one(c, "2", "(MODSEQ)")[b"_"]).group(1))
    assert m2 > m1
    typ, data = c._simple_command("STORE", "1:2", "(UNCHANGEDSINCE %d)" % m1, "+FLAGS",
                                  r"(\Flagged)")
    assert typ == "OK" and b"[MODIFIED 2]" in data[0], data       # RFC 7162 3.1.3
    assert b"\\Flagged" in fetch_one(c, "1", "(FLAGS)")[b"_"]
    assert b"\\Flagged" not in fetch_one(c, "2", "(FLAGS)")[b"_"]
    c.logout()


def test_copy_move_expunge(server):
    c = login(server)
    for i in range(4):
        ok(c.append("INBOX", None, None, b"Subject: c%d\r\n\r\nx\r\n" % i))
    ok(c.select("INBOX"))
    typ, data = c.copy("2:3", "Archive")
    assert typ == "OK"
    m = re.search(rb"\[COPYUID (\d+) 2:3 (\d+):(\d+)\]", data[0])
    assert m and int(m.group(3)) == int(m.group(2)) + 1, data
    typ, data = c.copy("1", "Nowhere")
    assert typ == "NO" and b"TRYCREATE" in data[0]
    typ, data = c._simple_command("MOVE", "1", "Trash")
    assert typ == "OK", data
    assert c.untagged_responses.get("EXPUNGE") == [b"1"]
    assert any(b"COPYUID" in x for x in c.untagged_responses.get("OK", []))
    c.untagged_responses.clear()
    ok(c.store("1", "+FLAGS", r"(\Deleted)"))               # was UID 2
    ok(c.store("3", "+FLAGS", r"(\Deleted)"))               # UID 4
    typ, data = c.uid("EXPUNGE", "4")                        # UIDPLUS: only UID 4
    assert typ == "OK" and c.untagged_responses.get("EXPUNGE") == [b"3"]
    c.untagged_responses.clear()
    typ, data = c.expunge()
    assert typ == "OK" and data == [b"1"]
    assert ok(c.select("INBOX")) == [b"1"]
    assert ok(c.select("Archive")) == [b"2"]
    assert ok(c.select("Trash")) == [b"1"]
    c.logout()


def test_qresync_vanished_earlier_and_changedsince(server):
    c = login(server)
    for i in range(4):
        ok(c.append("INBOX", None, None, b"Subject: q%d\r\n\r\nx\r\n" % i))
    ok(c._simple_command("ENABLE", "QRESYNC"))
    ok(c.select("INBOX"))
    base = int(re.search(rb"MODSEQ \((\d+)\)", fetch_one(c, "4", "(MODSEQ)")[b"_"]).group(1))
    ok(c.store("2", "+FLAGS", r"(\Deleted)"))
    ok(c.store("3", "+FLAGS", r"(\Flagged)"))
    typ, _ = c.expunge()
    assert c.untagged_responses.pop("VANISHED", None) == [b"2"]   # RFC 7162 3.2.10
    c.untagged_responses.clear()
    typ, data = c.uid("FETCH", "1:*", "(FLAGS) (CHANGEDSINCE %d VANISHED)" % base)
    assert typ == "OK"
    assert c.untagged_responses.get("VANISHED") == [b"(EARLIER) 2"]
    fetched = b" ".join(d for d in data if isinstance(d, bytes))
    assert b"UID 3" in fetched and b"UID 1 " not in fetched and b"MODSEQ" in fetched
    c.logout()


def test_store_in_one_session_seen_by_the_other(server):
    a, b = login(server), login(server)
    ok(a.append("INBOX", None, None, b"Subject: shared\r\n\r\nx\r\n"))
    ok(a.select("INBOX"))
    ok(b.select("INBOX"))
    ok(a.store("1", "+FLAGS", r"(\Flagged)"))
    typ, _ = b.noop()
    assert typ == "OK"
    assert any(b"\\Flagged" in x for x in b.untagged_responses.get("FETCH", [])), \
        b.untagged_responses
    assert b"\\Flagged" in fetch_one(b, "1", "(FLAGS)")[b"_"]
    a.logout()
    b.logout()


def test_append_quota_and_bad_date(server, pg):
    c = login(server)
    host, port, user = server
    refused(c.append, "INBOX", None, '"31-Foo-2026 00:00:00 +0000"', b"Subject: d\r\n\r\nx\r\n")
    pg.psql(f"UPDATE accounts SET quota_bytes = used_bytes + 10 WHERE address = '{user}'")
    typ, data = c.append("INBOX", None, None, b"Subject: q\r\n\r\n" + b"z" * 100)
    assert typ == "NO" and b"OVERQUOTA" in data[0]
    c.logout()


def test_binary_decodes_the_transfer_encoding(server):
    c = login(server)
    payload = bytes(range(256)) * 3                         # NUL octets included
    import base64
    raw = (b"Subject: bin\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
           b"--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
           b"caf=C3=A9 =3D ok\r\n"
           b"--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(payload).replace(b"\n", b"\r\n") +
           b"--B\r\nContent-Type: application/x-odd\r\nContent-Transfer-Encoding: x-unknown\r\n\r\n"
           b"zzz\r\n--B--\r\n")
    ok(c.append("INBOX", None, None, raw))
    ok(c.select("INBOX"))
    got = fetch_one(c, "1", "(BINARY.PEEK[1])")
    assert [v for k, v in got.items() if k != b"_"] == ["café = ok".encode()]  # CRLF before --B belongs to the boundary
    got = fetch_one(c, "1", "(BINARY.PEEK[2] BINARY.SIZE[2])")
    assert [v for k, v in got.items() if k != b"_"] == [payload]
    assert b"~{%d}" % len(payload) in got[b"_"]             # literal8 for NUL octets
    assert b"BINARY.SIZE[2] %d" % len(payload) in got[b"_"]
    got = fetch_one(c, "1", "(BINARY.PEEK[2]<10.5>)")
    assert [v for k, v in got.items() if k != b"_"] == [payload[10:15]]
    typ, data = c.fetch("1", "(BINARY.PEEK[3])")
    assert typ == "NO" and b"UNKNOWN-CTE" in data[0]        # RFC 3516 4.3
    c.logout()


def test_delivered_message_shows_its_trace_and_old_ones_get_offsets(server, stack, pg):
    import test_mda_delivery as mda
    host, port, user = server
    stack.start("mda", env=mda.FAST)
    mda.wait_gone(pg, mda.enqueue(pg, "a@remote.example", [user], NESTED))
    c = login(server)
    ok(c.select("INBOX"))
    got = fetch_one(c, "1", "(RFC822.SIZE BODY.PEEK[] BODY.PEEK[HEADER.FIELDS (Delivered-To)] "
                            "BODY.PEEK[2.1])")
    whole = got[b"BODY[]"]
    assert whole.startswith(b"Return-Path: <a@remote.example>\r\nDelivered-To: " + user.encode())
    assert whole.endswith(NESTED)
    assert b"RFC822.SIZE %d" % len(whole) in got[b"_"]
    assert got[b"BODY[HEADER.FIELDS (Delivered-To)]"] == b"Delivered-To: " + user.encode() + b"\r\n\r\n"
    assert got[b"BODY[2.1]"] == b"inner plain"
    # a message stored before message_meta.sections existed: offsets computed on first FETCH
    pg.psql("UPDATE message_meta SET sections = NULL WHERE sha256 = (SELECT sha256 FROM "
            "mailbox_messages mm JOIN mailboxes m ON m.id = mm.mailbox_id JOIN accounts a "
            f"ON a.id = m.account_id WHERE a.address = '{user}' AND m.name = 'INBOX')")
    got = fetch_one(c, "1", "(BODY.PEEK[2.2])")
    assert got[b"BODY[2.2]"] == b"<p>inner html</p>"
    assert pg.psql("SELECT count(*) FROM message_meta WHERE sections IS NULL") == "0"
    c.logout()


def raw_session(server):
    """raw_session - a logged-in socket speaking raw IMAP, and a function sending a command
    and returning every line up to its tagged reply"""
    import socket
    host, port, user = server
    s = socket.create_connection((host, port), timeout=10)
    f = s.makefile("rb")
    f.readline()

    def cmd(tag, data):
        s.sendall(data)
        lines = []
        while True:
            line = f.readline()
            assert line, lines
            lines.append(line)
            if line.startswith(tag.encode() + b" "):
                return lines
    cmd("l", b'l LOGIN "%s" "%s"\r\n' % (user.encode(), PASSWORD.encode()))
    return s, cmd


def test_multiappend_all_or_none(server, pg):
    s, cmd = raw_session(server)
    m1, m2 = b"Subject: one\r\n\r\nfirst\r\n", b"Subject: two\r\n\r\nsecond\r\n"
    lines = cmd("a", b"a APPEND INBOX (\\Seen) {%d+}\r\n%s {%d+}\r\n%s\r\n"
                % (len(m1), m1, len(m2), m2))
    assert re.match(rb"a OK \[APPENDUID \d+ 1:2\]", lines[-1]), lines   # RFC 3502, RFC 4315
    host, port, user = server
    pg.psql(f"UPDATE accounts SET quota_bytes = used_bytes + {len(m1) + 5} "
            f"WHERE address = '{user}'")
    lines = cmd("b", b"b APPEND INBOX {%d+}\r\n%s {%d+}\r\n%s\r\n" % (len(m1), m1, len(m2), m2))
    assert lines[-1].startswith(b"b NO [OVERQUOTA]"), lines
    lines = cmd("c", b"c SELECT INBOX\r\n")
    assert b"* 2 EXISTS\r\n" in lines                        # none of the second pair
    lines = cmd("d", b"d FETCH 1:2 (FLAGS BODY.PEEK[TEXT])\r\n")
    assert b"first" in b"".join(lines) and b"second" in b"".join(lines)
    assert lines[0].startswith(b"* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent)")  # first SELECT
    s.close()


def test_many_midsize_messages_span_batches(server):
    """sections kept in memory are bounded per batch: a FETCH whose values outgrow it goes
    on in the next batch, every message answered once, in order"""
    c = login(server)
    msgs = [b"Subject: m%d\r\n\r\n" % i + (b"%05d" % i) * 12000 for i in range(30)]  # 60 KB
    for m in msgs:
        ok(c.append("INBOX", None, None, m))
    ok(c.select("INBOX"))
    typ, data = c.fetch("1:*", "(BODY.PEEK[] BODY.PEEK[TEXT] BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK"
    lits = [p for p in data if isinstance(p, tuple)]
    assert len(lits) == 90
    for i, m in enumerate(msgs):
        assert lits[3 * i][0].startswith(b"%d (UID %d " % (i + 1, i + 1))
        assert lits[3 * i][1] == m
        assert lits[3 * i + 1][1] == m[m.index(b"\r\n\r\n") + 4:]
        assert lits[3 * i + 2][1] == b"Subject: m%d\r\n\r\n" % i
    c.logout()
