"""smtp-in with real clients (smtplib, swaks, curl) and raw sockets: what is accepted lands in
queue_in with its envelope, exactly as committed before the 250; what is refused gets the
right code and stores nothing."""
import smtplib
import subprocess
import time
import http.client

import pytest

from test_smtp_support import (ALICE, BOB, DOMAIN, PASSWORD, SALES, Raw, account_id,
                               client_tls_context, count_with, job, message, plain_b64, port,
                               queued_id, raw_message, rcpts, start_smtp, unique)


def test_mx_plain_smtplib(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("mx-plain")
    with smtplib.SMTP("127.0.0.1", port(smtp), local_hostname="client.example") as c:
        code, text = c.ehlo()
        assert code == 250
        for ext in ("pipelining", "size", "8bitmime", "smtputf8", "enhancedstatuscodes",
                    "chunking", "dsn", "starttls"):
            assert c.has_extn(ext), ext
        assert not c.has_extn("auth")  # the MX port never offers AUTH
        c.mail("sender@remote.example", ["SIZE=200"])
        assert c.rcpt(ALICE)[0] == 250
        assert c.rcpt(SALES.upper())[0] == 250  # an alias, any case
        code, text = c.data(message(marker, "sender@remote.example", ALICE))
    assert code == 250 and text.decode().startswith("2.0.0 Ok: queued as ")
    jid = queued_id(text.decode())
    row = job(pg, jid)
    assert row["sender"] == "sender@remote.example"
    assert row["client_ip"] == "127.0.0.1"
    assert row["helo"] == "client.example"
    assert row["listener"] == "mx"
    assert row["auth_account_id"] == "0"
    # the domain is lowercased, the local part kept as given (RFC 5321 2.4)
    assert [r[0] for r in rcpts(pg, jid)] == [ALICE, f"SALES@{DOMAIN}"]
    raw = raw_message(pg, jid)
    assert int(row["size"]) == len(raw)
    # RFC 5321 4.4: our Received header first, then the message as sent
    head, _, rest = raw.partition(b"\r\n\tby ")
    assert head.startswith(b"Received: from client.example ([127.0.0.1])")
    assert b"mx.smtp.example.test (Merpati) with ESMTP id " in rest
    assert b"for <" not in rest.split(b"\r\n\r\n")[0]  # two recipients: no "for"
    assert raw.endswith(message(marker, "sender@remote.example", ALICE).encode())


def test_mx_refusals(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("mx-refusals")
    c = Raw(port(smtp))
    assert c.reply()[0] == 220
    assert c.cmd("EHLO client.example")[0] == 250
    assert c.cmd("MAIL FROM:<>") == (250, "2.1.0 Ok")
    assert c.cmd(f"RCPT TO:<nobody@{DOMAIN}>") == (550, "5.1.1 Recipient address rejected: user unknown")
    assert c.cmd("RCPT TO:<someone@foreign.example>") == (554, "5.7.1 Relay access denied")
    assert c.cmd(f"RCPT TO:<postmaster@{DOMAIN}>") == (250, "2.1.5 Ok")
    assert c.cmd(f"RCPT TO:<abuse@{DOMAIN}>") == (250, "2.1.5 Ok")
    assert c.cmd("RCPT TO:<x@[192.0.2.1]>")[0] == 554
    assert c.cmd(f"RCPT TO:<\"quoted user\"@{DOMAIN}>")[0] == 550
    assert c.cmd(f"RCPT TO:nobrackets@{DOMAIN}")[0] == 501
    assert c.cmd("VRFY alice")[0] == 252
    assert c.cmd("EXPN staff")[0] == 502
    assert c.cmd("VERB")[0] == 502
    assert c.cmd("HELP")[0] == 214
    assert c.cmd("DATA")[0] == 354
    c.send(message(marker, "", f"postmaster@{DOMAIN}") + ".\r\n")
    code, text = c.reply()
    assert code == 250
    assert [r[0] for r in rcpts(pg, queued_id(text))] == [f"postmaster@{DOMAIN}", f"abuse@{DOMAIN}"]
    assert job(pg, queued_id(text))["sender"] == ""
    assert c.cmd("QUIT")[0] == 221
    assert c.eof()


def test_submission_starttls_auth_plain(stack, pg):
    smtp = start_smtp(stack, MERPATI_PLAINTEXT_AUTH="never")
    marker = unique("sub-plain")
    with smtplib.SMTP("127.0.0.1", port(smtp, "submission"), local_hostname="laptop.example") as c:
        c.ehlo()
        assert c.has_extn("starttls") and not c.has_extn("auth")
        code, text = c.mail(ALICE)
        assert code == 530 and b"STARTTLS" in text
        c.starttls(context=client_tls_context())
        c.ehlo()
        assert c.has_extn("auth") and "PLAIN" in c.esmtp_features["auth"]
        assert not c.has_extn("starttls")
        with pytest.raises(smtplib.SMTPSenderRefused) as e:
            c.sendmail(ALICE, [BOB], message(marker))
        assert e.value.smtp_code == 530  # TLS is not enough: AUTH first
        c.login(ALICE, PASSWORD)
        refused = c.sendmail(ALICE, ["friend@foreign.example", BOB], message(marker))
        assert refused == {}
    assert count_with(pg, marker) == 1
    jid = int(pg.psql(f"SELECT max(id) FROM queue_in WHERE sender = '{ALICE}'"))
    row = job(pg, jid)
    assert row["listener"] == "submission"
    assert int(row["auth_account_id"]) == account_id(pg, ALICE)
    raw = raw_message(pg, jid)
    assert b"(using TLSv1." in raw and f"(authenticated as {ALICE})".encode() in raw
    assert b"with ESMTPSA id " in raw


def test_submission_auth_login_and_sender_check(stack, pg):
    smtp = start_smtp(stack, MERPATI_PLAINTEXT_AUTH="loopback")
    with smtplib.SMTP("127.0.0.1", port(smtp, "submission")) as c:
        c.ehlo()
        # loopback counts as secure for passwords: AUTH offered without TLS
        assert "LOGIN" in c.esmtp_features["auth"]
        c.user, c.password = ALICE, PASSWORD
        code, text = c.auth("LOGIN", c.auth_login, initial_response_ok=False)
        assert code == 235
        code, text = c.mail(BOB)
        assert (code, text) == (553, b"5.7.1 Sender address not owned by the authenticated user")
        assert c.mail("<>")[0] == 553
        assert c.mail(SALES)[0] == 250  # an alias that leads to alice
        assert c.rcpt("x@foreign.example")[0] == 250  # relaying for our own user
        c.rset()
        assert c.mail(ALICE.upper())[0] == 250


def test_implicit_tls_submissions(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("465")
    with smtplib.SMTP_SSL("127.0.0.1", port(smtp, "submissions"),
                          context=client_tls_context()) as c:
        c.ehlo()
        assert not c.has_extn("starttls")
        c.login(ALICE, PASSWORD)
        assert c.sendmail(ALICE, [BOB], message(marker)) == {}
    jid = int(pg.psql(f"SELECT max(id) FROM queue_in WHERE listener = 'submissions'"))
    assert count_with(pg, marker) == 1
    assert b"for <" + BOB.encode() + b">" in raw_message(pg, jid)  # one recipient: "for"


def test_auth_refused_in_clear_when_policy_never(stack):
    smtp = start_smtp(stack, MERPATI_PLAINTEXT_AUTH="never")
    c = Raw(port(smtp, "submission"))
    c.reply()
    c.cmd("EHLO x.example")
    assert c.cmd("AUTH PLAIN " + plain_b64(ALICE, PASSWORD))[0] == 538
    assert c.cmd("MAIL FROM:<%s>" % ALICE)[0] == 530


def test_pipelined_transactions(stack, pg):
    smtp = start_smtp(stack)
    m1, m2 = unique("pipe1"), unique("pipe2")
    c = Raw(port(smtp))
    c.reply()
    assert c.cmd("EHLO client.example")[0] == 250
    # RFC 2920: a whole group in one write, answered in order
    c.send(f"MAIL FROM:<a@remote.example>\r\nRCPT TO:<{ALICE}>\r\nRCPT TO:<nobody@{DOMAIN}>\r\n"
           f"RCPT TO:<{BOB}>\r\nDATA\r\n")
    assert [c.reply()[0] for _ in range(5)] == [250, 250, 550, 250, 354]
    c.send(message(m1) + ".\r\n" + f"MAIL FROM:<b@remote.example>\r\nRCPT TO:<{BOB}>\r\nDATA\r\n")
    codes = [c.reply() for _ in range(4)]
    assert [x[0] for x in codes] == [250, 250, 250, 354]
    c.send(message(m2) + ".\r\nQUIT\r\n")
    code, text = c.reply()
    assert code == 250
    assert c.reply()[0] == 221
    assert [r[0] for r in rcpts(pg, queued_id(codes[0][1]))] == [ALICE, BOB]
    assert [r[0] for r in rcpts(pg, queued_id(text))] == [BOB]
    assert count_with(pg, m1) == 1 and count_with(pg, m2) == 1


def test_pipelined_smtplib_many_messages(stack, pg):
    smtp = start_smtp(stack)
    markers = [unique(f"many{i}") for i in range(20)]
    with smtplib.SMTP("127.0.0.1", port(smtp)) as c:
        for m in markers:
            assert c.sendmail("a@remote.example", [ALICE], message(m)) == {}
    assert sum(count_with(pg, m) for m in markers) == 20


def test_bdat_chunks(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("bdat")
    body = message(marker, body="line one\r\n.leading dot stays\r\n").encode()
    c = Raw(port(smtp))
    c.reply()
    c.cmd("EHLO client.example")
    c.send(f"MAIL FROM:<a@remote.example> BODY=8BITMIME\r\nRCPT TO:<{ALICE}>\r\n"
           f"BDAT 10\r\n".encode() + body[:10] + f"BDAT {len(body) - 10} LAST\r\n".encode() + body[10:])
    assert c.reply()[0] == 250
    assert c.reply()[0] == 250
    assert c.reply() == (250, "2.0.0 10 octets received")
    code, text = c.reply()
    assert code == 250
    assert raw_message(pg, queued_id(text)).endswith(body)
    # BDAT without a transaction: its bytes are read and never run as commands
    inner = b"MAIL FROM:<x@remote.example>\r\n"
    c.send(b"BDAT %d\r\n" % len(inner) + inner)
    assert c.reply()[0] == 503
    assert c.cmd("RCPT TO:<%s>" % ALICE)[0] == 503


def test_swaks_pipelining(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("swaks-pipe")
    r = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(port(smtp)),
                        "--from", "a@remote.example", "--to", f"{ALICE},{BOB}", "--pipeline",
                        "--header", f"Subject: {marker}", "--helo", "swaks.example"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "queued as" in r.stdout
    assert count_with(pg, marker) == 1


def test_swaks_tls_auth(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("swaks-tls")
    for auth in ("PLAIN", "LOGIN"):
        r = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(port(smtp, "submission")),
                            "--from", ALICE, "--to", "friend@foreign.example", "--tls",
                            "--auth", auth, "--auth-user", ALICE, "--auth-password", PASSWORD,
                            "--header", f"Subject: {marker}"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "235 2.7.0" in r.stdout
    assert count_with(pg, marker) == 2
    r = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(port(smtp, "submission")),
                        "--from", ALICE, "--to", BOB, "--tls", "--auth", "PLAIN",
                        "--auth-user", ALICE, "--auth-password", "wrong-password"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "535 5.7.8" in r.stdout


def test_curl_smtp(stack, pg, tmp_path):
    smtp = start_smtp(stack)
    marker = unique("curl")
    mail = tmp_path / "mail.txt"
    mail.write_text(message(marker, "a@remote.example", ALICE))
    r = subprocess.run(["curl", "-sS", f"smtp://127.0.0.1:{port(smtp)}/curl.example",
                        "--mail-from", "a@remote.example", "--mail-rcpt", ALICE,
                        "--upload-file", str(mail)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert count_with(pg, marker) == 1
    r = subprocess.run(["curl", "-sS", f"smtp://127.0.0.1:{port(smtp)}/curl.example",
                        "--mail-from", "a@remote.example", "--mail-rcpt", "x@foreign.example",
                        "--upload-file", str(mail)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "554" in r.stderr


def test_dsn_and_smtputf8_envelope(stack, pg):
    smtp = start_smtp(stack)
    marker = unique("dsn")
    c = Raw(port(smtp))
    c.reply()
    c.cmd("EHLO client.example")
    assert c.cmd("MAIL FROM:<j\u00f6rg@remote.example>")[0] == 553  # needs SMTPUTF8
    assert c.cmd("MAIL FROM:<j\u00f6rg@remote.example> SMTPUTF8 RET=HDRS ENVID=env+2Bid")[0] == 250
    assert c.cmd(f"RCPT TO:<{ALICE}> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;{ALICE.replace('@', '+40')}")[0] == 250
    assert c.cmd(f"RCPT TO:<{BOB}> NOTIFY=NEVER")[0] == 250
    c.cmd("DATA")
    c.send(message(marker) + ".\r\n")
    code, text = c.reply()
    jid = queued_id(text)
    row = job(pg, jid)
    assert row["sender"] == "j\u00f6rg@remote.example"
    assert (row["ret"], row["envid"]) == ("HDRS", "env+id")
    assert rcpts(pg, jid) == [(ALICE, f"rfc822;{ALICE}", "3"), (BOB, "", "8")]
    assert b"with UTF8SMTP id " in raw_message(pg, jid)


def test_proxy_protocol_keeps_client_ip(stack, pg):
    smtp = start_smtp(stack, MERPATI_SMTP_PROXY_PROTOCOL="1")
    marker = unique("proxy")
    c = Raw(port(smtp))
    c.send("PROXY TCP4 192.0.2.7 127.0.0.1 40000 25\r\n")
    assert c.reply()[0] == 220
    c.cmd("EHLO behind.proxy.example")
    c.cmd("MAIL FROM:<a@remote.example>")
    c.cmd(f"RCPT TO:<{ALICE}>")
    c.cmd("DATA")
    c.send(message(marker) + ".\r\n")
    code, text = c.reply()
    assert code == 250
    assert job(pg, queued_id(text))["client_ip"] == "192.0.2.7"
    assert b"([192.0.2.7])" in raw_message(pg, queued_id(text))
    # without the header the connection is dropped
    d = Raw(port(smtp))
    d.send("EHLO direct.example\r\n")
    assert d.eof()


def test_metrics_and_healthz(stack, pg):
    smtp = start_smtp(stack)
    with smtplib.SMTP("127.0.0.1", port(smtp)) as c:
        c.sendmail("a@remote.example", [ALICE], message(unique("metrics")))
    conn = http.client.HTTPConnection("127.0.0.1", smtp.admin_port, timeout=5)
    conn.request("GET", "/metrics")
    body = conn.getresponse().read().decode()
    assert 'merpati_smtp_messages_total{result="accepted"} 1' in body
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200


def test_queue_kick_after_commit(stack, pg):
    # bus-tool stands in for mda: it binds the QueueKick PULL and prints what arrives
    from harness.pg import helper
    puller = stack.start("mda", argv=[helper("bus-tool"), "pull", "2"])
    smtp = start_smtp(stack)
    ids = []
    with smtplib.SMTP("127.0.0.1", port(smtp)) as c:
        c.ehlo()
        for i in range(2):
            assert c.mail("a@remote.example")[0] == 250
            assert c.rcpt(ALICE)[0] == 250
            code, text = c.data(message(unique(f"kick{i}")))
            assert code == 250
            ids.append(queued_id(text.decode()))
    assert puller.popen.wait(30) == 0
    kicks = [line for line in puller.log().splitlines() if line.startswith("kick ")]
    assert kicks == [f"kick job={i} origin=smtp-in" for i in ids]


def test_rcpt_plus_address_and_catch_all(stack, pg):
    smtp = start_smtp(stack)
    catch = f"catch.{DOMAIN}"
    stack.merpati("domain", "add", catch)
    r = stack.merpati("alias", "add", f"@{catch}", ALICE)
    assert r.returncode == 0 or "exist" in (r.stdout + r.stderr).lower(), r.stderr
    c = Raw(port(smtp))
    c.reply()
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<a@remote.example>")
    assert c.cmd(f"RCPT TO:<alice+news@{DOMAIN}>")[0] == 250
    assert c.cmd(f"RCPT TO:<anything@{catch}>")[0] == 250
    assert c.cmd(f"RCPT TO:<nobody+x@{DOMAIN}>")[0] == 550
