"""Real IMAP clients against merpati-imap: mbsync (isync) syncing folders to a Maildir over
IMAPS and STARTTLS, offlineimap3's one-shot sync, neomutt in batch mode, and two imaplib
sessions where one in IDLE sees what the other and SMTP deliveries do. Messages arrive
over real SMTP (merpati-smtp-in, merpati-mda) or are appended over IMAP.

Also: the server's sockets have Nagle's algorithm off, which the clients' latency relies on
(bench/imap/run measured 45-60 ms per FETCH, SEARCH and STORE with it on)."""
import ctypes
import email.message
import imaplib
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import time

import pytest

from test_pop3_helpers import PASSWORD, new_account

MBSYNC = shutil.which("mbsync")
OFFLINEIMAP = shutil.which("offlineimap")
NEOMUTT = shutil.which("neomutt")
DEADLINE = 120          # seconds to wait for a condition on a loaded machine
SYS_PIDFD_GETFD = 438   # x86_64 and aarch64 (Linux 5.6)


@pytest.fixture
def mail(stack):
    """mail - bus, imap, mda and smtp-in of one stack; returns the imap process"""
    stack.start("bus")
    imap = stack.start("imap", env={"MERPATI_IMAP_POLL_INTERVAL": "2s"})
    stack.start("mda", env={"MERPATI_MDA_POLL": "1s"})
    stack.start("smtp-in")
    return imap


def insecure():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def login(imap, address):
    c = imaplib.IMAP4("127.0.0.1", imap.port("MERPATI_IMAP_LISTEN"), timeout=DEADLINE)
    assert c.login(address, PASSWORD)[0] == "OK"
    return c


def build_message(n, subject, attachment=None):
    """build_message - CRLF bytes of a message, with a binary attachment when given"""
    m = email.message.EmailMessage()
    m["From"] = "Sender <sender@example.org>"
    m["To"] = "someone@example.test"
    m["Subject"] = subject
    m["Message-ID"] = f"<{n}.{os.getpid()}.{time.time_ns()}@example.org>"
    m.set_content(f"Body of message {n}.\nSecond line, with a tab\there.\n")
    if attachment is not None:
        m.add_attachment(attachment, maintype="application", subtype="octet-stream",
                         filename=f"data-{n}.bin")
    return m.as_bytes(policy=m.policy.clone(linesep="\r\n"))


def send_smtp(stack, address, raws):
    host, port = stack["smtp-in"].listen("MERPATI_SMTP_LISTEN")
    with smtplib.SMTP(host, port, timeout=DEADLINE) as s:
        for raw in raws:
            s.sendmail("sender@example.org", [address], raw)


def wait_for(what, condition):
    """wait_for - poll condition() until true; fail after DEADLINE seconds"""
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.2)


def folder_count(c, folder):
    typ, data = c.status(f'"{folder}"', "(MESSAGES)")
    assert typ == "OK", data
    return int(data[0].rsplit(b"MESSAGES ", 1)[1].rstrip(b")"))


def server_messages(c, folder):
    """server_messages - {Message-ID: (bytes of BODY[], set of flags)} of a folder, read
    without changing it"""
    assert c.select(f'"{folder}"', readonly=True)[0] == "OK"
    typ, data = c.uid("FETCH", "1:*", "(FLAGS)")
    assert typ == "OK", data
    flags = {}
    for item in data:
        if item:
            m = re.search(rb"UID (\d+)", item)
            f = re.search(rb"FLAGS \(([^)]*)\)", item)
            flags[int(m.group(1))] = set(f.group(1).split())
    typ, data = c.uid("FETCH", "1:*", "(BODY.PEEK[])")
    assert typ == "OK", data
    out = {}
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            out[message_id(item[1])] = (item[1], flags[uid])
    c.close()
    return out


def message_id(raw):
    for line in raw.split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip()
    raise AssertionError(raw[:200])


# --- Nagle off: replies are not held by the client's delayed ACK ----------------------

def server_socket_option(pid, local_port, level, option):
    """server_socket_option - getsockopt on the server's socket of our connection, taken
    from the process with pidfd_getfd(2) (the socket whose peer is local_port)"""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for row in f.readlines()[1:]:
                cols = row.split()
                if int(cols[2].rsplit(":", 1)[1], 16) == local_port:
                    inode = cols[9]
    assert inode is not None
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target == f"socket:[{inode}]":
            break
    else:
        raise AssertionError(f"no descriptor of {pid} holds socket {inode}")
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        copy = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(fd), 0)
        if copy < 0:
            pytest.skip(f"pidfd_getfd: {os.strerror(ctypes.get_errno())}")
        with socket.socket(fileno=copy) as s:
            return s.getsockopt(level, option)
    finally:
        os.close(pidfd)


def test_server_sockets_have_nagle_off(stack):
    """A FETCH answer is written as the data, then the tagged line: with Nagle on, the
    tagged line waits for the client's delayed ACK (RFC 1122 4.2.3.2)."""
    imap = stack.start("imap")
    with socket.create_connection(("127.0.0.1", imap.port("MERPATI_IMAP_LISTEN")),
                                  timeout=DEADLINE) as s:
        assert s.recv(4096).startswith(b"* OK")
        port = s.getsockname()[1]
        assert server_socket_option(imap.pid, port, socket.IPPROTO_TCP,
                                    socket.TCP_NODELAY) != 0


# --- two imaplib sessions: one in IDLE sees deliveries and the other's changes --------

class Idler:
    """Idler - an imaplib session held in IDLE (RFC 2177); imaplib 3.11 has no idle(), so
    the command goes through its socket helpers"""

    def __init__(self, imap, address):
        self.c = login(imap, address)
        assert self.c.select("INBOX")[0] == "OK"
        self.tag = self.c._new_tag()
        self.c.send(self.tag + b" IDLE\r\n")
        assert self.c.readline().startswith(b"+ ")

    def wait_line(self, wanted):
        """wait_line - untagged lines until one contains wanted; the lines read"""
        seen = []
        self.c.sock.settimeout(DEADLINE)
        while True:
            line = self.c.readline()
            assert line, f"connection closed; saw {seen}"
            seen.append(line)
            if wanted in line:
                return seen

    def done(self):
        self.c.send(b"DONE\r\n")
        lines = self.wait_line(self.tag + b" ")
        assert lines[-1].startswith(self.tag + b" OK"), lines
        self.c.logout()


def test_idle_session_sees_smtp_delivery_and_other_session(stack, mail):
    addr = new_account(stack)
    idler = Idler(mail, addr)
    other = login(mail, addr)
    assert other.select("INBOX")[0] == "OK"
    # a delivery over SMTP: the mda's MailboxEvent (or the poll) wakes the IDLE session
    send_smtp(stack, addr, [build_message(1, "over smtp")])
    idler.wait_line(b"* 1 EXISTS")
    # the other session appends and flags: the IDLE session hears both
    raw = build_message(2, "appended", attachment=bytes(range(256)) * 4)
    assert other.append("INBOX", None, None, raw)[0] == "OK"
    idler.wait_line(b"* 2 EXISTS")
    assert other.store("1", "+FLAGS", "(\\Flagged)")[0] == "OK"
    lines = idler.wait_line(b"FETCH")
    assert b"\\Flagged" in lines[-1], lines
    other.logout()
    idler.done()
