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


# --- mbsync (isync) ---------------------------------------------------------------------

def fill_account(stack, imap, addr):
    """fill_account - INBOX over SMTP, Work and Lists over APPEND, attachments in both; the
    appended bytes by folder"""
    send_smtp(stack, addr, [build_message(1, "plain one"),
                            build_message(2, "with attachment", attachment=os.urandom(3000)),
                            build_message(3, "plain three")])
    c = login(imap, addr)
    wait_for("three deliveries", lambda: folder_count(c, "INBOX") == 3)
    appended = {"Work": [build_message(4, "work one"),
                         build_message(5, "work attachment", attachment=bytes(range(256)))],
                "Lists": [build_message(6, "list post")]}
    for folder, raws in appended.items():
        assert c.create(folder)[0] == "OK"
        for raw in raws:
            assert c.append(folder, None, None, raw)[0] == "OK"
    c.logout()
    return appended


def maildir_messages(path):
    """maildir_messages - {Message-ID: (bytes, maildir flags)} of a Maildir folder"""
    out = {}
    for sub in ("new", "cur"):
        d = path / sub
        for name in (os.listdir(d) if d.is_dir() else []):
            raw = (d / name).read_bytes()
            out[message_id(raw)] = (raw, name.split(":2,", 1)[1] if ":2," in name else "")
    return out


class Mbsync:
    """Mbsync - an mbsync configuration for one account, synced to a Maildir tree"""

    def __init__(self, tmp_path, imap, addr):
        self.home = tmp_path / "mbsync"
        self.maildir = self.home / "Mail"
        self.maildir.mkdir(parents=True)
        self.rc = self.home / "mbsyncrc"
        self.imap, self.addr = imap, addr
        # the server's self-signed certificate is the one trusted certificate
        self.cert = (tmp_path / "stack" / "imap" / "state" / "tls" / "cert.pem")

    def write(self, tls):
        port = self.imap.port("MERPATI_IMAPS_LISTEN" if tls == "IMAPS"
                              else "MERPATI_IMAP_LISTEN")
        self.rc.write_text(f"""IMAPAccount merpati
Host 127.0.0.1
Port {port}
User {self.addr}
Pass {PASSWORD}
SSLType {tls}
SystemCertificates no
CertificateFile {self.cert}

IMAPStore remote
Account merpati

MaildirStore local
Path {self.maildir}/
Inbox {self.maildir}/INBOX
SubFolders Verbatim

Channel merpati
Far :remote:
Near :local:
Patterns *
Create Near
Expunge Both
SyncState *
Sync All
""")

    def run(self, tls="IMAPS"):
        """run - one `mbsync -a`; its output with the IMAP commands it sent (-Dn, lines
        ">>> tag command"), and the run must succeed"""
        self.write(tls)
        r = subprocess.run([MBSYNC, "-c", str(self.rc), "-V", "-Dn", "-a"], capture_output=True,
                           text=True, timeout=DEADLINE, env=dict(os.environ, HOME=str(self.home)))
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout + r.stderr


def crlf_to_lf(raw):
    return raw.replace(b"\r\n", b"\n")


def without_tuid(local):
    """without_tuid - a Maildir copy without the one X-TUID line mbsync adds to the header
    of every message it copies (its way to find copies again, see mbsync(1))"""
    head, sep, body = local.partition(b"\n\n")
    lines = head.split(b"\n")
    tuids = [l for l in lines if re.fullmatch(rb"X-TUID: [A-Za-z0-9+/]{12}", l)]
    assert len(tuids) == 1, head
    lines.remove(tuids[0])
    return b"\n".join(lines) + sep + body


@pytest.mark.skipif(MBSYNC is None, reason="mbsync is not installed (isync, make deps)")
def test_mbsync_sync_flags_expunge_and_nothing_new(stack, mail, tmp_path):
    addr = new_account(stack)
    appended = fill_account(stack, mail, addr)
    sync = Mbsync(tmp_path, mail, addr)
    log = sync.run("IMAPS")
    assert "BODY.PEEK[]" in log, log        # the -Dn output shows the commands sent
    c = login(mail, addr)
    # every message of every folder arrives as the server holds it; mbsync stores a Maildir
    # with LF line ends and adds its X-TUID line, so those are the differences allowed
    for folder in ("INBOX", "Work", "Lists"):
        server = server_messages(c, folder)
        local = maildir_messages(sync.maildir / folder)
        assert sorted(local) == sorted(server), (folder, log)
        for mid, (raw, _flags) in server.items():
            assert without_tuid(local[mid][0]) == crlf_to_lf(raw), (folder, mid)
    for folder, raws in appended.items():
        server = server_messages(c, folder)
        assert sorted(raw for raw, _ in server.values()) == sorted(raws)
    # flags changed locally (Maildir info ":2,FS": flagged, seen) are pushed, over STARTTLS
    inbox = sync.maildir / "INBOX"
    first = sorted((inbox / "new").iterdir()) + sorted((inbox / "cur").iterdir())
    target = first[0]
    mid = message_id(target.read_bytes())
    target.rename(inbox / "cur" / (target.name.split(":2,")[0] + ":2,FS"))
    # and a message written locally (a draft, answered) is appended to the server
    local_new = crlf_to_lf(build_message(7, "written locally", attachment=os.urandom(500)))
    (sync.maildir / "Drafts" / "cur" / f"{time.time_ns()}.local.test:2,DR").write_bytes(local_new)
    log = sync.run("STARTTLS")
    assert {b"\\Seen", b"\\Flagged"} <= server_messages(c, "INBOX")[mid][1], log
    drafts = server_messages(c, "Drafts")
    assert list(drafts) == [message_id(local_new)], log
    raw, flags = drafts[message_id(local_new)]
    assert {b"\\Draft", b"\\Answered"} <= flags, flags
    assert without_tuid(crlf_to_lf(raw)) == local_new     # mbsync's X-TUID travels along
    # deleted and expunged on the server: gone locally after the next sync
    gone = next(mid for mid, (raw, _) in server_messages(c, "Work").items()
                if b"Subject: work attachment" in raw)
    assert c.select('"Work"')[0] == "OK"
    typ, data = c.search(None, "SUBJECT", '"work attachment"')
    assert typ == "OK" and len(data[0].split()) == 1, data
    assert c.store(data[0].decode(), "+FLAGS", "(\\Deleted)")[0] == "OK"
    assert c.expunge()[0] == "OK"
    c.close()
    before = set(maildir_messages(sync.maildir / "Work"))
    log = sync.run("IMAPS")
    after = set(maildir_messages(sync.maildir / "Work"))
    assert before - after == {gone}, log
    # a second run with nothing changed transfers nothing (mbsync's sync state): no body
    # fetched, nothing appended or stored, the Maildir files as they were
    files = maildir_files(sync.maildir)
    log = sync.run("IMAPS")
    sent = [l for l in log.splitlines() if l.startswith(">>> ")]
    assert sent and not [l for l in sent if "BODY" in l or "APPEND" in l or "STORE" in l], log
    assert maildir_files(sync.maildir) == files
    c.logout()


def maildir_files(root):
    """maildir_files - {path: bytes} of every message file under a Maildir tree"""
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.parent.name in ("new", "cur")}


# --- offlineimap3 -----------------------------------------------------------------------

def server_cert(tmp_path):
    """server_cert - the PEM of the self-signed certificate merpati-imap made at start"""
    return tmp_path / "stack" / "imap" / "state" / "tls" / "cert.pem"


def cert_sha256(pem_path):
    """cert_sha256 - the SHA-256 fingerprint of a PEM certificate, in hex"""
    import hashlib
    der = ssl.PEM_cert_to_DER_cert(pem_path.read_text())
    return hashlib.sha256(der).hexdigest()


@pytest.mark.skipif(OFFLINEIMAP is None, reason="offlineimap is not installed (make deps)")
def test_offlineimap_one_shot_sync(stack, mail, tmp_path):
    addr = new_account(stack)
    appended = fill_account(stack, mail, addr)
    home = tmp_path / "offlineimap"
    maildir = home / "Mail"
    maildir.mkdir(parents=True)
    rc = home / "offlineimaprc"
    # the self-signed certificate is pinned by its fingerprint (no CA to verify it against)
    rc.write_text(f"""[general]
accounts = merpati
metadata = {home}/meta
ui = basic

[Account merpati]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = {maildir}

[Repository remote]
type = IMAP
remotehost = 127.0.0.1
remoteport = {mail.port("MERPATI_IMAPS_LISTEN")}
remoteuser = {addr}
remotepass = {PASSWORD}
ssl = yes
cert_fingerprint = {cert_sha256(server_cert(tmp_path))}
tls_level = tls_secure
ssl_version = tls1_2
""")
    log = run_offlineimap(rc, home)
    c = login(mail, addr)
    # offlineimap writes the bytes as fetched, with LF line ends, and adds no header
    for folder in ("INBOX", "Work", "Lists"):
        server = server_messages(c, folder)
        local = maildir_messages(maildir / folder)
        assert sorted(local) == sorted(server), (folder, log)
        for mid, (raw, _flags) in server.items():
            assert local[mid][0] == crlf_to_lf(raw), (folder, mid)
    for folder, raws in appended.items():
        assert sorted(raw for raw, _ in server_messages(c, folder).values()) == sorted(raws)
    # a second run takes local changes to the server: a flag set, a message deleted
    (only,) = [p for sub in ("new", "cur") for p in (maildir / "Lists" / sub).iterdir()]
    only.rename(maildir / "Lists" / "cur" / (only.name.split(":2,")[0] + ":2,FS"))
    work = maildir_messages(maildir / "Work")
    doomed = next(mid for mid, (raw, _) in work.items() if b"Subject: work one" in raw)
    for sub in ("new", "cur"):
        for p in (maildir / "Work" / sub).iterdir():
            if message_id(p.read_bytes()) == doomed:
                p.unlink()
    log = run_offlineimap(rc, home)
    (flags,) = [f for _, f in server_messages(c, "Lists").values()]
    assert {b"\\Seen", b"\\Flagged"} <= flags, log
    assert doomed not in server_messages(c, "Work"), log
    assert len(server_messages(c, "Work")) == 1, log
    c.logout()


def run_offlineimap(rc, home):
    """run_offlineimap - one offlineimap run; its output (the run must succeed)"""
    r = subprocess.run([OFFLINEIMAP, "-c", str(rc), "-o", "-u", "basic"], capture_output=True,
                       text=True, timeout=DEADLINE, env=dict(os.environ, HOME=str(home)))
    log = r.stdout + r.stderr
    assert r.returncode == 0, log
    assert "ERROR" not in log, log
    return log


# --- neomutt ----------------------------------------------------------------------------

def run_in_pty(argv, env, timeout):
    """run_in_pty - run a full-screen program on a pseudo-terminal of 80x24 (neomutt will
    not start without one); (exit status, what it drew)"""
    import fcntl
    import pty
    import select
    import struct
    import termios
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out, end = b"", time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise AssertionError(f"{argv[0]} did not finish: {out[-2000:]!r}")
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:         # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                break
            out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


@pytest.mark.skipif(NEOMUTT is None, reason="neomutt is not installed (make deps)")
def test_neomutt_reads_folder_and_pipes_messages(stack, mail, tmp_path):
    addr = new_account(stack)
    fill_account(stack, mail, addr)
    home = tmp_path / "neomutt"
    home.mkdir()
    out = home / "piped"
    rc = home / "neomuttrc"
    # certificate_file holds the certificates neomutt trusts: the server's own
    url = f"imaps://127.0.0.1:{mail.port('MERPATI_IMAPS_LISTEN')}"
    # folder and spoolfile on the server: no local ~/Mail to offer to create; no editor
    rc.write_text(f"""set folder = "{url}"
set spoolfile = "+INBOX"
set record = ""
set postponed = ""
set editor = "/bin/false"
set imap_user = "{addr}"
set imap_pass = "{PASSWORD}"
set certificate_file = "{server_cert(tmp_path)}"
set ssl_verify_host = no
set ssl_force_tls = yes
set header_cache = ""
set message_cachedir = ""
set wait_key = no
set pipe_decode = no
set quit = yes
set mark_old = no
set move = no
""")
    pipe = f"<pipe-message>cat >> {out}<enter>"
    keys = f"{pipe}<next-entry>{pipe}<quit>"   # both messages of Work, one after the other
    code, screen = run_in_pty([NEOMUTT, "-n", "-F", str(rc), "-f", "=Work", "-e", f"push '{keys}'"],
                              dict(os.environ, HOME=str(home), TERM="xterm"), DEADLINE)
    assert code == 0, screen[-2000:]
    assert b"work one" in screen and b"work attachment" in screen   # the index lines
    c = login(mail, addr)
    piped = out.read_bytes()
    work = [crlf_to_lf(raw) for raw, _flags in server_messages(c, "Work").values()]
    assert len(piped) == sum(len(raw) for raw in work), piped[:2000]
    for raw in work:
        assert raw in piped, piped[:2000]
    c.logout()
