"""Message blobs (dedup, chunked reads) and mailbox changes (append, flags, expunge)."""
import hashlib
import os
import subprocess
import time
import uuid

import pytest

from harness.pg import run_helper

HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
SEEN, ANSWERED, FLAGGED, DELETED = 1, 2, 4, 8


def tool(pg, *args, input=b""):
    return run_helper(pg, "store-tool", *args, input=input)


@pytest.fixture
def mailbox(pg):
    d = f"msg{uuid.uuid4().hex[:8]}.test"
    did = pg.psql(f"INSERT INTO domains (name) VALUES ('{d}') RETURNING id")
    aid = pg.psql(f"INSERT INTO accounts (domain_id, address, password_hash) "
                  f"VALUES ({did}, 'm@{d}', '{HASH}') RETURNING id")
    mid = pg.psql(f"INSERT INTO mailboxes (account_id, name) VALUES ({aid}, 'INBOX') RETURNING id")
    return int(mid), int(aid)


def put(pg, data):
    sha, inserted = tool(pg, "put", input=data).decode().split()
    return sha, inserted == "1"


def test_blob_dedup_and_verbatim(pg):
    data = b"From: a@b.test\r\nSubject: x\r\n\r\n" + os.urandom(1000) + b"\r\n.\r\n\x00\xff"
    sha, inserted = put(pg, data)
    assert sha == hashlib.sha256(data).hexdigest() and inserted
    sha2, inserted2 = put(pg, data)
    assert sha2 == sha and not inserted2  # ON CONFLICT DO NOTHING: stored once
    assert pg.psql(f"SELECT count(*) FROM messages WHERE sha256 = decode('{sha}', 'hex')") == "1"
    assert tool(pg, "read", sha, 0, -1) == data  # bytes come back exactly


def test_chunked_read(pg):
    data = os.urandom(700 * 1024 + 123)  # several 256 KB chunks and a tail
    sha, _ = put(pg, data)
    assert tool(pg, "read", sha, 0, -1) == data
    assert tool(pg, "read", sha, 300000, 400000) == data[300000:700000]
    assert tool(pg, "read", sha, len(data) - 5, 100) == data[-5:]
    assert tool(pg, "read", sha, len(data), 10) == b""
    r = run_helper(pg, "store-tool", "read", sha, len(data) + 1, 10, check=False)
    assert r.returncode == 1 and b"offset" in r.stderr
    r = run_helper(pg, "store-tool", "read", "00" * 32, 0, 10, check=False)
    assert r.returncode == 1 and b"no such message" in r.stderr
    r = run_helper(pg, "store-tool", "read", "'; DROP TABLE messages; --", 0, 10, check=False)
    assert r.returncode == 1 and b"malformed" in r.stderr


def test_read_known_size(pg):
    data = os.urandom(300 * 1024 + 7)  # two chunks
    sha, _ = put(pg, data)
    assert tool(pg, "read-known", sha, len(data), 0, -1) == data
    assert tool(pg, "read-known", sha, len(data), 262140, 10) == data[262140:262150]
    assert tool(pg, "read-known", sha, len(data), len(data), 10) == b""
    # a size larger than the blob (a row that lies) is an error, not a short read
    r = run_helper(pg, "store-tool", "read-known", sha, len(data) + 5, 0, -1, check=False)
    assert r.returncode == 1 and b"shorter than its size" in r.stderr
    r = run_helper(pg, "store-tool", "read-known", sha, len(data), len(data) + 1, 1, check=False)
    assert r.returncode == 1 and b"offset" in r.stderr
    r = run_helper(pg, "store-tool", "read-known", "00" * 32, 10, 0, 10, check=False)
    assert r.returncode == 1 and b"no such message" in r.stderr
    r = run_helper(pg, "store-tool", "read-known", "'; DROP TABLE messages; --", 10, 0, 10,
                   check=False)
    assert r.returncode == 1 and b"malformed" in r.stderr


def state(pg, m):
    return pg.psql(f"SELECT uidnext, highestmodseq, messages, unseen, total_size FROM mailboxes "
                   f"WHERE id = {m}").split("|")


def test_append_flags_expunge(pg, mailbox):
    m, account = mailbox
    sha, _ = put(pg, b"Subject: one\r\n\r\nbody\r\n")
    uids = []
    for flags in (0, SEEN, 0):
        uid, modseq = tool(pg, "append", m, sha, 100, flags, "$Label1").decode().split()
        uids.append(int(uid))
    assert uids == [1, 2, 3]
    assert state(pg, m) == ["4", "4", "3", "2", "300"]
    assert pg.psql(f"SELECT used_bytes FROM accounts WHERE id = {account}") == "300"
    assert pg.psql(f"SELECT encode(trace, 'escape') FROM mailbox_messages WHERE mailbox_id = {m} "
                   f"AND uid = 1").startswith("Return-Path: <s@example.test>")

    # STORE +FLAGS \Seen on 1,2: only 1 changes; it gets the next modseq
    changed, modseq = tool(pg, "flags", m, "add", SEEN, "1,2", 0).decode().split()
    assert (changed, modseq) == ("1", "5")
    assert state(pg, m)[1:4] == ["5", "3", "1"]
    # keywords add without duplicates, remove, set
    assert tool(pg, "flags", m, "add", 0, "1", 0, "$Label1", "Work").decode().split() == ["1", "6"]
    assert pg.psql(f"SELECT array_to_string(keywords, ' ') FROM mailbox_messages "
                   f"WHERE mailbox_id = {m} AND uid = 1") == "$Label1 Work"
    assert tool(pg, "flags", m, "remove", 0, "1", 0, "$Label1").decode().split() == ["1", "7"]
    # UNCHANGEDSINCE (RFC 7162 3.1.3): uid 1 changed at 7, so "since 6" leaves it alone
    assert tool(pg, "flags", m, "set", FLAGGED, "1,3", 6).decode().split() == ["1", "8"]
    assert pg.psql(f"SELECT uid, flags FROM mailbox_messages WHERE mailbox_id = {m} "
                   f"ORDER BY uid").splitlines() == ["1|1", "2|1", "3|4"]
    assert state(pg, m)[3] == "1"  # uid 3 is still unseen
    # nothing to change: no new modseq
    assert tool(pg, "flags", m, "add", SEEN, "1,2", 0).decode().split() == ["0", "0"]
    assert state(pg, m)[1] == "8"
    # a bad keyword is refused, nothing changes
    r = run_helper(pg, "store-tool", "flags", m, "add", 0, "1", 0, "bad\\kw", check=False)
    assert r.returncode == 1 and b"keyword" in r.stderr

    # EXPUNGE removes only \Deleted messages, and logs them for QRESYNC
    tool(pg, "flags", m, "add", DELETED, "1,3", 0)
    removed, modseq, which = tool(pg, "expunge", m).decode().split()
    assert (removed, which) == ("2", "1,3")
    assert pg.psql(f"SELECT uid, modseq FROM expunged WHERE mailbox_id = {m} ORDER BY uid") == \
        f"1|{modseq}\n3|{modseq}"
    assert state(pg, m) == ["4", modseq, "1", "0", "100"]
    assert pg.psql(f"SELECT used_bytes FROM accounts WHERE id = {account}") == "100"
    # UID EXPUNGE / MOVE of given UIDs; UIDs are never reused afterwards
    assert tool(pg, "expunge", m, "2").decode().split()[::2] == ["1", "2"]
    uid, _ = tool(pg, "append", m, sha, 100, 0).decode().split()
    assert uid == "4"
    assert state(pg, m)[0] == "5"


def test_append_refuses_bad_input(pg, mailbox):
    m, _ = mailbox
    sha, _ = put(pg, b"Subject: two\r\n\r\n")
    for args in ((m, "00" * 32, 10, 0),          # no such blob
                 (m + 100000, sha, 10, 0),       # no such mailbox
                 (m, sha, 10, 64),               # unknown flag bits
                 (m, sha, 10, 0, "sp ace"),      # keyword with a space
                 (m, sha, 10, 0, "x" * 200)):    # keyword too long
        r = run_helper(pg, "store-tool", "append", *args, check=False)
        assert r.returncode == 1, args
    assert state(pg, m)[:3] == ["1", "1", "0"]  # nothing half-done


def test_uid_space_exhausted(pg, mailbox):
    m, _ = mailbox
    sha, _ = put(pg, b"Subject: last\r\n\r\n")
    pg.psql(f"UPDATE mailboxes SET uidnext = 4294967295 WHERE id = {m}")
    assert tool(pg, "append", m, sha, 1, 0).decode().split()[0] == "4294967295"
    r = run_helper(pg, "store-tool", "append", m, sha, 1, 0, check=False)
    assert r.returncode == 1 and b"exhausted" in r.stderr


def test_metadata_bounded_at_a_character(pg):
    sha, _ = put(pg, f"Subject: meta {uuid.uuid4()}\r\n\r\n".encode())
    body = ("\u00e9" * 800000).encode()  # 1.6 MB of 2-byte characters
    assert tool(pg, "meta", sha, "R\u00e9sum\u00e9", "2024-05-01T10:00:00+02:00",
                input=body).decode().split() == ["1", "1"]
    # cut to the bound without splitting a character (it is stored as valid UTF-8), and
    # waiting for the search index (migration 0011)
    assert pg.psql(f"SELECT octet_length(body_text_pending), length(body_text_pending), "
                   f"body_text IS NULL, sent_date AT TIME ZONE 'UTC' "
                   f"FROM message_meta WHERE sha256 = decode('{sha}', 'hex')") == \
        "1048576|524288|t|2024-05-01 08:00:00"
    assert pg.psql(f"SELECT count(*) FROM message_meta WHERE sha256 = decode('{sha}', 'hex') "
                   f"AND subject ILIKE '%SUMÉ%'") == "1"  # case-folded beyond ASCII
    # a second insert for the same blob keeps the first
    assert tool(pg, "meta", sha, "other", "2024-05-01T10:00:00Z", input=b"x").decode().split() == \
        ["0", "1"]
    r = run_helper(pg, "store-tool", "meta", "00" * 32, "s", "2024-05-01T10:00:00Z", check=False)
    assert r.returncode == 1  # no blob, no metadata


def index_all(pg):
    """index_all - store_message_index_pending until no free pending text is left"""
    for _ in range(100):
        if int(tool(pg, "index", 1000).decode().split()[0]) < 1000:
            return
    raise AssertionError("texts kept arriving")


def test_texts_enter_the_search_index_later(pg):
    shas = [put(pg, f"Subject: idx {uuid.uuid4()}\r\n\r\n".encode())[0] for _ in range(3)]
    for i, sha in enumerate(shas):
        tool(pg, "meta", sha, f"s{i}", "2024-05-01T10:00:00Z", input=f"Needle{i} text".encode())

    def where(sha):
        return f"FROM message_meta WHERE sha256 = decode('{sha}', 'hex')"

    assert [pg.psql(f"SELECT body_text IS NULL, body_text_pending {where(s)}") for s in shas] == \
        ["t|Needle0 text", "t|Needle1 text", "t|Needle2 text"]
    # a row another transaction holds is skipped, not waited for
    holder = subprocess.Popen(["psql", "-X", "-q", "-h", pg.sockdir, "-p", str(pg.port), "-U",
                               "merpati", "-d", "merpati"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True)
    try:
        holder.stdin.write(f"BEGIN; SELECT 1 {where(shas[0])} FOR UPDATE;\n")
        holder.stdin.flush()
        deadline = time.monotonic() + 30
        while pg.psql("SELECT count(*) FROM pg_stat_activity "
                      "WHERE state = 'idle in transaction'") == "0":
            assert time.monotonic() < deadline, "the holding transaction never started"
            time.sleep(0.05)
        start = time.monotonic()
        index_all(pg)
        assert time.monotonic() - start < 20
        assert [pg.psql(f"SELECT coalesce(body_text, '-') || '|' || coalesce(body_text_pending, '-') "
                        f"{where(s)}") for s in shas] == \
            ["-|Needle0 text", "Needle1 text|-", "Needle2 text|-"]
        # nothing indexed, and the held text still counted as waiting
        assert tool(pg, "index", 1000).decode() == "0 1\n"
    finally:
        holder.stdin.close()  # psql ends, the transaction is rolled back
        holder.wait(timeout=30)
    index_all(pg)
    assert pg.psql(f"SELECT body_text || '|' || coalesce(body_text_pending, '-') {where(shas[0])}") \
        == "Needle0 text|-"
    # moved once, the text is what the trigram index serves, case-insensitively
    assert pg.psql(f"SELECT count(*) FROM message_meta WHERE body_text ILIKE '%NEEDLE1 TEXT%'") == "1"
    assert tool(pg, "index", 1).decode() == "0 0\n"  # nothing left
    for bad in (0, 1001):
        r = run_helper(pg, "store-tool", "index", bad, check=False)
        assert r.returncode == 1 and b"index batch" in r.stderr
