"""test_bus - the ZeroMQ bus, TLS certificates, the net layer and the admin port, with real
processes and real clients.

The programs here need no database, so they run without the `pg` fixture: `procs` starts them
on free loopback ports with their logs under tmp_path, shows the logs of a failing test, and
stops everything at the end. Helpers (bus-tool, net-echo, tls-probe) are built from
tests/integration/helpers_bus.
"""
import os
import signal
import socket
import ssl
import stat
import struct
import subprocess
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.stack import base_env, build_dir, free_port, http_status, port_accepts
from helpers_bus.procs import TIMEOUT, admin_env, curl, helper, metric, procs, wait_for  # noqa: F401

@pytest.fixture
def bus(procs):
    """bus - a running merpati-bus; yields (endpoints env, admin port)"""
    pub, sub = free_port(), free_port()
    admin, env = admin_env()
    env.update({
        "MERPATI_EVENTS_PUB": f"tcp://127.0.0.1:{pub}",
        "MERPATI_EVENTS_PUB_BIND": f"tcp://127.0.0.1:{pub}",
        "MERPATI_EVENTS_SUB": f"tcp://127.0.0.1:{sub}",
        "MERPATI_EVENTS_SUB_BIND": f"tcp://127.0.0.1:{sub}",
    })
    p = procs.start("bus", [str(build_dir() / "services" / "bus" / "merpati-bus")], env)
    wait_for(lambda: http_status(admin, "/healthz") == 200 or p.poll() is not None,
             what="merpati-bus /healthz")
    assert p.poll() is None, p.log()
    return env, admin, p


def start_tool(procs, name, args, env):
    """start_tool - bus-tool in a mode that serves /healthz once its socket is ready"""
    admin, aenv = admin_env()
    p = procs.start(name, [helper("bus-tool"), *args], dict(env, **aenv))
    wait_for(lambda: http_status(admin, "/healthz") == 200 or p.poll() is not None,
             what=f"{name} ready")
    return p


def lines(p, prefix):
    return [line for line in p.log().splitlines() if line.startswith(prefix)]


# ---------------------------------------------------------------- the bus

def test_events_cross_the_bus_between_processes(procs, bus):
    env, admin, _ = bus
    sub = start_tool(procs, "sub", ["sub", "7", "3"], env)
    start_tool(procs, "pub", ["pub", "7", "8"], env)
    assert sub.wait(TIMEOUT) == 0, sub.log()
    events = lines(sub, "event ")
    assert len(events) == 3
    modseqs = []
    for e in events:
        f = dict(kv.split("=") for kv in e.split()[1:])
        assert f["account"] == "7" and f["mailbox"] == "107" and f["kind"] == "1"
        modseqs.append(int(f["modseq"]))
    assert modseqs == sorted(set(modseqs))          # in order, none twice
    # account 8's events were published too, but the subscription filtered them out
    assert not any("account=8" in e for e in events)
    # a garbage body follows every good event: refused and counted, the subscriber went on
    malformed = int(lines(sub, "malformed=")[-1].split("=")[1])
    assert malformed >= 2
    code, body = curl(admin, "/metrics")
    assert code == 200
    assert metric(body, 'merpati_bus_forwarded_total{direction="events"}') >= 3
    assert metric(body, 'merpati_bus_forwarded_total{direction="subscriptions"}') >= 1


def test_push_pull_kicks_and_malformed_bytes(procs):
    port = free_port()
    env = {"MERPATI_MDA_ENDPOINT": f"tcp://127.0.0.1:{port}",
           "MERPATI_MDA_BIND": f"tcp://127.0.0.1:{port}"}
    pull = start_tool(procs, "pull", ["pull", "3"], env)
    # a truncated varint and bytes with an impossible wire type between real kicks
    push = subprocess.run([helper("bus-tool"), "push", "11", "raw:0880", "raw:0fffffff",
                           "12", "13"], env=dict(base_env(), **env), timeout=TIMEOUT,
                          capture_output=True, text=True)
    assert push.returncode == 0, push.stderr
    assert pull.wait(TIMEOUT) == 0, pull.log()
    assert lines(pull, "kick ") == ["kick job=11 origin=bus-tool", "kick job=12 origin=bus-tool",
                                    "kick job=13 origin=bus-tool"]
    assert lines(pull, "malformed=") == ["malformed=2"]
    assert "event=bus_malformed" in pull.log()


def test_bus_survives_garbage_on_its_sockets(procs, bus):
    env, admin, p = bus
    for var in ("MERPATI_EVENTS_PUB", "MERPATI_EVENTS_SUB"):
        port = int(env[var].rsplit(":", 1)[1])
        for junk in (b"\xff" * 9 + b"\x7f" + b"garbage" * 100, b"GET / HTTP/1.0\r\n\r\n",
                     os.urandom(4096)):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(junk)
                time.sleep(0.05)
    assert p.poll() is None
    assert curl(admin, "/healthz") == (200, "ok\n")
    # and it still forwards
    sub = start_tool(procs, "sub", ["sub", "3", "2"], env)
    start_tool(procs, "pub", ["pub", "3"], env)
    assert sub.wait(TIMEOUT) == 0, sub.log()
    assert len(lines(sub, "event account=3 ")) == 2


def test_admin_port_answers_with_curl(procs, bus):
    _, admin, _ = bus
    assert curl(admin, "/healthz") == (200, "ok\n")
    code, body = curl(admin, "/metrics")
    assert code == 200
    assert "# TYPE merpati_bus_forwarded_total counter" in body
    assert curl(admin, "/nothing-here")[0] == 404
    head = subprocess.run(["curl", "-s", "-D", "-", "-o", "/dev/null",
                           f"http://127.0.0.1:{admin}/metrics"],
                          capture_output=True, text=True, timeout=10).stdout
    assert "text/plain; version=0.0.4" in head


# ---------------------------------------------------------------- TLS certificates

def probe(env):
    """probe - run tls-probe; its key=value output as a dict"""
    r = subprocess.run([helper("tls-probe")], env=dict(base_env(), **env),
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stdout + r.stderr
    return dict(kv.split("=", 1) for kv in r.stdout.split())


def test_selfsigned_created_then_reused(tmp_path):
    env = {"MERPATI_STATE_DIR": str(tmp_path / "state"), "MERPATI_HOSTNAME": "mx.example.test"}
    first = probe(env)
    cert, key = Path(first["cert"]), Path(first["key"])
    assert cert == tmp_path / "state" / "tls" / "cert.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    text = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-subject", "-ext",
                           "subjectAltName"], capture_output=True, text=True).stdout
    assert "CN = mx.example.test" in text and "DNS:mx.example.test" in text
    second = probe(env)
    assert second["sha256"] == first["sha256"]      # the same pair, not a new one


def test_selfsigned_concurrent_first_start(tmp_path):
    env = {"MERPATI_TLS_CERT": str(tmp_path / "a" / "b" / "cert.pem"),
           "MERPATI_TLS_KEY": str(tmp_path / "a" / "b" / "key.pem")}
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: probe(env), range(6)))
    assert len({r["sha256"] for r in results}) == 1  # one pair, every service loaded it
    leftovers = [p.name for p in (tmp_path / "a" / "b").iterdir() if ".tmp." in p.name]
    assert leftovers == []


def test_explicit_pair_is_used_as_is(tmp_path):
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                    "/CN=given.example.test", "-days", "2", "-keyout", str(key), "-out",
                    str(cert)], check=True, capture_output=True)
    before = cert.read_bytes()
    probe({"MERPATI_TLS_CERT": str(cert), "MERPATI_TLS_KEY": str(key)})
    assert cert.read_bytes() == before


def test_mismatched_pair_is_refused(tmp_path):
    a = probe({"MERPATI_STATE_DIR": str(tmp_path / "a")})
    b = probe({"MERPATI_STATE_DIR": str(tmp_path / "b")})
    r = subprocess.run([helper("tls-probe")], env=dict(base_env(), MERPATI_TLS_CERT=a["cert"],
                       MERPATI_TLS_KEY=b["key"]), capture_output=True, text=True)
    assert r.returncode == 1 and "cannot load the certificate" in r.stdout


# ---------------------------------------------------------------- the net layer

@pytest.fixture
def echo(procs, tmp_path):
    """echo - a factory: start net-echo with extra environment; returns its port"""
    def start(**extra):
        port = free_port()
        env = {"ECHO_LISTEN": f"127.0.0.1:{port}", "MERPATI_STATE_DIR": str(tmp_path / "st"),
               "MERPATI_ADMIN_LISTEN": f"127.0.0.1:{free_port()}"}
        env.update({k: str(v) for k, v in extra.items()})
        p = procs.start(f"echo{port}", [helper("net-echo")], env)
        wait_for(lambda: port_accepts(port) or p.poll() is not None, what="net-echo")
        assert p.poll() is None, p.log()
        return port, p
    return start


def client_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def readline(sock):
    """readline - one CRLF line, byte by byte so nothing after it is consumed"""
    buf = b""
    while not buf.endswith(b"\r\n"):
        c = sock.recv(1)
        if not c:
            return buf.decode() if buf else None
        buf += c
    return buf[:-2].decode()


def connect(port, timeout=5):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def closed_without_reply(s):
    """closed_without_reply - the server closed the connection and sent nothing"""
    try:
        return s.recv(100) == b""
    except ConnectionResetError:      # closed with our bytes unread: a reset, also closed
        return True


def quit_cleanly(port):
    """quit_cleanly - greeting, QUIT, EOF: the server has ended this connection"""
    with connect(port) as s:
        assert readline(s) == "200 ready"
        s.sendall(b"QUIT\r\n")
        assert readline(s) == "221 bye"
        assert s.recv(10) == b""


def test_plain_connection_peer_and_secure_policy(echo):
    port, _ = echo()
    with connect(port) as s:
        assert readline(s) == "200 ready"
        s.sendall(b"INFO\r\nhello\r\n")
        assert readline(s) == "250 peer=127.0.0.1 tls=0 secure=1"   # loopback counts
        assert readline(s) == "250 echo hello"
        s.sendall(b"QUIT\r\n")
        assert readline(s) == "221 bye"
        assert s.recv(10) == b""
    port, _ = echo(MERPATI_PLAINTEXT_AUTH="never")
    with connect(port) as s:
        readline(s)
        s.sendall(b"INFO\r\n")
        assert readline(s) == "250 peer=127.0.0.1 tls=0 secure=0"


def test_starttls_discards_plaintext_injected_before_handshake(echo):
    port, p = echo(ECHO_TLS="starttls", MERPATI_PLAINTEXT_AUTH="never")
    with connect(port) as raw:
        assert readline(raw) == "200 ready"
        raw.sendall(b"INFO\r\nSTARTTLS\r\nINJECTED\r\n")          # one packet (RFC 3207 5)
        assert readline(raw) == "250 peer=127.0.0.1 tls=0 secure=0"
        assert readline(raw) == "220 go ahead"
        s = client_ctx().wrap_socket(raw)
        s.sendall(b"after\r\n")
        f = s.makefile("rb")
        assert f.readline() == b"250 echo after\r\n"              # INJECTED never ran
        s.sendall(b"INFO\r\nSTARTTLS\r\n")
        assert f.readline() == b"250 peer=127.0.0.1 tls=1 secure=1\r\n"
        assert f.readline() == b"454 TLS not available\r\n"       # not twice
    wait_for(lambda: "event=starttls_discard bytes=10" in p.log(), what="discard logged")


def test_starttls_refused_without_certificate(echo):
    port, _ = echo()
    with connect(port) as s:
        readline(s)
        s.sendall(b"STARTTLS\r\nINFO\r\n")
        assert readline(s) == "454 TLS not available"
        assert readline(s) == "250 peer=127.0.0.1 tls=0 secure=1"


def test_implicit_tls_and_flush_on_close(echo):
    port, _ = echo(ECHO_TLS="implicit")
    with client_ctx().wrap_socket(connect(port)) as s:
        f = s.makefile("rb")
        assert f.readline() == b"200 ready\r\n"
        assert s.version() in ("TLSv1.2", "TLSv1.3")
        s.sendall(b"INFO\r\nBIG 3000000\r\n")
        assert f.readline() == b"250 peer=127.0.0.1 tls=1 secure=1\r\n"
        data = f.read()                                          # until the server closes
        assert data == b"x" * 3000000 + b"\r\n"


def test_plain_flush_on_close(echo):
    port, _ = echo()
    with connect(port, timeout=10) as s:
        readline(s)
        s.sendall(b"BIG 8000000\r\n")
        got = bytearray()
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            got += chunk
        assert len(got) == 8000002 and got.endswith(b"x\r\n")


def test_tls_1_1_refused(echo):
    port, _ = echo(ECHO_TLS="implicit")
    ctx = client_ctx()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)   # old versions, on purpose
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        with ctx.wrap_socket(connect(port)) as s:
            s.recv(10)


def proxy_v2(src, sport, dst, dport, local=False):
    body = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", sport, dport)
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    return sig + bytes([0x20 if local else 0x21, 0x11]) + struct.pack("!H", len(body)) + body


def test_proxy_header_gives_real_client(echo):
    port, _ = echo(ECHO_PROXY=1)
    with connect(port) as s:
        s.sendall(b"PROXY TCP4 192.0.2.7 127.0.0.1 5555 25\r\nINFO\r\n")
        assert readline(s) == "200 ready"
        assert readline(s) == "250 peer=192.0.2.7 tls=0 secure=0"  # not loopback any more
    with connect(port) as s:                                       # split header
        s.sendall(proxy_v2("198.51.100.9", 40000, "127.0.0.1", 25)[:7])
        time.sleep(0.2)
        s.sendall(proxy_v2("198.51.100.9", 40000, "127.0.0.1", 25)[7:] + b"INFO\r\n")
        assert readline(s) == "200 ready"
        assert readline(s) == "250 peer=198.51.100.9 tls=0 secure=0"
    with connect(port) as s:                                       # LOCAL: the socket's own
        s.sendall(proxy_v2("0.0.0.0", 0, "0.0.0.0", 0, local=True) + b"INFO\r\n")
        assert readline(s) == "200 ready"
        assert readline(s) == "250 peer=127.0.0.1 tls=0 secure=1"


def test_proxy_header_missing_or_bad_drops(echo):
    port, p = echo(ECHO_PROXY=1)
    for first in (b"EHLO client.example\r\n", b"PROXY TCP4 999.0.2.7 127.0.0.1 1 2\r\n",
                  b"PROXY " + b"1" * 200):
        with connect(port) as s:
            s.sendall(first)
            assert closed_without_reply(s)                          # no greeting
    wait_for(lambda: p.log().count("event=refused") >= 3, what="refusals logged")


def test_proxy_then_implicit_tls(echo):
    port, _ = echo(ECHO_PROXY=1, ECHO_TLS="implicit")
    raw = connect(port)
    raw.sendall(b"PROXY TCP6 2001:db8::7 ::1 4000 993\r\n")
    with client_ctx().wrap_socket(raw) as s:                        # ClientHello right after
        f = s.makefile("rb")
        assert f.readline() == b"200 ready\r\n"
        s.sendall(b"INFO\r\n")
        assert f.readline() == b"250 peer=2001:db8::7 tls=1 secure=1\r\n"


def test_per_ip_limit(echo):
    port, _ = echo(ECHO_MAX_PER_IP=2)
    quit_cleanly(port)              # the readiness probe's connection is surely gone now
    a, b = connect(port), connect(port)
    assert readline(a) == "200 ready" and readline(b) == "200 ready"
    with connect(port) as c:
        assert closed_without_reply(c)                              # third one refused
    a.sendall(b"QUIT\r\n")
    assert readline(a) == "221 bye" and a.recv(10) == b""
    a.close()
    with connect(port) as d:
        assert readline(d) == "200 ready"                           # a slot came back
    b.close()


def test_read_timeout_closes_idle_connection(echo):
    port, _ = echo(ECHO_READ_TIMEOUT=1)
    with connect(port, timeout=10) as s:
        assert readline(s) == "200 ready"
        start = time.monotonic()
        assert s.recv(100) == b""
        assert 0.5 < time.monotonic() - start < 5


def cpu_seconds(pid):
    """cpu_seconds - user + system CPU time of a process, from /proc"""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_out_of_descriptors_then_recovers(procs, tmp_path):
    port = free_port()
    env = {"ECHO_LISTEN": f"127.0.0.1:{port}", "MERPATI_ADMIN_LISTEN": f"127.0.0.1:{free_port()}"}
    p = procs.start("echo", ["prlimit", "--nofile=24:24", helper("net-echo")], env)
    wait_for(lambda: port_accepts(port) or p.poll() is not None, what="net-echo")
    clients = []
    for _ in range(40):                       # more than the server has descriptors for
        clients.append(connect(port))
    wait_for(lambda: "event=accept_error" in p.log(), what="accept error logged")
    # the backlog stays readable while descriptors are out: the listener must pause, not spin
    busy = cpu_seconds(p.pid)
    time.sleep(1.0)
    assert cpu_seconds(p.pid) - busy < 0.3
    for c in clients:
        c.close()
    assert p.poll() is None
    def greets():
        try:
            with connect(port, timeout=2) as s:
                return readline(s) == "200 ready"
        except OSError:
            return False
    wait_for(greets, what="accepting again")


def net_client(port, mode, *extra):
    """net_client - run lib/net's outgoing side against net-echo; (status, lines)"""
    r = subprocess.run([helper("net-client"), "127.0.0.1", str(port), mode, *extra],
                       capture_output=True, text=True, timeout=TIMEOUT)
    return r.returncode, [line for line in r.stdout.splitlines()]


def test_outgoing_plain_and_starttls(echo):
    port, _ = echo(ECHO_TLS="starttls")
    rc, out = net_client(port, "none")
    assert rc == 0 and "250 peer=127.0.0.1 tls=0 secure=1" in out
    rc, out = net_client(port, "opportunistic")
    assert rc == 0, out
    assert out[:3] == ["200 ready", "220 go ahead", "tls=ok"]
    assert "250 peer=127.0.0.1 tls=1 secure=1" in out and "221 bye" in out
    assert out[-1] == "closed reason=1"        # the server's close reads as a clean EOF


def test_outgoing_verify_refuses_self_signed(echo):
    port, _ = echo(ECHO_TLS="starttls")
    rc, out = net_client(port, "verify", "mx.example.test")
    assert rc == 1 and "tls=failed" in out
    assert not any(line.startswith("250 peer") for line in out)   # nothing sent after


def test_outgoing_connect_refused():
    port = free_port()                          # nobody listens there
    rc, out = net_client(port, "none")
    assert rc == 1 and out[0].startswith("connect=failed")


def test_ipv6_listener(procs):
    port = free_port()
    env = {"ECHO_LISTEN": f"[::1]:{port}", "MERPATI_ADMIN_LISTEN": f"127.0.0.1:{free_port()}"}
    p = procs.start("echo6", [helper("net-echo")], env)

    def up():
        try:
            socket.create_connection(("::1", port), timeout=1).close()
            return True
        except OSError:
            return p.poll() is not None
    wait_for(up, what="net-echo on ::1")
    with socket.create_connection(("::1", port), timeout=5) as s:
        assert readline(s) == "200 ready"
        s.sendall(b"INFO\r\n")
        assert readline(s) == "250 peer=::1 tls=0 secure=1"      # ::1 is loopback too
