"""POP3 with Python's poplib and raw bytes against a real merpati-pop3 and PostgreSQL.

Every command of RFC 1939 (USER PASS STAT LIST RETR DELE NOOP RSET QUIT TOP UIDL), CAPA and
its response codes (RFC 2449), STLS (RFC 2595), AUTH PLAIN and LOGIN (RFC 5034), the UPDATE
state's expunge as seen in the database, and malformed input written byte by byte.
"""
import base64
import os
import poplib
import re
import threading
import time

import pytest

from test_pop3_helpers import (PASSWORD, Raw, deliver, expunge_like_imap, inbox_row, inbox_uids,
                          insecure_context, message, new_account)

FAIL_DELAY = 1


@pytest.fixture
def pop3(stack):
    return stack.start("pop3", env={"MERPATI_POP3_AUTH_FAIL_DELAY": f"{FAIL_DELAY}s"})


def connect(proc, **kw):
    return poplib.POP3("127.0.0.1", proc.port("MERPATI_POP3_LISTEN"), timeout=20, **kw)


def login(proc, address):
    c = connect(proc)
    c.user(address)
    assert c.pass_(PASSWORD).startswith(b"+OK")
    return c


def test_capa_lists_what_rfc2449_asks(stack):
    proc = stack.start("pop3", env={"MERPATI_POP3_EXPIRE": "30", "MERPATI_POP3_LOGIN_DELAY": "60"})
    c = connect(proc)
    assert c.getwelcome().startswith(b"+OK ")
    caps = c.capa()
    for cap in ("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "USER", "STLS"):
        assert cap in caps, caps
    assert caps["SASL"] == ["PLAIN", "LOGIN"]
    assert caps["EXPIRE"] == ["30"]
    assert caps["LOGIN-DELAY"] == ["60"]
    assert caps["IMPLEMENTATION"] == ["Merpati"]
    c.quit()


def test_every_transaction_command(pg, stack, pop3):
    addr = new_account(stack)
    trace = b"Return-Path: <sender@example.org>\r\nDelivered-To: " + addr.encode() + b"\r\n"
    raws = [message(1), message(2, extra=b".starts with a dot\r\n..two dots\r\n.\r\n"),
            message(3, body_lines=20)]
    deliver(pg, addr, raws[0], trace=trace)
    deliver(pg, addr, raws[1])
    deliver(pg, addr, raws[2])
    sizes = [len(raws[0]) + len(trace), len(raws[1]), len(raws[2])]
    _, _, _, uidvalidity = inbox_row(pg, addr)

    c = login(pop3, addr)
    assert c.stat() == (3, sum(sizes))
    resp, lines, _ = c.list()
    assert resp == b"+OK 3 messages (%d octets)" % sum(sizes)
    assert lines == [b"%d %d" % (i + 1, s) for i, s in enumerate(sizes)]
    assert c.list(2) == b"+OK 2 %d" % sizes[1]
    resp, uidls, _ = c.uidl()
    assert uidls == [b"%d %08x%08x" % (i + 1, uidvalidity, uid) for i, uid in
                     enumerate(inbox_uids(pg, addr))]
    assert c.uidl(3) == b"+OK " + uidls[2]

    # RETR gives the stored bytes back (trace first); poplib undoes the dot-stuffing
    for i, raw in enumerate([trace + raws[0], raws[1], raws[2]]):
        resp, lines, octets = c.retr(i + 1)
        assert resp == b"+OK %d octets" % sizes[i]
        assert b"\r\n".join(lines) + b"\r\n" == raw
    resp, lines, _ = c.top(3, 2)
    header, body = raws[2].split(b"\r\n\r\n", 1)
    assert lines == header.split(b"\r\n") + [b""] + body.split(b"\r\n")[:2]
    resp, lines, _ = c.top(1, 0)
    assert lines[-1] == b"" and lines[0].startswith(b"Return-Path:")

    assert c.noop() == b"+OK"
    assert c.dele(2) == b"+OK Message 2 deleted"
    with pytest.raises(poplib.error_proto, match=r"already deleted"):
        c.retr(2)
    with pytest.raises(poplib.error_proto, match=r"No such message"):
        c.list(4)
    assert c.stat() == (2, sizes[0] + sizes[2])
    assert c.rset().startswith(b"+OK")
    assert c.stat() == (3, sum(sizes))
    c.dele(1)
    c.dele(3)
    assert c.quit() == b"+OK Merpati POP3 server signing off (1 messages left)"


def test_update_state_expunges_in_the_store(pg, stack, pop3):
    addr = new_account(stack)
    for n in range(4):
        deliver(pg, addr, message(n))
    uids = inbox_uids(pg, addr)
    before = inbox_row(pg, addr)
    c = login(pop3, addr)
    c.retr(1)
    c.retr(2)
    c.top(4, 0)
    c.dele(1)
    c.dele(3)
    # nothing changes before QUIT (RFC 1939 5: DELE only marks)
    assert inbox_uids(pg, addr) == uids
    assert flags(pg, addr) == [0, 0, 0, 0]
    c.quit()
    assert inbox_uids(pg, addr) == [uids[1], uids[3]]
    # the message retrieved and kept reads as \Seen over IMAP; TOP does not count
    assert flags(pg, addr) == [1, 0]
    messages, size, modseq, uidvalidity = inbox_row(pg, addr)
    assert messages == 2 and modseq > before[2] and uidvalidity == before[3]
    mbox = pg.psql(f"SELECT m.id FROM mailboxes m JOIN accounts a ON a.id = m.account_id "
                   f"WHERE a.address = '{addr}' AND m.name = 'INBOX'")
    assert pg.psql(f"SELECT uid FROM expunged WHERE mailbox_id = {mbox} ORDER BY uid").split() == \
        [str(uids[0]), str(uids[2])]
    # a new session numbers what is left from 1 again, with the same UIDLs as before
    c = login(pop3, addr)
    assert c.stat()[0] == 2
    assert c.uidl(1).split()[-1] == b"%08x%08x" % (uidvalidity, uids[1])
    c.quit()


def test_dropped_connection_deletes_nothing(pg, stack, pop3):
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    deliver(pg, addr, message(2))
    uids = inbox_uids(pg, addr)
    raw = Raw(pop3.port("MERPATI_POP3_LISTEN"))
    raw.line()
    assert raw.cmd("USER " + addr) == b"+OK"
    assert raw.cmd("PASS " + PASSWORD).startswith(b"+OK")
    assert raw.cmd("RETR 2").startswith(b"+OK")
    raw.multiline()
    assert raw.cmd("DELE 1") == b"+OK Message 1 deleted"
    raw.close()
    # the lock goes with the connection: a new session gets in at once, and all is there
    deadline = time.monotonic() + 5
    while True:
        c = connect(pop3)
        c.user(addr)
        try:
            c.pass_(PASSWORD)
            break
        except poplib.error_proto as e:
            assert b"[IN-USE]" in e.args[0] and time.monotonic() < deadline
            c.close()
            time.sleep(0.1)
    assert c.stat()[0] == 2
    c.quit()
    assert inbox_uids(pg, addr) == uids
    assert flags(pg, addr) == [0, 0]


def flags(pg, address):
    """flags - the stored flags of address's INBOX messages, by uid"""
    out = pg.psql(f"SELECT mm.flags FROM mailbox_messages mm JOIN mailboxes m ON "
                  f"m.id = mm.mailbox_id JOIN accounts a ON a.id = m.account_id WHERE "
                  f"a.address = '{address}' AND m.name = 'INBOX' ORDER BY mm.uid")
    return [int(x) for x in out.split()]


def test_failed_login_is_delayed_then_auth_code(stack, pop3):
    addr = new_account(stack)
    c = connect(pop3)
    c.user(addr)
    start = time.monotonic()
    with pytest.raises(poplib.error_proto) as e:
        c.pass_("wrong password")
    assert e.value.args[0] == b"-ERR [AUTH] Authentication failed"
    assert time.monotonic() - start >= FAIL_DELAY * 0.9
    # unknown users get the same answer (RFC 1939 7: USER says +OK for anybody)
    assert c.user("nobody@example.test") == b"+OK"
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
        c.pass_(PASSWORD)
    c.user(addr)
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
        c.pass_("third wrong")
    # MERPATI_POP3_MAX_AUTH_FAILURES (3): the connection ends
    with pytest.raises((poplib.error_proto, OSError, EOFError)):
        c.noop()


def test_login_delay(pg, stack):
    """RFC 2449 8.1.2: a login sooner than LOGIN-DELAY after the last session ends gets
    [LOGIN-DELAY]; on this or any other replica, since it is kept in the store."""
    a = stack.start("pop3", name="pop3-a", env={"MERPATI_POP3_LOGIN_DELAY": "3s"})
    b = stack.start("pop3", name="pop3-b", env={"MERPATI_POP3_LOGIN_DELAY": "3s"})
    addr = new_account(stack)
    c = login(a, addr)
    c.quit()
    ended = time.monotonic()
    for proc in (a, b):
        c = connect(proc)
        c.user(addr)
        with pytest.raises(poplib.error_proto, match=r"^b'-ERR \[LOGIN-DELAY\]"):
            c.pass_(PASSWORD)
        c.close()
    time.sleep(max(0, 3.2 - (time.monotonic() - ended)))
    login(b, addr).quit()


def test_sasl_plain_and_login(pg, stack, pop3):
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    raw = Raw(pop3.port("MERPATI_POP3_LISTEN"))
    raw.line()
    token = base64.b64encode(b"\0" + addr.encode() + b"\0" + PASSWORD.encode()).decode()
    assert raw.cmd("AUTH PLAIN " + token).startswith(b"+OK Logged in, 1 messages")
    assert raw.cmd("QUIT").startswith(b"+OK")
    raw = Raw(pop3.port("MERPATI_POP3_LISTEN"))
    raw.line()
    assert raw.cmd("AUTH LOGIN") == b"+ VXNlcm5hbWU6"
    assert raw.cmd(base64.b64encode(addr.encode()).decode()) == b"+ UGFzc3dvcmQ6"
    assert raw.cmd(base64.b64encode(PASSWORD.encode()).decode()).startswith(b"+OK Logged in")
    assert raw.cmd("STAT").startswith(b"+OK 1 ")
    assert raw.cmd("QUIT").startswith(b"+OK")
    raw = Raw(pop3.port("MERPATI_POP3_LISTEN"))
    raw.line()
    assert raw.cmd("AUTH PLAIN") == b"+ "
    assert raw.cmd("*") == b"-ERR Authentication cancelled"
    assert raw.cmd("AUTH PLAIN %%%") == b"-ERR Invalid base64 data"
    bad = base64.b64encode(b"\0" + addr.encode() + b"\0nope").decode()
    assert raw.cmd("AUTH PLAIN " + bad) == b"-ERR [AUTH] Authentication failed"


def test_plaintext_refused_until_stls(pg, stack):
    proc = stack.start("pop3", plaintext_auth="never")
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    c = connect(proc)
    caps = c.capa()
    assert "STLS" in caps and "USER" not in caps and "SASL" not in caps
    with pytest.raises(poplib.error_proto, match=r"^b'-ERR \[AUTH\] Plaintext"):
        c.user(addr)
    c.stls(insecure_context())
    caps = c.capa()
    assert "STLS" not in caps and "USER" in caps
    c.user(addr)
    c.pass_(PASSWORD)
    assert c.stat()[0] == 1
    c.quit()


def test_implicit_tls_port(pg, stack):
    proc = stack.start("pop3", plaintext_auth="never")
    addr = new_account(stack)
    deliver(pg, addr, message(1, body_lines=1000))
    c = poplib.POP3_SSL("127.0.0.1", proc.port("MERPATI_POP3S_LISTEN"),
                        context=insecure_context(), timeout=20)
    assert "STLS" not in c.capa()
    c.user(addr)
    c.pass_(PASSWORD)
    resp, lines, _ = c.retr(1)
    assert len(lines) > 1000
    c.quit()


def test_stls_discards_pipelined_plaintext(stack):
    proc = stack.start("pop3", plaintext_auth="never")
    raw = Raw(proc.port("MERPATI_POP3_LISTEN"))
    raw.line()
    # CAPA rides in the same packet as STLS: it must not be answered under TLS (RFC 2595 4)
    raw.send(b"STLS\r\nCAPA\r\n")
    assert raw.line() == b"+OK Begin TLS negotiation"
    assert raw.buf == b""
    raw.sock = insecure_context().wrap_socket(raw.sock)
    assert raw.cmd("NOOP") == b"-ERR NOOP is not valid in this state"


def test_pipelined_commands_answered_in_order(pg, stack, pop3):
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    deliver(pg, addr, message(2))
    raw = Raw(pop3.port("MERPATI_POP3_LISTEN"))
    raw.line()
    raw.send(f"USER {addr}\r\nPASS {PASSWORD}\r\nSTAT\r\nRETR 1\r\nDELE 1\r\nTOP 2 0\r\n"
             "LIST\r\nQUIT\r\n".encode())
    assert raw.line() == b"+OK"
    assert raw.line().startswith(b"+OK Logged in, 2 messages")
    assert raw.line().startswith(b"+OK 2 ")
    assert raw.line().startswith(b"+OK ") and raw.multiline()[-1] == b"line 2 of message 1"
    assert raw.line() == b"+OK Message 1 deleted"
    assert raw.line() == b"+OK Top of message follows" and raw.multiline()[-1] == b""
    assert raw.line().startswith(b"+OK 1 messages") and len(raw.multiline()) == 1
    assert raw.line().startswith(b"+OK Merpati POP3 server signing off")
    assert raw.closed()


def test_malformed_input(stack, pop3):
    port = pop3.port("MERPATI_POP3_LISTEN")
    # RFC 2449 4: 255 octets per command line; beyond that the connection ends
    raw = Raw(port)
    raw.line()
    raw.send(b"NOOP " + b"x" * 400 + b"\r\n")
    assert raw.line() == b"-ERR Line too long, closing"
    assert raw.closed()
    # a line that never ends is refused as soon as it is too long
    raw = Raw(port)
    raw.line()
    raw.send(b"A" * 300)
    assert raw.line() == b"-ERR Line too long, closing"
    assert raw.closed()
    # NUL, controls, 8-bit bytes, empty lines: errors, then the bad-command limit (10)
    raw = Raw(port)
    raw.line()
    for junk in [b"\x00\x00\r\n", b"US\x00ER x\r\n", b"USER a\x01b\r\n", b"\xff\xfe\r\n",
                 b"\r\n", b"HELO\r\n", b"USER  two-spaces\r\n", b"LIST\r\n"]:
        raw.send(junk)
        assert raw.line().startswith(b"-ERR"), junk
    assert raw.cmd("CAPA") == b"+OK Capability list follows"
    raw.multiline()
    # eight bad lines so far (LIST counts too: not valid before login): two more reach the
    # limit of MERPATI_POP3_MAX_BAD_COMMANDS (10)
    answers = [raw.cmd("XYZZY") for _ in range(2)]
    assert answers == [b"-ERR Unknown command", b"-ERR Too many bad commands, closing"]
    assert raw.closed()
    # bare LF line endings are accepted
    raw = Raw(port)
    raw.line()
    raw.send(b"CAPA\n")
    assert raw.line() == b"+OK Capability list follows"


def test_idle_timeout(stack):
    proc = stack.start("pop3", env={"MERPATI_POP3_IDLE_TIMEOUT": "2s"})
    raw = Raw(proc.port("MERPATI_POP3_LISTEN"))
    raw.line()
    start = time.monotonic()
    assert raw.line() == b"-ERR Disconnected for inactivity"
    assert 1.5 <= time.monotonic() - start < 10
    assert raw.closed()


def test_snapshot_stable_while_mailbox_changes(pg, stack, pop3):
    """An IMAP-like expunge and a new delivery during a POP3 session: numbers stay, the
    expunged message answers -ERR, the new one waits for the next session."""
    addr = new_account(stack)
    for n in range(3):
        deliver(pg, addr, message(n))
    uids = inbox_uids(pg, addr)
    c = login(pop3, addr)
    assert c.stat()[0] == 3
    expunge_like_imap(pg, addr, uids[1])
    new_uid = deliver(pg, addr, message(9))
    assert c.stat()[0] == 3
    assert len(c.list()[1]) == 3
    with pytest.raises(poplib.error_proto, match=r"removed by another session"):
        c.retr(2)
    assert c.retr(3)[1][-1] == b"line 2 of message 2"
    c.dele(1)
    c.dele(2)  # already gone: the UPDATE state skips it
    assert c.quit().startswith(b"+OK")
    assert inbox_uids(pg, addr) == [uids[2], new_uid]
    c = login(pop3, addr)
    assert c.stat()[0] == 2
    c.quit()


def test_large_message_streams(pg, stack):
    """RETR of a message much larger than the read chunk: byte-exact, dot-stuffing at every
    chunk boundary, and the service's memory does not grow by the message's size."""
    # under AddressSanitizer freed chunks sit in its quarantine: keep that small here
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=1"]))
    pop3 = stack.start("pop3", env={"ASAN_OPTIONS": asan})
    addr = new_account(stack)
    line = b".dot-started line to be stuffed, and some filler text up to about 100 octets ..\r\n"
    body = line * (24 * 1024 * 1024 // len(line))
    raw_msg = b"Subject: big\r\n\r\n" + body
    deliver(pg, addr, raw_msg)
    c = login(pop3, addr)
    # measured after the login: argon2id alone takes tens of MB for a moment
    rss_before = rss_kb(pop3.pid)
    peak = [rss_before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pop3.pid))
            time.sleep(0.005)
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        resp, lines, octets = c.retr(1)
    finally:
        done.set()
        sampler.join()
    assert resp == b"+OK %d octets" % len(raw_msg)
    assert b"\r\n".join(lines) + b"\r\n" == raw_msg
    growth = peak[0] - rss_before
    print(f"message={len(raw_msg)} octets rss_before={rss_before} kB peak_growth={growth} kB")
    assert growth < 12 * 1024, growth
    c.quit()


def rss_kb(pid):
    """rss_kb - resident memory of a process now"""
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def test_metrics_count_logins(stack, pop3):
    import http.client
    addr = new_account(stack)
    c = login(pop3, addr)
    c.quit()
    conn = http.client.HTTPConnection("127.0.0.1", pop3.admin_port, timeout=5)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    assert re.search(r'^merpati_pop3_logins_total\{result="ok"\} [1-9]', text, re.M), text


def test_proxy_protocol_gives_the_real_client(stack):
    """Behind a proxy (MERPATI_POP3_PROXY_PROTOCOL): the PROXY header names the client, and
    the plaintext policy applies to that address, not to the proxy's loopback one."""
    proc = stack.start("pop3", env={"MERPATI_POP3_PROXY_PROTOCOL": "true"})
    raw = Raw(proc.port("MERPATI_POP3_LISTEN"))
    raw.send(b"PROXY TCP4 192.0.2.7 127.0.0.1 40000 110\r\n")
    assert raw.line().startswith(b"+OK ")
    assert raw.cmd("USER someone@example.test").startswith(b"-ERR [AUTH] Plaintext")
    raw.close()
    assert "client=192.0.2.7" in proc.log()
    raw = Raw(proc.port("MERPATI_POP3_LISTEN"))
    raw.send(b"CAPA\r\n")
    assert raw.closed()
