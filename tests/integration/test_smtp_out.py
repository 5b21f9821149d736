"""test_smtp_out - merpati-smtp-out against a real DNS server and remote SMTP servers on
loopback: unbound serves a zone written here, merpati-dns-resolver forwards to it, and
scripted SMTP servers (helpers_smtpout/scripted_smtp.py) listen on 127.0.0.2 and up.
Jobs are put into queue_out directly; what reached the servers and what the queue and the
DSNs say afterwards is checked.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_smtp_out.py
"""
import time
import urllib.request

import pytest

from harness.stack import free_port
from helpers_bus.procs import procs  # noqa: F401
from helpers_smtpout.dns import start_unbound, zone_lines
from helpers_smtpout.queue import add_job, dsns, job, status_fields
from helpers_smtpout.scripted_smtp import ScriptedSMTP

ZONE = {
    "mx.smtpout.example.org": ["mx.smtpout.example.org. 300 IN MX 10 mx1.smtpout.example.org.",
                    "mx1.smtpout.example.org. 300 IN A 127.0.0.2"],
    "pref.smtpout.example.org": ["pref.smtpout.example.org. 300 IN MX 10 dead.pref.smtpout.example.org.",
                      "pref.smtpout.example.org. 300 IN MX 20 busy.pref.smtpout.example.org.",
                      "pref.smtpout.example.org. 300 IN MX 30 good.pref.smtpout.example.org.",
                      "dead.pref.smtpout.example.org. 300 IN A 127.0.0.3",
                      "busy.pref.smtpout.example.org. 300 IN A 127.0.0.4",
                      "good.pref.smtpout.example.org. 300 IN A 127.0.0.2"],
    "implicit.smtpout.example.org": ["implicit.smtpout.example.org. 300 IN A 127.0.0.2"],
    "nullmx.smtpout.example.org": ["nullmx.smtpout.example.org. 300 IN MX 0 ."],
    "pf.smtpout.example.org": ["pf.smtpout.example.org. 300 IN MX 10 postfix.pf.smtpout.example.org.",
                               "postfix.pf.smtpout.example.org. 300 IN A 127.0.0.6"],
    "down.smtpout.example.org": ["down.smtpout.example.org. 300 IN MX 10 host.down.smtpout.example.org.",
                      "host.down.smtpout.example.org. 300 IN A 127.0.0.5"],
}

BODY = ("From: Sender <s@local.test>\r\nTo: r@mx.smtpout.example.org\r\nSubject: outbound\r\n"
        "Message-ID: <{tag}@local.test>\r\n\r\nline one\r\n.leading dot\r\nlast line\r\n")


class Outbound:
    """Outbound - DNS, resolver and remote servers of one test; smtp-out started by run()"""

    def __init__(self, pg, stack, procs, tmp_path):
        self.pg, self.stack = pg, stack
        self.port = free_port()
        dns_port = free_port()
        start_unbound(procs, tmp_path, dns_port, zone_lines(ZONE))
        stack.start("dns-resolver", env={"MERPATI_DNS_FORWARDER": f"127.0.0.1@{dns_port}"})
        self.servers = []
        self.first_queue_in = int(pg.psql("SELECT coalesce(max(id), 0) FROM queue_in"))
        # jobs other tests left behind are not ours to send: hold them while we run
        self.held = pg.psql("UPDATE queue_out SET held = true WHERE NOT held RETURNING id")

    def server(self, host, **kw):
        s = ScriptedSMTP(host, self.port, **kw).start()
        self.servers.append(s)
        return s

    def run(self, **env):
        full = {"MERPATI_SMTP_OUT_PORT": str(self.port), "MERPATI_SMTP_OUT_POLL": "1s",
                "MERPATI_RETRY_INTERVALS": "1s", "MERPATI_HOSTNAME": "out.local.test",
                "MERPATI_SMTP_OUT_CONNECT_TIMEOUT": "3s", "MERPATI_SMTP_OUT_TIMEOUT": "10s", "MERPATI_LOG_LEVEL": "debug"}
        full.update(env)
        return self.stack.start("smtp-out", env=full)

    def close(self):
        for s in self.servers:
            s.close()
            print(f"----- transcripts of {s.host} -----")   # shown when a test fails
            for t in s.transcripts:
                print("\n".join(t) + "\n")
        ids = ",".join(self.held.split()) if self.held else ""
        if ids:
            self.pg.psql(f"UPDATE queue_out SET held = false WHERE id IN ({ids})")
        self.pg.psql("DELETE FROM queue_out WHERE domain LIKE '%smtpout.example.org'")
        self.pg.psql(f"DELETE FROM queue_in WHERE id > {self.first_queue_in} AND sender = ''")


@pytest.fixture
def out(pg, stack, procs, tmp_path):
    o = Outbound(pg, stack, procs, tmp_path)
    yield o
    o.close()


def wait(predicate, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def gone(pg, *ids):
    return all(job(pg, i) is None for i in ids)


def test_delivery_to_mx_with_mixed_results(out, pg):
    mx = out.server("127.0.0.2", rcpt={"bad@mx.smtpout.example.org": "550 5.1.1 no such user",
                                       "later@mx.smtpout.example.org": "451 4.2.0 try later"})
    raw = BODY.format(tag="mixed")
    good = add_job(pg, "s@local.test", "good@mx.smtpout.example.org", raw, envid="ENV1", ret="HDRS")
    bad = add_job(pg, "s@local.test", "bad@mx.smtpout.example.org", raw, envid="ENV1", ret="HDRS",
                  orcpt="rfc822;Bad@mx.smtpout.example.org")
    later = add_job(pg, "s@local.test", "later@mx.smtpout.example.org", raw, envid="ENV1", ret="HDRS")
    out.run(MERPATI_RETRY_INTERVALS="1h")
    wait(lambda: gone(pg, good, bad) and job(pg, later) and job(pg, later)[2], what="results")

    # one transaction on one connection for the three recipients; dots were stuffed
    (mail, rcpts, data), = mx.deliveries
    assert mail.startswith("MAIL FROM:<s@local.test>") and "ENVID=ENV1" in mail
    assert "RET=HDRS" in mail and "SIZE=" in mail
    assert rcpts == ["good@mx.smtpout.example.org"]
    assert data == raw.encode()
    assert any("ORCPT=rfc822;Bad@mx.smtpout.example.org" in line for t in mx.transcripts for line in t)

    attempts, warned, reply, due, leased = job(pg, later)
    assert attempts == 1 and not warned and not leased
    assert reply.startswith("451 4.2.0") and 3000 < due <= 3600

    (bounce,) = dsns(pg, "s@local.test", out.first_queue_in)
    assert bounce.get_content_type() == "multipart/report"
    assert bounce.get_param("report-type") == "delivery-status"
    f = status_fields(bounce)
    assert f["Reporting-MTA"] == "dns; out.local.test"
    assert f["Original-Envelope-Id"] == "ENV1"
    assert f["Final-Recipient"] == "rfc822; bad@mx.smtpout.example.org"
    assert f["Original-Recipient"] == "rfc822;Bad@mx.smtpout.example.org"
    assert f["Action"] == "failed" and f["Status"] == "5.1.1"
    assert f["Remote-MTA"] == "dns; mx1.smtpout.example.org"
    assert f["Diagnostic-Code"].startswith("smtp; 550 5.1.1")
    parts = [p.get_content_type() for p in bounce.iter_parts()]
    assert parts == ["text/plain", "message/delivery-status", "text/rfc822-headers"]
    assert "line one" not in bounce.as_string()          # RET=HDRS: no body


def test_mx_preference_and_fallback(out, pg):
    # MX 10 refuses connections, MX 20 answers 421 at greeting, MX 30 takes the message
    busy = out.server("127.0.0.4", greeting="421 4.3.2 busy")
    good = out.server("127.0.0.2")
    j = add_job(pg, "s@local.test", "r@pref.smtpout.example.org", BODY.format(tag="pref"))
    out.run()
    wait(lambda: gone(pg, j), what="delivery")
    assert busy.sessions == 1 and len(good.deliveries) == 1
    assert good.deliveries[0][1] == ["r@pref.smtpout.example.org"]


def test_implicit_mx(out, pg):
    srv = out.server("127.0.0.2")
    j = add_job(pg, "s@local.test", "r@implicit.smtpout.example.org", BODY.format(tag="implicit"))
    out.run()
    wait(lambda: gone(pg, j), what="delivery")
    assert srv.deliveries[0][1] == ["r@implicit.smtpout.example.org"]


def test_null_mx_and_nxdomain_bounce_and_no_bounce_of_a_bounce(out, pg):
    a = add_job(pg, "s@local.test", "r@nullmx.smtpout.example.org", BODY.format(tag="nullmx"))
    b = add_job(pg, "s@local.test", "r@nosuch.smtpout.example.org", BODY.format(tag="nx"))
    c = add_job(pg, "", "r@nosuch.smtpout.example.org", BODY.format(tag="nx-null"))
    d = add_job(pg, "quiet@local.test", "r@nosuch.smtpout.example.org", BODY.format(tag="never"),
                notify=8)
    out.run()
    wait(lambda: gone(pg, a, b, c, d), what="bounces")
    statuses = sorted(status_fields(m)["Status"] for m in dsns(pg, "s@local.test",
                                                              out.first_queue_in))
    assert statuses == ["5.1.10", "5.1.2"]
    assert dsns(pg, "quiet@local.test", out.first_queue_in) == []    # NOTIFY=NEVER
    assert pg.psql(f"SELECT count(*) FROM queue_in WHERE id > {out.first_queue_in} "
                   "AND sender = ''") == "2"                           # none for <>


def test_temporary_failure_then_success_on_retry(out, pg):
    srv = out.server("127.0.0.2", data_reply=["452 4.3.1 out of space", "250 2.0.0 ok"])
    j = add_job(pg, "s@local.test", "r@mx.smtpout.example.org", BODY.format(tag="retry"))
    out.run()
    wait(lambda: gone(pg, j), what="delivery on retry")
    assert len(srv.deliveries) == 1
    assert srv.sessions >= 2
    assert dsns(pg, "s@local.test", out.first_queue_in) == []


def test_remote_down_then_up(out, pg):
    j = add_job(pg, "s@local.test", "r@down.smtpout.example.org", BODY.format(tag="down"))
    out.run()
    wait(lambda: job(pg, j) and job(pg, j)[0] >= 2, what="two failed attempts")
    assert "4.4.1" in job(pg, j)[2]
    srv = out.server("127.0.0.5")
    wait(lambda: gone(pg, j), what="delivery once the host is up")
    assert len(srv.deliveries) == 1


def test_delay_notice_then_bounce(out, pg):
    out.server("127.0.0.2", data_reply="451 4.7.1 greylisted")
    j = add_job(pg, "s@local.test", "r@mx.smtpout.example.org", BODY.format(tag="delay"), envid="E2")
    out.run(MERPATI_DELAY_WARN_AFTER="2s", MERPATI_BOUNCE_AFTER="6s")
    wait(lambda: gone(pg, j), what="the bounce")
    notes = dsns(pg, "s@local.test", out.first_queue_in)
    assert [status_fields(n)["Action"] for n in notes] == ["delayed", "failed"]
    assert all(status_fields(n)["Original-Envelope-Id"] == "E2" for n in notes)
    assert status_fields(notes[1])["Diagnostic-Code"].startswith("smtp; 451 4.7.1")


def test_kill_mid_delivery_loses_nothing_and_sends_once(out, pg, stack):
    srv = out.server("127.0.0.2")
    srv.stall.set()
    j = add_job(pg, "s@local.test", "r@mx.smtpout.example.org", BODY.format(tag="kill"))
    out.run(MERPATI_SMTP_OUT_LEASE="10s")
    wait(srv.stalled.is_set, what="the transaction to reach DATA")
    stack.kill("smtp-out")
    assert job(pg, j)[0] == 1                     # the attempt was recorded before sending
    srv.stall.clear()
    time.sleep(0.5)
    assert srv.deliveries == []                   # the killed session sent no body
    stack.restart("smtp-out")
    wait(lambda: gone(pg, j), timeout=40, what="delivery after the lease ran out")
    stack["smtp-out"].wait_log(f"event=reclaimed job={j} attempts=2")   # noticed, not silent
    time.sleep(2)
    assert len(srv.deliveries) == 1


def test_size_limit_and_smtputf8_fail_permanently(out, pg):
    srv = out.server("127.0.0.2", ehlo=("PIPELINING", "SIZE 100", "ENHANCEDSTATUSCODES"))
    big = add_job(pg, "s@local.test", "r@mx.smtpout.example.org", BODY.format(tag="x" * 200))
    utf8 = add_job(pg, "s@local.test", "ünï@mx.smtpout.example.org", "Subject: u\r\n\r\nu\r\n")
    out.run()
    wait(lambda: gone(pg, big, utf8), what="both to fail")
    assert srv.deliveries == []
    assert not any(line.startswith("C: MAIL") for t in srv.transcripts for line in t)
    statuses = sorted(status_fields(m)["Status"] for m in dsns(pg, "s@local.test",
                                                              out.first_queue_in))
    assert statuses == ["5.3.4", "5.6.7"]      # RFC 1870 6, RFC 6531 3.2


def test_one_connection_for_several_messages_and_notify_passed_on(out, pg, stack):
    srv = out.server("127.0.0.2")
    a = add_job(pg, "s@local.test", "a@mx.smtpout.example.org", BODY.format(tag="one"),
                notify=1 | 2)
    b = add_job(pg, "t@local.test", "b@mx.smtpout.example.org", BODY.format(tag="two"))
    proc = out.run()
    wait(lambda: gone(pg, a, b), what="both messages")
    assert srv.sessions == 1 and len(srv.deliveries) == 2
    assert any("RCPT TO:<a@mx.smtpout.example.org> NOTIFY=SUCCESS,FAILURE" in line
               for t in srv.transcripts for line in t)
    # the server offered DSN: it answers for SUCCESS, we send no notice of our own
    assert dsns(pg, "s@local.test", out.first_queue_in) == []
    body = urllib.request.urlopen(f"http://127.0.0.1:{proc.admin_port}/metrics").read().decode()
    assert 'merpati_smtp_out_recipients_total{result="delivered"} 2' in body


def test_held_jobs_are_not_sent(out, pg, stack):
    srv = out.server("127.0.0.2")
    held = add_job(pg, "s@local.test", "held@mx.smtpout.example.org", BODY.format(tag="held"))
    r = stack.merpati("queue", "hold", f"out:{held}")
    assert r.returncode == 0, r.stdout + r.stderr
    other = add_job(pg, "s@local.test", "go@mx.smtpout.example.org", BODY.format(tag="go"))
    out.run()
    wait(lambda: gone(pg, other), what="the other job")
    time.sleep(2)
    assert [d[1] for d in srv.deliveries] == [["go@mx.smtpout.example.org"]]
    assert job(pg, held)[0] == 0               # never even leased


@pytest.mark.parametrize("limits,parallel", [({"MERPATI_SMTP_OUT_PER_DOMAIN": "1"}, 1),
                                             ({"MERPATI_SMTP_OUT_MAX": "1"}, 1),
                                             ({}, 2)])
def test_concurrency_limits(out, pg, stack, limits, parallel):
    srv = out.server("127.0.0.2")
    srv.stall.set()                            # the first session stays open at DATA
    a = add_job(pg, "s@local.test", "a@mx.smtpout.example.org", BODY.format(tag="c1"))
    out.run(**limits)
    wait(srv.stalled.is_set, what="the first session")
    b = add_job(pg, "s@local.test", "b@mx.smtpout.example.org", BODY.format(tag="c2"))
    time.sleep(3)                              # three polls: b is leased if anything allows
    assert srv.max_active == parallel
    if "MERPATI_SMTP_OUT_MAX" in limits:
        assert job(pg, b)[0] == 0              # not even leased while every slot is busy
    srv.stall.clear()
    wait(lambda: gone(pg, a, b), what="both deliveries")
    assert len(srv.deliveries) == 2


def test_large_body_streamed_intact(out, pg):
    srv = out.server("127.0.0.2")
    lines = "".join(f"{'.' if i % 7 == 0 else ''}line {i:07d} {'x' * 60}\r\n"
                    for i in range(40000))         # about 3 MB in many store chunks
    raw = "Subject: big\r\n\r\n" + lines
    built = ("'Subject: big' || E'\\r\\n\\r\\n' || (SELECT string_agg(CASE WHEN i % 7 = 0 "
             "THEN '.' ELSE '' END || 'line ' || lpad(i::text, 7, '0') || ' ' || repeat('x', 60) "
             "|| E'\\r\\n', '' ORDER BY i) FROM generate_series(0, 39999) i)")
    j = add_job(pg, "s@local.test", "r@mx.smtpout.example.org", None, raw_sql=built)
    out.run()
    wait(lambda: gone(pg, j), timeout=60, what="the large message")
    assert srv.deliveries[0][2] == raw.encode()


def test_relayed_notice_when_the_server_has_no_dsn(out, pg):
    out.server("127.0.0.2", ehlo=("PIPELINING", "SIZE 10000000"))
    j = add_job(pg, "s@local.test", "r@mx.smtpout.example.org", BODY.format(tag="rel"),
                notify=1)
    out.run()
    wait(lambda: gone(pg, j), what="delivery")
    (note,) = dsns(pg, "s@local.test", out.first_queue_in)
    assert status_fields(note)["Action"] == "relayed"     # RFC 3461 4.1, RFC 3464 2.3.3
    assert status_fields(note)["Status"].startswith("2.")


def test_bounce_reaches_the_local_senders_mailbox(out, pg, stack):
    from test_mda_delivery import new_domain, new_user, rows
    d = new_domain(stack)
    alice = new_user(stack, f"alice@{d}")
    j = add_job(pg, alice, "r@nosuch.smtpout.example.org", BODY.format(tag="home"))
    stack.start("mda")
    out.run()
    wait(lambda: gone(pg, j) and len(rows(pg, alice)) == 1, what="the bounce in the INBOX")
    sha = rows(pg, alice)[0][5]
    raw = pg.psql(f"SELECT convert_from(raw, 'UTF8') FROM messages "
                  f"WHERE encode(sha256, 'hex') = '{sha}'")
    assert "report-type=delivery-status" in raw and "Status: 5.1.2" in raw
    assert rows(pg, alice)[0][4].startswith("Return-Path: <>")
