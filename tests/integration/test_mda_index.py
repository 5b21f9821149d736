"""test_mda_index - the texts of delivered messages enter the search index after delivery
(migration 0011): the mda moves them when it has nothing to deliver, and IMAP SEARCH finds
a text the same before and after.

Run: MERPATI_BUILD_DIR=build-x pytest tests/integration/test_mda_index.py
"""
import imaplib
import time

import test_mda_delivery as mda
from helpers_bus.procs import curl, metric

BODY = "The quarterly Zanzibar-Ledger figures are attached.\r\n"


def state(pg, address):
    """state - per message of the INBOX, 'indexed' or 'pending', by UID"""
    out = pg.psql(f"""SELECT CASE WHEN mt.body_text IS NOT NULL THEN 'indexed'
                                  WHEN mt.body_text_pending IS NOT NULL THEN 'pending' END
        FROM mailbox_messages mm JOIN mailboxes m ON m.id = mm.mailbox_id
        JOIN accounts a ON a.id = m.account_id JOIN message_meta mt ON mt.sha256 = mm.sha256
        WHERE a.address = {mda.text(address)} AND m.name = 'INBOX' ORDER BY mm.uid""")
    return out.splitlines() if out else []


def wait_state(pg, address, want, timeout=20):
    deadline = time.monotonic() + timeout
    while (got := state(pg, address)) != want:
        assert time.monotonic() < deadline, f"{got} after {timeout}s, want {want}"
        time.sleep(0.1)


def searches(addr, user):
    """searches - what BODY, TEXT and a NOT of BODY find in the INBOX, case-folded"""
    c = imaplib.IMAP4(*addr)
    try:
        c.login(user, mda.PASSWORD)
        assert c.select("INBOX")[0] == "OK"
        found = []
        for key in ('BODY "zanzibar-LEDGER"', 'TEXT "ZANZIBAR-ledger"', 'NOT BODY "zanzibar"',
                    'BODY "not in any message"'):
            typ, data = c.uid("SEARCH", key)
            assert typ == "OK", data
            found.append(data[0].decode())
        return found
    finally:
        c.logout()


def deliver(pg, user, count):
    for i in range(count):
        body = BODY if i % 2 == 0 else "Nothing to see.\r\n"
        mda.wait_gone(pg, mda.enqueue(pg, "x@remote.example", [user],
                                      mda.message(f"report {i}", body)))


def test_delivered_texts_are_indexed_when_the_queue_is_empty(pg, stack):
    user = mda.new_user(stack, f"ix@{mda.new_domain(stack)}")
    proc = stack.start("mda", env=mda.FAST)
    deliver(pg, user, 3)
    wait_state(pg, user, ["indexed"] * 3)
    # the counters move when the batch's result is back on the loop, just after its commit
    deadline = time.monotonic() + 10
    while True:
        code, body = curl(proc.admin_port, "/metrics")
        assert code == 200
        if metric(body, "merpati_mda_texts_indexed_total") >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert metric(body, "merpati_mda_texts_indexed_total") >= 3
    assert metric(body, "merpati_mda_texts_waiting") == 0
    imap = stack.start("imap", plaintext_auth="loopback")
    assert searches(imap.listen("MERPATI_IMAP_LISTEN"), user) == ["1 3", "1 3", "2", ""]


def test_search_finds_texts_before_they_are_indexed(pg, stack):
    user = mda.new_user(stack, f"ix@{mda.new_domain(stack)}")
    # an mda that never indexes: the texts stay waiting, past several poll ticks
    stack.start("mda", env={**mda.FAST, "MERPATI_MDA_INDEX_BATCH": "0"})
    deliver(pg, user, 3)
    time.sleep(2.5)
    assert state(pg, user) == ["pending"] * 3
    imap = stack.start("imap", plaintext_auth="loopback")
    addr = imap.listen("MERPATI_IMAP_LISTEN")
    before = searches(addr, user)
    assert before == ["1 3", "1 3", "2", ""]
    # another mda, indexing: the answers stay the same
    stack.stop("mda")
    stack.start("mda", name="mda-indexing", env=mda.FAST)
    wait_state(pg, user, ["indexed"] * 3)
    assert searches(addr, user) == before
