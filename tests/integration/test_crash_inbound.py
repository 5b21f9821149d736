"""test_crash_inbound - crash safety of the inbound path (smtp-in -> queue_in -> mda).

Twenty client threads, each with its own smtplib connection, send 2,000 messages with unique
Message-IDs to accounts of a test domain while merpati-mda is killed with SIGKILL twice and
merpati-smtp-in once (each restarted right after). Clients reconnect and retry on connection
errors and 4xx replies; a retry carries a new Message-ID, so each attempt is told apart.

After the inbound queue has drained:
  - every attempt that got 250 is in its recipient's INBOX exactly once;
  - an attempt answered with an error reply is nowhere;
  - an attempt whose connection broke after DATA may be delivered at most once (smtp-in was
    killed after its commit but before the 250 reached the client; RFC 5321 6.1 allows the
    duplicate the client's retry then makes) - how many is printed;
  - nothing is half-stored: no queue_in job without recipients, no mailbox row without a blob,
    no delivered blob without its metadata, no blob of this run that nothing refers to.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_crash_inbound.py -s
"""
import random
import smtplib
import threading
import time

from test_mda_delivery import new_domain

CLIENTS = 20
MESSAGES = 2000
ACCOUNTS = 10
ATTEMPTS_PER_MESSAGE = 200      # bound on retries of one message (SEND_DEADLINE bounds all)
SEND_DEADLINE = 150.0           # seconds for all clients together
DRAIN_DEADLINE = 60.0           # seconds for the queue to empty after the last send
BODY_LINES = 12                 # about 1 KB per message
KILLS = (("mda", 0.20), ("smtp-in", 0.45), ("mda", 0.70))   # (program, fraction sent)
CHEAP_ARGON2 = {"MERPATI_ARGON2_OPSLIMIT": "1", "MERPATI_ARGON2_MEMLIMIT": "64k"}


class Ledger:
    """Ledger - what each attempt got, shared by the client threads.

    ok: Message-IDs answered 250; refused: answered with an error reply (nothing stored);
    unknown: the connection broke after DATA began, so the answer was lost."""

    def __init__(self):
        self.lock = threading.Lock()
        self.next_index = 0
        self.done = 0
        self.ok = {}          # message-id -> recipient address
        self.refused = {}
        self.unknown = {}
        self.gave_up = []

    def take(self):
        """take - the next message index to send, or None when all are handed out"""
        with self.lock:
            if self.next_index >= MESSAGES:
                return None
            self.next_index += 1
            return self.next_index - 1

    def record(self, kind, msgid, rcpt):
        """record - note the outcome of one attempt"""
        with self.lock:
            getattr(self, kind)[msgid] = rcpt
            if kind == "ok":
                self.done += 1


def message(tag, msgid, rcpt):
    """message - a small text message with the given Message-ID"""
    lines = "".join(f"Line {i} of a crash-test message, tagged {tag}.\r\n"
                    for i in range(BODY_LINES))
    return (f"From: Sender <sender@remote.example>\r\nTo: <{rcpt}>\r\n"
            f"Subject: crash test {msgid}\r\nMessage-ID: {msgid}\r\n"
            f"Date: Sun, 22 Nov 2026 06:00:00 +0000\r\n\r\n{lines}").encode()


class Client(threading.Thread):
    """Client - one SMTP connection at a time, sending messages taken from the ledger and
    reconnecting after a broken connection or a 4xx reply."""

    def __init__(self, port, tag, rcpts, ledger, deadline):
        super().__init__(daemon=True)
        self.port, self.tag, self.rcpts = port, tag, rcpts
        self.ledger, self.deadline = ledger, deadline
        self.smtp = None
        self.error = None

    def connect(self):
        """connect - a new session with EHLO, or None while the server is down"""
        try:
            s = smtplib.SMTP("127.0.0.1", self.port, timeout=20)
            s.ehlo("client.remote.example")
            return s
        except (OSError, smtplib.SMTPException):
            return None

    def drop(self):
        """drop - forget the current connection without waiting on it"""
        if self.smtp is not None:
            try:
                self.smtp.close()
            except OSError:
                pass
        self.smtp = None

    def attempt(self, index, n, rcpt):
        """attempt - one try at sending message index; True when finished (250 or 5xx)"""
        msgid = f"<crash.{index}.{n}.{self.tag}@remote.example>"
        data = message(self.tag, msgid, rcpt)
        try:
            self.smtp.mail("sender@remote.example")
            code, _ = self.smtp.rcpt(rcpt)
            if code != 250:
                self.smtp.rset()
                return code >= 500          # refused at RCPT: nothing was sent
        except (OSError, smtplib.SMTPException):
            self.drop()                     # broken before DATA: nothing can be stored
            return False
        try:
            code, _ = self.smtp.data(data)
        except smtplib.SMTPDataError as e:  # smtplib raises on the DATA replies it dislikes
            self.ledger.record("refused", msgid, rcpt)
            self.drop()
            return e.smtp_code >= 500
        except (OSError, smtplib.SMTPException):
            # the answer may have been lost after smtp-in committed: allowed, counted
            self.ledger.record("unknown", msgid, rcpt)
            self.drop()
            return False
        if code == 250:
            self.ledger.record("ok", msgid, rcpt)
            return True
        self.ledger.record("refused", msgid, rcpt)
        self.drop()
        return code >= 500

    def send_one(self, index):
        """send_one - send message index until it is accepted, bounded in tries and time"""
        rcpt = self.rcpts[index % len(self.rcpts)]
        for n in range(ATTEMPTS_PER_MESSAGE):
            if time.monotonic() > self.deadline:
                break
            if self.smtp is None:
                self.smtp = self.connect()
                if self.smtp is None:
                    time.sleep(0.1 + random.random() * 0.2)
                    continue
            if self.attempt(index, n, rcpt):
                return
            time.sleep(0.05)
        with self.ledger.lock:
            self.ledger.gave_up.append(index)

    def run(self):
        try:
            while (index := self.ledger.take()) is not None:
                self.send_one(index)
        except Exception as e:            # reported by the test, never lost
            self.error = repr(e)
        finally:
            if self.smtp is not None:
                try:
                    self.smtp.quit()
                except (OSError, smtplib.SMTPException):
                    pass
                self.drop()


def crash_and_restart(stack, name):
    """crash_and_restart - SIGKILL a program and start it again on the same ports"""
    assert stack.kill(name) == -9
    stack.restart(name)


def wait_for_progress(ledger, fraction, clients):
    """wait_for_progress - until the given fraction of messages got 250 (or clients ended)"""
    while ledger.done < MESSAGES * fraction and any(c.is_alive() for c in clients):
        time.sleep(0.05)


def pending_jobs(pg, domain):
    """pending_jobs - queue_in jobs with a recipient in the domain"""
    return int(pg.psql(f"SELECT count(DISTINCT q.id) FROM queue_in q JOIN queue_in_rcpt r"
                       f" ON r.job_id = q.id WHERE r.address LIKE '%@{domain}'"))


def wait_drained(pg, domain):
    """wait_drained - until no job for the domain is left; the seconds it took"""
    start = time.monotonic()
    while pending_jobs(pg, domain) > 0:
        assert time.monotonic() - start < DRAIN_DEADLINE, \
            f"{pending_jobs(pg, domain)} inbound jobs still queued after {DRAIN_DEADLINE:.0f}s"
        time.sleep(0.25)
    return time.monotonic() - start


def delivered(pg, domain, tag):
    """delivered - [(message-id, account address)] for every INBOX row of this run"""
    out = pg.psql(
        "SELECT mm.message_id || ' ' || a.address FROM mailbox_messages x"
        " JOIN mailboxes mb ON mb.id = x.mailbox_id JOIN accounts a ON a.id = mb.account_id"
        " JOIN message_meta mm ON mm.sha256 = x.sha256"
        f" WHERE a.address LIKE '%@{domain}' AND mb.name = 'INBOX'"
        f" AND mm.message_id LIKE '<crash.%.{tag}@remote.example>'")
    return [tuple(line.split(" ", 1)) for line in out.splitlines() if line]


def half_stored(pg, domain, tag):
    """half_stored - {check: count} of rows that a torn transaction would leave behind"""
    mine = f"position(convert_to('{tag}', 'UTF8') in m.raw) > 0"
    checks = {
        "queue_in job without recipients":
            "SELECT count(*) FROM queue_in q WHERE NOT EXISTS"
            " (SELECT 1 FROM queue_in_rcpt r WHERE r.job_id = q.id)",
        "mailbox row without blob":
            "SELECT count(*) FROM mailbox_messages x WHERE NOT EXISTS"
            " (SELECT 1 FROM messages m WHERE m.sha256 = x.sha256)",
        "delivered blob without metadata":
            "SELECT count(*) FROM mailbox_messages x JOIN mailboxes mb ON mb.id = x.mailbox_id"
            " JOIN accounts a ON a.id = mb.account_id"
            f" WHERE a.address LIKE '%@{domain}' AND NOT EXISTS"
            " (SELECT 1 FROM message_meta mm WHERE mm.sha256 = x.sha256)",
        "blob of this run that nothing refers to":
            f"SELECT count(*) FROM messages m WHERE {mine}"
            " AND NOT EXISTS (SELECT 1 FROM mailbox_messages x WHERE x.sha256 = m.sha256)"
            " AND NOT EXISTS (SELECT 1 FROM queue_in q WHERE q.sha256 = m.sha256)"
            " AND NOT EXISTS (SELECT 1 FROM queue_out o WHERE o.sha256 = m.sha256)",
    }
    return {name: int(pg.psql(sql)) for name, sql in checks.items()}


def test_crash_inbound(pg, stack):
    domain = new_domain(stack)
    tag = f"t{int(time.time())}"
    rcpts = []
    for i in range(ACCOUNTS):
        address = f"user{i}@{domain}"
        r = stack.merpati("user", "add", address, "--password-stdin",
                          input="crash-Secret-pw-1\n", env=CHEAP_ARGON2)
        assert r.returncode == 0, r.stdout + r.stderr
        rcpts.append(address)

    stack.start("mda", env={"MERPATI_MDA_POLL": "1s", "MERPATI_MDA_RETRY": "1s",
                            "MERPATI_MDA_LEASE": "10s"})
    smtp = stack.start("smtp-in", env={"MERPATI_HOSTNAME": "mx.crash.example.test",
                                       "MERPATI_SMTP_MAX_CONN_PER_IP": "200"})
    port = smtp.port("MERPATI_SMTP_LISTEN")

    ledger = Ledger()
    started = time.monotonic()
    clients = [Client(port, tag, rcpts, ledger, started + SEND_DEADLINE) for _ in range(CLIENTS)]
    for c in clients:
        c.start()
    for name, fraction in KILLS:
        wait_for_progress(ledger, fraction, clients)
        crash_and_restart(stack, name)
    for c in clients:
        c.join(SEND_DEADLINE + 30)
    send_seconds = time.monotonic() - started
    assert not any(c.is_alive() for c in clients), "a client thread did not finish"
    assert [c.error for c in clients if c.error] == []
    assert ledger.gave_up == [], f"messages never accepted: {ledger.gave_up[:20]}"
    assert len(ledger.ok) == MESSAGES

    drain_seconds = wait_drained(pg, domain)
    rows = delivered(pg, domain, tag)
    seen = {}
    for msgid, address in rows:
        seen.setdefault(msgid, []).append(address)

    missing = [m for m in ledger.ok if m not in seen]
    twice = {m: a for m, a in seen.items() if len(a) > 1}
    misplaced = [m for m, a in ledger.ok.items() if m in seen and seen[m] != [a]]
    stored_refused = [m for m in ledger.refused if m in seen]
    unknown_delivered = [m for m in ledger.unknown if m in seen]
    strangers = [m for m in seen
                 if m not in ledger.ok and m not in ledger.refused and m not in ledger.unknown]

    print(f"\ncrash test: {MESSAGES} messages, {CLIENTS} clients, sent in {send_seconds:.1f}s,"
          f" queue drained {drain_seconds:.1f}s later; attempts: {len(ledger.ok)} got 250,"
          f" {len(ledger.refused)} got an error reply, {len(ledger.unknown)} lost their answer"
          f" ({len(unknown_delivered)} of those delivered: committed before the kill)")

    assert missing == [], f"{len(missing)} accepted messages not delivered: {missing[:10]}"
    assert twice == {}, f"{len(twice)} messages delivered more than once: {list(twice)[:10]}"
    assert misplaced == [], f"delivered to the wrong account: {misplaced[:10]}"
    assert stored_refused == [], f"refused but delivered: {stored_refused[:10]}"
    assert strangers == [], f"delivered but never sent: {strangers[:10]}"
    assert len(unknown_delivered) <= len(ledger.unknown)
    assert half_stored(pg, domain, tag) == {
        "queue_in job without recipients": 0,
        "mailbox row without blob": 0,
        "delivered blob without metadata": 0,
        "blob of this run that nothing refers to": 0,
    }
    assert stack["mda"].starts == 3 and stack["smtp-in"].starts == 2
