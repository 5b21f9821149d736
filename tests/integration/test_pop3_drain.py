"""pop3's graceful stop on SIGTERM: no new connections, -ERR [SYS/TEMP] to sessions that
have not logged in, logged-in sessions may go on to QUIT and their deletions happen
(RFC 1939 6), within MERPATI_SHUTDOWN_GRACE; after the grace nothing is deleted and the
maildrop lock is released, so another replica serves the user at once."""
import poplib
import signal

from harness.stack import connection_refused as refused, http_status
from test_pop3_helpers import PASSWORD, Raw, deliver, inbox_uids, message, new_account

DEADLINE = 30.0


def logged_in(port, address):
    """logged_in - a Raw session past USER/PASS"""
    c = Raw(port, timeout=DEADLINE)
    assert c.line().startswith(b"+OK")
    assert c.cmd(f"USER {address}").startswith(b"+OK")
    assert c.cmd(f"PASS {PASSWORD}").startswith(b"+OK")
    return c


def test_sigterm_lets_a_session_quit_and_sends_others_away(pg, stack):
    proc = stack.start("pop3", env={"MERPATI_SHUTDOWN_GRACE": "30s"})
    port = proc.port("MERPATI_POP3_LISTEN")
    addr = new_account(stack)
    for n in (1, 2, 3):
        deliver(pg, addr, message(n))
    before = inbox_uids(pg, addr)
    busy = logged_in(port, addr)
    assert busy.cmd("DELE 1").startswith(b"+OK")
    waiting = Raw(port, timeout=DEADLINE)        # connected, not logged in
    assert waiting.line().startswith(b"+OK")

    proc.signal(signal.SIGTERM)
    proc.wait_log("event=drain", timeout=DEADLINE)

    # the session that had not logged in is told to come back, and closed
    assert waiting.line() == b"-ERR [SYS/TEMP] Server shutting down, try again shortly"
    assert waiting.closed(timeout=DEADLINE)
    # nobody listens any more; the health check says so to the proxy in front
    assert refused(port)
    assert http_status(proc.admin_port, "/healthz", timeout=10) == 503
    assert proc.running()

    # the logged-in session finishes its work: RETR, another DELE, then QUIT deletes both
    assert busy.cmd("RETR 2").startswith(b"+OK")
    assert any(b"message 2" in line for line in busy.multiline())
    assert busy.cmd("DELE 3").startswith(b"+OK")
    assert busy.cmd("QUIT").startswith(b"+OK")
    assert busy.closed(timeout=DEADLINE)
    assert proc.popen.wait(DEADLINE) == 0
    assert inbox_uids(pg, addr) == [before[1]]
    assert "event=drained live=0" in proc.log()


def test_sigterm_grace_deletes_nothing_and_frees_the_lock(pg, stack):
    a = stack.start("pop3", name="pop3-a", env={"MERPATI_SHUTDOWN_GRACE": "2s"})
    b = stack.start("pop3", name="pop3-b")
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    before = inbox_uids(pg, addr)
    stuck = logged_in(a.port("MERPATI_POP3_LISTEN"), addr)
    assert stuck.cmd("DELE 1").startswith(b"+OK")

    a.signal(signal.SIGTERM)
    # the client never says QUIT: after the grace the connection is cut, nothing deleted
    assert stuck.closed(timeout=DEADLINE)
    assert a.popen.wait(DEADLINE) == 0
    log = a.log()
    assert "event=drain live=1 grace=2" in log
    assert "event=drained live=1" in log
    assert inbox_uids(pg, addr) == before
    # and the other replica serves the user at once: the lock went with the session
    c = poplib.POP3("127.0.0.1", b.port("MERPATI_POP3_LISTEN"), timeout=DEADLINE)
    c.user(addr)
    c.pass_(PASSWORD)
    assert c.stat()[0] == 1
    c.quit()
