"""merpati_peer - Merpati's inbound path for the benchmark: a private PostgreSQL cluster with
fsync on (durable commits, unlike the test harness's cluster), merpati-mda and
merpati-smtp-in on loopback ports, started with the integration tests' harness.
"""
import os
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness.pg import PgCluster          # noqa: E402
from harness.stack import Stack           # noqa: E402

DURABLE = "fsync = on\nfull_page_writes = on\nsynchronous_commit = on\n"
PASSWORD = "bench-Secret-pw-1\n"
CHEAP_ARGON2 = {"MERPATI_ARGON2_OPSLIMIT": "1", "MERPATI_ARGON2_MEMLIMIT": "64k"}


class MerpatiPeer:
    """MerpatiPeer - cluster, accounts, mda and smtp-in; counts deliveries with SQL"""

    def __init__(self, base, domain, users, sessions_max):
        self.base, self.domain, self.users = base, domain, users
        self.sessions_max = sessions_max
        self.pg = PgCluster(tempfile.mkdtemp(prefix="merpati-bench-pg-"))
        self.stack = None
        self.port = None

    def start(self):
        """start - durable cluster, migrations, domain and users, then mda and smtp-in"""
        self.pg.create()
        with open(os.path.join(self.pg.data, "postgresql.conf"), "a") as f:
            f.write(DURABLE)              # later lines win over the harness's fsync = off
        self.pg.watch()
        self.pg.start()
        self.pg.bootstrap()
        self.pg.migrate()
        self.stack = Stack(self.pg, os.path.join(self.base, "stack"))
        self.cli("domain", "add", self.domain)
        for user in self.users:
            self.cli("user", "add", f"{user}@{self.domain}", "--password-stdin",
                     input=PASSWORD)
        self.stack.start("mda")
        smtp = self.stack.start("smtp-in", env={
            "MERPATI_HOSTNAME": "bench-merpati.localdomain",
            "MERPATI_SMTP_MAX_CONN_PER_IP": str(self.sessions_max * 4)})
        self.port = smtp.port("MERPATI_SMTP_LISTEN")

    def cli(self, *args, input=None):
        """cli - one `merpati` command; RuntimeError when it fails"""
        r = self.stack.merpati(*args, input=input, env=CHEAP_ARGON2)
        if r.returncode != 0:
            raise RuntimeError(f"merpati {' '.join(args)}: {r.stdout}{r.stderr}")
        return r.stdout

    def fsync_setting(self):
        """fsync_setting - what the running cluster says fsync is"""
        return self.pg.psql("SHOW fsync")

    def delivered(self):
        """delivered - rows in the mailboxes of the bench domain"""
        return int(self.pg.psql(
            "SELECT count(*) FROM mailbox_messages x JOIN mailboxes mb ON mb.id = x.mailbox_id"
            f" JOIN accounts a ON a.id = mb.account_id WHERE a.address LIKE '%@{self.domain}'"))

    def queued(self):
        """queued - work the mda has still to do: inbound jobs not yet delivered, and texts
        of delivered messages not yet in the search index (it indexes them when idle), so
        that none of Merpati's work runs on into the next cell"""
        return int(self.pg.psql(
            "SELECT (SELECT count(*) FROM queue_in)"
            " + (SELECT count(*) FROM message_meta WHERE body_text_pending IS NOT NULL)"))

    def visible_after(self, message_ids):
        """visible_after - {message-id: epoch seconds of internal_date} for delivered ids"""
        values = ",".join("'" + m.replace("'", "''") + "'" for m in message_ids)
        out = self.pg.psql(
            "SELECT mm.message_id || ' ' || extract(epoch FROM x.internal_date)"
            " FROM mailbox_messages x JOIN message_meta mm ON mm.sha256 = x.sha256"
            f" WHERE mm.message_id IN ({values})")
        return {line.split(" ")[0]: float(line.split(" ")[1])
                for line in out.splitlines() if line}

    def stop(self):
        """stop - stop the services and delete the cluster"""
        if self.stack is not None:
            self.stack.close()
        self.pg.destroy()
