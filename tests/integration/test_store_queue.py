"""The queues: one-transaction insert, SKIP LOCKED leases, finish/defer under the lease."""
import hashlib
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from harness.pg import run_helper

MSG = b"From: s@example.test\r\nSubject: queued\r\n\r\nhello\r\n"


def tool(pg, *args, input=b""):
    return run_helper(pg, "store-tool", *args, input=input).decode().splitlines()


def fresh(pg):
    """fresh - empty both queues so leases see only this test's jobs"""
    pg.psql("DELETE FROM queue_in; DELETE FROM queue_out")


def test_in_insert_is_one_transaction(pg):
    fresh(pg)
    key = uuid.uuid4().hex
    job, sha = tool(pg, "in-insert", key, "s@example.test", "a@x.test", "b@x.test", input=MSG)[0].split()
    assert pg.psql(f"SELECT sender, listener, dsn_ret, client_ip, encode(sha256, 'hex'), size "
                   f"FROM queue_in WHERE id = {job}") == \
        f"s@example.test|mx|HDRS|127.0.0.1|{sha}|{len(MSG)}"
    assert pg.psql(f"SELECT position, address, orcpt, notify FROM queue_in_rcpt WHERE job_id = {job} "
                   f"ORDER BY position").splitlines() == \
        ["0|a@x.test|rfc822;a@x.test|6", "1|b@x.test|rfc822;b@x.test|6"]
    # the same idempotency key again: the same job, nothing new
    again, _ = tool(pg, "in-insert", key, "s@example.test", "a@x.test", input=MSG)[0].split()
    assert again == job
    assert pg.psql("SELECT count(*) FROM queue_in") == "1"
    # a recipient the schema refuses aborts everything: no job, no recipients
    before = pg.psql("SELECT count(*) FROM queue_in_rcpt")
    r = run_helper(pg, "store-tool", "in-insert", uuid.uuid4().hex, "s@example.test", "ok@x.test",
                   "ab", input=MSG + b"different", check=False)
    assert r.returncode == 1
    assert pg.psql("SELECT count(*) FROM queue_in") == "1"
    assert pg.psql("SELECT count(*) FROM queue_in_rcpt") == before
    refused = hashlib.sha256(MSG + b"different").hexdigest()
    assert pg.psql(f"SELECT count(*) FROM messages WHERE sha256 = decode('{refused}', 'hex')") == "0"


def test_in_lease_finish_defer(pg):
    fresh(pg)
    jobs = [tool(pg, "in-insert", uuid.uuid4().hex, "", f"r{i}@x.test", input=MSG)[0].split()[0]
            for i in range(3)]
    leased = tool(pg, "in-lease", "mda-1", 60, 2)
    assert [l.split()[1] for l in leased] == jobs[:2]  # oldest first
    assert leased[0].split()[2:] == ["1", "<>", "r0@x.test"]
    # leased jobs are not handed out again while the lease lives
    assert [l.split()[1] for l in tool(pg, "in-lease", "mda-2", 60, 10)] == [jobs[2]]
    assert tool(pg, "in-lease", "mda-3", 60, 10) == []
    # finish and defer need the lease: another owner gets 0 and must roll back
    assert tool(pg, "in-finish", jobs[0], "mda-2") == ["0"]
    assert tool(pg, "in-finish", jobs[0], "mda-1") == ["1"]
    assert pg.psql(f"SELECT count(*) FROM queue_in_rcpt WHERE job_id = {jobs[0]}") == "0"
    assert tool(pg, "in-defer", jobs[1], "mda-1", 0, "451 4.3.0 temporary \x01 trouble") == ["1"]
    assert pg.psql(f"SELECT lease_owner IS NULL, last_error FROM queue_in WHERE id = {jobs[1]}") == \
        "t|451 4.3.0 temporary ? trouble"
    again = tool(pg, "in-lease", "mda-3", 60, 10)
    assert [l.split()[:3] for l in again] == [["job", jobs[1], "2"]]  # attempts counted
    listing = tool(pg, "queue-list", "in")
    assert len(listing) == 2 and all(l.split()[5] == "1" for l in listing)  # both leased


def test_expired_lease_is_taken_over(pg):
    fresh(pg)
    job = tool(pg, "in-insert", uuid.uuid4().hex, "s@x.test", "r@x.test", input=MSG)[0].split()[0]
    assert len(tool(pg, "in-lease", "dead-replica", 1, 10)) == 1
    time.sleep(1.5)
    taken = tool(pg, "in-lease", "live-replica", 60, 10)
    assert [l.split()[1] for l in taken] == [job]
    assert tool(pg, "in-finish", job, "dead-replica") == ["0"]  # its effects must roll back
    assert tool(pg, "in-finish", job, "live-replica") == ["1"]


def test_concurrent_leases_never_share_a_job(pg):
    fresh(pg)
    n = 40
    for i in range(n):
        tool(pg, "in-insert", uuid.uuid4().hex, "s@x.test", f"r{i}@x.test", input=MSG)

    def lease(worker):
        got = []
        for _ in range(10):
            got += [l.split()[1] for l in tool(pg, "in-lease", f"w{worker}", 60, 3)]
        return got

    with ThreadPoolExecutor(6) as ex:
        results = list(ex.map(lease, range(6)))
    every = [j for r in results for j in r]
    assert len(every) == n and len(set(every)) == n


def test_out_queue(pg):
    fresh(pg)
    sha = run_helper(pg, "store-tool", "put", input=MSG).decode().split()[0]
    key = uuid.uuid4().hex
    assert tool(pg, "out-insert", "s@example.test", "Bob@Remote.Example", sha, key) == ["1"]
    assert tool(pg, "out-insert", "s@example.test", "Bob@Remote.Example", sha, key) == ["0"]
    r = run_helper(pg, "store-tool", "out-insert", "s@example.test", "x@y.test", "00" * 32,
                   uuid.uuid4().hex, check=False)
    assert r.returncode == 1  # no such blob
    leased = tool(pg, "out-lease", "out-1", 60, 10)
    assert len(leased) == 1 and leased[0].split()[3] == "remote.example"
    job = leased[0].split()[1]
    assert tool(pg, "out-defer", job, "out-1", 0, "421 busy", 1) == ["1"]
    assert pg.psql(f"SELECT warned, last_reply, attempts FROM queue_out WHERE id = {job}") == \
        "t|421 busy|1"
    pg.psql(f"UPDATE queue_out SET held = true WHERE id = {job}")
    assert tool(pg, "out-lease", "out-1", 60, 10) == []  # held jobs wait
    pg.psql(f"UPDATE queue_out SET held = false WHERE id = {job}")
    assert tool(pg, "out-lease", "out-2", 60, 10)[0].split()[1:3] == [job, "2"]
    assert tool(pg, "out-finish", job, "out-1") == ["0"]
    assert tool(pg, "out-finish", job, "out-2") == ["1"]
    assert pg.psql("SELECT count(*) FROM queue_out") == "0"
