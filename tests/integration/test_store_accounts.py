"""Accounts, login, may-send-as, and what an address means: RCPT lookup and expansion."""
import subprocess
import uuid

import pytest

from harness.pg import run_helper


def tool(pg, *args, input=b""):
    """tool - store-tool output lines"""
    return run_helper(pg, "store-tool", *args, input=input).decode().splitlines()


def tool_error(pg, *args, input=b""):
    """tool_error - store-tool must fail; returns its error line"""
    r = run_helper(pg, "store-tool", *args, input=input, check=False)
    assert r.returncode == 1, r.stdout
    return r.stderr.decode()


@pytest.fixture
def dom(pg):
    """dom - a fresh domain with two accounts, alice and bob"""
    d = f"acc{uuid.uuid4().hex[:8]}.test"
    pg.psql(f"INSERT INTO domains (name) VALUES ('{d}')")
    ids = {u: int(tool(pg, "create-account", f"{u}@{d}", 0, input=b"secret-pw-1\n")[0])
           for u in ("alice", "bob")}
    return d, ids


def alias(pg, source, target):
    pg.psql(f"INSERT INTO aliases (domain_id, source, target) SELECT id, '{source}', '{target}' "
            f"FROM domains WHERE name = '{source.split('@')[1]}'")


def expand(pg, address):
    return sorted(tool(pg, "expand", address))


def test_create_account_makes_default_mailboxes(pg, dom):
    d, ids = dom
    rows = pg.psql(f"SELECT name, coalesce(special_use, '-'), subscribed FROM mailboxes "
                   f"WHERE account_id = {ids['alice']} ORDER BY name").splitlines()
    assert rows == ["Archive|\\Archive|t", "Drafts|\\Drafts|t", "INBOX|-|t", "Junk|\\Junk|t",
                    "Sent|\\Sent|t", "Trash|\\Trash|t"]
    assert pg.psql(f"SELECT password_hash LIKE '$argon2id$%' FROM accounts "
                   f"WHERE id = {ids['alice']}") == "t"
    assert "exists already" in tool_error(pg, "create-account", f"ALICE@{d}", 0, input=b"pw-pw-pw-1")
    assert "unknown domain" in tool_error(pg, "create-account", "x@nowhere.test", 0, input=b"pw-pw-pw-1")
    assert "malformed" in tool_error(pg, "create-account", "no-at-sign", 0, input=b"pw-pw-pw-1")


def test_login(pg, dom):
    d, ids = dom
    assert tool(pg, "login", f"alice@{d}", input=b"secret-pw-1\n") == [f"ok {ids['alice']}"]
    assert tool(pg, "login", f"Alice@{d.upper()}", input=b"secret-pw-1") == [f"ok {ids['alice']}"]
    assert tool(pg, "login", f"alice@{d}", input=b"secret-pw-2") == ["denied"]
    assert tool(pg, "login", f"alice@{d}", input=b"") == ["denied"]
    assert tool(pg, "login", f"nobody@{d}", input=b"secret-pw-1") == ["denied"]
    assert tool(pg, "login", "garbage", input=b"secret-pw-1") == ["denied"]
    pg.psql(f"UPDATE accounts SET enabled = false WHERE id = {ids['alice']}")
    assert tool(pg, "login", f"alice@{d}", input=b"secret-pw-1") == ["denied"]


def test_may_send_as(pg, dom):
    d, ids = dom
    a = ids["alice"]
    assert tool(pg, "may-send-as", a, f"alice@{d}") == ["yes"]
    assert tool(pg, "may-send-as", a, f"ALICE+news@{d}") == ["yes"]
    assert tool(pg, "may-send-as", a, f"bob@{d}") == ["no"]
    assert tool(pg, "may-send-as", a, f"sales@{d}") == ["no"]
    alias(pg, f"sales@{d}", f"alice@{d}")
    assert tool(pg, "may-send-as", a, f"sales@{d}") == ["yes"]
    assert tool(pg, "may-send-as", ids["bob"], f"sales@{d}") == ["no"]
    assert tool(pg, "may-send-as", a, "not an address") == ["no"]


def test_lookup(pg, dom):
    d, _ = dom
    assert tool(pg, "lookup", f"alice@{d}") == ["local"]
    assert tool(pg, "lookup", f"alice+tag@{d}") == ["local"]
    assert tool(pg, "lookup", f"nobody@{d}") == ["unknown"]
    assert tool(pg, "lookup", "someone@elsewhere.example") == ["foreign"]
    # RFC 5321 4.5.1 / RFC 2142: always valid, with or without any setup
    assert tool(pg, "lookup", f"postmaster@{d}") == ["local"]
    assert tool(pg, "lookup", f"Abuse@{d}") == ["local"]
    assert "malformed" in tool_error(pg, "lookup", "a b@c")


def test_lookup_agrees_with_expansion(pg, dom):
    """RCPT's one-query answer and the full expansion say the same for every rule"""
    d, ids = dom
    a = ids["alice"]

    def both(address):
        kind = tool(pg, "lookup", address)[0]
        assert (kind == "local") == (expand(pg, address) != []), address
        return kind

    assert both(f"alice@{d}") == "local"
    assert both(f"ALICE+x@{d.upper()}") == "local"
    # an alias whose only target is gone leads nowhere; one to a remote address does
    alias(pg, f"gone@{d}", f"left@{d}")
    assert both(f"gone@{d}") == "unknown"
    alias(pg, f"out@{d}", "someone@far.example")
    assert both(f"out@{d}") == "local"
    # forwards without a copy: local when a target exists, unknown when none does
    pg.psql(f"INSERT INTO forwards (account_id, target) VALUES ({a}, 'left2@{d}')")
    pg.psql(f"UPDATE accounts SET forward_keep_copy = false WHERE id = {a}")
    assert both(f"alice@{d}") == "unknown"
    pg.psql(f"INSERT INTO forwards (account_id, target) VALUES ({a}, 'bob@{d}')")
    assert both(f"alice@{d}") == "local"
    # a disabled account receives nothing, and its aliases do not claim it
    pg.psql(f"UPDATE accounts SET enabled = false WHERE id = {ids['bob']}")
    alias(pg, f"bob@{d}", f"alice@{d}")
    assert both(f"bob@{d}") == "unknown"
    assert both(f"bob+tag@{d}") == "unknown"
    # the catch-all takes what nothing else does, if its target exists
    assert both(f"random@{d}") == "unknown"
    alias(pg, f"@{d}", f"nothere@{d}")
    assert both(f"random@{d}") == "unknown"
    alias(pg, f"@{d}", "catch@far.example")
    assert both(f"random@{d}") == "local"
    assert tool(pg, "lookup", "x@elsewhere.example") == ["foreign"]


def test_lookup_role_accounts_follow_the_administrator(pg, dom):
    d, ids = dom
    # no admin set: the oldest enabled account
    assert expand(pg, f"postmaster@{d}") == [f"local {ids['alice']} alice@{d} "]
    pg.psql(f"UPDATE domains SET admin_account_id = {ids['bob']} WHERE name = '{d}'")
    assert expand(pg, f"abuse@{d}") == [f"local {ids['bob']} bob@{d} "]
    pg.psql(f"UPDATE accounts SET enabled = false WHERE domain_id = "
            f"(SELECT id FROM domains WHERE name = '{d}') AND id <> {ids['bob']}")
    pg.psql(f"UPDATE domains SET admin_account_id = NULL WHERE name = '{d}'")
    assert expand(pg, f"postmaster@{d}") == [f"local {ids['bob']} bob@{d} "]


def test_expand_accounts_aliases_and_plus(pg, dom):
    d, ids = dom
    a, b = ids["alice"], ids["bob"]
    assert expand(pg, f"alice@{d}") == [f"local {a} alice@{d} "]
    assert expand(pg, f"Alice+Lists@{d}") == [f"local {a} alice@{d} lists"]
    alias(pg, f"team@{d}", f"alice@{d}")
    alias(pg, f"team@{d}", f"bob@{d}")
    alias(pg, f"team@{d}", "partner@remote.example")
    # expand() sorts as text, so the expected list is sorted the same way (ids 99 and 100)
    assert expand(pg, f"team@{d}") == sorted([f"local {a} alice@{d} ", f"local {b} bob@{d} ",
                                              "remote partner@remote.example"])
    # nested aliases, and a target reached twice is delivered once
    alias(pg, f"all@{d}", f"team@{d}")
    alias(pg, f"all@{d}", f"bob@{d}")
    assert expand(pg, f"all@{d}") == expand(pg, f"team@{d}")
    assert expand(pg, f"nobody@{d}") == []


def test_expand_loops_and_depth(pg, dom):
    d, ids = dom
    alias(pg, f"loop1@{d}", f"loop2@{d}")
    alias(pg, f"loop2@{d}", f"loop1@{d}")
    alias(pg, f"loop2@{d}", f"bob@{d}")
    assert expand(pg, f"loop1@{d}") == [f"local {ids['bob']} bob@{d} "]
    for i in range(12):
        alias(pg, f"deep{i}@{d}", f"deep{i + 1}@{d}")
    alias(pg, f"deep12@{d}", f"alice@{d}")
    assert "deeper than" in tool_error(pg, "expand", f"deep0@{d}")
    assert expand(pg, f"deep6@{d}") == [f"local {ids['alice']} alice@{d} "]


def test_expand_forwards(pg, dom):
    d, ids = dom
    a = ids["alice"]
    pg.psql(f"INSERT INTO forwards (account_id, target) VALUES ({a}, 'alice@far.example')")
    assert expand(pg, f"alice@{d}") == [f"local {a} alice@{d} ", "remote alice@far.example"]
    pg.psql(f"UPDATE accounts SET forward_keep_copy = false WHERE id = {a}")
    assert expand(pg, f"alice@{d}") == ["remote alice@far.example"]
    # a forward to another local account, without a copy
    pg.psql(f"DELETE FROM forwards WHERE account_id = {a}")
    pg.psql(f"INSERT INTO forwards (account_id, target) VALUES ({a}, 'bob@{d}')")
    assert expand(pg, f"alice@{d}") == [f"local {ids['bob']} bob@{d} "]


def test_expand_postmaster_and_catchall(pg, dom):
    d, ids = dom
    # no administrator set: the domain's oldest enabled account gets role mail
    assert expand(pg, f"postmaster@{d}") == [f"local {ids['alice']} alice@{d} "]
    pg.psql(f"UPDATE domains SET admin_account_id = {ids['bob']} WHERE name = '{d}'")
    assert expand(pg, f"abuse@{d}") == [f"local {ids['bob']} bob@{d} "]
    # an explicit alias wins over the default
    alias(pg, f"postmaster@{d}", "ops@remote.example")
    assert expand(pg, f"postmaster@{d}") == ["remote ops@remote.example"]
    # the catch-all takes what nothing else does, and only that
    assert expand(pg, f"random@{d}") == []
    alias(pg, f"@{d}", f"alice@{d}")
    assert expand(pg, f"random@{d}") == [f"local {ids['alice']} alice@{d} "]
    assert expand(pg, f"bob@{d}") == [f"local {ids['bob']} bob@{d} "]
    assert tool(pg, "lookup", f"random@{d}") == ["local"]


def test_disabled_account_receives_nothing(pg, dom):
    d, ids = dom
    pg.psql(f"UPDATE accounts SET enabled = false WHERE id = {ids['bob']}")
    assert expand(pg, f"bob@{d}") == []
    assert tool(pg, "lookup", f"bob@{d}") == ["unknown"]
