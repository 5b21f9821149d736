"""The maildrop lock (RFC 1939 8, RFC 2449 8.1.1 [IN-USE]) across sessions and replicas:
it lives in PostgreSQL, is refreshed while its session lives, and expires when the replica
holding it dies."""
import poplib
import signal
import time

from test_pop3_helpers import PASSWORD, deliver, inbox_uids, message, new_account

LOCK_TTL = 3


def try_login(proc, address):
    """try_login - a logged-in client, or the -ERR line as bytes"""
    c = poplib.POP3("127.0.0.1", proc.port("MERPATI_POP3_LISTEN"), timeout=20)
    c.user(address)
    try:
        c.pass_(PASSWORD)
        return c
    except poplib.error_proto as e:
        c.close()
        return e.args[0]


def test_second_session_gets_in_use(pg, stack):
    proc = stack.start("pop3")
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    first = try_login(proc, addr)
    assert isinstance(first, poplib.POP3)
    assert try_login(proc, addr) == b"-ERR [IN-USE] Mailbox is in use by another POP3 session"
    first.quit()
    second = try_login(proc, addr)
    assert isinstance(second, poplib.POP3)
    second.quit()


def test_lock_across_replicas_and_after_a_crash(pg, stack):
    env = {"MERPATI_POP3_LOCK_TTL": f"{LOCK_TTL}s"}
    a = stack.start("pop3", name="pop3-a", env=env)
    b = stack.start("pop3", name="pop3-b", env=env)
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    deliver(pg, addr, message(2))
    held = try_login(a, addr)
    assert isinstance(held, poplib.POP3)
    held.dele(1)
    # refreshed while the session lives: still held after several TTLs
    time.sleep(LOCK_TTL * 2)
    assert try_login(b, addr).startswith(b"-ERR [IN-USE]")
    # the replica dies without a word: nothing is deleted, and the lock expires
    stack.kill("pop3-a", signal.SIGKILL)
    start = time.monotonic()
    while True:
        got = try_login(b, addr)
        if isinstance(got, poplib.POP3):
            break
        assert got.startswith(b"-ERR [IN-USE]")
        assert time.monotonic() - start < LOCK_TTL + 5
        time.sleep(0.2)
    assert time.monotonic() - start <= LOCK_TTL + 1
    assert got.stat()[0] == 2
    got.quit()
    assert len(inbox_uids(pg, addr)) == 2


def test_lock_released_at_shutdown(pg, stack):
    proc = stack.start("pop3")
    addr = new_account(stack)
    c = try_login(proc, addr)
    assert isinstance(c, poplib.POP3)
    account = pg.psql(f"SELECT id FROM accounts WHERE address = '{addr}'")
    assert pg.psql(f"SELECT count(*) FROM maildrop_locks WHERE account_id = {account}") == "1"
    assert stack.stop("pop3") == 0
    assert pg.psql(f"SELECT count(*) FROM maildrop_locks WHERE account_id = {account}") == "0"


def test_update_publishes_mailbox_event(pg, stack):
    """IMAP sessions learn of a POP3 session's changes from the bus: MailboxEvents with the
    new highest modseq after the UPDATE transaction commits."""
    from harness.stack import build_dir
    tool = build_dir() / "tests" / "unit" / "bus" / "bus-tool"
    if not tool.exists():
        import pytest
        pytest.skip("bus-tool helper not built")
    stack.start("bus")
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    deliver(pg, addr, message(2))
    account = pg.psql(f"SELECT id FROM accounts WHERE address = '{addr}'")
    sub = stack.start("events", argv=[str(tool), "sub", account, "2"])
    proc = stack.start("pop3")
    c = try_login(proc, addr)
    c.retr(1)
    c.dele(2)
    c.quit()
    assert sub.popen.wait(30) == 0, sub.log()
    mailbox, modseq = pg.psql(f"SELECT m.id, m.highestmodseq FROM mailboxes m WHERE "
                              f"m.account_id = {account} AND m.name = 'INBOX'").split("|")
    events = [line for line in sub.log().splitlines() if line.startswith("event ")]
    # \Seen on the message retrieved (FLAGS, 3), then the expunge (EXPUNGE, 2)
    assert events == [f"event account={account} mailbox={mailbox} modseq={modseq} kind=3",
                      f"event account={account} mailbox={mailbox} modseq={modseq} kind=2"], \
        sub.log()


def test_database_down_gives_sys_temp(pg, stack):
    """Without PostgreSQL a login is answered -ERR [SYS/TEMP] (RFC 3206 5), never hangs;
    when it is back, logins work again."""
    proc = stack.start("pop3")
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    pg.stop()
    try:
        got = try_login(proc, addr)
        assert isinstance(got, bytes) and got.startswith(b"-ERR [SYS/TEMP]"), got
    finally:
        pg.start()
    deadline = time.monotonic() + 30
    while True:
        got = try_login(proc, addr)
        if isinstance(got, poplib.POP3):
            break
        assert got.startswith(b"-ERR [SYS/TEMP]") and time.monotonic() < deadline, got
        time.sleep(0.5)
    assert got.stat()[0] == 1
    got.quit()
