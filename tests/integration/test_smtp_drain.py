"""smtp-in's graceful stop on SIGTERM: no new connections, 421 4.3.2 to idle sessions, a
transaction under way finishes (stored, 250) within MERPATI_SHUTDOWN_GRACE, exit 0."""
import signal

from harness.stack import connection_refused as refused, http_status
from test_smtp_support import (ALICE, BOB, DOMAIN, Raw, count_with, message, port, queued_id,
                               rcpts, start_smtp, unique)

DEADLINE = 30.0


def wait_exit(proc, timeout=DEADLINE):
    """wait_exit - the exit status once the process has gone"""
    return proc.popen.wait(timeout)


def start_transaction(c, marker):
    """start_transaction - EHLO, MAIL, RCPT, DATA and the first half of the message"""
    assert c.reply()[0] == 220
    assert c.cmd("EHLO client.example")[0] == 250
    assert c.cmd("MAIL FROM:<sender@remote.example>")[0] == 250
    assert c.cmd(f"RCPT TO:<{ALICE}>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    text = message(marker, "sender@remote.example", ALICE, body="first half\r\n" * 50)
    c.send(text)
    return text


def test_sigterm_lets_data_finish_refuses_new_and_says_421_to_idle(stack, pg):
    smtp = start_smtp(stack, MERPATI_SHUTDOWN_GRACE="30s")
    marker = unique("drain-data")
    mx, sub = port(smtp), port(smtp, "submission")
    busy = Raw(mx)
    start_transaction(busy, marker)
    idle = Raw(mx)
    assert idle.reply()[0] == 220
    assert idle.cmd("EHLO idle.example")[0] == 250
    # between MAIL and DATA when the signal comes: the transaction may go on
    later = Raw(mx)
    assert later.reply()[0] == 220
    assert later.cmd("EHLO later.example")[0] == 250
    assert later.cmd("MAIL FROM:<>")[0] == 250

    smtp.signal(signal.SIGTERM)
    smtp.wait_log("event=drain", timeout=DEADLINE)

    # the idle session is told at once, at its command boundary
    code, text = idle.reply()
    assert (code, text) == (421, "4.3.2 mx.smtp.example.test Service shutting down")
    assert idle.eof()
    # nobody listens any more, on any port: a proxy in front tries another replica
    assert refused(mx) and refused(sub)
    assert smtp.running()
    # and the health check says so, for the proxy's checks
    assert http_status(smtp.admin_port, "/healthz", timeout=10) == 503

    # the message in DATA is finished, stored and acknowledged
    busy.send("second half\r\n.\r\n")
    code, text = busy.reply()
    assert code == 250 and "queued as" in text
    jid = queued_id(text)
    assert [r[0] for r in rcpts(pg, jid)] == [ALICE]
    assert count_with(pg, marker) == 1
    # then the next command outside a transaction gets 421
    assert busy.cmd("NOOP") == (421, "4.3.2 mx.smtp.example.test Service shutting down")
    assert busy.eof()

    # the other transaction runs to its end too; QUIT is still answered politely
    later_marker = unique("drain-later")
    assert later.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    assert later.cmd("DATA")[0] == 354
    later.send(message(later_marker, "", BOB) + ".\r\n")
    assert later.reply()[0] == 250
    assert later.cmd("QUIT")[0] == 221
    assert later.eof()

    assert wait_exit(smtp) == 0
    assert count_with(pg, later_marker) == 1
    log = smtp.log()
    assert "event=drained live=0" in log


def test_sigterm_grace_ends_an_unfinished_transaction(stack, pg):
    smtp = start_smtp(stack, MERPATI_SHUTDOWN_GRACE="2s")
    marker = unique("drain-grace")
    stuck = Raw(port(smtp))
    start_transaction(stuck, marker)
    smtp.signal(signal.SIGTERM)
    # the client never sends the final dot: after the grace the connection is cut
    assert stuck.eof(timeout=DEADLINE)
    assert wait_exit(smtp) == 0
    assert count_with(pg, marker) == 0  # never acknowledged, never stored
    log = smtp.log()
    assert "event=drain live=1 grace=2" in log
    assert "event=drained live=1" in log  # the grace ran out with the session still there


def test_second_sigterm_cuts_the_grace(stack, pg):
    smtp = start_smtp(stack, MERPATI_SHUTDOWN_GRACE="60s")
    stuck = Raw(port(smtp))
    start_transaction(stuck, unique("drain-twice"))
    smtp.signal(signal.SIGTERM)
    smtp.wait_log("event=drain", timeout=DEADLINE)
    smtp.signal(signal.SIGTERM)
    assert wait_exit(smtp) == 0
    assert "grace=cut" in smtp.log()
