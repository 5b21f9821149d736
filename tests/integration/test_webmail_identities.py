"""Webmail identities (docs/WEBMAIL-API.md "Identities"): PUT/GET round trip with names and
signatures, their bounds, the same send-as rule smtp-in applies, and POST /api/send using
them: a From that is not an identity is refused, an alias identity is delivered with its
name and address in From."""
import base64
import email
import email.policy

from test_pop3_helpers import new_account
from test_webmail_api import client, wait_for, web, static_dir  # noqa: F401 (fixtures)


def alias_of(stack, account, local):
    """alias_of - an alias in the account's domain whose target is the account"""
    source = f"{local}-{account.split('@')[0]}@{account.split('@')[1]}"
    r = stack.merpati("alias", "add", source, account)
    assert r.returncode == 0, r.stdout + r.stderr
    return source


def inbox_raw(pg, address):
    out = pg.psql("SELECT encode(m.raw, 'base64') FROM mailbox_messages mm "
                  "JOIN mailboxes mb ON mb.id = mm.mailbox_id JOIN accounts ac ON "
                  "ac.id = mb.account_id JOIN messages m ON m.sha256 = mm.sha256 "
                  f"WHERE ac.address = '{address}' AND mb.name = 'INBOX'")
    return base64.b64decode(out.replace("\n", "")) if out.strip() else None


def test_identities_round_trip_and_bounds(stack, web):
    a, b = new_account(stack, "ident"), new_account(stack, "ident")
    info = alias_of(stack, a, "info")
    foreign = alias_of(stack, b, "sales")
    cli = client(web)
    cli.login(a)
    r, body = cli.request("GET", "/api/identities")
    assert body["identities"] == [{"id": 0, "name": "", "email": a, "signature": ""}]
    mine = [{"name": "Ann Example", "email": a, "signature": "Ann\nMerpati, Inc."},
            {"name": "Info desk", "email": info.upper(), "signature": ""}]
    r, body = cli.request("PUT", "/api/identities", {"identities": mine})
    assert r.status == 200, body
    want = [{"id": 0, "name": "Ann Example", "email": a, "signature": "Ann\nMerpati, Inc."},
            {"id": 1, "name": "Info desk", "email": info.upper(), "signature": ""}]
    assert body["identities"] == want
    assert cli.request("GET", "/api/identities")[1]["identities"] == want
    bad = [
        [{"email": b}],                                   # another account
        [{"email": foreign}],                             # an alias of another account
        [{"email": a, "name": "x" * 201}],                # name over 200 bytes
        [{"email": a, "signature": "s" * 4097}],          # signature over 4 KiB
        [{"email": a, "name": "two\nlines"}],
        [{"email": a}, {"email": a.upper()}],             # listed twice
        [{"email": a}] * 21,                              # over 20
        [{"name": "no address"}],
        "not a list",
    ]
    for identities in bad:
        r, body = cli.request("PUT", "/api/identities", {"identities": identities})
        assert r.status == 400 and body["error"] == "bad_request", (identities, body)
    # nothing changed by the refused ones
    assert cli.request("GET", "/api/identities")[1]["identities"] == want
    r, body = cli.request("PUT", "/api/identities", {"identities": mine}, csrf=False)
    assert r.status == 403 and body["error"] == "csrf"
    # another account does not see them
    other = client(web)
    other.login(b)
    assert other.request("GET", "/api/identities")[1]["identities"] == [
        {"id": 0, "name": "", "email": b, "signature": ""}]
    # an empty list goes back to the account's own address
    r, body = cli.request("PUT", "/api/identities", {"identities": []})
    assert body["identities"] == [{"id": 0, "name": "", "email": a, "signature": ""}]


def test_send_only_from_identities(pg, stack, web):
    stack.start("mda")
    a, b = new_account(stack, "idsend"), new_account(stack, "idrcpt")
    info, spare = alias_of(stack, a, "info"), alias_of(stack, a, "spare")
    cli = client(web)
    cli.login(a)
    r, body = cli.request("PUT", "/api/identities", {"identities": [
        {"name": "Ann", "email": a, "signature": "Ann"},
        {"name": "Info Désk", "email": info, "signature": "The info desk"}]})
    assert r.status == 200, body
    # an address the account may never use is forbidden, as before identities existed
    r, body = cli.request("POST", "/api/send", {"from": b, "to": [b], "subject": "forged"})
    assert r.status == 403 and body["error"] == "forbidden"
    # an alias it may send as, but not one of its identities: 400
    r, body = cli.request("POST", "/api/send", {"from": spare, "to": [b], "subject": "spare"})
    assert r.status == 400 and "identities" in body["message"], body
    r, body = cli.request("POST", "/api/send", {
        "from": info, "to": [b], "subject": "from the desk",
        "text": "hello\n\n-- \nThe info desk\n"})
    assert r.status == 200 and body["queued"] is True, body
    raw = wait_for(lambda: inbox_raw(pg, b))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["From"].addresses[0].addr_spec == info
    assert msg["From"].addresses[0].display_name == "Info Désk"
    assert msg.get_content().replace("\r\n", "\n").endswith("\n-- \nThe info desk\n")
    # the refused ones were never queued: only the desk's message reached b
    assert pg.psql("SELECT count(*) FROM mailbox_messages mm JOIN mailboxes mb ON "
                   "mb.id = mm.mailbox_id JOIN accounts ac ON ac.id = mb.account_id "
                   f"WHERE ac.address = '{b}'") == "1"
