"""IMAP protocol details spoken over raw sockets (imaplib hides untagged responses) against a
real merpati-imap and PostgreSQL: a session's own STORE reported once and another session's
change reported once (RFC 3501 7.4.2, RFC 7162 3.1.3/3.2.4), STATUS and CREATE extensions,
RENAME INBOX, SEARCHRES, and what CAPABILITY advertises.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_imap_proto.py
"""
import re

import pytest

from test_imap_core import Raw
from test_pop3_helpers import PASSWORD, deliver, message, new_account


@pytest.fixture
def imap(stack):
    return stack.start("imap", env={"MERPATI_IMAP_POLL_INTERVAL": "5s"})


def session(imap, addr, tag=b"l"):
    r = Raw(imap)
    assert r.cmd(tag, f"LOGIN {addr} {PASSWORD}".encode())[-1].startswith(tag + b" OK")
    return r


def fetches(lines):
    """fetches - the untagged FETCH lines of a reply, without the UID item (STORE's replies
    carry it; RFC 3501 7.4.2 allows it anywhere)"""
    return [re.sub(rb"UID \d+ ", b"", l) for l in lines if re.match(rb"\* \d+ FETCH ", l)]


def test_own_store_reported_once_other_sessions_change_once(pg, stack, imap):
    addr = new_account(stack)
    for i in range(2):
        deliver(pg, addr, message(i))
    a, b = session(imap, addr), session(imap, addr)
    a.cmd(b"a1", b"SELECT INBOX")
    b.cmd(b"b1", b"SELECT INBOX")
    out = a.cmd(b"a2", b"STORE 1 +FLAGS (\\Seen)")
    assert fetches(out) == [b"* 1 FETCH (FLAGS (\\Seen))"], out
    assert fetches(a.cmd(b"a3", b"NOOP")) == [], "own change reported again"
    # the other session learns it once
    assert fetches(b.cmd(b"b2", b"NOOP")) == [b"* 1 FETCH (FLAGS (\\Seen))"]
    assert fetches(b.cmd(b"b3", b"NOOP")) == []
    # and the other direction, with the other session's earlier change pending for a
    out = b.cmd(b"b4", b"STORE 2 +FLAGS (\\Flagged)")
    assert fetches(out) == [b"* 2 FETCH (FLAGS (\\Flagged))"], out
    out = a.cmd(b"a4", b"STORE 1 +FLAGS (\\Answered)")
    assert sorted(fetches(out)) == [b"* 1 FETCH (FLAGS (\\Seen \\Answered))",
                                    b"* 2 FETCH (FLAGS (\\Flagged))"], out
    assert fetches(a.cmd(b"a5", b"NOOP")) == []
    assert fetches(b.cmd(b"b5", b"NOOP")) == [b"* 1 FETCH (FLAGS (\\Seen \\Answered))"]
    assert fetches(b.cmd(b"b6", b"NOOP")) == []
    # an expunge elsewhere holds a's sync back during STORE (RFC 3501 7.4.1); the NOOP that
    # reports it does not repeat the STORE's own FETCH
    b.cmd(b"b7", b"STORE 2 +FLAGS.SILENT (\\Deleted)")
    b.cmd(b"b8", b"EXPUNGE")
    out = a.cmd(b"a6", b"STORE 1 -FLAGS (\\Answered)")
    assert fetches(out) == [b"* 1 FETCH (FLAGS (\\Seen))"], out
    out = a.cmd(b"a7", b"NOOP")
    assert b"* 2 EXPUNGE" in out and fetches(out) == [], out
    a.close()
    b.close()


def test_condstore_store_carries_modseq_and_later_change_its_new_one(pg, stack, imap):
    addr = new_account(stack)
    deliver(pg, addr, message(0))
    a, b = session(imap, addr), session(imap, addr)
    out = a.cmd(b"a1", b"SELECT INBOX (CONDSTORE)")
    hms = int(re.search(rb"HIGHESTMODSEQ (\d+)", b"\r\n".join(out)).group(1))
    b.cmd(b"b1", b"SELECT INBOX (CONDSTORE)")
    out = a.cmd(b"a2", b"STORE 1 +FLAGS (\\Seen)")
    m1 = re.fullmatch(rb"\* 1 FETCH \(FLAGS \(\\Seen\) MODSEQ \((\d+)\)\)", fetches(out)[0])
    assert m1 and int(m1.group(1)) > hms, out
    assert fetches(a.cmd(b"a3", b"NOOP")) == []
    assert fetches(b.cmd(b"b2", b"NOOP")) == [b"* 1 FETCH (FLAGS (\\Seen) MODSEQ (%s))"
                                              % m1.group(1)]
    out = b.cmd(b"b3", b"STORE 1 FLAGS.SILENT (\\Deleted)")
    m2 = re.fullmatch(rb"\* 1 FETCH \(MODSEQ \((\d+)\)\)", fetches(out)[0])
    assert m2 and int(m2.group(1)) > int(m1.group(1)), out      # RFC 7162 3.1.3
    assert fetches(b.cmd(b"b4", b"NOOP")) == []
    out = a.cmd(b"a4", b"NOOP")
    assert fetches(out) == [b"* 1 FETCH (FLAGS (\\Deleted) MODSEQ (%s))" % m2.group(1)], out
    assert fetches(a.cmd(b"a5", b"NOOP")) == []
    a.close()
    b.close()
