"""test_smtp_support - accounts, a running smtp-in, raw SMTP and queue checks for the smtp-in
integration tests (test_smtp_in.py, test_smtp_limits.py). Holds no tests itself.

Accounts are made with the `merpati` CLI in DOMAIN: alice and bob with PASSWORD, and the
alias sales@ -> alice@. Messages that smtp-in accepted are read back from queue_in,
queue_in_rcpt and messages in PostgreSQL.
"""
import base64
import os
import socket
import ssl
import time

DOMAIN = "smtp.example.test"
ALICE = f"alice@{DOMAIN}"
BOB = f"bob@{DOMAIN}"
SALES = f"sales@{DOMAIN}"
PASSWORD = "smtp-Secret-pw1"


def setup_accounts(stack):
    """setup_accounts - DOMAIN with alice, bob and sales@ -> alice (idempotent)"""
    stack.merpati("domain", "add", DOMAIN)
    for who in (ALICE, BOB):
        r = stack.merpati("user", "add", who, "--password-stdin", input=PASSWORD + "\n")
        assert r.returncode == 0 or "exist" in (r.stdout + r.stderr).lower(), r.stderr
    stack.merpati("alias", "add", SALES, ALICE)


def start_smtp(stack, **env):
    """start_smtp - smtp-in with short test timeouts; env entries override (strings)"""
    setup_accounts(stack)
    base = {
        "MERPATI_HOSTNAME": "mx.smtp.example.test",
        "MERPATI_SMTP_MAX_MESSAGE_SIZE": "1M",
        "MERPATI_SMTP_AUTH_FAIL_DELAY": "1s",
        "MERPATI_SMTP_TIMEOUT": "20s",
    }
    base.update({k: str(v) for k, v in env.items()})
    plaintext = base.pop("MERPATI_PLAINTEXT_AUTH", "never")
    name = base.pop("name", "smtp-in")
    # every test connects from 127.0.0.1, and failed AUTHs are counted in the store for
    # every replica: one test's failures must not lock out the next test
    stack.pg.psql("DELETE FROM auth_failures")
    return stack.start("smtp-in", name=name, env=base, plaintext_auth=plaintext)


def port(proc, which="mx"):
    """port - the loopback port of a listener: mx, submission or submissions"""
    var = {"mx": "MERPATI_SMTP_LISTEN", "submission": "MERPATI_SUBMISSION_LISTEN",
           "submissions": "MERPATI_SUBMISSIONS_LISTEN"}[which]
    return proc.port(var)


def plain_b64(user, password):
    """plain_b64 - the SASL PLAIN initial response (RFC 4616)"""
    return base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()


def client_tls_context():
    """client_tls_context - accepts smtp-in's self-signed certificate"""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Raw:
    """Raw - a raw SMTP connection: send exact bytes, read whole replies."""

    def __init__(self, port, timeout=10.0, tls=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:
            self.sock = client_tls_context().wrap_socket(self.sock)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def line(self):
        """line - one reply line without CRLF; b"" at EOF"""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                rest, self.buf = self.buf, b""
                return rest
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        """reply - (code, text of every line joined by \\n) of one possibly multiline reply"""
        lines = []
        while True:
            line = self.line()
            if not line:
                return (0, "\n".join(lines))
            lines.append(line[4:].decode("utf-8", "replace"))
            if line[3:4] != b"-":
                return (int(line[:3]), "\n".join(lines))

    def cmd(self, text):
        """cmd - send one command line, return its reply"""
        self.send(text + "\r\n")
        return self.reply()

    def eof(self, timeout=5.0):
        """eof - True when the server closes (after any unread replies)"""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, ssl.SSLError):
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def queued_id(text):
    """queued_id - the queue_in id from "Ok: queued as N" """
    assert "queued as " in text, text
    return int(text.rsplit("queued as ", 1)[1].split()[0])


def job(pg, job_id):
    """job - the queue_in row as a dict (None when absent)"""
    out = pg.psql(f"SELECT sender, client_ip, helo, coalesce(auth_account_id, 0), listener, "
                  f"coalesce(dsn_ret, ''), coalesce(dsn_envid, ''), size "
                  f"FROM queue_in WHERE id = {int(job_id)}")
    if not out:
        return None
    keys = ("sender", "client_ip", "helo", "auth_account_id", "listener", "ret", "envid", "size")
    return dict(zip(keys, out.split("|")))


def rcpts(pg, job_id):
    """rcpts - [(address, orcpt, notify)] of a job in order"""
    out = pg.psql(f"SELECT address, coalesce(orcpt, ''), notify FROM queue_in_rcpt "
                  f"WHERE job_id = {int(job_id)} ORDER BY position")
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def raw_message(pg, job_id):
    """raw_message - the stored bytes of a job's message"""
    hexed = pg.psql(f"SELECT encode(m.raw, 'hex') FROM queue_in q JOIN messages m "
                    f"ON m.sha256 = q.sha256 WHERE q.id = {int(job_id)}")
    return bytes.fromhex(hexed)


def count_with(pg, marker):
    """count_with - how many queued messages contain marker (bytes-safe)"""
    hexed = marker.encode().hex()
    return int(pg.psql(f"SELECT count(*) FROM queue_in q JOIN messages m ON m.sha256 = q.sha256 "
                       f"WHERE position('\\x{hexed}'::bytea in m.raw) > 0"))


def account_id(pg, address):
    return int(pg.psql(f"SELECT id FROM accounts WHERE address = '{address}'"))


def unique(tag):
    """unique - a marker no other test's message holds"""
    return f"{tag}-{os.getpid()}-{time.monotonic_ns()}"


def message(marker, sender=ALICE, to=BOB, body="hello\r\n"):
    """message - a small RFC 5322 message carrying marker in its Subject"""
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {marker}\r\n"
            f"Message-ID: <{marker}@test>\r\n\r\n{body}")
