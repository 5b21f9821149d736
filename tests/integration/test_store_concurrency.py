"""Concurrent appends from several connections: UIDs unique, ascending, uidnext never back."""
import subprocess
import uuid

from harness.pg import helper

HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
THREADS, PER = 8, 60


def make_mailboxes(pg):
    """make_mailboxes - an account with two empty mailboxes; returns their ids"""
    dom = f"race{uuid.uuid4().hex[:8]}.test"
    did = pg.psql(f"INSERT INTO domains (name) VALUES ('{dom}') RETURNING id")
    aid = pg.psql(f"INSERT INTO accounts (domain_id, address, password_hash) "
                  f"VALUES ({did}, 'r@{dom}', '{HASH}') RETURNING id")
    a = pg.psql(f"INSERT INTO mailboxes (account_id, name) VALUES ({aid}, 'INBOX') RETURNING id")
    b = pg.psql(f"INSERT INTO mailboxes (account_id, name) VALUES ({aid}, 'Copy') RETURNING id")
    return int(a), int(b), int(aid)


def test_concurrent_appends(pg):
    a, b, account = make_mailboxes(pg)
    r = subprocess.run([helper("store-append-race"), str(a), str(b), str(THREADS), str(PER)],
                       env=pg.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=300)
    lines = r.stdout.splitlines()
    errors = [l for l in lines if l.startswith("E ")]
    assert r.returncode == 0 and not errors, (r.returncode, errors[:5], r.stderr[-2000:])

    appends = [tuple(map(int, l.split()[1:])) for l in lines if l.startswith("A ")]
    assert len(appends) == THREADS * PER
    uids = [u for _, u, _ in appends]
    # unique, and dense: no UID skipped, none reused
    assert sorted(uids) == list(range(1, THREADS * PER + 1))
    # each connection saw its own UIDs and modseqs strictly ascending
    for t in range(THREADS):
        mine = [(u, m) for th, u, m in appends if th == t]
        assert all(x[0] < y[0] and x[1] < y[1] for x, y in zip(mine, mine[1:])), t
    # the watcher saw uidnext/highestmodseq many times and never going down
    samples, decreases = map(int, next(l for l in lines if l.startswith("W ")).split()[1:])
    assert samples > 0 and decreases == 0

    # what the database holds agrees with what the connections were told
    rows = pg.psql(f"SELECT uid, modseq FROM mailbox_messages WHERE mailbox_id = {a} ORDER BY uid")
    stored = [tuple(map(int, l.split("|"))) for l in rows.splitlines()]
    assert [u for u, _ in stored] == sorted(uids)
    assert sorted(m for _, m in stored) == [m for _, m in stored]  # modseq grows with uid
    assert dict(stored) == {u: m for _, u, m in appends}
    state = pg.psql(f"SELECT uidnext, highestmodseq, messages, unseen, total_size FROM mailboxes "
                    f"WHERE id = {a}").split("|")
    total = pg.psql(f"SELECT sum(size) FROM mailbox_messages WHERE mailbox_id = {a}")
    assert state == [str(THREADS * PER + 1), str(THREADS * PER + 1), str(THREADS * PER),
                     str(THREADS * PER), total]
    # every third append of each connection also went to B, in the same transaction
    copies = THREADS * len(range(0, PER, 3))
    assert pg.psql(f"SELECT uidnext - 1, messages FROM mailboxes WHERE id = {b}") == \
        f"{copies}|{copies}"
    used = pg.psql(f"SELECT used_bytes FROM accounts WHERE id = {account}")
    both = pg.psql(f"SELECT sum(size) FROM mailbox_messages WHERE mailbox_id IN ({a}, {b})")
    assert used == both
