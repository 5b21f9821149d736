"""test_pop3_helpers - accounts, messages and raw connections for the pop3 integration tests.

Messages are put into an INBOX with SQL that does what the store's append does (uid and
modseq from the mailbox row, counts, the blob stored once by its SHA-256), so these tests
need no other service. An "IMAP-like" expunge is done the same way.
"""
import hashlib
import os
import socket
import ssl
import tempfile
import time

DOMAIN = "example.test"
PASSWORD = "pop3-Secret-pw"
_serial = [0]


def new_account(stack, name=None):
    """new_account - a fresh account (unique per call) in DOMAIN; returns its address"""
    _serial[0] += 1
    address = f"{name or 'user'}{_serial[0]}-{os.getpid()}@{DOMAIN}"
    stack.merpati("domain", "add", DOMAIN)  # fails harmlessly when it exists
    r = stack.merpati("user", "add", address, "--password-stdin", input=PASSWORD + "\n")
    assert r.returncode == 0, r.stdout + r.stderr
    return address


def _sql_literal(data):
    return "'\\x" + data.hex() + "'::bytea"


def deliver(pg, address, raw, trace=b""):
    """deliver - append raw (bytes) to address's INBOX; returns the new uid"""
    size = len(raw) + len(trace)
    mbox = (f"(SELECT m.id FROM mailboxes m JOIN accounts a ON a.id = m.account_id "
            f"WHERE a.address = '{address}' AND m.name = 'INBOX')")
    sql = f"""
INSERT INTO messages (sha256, raw, size) VALUES (sha256({_sql_literal(raw)}), {_sql_literal(raw)}, {len(raw)})
    ON CONFLICT DO NOTHING;
UPDATE mailboxes SET uidnext = uidnext + 1, highestmodseq = highestmodseq + 1,
    messages = messages + 1, unseen = unseen + 1, total_size = total_size + {size} WHERE id = {mbox};
INSERT INTO mailbox_messages (mailbox_id, uid, sha256, modseq, size, trace)
    SELECT id, uidnext - 1, sha256({_sql_literal(raw)}), highestmodseq, {size}, {_sql_literal(trace)}
    FROM mailboxes WHERE id = {mbox};
"""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(sql)
    try:
        os.chmod(f.name, 0o644)
        pg.psql_file(f.name)
    finally:
        os.unlink(f.name)
    return int(pg.psql(f"SELECT uidnext - 1 FROM mailboxes WHERE id = {mbox}"))


def expunge_like_imap(pg, address, uid):
    """expunge_like_imap - remove one message the way an IMAP EXPUNGE does: row gone, uid in
    the expunge log with a new modseq, counts updated"""
    mbox = (f"(SELECT m.id FROM mailboxes m JOIN accounts a ON a.id = m.account_id "
            f"WHERE a.address = '{address}' AND m.name = 'INBOX')")
    pg.psql(f"""
UPDATE mailboxes SET highestmodseq = highestmodseq + 1, messages = messages - 1,
    unseen = unseen - (SELECT (flags & 1 = 0)::int FROM mailbox_messages WHERE mailbox_id = {mbox} AND uid = {uid}),
    total_size = total_size - (SELECT size FROM mailbox_messages WHERE mailbox_id = {mbox} AND uid = {uid})
    WHERE id = {mbox};
INSERT INTO expunged (mailbox_id, uid, modseq) SELECT id, {uid}, highestmodseq FROM mailboxes WHERE id = {mbox};
DELETE FROM mailbox_messages WHERE mailbox_id = {mbox} AND uid = {uid};
""")


def inbox_uids(pg, address):
    """inbox_uids - the uids in address's INBOX, ascending"""
    out = pg.psql(f"SELECT mm.uid FROM mailbox_messages mm JOIN mailboxes m ON m.id = mm.mailbox_id "
                  f"JOIN accounts a ON a.id = m.account_id WHERE a.address = '{address}' "
                  f"AND m.name = 'INBOX' ORDER BY mm.uid")
    return [int(x) for x in out.split()] if out else []


def inbox_row(pg, address):
    """inbox_row - (messages, total_size, highestmodseq, uidvalidity) of address's INBOX"""
    out = pg.psql(f"SELECT m.messages, m.total_size, m.highestmodseq, m.uidvalidity FROM mailboxes m "
                  f"JOIN accounts a ON a.id = m.account_id WHERE a.address = '{address}' "
                  f"AND m.name = 'INBOX'")
    return tuple(int(x) for x in out.split("|"))


def message(n, body_lines=3, extra=b""):
    """message - a small RFC 5322 message, distinct per n"""
    body = b"".join(b"line %d of message %d\r\n" % (i, n) for i in range(body_lines))
    return (b"From: sender@example.org\r\nTo: someone@example.test\r\n"
            b"Subject: message %d\r\nMessage-ID: <%d.%f@example.org>\r\n\r\n" % (n, n, time.time())
            + body + extra)


class Raw:
    """Raw - a raw POP3 connection for byte-level tests"""

    def __init__(self, port, host="127.0.0.1", timeout=10, tls=False):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        if tls:
            self.sock = insecure_context().wrap_socket(self.sock)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        """line - one response line without CRLF; b"" when the server closed"""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                rest, self.buf = self.buf, b""
                return rest
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def multiline(self):
        """multiline - lines up to the terminating "." (not included)"""
        lines = []
        while True:
            line = self.line()
            if line == b".":
                return lines
            assert line != b"" or self.buf != b"" or True
            lines.append(line)

    def cmd(self, text):
        self.send(text.encode() + b"\r\n")
        return self.line()

    def closed(self, timeout=5):
        """closed - True when the server closes the connection within timeout"""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
                self.buf += data
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


def insecure_context():
    """insecure_context - TLS client context for the service's self-signed certificate"""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx
