"""test_mda_bus - merpati-mda on the bus: a QueueKick wakes it long before its poll timer,
and each committed append reaches a subscriber as a MailboxEvent through merpati-bus.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_mda_bus.py
"""
import subprocess
import time

from helpers_bus.procs import helper
from test_mda_delivery import enqueue, message, new_domain, new_user, rows, text


def test_kick_wakes_mda_and_event_reaches_subscriber(pg, stack):
    d = new_domain(stack)
    u = new_user(stack, f"kicked@{d}")
    account = pg.psql(f"SELECT id FROM accounts WHERE address = {text(u)}")
    inbox = pg.psql(f"SELECT id FROM mailboxes WHERE account_id = {account} AND name = 'INBOX'")
    stack.start("bus")
    sub = stack.start("bus-tool", name="sub", argv=[helper("bus-tool"), "sub", account, "1"])
    stack.start("mda", env={"MERPATI_MDA_POLL": "5m"})
    time.sleep(1)  # past the mda's wake-up at start: from now on only a kick wakes it

    job = enqueue(pg, "s@remote.example", [u], message("kick"))
    time.sleep(1)
    assert rows(pg, u) == []                     # nothing polls within 5 minutes
    push = subprocess.run([helper("bus-tool"), "push", str(job)], env=stack.shared_env(),
                          capture_output=True, text=True, timeout=30)
    assert push.returncode == 0, push.stderr
    deadline = time.monotonic() + 10
    while rows(pg, u) == []:
        assert time.monotonic() < deadline, "the kick did not wake the mda"
        time.sleep(0.05)

    assert sub.popen.wait(30) == 0
    events = [line for line in open(sub.log_path).read().splitlines() if line.startswith("event ")]
    fields = dict(kv.split("=") for kv in events[0].split()[1:])
    assert fields["account"] == account and fields["mailbox"] == inbox and fields["kind"] == "1"
    modseq = pg.psql(f"SELECT highestmodseq FROM mailboxes WHERE id = {inbox}")
    assert fields["modseq"] == modseq
