"""merpati-imap's memory per idle connection: many clients each logged in, with INBOX
selected and in IDLE (RFC 2177), measured as the growth of the process's resident set.
The goal is at most 64 KB per idle connection; the measured number is printed.

Each login costs an argon2id check, so the suite opens 250 connections; set
MERPATI_IMAP_IDLE_CONNECTIONS=1000 for the full measurement."""
import os
import socket
import time

from test_pop3_helpers import PASSWORD, new_account

CONNECTIONS = int(os.environ.get("MERPATI_IMAP_IDLE_CONNECTIONS", "250"))
GOAL_KIB = 64


def rss_kib(pid):
    """rss_kib - VmRSS of a process, in KiB"""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def under_asan(pid):
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()


def read_until(sock, marker, timeout=240):
    buf = b""
    end = time.monotonic() + timeout
    while marker not in buf:
        assert time.monotonic() < end, buf
        chunk = sock.recv(65536)
        assert chunk, buf
        buf += chunk
    return buf


def test_thousand_idle_connections(stack):
    proc = stack.start("imap", env={"MERPATI_IMAP_MAX_PER_IP": str(CONNECTIONS + 10),
                                    "MERPATI_IMAP_MAX_PER_USER": str(CONNECTIONS + 10),
                                    "MERPATI_IMAP_STORE_THREADS": "4"})
    addr = new_account(stack)
    port = proc.port("MERPATI_IMAP_LISTEN")
    # one warm-up session so one-time allocations (pool, TLS, libpq) are not counted
    warm = socket.create_connection(("127.0.0.1", port), timeout=240)
    read_until(warm, b"\r\n")
    warm.sendall(f"w LOGIN {addr} {PASSWORD}\r\nx SELECT INBOX\r\ny IDLE\r\n".encode())
    read_until(warm, b"+ idling")
    time.sleep(0.5)
    before = rss_kib(proc.pid)
    socks = []
    for i in range(CONNECTIONS):
        s = socket.create_connection(("127.0.0.1", port), timeout=240)
        read_until(s, b"\r\n")
        s.sendall(f"a LOGIN {addr} {PASSWORD}\r\nb SELECT INBOX\r\nc IDLE\r\n".encode())
        socks.append(s)
    for s in socks:
        read_until(s, b"+ idling")
    time.sleep(1)
    after = rss_kib(proc.pid)
    per_conn = (after - before) / CONNECTIONS
    print(f"imap RSS: {before} KiB with one idle session, {after} KiB with {CONNECTIONS} more: "
          f"{per_conn:.1f} KiB per idle connection (goal {GOAL_KIB})")
    # every one is still alive and answers DONE
    for s in socks[:20]:
        s.sendall(b"DONE\r\n")
        assert b"c OK IDLE terminated" in read_until(s, b"c OK")
    for s in socks + [warm]:
        s.close()
    if not under_asan(proc.pid):
        assert per_conn <= GOAL_KIB, per_conn
