"""test_imap_search - SEARCH (every key), ESEARCH, SORT, THREAD, QUOTA and ACL through the
imap service with Python's imaplib, on mail delivered by the mda.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_imap_search.py
"""
import datetime
import imaplib
import re

import pytest

import test_mda_delivery as mda
from harness.stack import Stack

MSGS = [
    (b"From: Alice Sender <as@remote.example>\r\nTo: {to}\r\nSubject: Lunch plans\r\n"
     b"Date: Wed, 10 Jan 2024 12:00:00 +0000\r\nMessage-ID: <1@r.example>\r\n\r\n"
     b"Let's eat at 12:30, 100% sure.\r\n"),
    (b"From: bob@remote.example\r\nTo: {to}\r\nCc: carol@remote.example\r\n"
     b"Subject: Re: Lunch plans\r\nDate: Thu, 11 Jan 2024 09:00:00 +0000\r\n"
     b"Message-ID: <2@r.example>\r\nIn-Reply-To: <1@r.example>\r\n"
     b"References: <1@r.example>\r\n\r\nYes please.\r\n"),
    (b"From: Zed <zed@remote.example>\r\nTo: {to}\r\nSubject: =?utf-8?q?Stra=C3=9Fe_news?=\r\n"
     b"Date: Fri, 12 Jan 2024 18:00:00 +0000\r\nMessage-ID: <3@r.example>\r\n"
     b"X-Custom: marker-42\r\n\r\n" + b"long line of news\r\n" * 300),
    (b"From: ann@remote.example\r\nTo: {to}\r\nSubject: [fwd: Lunch plans]\r\n"
     b"Date: Tue, 9 Jan 2024 08:00:00 +0000\r\nMessage-ID: <4@r.example>\r\n\r\nfwd\r\n"),
]


@pytest.fixture(scope="module")
def world(pg, stack_module):
    """world - alice with the four messages in INBOX, bob, and a running imap service"""
    stack = stack_module
    d = mda.new_domain(stack)
    alice = mda.new_user(stack, f"alice@{d}", "--quota", "10M")
    bob = mda.new_user(stack, f"bob@{d}")
    stack.start("mda", env=mda.FAST)
    for raw in MSGS:  # one at a time: UIDs follow the list
        mda.wait_gone(pg, mda.enqueue(pg, "x@remote.example", [alice],
                                      raw.replace(b"{to}", alice.encode())))
    imap = stack.start("imap", plaintext_auth="loopback")
    world = dict(alice=alice, bob=bob, addr=imap.listen("MERPATI_IMAP_LISTEN"), stack=stack)
    # alice has looked at her INBOX once: no message is \Recent for the tests' sessions,
    # whichever runs first (RFC 3501 2.3.2.1)
    c = login(world)
    assert c.select("INBOX")[0] == "OK"
    c.logout()
    return world


@pytest.fixture(scope="module")
def stack_module(request, pg, tmp_path_factory):
    """stack_module - one stack for the module (delivery is the slow part), checked at the
    end as the per-test stack is: no crash, no sanitizer report"""
    s = Stack(pg, tmp_path_factory.mktemp("stack"))
    yield s
    died = s.close()
    assert not died, f"exited during the tests: {died}"
    assert not s.sanitizer_reports()


def login(world, who="alice"):
    c = imaplib.IMAP4(*world["addr"])
    c.login(world[who], mda.PASSWORD)
    return c


@pytest.fixture
def inbox(world):
    c = login(world)
    assert c.select("INBOX")[0] == "OK"
    yield c
    c.logout()


def bad(c, name, *args):
    """bad - the command is answered BAD (imaplib raises on BAD); the message"""
    with pytest.raises(imaplib.IMAP4.error, match=f"{name} command error: BAD") as e:
        c._simple_command(name, *args)
    return str(e.value)


def search(c, *keys, charset=None):
    typ, dat = c.search(charset, *keys)
    assert typ == "OK", dat
    return [int(x) for x in dat[0].split()]


@pytest.mark.parametrize("keys,expect", [
    (["ALL"], [1, 2, 3, 4]),
    (["FROM", "zed"], [3]),
    (["FROM", '"ALICE SENDER"'], [1]),
    (["SUBJECT", "lunch"], [1, 2, 4]),
    (["TO", "alice"], [1, 2, 3, 4]),
    (["CC", "carol"], [2]),
    (["BCC", "carol"], []),
    (["BODY", '"100%"'], [1]),
    (["BODY", "lunch"], []),            # in the header only
    (["TEXT", "lunch"], [1, 2, 4]),
    (["TEXT", "marker-42"], [3]),
    (["HEADER", "X-Custom", "MARKER"], [3]),
    (["HEADER", "In-Reply-To", '""'], [2]),
    (["LARGER", "4000"], [3]),
    (["SMALLER", "4000"], [1, 2, 4]),
    (["SENTON", "11-Jan-2024"], [2]),
    (["SENTBEFORE", "10-Jan-2024"], [4]),
    (["SENTSINCE", "11-Jan-2024"], [2, 3]),
    (["BEFORE", "1-Jan-2000"], []),
    (["2:*"], [2, 3, 4]),
    (["1,3"], [1, 3]),
    (["9"], []),                        # beyond the mailbox: nothing
    (["*"], [4]),
    (["UID", "1:2"], [1, 2]),
    (["NOT", "SUBJECT", "lunch"], [3]),
    (["OR", "FROM", "zed", "FROM", "bob"], [2, 3]),
    (["(SUBJECT lunch FROM bob)"], [2]),
    (["RECENT"], []),
    (["NEW"], []),
    (["OLD"], [1, 2, 3, 4]),
    (["UNDRAFT"], [1, 2, 3, 4]),
    (["DRAFT"], []),
    (["DELETED"], []),
    (["UNDELETED", "UNANSWERED"], [1, 2, 3, 4]),
    (["ANSWERED"], []),
])
def test_search_keys(inbox, keys, expect):
    assert search(inbox, *keys) == expect


def test_flags_and_keywords(inbox):
    assert inbox.store("1", "+FLAGS", r"(\Seen \Flagged $Work)")[0] == "OK"
    try:
        assert search(inbox, "SEEN") == [1]
        assert search(inbox, "UNSEEN") == [2, 3, 4]
        assert search(inbox, "FLAGGED") == [1]
        assert search(inbox, "UNFLAGGED") == [2, 3, 4]
        assert search(inbox, "KEYWORD", "$work") == [1]
        assert search(inbox, "UNKEYWORD", "$Work") == [2, 3, 4]
    finally:
        inbox.store("1", "-FLAGS", r"(\Seen \Flagged $Work)")


def test_charset(inbox):
    inbox.literal = "straße".encode()
    assert search(inbox, "SUBJECT", charset="UTF-8") == [3]
    assert search(inbox, "SUBJECT", "news", charset="US-ASCII") == [3]
    typ, dat = inbox._simple_command("SEARCH", "CHARSET", "KOI8-R", "ALL")
    assert typ == "NO" and b"[BADCHARSET" in dat[0]


def test_bad_syntax(inbox):
    for args in (["FROBNICATE"], ["SINCE", "32-Jan-2024"], ["LARGER", "x"], ["OR", "ALL"],
                 ["NOT"] * 40 + ["ALL"]):
        bad(inbox, "SEARCH", *args)
    assert search(inbox, "ALL") == [1, 2, 3, 4]  # the connection keeps working


def test_uid_search(inbox):
    typ, dat = inbox.uid("SEARCH", "SUBJECT", "lunch")
    assert typ == "OK" and [int(x) for x in dat[0].split()] == [1, 2, 4]


def esearch(c, *args, uid=False):
    typ, dat = (c.uid("SEARCH", *args) if uid else c._simple_command("SEARCH", *args))
    assert typ == "OK", dat
    typ, dat = c._untagged_response(typ, dat, "ESEARCH")
    return dat[-1].decode()


def test_esearch(inbox):
    out = esearch(inbox, "RETURN", "(MIN MAX COUNT ALL)", "SUBJECT", "lunch")
    assert re.fullmatch(r'\(TAG "[^"]+"\) MIN 1 MAX 4 COUNT 3 ALL 1:2,4', out), out
    assert esearch(inbox, "RETURN", "(COUNT)", "FROM", "nobody").endswith(" COUNT 0")
    out = esearch(inbox, "RETURN", "()", "ALL")
    assert out.endswith(" ALL 1:4")
    out = esearch(inbox, "RETURN", "(MIN)", "NOT", "FROM", "alice", uid=True)
    assert out.endswith(" UID MIN 2")


def test_rev2_answers_esearch(world):
    c = login(world)
    try:
        typ, dat = c.xatom("ENABLE", "IMAP4rev2")
        assert typ == "OK", dat
        assert c.select("INBOX")[0] == "OK"
        assert esearch(c, "SUBJECT", "lunch").endswith(" ALL 1:2,4")  # RFC 9051 6.4.4
    finally:
        c.logout()


def test_modseq(inbox):
    typ, dat = inbox._simple_command("SEARCH", "MODSEQ", "1")
    assert typ == "OK"
    line = inbox._untagged_response(typ, dat, "SEARCH")[1][-1].decode()
    m = re.fullmatch(r"1 2 3 4 \(MODSEQ (\d+)\)", line)
    assert m and int(m.group(1)) >= 4, line


@pytest.mark.parametrize("criteria,expect", [
    ("(SUBJECT)", [1, 2, 4, 3]),
    ("(DATE)", [4, 1, 2, 3]),
    ("(REVERSE FROM)", [3, 2, 1, 4]),   # addr-mailbox: zed bob as ann
    ("(ARRIVAL)", [1, 2, 3, 4]),
    ("(REVERSE SIZE)", None),
    ("(CC DATE)", [4, 1, 3, 2]),        # "" before carol
])
def test_sort(inbox, criteria, expect):
    typ, dat = inbox.sort(criteria, "UTF-8", "ALL")
    assert typ == "OK", dat
    got = [int(x) for x in dat[0].split()]
    assert got == expect if expect is not None else got[0] == 3


def test_sort_with_search_and_uid(inbox):
    typ, dat = inbox.uid("SORT", "(REVERSE DATE)", "UTF-8", "SUBJECT", "lunch")
    assert typ == "OK" and [int(x) for x in dat[0].split()] == [2, 1, 4]
    bad(inbox, "SORT", "(WEIGHT)", "UTF-8", "ALL")


def test_thread(inbox):
    typ, dat = inbox.thread("REFERENCES", "UTF-8", "ALL")
    assert typ == "OK" and dat[0] == b"(1 (4)(2))(3)", dat
    typ, dat = inbox.thread("ORDEREDSUBJECT", "UTF-8", "ALL")
    assert typ == "OK" and dat[0] == b"(4 (1)(2))(3)", dat
    typ, dat = inbox.thread("REFERENCES", "UTF-8", "FROM", "nobody")
    assert typ == "OK"
    bad(inbox, "THREAD", "BY-MOON", "UTF-8", "ALL")


def test_quota(inbox, pg, world):
    used = int(pg.psql(f"SELECT used_bytes FROM accounts WHERE address = '{world['alice']}'"))
    assert used > 0
    typ, dat = inbox.getquotaroot("INBOX")
    assert typ == "OK", dat
    assert dat[0] == [b'INBOX ""']
    want = f'"" (STORAGE {(used + 1023) // 1024} {10 * 1024 * 1024 // 1024})'.encode()
    assert dat[1] == [want]
    typ, dat = inbox.getquota('""')
    assert typ == "OK" and dat == [want]
    typ, dat = inbox._simple_command("GETQUOTA", "other")
    assert typ == "NO"
    typ, dat = inbox._simple_command("SETQUOTA", '""', "(STORAGE 1)")
    assert typ == "NO"


def myrights(c, name):
    typ, dat = c.myrights(name)
    return typ, (dat[0].decode().rsplit(" ", 1)[-1] if typ == "OK" else None)


def test_acl_sharing(world):
    alice, bob = world["alice"], world["bob"]
    r = world["stack"].merpati("share", alice, "INBOX", bob, "lr")
    assert r.returncode == 0, r.stdout + r.stderr
    shared = f"Shared/{alice}/INBOX"
    a, b = login(world), login(world, "bob")
    try:
        assert myrights(b, shared) == ("OK", "lr")
        typ, dat = b.list('""', '"Shared/*"')
        assert typ == "OK" and any(f'"{shared}"'.encode() in l or shared.encode() in l
                                   for l in dat if l), dat
        with pytest.raises(imaplib.IMAP4.readonly):         # SELECT without s/w/t/e rights
            b.select(f'"{shared}"')                         # is answered READ-ONLY
        b.is_readonly = True                                # (imaplib's view of it)
        assert search(b, "SUBJECT", "lunch") == [1, 2, 4]   # the grantee searches it
        b.is_readonly = False                               # ask the server anyway
        b.untagged_responses.pop("READ-ONLY", None)
        typ, dat = b.store("1", "+FLAGS", r"(\Flagged)")   # no "w": refused (RFC 4314 4)
        assert typ == "NO", dat
        assert search(b, "FLAGGED") == []
        typ, _ = b.setacl(f'"{shared}"', bob, "lrswipkxtea")  # no "a": refused
        assert typ == "NO"
        typ, dat = b.getacl(f'"{shared}"')
        assert typ == "NO"

        typ, dat = a.getacl("INBOX")
        assert typ == "OK" and dat[0].decode() == f"INBOX {alice} lrswipkxtea {bob} lr"
        assert a.setacl("INBOX", bob, "+wd")[0] == "OK"       # d is e, t and x (RFC 4314)
        assert myrights(b, shared) == ("OK", "lrwxte")
        assert a.setacl("INBOX", bob, "-x")[0] == "OK"
        assert myrights(b, shared) == ("OK", "lrwte")
        typ, dat = a.xatom("LISTRIGHTS", "INBOX", bob)
        assert typ == "OK"
        lr = a._untagged_response(typ, dat, "LISTRIGHTS")[1][-1].decode()
        assert lr == f'INBOX {bob} "" l r s w i p k x t e a'
        assert a.setacl("INBOX", alice, "l")[0] == "NO"        # the owner keeps every right
        assert a.setacl("INBOX", "nobody@nowhere.example", "l")[0] == "NO"
        bad(a, "SETACL", "INBOX", bob, "lz")
        assert a.deleteacl("INBOX", bob)[0] == "OK"
        assert myrights(b, shared)[0] == "NO"                 # gone, and so is the mailbox
        assert myrights(a, "INBOX") == ("OK", "lrswipkxtea")
    finally:
        a.logout()
        b.logout()
