"""test_mda_delivery - merpati-mda against a real PostgreSQL: inbound jobs are inserted the
way smtp-in commits them (blob, job, recipients in one transaction), the mda delivers them,
and the tests read mailboxes, metadata, outbound jobs and delivery_events back with SQL.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_mda_delivery.py
"""
import os
import subprocess
import tempfile
import time

import pytest

from harness.stack import free_port

PASSWORD = "mda-Secret-pw-1"
FAST = {"MERPATI_MDA_POLL": "1s", "MERPATI_MDA_RETRY": "1s"}
_serial = [0]


def unique(prefix):
    """unique - a name no other test of this session uses"""
    _serial[0] += 1
    return f"{prefix}{_serial[0]}x{os.getpid()}"


def new_domain(stack):
    domain = unique("d") + ".test"
    assert stack.merpati("domain", "add", domain).returncode == 0
    return domain


def new_user(stack, address, *extra):
    r = stack.merpati("user", "add", address, "--password-stdin", *extra, input=PASSWORD + "\n")
    assert r.returncode == 0, r.stdout + r.stderr
    return address


def cli(stack, *args):
    r = stack.merpati(*args)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def run_sql(pg, sql):
    """run_sql - a multi-statement script in one transaction, like smtp-in's commit;
    returns what its queries print"""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(sql)
    try:
        os.chmod(f.name, 0o644)
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "--single-transaction", "-h", pg.sockdir, "-p", str(pg.port),
                            "-U", "merpati", "-d", "merpati", "-f", f.name],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()
    finally:
        os.unlink(f.name)


def lit(data):
    return "'\\x" + data.hex() + "'::bytea"


def text(s):
    return "'" + s.replace("'", "''") + "'"


def enqueue(pg, sender, rcpts, raw, listener="mx", auth="NULL"):
    """enqueue - blob (deduplicated), queue_in job and its recipients; returns the job id"""
    values = ", ".join(f"({i}, {text(r)})" for i, r in enumerate(rcpts))
    out = run_sql(pg, f"""
INSERT INTO messages (sha256, raw, size) VALUES (sha256({lit(raw)}), {lit(raw)}, {len(raw)})
    ON CONFLICT DO NOTHING;
INSERT INTO queue_in (sender, listener, auth_account_id, sha256, size)
    VALUES ({text(sender)}, {text(listener)}, {auth}, sha256({lit(raw)}), {len(raw)});
INSERT INTO queue_in_rcpt (job_id, position, address)
    SELECT currval('queue_in_id_seq'), v.p, v.a FROM (VALUES {values}) AS v(p, a);
SELECT currval('queue_in_id_seq');
""")
    return int(out)


def message(subject, body="Hello.\r\n", headers=""):
    mid = unique("m")
    return (f"From: Sender <sender@remote.example>\r\nTo: someone@example.test\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{mid}@remote.example>\r\n"
            f"Date: Sun, 22 Nov 2026 04:30:00 +0000\r\n{headers}\r\n{body}").encode()


def wait_gone(pg, job, timeout=20):
    """wait_gone - until the mda removed the job (delivered and committed)"""
    deadline = time.monotonic() + timeout
    while pg.psql(f"SELECT count(*) FROM queue_in WHERE id = {job}") != "0":
        assert time.monotonic() < deadline, f"job {job} still queued"
        time.sleep(0.1)


def wait_for(pg, sql, want, timeout=20):
    deadline = time.monotonic() + timeout
    while (got := pg.psql(sql)) != want:
        assert time.monotonic() < deadline, f"{sql} gave {got!r}, want {want!r}"
        time.sleep(0.1)


def rows(pg, address, mailbox="INBOX"):
    """rows - (uid, flags, keywords, size, trace, hex sha256, trace octets) of a mailbox"""
    out = pg.psql(f"""SELECT mm.uid, mm.flags, array_to_string(mm.keywords, ','), mm.size,
        replace(convert_from(mm.trace, 'UTF8'), E'\r\n', ' / '), encode(mm.sha256, 'hex'),
        octet_length(mm.trace)
        FROM mailbox_messages mm JOIN mailboxes m ON m.id = mm.mailbox_id
        JOIN accounts a ON a.id = m.account_id
        WHERE a.address = {text(address)} AND m.name = {text(mailbox)} ORDER BY mm.uid""")
    result = []
    for line in out.splitlines() if out else []:
        uid, flags, kw, size, trace, sha, tlen = line.split("|")
        result.append((int(uid), int(flags), kw, int(size), trace, sha, int(tlen)))
    return result


def events(pg, job):
    out = pg.psql(f"SELECT recipient || ' ' || event || ' ' || coalesce(detail, '')"
                  f" FROM delivery_events WHERE queue_in_id = {job} ORDER BY id")
    return out.splitlines() if out else []


def test_delivery_to_two_accounts_shares_one_blob(pg, stack):
    d = new_domain(stack)
    alice, bob = new_user(stack, f"alice@{d}"), new_user(stack, f"bob@{d}")
    stack.start("mda", env=FAST)
    raw = message("=?UTF-8?Q?Caf=C3=A9?= plans")
    job = enqueue(pg, "sender@remote.example", [alice, bob], raw)
    wait_gone(pg, job)

    a, b = rows(pg, alice), rows(pg, bob)
    assert [r[0] for r in a] == [1] and [r[0] for r in b] == [1]
    assert a[0][5] == b[0][5]   # the same blob
    assert pg.psql(f"SELECT count(*) FROM messages WHERE encode(sha256, 'hex') = '{a[0][5]}'") == "1"
    trace = a[0][4]
    assert trace.startswith("Return-Path: <sender@remote.example>")
    assert f"Delivered-To: {alice}" in trace
    assert trace == f"Return-Path: <sender@remote.example> / Delivered-To: {alice} / "
    assert a[0][3] == len(raw) + a[0][6]
    meta = pg.psql(f"SELECT subject || '|' || (bodystructure LIKE '(\"text\" \"plain\"%') || '|' ||"
                   f" (envelope LIKE '(\"Sun, 22 Nov 2026 04:30:00 +0000\"%')"
                   f" FROM message_meta WHERE encode(sha256, 'hex') = '{a[0][5]}'")
    assert meta == "Café plans|true|true"
    assert sorted(e.split()[1] for e in events(pg, job)) == ["delivered", "delivered"]
    counts = pg.psql(f"SELECT m.messages || ' ' || m.unseen FROM mailboxes m JOIN accounts a"
                     f" ON a.id = m.account_id WHERE a.address = {text(alice)} AND m.name = 'INBOX'")
    assert counts == "1 1"

    # UIDs keep ascending across jobs, and the same bytes stay one blob
    job2 = enqueue(pg, "sender@remote.example", [alice], raw)
    wait_gone(pg, job2)
    assert [r[0] for r in rows(pg, alice)] == [1, 2]
    assert len({r[5] for r in rows(pg, alice)}) == 1


def test_aliases_catch_all_plus_and_loops(pg, stack):
    d = new_domain(stack)
    a, b, c = (new_user(stack, f"{n}@{d}") for n in ("ann", "ben", "cat"))
    cli(stack, "alias", "add", f"team@{d}", a, b)
    cli(stack, "alias", "add", f"x@{d}", f"y@{d}")          # x -> y -> x: a loop
    cli(stack, "alias", "add", f"y@{d}", f"x@{d}", c)       # ... that still reaches cat
    cli(stack, "alias", "add", f"@{d}", c)                   # catch-all
    stack.start("mda", env=FAST)

    job = enqueue(pg, "s@remote.example", [f"team@{d}"], message("team"))
    wait_gone(pg, job)
    assert len(rows(pg, a)) == 1 and len(rows(pg, b)) == 1 and rows(pg, c) == []

    job = enqueue(pg, "s@remote.example", [f"x@{d}"], message("loop"))
    wait_gone(pg, job)
    assert len(rows(pg, c)) == 1

    job = enqueue(pg, "s@remote.example", [f"nobody-here@{d}"], message("catch"))
    wait_gone(pg, job)
    assert len(rows(pg, c)) == 2

    job = enqueue(pg, "s@remote.example", [f"ann+lists@{d}"], message("plus"))
    wait_gone(pg, job)
    assert len(rows(pg, a)) == 2
    assert f"Delivered-To: {a}" in rows(pg, a)[1][4]

    # the same account reached twice in one job (directly and by alias) gets one copy
    job = enqueue(pg, "s@remote.example", [a, f"team@{d}"], message("twice"))
    wait_gone(pg, job)
    assert len(rows(pg, a)) == 3 and len(rows(pg, b)) == 2


def test_forwards_create_outbound_jobs(pg, stack):
    d = new_domain(stack)
    keep, away = new_user(stack, f"keep@{d}"), new_user(stack, f"away@{d}")
    cli(stack, "forward", "add", keep, "keep-target@elsewhere.example", "--keep")
    cli(stack, "forward", "add", away, "away-target@elsewhere.example")
    stack.start("mda", env=FAST)
    raw = message("fwd")
    job = enqueue(pg, "orig@remote.example", [keep, away], raw)
    wait_gone(pg, job)

    assert len(rows(pg, keep)) == 1 and rows(pg, away) == []
    out = pg.psql("SELECT recipient || ' ' || sender || ' ' || domain FROM queue_out"
                  " WHERE sha256 = sha256(" + lit(raw) + ") ORDER BY recipient")
    assert out.splitlines() == [
        "away-target@elsewhere.example orig@remote.example elsewhere.example",
        "keep-target@elsewhere.example orig@remote.example elsewhere.example"]
    assert sum(e.split()[1] == "forwarded" for e in events(pg, job)) == 2


def test_filter_rules(pg, stack):
    d = new_domain(stack)
    u = new_user(stack, f"rules@{d}")
    cli(stack, "rule", "add", u, "--header", "List-Id:announce",
        "--fileinto", "Archive", "--seen", "--stop")
    cli(stack, "rule", "add", u, "--subject", "SPAM", "--discard")
    cli(stack, "rule", "add", u, "--from", "boss@", "--flag", "\\Flagged", "--flag", "urgent")
    cli(stack, "rule", "add", u, "--larger", "50k", "--fileinto", "Junk")
    cli(stack, "rule", "add", u, "--subject", "redirect me", "--redirect", "other@elsewhere.example")
    stack.start("mda", env=FAST)

    jobs = [
        enqueue(pg, "s@remote.example", [u], message("news", headers="List-Id: <announce.lists.example>\r\n")),
        enqueue(pg, "s@remote.example", [u], message("cheap spam offer")),
        enqueue(pg, "s@remote.example", [u], message("report").replace(b"sender@remote", b"boss@remote")),
        enqueue(pg, "s@remote.example", [u], message("big", body="x" * 60000 + "\r\n")),
        enqueue(pg, "s@remote.example", [u], message("please redirect me")),
        enqueue(pg, "s@remote.example", [u], message("plain")),
    ]
    for j in jobs:
        wait_gone(pg, j)

    archive = rows(pg, u, "Archive")
    assert len(archive) == 1 and archive[0][1] & 1 == 1             # \Seen
    inbox = rows(pg, u)
    assert [r[1] for r in inbox] == [4, 0]                           # boss flagged, plain
    assert inbox[0][2] == "urgent"
    assert len(rows(pg, u, "Junk")) == 1
    assert any("discarded" in e for e in events(pg, jobs[1]))
    assert pg.psql("SELECT count(*) FROM queue_out WHERE recipient = 'other@elsewhere.example'") == "1"


def test_quota_defers_then_fails(pg, stack):
    d = new_domain(stack)
    u = new_user(stack, f"full@{d}", "--quota", "1k")
    ok = new_user(stack, f"roomy@{d}")
    pair = new_user(stack, f"pair@{d}")
    cli(stack, "alias", "add", f"both@{d}", pair, u)
    stack.start("mda", env=FAST)
    job = enqueue(pg, "s@remote.example", [u, ok], message("big", body="y" * 4000 + "\r\n"))
    # one envelope recipient reaching a full and a roomy account is all or nothing:
    # nothing for now, so a retry cannot deliver the roomy copy twice
    job2 = enqueue(pg, "s@remote.example", [f"both@{d}"], message("pair", body="z" * 4000 + "\r\n"))
    wait_for(pg, f"SELECT (SELECT count(*) FROM delivery_events WHERE queue_in_id = {job2}"
                 f" AND event = 'deferred') > 0", "t")
    time.sleep(2.5)  # a few retries (MERPATI_MDA_RETRY=1s) while still deferred
    assert rows(pg, pair) == []
    wait_for(pg, f"SELECT (SELECT count(*) FROM delivery_events WHERE queue_in_id = {job}"
                 f" AND event = 'deferred') > 0", "t")
    # the roomy recipient got its copy and left the job; the full one waits in it
    assert len(rows(pg, ok)) == 1 and rows(pg, u) == []
    assert pg.psql(f"SELECT string_agg(address, ',') FROM queue_in_rcpt WHERE job_id = {job}") == u
    assert "mailbox full" in pg.psql(f"SELECT last_error FROM queue_in WHERE id = {job}")

    stack.stop("mda")
    stack.start("mda", name="mda-late", env=dict(FAST, MERPATI_BOUNCE_AFTER="1s"))
    wait_gone(pg, job)
    wait_gone(pg, job2)
    assert rows(pg, u) == [] and len(rows(pg, ok)) == 1
    assert len(rows(pg, pair)) == 1
    assert any(e.startswith(f"{u} failed 5.2.2") for e in events(pg, job))


def test_mail_loop_is_refused(pg, stack):
    d = new_domain(stack)
    u = new_user(stack, f"loop@{d}")
    stack.start("mda", env=dict(FAST, MERPATI_MAX_RECEIVED="50"))
    hops = "".join(f"Received: from h{i} by h{i + 1}; Sun, 22 Nov 2026 04:30:00 +0000\r\n"
                   for i in range(51))
    job = enqueue(pg, "s@remote.example", [u], hops.encode() + message("looping"))
    wait_gone(pg, job)
    assert rows(pg, u) == []
    assert events(pg, job) == [f"{u} failed 5.4.6 mail loop: 51 Received fields (limit 50)"]

    job = enqueue(pg, "s@remote.example", [u], hops.encode()[:-60] + message("fifty"))
    wait_gone(pg, job)
    assert len(rows(pg, u)) == 1


def test_kill_mid_batch_delivers_exactly_once(pg, stack):
    d = new_domain(stack)
    users = [new_user(stack, f"crash{i}@{d}") for i in range(2)]
    total = 300
    run_sql(pg, "".join(
        f"""INSERT INTO messages (sha256, raw, size) VALUES (sha256({lit(m)}), {lit(m)}, {len(m)});
INSERT INTO queue_in (sender, listener, sha256, size) VALUES ('s@remote.example', 'mx', sha256({lit(m)}), {len(m)});
INSERT INTO queue_in_rcpt (job_id, position, address) SELECT currval('queue_in_id_seq'), 0, {text(users[0])};
INSERT INTO queue_in_rcpt (job_id, position, address) SELECT currval('queue_in_id_seq'), 1, {text(users[1])};
""" for m in (message(f"crash {n}") for n in range(total))))
    env = dict(FAST, MERPATI_MDA_LEASE="10s", MERPATI_MDA_BATCH="4")
    stack.start("mda", env=env)
    for _ in range(2):
        deadline = time.monotonic() + 30
        start = len(rows(pg, users[0]))
        while len(rows(pg, users[0])) < start + 40:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        stack.kill("mda")            # SIGKILL in the middle of batches
        stack.restart("mda")
    wait_for(pg, f"SELECT count(*) FROM queue_in_rcpt WHERE address = {text(users[0])}", "0", timeout=120)
    for u in users:
        r = rows(pg, u)
        assert len(r) == total                       # nothing lost
        assert len({x[5] for x in r}) == total       # nothing twice
        assert [x[0] for x in r] == list(range(1, total + 1))


def test_two_replicas_share_the_queue_exactly_once(pg, stack):
    d = new_domain(stack)
    u = new_user(stack, f"replicas@{d}")
    total = 200
    run_sql(pg, "".join(
        f"""INSERT INTO messages (sha256, raw, size) VALUES (sha256({lit(m)}), {lit(m)}, {len(m)});
INSERT INTO queue_in (sender, listener, sha256, size) VALUES ('s@remote.example', 'mx', sha256({lit(m)}), {len(m)});
INSERT INTO queue_in_rcpt (job_id, position, address) SELECT currval('queue_in_id_seq'), 0, {text(u)};
""" for m in (message(f"replica {n}") for n in range(total))))
    env = dict(FAST, MERPATI_MDA_BATCH="2", MERPATI_MDA_WORKERS="3")
    stack.start("mda", name="mda-a", env=env)
    # a second replica binds its own PULL (in compose each container has its own address)
    stack.start("mda", name="mda-b", env=dict(env, MERPATI_MDA_BIND=f"tcp://127.0.0.1:{free_port()}"))
    wait_for(pg, f"SELECT count(*) FROM queue_in_rcpt WHERE address = {text(u)}", "0", timeout=120)
    r = rows(pg, u)
    assert len(r) == total and len({x[5] for x in r}) == total
    assert [x[0] for x in r] == list(range(1, total + 1))
    # both replicas did part of the work (SKIP LOCKED spreads it)
    for name in ("mda-a", "mda-b"):
        assert "event=job_done" in open(stack[name].log_path).read()


def test_foreign_recipients_relay_only_when_authenticated(pg, stack):
    d = new_domain(stack)
    u = new_user(stack, f"sender@{d}")
    account = pg.psql(f"SELECT id FROM accounts WHERE address = {text(u)}")
    stack.start("mda", env=FAST)
    sent = message("outbound")
    job = enqueue(pg, u, ["friend@faraway.example"], sent, listener="submission", auth=account)
    wait_gone(pg, job)
    assert pg.psql(f"SELECT recipient || ' ' || sender FROM queue_out WHERE sha256 = sha256({lit(sent)})") \
        == f"friend@faraway.example {u}"
    assert events(pg, job) == ["friend@faraway.example queued relay"]

    # a job from the MX listener without authentication never relays, whatever the queue says
    spam = message("relay attempt")
    job = enqueue(pg, "spammer@bad.example", ["victim@faraway.example"], spam)
    wait_gone(pg, job)
    assert pg.psql(f"SELECT count(*) FROM queue_out WHERE sha256 = sha256({lit(spam)})") == "0"
    assert events(pg, job) == ["victim@faraway.example failed 5.7.1 relaying denied"]
