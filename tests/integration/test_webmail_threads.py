"""threads=1 in the webmail's message list: each summary's `thread` is the UID of its
thread's root by the THREAD=REFERENCES algorithm (RFC 5256, lib/thread), so a reply is
grouped under its original; without threads=1 every message is its own thread."""
from test_pop3_helpers import deliver, new_account
from test_webmail_api import client, folder_id, web, static_dir  # noqa: F401 (fixtures)


def deliver_threaded(pg, address, subject, msgid, in_reply_to="", refs="", day=1):
    """deliver_threaded - a message and the metadata the mda would store for it"""
    raw = (f"From: t@example.org\r\nSubject: {subject}\r\nMessage-ID: {msgid}\r\n"
           f"Date: Sun, {day:02d} Nov 2026 05:00:00 +0000\r\n\r\nbody of {msgid}\r\n").encode()
    uid = deliver(pg, address, raw)
    pg.psql("INSERT INTO message_meta (sha256, subject, from_addr, sent_date, message_id, "
            f"in_reply_to, refs) SELECT sha256, '{subject}', 't@example.org', "
            f"'2026-11-{day:02d} 05:00:00+00', '{msgid}', '{in_reply_to}', '{refs}' "
            f"FROM messages m WHERE m.raw = '\\x{raw.hex()}'::bytea ON CONFLICT DO NOTHING")
    return uid


def test_threads_group_replies_under_their_root(pg, stack, web):
    addr = new_account(stack, "threads")
    plan = deliver_threaded(pg, addr, "Plan", "<plan@x>", day=1)
    other = deliver_threaded(pg, addr, "Other", "<other@x>", day=2)
    reply = deliver_threaded(pg, addr, "Re: Plan", "<r1@x>", "<plan@x>", "<plan@x>", day=3)
    deeper = deliver_threaded(pg, addr, "Re: Plan", "<r2@x>", "<r1@x>", "<plan@x> <r1@x>", day=4)
    # two replies to a message this mailbox does not hold: the root is a dummy, the
    # earliest of them stands for it
    ghost1 = deliver_threaded(pg, addr, "Re: Ghost", "<g1@x>", "<gone@x>", "<gone@x>", day=5)
    ghost2 = deliver_threaded(pg, addr, "Re: Ghost", "<g2@x>", "<gone@x>", "<gone@x>", day=6)
    cli = client(web)
    cli.login(addr)
    inbox, _ = folder_id(cli, "INBOX")
    r, body = cli.request("GET", f"/api/folders/{inbox}/messages?threads=1")
    assert r.status == 200, body
    threads = {m["uid"]: m["thread"] for m in body["messages"]}
    assert threads == {plan: plan, reply: plan, deeper: plan, other: other,
                       ghost1: ghost1, ghost2: ghost1}
    # a page that holds only the reply still names the root beyond the page
    r, body = cli.request("GET", f"/api/folders/{inbox}/messages?threads=1&sort=arrival"
                          "&order=asc&offset=2&limit=1")
    assert [(m["uid"], m["thread"]) for m in body["messages"]] == [(reply, plan)]
    r, body = cli.request("GET", f"/api/folders/{inbox}/messages")
    assert all(m["thread"] == m["uid"] for m in body["messages"])
