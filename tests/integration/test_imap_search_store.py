"""IMAP SEARCH keys run in PostgreSQL (lib/store/imap_search): every key kind against
messages with known metadata, wildcard escaping, case folding, bounds; driven through
imap-search-tool (tests/unit/imap/imap_search_tool.c).

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_imap_search_store.py
"""
import os
import subprocess
import uuid

import pytest

from harness.pg import REPO, build_dir, find_program

PKGS = ["gmime-3.0", "libpq", "libevent", "libevent_openssl", "libevent_pthreads", "openssl",
        "libzmq", "libprotobuf-c", "libsodium", "zlib"]

HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
SEEN, ANSWERED, FLAGGED, DELETED, DRAFT = 1, 2, 4, 8, 16

# uid: (flags, keywords, internal date, size, modseq, meta or None)
MESSAGES = {
    1: (SEEN, ["Project"], "2024-01-10 12:00Z", 1000, 5, dict(
        subject="Meeting tomorrow", from_addr="Alice Example <alice@example.test>",
        to_addr="bob@example.test", cc_addr="carol@x.test", bcc_addr="",
        sent_date="2024-01-09 23:30Z",
        headers="From: Alice Example <alice@example.test>\nTo: bob@example.test\n"
                "Subject: Meeting tomorrow\nX-Priority: 1\n",
        body_text="Let us meet at 50% capacity_room")),
    2: (ANSWERED | FLAGGED, [], "2024-01-11 08:00Z", 5000, 9, dict(
        subject="Re: Meeting tomorrow", from_addr="bob@example.test",
        to_addr="alice@example.test", cc_addr="", bcc_addr="dave@y.test", sent_date=None,
        headers="From: bob@example.test\nTo: alice@example.test\nSubject: Re: Meeting "
                "tomorrow\nX-Mailer: Tool 100%\n",
        body_text="Sounds good")),
    3: (DELETED | DRAFT, ["$Junk"], "2024-01-12 23:59Z", 20000, 12, dict(
        subject="Ünïcode Straße", from_addr="Zoë <zoe@z.test>", to_addr="", cc_addr="",
        bcc_addr="", sent_date="2024-01-12 10:00+02",
        headers="From: Zoë <zoe@z.test>\nSubject: Ünïcode Straße\n",
        body_text="ÄRGER groß")),
    4: (0, [], "2024-01-13 00:00Z", 10, 15, None),
}


@pytest.fixture(scope="module")
def tool_path(tmp_path_factory):
    """tool_path - the built imap-search-tool, or one compiled here against the build's
    library when the build does not list it"""
    built = find_program("imap-search-tool")
    if built:
        return built
    out = str(tmp_path_factory.mktemp("tool") / "imap-search-tool")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs"] + PKGS, check=True,
                           capture_output=True, text=True).stdout.split()
    b = build_dir()
    subprocess.run(["cc", "-std=gnu11", "-D_GNU_SOURCE", "-I" + os.path.join(REPO, "lib"),
                    "-I" + b, "-I" + os.path.join(b, "proto"),
                    os.path.join(REPO, "tests/unit/imap/imap_search_tool.c"), "-o", out,
                    os.path.join(b, "lib", "libmerpati.a")] + flags + ["-lpthread"], check=True)
    return out


def run_tool(pg, tool_path, *args, check=True):
    """run_tool - the tool against the cluster; its CompletedProcess"""
    r = subprocess.run([tool_path] + [a if isinstance(a, bytes) else str(a) for a in args],
                       env=dict(pg.env), capture_output=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stderr.decode()
    return r


def q(v):
    """q - an SQL literal for the fixture rows (test data only, never client input)"""
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


@pytest.fixture(scope="module")
def mailbox(pg):
    d = f"srch{uuid.uuid4().hex[:8]}.test"
    did = pg.psql(f"INSERT INTO domains (name) VALUES ('{d}') RETURNING id")
    aid = pg.psql(f"INSERT INTO accounts (domain_id, address, password_hash) "
                  f"VALUES ({did}, 's@{d}', '{HASH}') RETURNING id")
    mid = pg.psql(f"INSERT INTO mailboxes (account_id, name, uidnext, highestmodseq) "
                  f"VALUES ({aid}, 'INBOX', 100, 100) RETURNING id")
    for uid, (flags, kws, idate, size, modseq, meta) in MESSAGES.items():
        raw = f"{d}-{uid}"
        sha = f"sha256(convert_to({q(raw)}, 'UTF8'))"
        pg.psql(f"INSERT INTO messages (sha256, raw, size) VALUES ({sha}, "
                f"convert_to({q(raw)}, 'UTF8'), octet_length({q(raw)}))")
        if meta is not None:
            cols = ", ".join(meta)
            vals = ", ".join(q(v) for v in meta.values())
            pg.psql(f"INSERT INTO message_meta (sha256, {cols}) VALUES ({sha}, {vals})")
        arr = "ARRAY[" + ", ".join(q(k) for k in kws) + "]::text[]"
        pg.psql(f"INSERT INTO mailbox_messages (mailbox_id, uid, sha256, modseq, flags, "
                f"keywords, internal_date, size) VALUES ({mid}, {uid}, {sha}, {modseq}, "
                f"{flags}, {arr}, {q(idate)}, {size})")
    return int(mid)


@pytest.fixture(scope="module")
def box(pg, mailbox, tool_path):
    """box - what the tests need: the cluster, the mailbox and the tool"""
    return pg, mailbox, tool_path


def search(box_, *words):
    """search - the UIDs matching the key program, and the highest modseq among them"""
    pg, mailbox, tp = box_
    out = run_tool(pg, tp, mailbox, *words).stdout.decode().splitlines()
    uids = [int(u) for u in out[0].split()]
    return uids, int(out[1].split()[1])


def uids(box_, *words):
    return search(box_, *words)[0]


def fails(box_, *words):
    """fails - the tool's stderr for a program that must be refused"""
    pg, mailbox, tp = box_
    r = run_tool(pg, tp, mailbox, *words, check=False)
    assert r.returncode == 1
    return r.stderr


@pytest.mark.parametrize("words,expect", [
    (["all"], [1, 2, 3, 4]),
    (["field", "subject", "meeting"], [1, 2]),
    (["field", "subject", "MEETING TOM"], [1, 2]),
    (["field", "from", "ALICE"], [1]),
    (["field", "to", "alice"], [2]),
    (["field", "cc", "carol"], [1]),
    (["field", "bcc", "dave"], [2]),
    (["field", "subject", ""], [1, 2, 3, 4]),  # the empty string is in every string
    (["text", "x-priority"], [1]),
    (["text", "sounds"], [2]),
    (["body", "meet"], [1]),
    (["body", "subject"], []),  # BODY does not look at the header
])
def test_text_keys(box, words, expect):
    assert uids(box, *words) == expect


@pytest.mark.parametrize("value,expect", [
    ("50%", [1]), ("%", [1]), ("y_r", [1]), ("y%r", []), ("5_%", []), ("_", [1]),
    ("\\", []),
])
def test_like_wildcards_are_literal(box, value, expect):
    """RFC 3501 6.4.4 matches substrings: % _ \\ from the client are plain characters"""
    assert uids(box, "body", value) == expect


def test_non_ascii_case_folding(box):
    assert uids(box, "field", "subject", "straße") == [3]
    assert uids(box, "field", "subject", "ÜNÏCODE") == [3]
    assert uids(box, "body", "ärger") == [3]
    assert uids(box, "field", "from", "zoë") == [3]


@pytest.mark.parametrize("name,value,expect", [
    ("X-Mailer", "100%", [2]),
    ("x-priority", "", [1]),        # empty value: every message with the field
    ("Subject", "re:", [2]),
    ("To", "meeting", []),          # the text is in another field's line
    ("X-Priority", "alice", []),
    ("Subj", "", []),               # a field name is matched whole
    ("From", "ZOË", [3]),
])
def test_header(box, name, value, expect):
    assert uids(box, "header", name, value) == expect


@pytest.mark.parametrize("words,expect", [
    (["set", SEEN], [1]),
    (["clear", SEEN], [2, 3, 4]),
    (["set", ANSWERED | FLAGGED], [2]),
    (["set", SEEN | FLAGGED], []),
    (["set", DELETED], [3]),
    (["clear", DELETED], [1, 2, 4]),
    (["set", DRAFT], [3]),
    (["clear", DRAFT], [1, 2, 4]),
    (["keyword", "project"], [1]),
    (["keyword", "$Junk"], [3]),
    (["keyword", "other"], []),
    (["not", "keyword", "project"], [2, 3, 4]),
])
def test_flags_and_keywords(box, words, expect):
    assert uids(box, *words) == expect


@pytest.mark.parametrize("words,expect", [
    (["uids", "2-3"], [2, 3]),
    (["uids", "none"], []),
    (["uids", "1-1,4-10"], [1, 4]),
    (["not", "uids", "2-3"], [1, 4]),
    (["or", "field", "from", "bob", "set", DELETED], [2, 3]),
    (["and", "2", "set", SEEN, "field", "subject", "meeting"], [1]),
    (["and", "0"], [1, 2, 3, 4]),
    (["not", "field", "subject", "meeting"], [3, 4]),  # no metadata: no subject to match
    (["not", "not", "set", SEEN], [1]),
])
def test_sets_and_logic(box, words, expect):
    assert uids(box, *words) == expect


@pytest.mark.parametrize("words,expect", [
    (["date", "internal", "before", "2024-01-11"], [1]),
    (["date", "internal", "on", "2024-01-11"], [2]),
    (["date", "internal", "on", "2024-01-12"], [3]),
    (["date", "internal", "since", "2024-01-12"], [3, 4]),
    (["date", "sent", "on", "2024-01-09"], [1]),
    (["date", "sent", "on", "2024-01-11"], [2]),  # no Date: the internal date
    (["date", "sent", "before", "2024-01-10"], [1]),
    (["date", "sent", "since", "2024-01-12"], [3, 4]),
    (["size", "larger", "1000"], [2, 3]),
    (["size", "smaller", "1000"], [4]),
    (["size", "smaller", "1001"], [1, 4]),
])
def test_dates_and_sizes(box, words, expect):
    assert uids(box, *words) == expect


def test_modseq(box):
    """RFC 7162 3.1.5: MODSEQ n matches modseq >= n; the highest of the matches is reported"""
    assert search(box, "modseq", "9") == ([2, 3, 4], 15)
    assert search(box, "and", "2", "modseq", "1", "set", SEEN) == ([1], 5)
    assert search(box, "modseq", "16") == ([], 0)


def test_injection_stays_data(box):
    assert uids(box, "field", "subject", "'; DROP TABLE messages; --") == []
    assert uids(box, "header", "X-A", "') OR true --") == []
    assert int(box[0].psql("SELECT count(*) FROM messages")) >= 4


def test_bounds(box):
    assert b"nested too deep" in fails(box, *(["not"] * 40 + ["all"]))
    assert uids(box, *(["not"] * 20 + ["set", SEEN])) == [1]
    assert fails(box, *(["and", "300"] + ["all"] * 300))  # more than STORE_SEARCH_NODES_MAX
    assert b"too long" in fails(box, "body", "x" * 5000)
    assert b"header field name" in fails(box, "header", "Bad:Name", "x")
    assert fails(box, "or", "all")


def test_invalid_utf8_is_an_error(box):
    assert fails(box, "body", b"\xff\xfe").startswith(b"error:")


def test_other_mailbox_not_seen(box):
    pg, mailbox, tp = box
    assert uids((pg, mailbox + 100000, tp), "all") == []
