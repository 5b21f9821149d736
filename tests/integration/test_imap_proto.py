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


def looked_at(imap, addr):
    """looked_at - a session selects INBOX once, so its messages are no longer \\Recent
    for the sessions a test opens next (RFC 3501 2.3.2.1)"""
    r = session(imap, addr, b"p")
    assert r.cmd(b"p1", b"SELECT INBOX")[-1].startswith(b"p1 OK")
    r.close()


def fetches(lines):
    """fetches - the untagged FETCH lines of a reply, without the UID item (STORE's replies
    carry it; RFC 3501 7.4.2 allows it anywhere)"""
    return [re.sub(rb"UID \d+ ", b"", l) for l in lines if re.match(rb"\* \d+ FETCH ", l)]


def test_own_store_reported_once_other_sessions_change_once(pg, stack, imap):
    addr = new_account(stack)
    for i in range(2):
        deliver(pg, addr, message(i))
    looked_at(imap, addr)
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
    looked_at(imap, addr)
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


# Every capability the server may advertise, each exercised by a test of this directory.
IMPLEMENTED = {
    b"IMAP4rev1", b"IMAP4rev2", b"LITERAL+", b"ENABLE", b"ID", b"IDLE", b"NAMESPACE",
    b"UNSELECT", b"CHILDREN", b"LIST-EXTENDED", b"LIST-STATUS", b"SPECIAL-USE",
    b"STATUS=SIZE", b"CONDSTORE", b"QRESYNC", b"UIDPLUS", b"MOVE", b"ESEARCH", b"SORT",
    b"THREAD=REFERENCES", b"THREAD=ORDEREDSUBJECT", b"QUOTA", b"QUOTA=RES-STORAGE", b"ACL",
    b"RIGHTS=texk", b"UTF8=ACCEPT", b"COMPRESS=DEFLATE", b"BINARY", b"MULTIAPPEND",
    b"CREATE-SPECIAL-USE", b"SEARCHRES",
    b"STARTTLS", b"AUTH=PLAIN", b"SASL-IR", b"LOGINDISABLED",
}


def capabilities(r, tag):
    out = r.cmd(tag, b"CAPABILITY")
    assert out[-1].startswith(tag + b" OK"), out
    words = out[0].split()
    assert words[:2] == [b"*", b"CAPABILITY"], out
    return set(words[2:])


def test_capability_advertises_what_works(pg, stack, imap):
    addr = new_account(stack)
    r = session(imap, addr)
    caps = capabilities(r, b"c1")
    unknown = {c for c in caps if c not in IMPLEMENTED and not c.startswith(b"APPENDLIMIT=")}
    assert not unknown, unknown
    assert {b"BINARY", b"MULTIAPPEND", b"QUOTA=RES-STORAGE"} <= caps
    # BINARY (RFC 3516 4.4): APPEND takes a literal8, NUL octets included
    msg = b"Subject: bin\r\nContent-Type: application/octet-stream\r\n" \
          b"Content-Transfer-Encoding: binary\r\n\r\nab\x00cd\r\n"
    r.send(b"c2 APPEND INBOX ~{%d}\r\n" % len(msg))
    assert r.line().startswith(b"+ ")
    r.send(msg + b"\r\n")
    assert r.until_tagged(b"c2")[-1].startswith(b"c2 OK"), "literal8 APPEND refused"
    # MULTIAPPEND (RFC 3502): two messages in one command
    one, two = b"Subject: 1\r\n\r\none\r\n", b"Subject: 2\r\n\r\ntwo\r\n"
    out = r.cmd(b"c3", b"APPEND INBOX {%d+}\r\n%s {%d+}\r\n%s" % (len(one), one, len(two), two))
    assert re.match(rb"c3 OK \[APPENDUID \d+ 2:3\]", out[-1]), out
    # QUOTA=RES-STORAGE (RFC 9208 5.1): the STORAGE resource is what GETQUOTAROOT reports
    pg.psql(f"UPDATE accounts SET quota_bytes = 10485760 WHERE address = '{addr}'")
    out = r.cmd(b"c4", b"GETQUOTAROOT INBOX")
    assert any(re.match(rb'\* QUOTA "" \(STORAGE \d+ \d+\)', l) for l in out), out
    r.close()


def status_of(r, tag, box, items):
    out = r.cmd(tag, b"STATUS " + box + b" (" + items + b")")
    assert out[-1].startswith(tag + b" OK"), out
    m = re.fullmatch(rb"\* STATUS \S+ \((.*)\)", out[0])
    words = m.group(1).split()
    return {words[i]: int(words[i + 1]) for i in range(0, len(words), 2)}


def test_status_deleted_and_size(pg, stack, imap):
    addr = new_account(stack)
    for i in range(3):
        deliver(pg, addr, message(i))
    r = session(imap, addr)
    got = status_of(r, b"s1", b"INBOX", b"MESSAGES DELETED SIZE")
    assert got == {b"MESSAGES": 3, b"DELETED": 0, b"SIZE": got[b"SIZE"]}
    total = int(pg.psql("SELECT sum(size) FROM mailbox_messages mm JOIN mailboxes m ON "
                        "m.id = mm.mailbox_id JOIN accounts a ON a.id = m.account_id "
                        f"WHERE a.address = '{addr}' AND m.name = 'INBOX'"))
    assert got[b"SIZE"] == total > 0                     # RFC 8438: the RFC822.SIZEs
    r.cmd(b"s2", b"SELECT INBOX")
    r.cmd(b"s3", b"STORE 1,3 +FLAGS.SILENT (\\Deleted)")
    assert status_of(r, b"s4", b"INBOX", b"DELETED")[b"DELETED"] == 2
    out = r.cmd(b"s5", b'LIST "" "INBOX" RETURN (STATUS (DELETED MESSAGES))')
    assert b'* STATUS INBOX (MESSAGES 3 DELETED 2)' in out, out
    r.cmd(b"s6", b"EXPUNGE")
    assert status_of(r, b"s7", b"INBOX", b"DELETED MESSAGES") == {b"DELETED": 0, b"MESSAGES": 1}
    assert r.cmd(b"s8", b"STATUS INBOX (DELETED BOGUS)")[-1].startswith(b"s8 BAD")
    r.close()


def test_create_with_use(pg, stack, imap):
    addr = new_account(stack)
    r = session(imap, addr)
    assert r.cmd(b"c1", b"CREATE Old (USE (\\Archive))")[-1].startswith(b"c1 OK")
    out = r.cmd(b"c2", b'LIST "" "Old"')
    assert out[0] == b'* LIST (\\HasNoChildren \\Archive) "/" Old', out
    assert r.cmd(b"c3", b"CREATE Plain (USE ())")[-1].startswith(b"c3 OK")
    assert r.cmd(b"c4", b'LIST "" "Plain"')[0] == b'* LIST (\\HasNoChildren) "/" Plain'
    for tag, use in ((b"c5", b"\\Bogus"), (b"c6", b"\\All"), (b"c7", b"\\Sent \\Trash")):
        out = r.cmd(tag, b"CREATE X" + tag + b" (USE (" + use + b"))")
        assert out[-1].startswith(tag + b" NO [USEATTR]"), out
    assert r.cmd(b"c8", b'LIST "" "Xc*"') == [b"c8 OK LIST completed"]
    for tag, bad in ((b"c9", b"(USE \\Archive)"), (b"ca", b"(FOO (\\Archive))"),
                     (b"cb", b"(USE (Archive))")):
        assert r.cmd(tag, b"CREATE Y " + bad)[-1].startswith(tag + b" BAD"), bad
    r.close()


def test_searchres_save_and_dollar(pg, stack, imap):
    addr = new_account(stack)
    for i in range(5):
        deliver(pg, addr, message(i))
    r = session(imap, addr)
    assert b"SEARCHRES" in capabilities(r, b"r0")
    r.cmd(b"r1", b"SELECT INBOX")
    # "$" before any SAVE is empty: commands using it succeed on no messages
    assert r.cmd(b"r2", b"FETCH $ (FLAGS)") == [b"r2 OK FETCH completed"]
    r.cmd(b"r3", b"STORE 2,4 +FLAGS.SILENT (\\Flagged)")
    out = r.cmd(b"r4", b"SEARCH RETURN (SAVE) FLAGGED")
    assert out == [b"r4 OK SEARCH completed"], out      # SAVE alone: no ESEARCH (5182 2.4)
    out = r.cmd(b"r5", b"FETCH $ (FLAGS)")
    assert [l.split(b" FETCH")[0] for l in fetches(out)] == [b"* 2", b"* 4"], out
    out = r.cmd(b"r6", b"UID FETCH $ (FLAGS)")
    assert len(fetches(out)) == 2, out
    out = r.cmd(b"r7", b"SEARCH $ NOT 4")
    assert out[0] == b"* SEARCH 2", out
    out = r.cmd(b"r8", b"UID SEARCH UID $")
    assert out[0] == b"* SEARCH 2 4", out
    # STORE and COPY on "$"; the copy's source is the saved messages
    out = r.cmd(b"r9", b"STORE $ +FLAGS (\\Seen)")
    assert len(fetches(out)) == 2 and out[-1].startswith(b"r9 OK"), out
    r.cmd(b"ra", b"CREATE Saved")
    assert r.cmd(b"rb", b"COPY $ Saved")[-1].startswith(b"rb OK")
    assert status_of(r, b"rc", b"Saved", b"MESSAGES")[b"MESSAGES"] == 2
    # SAVE with MIN/MAX alone saves only those (RFC 5182 2.4), and replies with ESEARCH
    out = r.cmd(b"rd", b"SEARCH RETURN (SAVE MAX) ALL")
    assert out[0] == b'* ESEARCH (TAG "rd") MAX 5', out
    assert r.cmd(b"re", b"SEARCH $")[0] == b"* SEARCH 5"
    out = r.cmd(b"rf", b"SEARCH RETURN (SAVE MIN MAX) FLAGGED")
    assert r.cmd(b"rg", b"SEARCH $")[0] == b"* SEARCH 2 4", out
    out = r.cmd(b"rh", b"UID SEARCH RETURN (SAVE COUNT) SEEN")
    assert out[0].endswith(b" COUNT 2"), out
    assert r.cmd(b"ri", b"SEARCH $")[0] == b"* SEARCH 2 4"
    # an expunged message leaves "$"
    r.cmd(b"rj", b"STORE 2 +FLAGS.SILENT (\\Deleted)")
    r.cmd(b"rk", b"EXPUNGE")
    out = r.cmd(b"rl", b"FETCH $ (FLAGS)")
    assert [l.split(b" FETCH")[0] for l in fetches(out)] == [b"* 3"], out
    # "$" cannot be combined with numbers; a failed SAVE empties it (RFC 5182 2.1)
    assert r.cmd(b"rm", b"FETCH $,1 (FLAGS)")[-1].startswith(b"rm BAD")
    assert r.cmd(b"rn", b"SEARCH RETURN (SAVE) BOGUSKEY")[-1].startswith(b"rn BAD")
    assert r.cmd(b"ro", b"SEARCH $") == [b"* SEARCH", b"ro OK SEARCH completed"]
    # SELECT forgets it
    r.cmd(b"rp", b"SEARCH RETURN (SAVE) ALL")
    r.cmd(b"rq", b"SELECT INBOX")
    assert r.cmd(b"rr", b"SEARCH $")[0] == b"* SEARCH"
    r.close()


def test_rename_inbox_moves_its_messages(pg, stack, imap):
    addr = new_account(stack)
    for i in range(3):
        deliver(pg, addr, message(i))
    a, b = session(imap, addr), session(imap, addr)
    before = status_of(a, b"n0", b"INBOX", b"UIDVALIDITY UIDNEXT")
    a.cmd(b"n1", b"CREATE INBOX/Sub")
    a.cmd(b"n2", b"SELECT INBOX")
    a.cmd(b"n3", b"STORE 2 +FLAGS.SILENT (\\Flagged)")
    b.cmd(b"m1", b"EXAMINE INBOX")
    out = a.cmd(b"n4", b"RENAME INBOX Old")
    assert out[-1].startswith(b"n4 OK"), out
    assert out[:-1] == [b"* 1 EXPUNGE"] * 3 + [b"* 0 EXISTS", b"* 0 RECENT"], out  # 6.3.5
    out = b.cmd(b"m2", b"NOOP")
    assert [l for l in out if l.endswith(b"EXPUNGE")] == [b"* 1 EXPUNGE"] * 3, out
    after = status_of(a, b"n5", b"INBOX", b"MESSAGES UIDVALIDITY UIDNEXT")
    assert after == {b"MESSAGES": 0, b"UIDVALIDITY": before[b"UIDVALIDITY"],
                     b"UIDNEXT": before[b"UIDNEXT"]}
    assert status_of(a, b"n6", b"Old", b"MESSAGES")[b"MESSAGES"] == 3
    assert status_of(a, b"n7", b"INBOX/Sub", b"MESSAGES")[b"MESSAGES"] == 0
    a.cmd(b"n8", b"SELECT Old")
    out = a.cmd(b"n9", b"FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert len(fetches(out)) == 3 and b"\\Flagged" in b"".join(out), out
    # new mail still lands in INBOX; a taken name is refused and moves nothing
    deliver(pg, addr, message(7))
    out = a.cmd(b"na", b"RENAME INBOX Old")
    assert out[-1].startswith(b"na NO [ALREADYEXISTS]"), out
    assert status_of(a, b"nb", b"INBOX", b"MESSAGES")[b"MESSAGES"] == 1
    assert a.cmd(b"nc", b"RENAME inbox Second")[-1].startswith(b"nc OK")
    assert status_of(a, b"nd", b"Second", b"MESSAGES")[b"MESSAGES"] == 1
    assert a.cmd(b"ne", b"RENAME Second INBOX")[-1].startswith(b"ne NO [ALREADYEXISTS]")
    a.close()
    b.close()


def test_move_within_an_account_needs_no_quota_room(pg, stack, imap):
    addr = new_account(stack)
    for i in range(2):
        deliver(pg, addr, message(i))
    pg.psql(f"UPDATE accounts SET quota_bytes = used_bytes + 1 WHERE address = '{addr}'")
    r = session(imap, addr)
    r.cmd(b"q1", b"SELECT INBOX")
    assert r.cmd(b"q2", b"COPY 1 Archive")[-1].startswith(b"q2 NO [OVERQUOTA]")
    assert r.cmd(b"q3", b"MOVE 1 Archive")[-1].startswith(b"q3 OK")
    assert r.cmd(b"q4", b"RENAME INBOX Older")[-1].startswith(b"q4 OK")
    assert status_of(r, b"q5", b"Older", b"MESSAGES")[b"MESSAGES"] == 1
    used = pg.psql(f"SELECT used_bytes - quota_bytes FROM accounts WHERE address = '{addr}'")
    assert used == "-1"
    r.close()


def recent_of(lines):
    return [int(l.split()[1]) for l in lines if re.fullmatch(rb"\* \d+ RECENT", l)]


def test_recent_belongs_to_the_first_session_that_selects(pg, stack, imap):
    addr = new_account(stack)
    for i in range(2):
        deliver(pg, addr, message(i))
    a, b, c = session(imap, addr), session(imap, addr), session(imap, addr)
    assert status_of(c, b"c1", b"INBOX", b"RECENT MESSAGES") == {b"RECENT": 2, b"MESSAGES": 2}
    out = c.cmd(b"c2", b"EXAMINE INBOX")                 # looks, does not claim
    assert recent_of(out) == [0], out
    out = a.cmd(b"a1", b"SELECT INBOX")
    assert recent_of(out) == [2], out
    out = a.cmd(b"a2", b"FETCH 1:2 (FLAGS)")
    assert fetches(out) == [b"* 1 FETCH (FLAGS (\\Recent))", b"* 2 FETCH (FLAGS (\\Recent))"]
    assert a.cmd(b"a3", b"SEARCH RECENT")[0] == b"* SEARCH 1 2"
    a.cmd(b"a4", b"STORE 1 +FLAGS.SILENT (\\Seen)")
    assert a.cmd(b"a5", b"SEARCH NEW")[0] == b"* SEARCH 2"
    assert a.cmd(b"a6", b"SEARCH OLD")[0] == b"* SEARCH"
    assert status_of(c, b"c3", b"INBOX", b"RECENT")[b"RECENT"] == 0
    out = b.cmd(b"b1", b"SELECT INBOX")                  # second: nothing recent
    assert recent_of(out) == [0], out
    assert b.cmd(b"b2", b"SEARCH RECENT")[0] == b"* SEARCH"
    assert b.cmd(b"b3", b"SEARCH OLD")[0] == b"* SEARCH 1 2"
    assert fetches(b.cmd(b"b4", b"FETCH 2 (FLAGS)")) == [b"* 2 FETCH (FLAGS ())"]
    # new mail: the first selected session to be told of it gets it as \Recent
    deliver(pg, addr, message(2))
    out = b.cmd(b"b5", b"NOOP")
    assert b"* 3 EXISTS" in out and recent_of(out) == [1], out
    assert fetches(b.cmd(b"b6", b"FETCH 3 (FLAGS)")) == [b"* 3 FETCH (FLAGS (\\Recent))"]
    out = a.cmd(b"a7", b"NOOP")
    assert b"* 3 EXISTS" in out and recent_of(out) == [2], out
    assert fetches(a.cmd(b"a8", b"FETCH 3 (FLAGS)")) == [b"* 3 FETCH (FLAGS ())"]
    # a later SELECT (also by the same session) sees none
    assert recent_of(a.cmd(b"a9", b"SELECT INBOX")) == [0]
    a.close()
    b.close()
    c.close()


def test_recent_is_not_shown_in_imap4rev2(pg, stack, imap):
    addr = new_account(stack)
    deliver(pg, addr, message(0))
    r = session(imap, addr)
    assert r.cmd(b"e1", b"ENABLE IMAP4rev2")[-1].startswith(b"e1 OK")
    out = r.cmd(b"e2", b"SELECT INBOX")
    assert not any(b"RECENT" in l for l in out), out
    assert fetches(r.cmd(b"e3", b"FETCH 1 (FLAGS)")) == [b"* 1 FETCH (FLAGS ())"]
    deliver(pg, addr, message(1))
    out = r.cmd(b"e4", b"NOOP")
    assert b"* 2 EXISTS" in out and not any(b"RECENT" in l for l in out), out
    r.close()
