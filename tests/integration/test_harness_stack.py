"""Tests of the integration harness itself (harness/stack.py).

A stand-in program plays the part of a Merpati service: run as a script, this file reads
the MERPATI_* variables a service reads, listens on every MERPATI_*_LISTEN, and answers
/healthz and /env (its environment, as JSON) on MERPATI_ADMIN_LISTEN. STANDIN_* variables
make it slow to start, fail at start, or print a line, so the harness's waiting, error
reports and log keeping can be checked. Tests at the end start the real binaries when
they are built.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STANDIN = [sys.executable, str(Path(__file__).resolve())]


# ---------------------------------------------------------------- the stand-in program

class StandinAdmin(BaseHTTPRequestHandler):
    """StandinAdmin - GET /healthz answers ok, GET /env answers the environment as JSON"""

    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok\n"
        elif self.path == "/env":
            body = json.dumps(dict(os.environ)).encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print("standin event=http", fmt % args, file=sys.stderr, flush=True)


def standin_listen(value):
    """standin_listen - a listening socket on a "host:port" value, accepting in a thread"""
    host, _, port = value.rpartition(":")
    sock = socket.create_server((host or "127.0.0.1", int(port)))

    def accept_loop():
        while True:
            conn, _ = sock.accept()
            conn.close()
    threading.Thread(target=accept_loop, daemon=True).start()
    return sock


def standin_main():
    """standin_main - behave like a service as far as the harness can see"""
    log = sys.stderr
    print(f"standin event=start pid={os.getpid()}", file=log, flush=True)
    if os.environ.get("STANDIN_SAY"):
        print(os.environ["STANDIN_SAY"], file=log, flush=True)
    time.sleep(float(os.environ.get("STANDIN_DELAY", "0")))
    if os.environ.get("STANDIN_EXIT"):
        print("standin event=fail reason=asked", file=log, flush=True)
        sys.exit(int(os.environ["STANDIN_EXIT"]))
    if os.environ.get("STANDIN_DIE_AFTER"):
        threading.Timer(float(os.environ["STANDIN_DIE_AFTER"]), lambda: os._exit(3)).start()
    signal.signal(signal.SIGTERM, lambda *_: (print("standin event=stop", file=log,
                                                    flush=True), os._exit(0)))
    keep = [standin_listen(v) for k, v in os.environ.items()
            if k.startswith("MERPATI_") and k.endswith("_LISTEN") and k != "MERPATI_ADMIN_LISTEN"]
    host, _, port = os.environ["MERPATI_ADMIN_LISTEN"].rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), StandinAdmin)
    print(f"standin event=ready listeners={len(keep)}", file=log, flush=True)
    server.serve_forever()


def standin_cli():
    """standin_cli - stand-in for `merpati`: echo args, stdin and MERPATI_DB, exit 4"""
    print(json.dumps({"args": sys.argv[2:], "stdin": sys.stdin.read(),
                      "db": os.environ.get("MERPATI_DB")}))
    sys.exit(4)


# ---------------------------------------------------------------- helpers

def get(port, path):
    """get - (status, body) of GET http://127.0.0.1:port/path, one try"""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def child_env(proc):
    """child_env - the environment the stand-in really got, asked over its admin port"""
    status, body = get(proc.admin_port, "/env")
    assert status == 200
    return json.loads(body)


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------- tests with the stand-in

def test_each_listener_gets_its_own_free_loopback_port(stack, pg):
    smtp = stack.start("smtp-in", argv=STANDIN)
    env = child_env(smtp)
    names = ["MERPATI_SMTP_LISTEN", "MERPATI_SUBMISSION_LISTEN", "MERPATI_SUBMISSIONS_LISTEN",
             "MERPATI_ADMIN_LISTEN"]
    ports = [smtp.port(n) for n in names]
    assert len(set(ports)) == 4
    for n in names:
        assert env[n].startswith("127.0.0.1:")
    for p in ports:
        assert accepts(p)
    assert env["MERPATI_DB"] == pg.env["MERPATI_DB"]
    assert Path(env["MERPATI_STATE_DIR"]).is_dir()
    assert env["MERPATI_DNS_FORWARDER"].startswith("127.0.0.1@")


def test_programs_of_one_stack_share_endpoints(stack):
    mda = child_env(stack.start("mda", argv=STANDIN))
    smtp = child_env(stack.start("smtp-in", argv=STANDIN))
    webmail = child_env(stack.start("webmail", argv=STANDIN))
    assert smtp["MERPATI_MDA_ENDPOINT"] == mda["MERPATI_MDA_ENDPOINT"] == \
        webmail["MERPATI_MDA_ENDPOINT"]
    assert mda["MERPATI_MDA_BIND"] == mda["MERPATI_MDA_ENDPOINT"]
    assert mda["MERPATI_MDA_ENDPOINT"].startswith("tcp://127.0.0.1:")
    endpoints = {mda[v] for v in ["MERPATI_MDA_ENDPOINT", "MERPATI_SMTP_OUT_ENDPOINT",
                                  "MERPATI_RESOLVER_ENDPOINT", "MERPATI_EVENTS_PUB",
                                  "MERPATI_EVENTS_SUB"]}
    assert len(endpoints) == 5
    admins = {mda["MERPATI_ADMIN_LISTEN"], smtp["MERPATI_ADMIN_LISTEN"],
              webmail["MERPATI_ADMIN_LISTEN"]}
    assert len(admins) == 3


def test_two_instances_of_one_program(stack):
    a = stack.start("smtp-in", argv=STANDIN)
    b = stack.start("smtp-in", name="smtp-in-2", argv=STANDIN)
    assert a.port("MERPATI_SMTP_LISTEN") != b.port("MERPATI_SMTP_LISTEN")
    assert a.log_path != b.log_path
    assert accepts(a.port("MERPATI_SMTP_LISTEN")) and accepts(b.port("MERPATI_SMTP_LISTEN"))


def test_start_returns_only_when_healthz_answers(stack):
    t0 = time.monotonic()
    proc = stack.start("bus", argv=STANDIN, env={"STANDIN_DELAY": "1.5"})
    assert time.monotonic() - t0 >= 1.5
    assert get(proc.admin_port, "/healthz")[0] == 200


def test_ready_ports_waits_for_listeners(stack):
    proc = stack.start("pop3", argv=STANDIN, env={"STANDIN_DELAY": "1"}, ready="ports")
    assert accepts(proc.port("MERPATI_POP3_LISTEN"))
    assert accepts(proc.port("MERPATI_POP3S_LISTEN"))


def test_program_dying_at_start_is_reported_with_its_log(stack):
    with pytest.raises(Exception) as err:
        stack.start("mda", argv=STANDIN, env={"STANDIN_EXIT": "2",
                                              "STANDIN_SAY": "bad MERPATI_MDA_ENDPOINT"})
    assert "status 2" in str(err.value)
    assert "bad MERPATI_MDA_ENDPOINT" in str(err.value)


def test_program_never_ready_times_out(stack):
    t0 = time.monotonic()
    with pytest.raises(Exception) as err:
        stack.start("imap", argv=STANDIN, env={"STANDIN_DELAY": "30"}, timeout=1)
    assert time.monotonic() - t0 < 10
    assert "not ready" in str(err.value)


def test_kill_then_restart_keeps_ports_and_log(stack):
    proc = stack.start("smtp-in", argv=STANDIN)
    ports = {v: proc.port(v) for v in ["MERPATI_SMTP_LISTEN", "MERPATI_ADMIN_LISTEN"]}
    first_pid = proc.pid
    assert stack.kill("smtp-in") == -signal.SIGKILL
    assert not accepts(ports["MERPATI_ADMIN_LISTEN"])
    proc = stack.restart("smtp-in")
    assert proc.pid != first_pid
    assert {v: proc.port(v) for v in ports} == ports
    assert get(ports["MERPATI_ADMIN_LISTEN"], "/healthz")[0] == 200
    assert proc.log().count("standin event=start") == 2


def test_wait_log_sees_later_lines_and_times_out(stack):
    proc = stack.start("mda", argv=STANDIN, ready=None, env={"STANDIN_DELAY": "0.5"})
    proc.wait_log("standin event=ready", timeout=10)
    with pytest.raises(Exception) as err:
        proc.wait_log("a line never written", timeout=0.5)
    assert "not in its log" in str(err.value)


def test_stop_sends_sigterm(stack):
    stack.start("dns-resolver", argv=STANDIN)
    assert stack.stop("dns-resolver") == 0
    assert "standin event=stop" in stack["dns-resolver"].log()


def test_test_env_overrides_and_outer_merpati_vars_stay_out(stack, monkeypatch):
    monkeypatch.setenv("MERPATI_SMTP_OUT_PORT", "2999")
    proc = stack.start("smtp-in", argv=STANDIN, plaintext_auth="always",
                       env={"MERPATI_HOSTNAME": "mx.example.test",
                            "MERPATI_DNS_FORWARDER": "127.0.0.1@5399"})
    env = child_env(proc)
    assert env["MERPATI_PLAINTEXT_AUTH"] == "always"
    assert env["MERPATI_HOSTNAME"] == "mx.example.test"
    assert env["MERPATI_DNS_FORWARDER"] == "127.0.0.1@5399"
    assert "MERPATI_SMTP_OUT_PORT" not in env


def test_merpati_cli_gets_the_stack_database_and_stdin(stack, pg, tmp_path):
    cli = tmp_path / "merpati"
    cli.write_text(f'#!/bin/sh\nexec {STANDIN[0]} {STANDIN[1]} --cli "$@"\n')
    cli.chmod(0o755)
    stack.cli = str(cli)
    out = stack.merpati("user", "add", "a@example.test", input="pw\n")
    assert out.returncode == 4
    got = json.loads(out.stdout)
    assert got == {"args": ["user", "add", "a@example.test"], "stdin": "pw\n",
                   "db": pg.env["MERPATI_DB"]}


INNER_TESTS = '''
import sys
STANDIN = {standin!r}

def test_fails(stack):
    stack.start("smtp-in", argv=STANDIN, env={{"STANDIN_SAY": "marker-of-the-failing-test"}})
    assert False, "on purpose"

def test_passes(stack):
    stack.start("mda", argv=STANDIN, env={{"STANDIN_SAY": "marker-of-the-passing-test"}})

def test_sanitizer_report(stack):
    stack.start("imap", argv=STANDIN,
                env={{"STANDIN_SAY": "==1==ERROR: AddressSanitizer: heap-use-after-free"}})

def test_dies_unseen(stack):
    import time
    stack.start("pop3", argv=STANDIN, env={{"STANDIN_DIE_AFTER": "0.2"}})
    time.sleep(1)

def test_killed_on_purpose(stack):
    stack.start("bus", argv=STANDIN)
    stack.kill("bus")
'''


def test_failing_test_prints_logs_and_sanitizer_reports_fail(tmp_path):
    """Runs an inner pytest session that uses the harness; reads what it reported."""
    (tmp_path / "test_inner.py").write_text(INNER_TESTS.format(standin=STANDIN))
    (tmp_path / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(HERE)!r})\n"
        "pytest_plugins = ['harness.pg', 'harness.stack']\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                          "-o", "junit_family=xunit2", str(tmp_path / "test_inner.py")],
                         capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    report = out.stdout + out.stderr
    assert out.returncode == 1, report
    # a test with a teardown error counts as passed and as an error
    assert "1 failed, 4 passed, 2 errors" in report, report
    assert "exited during the test: pop3 (status 3)" in report
    assert "merpati log: smtp-in" in report
    assert "marker-of-the-failing-test" in report
    assert "marker-of-the-passing-test" not in report
    assert "sanitizer report in the log of: imap" in report
    assert "heap-use-after-free" in report


# ---------------------------------------------------------------- the real programs

def built(program):
    from harness.stack import build_dir
    return (build_dir() / "services" / program / f"merpati-{program}").exists()


@pytest.mark.skipif(not built("bus"), reason="merpati-bus is not built yet")
def test_real_bus_becomes_healthy_and_stops_cleanly(stack):
    bus = stack.start("bus")
    assert get(bus.admin_port, "/healthz")[0] == 200
    assert stack.stop("bus") == 0


@pytest.mark.skipif(not built("smtp-in"), reason="merpati-smtp-in is not built yet")
def test_real_smtp_in_greets(stack):
    smtp = stack.start("smtp-in", plaintext_auth="always")
    with socket.create_connection(smtp.listen("MERPATI_SMTP_LISTEN"), timeout=10) as s:
        assert s.recv(512).startswith(b"220 ")
    assert stack.stop("smtp-in") == 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--cli"]:
        standin_cli()
    else:
        standin_main()
