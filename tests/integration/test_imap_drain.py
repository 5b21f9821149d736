"""imap's graceful stop on SIGTERM: no new connections, /healthz 503, an untagged
BYE [UNAVAILABLE] (RFC 3501 7.1.5, RFC 5530) to every session at its next command boundary
or in IDLE, an APPEND whose literal is on its way completes first, all within
MERPATI_SHUTDOWN_GRACE; then exit 0."""
import signal

from harness.stack import connection_refused as refused, http_status
from test_imap_core import Raw
from test_pop3_helpers import PASSWORD, deliver, message, new_account

DEADLINE = 30.0
BYE = b"* BYE [UNAVAILABLE] Server shutting down"


def logged_in(proc, address, select=True):
    """logged_in - a Raw session past LOGIN (and SELECT INBOX)"""
    c = Raw(proc)
    c.s.settimeout(DEADLINE)
    assert c.cmd(b"l", f"LOGIN {address} {PASSWORD}".encode())[-1].startswith(b"l OK")
    if select:
        assert c.cmd(b"s", b"SELECT INBOX")[-1].startswith(b"s OK")
    return c


def closed(c):
    """closed - True when the server has closed c (after what it still had to say)"""
    try:
        while c.s.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return True


def inbox_count(pg, address):
    return int(pg.psql("SELECT count(*) FROM mailbox_messages mm JOIN mailboxes m ON "
                       "m.id = mm.mailbox_id JOIN accounts a ON a.id = m.account_id "
                       f"WHERE a.address = '{address}' AND m.name = 'INBOX'"))


def test_sigterm_says_bye_and_lets_an_append_finish(pg, stack):
    proc = stack.start("imap", env={"MERPATI_SHUTDOWN_GRACE": "30s"})
    port = proc.port("MERPATI_IMAP_LISTEN")
    addr = new_account(stack)
    deliver(pg, addr, message(1))
    quiet = logged_in(proc, addr)
    idling = logged_in(proc, addr)
    idling.send(b"i IDLE\r\n")
    assert idling.line().startswith(b"+")
    appending = logged_in(proc, addr, select=False)
    body = message(2)
    appending.send(b"a APPEND INBOX {%d}\r\n" % len(body))
    assert appending.line().startswith(b"+")

    proc.signal(signal.SIGTERM)
    proc.wait_log("event=drain ", timeout=DEADLINE)

    # between commands and in IDLE: BYE at once, then the connection closes
    assert quiet.line() == BYE and closed(quiet)
    assert idling.line() == BYE and closed(idling)
    # nobody listens any more; the health check tells the front proxy
    assert refused(port)
    assert http_status(proc.admin_port, "/healthz", timeout=10) == 503
    assert proc.running()

    # the APPEND under way is stored and acknowledged, then BYE
    appending.send(body + b"\r\n")
    assert appending.until_tagged(b"a")[-1].startswith(b"a OK")
    assert appending.line() == BYE and closed(appending)
    assert inbox_count(pg, addr) == 2
    assert proc.popen.wait(DEADLINE) == 0
    assert "event=drained live=0" in proc.log()


def test_sigterm_grace_ends_a_stalled_append(pg, stack):
    proc = stack.start("imap", env={"MERPATI_SHUTDOWN_GRACE": "2s"})
    addr = new_account(stack)
    stalled = logged_in(proc, addr, select=False)
    stalled.send(b"a APPEND INBOX {100}\r\n")
    assert stalled.line().startswith(b"+")
    stalled.send(b"only part of the message")

    proc.signal(signal.SIGTERM)
    assert closed(stalled)                      # cut after the grace, without a reply
    assert proc.popen.wait(DEADLINE) == 0
    log = proc.log()
    assert "event=drain live=1 grace=2" in log
    assert "event=drained live=1" in log
    assert inbox_count(pg, addr) == 0           # never acknowledged, never stored


def test_second_sigterm_cuts_the_grace(stack):
    proc = stack.start("imap", env={"MERPATI_SHUTDOWN_GRACE": "60s"})
    addr = new_account(stack)
    stalled = logged_in(proc, addr, select=False)
    stalled.send(b"a APPEND INBOX {100}\r\n")
    assert stalled.line().startswith(b"+")
    proc.signal(signal.SIGTERM)
    proc.wait_log("event=drain ", timeout=DEADLINE)
    proc.signal(signal.SIGTERM)
    assert proc.popen.wait(DEADLINE) == 0
    assert "grace=cut" in proc.log()
