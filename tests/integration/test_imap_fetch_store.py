"""test_imap_fetch_store - the store side of IMAP FETCH, APPEND, COPY and MOVE against a real
PostgreSQL: lib/store/imap_msg_*.c driven through imap-msg-tool (tests/unit/imap/
imap_msg_tool.c). Sections are cut from the stored blob with the part offsets computed at
delivery and compared with the bytes Python cuts itself.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_imap_fetch_store.py
"""
import json
import os
import subprocess
import uuid

import pytest

from harness.pg import build_dir, find_program, run_helper, REPO

PKGS = ["gmime-3.0", "libpq", "libevent", "libevent_openssl", "libevent_pthreads", "openssl",
        "libzmq", "libprotobuf-c", "libsodium", "zlib"]

NESTED = (b"From: Ann <a@remote.example>\r\nTo: b@example.test\r\nSubject: nested\r\n"
          b"X-Long: one\r\n two\r\nMIME-Version: 1.0\r\n"
          b"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
          b"--XX\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
          b"--XX\r\nContent-Type: message/rfc822\r\n\r\n"
          b"Subject: inner\r\nContent-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n"
          b"--YY\r\nContent-Type: text/plain\r\n\r\ninner plain\r\n"
          b"--YY\r\nContent-Type: text/html\r\n\r\n<p>inner html</p>\r\n--YY--\r\n"
          b"\r\n--XX--\r\n")


def sanitize_flags(b):
    """sanitize_flags - the build's -fsanitize option (a sanitizer build's library needs it)"""
    with open(os.path.join(b, "meson-info", "intro-buildoptions.json")) as f:
        opts = {o["name"]: o["value"] for o in json.load(f)}
    san = opts.get("b_sanitize", "none")
    return [] if san in ("none", "") else ["-fsanitize=" + san]


@pytest.fixture(scope="module")
def tool_path(tmp_path_factory):
    """tool_path - the built imap-msg-tool, or one compiled here against the build's library
    when the build does not list it"""
    built = find_program("imap-msg-tool")
    if built:
        return built
    out = str(tmp_path_factory.mktemp("tool") / "imap-msg-tool")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs"] + PKGS, check=True,
                           capture_output=True, text=True).stdout.split()
    b = build_dir()
    subprocess.run(["cc", "-std=gnu11", "-D_GNU_SOURCE"] + sanitize_flags(b) +
                   ["-I" + os.path.join(REPO, "lib"),
                    "-I" + b, "-I" + os.path.join(b, "proto"),
                    os.path.join(REPO, "tests/unit/imap/imap_msg_tool.c"), "-o", out,
                    os.path.join(b, "lib", "libmerpati.a")] + flags + ["-lpthread"], check=True)
    return out


def tool(pg, tool_path, *args, input=b"", check=True):
    env = dict(pg.env)
    r = subprocess.run([tool_path] + [str(a) for a in args], env=env, input=input,
                       capture_output=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stderr.decode()
    return r


@pytest.fixture
def boxes(pg):
    """boxes - (INBOX id, Archive id, account id) of a new account"""
    d = f"f{uuid.uuid4().hex[:8]}.test"
    pg.psql(f"INSERT INTO domains (name) VALUES ('{d}')")
    acc = int(run_helper(pg, "store-tool", "create-account", f"u@{d}", 0,
                         input=b"password-1").decode())
    ids = dict(l.split("|") for l in pg.psql(
        f"SELECT name, id FROM mailboxes WHERE account_id = {acc}").splitlines())
    return int(ids["INBOX"]), int(ids["Archive"]), acc


def append(pg, tp, box, raw, flags=0, date=0, *kw):
    out = tool(pg, tp, "append", box, flags, date, *kw, input=raw).stdout.decode().split()
    return int(out[0]), int(out[1]), int(out[2])


def rows(pg, tp, box, uids, since=0):
    lines = tool(pg, tp, "rows", box, ",".join(map(str, uids)), since).stdout.decode().splitlines()
    return [(lines[i].split(), lines[i + 1]) for i in range(0, len(lines), 2)]


def section(pg, tp, box, uid, part, text="ALL", *partial):
    return tool(pg, tp, "section", box, uid, part, text, *partial).stdout


def test_append_then_rows(pg, tool_path, boxes):
    inbox, _, _ = boxes
    uv, uid, modseq = append(pg, tool_path, inbox, NESTED, 5, 1700000000, "$Forwarded", "Work")
    assert uid == 1 and uv > 0
    uv2, uid2, modseq2 = append(pg, tool_path, inbox, b"Subject: two\r\n\r\nbody\r\n")
    assert (uv2, uid2) == (uv, 2) and modseq2 > modseq
    (r1, s1), (r2, _) = rows(pg, tool_path, inbox, [1, 2, 99])
    assert r1 == ["1", str(modseq), "5", str(len(NESTED)), "1700000000", "$Forwarded,Work"]
    assert r2[0] == "2" and r2[5] == "-"
    assert s1.startswith('{"":[0,')
    # CHANGEDSINCE (RFC 7162 3.1.4.1): only the second is newer than the first's modseq
    assert [r[0][0] for r in rows(pg, tool_path, inbox, [1, 2], since=modseq)] == ["2"]
    counts = pg.psql(f"SELECT messages, unseen, uidnext FROM mailboxes WHERE id = {inbox}")
    assert counts == "2|1|3"


def test_sections_from_the_blob(pg, tool_path, boxes):
    inbox, _, _ = boxes
    append(pg, tool_path, inbox, NESTED)
    hdr_end = NESTED.index(b"\r\n\r\n") + 4
    assert section(pg, tool_path, inbox, 1, "") == NESTED
    assert section(pg, tool_path, inbox, 1, "", "HEADER") == NESTED[:hdr_end]
    assert section(pg, tool_path, inbox, 1, "", "TEXT") == NESTED[hdr_end:]
    assert section(pg, tool_path, inbox, 1, "1") == b"first part"
    assert section(pg, tool_path, inbox, 1, "1", "MIME") == b"Content-Type: text/plain\r\n\r\n"
    assert section(pg, tool_path, inbox, 1, "2", "HEADER").startswith(b"Subject: inner\r\n")
    assert section(pg, tool_path, inbox, 1, "2", "TEXT").startswith(b"--YY\r\n")
    assert section(pg, tool_path, inbox, 1, "2.1") == b"inner plain"
    assert section(pg, tool_path, inbox, 1, "2.2") == b"<p>inner html</p>"
    assert section(pg, tool_path, inbox, 1, "7") == b""          # no such part: empty
    assert section(pg, tool_path, inbox, 1, "", "ALL", 6, 3) == NESTED[6:9]
    assert section(pg, tool_path, inbox, 1, "2.2", "ALL", 3, 100) == b"inner html</p>"
    fields = tool(pg, tool_path, "fields", inbox, 1, "", "IN", "subject", "X-LONG").stdout
    assert fields == b"Subject: nested\r\nX-Long: one\r\n two\r\n\r\n"
    rest = tool(pg, tool_path, "fields", inbox, 1, "2", "NOT", "subject").stdout
    assert rest == b"Content-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n"


def test_trace_leads_the_view(pg, tool_path, boxes):
    inbox, _, _ = boxes
    append(pg, tool_path, inbox, NESTED)
    trace = b"Return-Path: <a@remote.example>\r\nDelivered-To: u@example.test\r\n"
    pg.psql(f"UPDATE mailbox_messages SET trace = '\\x{trace.hex()}'::bytea, "
            f"size = {len(trace) + len(NESTED)} WHERE mailbox_id = {inbox} AND uid = 1")
    view = trace + NESTED
    assert section(pg, tool_path, inbox, 1, "") == view
    assert section(pg, tool_path, inbox, 1, "", "HEADER") == view[:view.index(b"\r\n\r\n") + 4]
    assert section(pg, tool_path, inbox, 1, "1") == b"first part"
    # a partial that straddles the end of the trace
    assert section(pg, tool_path, inbox, 1, "", "ALL", len(trace) - 4, 10) == \
        view[len(trace) - 4:len(trace) + 6]


def test_large_message_partial_across_chunks(pg, tool_path, boxes):
    inbox, _, _ = boxes
    body = b"".join(b"line %07d of a large body..........................\r\n" % i
                    for i in range(40000))                    # about 2.2 MB
    raw = b"Subject: large\r\n\r\n" + body
    append(pg, tool_path, inbox, raw)
    chunk = 256 * 1024
    for origin, count in ((chunk - 10, 20), (3 * chunk - 1, chunk + 2), (len(raw) - 5, 100)):
        assert section(pg, tool_path, inbox, 1, "", "ALL", origin, count) == \
            raw[origin:origin + count]
    assert section(pg, tool_path, inbox, 1, "", "TEXT") == body
    assert section(pg, tool_path, inbox, 1, "", "ALL", len(raw), 10) == b""


def test_sections_computed_when_missing(pg, tool_path, boxes):
    inbox, _, _ = boxes
    append(pg, tool_path, inbox, NESTED)
    sha = "encode(sha256, 'hex')"
    h = pg.psql(f"SELECT {sha} FROM mailbox_messages WHERE mailbox_id = {inbox} AND uid = 1")
    stored = pg.psql(f"SELECT sections FROM message_meta WHERE {sha} = '{h}'")
    pg.psql(f"UPDATE message_meta SET sections = NULL WHERE {sha} = '{h}'")
    assert section(pg, tool_path, inbox, 1, "2.1") == b"inner plain"
    assert pg.psql(f"SELECT sections FROM message_meta WHERE {sha} = '{h}'") == stored


def test_copy_shares_the_blob_and_move_expunges(pg, tool_path, boxes):
    inbox, archive, _ = boxes
    for i in range(3):
        append(pg, tool_path, inbox, b"Subject: m%d\r\n\r\nx\r\n" % i, 1 if i else 0, 0, "K%d" % i)
    blobs = pg.psql("SELECT count(*) FROM messages")
    uv = pg.psql(f"SELECT uidvalidity FROM mailboxes WHERE id = {archive}")
    out = tool(pg, tool_path, "copy", inbox, archive, "1,3,77").stdout.decode().split()
    assert out == [uv, "1,3", "1,2"]                      # COPYUID (RFC 4315 3)
    assert pg.psql("SELECT count(*) FROM messages") == blobs
    copied = rows(pg, tool_path, archive, [1, 2])
    assert [(r[0][0], r[0][2], r[0][5]) for r in copied] == [("1", "0", "K0"), ("2", "1", "K2")]
    assert pg.psql(f"SELECT messages, unseen FROM mailboxes WHERE id = {archive}") == "2|1"

    before = int(pg.psql(f"SELECT highestmodseq FROM mailboxes WHERE id = {inbox}"))
    out = tool(pg, tool_path, "move", inbox, archive, "2,3").stdout.decode().split()
    assert out == [uv, "2,3", "3,4"]
    assert [r[0][0] for r in rows(pg, tool_path, inbox, [1, 2, 3])] == ["1"]
    expunged = pg.psql(f"SELECT uid, modseq > {before} FROM expunged WHERE mailbox_id = {inbox} "
                       f"ORDER BY uid")
    assert expunged == "2|t\n3|t"                          # VANISHED for QRESYNC
    vanished = lambda since, ranges: tool(pg, tool_path, "vanished", inbox, since,
                                          ranges).stdout.decode().strip()
    assert vanished(before, "1:100") == "2:3"               # RFC 7162 3.2.6
    assert vanished(before, "3:9,1") == "3"
    assert vanished(before + 1, "1:100") == ""
    assert pg.psql(f"SELECT messages FROM mailboxes WHERE id = {inbox}") == "1"


def test_quota_refuses_append_and_copy(pg, tool_path, boxes):
    inbox, archive, acc = boxes
    append(pg, tool_path, inbox, b"Subject: q\r\n\r\n" + b"y" * 1000)
    used = int(pg.psql(f"SELECT used_bytes FROM accounts WHERE id = {acc}"))
    pg.psql(f"UPDATE accounts SET quota_bytes = {used + 500} WHERE id = {acc}")
    r = tool(pg, tool_path, "append", inbox, 0, 0, input=b"Subject: q\r\n\r\n" + b"z" * 1000,
             check=False)
    assert r.returncode == 1 and b"53400" in r.stderr
    r = tool(pg, tool_path, "copy", inbox, archive, "1", check=False)
    assert r.returncode == 1 and b"53400" in r.stderr
    assert pg.psql(f"SELECT messages FROM mailboxes WHERE id = {archive}") == "0"
    assert int(pg.psql(f"SELECT used_bytes FROM accounts WHERE id = {acc}")) == used
