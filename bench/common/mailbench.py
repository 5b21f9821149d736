"""mailbench - what bench/pop3/run and bench/imap/run share: the command line, the messages,
a PostgreSQL cluster and Merpati stack filled through smtp-in and the mda, a private Dovecot
filled with the same messages, the load generator's run and the result table.

Numbers are printed, never checked against a target.
"""
import argparse
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

DOMAIN = "bench.test"
PASSWORD = "bench-Secret-pw-1"
CHEAP_ARGON2 = {"MERPATI_ARGON2_OPSLIMIT": "1", "MERPATI_ARGON2_MEMLIMIT": "64k"}


def arguments(description):
    """arguments - build folder, clients, messages per user, body size, seconds per server"""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--build", default=os.environ.get("MERPATI_BUILD_DIR", "build"))
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--messages", type=int, default=20, help="messages per user")
    p.add_argument("--size", type=int, default=4096, help="bytes of body per message")
    p.add_argument("--seconds", type=int, default=20)
    return p.parse_args()


def message(user, i, size, tag):
    """message - the CRLF bytes of message i of user, about size bytes of body"""
    line = b"The quick brown fox jumps over the lazy dog, and so on, to fill a line.\r\n"
    body = line * max(1, size // len(line))
    return (f"From: <sender@remote.example>\r\nTo: <{user}>\r\nSubject: {tag} bench {i}\r\n"
            f"Message-ID: <{tag}.{i}.{user}>\r\n\r\n").encode() + body


def fill_merpati(stack, pg, users, messages):
    """fill_merpati - accounts, then every message through smtp-in; waits for delivery"""
    for u in users:
        r = stack.merpati("user", "add", u, "--password-stdin", input=PASSWORD + "\n",
                          env=CHEAP_ARGON2)
        if r.returncode != 0:
            raise RuntimeError(r.stdout + r.stderr)
    stack.start("mda", env={"MERPATI_MDA_POLL": "1s"})
    smtp = stack.start("smtp-in", env={"MERPATI_HOSTNAME": "bench-merpati.localdomain"})
    with smtplib.SMTP("127.0.0.1", smtp.port("MERPATI_SMTP_LISTEN"), timeout=60) as s:
        for u in users:
            for raw in messages(u):
                s.sendmail("sender@remote.example", [u], raw)
    deadline = time.monotonic() + 300
    while int(pg.psql("SELECT count(*) FROM queue_in")) > 0:
        if time.monotonic() > deadline:
            raise RuntimeError("inbound queue did not drain")
        time.sleep(0.2)
    stack.stop("smtp-in")
    stack.stop("mda")


def load(binary, port, prefix, args):
    """load - run a merpati-bench-* generator against port; its result line as a dict"""
    argv = [binary, "-H", "127.0.0.1", "-p", str(port), "-c", str(args.clients),
            "-t", str(args.seconds), "-x", prefix, "-s", f"@{DOMAIN}", "-P", PASSWORD]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=args.seconds + 120)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stdout}{r.stderr[-2000:]}")
    return dict(kv.split("=") for kv in r.stdout.split())


class Peers:
    """Peers - a PostgreSQL cluster with a Merpati stack and a private Dovecot, both holding
    the same users and messages; `with Peers(...) as p:` cleans everything up after"""

    def __init__(self, args, protocol, prefix, messages):
        os.environ["MERPATI_BUILD_DIR"] = args.build
        from harness.pg import PgCluster
        from harness.stack import Stack, build_dir, free_port
        from dovecot_peer import DovecotPeer
        self.build = build_dir()
        self.users = [f"{prefix}{i}@{DOMAIN}" for i in range(args.clients)]
        self.messages = messages
        self.base = tempfile.mkdtemp(prefix=f"merpati-bench-{protocol}-")
        os.chmod(self.base, 0o755)
        self.pg = PgCluster(tempfile.mkdtemp(prefix="merpati-bench-pg-"))
        self.stack = Stack(self.pg, os.path.join(self.base, "stack"))
        self.dovecot = DovecotPeer(os.path.join(self.base, "dovecot"), free_port(),
                                   self.users, PASSWORD, protocol)

    def __enter__(self):
        pg = self.pg
        pg.create()
        pg.watch()
        pg.start()
        pg.bootstrap()
        pg.migrate()
        r = self.stack.merpati("domain", "add", DOMAIN)
        if r.returncode != 0:
            raise RuntimeError(r.stdout + r.stderr)
        fill_merpati(self.stack, pg, self.users, self.messages)
        self.dovecot.create()
        for u in self.users:
            for i, raw in enumerate(self.messages(u)):
                self.dovecot.deliver(u, i, raw)
        self.dovecot.start()
        return self

    def __exit__(self, *exc):
        self.stack.close()
        self.dovecot.destroy()
        self.pg.destroy()
        shutil.rmtree(self.base, ignore_errors=True)


def report(args, rows, rate):
    """report - the table of both servers' results and the ratio of their rate column"""
    print(f"{args.clients} clients, {args.messages} messages of ~{args.size} B per user,"
          f" {args.seconds} s each")
    print("| server | sessions | commands | messages | MB | cmds/s | msgs/s |\n"
          "|---|---:|---:|---:|---:|---:|---:|")
    for name, res in rows:
        print(f"| {name} | {res['sessions']} | {res['commands']} | {res['messages']} |"
              f" {int(res['bytes']) / 1e6:.1f} | {float(res['cmds_per_s']):.1f} |"
              f" {float(res['msgs_per_s']):.1f} |")
    (_, m), (_, d) = rows
    for key in rate:
        print(f"ratio Merpati/Dovecot {key}: {float(m[key]) / float(d[key]):.2f}")
