"""smtp-in at its bounds, with raw bytes: malformed commands, bare LF, overlong lines, oversize
messages, slow clients, error and AUTH limits, connections per IP, STARTTLS injection and a
database that goes away. Over a bound: the right code, and nothing stored."""
import socket
import time

from test_smtp_support import (ALICE, BOB, DOMAIN, PASSWORD, Raw, client_tls_context,
                               count_with, message, plain_b64, port, queued_id, raw_message,
                               start_smtp, unique)


def greet(c, name="raw.example"):
    assert c.reply()[0] == 220
    assert c.cmd(f"EHLO {name}")[0] == 250


def transaction(c, rcpt=ALICE):
    assert c.cmd("MAIL FROM:<a@remote.example>")[0] == 250
    assert c.cmd(f"RCPT TO:<{rcpt}>")[0] == 250
    assert c.cmd("DATA")[0] == 354


def test_malformed_commands(stack):
    smtp = start_smtp(stack)
    c = Raw(port(smtp))
    greet(c)
    assert c.cmd("FROB") == (500, "5.5.2 Command unrecognized")
    c.send(b"NOOP\n")  # bare LF ends nothing: the line is refused whole
    assert c.reply() == (500, "5.5.2 Bare CR or LF not allowed")
    c.send(b"NO\0OP\r\n")
    assert c.reply() == (500, "5.5.2 NUL byte not allowed")
    assert c.cmd("MAIL FROM:<a@@b>")[0] == 501
    assert c.cmd("MAIL FROM:<a@remote.example> BOGUS=1")[0] == 555
    assert c.cmd("MAIL FROM:<a@remote.example> SIZE=abc")[0] == 501
    assert c.cmd("RSET extra")[0] == 501
    assert c.cmd("NOOP") == (250, "2.0.0 Ok")  # still in sync


def test_overlong_lines(stack):
    smtp = start_smtp(stack, MERPATI_SMTP_MAX_LINE="512")
    c = Raw(port(smtp))
    greet(c)
    assert c.cmd("NOOP " + "x" * 505)[0] == 250  # 512 octets with CRLF
    assert c.cmd("NOOP " + "x" * 506) == (500, "5.5.2 Line too long")
    # far past every bound and without a line end for a while: refused once, resynchronised
    c.send(b"NOOP " + b"y" * 100000)
    time.sleep(0.2)
    c.send(b"\r\nNOOP\r\n")
    assert c.reply() == (500, "5.5.2 Line too long")
    assert c.reply() == (250, "2.0.0 Ok")


def test_bare_lf_in_data_is_refused(stack, pg):
    smtp = start_smtp(stack)
    marker, smuggled = unique("bare-lf"), unique("smuggled")
    c = Raw(port(smtp))
    greet(c)
    transaction(c)
    # CVE-2023-51764 shape: "LF . LF" then a second transaction inside the first
    c.send(f"Subject: {marker}\r\n\r\nhello\n.\nMAIL FROM:<admin@{DOMAIN}>\r\n"
           f"RCPT TO:<{BOB}>\r\nDATA\r\nSubject: {smuggled}\r\n\r\nx\r\n.\r\nNOOP\r\n")
    assert c.reply() == (554, "5.6.0 Message contains bare CR or LF (RFC 5321 2.3.8)")
    assert c.reply() == (250, "2.0.0 Ok")
    assert count_with(pg, marker) == 0 and count_with(pg, smuggled) == 0


def test_text_line_too_long(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("longline")
    c = Raw(port(smtp))
    greet(c)
    transaction(c)
    c.send(f"Subject: {marker}\r\n\r\n" + "z" * 999 + "\r\n.\r\n")
    assert c.reply()[0] == 554
    transaction(c)
    c.send(f"Subject: {marker}\r\n\r\n" + "z" * 998 + "\r\n.\r\n")
    assert c.reply()[0] == 250
    assert count_with(pg, marker) == 1


def test_oversize_messages(stack, pg):
    smtp = start_smtp(stack, MERPATI_SMTP_MAX_MESSAGE_SIZE="64k")
    marker = unique("big")
    c = Raw(port(smtp))
    greet(c)
    assert "SIZE 65536" in c.cmd("EHLO again.example")[1]
    assert c.cmd("MAIL FROM:<a@remote.example> SIZE=65537") == (
        552, "5.3.4 Message size exceeds fixed maximum message size")
    transaction(c)
    c.send(f"Subject: {marker}\r\n\r\n" + ("a" * 70 + "\r\n") * 2000 + ".\r\n")
    assert c.reply()[0] == 552
    assert c.cmd("NOOP")[0] == 250
    # BDAT over the limit: the chunk is read, refused, nothing stored
    assert c.cmd("MAIL FROM:<a@remote.example>")[0] == 250
    assert c.cmd(f"RCPT TO:<{ALICE}>")[0] == 250
    data = (f"Subject: {marker}\r\n\r\n" + "b" * 70 + "\r\n").encode() * 1000
    c.send(b"BDAT %d LAST\r\n" % len(data) + data)
    assert c.reply()[0] == 552
    assert c.cmd("NOOP")[0] == 250
    assert count_with(pg, marker) == 0


def test_slow_client_times_out(stack):
    smtp = start_smtp(stack, MERPATI_SMTP_TIMEOUT="2s")
    c = Raw(port(smtp))
    greet(c)
    c.send("MAIL FROM:<a@rem")  # and then nothing
    start = time.monotonic()
    code, text = c.reply()
    assert code == 421 and text.startswith("4.4.2 ")
    assert 1.5 <= time.monotonic() - start < 6
    assert c.eof()
    # a client slow inside DATA meets the same end, and nothing is stored
    d = Raw(port(smtp))
    greet(d)
    transaction(d)
    d.send("Subject: slow\r\n")
    assert d.reply()[0] == 421


def test_too_many_errors(stack):
    smtp = start_smtp(stack, MERPATI_SMTP_MAX_ERRORS="3")
    c = Raw(port(smtp))
    c.reply()
    c.send("A\r\nB\r\nC\r\nNOOP\r\n")
    assert [c.reply()[0] for _ in range(4)] == [500, 500, 500, 421]
    assert c.eof()


def test_too_many_recipients(stack):
    smtp = start_smtp(stack, MERPATI_SMTP_MAX_RECIPIENTS="2")
    c = Raw(port(smtp))
    greet(c)
    c.cmd("MAIL FROM:<a@remote.example>")
    assert c.cmd(f"RCPT TO:<{ALICE}>")[0] == 250
    assert c.cmd(f"RCPT TO:<{BOB}>")[0] == 250
    assert c.cmd(f"RCPT TO:<postmaster@{DOMAIN}>") == (452, "4.5.3 Too many recipients")


def test_auth_failure_delay_and_lockout(stack):
    smtp = start_smtp(stack, MERPATI_PLAINTEXT_AUTH="loopback", MERPATI_SMTP_AUTH_FAIL_DELAY="1s",
                      MERPATI_SMTP_MAX_AUTH_FAILURES="2", MERPATI_SMTP_AUTH_LOCKOUT_FAILURES="3")
    c = Raw(port(smtp, "submission"))
    greet(c)
    start = time.monotonic()
    assert c.cmd("AUTH PLAIN " + plain_b64(ALICE, "wrong-1")) == (
        535, "5.7.8 Authentication credentials invalid")
    assert time.monotonic() - start >= 0.9  # the failure is answered late
    assert c.cmd("AUTH PLAIN " + plain_b64(ALICE, "wrong-2"))[0] == 535
    assert c.reply()[0] == 421  # too many failures in one session
    assert c.eof()
    d = Raw(port(smtp, "submission"))
    greet(d)
    assert d.cmd("AUTH PLAIN " + plain_b64(ALICE, "wrong-3"))[0] == 535
    # three failures from this address: even the right password is not checked now
    assert d.cmd("AUTH PLAIN " + plain_b64(ALICE, PASSWORD)) == (
        454, "4.7.0 Too many failed authentications, try again later")


def test_auth_lockout_holds_across_replicas_and_ends_with_its_window(stack):
    env = dict(MERPATI_PLAINTEXT_AUTH="loopback", MERPATI_SMTP_AUTH_FAIL_DELAY="0s",
               MERPATI_SMTP_AUTH_LOCKOUT_FAILURES="3", MERPATI_SMTP_AUTH_LOCKOUT_WINDOW="4s")
    a = start_smtp(stack, **env)
    b = start_smtp(stack, name="smtp-in-b", **env)

    def auth(proc, password):
        c = Raw(port(proc, "submission"))
        greet(c)
        code = c.cmd("AUTH PLAIN " + plain_b64(ALICE, password))[0]
        c.close()
        return code

    # a success forgets the failures before it
    assert auth(a, "wrong-1") == 535 and auth(b, "wrong-2") == 535
    assert auth(a, PASSWORD) == 235
    assert auth(b, "wrong-3") == 535 and auth(a, "wrong-4") == 535
    assert auth(b, PASSWORD) == 235
    # three failures spread over both replicas lock the address out on both
    assert auth(a, "wrong-5") == 535 and auth(b, "wrong-6") == 535 and auth(a, "wrong-7") == 535
    assert auth(b, PASSWORD) == 454 and auth(a, PASSWORD) == 454
    assert "event=auth result=locked" in b.log()
    # the window is over: the right password is checked again
    time.sleep(4.5)
    assert auth(b, PASSWORD) == 235


def test_sasl_cancel_and_garbage(stack):
    smtp = start_smtp(stack, MERPATI_PLAINTEXT_AUTH="loopback")
    c = Raw(port(smtp, "submission"))
    greet(c)
    assert c.cmd("AUTH PLAIN") == (334, "")
    assert c.cmd("*") == (501, "5.7.0 Authentication cancelled")
    assert c.cmd("AUTH LOGIN") == (334, "VXNlcm5hbWU6")
    assert c.cmd("not base64!") == (501, "5.5.2 Invalid base64 data")
    assert c.cmd("AUTH CRAM-MD5")[0] == 504
    assert c.cmd("AUTH PLAIN " + plain_b64(ALICE, PASSWORD))[0] == 235
    assert c.cmd("AUTH PLAIN " + plain_b64(ALICE, PASSWORD))[0] == 503


def test_starttls_drops_pipelined_plaintext(stack, pg):
    smtp = start_smtp(stack)
    c = Raw(port(smtp))
    greet(c)
    # CVE-2011-0411: commands after STARTTLS in the same packet must not run under TLS
    c.send("STARTTLS\r\nMAIL FROM:<injected@remote.example>\r\n")
    assert c.reply()[0] == 220
    c.sock = client_tls_context().wrap_socket(c.sock)
    assert c.cmd("RCPT TO:<%s>" % ALICE) == (503, "5.5.1 Need MAIL command")
    # RFC 3207 4.2: the EHLO before TLS is forgotten too
    assert c.cmd("MAIL FROM:<a@remote.example>") == (503, "5.5.1 Send HELO/EHLO first")
    assert c.cmd("EHLO tls.example")[0] == 250
    assert c.cmd("MAIL FROM:<a@remote.example>")[0] == 250


def test_connections_per_ip(stack):
    smtp = start_smtp(stack, MERPATI_SMTP_MAX_CONN_PER_IP="2")
    a, b = Raw(port(smtp)), Raw(port(smtp))
    assert a.reply()[0] == 220 and b.reply()[0] == 220
    c = Raw(port(smtp))
    code, _ = c.reply()
    assert code in (0, 421)  # closed, with or without a word
    assert c.eof()
    a.cmd("QUIT")
    a.close()
    # once the server has seen the QUIT through, there is room again
    deadline = time.monotonic() + 10
    while True:
        d = Raw(port(smtp))
        code = d.reply()[0]
        d.close()
        if code == 220 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert code == 220


def test_database_down_gives_451_and_stores_nothing(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("dbdown")
    c = Raw(port(smtp))
    greet(c)
    transaction(c)
    c.send(f"Subject: {marker}\r\n\r\nbody\r\n")
    pg.stop("immediate")
    try:
        c.send(".\r\n")
        code, text = c.reply()
        assert (code, text) == (451, "4.3.0 Temporary failure, message not stored")
        assert c.cmd(f"RCPT TO:<{ALICE}>")[0] == 503  # the transaction is gone
        assert c.cmd("MAIL FROM:<a@remote.example>")[0] == 250
        assert c.cmd(f"RCPT TO:<{ALICE}>")[0] == 451  # lookups fail soft too
    finally:
        pg.start()
    assert count_with(pg, marker) == 0
    # and once the database is back, mail flows again
    deadline = time.monotonic() + 30
    while True:
        d = Raw(port(smtp))
        greet(d)
        d.cmd("MAIL FROM:<a@remote.example>")
        if d.cmd(f"RCPT TO:<{ALICE}>")[0] == 250 or time.monotonic() > deadline:
            break
        d.close()
        time.sleep(0.5)
    assert d.cmd("DATA")[0] == 354
    d.send(f"Subject: {marker}\r\n\r\nbody\r\n.\r\n")
    assert d.reply()[0] == 250
    assert count_with(pg, marker) == 1
