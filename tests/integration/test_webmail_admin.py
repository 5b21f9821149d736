"""The webmail's administration API (/api/admin/*, docs/WEBMAIL-API.md "Administration")
against a real merpati-webmail and PostgreSQL: who may use it (401, 403 csrf, 403
forbidden), domains, users, aliases, shares and the queue. Every change is checked in the
database and through the `merpati` CLI or a real protocol: an account made here logs in
over IMAP, an alias made here delivers over SMTP (smtp-in + mda), a job accepted by smtp-in
is retried and deleted here."""
import imaplib
import os
import smtplib
import time
import uuid

import pytest

from test_pop3_helpers import PASSWORD
from test_webmail_api import Client

DEADLINE = 30  # seconds to wait for a condition on a loaded machine


def wait_for(what, fn, deadline=DEADLINE):
    """wait_for - poll fn until it returns a true value; that value"""
    end = time.monotonic() + deadline
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def unique_domain():
    return f"adm-{uuid.uuid4().hex[:10]}.test"


@pytest.fixture
def admin_address():
    return f"root-{os.getpid()}-{uuid.uuid4().hex[:6]}@{unique_domain()}"


@pytest.fixture
def web(stack, admin_address, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text("<!doctype html><title>Merpati</title>")
    return stack.start("webmail", env={"MERPATI_WEBMAIL_STATIC": str(static),
                                       "MERPATI_WEBMAIL_ADMINS": f"other@x.test, {admin_address.upper()}"})


def cli_ok(stack, *args, input=None):
    r = stack.merpati(*args, input=input)
    assert r.returncode == 0, f"merpati {' '.join(map(str, args))}: {r.stderr}"
    return r.stdout


def make_account(stack, address, password=PASSWORD):
    stack.merpati("domain", "add", address.split("@")[1])  # harmless when it exists
    cli_ok(stack, "user", "add", address, "--password-stdin", input=password + "\n")


@pytest.fixture
def admin(stack, web, admin_address):
    """admin - a logged-in Client of an address listed in MERPATI_WEBMAIL_ADMINS"""
    make_account(stack, admin_address)
    c = Client(web.port("MERPATI_WEBMAIL_LISTEN"))
    r, body = c.login(admin_address)
    assert r.status == 200 and body["account"]["admin"] is True, body
    return c


def ok(cli, method, path, body=None, status=200):
    r, out = cli.request(method, path, body)
    assert r.status == status, (method, path, r.status, out)
    return out


def refused(cli, method, path, body=None, status=400, code="bad_request", says=None):
    r, out = cli.request(method, path, body)
    assert r.status == status, (method, path, r.status, out)
    assert out["error"] == code, out
    if says:
        assert says in out["message"], out
    return out


def imap_login(imap, address, password):
    c = imaplib.IMAP4("127.0.0.1", imap.port("MERPATI_IMAP_LISTEN"), timeout=20)
    try:
        c.login(address, password)
        return True
    except imaplib.IMAP4.error:
        return False
    finally:
        try:
            c.logout()
        except Exception:
            pass


# --- who may ---------------------------------------------------------------------------------

ROUTES = [("GET", "/api/admin/domains"), ("POST", "/api/admin/domains"),
          ("DELETE", "/api/admin/domains/1"), ("GET", "/api/admin/users"),
          ("POST", "/api/admin/users"), ("PATCH", "/api/admin/users/1"),
          ("DELETE", "/api/admin/users/1"), ("GET", "/api/admin/aliases"),
          ("POST", "/api/admin/aliases"), ("DELETE", "/api/admin/aliases/1"),
          ("GET", "/api/admin/shares"), ("POST", "/api/admin/shares"),
          ("DELETE", "/api/admin/shares"), ("GET", "/api/admin/queue?which=in"),
          ("POST", "/api/admin/queue/in/1/retry"), ("DELETE", "/api/admin/queue/out/1")]


def test_only_admins_with_the_csrf_token(stack, web, admin):
    nobody = Client(web.port("MERPATI_WEBMAIL_LISTEN"))
    user = f"plain-{uuid.uuid4().hex[:6]}@{unique_domain()}"
    make_account(stack, user)
    plain = Client(web.port("MERPATI_WEBMAIL_LISTEN"))
    r, body = plain.login(user)
    assert r.status == 200 and body["account"]["admin"] is False
    before = stack.pg.psql("SELECT count(*) FROM domains")
    for method, path in ROUTES:
        body = {} if method != "GET" else None
        refused(nobody, method, path, body, 401, "unauthenticated")
        refused(plain, method, path, body, 403, "forbidden")
        if method != "GET":
            r, out = admin.request(method, path, {"name": "csrf-less.test"}, csrf=False)
            assert r.status == 403 and out["error"] == "csrf", (method, path, out)
    assert stack.pg.psql("SELECT count(*) FROM domains") == before
    assert stack.pg.psql("SELECT count(*) FROM domains WHERE name = 'csrf-less.test'") == "0"


# --- domains ---------------------------------------------------------------------------------

def test_domains_add_list_delete(stack, admin):
    name = unique_domain()
    created = ok(admin, "POST", "/api/admin/domains", {"name": name.upper() + "."}, 201)["domain"]
    assert created["name"] == name and created["users"] == 0
    assert stack.pg.psql(f"SELECT id FROM domains WHERE name = '{name}'") == str(created["id"])
    assert name in cli_ok(stack, "domain", "list").split()
    refused(admin, "POST", "/api/admin/domains", {"name": name}, 409, "exists", "already exists")
    refused(admin, "POST", "/api/admin/domains", {"name": "not a domain"}, says="not a domain name")
    refused(admin, "POST", "/api/admin/domains", {"name": 7}, says="name")
    refused(admin, "POST", "/api/admin/domains", {}, says="name")

    make_account(stack, f"a@{name}")
    make_account(stack, f"b@{name}")
    listed = ok(admin, "GET", "/api/admin/domains?limit=1000")["domains"]
    mine = [d for d in listed if d["name"] == name]
    assert mine == [{"id": created["id"], "name": name, "users": 2}]
    assert [d["name"] for d in listed] == sorted(d["name"] for d in listed)
    one = ok(admin, "GET", "/api/admin/domains?limit=1&offset=1")["domains"]
    assert one == listed[1:2]
    refused(admin, "GET", "/api/admin/domains?limit=0", says="limit")
    refused(admin, "GET", "/api/admin/domains?limit=1001", says="limit")
    refused(admin, "GET", "/api/admin/domains?offset=-1", says="offset")
    refused(admin, "GET", "/api/admin/domains?limit=" + "9" * 40, says="limit")

    # like `merpati domain remove`: refused while it has accounts, unless forced
    refused(admin, "DELETE", f"/api/admin/domains/{created['id']}", None, 409, "not_empty",
            "still has 2 accounts")
    assert stack.pg.psql(f"SELECT count(*) FROM accounts WHERE address LIKE '%@{name}'") == "2"
    ok(admin, "DELETE", f"/api/admin/domains/{created['id']}?force=1")
    assert stack.pg.psql(f"SELECT count(*) FROM domains WHERE name = '{name}'") == "0"
    assert stack.pg.psql(f"SELECT count(*) FROM accounts WHERE address LIKE '%@{name}'") == "0"
    assert name not in cli_ok(stack, "domain", "list").split()
    refused(admin, "DELETE", f"/api/admin/domains/{created['id']}", None, 404, "not_found")

    empty = ok(admin, "POST", "/api/admin/domains", {"name": unique_domain()}, 201)["domain"]
    ok(admin, "DELETE", f"/api/admin/domains/{empty['id']}")
    assert stack.pg.psql(f"SELECT count(*) FROM domains WHERE id = {empty['id']}") == "0"


# --- users -----------------------------------------------------------------------------------

def test_users_add_change_delete(stack, admin):
    imap = stack.start("imap", env={"MERPATI_IMAP_AUTH_FAIL_DELAY": "0s"})
    domain = unique_domain()
    cli_ok(stack, "domain", "add", domain)
    address = f"new.user@{domain}"
    user = ok(admin, "POST", "/api/admin/users",
              {"address": address.upper(), "password": "first-Password", "quota": "1M"},
              201)["user"]
    assert user["address"] == address and user["quota"] == 1 << 20
    assert user["used"] == 0 and user["enabled"] is True
    row = stack.pg.psql(f"SELECT id, quota_bytes, password_hash LIKE '$argon2id$%' "
                        f"FROM accounts WHERE address = '{address}'")
    assert row == f"{user['id']}|{1 << 20}|t"
    folders = stack.pg.psql(f"SELECT string_agg(name, ',' ORDER BY name) FROM mailboxes "
                            f"WHERE account_id = {user['id']}")
    assert folders == "Archive,Drafts,INBOX,Junk,Sent,Trash"
    assert f"{address}" in cli_ok(stack, "user", "list", domain)
    assert "quota=1M" in cli_ok(stack, "user", "list", domain)
    assert imap_login(imap, address, "first-Password")

    # the CLI's validation, with HTTP statuses
    refused(admin, "POST", "/api/admin/users", {"address": f"short@{domain}", "password": "short"},
            says="at least 8")
    refused(admin, "POST", "/api/admin/users", {"address": "no-at-sign", "password": PASSWORD},
            says="is not a valid address")
    refused(admin, "POST", "/api/admin/users", {"address": f"q@{domain}", "password": PASSWORD,
                                                "quota": "lots"}, says="quota")
    refused(admin, "POST", "/api/admin/users", {"address": f"q@{domain}", "password": PASSWORD,
                                                "quota": -1}, says="quota")
    refused(admin, "POST", "/api/admin/users", {"address": address, "password": PASSWORD},
            409, "exists", "already exists")
    refused(admin, "POST", "/api/admin/users", {"address": f"x@{unique_domain()}",
                                                "password": PASSWORD}, 404, "not_found",
            "does not exist")
    assert stack.pg.psql(f"SELECT count(*) FROM accounts WHERE address LIKE '%@{domain}'") == "1"

    # listing, per domain and bounded
    listed = ok(admin, "GET", f"/api/admin/users?domain={domain}")["users"]
    assert listed == [user]
    ok(admin, "POST", "/api/admin/users", {"address": f"zz@{domain}", "password": PASSWORD}, 201)
    assert [u["address"] for u in ok(admin, "GET", f"/api/admin/users?domain={domain}&limit=1&offset=1")["users"]] == [f"zz@{domain}"]
    refused(admin, "GET", f"/api/admin/users?domain={unique_domain()}", None, 404, "not_found")
    refused(admin, "GET", "/api/admin/users?domain=bad%20name", says="not a domain name")
    refused(admin, "GET", f"/api/admin/users?domain={'x' * 300}.test", says="not a domain name")
    # ?q= finds an address among every domain's, whatever the case, and nothing else
    found = ok(admin, "GET", f"/api/admin/users?q=ZZ@{domain.upper()}")["users"]
    assert [u["address"] for u in found] == [f"zz@{domain}"]
    assert ok(admin, "GET", f"/api/admin/users?domain={domain}&q=no-such-text")["users"] == []
    assert len(ok(admin, "GET", f"/api/admin/users?domain={domain}&q=")["users"]) == 2
    refused(admin, "GET", f"/api/admin/users?q={'a' * 255}", says="at most 254 bytes")
    refused(admin, "GET", "/api/admin/users?q=%ff%fe", says="UTF-8")
    found = ok(admin, "GET", "/api/admin/users?q=%25")["users"]   # a % is text, not a pattern
    assert found == []

    # quota, disable, enable, reset password
    changed = ok(admin, "PATCH", f"/api/admin/users/{user['id']}", {"quota": 5000})["user"]
    assert changed["quota"] == 5000
    assert stack.pg.psql(f"SELECT quota_bytes FROM accounts WHERE id = {user['id']}") == "5000"
    changed = ok(admin, "PATCH", f"/api/admin/users/{user['id']}", {"enabled": False})["user"]
    assert changed["enabled"] is False
    assert not imap_login(imap, address, "first-Password")
    r, _ = Client(admin.port).login(address, "first-Password")
    assert r.status == 401
    assert "disabled" in cli_ok(stack, "user", "list", domain)
    ok(admin, "PATCH", f"/api/admin/users/{user['id']}", {"enabled": True})
    theirs = Client(admin.port)                    # a webmail session of the user's own...
    assert theirs.login(address, "first-Password")[0].status == 200
    assert theirs.request("GET", "/api/session")[0].status == 200
    ok(admin, "PATCH", f"/api/admin/users/{user['id']}", {"password": "second-Password"})
    assert theirs.request("GET", "/api/session")[0].status == 401   # ...ends with the reset
    assert not imap_login(imap, address, "first-Password")
    assert imap_login(imap, address, "second-Password")
    r, _ = Client(admin.port).login(address, "second-Password")
    assert r.status == 200
    refused(admin, "PATCH", f"/api/admin/users/{user['id']}", {"password": "short"}, says="at least 8")
    refused(admin, "PATCH", f"/api/admin/users/{user['id']}", {"enabled": "yes"}, says="enabled")
    assert imap_login(imap, address, "second-Password")  # a refused PATCH changed nothing
    refused(admin, "PATCH", "/api/admin/users/999999999", {"quota": 1}, 404, "not_found")

    ok(admin, "DELETE", f"/api/admin/users/{user['id']}")
    assert stack.pg.psql(f"SELECT count(*) FROM accounts WHERE id = {user['id']}") == "0"
    assert stack.pg.psql(f"SELECT count(*) FROM mailboxes WHERE account_id = {user['id']}") == "0"
    assert address not in cli_ok(stack, "user", "list", domain)
    refused(admin, "DELETE", f"/api/admin/users/{user['id']}", None, 404, "not_found")


# --- aliases ---------------------------------------------------------------------------------

def test_aliases_add_deliver_delete(stack, admin):
    stack.start("bus")
    stack.start("mda")
    smtp = stack.start("smtp-in")
    domain = unique_domain()
    target = f"real@{domain}"
    make_account(stack, target)
    alias = ok(admin, "POST", "/api/admin/aliases", {"source": f"Team@{domain}", "target": target},
               201)["alias"]
    assert alias["source"] == f"team@{domain}" and alias["target"] == target
    assert stack.pg.psql(f"SELECT source || '>' || target FROM aliases WHERE id = {alias['id']}") \
        == f"team@{domain}>{target}"
    assert f"team@{domain} -> {target}" in cli_ok(stack, "alias", "list", domain)
    catchall = ok(admin, "POST", "/api/admin/aliases", {"source": f"@{domain}", "target": target},
                  201)["alias"]
    assert catchall["source"] == f"@{domain}"

    refused(admin, "POST", "/api/admin/aliases", {"source": f"team@{domain}", "target": target},
            409, "exists", "already exists")
    refused(admin, "POST", "/api/admin/aliases", {"source": target, "target": target},
            says="cannot be an alias of itself")
    refused(admin, "POST", "/api/admin/aliases", {"source": f"x@{domain}", "target": "nope"},
            says="target 'nope' is not a valid address")
    refused(admin, "POST", "/api/admin/aliases", {"source": f"x@{unique_domain()}", "target": target},
            404, "not_found", "does not exist")

    listed = ok(admin, "GET", f"/api/admin/aliases?domain={domain}")["aliases"]
    assert listed == sorted([alias, catchall], key=lambda a: a["source"])
    assert ok(admin, "GET", f"/api/admin/aliases?q=TEAM@{domain}")["aliases"] == [alias]
    assert len(ok(admin, "GET", f"/api/admin/aliases?q={target}")["aliases"]) == 2  # by target

    # mail to the alias reaches the target's INBOX through smtp-in and the mda
    host, port = smtp.listen("MERPATI_SMTP_LISTEN")
    subject = uuid.uuid4().hex
    with smtplib.SMTP(host, port, timeout=20) as s:
        s.sendmail("sender@example.org", [f"team@{domain}"],
                   f"From: sender@example.org\r\nTo: team@{domain}\r\nSubject: {subject}\r\n\r\nhi\r\n")
    inbox = (f"SELECT count(*) FROM mailbox_messages mm JOIN mailboxes m ON m.id = mm.mailbox_id "
             f"JOIN accounts a ON a.id = m.account_id WHERE a.address = '{target}' AND m.name = 'INBOX'")
    wait_for("the alias's mail in the target's INBOX", lambda: stack.pg.psql(inbox) == "1")

    ok(admin, "DELETE", f"/api/admin/aliases/{alias['id']}")
    assert stack.pg.psql(f"SELECT count(*) FROM aliases WHERE id = {alias['id']}") == "0"
    assert f"team@{domain} ->" not in cli_ok(stack, "alias", "list", domain)
    refused(admin, "DELETE", f"/api/admin/aliases/{alias['id']}", None, 404, "not_found")


# --- shares ----------------------------------------------------------------------------------

def test_shares_grant_list_revoke(stack, web, admin):
    domain = unique_domain()
    owner, grantee = f"owner@{domain}", f"grantee@{domain}"
    make_account(stack, owner)
    make_account(stack, grantee)
    share = {"owner": owner, "mailbox": "inbox", "grantee": grantee}
    ok(admin, "POST", "/api/admin/shares", {**share, "rights": "srl"})
    assert f"{owner} INBOX -> {grantee} lrs" in cli_ok(stack, "share", "list", owner)
    listed = ok(admin, "GET", f"/api/admin/shares?address={grantee}")["shares"]
    inbox = stack.pg.psql(f"SELECT m.id FROM mailboxes m JOIN accounts a ON a.id = m.account_id "
                          f"WHERE a.address = '{owner}' AND m.name = 'INBOX'")
    assert listed == [{"mailbox": int(inbox), "owner": owner, "name": "INBOX",
                       "grantee": grantee, "rights": "lrs"}]

    # the grantee sees it in its own webmail
    other = Client(web.port("MERPATI_WEBMAIL_LISTEN"))
    assert other.login(grantee)[0].status == 200
    folders = ok(other, "GET", "/api/folders")["folders"]
    assert [f for f in folders if f["shared"] and f["id"] == int(inbox)]

    ok(admin, "POST", "/api/admin/shares", {**share, "rights": "lrswi"})  # replaces
    assert stack.pg.psql(f"SELECT rights FROM mailbox_acl WHERE mailbox_id = {inbox}") == "lrswi"
    refused(admin, "POST", "/api/admin/shares", {**share, "rights": "lrz"},
            says="'z' is not an RFC 4314 right")
    refused(admin, "POST", "/api/admin/shares", {**share, "rights": ""}, says="no rights")
    refused(admin, "POST", "/api/admin/shares", {**share, "mailbox": "Nope", "rights": "lr"},
            404, "not_found", "has no mailbox 'Nope'")
    refused(admin, "POST", "/api/admin/shares", {**share, "grantee": owner, "rights": "lr"},
            says="owns the mailbox")
    refused(admin, "POST", "/api/admin/shares", {**share, "grantee": f"nobody@{domain}",
                                                 "rights": "lr"}, 404, "not_found", "does not exist")
    refused(admin, "POST", "/api/admin/shares", {"owner": owner, "rights": "lr"}, says="mailbox")
    assert stack.pg.psql(f"SELECT rights FROM mailbox_acl WHERE mailbox_id = {inbox}") == "lrswi"

    ok(admin, "DELETE", "/api/admin/shares", share)
    assert stack.pg.psql(f"SELECT count(*) FROM mailbox_acl WHERE mailbox_id = {inbox}") == "0"
    assert cli_ok(stack, "share", "list", owner).strip() == ""
    refused(admin, "DELETE", "/api/admin/shares", share, 404, "not_found", "has no rights")


# --- queue -----------------------------------------------------------------------------------

def test_queue_list_retry_delete(stack, admin):
    smtp = stack.start("smtp-in")  # no mda: the job stays in queue_in
    domain = unique_domain()
    rcpt, rcpt2 = f"waiting@{domain}", f"also.waiting@{domain}"
    make_account(stack, rcpt)
    make_account(stack, rcpt2)
    host, port = smtp.listen("MERPATI_SMTP_LISTEN")
    with smtplib.SMTP(host, port, timeout=20) as s:
        s.sendmail("far@example.org", [rcpt, rcpt2],
                   "Subject: queued\r\n\r\nwaiting for the mda\r\n")
    in_id = int(stack.pg.psql(f"SELECT job_id FROM queue_in_rcpt WHERE address = '{rcpt}'"))
    stack.pg.psql(f"UPDATE queue_in SET next_attempt = now() + interval '1 hour' WHERE id = {in_id}")

    jobs = ok(admin, "GET", "/api/admin/queue?which=in&limit=1000")["jobs"]
    job = [j for j in jobs if j["id"] == in_id]
    assert len(job) == 1 and job[0]["which"] == "in" and job[0]["sender"] == "far@example.org"
    assert job[0]["recipients"] == [rcpt, rcpt2] and job[0]["recipient_count"] == 2
    assert job[0]["next_attempt"] > time.time() + 600
    assert f"in:{in_id} waiting" in cli_ok(stack, "queue", "list", "in")

    ok(admin, "POST", f"/api/admin/queue/in/{in_id}/retry")
    assert stack.pg.psql(f"SELECT next_attempt <= now() FROM queue_in WHERE id = {in_id}") == "t"
    refused(admin, "POST", f"/api/admin/queue/out/{in_id + 900000000}/retry", None, 404, "not_found")

    ok(admin, "DELETE", f"/api/admin/queue/in/{in_id}")
    assert stack.pg.psql(f"SELECT count(*) FROM queue_in WHERE id = {in_id}") == "0"
    assert stack.pg.psql(f"SELECT event || ' ' || detail FROM delivery_events "
                         f"WHERE queue_in_id = {in_id}").startswith("deleted webmail admin root-")
    assert f"in:{in_id} " not in cli_ok(stack, "queue", "list", "in")
    refused(admin, "DELETE", f"/api/admin/queue/in/{in_id}", None, 404, "not_found")

    # an outbound job, made the way the mda makes them
    body = "Subject: out\r\n\r\nbye\r\n"
    sha = f"sha256(convert_to('{body}', 'UTF8'))"
    stack.pg.psql(f"INSERT INTO messages (sha256, raw, size) VALUES ({sha}, convert_to('{body}', "
                  f"'UTF8'), {len(body)}) ON CONFLICT DO NOTHING")
    out_id = int(stack.pg.psql(
        f"INSERT INTO queue_out (sender, recipient, domain, sha256, size, last_reply, next_attempt,"
        f" held) VALUES ('{rcpt}', 'x@remote.example', 'remote.example', {sha}, {len(body)},"
        f" '451 4.7.1 later', now() + interval '1 hour', true) RETURNING id"))
    jobs = ok(admin, "GET", "/api/admin/queue?which=out")["jobs"]
    job = [j for j in jobs if j["id"] == out_id][0]
    assert job["last_error"] == "451 4.7.1 later" and job["held"] is True
    assert job["recipients"] == ["x@remote.example"] and job["recipient_count"] == 1
    ok(admin, "POST", f"/api/admin/queue/out/{out_id}/retry")
    assert stack.pg.psql(f"SELECT held, next_attempt <= now() FROM queue_out WHERE id = {out_id}") \
        == "f|t"
    ok(admin, "DELETE", f"/api/admin/queue/out/{out_id}")
    assert stack.pg.psql(f"SELECT count(*) FROM queue_out WHERE id = {out_id}") == "0"

    refused(admin, "GET", "/api/admin/queue", says="which")
    refused(admin, "GET", "/api/admin/queue?which=sideways", says="which")
