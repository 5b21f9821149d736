"""Replay the IMAP golden transcripts of tests/golden/imap (see its README) against a real
merpati-imap: every server line after the greeting must equal the .out file's line (or
match it, for lines starting with "~")."""
import re
import socket
from pathlib import Path

import pytest

from test_pop3_helpers import PASSWORD, new_account

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "imap"
CASES = sorted(p.stem for p in GOLDEN.glob("*.in"))


def read_lines(sock, buf, count_tag):
    """read_lines - lines until the one starting with count_tag"""
    lines = []
    while True:
        while b"\r\n" not in buf[0]:
            chunk = sock.recv(65536)
            assert chunk, lines
            buf[0] += chunk
        line, buf[0] = buf[0].split(b"\r\n", 1)
        lines.append(line.decode())
        if line.startswith(count_tag):
            return lines


@pytest.mark.parametrize("case", CASES)
def test_golden(stack, case):
    proc = stack.start("imap", env={"MERPATI_IMAP_AUTH_FAIL_DELAY": "0s"})
    addr = new_account(stack)
    sent = (GOLDEN / f"{case}.in").read_text().replace("{USER}", addr).replace("{PASS}", PASSWORD)
    want = (GOLDEN / f"{case}.out").read_text().splitlines()
    sock = socket.create_connection(("127.0.0.1", proc.port("MERPATI_IMAP_LISTEN")), timeout=10)
    buf = [b""]
    read_lines(sock, buf, b"* OK")
    got = []
    for line in sent.splitlines():
        sock.sendall(line.encode() + b"\r\n")
        got += read_lines(sock, buf, line.split(" ", 1)[0].encode() + b" ")
    sock.close()
    assert len(got) == len(want), "\n".join(got)
    for g, w in zip(got, want):
        if w.startswith("~"):
            assert re.fullmatch(w[1:], g), (g, w)
        else:
            assert g == w
