"""Mailbox names: list, create, subscribe, rename with children, delete."""
import uuid

import pytest

from harness.pg import run_helper


def tool(pg, *args):
    return run_helper(pg, "store-tool", *args).decode().splitlines()


def tool_error(pg, *args):
    r = run_helper(pg, "store-tool", *args, check=False)
    assert r.returncode == 1, r.stdout
    return r.stderr.decode()


@pytest.fixture
def account(pg):
    d = f"mbx{uuid.uuid4().hex[:8]}.test"
    pg.psql(f"INSERT INTO domains (name) VALUES ('{d}')")
    return int(run_helper(pg, "store-tool", "create-account", f"u@{d}", 0,
                          input=b"password-1").decode())


def names(pg, account):
    return [l.split()[0] for l in tool(pg, "mailboxes", account)]


def test_create_list_subscribe(pg, account):
    assert names(pg, account) == ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"]
    tool(pg, "create-mailbox", account, "Lists/dev")
    assert "exists already" in tool_error(pg, "create-mailbox", account, "Lists/dev")
    assert "exists already" in tool_error(pg, "create-mailbox", account, "inbox")  # RFC 3501 5.1
    for bad in ("", "/x", "x/", "a//b", "tab\there"):
        assert "mailbox name" in tool_error(pg, "create-mailbox", account, bad)
    assert tool(pg, "subscribe", account, "Lists/dev", 0) == ["1"]
    assert tool(pg, "subscribe", account, "Nope", 1) == ["0"]
    listing = {l.split()[0]: l.split()[1:] for l in tool(pg, "mailboxes", account)}
    assert listing["Lists/dev"][:2] == ["-", "0"]
    assert listing["Sent"][:2] == ["\\Sent", "1"]


def test_rename_moves_children_and_keeps_uidvalidity(pg, account):
    for n in ("Work", "Work/2024", "Work/2024/Q1", "Workshop"):
        tool(pg, "create-mailbox", account, n)
    before = {l.split()[0]: l.split()[3] for l in tool(pg, "mailboxes", account)}
    assert tool(pg, "rename", account, "Work", "Job") == ["1"]
    after = {l.split()[0]: l.split()[3] for l in tool(pg, "mailboxes", account)}
    assert {"Job", "Job/2024", "Job/2024/Q1", "Workshop"} <= set(after)
    assert "Work" not in after and "Work/2024" not in after
    assert after["Job/2024/Q1"] == before["Work/2024/Q1"]
    assert after["Workshop"] == before["Workshop"]  # a prefix of the name is not a child
    assert tool(pg, "rename", account, "Nothing", "X") == ["0"]
    assert "exists already" in tool_error(pg, "rename", account, "Job", "Sent")
    assert "INBOX" in tool_error(pg, "rename", account, "INBOX", "Old")


def test_delete_returns_quota(pg, account):
    mbox = int(tool(pg, "create-mailbox", account, "Big")[0])
    sha = run_helper(pg, "store-tool", "put", input=b"Subject: d\r\n\r\nx\r\n").decode().split()[0]
    tool(pg, "append", mbox, sha, 1000, 0)
    old = int(pg.psql(f"SELECT uidvalidity FROM mailboxes WHERE id = {mbox}"))
    assert pg.psql(f"SELECT used_bytes FROM accounts WHERE id = {account}") == "1000"
    assert tool(pg, "delete", account, "Big") == ["1"]
    assert pg.psql(f"SELECT used_bytes FROM accounts WHERE id = {account}") == "0"
    assert pg.psql(f"SELECT count(*) FROM mailbox_messages WHERE mailbox_id = {mbox}") == "0"
    assert tool(pg, "delete", account, "Big") == ["0"]
    assert "INBOX" in tool_error(pg, "delete", account, "inbox")
    # re-created under the same name: a new UIDVALIDITY (RFC 3501 2.3.1.1)
    tool(pg, "create-mailbox", account, "Big")
    new = pg.psql(f"SELECT uidvalidity FROM mailboxes WHERE account_id = {account} AND name = 'Big'")
    assert int(new) > old
