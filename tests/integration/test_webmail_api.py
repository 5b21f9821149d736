"""The webmail's JSON API (docs/WEBMAIL-API.md) against a real merpati-webmail and
PostgreSQL, with http.client: sessions and their refusals (401, CSRF 403, throttling 429),
static files and their headers, folders, messages (list, read, sanitized HTML, raw, flags),
shared mailboxes per ACL, and size limits (413)."""
import base64
import email
import email.policy
import http.client
import time
import json
import re

import pytest

from test_pop3_helpers import PASSWORD, deliver, new_account

HOSTILE_HTML = (b"<html><head><style>body{}</style><script>alert(1)</script></head><body>"
                b"<p onclick=\"alert(2)\">Hello <b>there</b></p>"
                b"<a href=\"javascript:alert(3)\">bad</a><a href=\"https://example.org/\">good</a>"
                b"<img src=\"http://tracker.example/p.gif\"><img src=\"cid:logo@x\">"
                b"<svg><script>alert(4)</script></svg>"
                b"<div style=\"color: red; background: url(http://x/)\">styled</div>"
                b"</body></html>")


def mail(subject, html=None, sender="Ann Sender <ann@example.org>"):
    """mail - a message; multipart/alternative with the HTML when given"""
    head = (f"From: {sender}\r\nTo: someone@example.test\r\nSubject: {subject}\r\n"
            f"Date: Sun, 22 Nov 2026 05:00:00 +0000\r\nMessage-ID: <{subject.replace(' ', '-')}@x>\r\n"
            "MIME-Version: 1.0\r\n").encode()
    if html is None:
        return head + b"Content-Type: text/plain; charset=utf-8\r\n\r\nplain body of " + \
            subject.encode() + b"\r\n"
    return (head + b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            b"--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n"
            b"--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nthe text part\r\n"
            b"--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + b"\r\n--b2--\r\n"
            b"--b1\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\n"
            b"Content-Disposition: attachment; filename=\"r.pdf\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n")


def deliver_meta(pg, address, raw, subject, sender):
    """deliver_meta - deliver raw and store the metadata the mda's MIME parser would
    (subject, from, to, sent date) so lists and sorting have what they read"""
    uid = deliver(pg, address, raw)
    pg.psql("INSERT INTO message_meta (sha256, subject, from_addr, to_addr, sent_date) "
            f"SELECT sha256, '{subject}', '{sender}', 'someone@example.test', "
            "'2026-11-22 05:00:00+00' FROM messages m WHERE m.raw = "
            f"'\\x{raw.hex()}'::bytea ON CONFLICT DO NOTHING")
    return uid


class Client:
    """Client - one browser: keeps the session cookie and the CSRF token"""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, csrf=True, headers=None, raw=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        payload = r.read()
        c.close()
        ctype = r.getheader("Content-Type", "")
        return r, (json.loads(payload) if ctype.startswith("application/json") else payload)

    def login(self, user, password=PASSWORD):
        r, body = self.request("POST", "/api/login", {"username": user, "password": password})
        if r.status == 200:
            self.cookie = r.getheader("Set-Cookie").split(";")[0]
            self.csrf = body["csrf"]
        return r, body


@pytest.fixture
def static_dir(tmp_path):
    d = tmp_path / "static"
    d.mkdir()
    (d / "index.html").write_text("<!doctype html><title>Merpati</title>")
    (d / "app.js").write_text("export const x = 1;\n")
    (tmp_path / "secret.txt").write_text("outside")
    return d


@pytest.fixture
def web(stack, static_dir):
    return stack.start("webmail", env={"MERPATI_WEBMAIL_STATIC": str(static_dir),
                                       "MERPATI_WEBMAIL_MAX_UPLOAD": "64k"})


def client(web):
    return Client(web.port("MERPATI_WEBMAIL_LISTEN"))


def folder_id(cli, name, shared=False):
    r, body = cli.request("GET", "/api/folders")
    assert r.status == 200, body
    for f in body["folders"]:
        if f["name"] == name and f["shared"] == shared:
            return f["id"], f
    raise AssertionError(f"no folder {name} in {body}")


def test_static_files_and_strict_headers(web):
    cli = client(web)
    r, body = cli.request("GET", "/")
    assert r.status == 200 and b"Merpati" in body
    assert r.getheader("Content-Type") == "text/html; charset=utf-8"
    assert r.getheader("Cache-Control") == "no-cache"
    assert "default-src 'self'" in r.getheader("Content-Security-Policy")
    assert "frame-ancestors 'none'" in r.getheader("Content-Security-Policy")
    assert r.getheader("X-Content-Type-Options") == "nosniff"
    assert r.getheader("Referrer-Policy") == "no-referrer"
    r, body = cli.request("GET", "/app.js")
    assert r.status == 200 and r.getheader("Content-Type") == "text/javascript; charset=utf-8"
    assert r.getheader("Cache-Control") == "max-age=3600"
    for bad in ("/../secret.txt", "/%2e%2e/secret.txt", "/nothere.html", "/.hidden.js"):
        r, body = cli.request("GET", bad)
        assert r.status == 404, bad
    r, body = cli.request("POST", "/index.html", {})
    assert r.status == 405


def test_refusals_before_login(web):
    cli = client(web)
    for method, path in (("GET", "/api/folders"), ("GET", "/api/session"),
                         ("POST", "/api/logout"), ("GET", "/api/folders/1/messages")):
        r, body = cli.request(method, path, {} if method == "POST" else None)
        assert r.status == 401 and body["error"] == "unauthenticated", (path, body)
    cli.cookie = "merpati_session=" + "A" * 43
    r, body = cli.request("GET", "/api/folders")
    assert r.status == 401
    r, body = cli.request("GET", "/api/nothing")
    assert r.status == 404 and body["error"] == "not_found"
    r, body = cli.request("DELETE", "/api/login")
    assert r.status == 405
    r, body = cli.request("POST", "/api/login", raw=b"{not json")
    assert r.status == 400 and body["error"] == "bad_request"


def test_login_session_cookie_csrf_logout(stack, web):
    addr = new_account(stack, "web")
    cli = client(web)
    r, body = cli.login(addr, "wrong-password")
    assert r.status == 401 and r.getheader("Set-Cookie") is None
    r, body = cli.login(addr)
    assert r.status == 200, body
    cookie = r.getheader("Set-Cookie")
    assert re.match(r"merpati_session=[A-Za-z0-9_-]{43}; ", cookie), cookie
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
        assert attr in cookie
    assert "Secure" not in cookie
    assert body["account"]["address"] == addr and body["account"]["admin"] is False
    r, again = cli.request("GET", "/api/session")
    assert r.status == 200 and again["csrf"] == body["csrf"]
    # state changes without the token, or with another one, are refused
    r, body = cli.request("POST", "/api/folders", {"name": "NoCsrf"}, csrf=False)
    assert r.status == 403 and body["error"] == "csrf"
    r, body = cli.request("POST", "/api/folders", {"name": "NoCsrf"}, csrf=False,
                          headers={"X-CSRF-Token": "x" * 43})
    assert r.status == 403 and body["error"] == "csrf"
    names = [f["name"] for f in cli.request("GET", "/api/folders")[1]["folders"]]
    assert "NoCsrf" not in names
    r, body = cli.request("POST", "/api/logout", {})
    assert r.status == 200 and "Max-Age=0" in r.getheader("Set-Cookie")
    r, body = cli.request("GET", "/api/folders")
    assert r.status == 401


def test_secure_cookie_behind_https_proxy(stack, web):
    addr = new_account(stack, "web")
    cli = client(web)
    r, body = cli.request("POST", "/api/login", {"username": addr, "password": PASSWORD},
                          headers={"X-Forwarded-Proto": "https"})
    assert r.status == 200 and "; Secure" in r.getheader("Set-Cookie")


def test_login_throttled_per_ip(stack, web):
    addr = new_account(stack, "web")
    cli = client(web)
    for _ in range(5):
        r, body = cli.login(addr, "wrong-password")
        assert r.status == 401
    r, body = cli.login(addr)  # even the right password waits now
    assert r.status == 429 and body["error"] == "throttled"
    assert 0 < int(r.getheader("Retry-After")) <= 300


def test_folders_create_rename_delete(stack, web):
    addr = new_account(stack, "web")
    cli = client(web)
    cli.login(addr)
    inbox, f = folder_id(cli, "INBOX")
    assert f["special_use"] == "\\Inbox" and f["rights"] == "lrswipkxtea"
    sent, f = folder_id(cli, "Sent")
    assert f["special_use"] == "\\Sent"
    r, body = cli.request("POST", "/api/folders", {"name": "Projects/Merpati"})
    assert r.status == 201 and body["folder"]["name"] == "Projects/Merpati"
    fid = body["folder"]["id"]
    r, body = cli.request("POST", "/api/folders", {"name": "Projects/Merpati"})
    assert r.status == 409 and body["error"] == "exists"
    for bad in ("", "/x", "x/", "a//b", "a\nb", "x" * 1025):
        r, body = cli.request("POST", "/api/folders", {"name": bad})
        assert r.status == 400, bad
    r, body = cli.request("PATCH", f"/api/folders/{fid}", {"name": "Work"})
    assert r.status == 200 and body["folder"]["name"] == "Work" and body["folder"]["id"] == fid
    r, body = cli.request("PATCH", f"/api/folders/{inbox}", {"name": "Other"})
    assert r.status == 400
    r, body = cli.request("DELETE", f"/api/folders/{inbox}")
    assert r.status == 400
    r, body = cli.request("DELETE", f"/api/folders/{fid}")
    assert r.status == 200
    r, body = cli.request("DELETE", f"/api/folders/{fid}")
    assert r.status == 404


def test_messages_list_read_body_raw_flags(pg, stack, web):
    addr = new_account(stack, "web")
    raw_html = mail("html one", html=HOSTILE_HTML)
    deliver_meta(pg, addr, mail("plain zeta", sender="Zed <zed@example.org>"), "plain zeta",
                 "Zed <zed@example.org>")
    uid = deliver_meta(pg, addr, raw_html, "html one", "Ann Sender <ann@example.org>")
    cli = client(web)
    cli.login(addr)
    inbox, f = folder_id(cli, "INBOX")
    assert f["messages"] == 2 and f["unseen"] == 2
    r, body = cli.request("GET", f"/api/folders/{inbox}/messages?sort=subject&order=asc")
    assert r.status == 200 and body["total"] == 2
    assert [m["subject"] for m in body["messages"]] == ["html one", "plain zeta"]
    r, body = cli.request("GET", f"/api/folders/{inbox}/messages?sort=from&order=desc&limit=1")
    assert len(body["messages"]) == 1
    assert body["messages"][0]["from"] == [{"name": "Zed", "email": "zed@example.org"}]
    r, msg = cli.request("GET", f"/api/folders/{inbox}/messages/{uid}")
    assert r.status == 200, msg
    assert msg["subject"] == "html one"
    assert msg["from"] == [{"name": "Ann Sender", "email": "ann@example.org"}]
    assert msg["to"] == [{"name": "", "email": "someone@example.test"}] and msg["cc"] == []
    assert msg["text"].strip() == "the text part" and msg["has_html"] is True
    assert msg["flags"]["seen"] is False
    assert msg["attachments"] == [{"part": "2", "filename": "r.pdf", "type": "application/pdf",
                                   "size": 9, "inline": False, "content_id": ""}]
    r, html = cli.request("GET", f"/api/folders/{inbox}/messages/{uid}/body")
    assert r.status == 200 and r.getheader("Content-Type") == "text/html; charset=utf-8"
    csp = r.getheader("Content-Security-Policy")
    assert "default-src 'none'" in csp and "style-src 'unsafe-inline'" in csp
    assert "http:" not in csp
    low = html.lower()
    for bad in (b"<script", b"onclick", b"javascript:", b"tracker.example", b"<svg", b"url("):
        assert bad not in low, bad
    assert b"Hello <b>there</b>" in html and b"href=\"https://example.org/\"" in html
    assert f"/api/folders/{inbox}/messages/{uid}/cid/logo%40x".encode() in html
    assert b"color: red;" in html
    r, html = cli.request("GET", f"/api/folders/{inbox}/messages/{uid}/body?images=1")
    assert b"http://tracker.example/p.gif" in html
    assert "img-src 'self' https: http:" in r.getheader("Content-Security-Policy")
    r, raw = cli.request("GET", f"/api/folders/{inbox}/messages/{uid}/raw")
    assert r.status == 200 and raw == raw_html
    r, raw = cli.request("GET", f"/api/folders/{inbox}/messages/{uid}/raw?download=1")
    assert r.getheader("Content-Disposition") == "attachment; filename=\"message.eml\""
    r, body = cli.request("GET", f"/api/folders/{inbox}/messages/999")
    assert r.status == 404
    r, body = cli.request("PATCH", f"/api/folders/{inbox}/messages",
                          {"uids": [uid], "seen": True, "flagged": True})
    assert r.status == 200 and body["changed"] >= 1, body
    flags = pg.psql(f"SELECT flags FROM mailbox_messages WHERE mailbox_id = {inbox} AND uid = {uid}")
    assert int(flags) == 0x01 | 0x04
    assert folder_id(cli, "INBOX")[1]["unseen"] == 1
    r, body = cli.request("PATCH", f"/api/folders/{inbox}/messages", {"uids": [uid], "seen": False})
    assert r.status == 200
    assert int(pg.psql(f"SELECT flags FROM mailbox_messages WHERE mailbox_id = {inbox} "
                       f"AND uid = {uid}")) == 0x04
    for bad in ({"uids": [], "seen": True}, {"uids": [0], "seen": True},
                {"uids": ["1"], "seen": True}, {"uids": [uid], "seen": "yes"}):
        r, body = cli.request("PATCH", f"/api/folders/{inbox}/messages", bad)
        assert r.status == 400, bad
    r, body = cli.request("GET", f"/api/folders/{inbox}/messages/1/body")
    assert r.status == 404  # the plain message has no HTML part


def test_parts_cid_move_delete(pg, stack, web):
    addr = new_account(stack, "web")
    inline = (b"From: a@example.org\r\nSubject: pic\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/related; boundary=\"r\"\r\n\r\n"
              b"--r\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:logo@x\">\r\n"
              b"--r\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\n"
              b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n")
    uid = deliver_meta(pg, addr, mail("with attachment", html=b"<p>x</p>"), "with attachment",
                       "a@example.org")
    uid2 = deliver_meta(pg, addr, inline, "pic", "a@example.org")
    cli = client(web)
    cli.login(addr)
    inbox, _ = folder_id(cli, "INBOX")
    trash, _ = folder_id(cli, "Trash")
    archive, _ = folder_id(cli, "Archive")
    r, data = cli.request("GET", f"/api/folders/{inbox}/messages/{uid}/parts/2")
    assert r.status == 200 and data == b"%PDF-1.4\n"
    assert r.getheader("Content-Type") == "application/pdf"
    assert r.getheader("Content-Disposition") == \
        "attachment; filename=\"r.pdf\"; filename*=UTF-8''r.pdf"
    assert r.getheader("Content-Security-Policy") == "default-src 'none'"
    for bad in ("parts/9", "parts/x", "parts/1.1.1.1"):
        r, body = cli.request("GET", f"/api/folders/{inbox}/messages/{uid}/{bad}")
        assert r.status == 404, bad
    r, html = cli.request("GET", f"/api/folders/{inbox}/messages/{uid2}/body")
    src = re.search(rb'src="([^"]+)"', html).group(1).decode()
    r, data = cli.request("GET", src)
    assert r.status == 200 and data == b"\x89PNG\r\n\x1a\n"
    assert r.getheader("Content-Type") == "image/png"
    assert r.getheader("Content-Disposition").startswith("inline")
    r, body = cli.request("POST", f"/api/folders/{inbox}/messages/move",
                          {"uids": [uid2], "to": archive}, csrf=False)
    assert r.status == 403
    r, body = cli.request("POST", f"/api/folders/{inbox}/messages/move", {"uids": [uid2], "to": archive})
    assert r.status == 200 and body["moved"] == 1
    r, body = cli.request("GET", f"/api/folders/{archive}/messages")
    assert [m["subject"] for m in body["messages"]] == ["pic"]
    r, body = cli.request("POST", f"/api/folders/{inbox}/messages/delete", {"uids": [uid]})
    assert r.status == 200 and body["deleted"] == 1
    assert folder_id(cli, "INBOX")[1]["messages"] == 0
    r, body = cli.request("GET", f"/api/folders/{trash}/messages")
    assert [m["subject"] for m in body["messages"]] == ["with attachment"]
    tuid = body["messages"][0]["uid"]
    r, body = cli.request("POST", f"/api/folders/{trash}/messages/delete", {"uids": [tuid]})
    assert r.status == 200 and body["deleted"] == 1
    assert folder_id(cli, "Trash")[1]["messages"] == 0
    assert int(pg.psql(f"SELECT count(*) FROM expunged WHERE mailbox_id = {trash}")) == 1


def test_other_users_mailbox_and_shares(pg, stack, web):
    owner, other = new_account(stack, "owner"), new_account(stack, "other")
    uid = deliver_meta(pg, owner, mail("shared note"), "shared note", "ann@example.org")
    a, b = client(web), client(web)
    a.login(owner)
    b.login(other)
    inbox, _ = folder_id(a, "INBOX")
    # without a grant, the mailbox does not exist for b
    for method, path, body in (("GET", f"/api/folders/{inbox}/messages", None),
                               ("GET", f"/api/folders/{inbox}/messages/{uid}", None),
                               ("GET", f"/api/folders/{inbox}/messages/{uid}/raw", None),
                               ("PATCH", f"/api/folders/{inbox}/messages", {"uids": [uid], "seen": True}),
                               ("DELETE", f"/api/folders/{inbox}", None)):
        r, resp = b.request(method, path, body)
        assert r.status == 404, (path, resp)
    assert all(not f["shared"] for f in b.request("GET", "/api/folders")[1]["folders"])
    r = stack.merpati("share", "add", owner, "INBOX", other, "lr")
    assert r.returncode == 0, r.stdout + r.stderr
    sid, f = folder_id(b, "INBOX", shared=True)
    assert sid == inbox and f["owner"] == owner and f["rights"] == "lr"
    r, body = b.request("GET", f"/api/folders/{inbox}/messages")
    assert r.status == 200 and body["messages"][0]["subject"] == "shared note"
    r, body = b.request("PATCH", f"/api/folders/{inbox}/messages", {"uids": [uid], "seen": True})
    assert r.status == 403 and body["error"] == "forbidden"
    r, body = b.request("DELETE", f"/api/folders/{inbox}")
    assert r.status == 403
    r, body = b.request("POST", f"/api/folders/{inbox}/messages/delete", {"uids": [uid]})
    assert r.status == 403
    assert int(pg.psql(f"SELECT flags FROM mailbox_messages WHERE mailbox_id = {inbox}")) == 0


def test_password_change_ends_other_sessions(stack, web):
    addr = new_account(stack, "web")
    a, b = client(web), client(web)
    a.login(addr)
    b.login(addr)
    r, body = a.request("POST", "/api/password", {"current": "wrong", "new": "a-New-password-1"})
    assert r.status == 403
    r, body = a.request("POST", "/api/password", {"current": PASSWORD, "new": "short"})
    assert r.status == 400
    r, body = a.request("POST", "/api/password", {"current": PASSWORD, "new": "a-New-password-1"})
    assert r.status == 200, body
    assert a.request("GET", "/api/session")[0].status == 200
    assert b.request("GET", "/api/session")[0].status == 401
    assert client(web).login(addr, "a-New-password-1")[0].status == 200


def test_oversize_bodies_413(stack, web):
    addr = new_account(stack, "web")
    cli = client(web)
    cli.login(addr)
    r, body = cli.request("POST", "/api/folders", raw=b"{\"name\": \"" + b"x" * 200000 + b"\"}")
    assert r.status == 413
    assert cli.request("GET", "/api/session")[0].status == 200


def test_metrics_and_healthz(web):
    c = http.client.HTTPConnection("127.0.0.1", web.admin_port, timeout=10)
    c.request("GET", "/healthz")
    assert c.getresponse().status == 200


def wait_for(fn, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_send_enqueues_like_submission_and_keeps_sent_copy(pg, stack, web):
    stack.start("mda")
    a, b, c = (new_account(stack, n) for n in ("sender", "rcpt", "hidden"))
    cli = client(web)
    cli.login(a)
    r, body = cli.request("POST", "/api/send", {"to": [f"Bob <{b}>"], "subject": "x"},
                          csrf=False)
    assert r.status == 403 and body["error"] == "csrf"
    r, body = cli.request("POST", "/api/send", {"to": [], "subject": "nobody"})
    assert r.status == 400
    r, body = cli.request("POST", "/api/send", {"to": ["not an address"], "subject": "bad"})
    assert r.status == 400
    r, body = cli.request("POST", "/api/send", {"from": b, "to": [a], "subject": "forged"})
    assert r.status == 403
    r, body = cli.request("POST", "/api/send", {
        "to": [f"Bob <{b}>"], "bcc": [c], "subject": "Grüße über Merpati",
        "text": "héllo\nsecond line\n", "in_reply_to": "<orig@x>",
        "references": "<root@x> <orig@x>"})
    assert r.status == 200 and body["queued"] is True and body["sent_copy"] is True, body
    mid = body["message_id"]

    def inbox_raw(addr):
        out = pg.psql("SELECT encode(m.raw, 'base64') FROM mailbox_messages mm "
                      "JOIN mailboxes mb ON mb.id = mm.mailbox_id JOIN accounts ac ON "
                      f"ac.id = mb.account_id JOIN messages m ON m.sha256 = mm.sha256 "
                      f"WHERE ac.address = '{addr}' AND mb.name = 'INBOX'")
        return base64.b64decode(out.replace("\n", "")) if out.strip() else None

    for addr in (b, c):
        raw = wait_for(lambda: inbox_raw(addr))
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["Message-ID"] == mid and msg["Subject"] == "Grüße über Merpati"
        assert msg["In-Reply-To"] == "<orig@x>" and msg["References"] == "<root@x> <orig@x>"
        assert msg["Bcc"] is None and a in msg["From"]
        assert msg.get_content() .replace("\r\n", "\n") == "héllo\nsecond line\n"
    sent, f = folder_id(cli, "Sent")
    r, lst = cli.request("GET", f"/api/folders/{sent}/messages")
    assert lst["total"] == 1 and lst["messages"][0]["flags"]["seen"] is True
    r, raw = cli.request("GET", f"/api/folders/{sent}/messages/{body['sent_uid']}/raw")
    assert f"Bcc: {c}".encode() in raw
    r, body = cli.request("GET", "/api/identities")
    assert body["identities"] == [{"id": 0, "name": "", "email": a, "signature": ""}]
    r, body = cli.request("POST", "/api/drafts", {"to": [b], "subject": "later", "text": "d1"})
    assert r.status == 200
    first = body["uid"]
    r, body = cli.request("POST", "/api/drafts", {"to": [b], "subject": "later", "text": "d2",
                                                  "replace_uid": first})
    assert r.status == 200
    r, lst = cli.request("GET", f"/api/folders/{body['folder']}/messages")
    assert [m["uid"] for m in lst["messages"]] == [body["uid"]]
    assert lst["messages"][0]["flags"]["draft"] is True


def test_contacts_crud_autocomplete_vcard(stack, web):
    a, b = new_account(stack, "book"), new_account(stack, "book")
    cli, other = client(web), client(web)
    cli.login(a)
    other.login(b)
    r, body = cli.request("POST", "/api/contacts", {"name": "Bob; Jr", "emails": ["bob@x.org"],
                                                    "phone": "+62 21 555", "notes": "met at\nconf"})
    assert r.status == 201, body
    bob = body["contact"]
    assert bob["emails"] == ["bob@x.org"] and bob["name"] == "Bob; Jr"
    r, body = cli.request("POST", "/api/contacts", {"name": "Dup", "emails": ["BOB@x.org"]})
    assert r.status == 409
    for bad in ({"emails": []}, {"emails": ["no-at"]}, {"emails": ["a@b", "c@d"]},
                {"emails": ["a@b.c"], "name": "x\ny"}, {"emails": ["a@b.c"], "phone": 5}):
        r, body = cli.request("POST", "/api/contacts", bad)
        assert r.status == 400, bad
    cli.request("POST", "/api/contacts", {"name": "Alice", "emails": ["alice@y.org"]})
    r, body = cli.request("GET", "/api/contacts/autocomplete?q=BO")
    assert body["matches"] == [{"name": "Bob; Jr", "email": "bob@x.org"}]
    r, body = cli.request("GET", "/api/contacts/autocomplete?q=")
    assert r.status == 400
    r, body = cli.request("GET", "/api/contacts")
    assert [c["name"] for c in body["contacts"]] == ["Alice", "Bob; Jr"]
    r, body = cli.request("PUT", f"/api/contacts/{bob['id']}", {"name": "Robert",
                          "emails": ["bob@x.org"], "phone": "+62 21 555", "notes": "met at\nconf"})
    assert r.status == 200 and body["contact"]["name"] == "Robert"
    # another account cannot see, change or delete it
    assert other.request("GET", "/api/contacts")[1]["contacts"] == []
    r, body = other.request("PUT", f"/api/contacts/{bob['id']}", {"emails": ["z@z.org"]})
    assert r.status == 404
    assert other.request("DELETE", f"/api/contacts/{bob['id']}")[0].status == 404
    r, vcf = cli.request("GET", "/api/contacts.vcf")
    assert r.status == 200 and r.getheader("Content-Type") == "text/vcard; charset=utf-8"
    assert vcf.count(b"BEGIN:VCARD\r\nVERSION:4.0\r\n") == 2
    assert b"FN:Robert\r\nEMAIL:bob@x.org\r\nTEL:+62 21 555\r\nNOTE:met at\\nconf\r\n" in vcf
    r, body = cli.request("DELETE", f"/api/contacts/{bob['id']}")
    assert r.status == 200
    assert [c["name"] for c in cli.request("GET", "/api/contacts")[1]["contacts"]] == ["Alice"]


def test_search_on_the_server(pg, stack, web):
    addr, other = new_account(stack, "find"), new_account(stack, "find")
    deliver_meta(pg, addr, mail("Quarterly 100% report"), "Quarterly 100% report",
                 "Carol <carol@example.org>")
    deliver_meta(pg, addr, mail("lunch"), "lunch", "dave@example.org")
    deliver_meta(pg, other, mail("Quarterly secret"), "Quarterly secret", "carol@example.org")
    # a text the mda has not put in the search index yet (migration 0011) is found too
    pg.psql("UPDATE message_meta SET body_text = NULL, "
            "body_text_pending = 'the budget is attached' WHERE subject = 'Quarterly 100% report'")
    cli = client(web)
    cli.login(addr)
    inbox, _ = folder_id(cli, "INBOX")

    def subjects(query):
        r, body = cli.request("GET", "/api/search?" + query)
        assert r.status == 200, body
        return sorted(m["subject"] for m in body["results"])

    assert subjects("q=quarterly") == ["Quarterly 100% report"]  # not the other account's
    assert subjects("from=CAROL") == ["Quarterly 100% report"]
    assert subjects("subject=100%25") == ["Quarterly 100% report"]
    assert subjects("subject=1_0") == []  # LIKE wildcards are literal
    assert subjects("text=budget") == ["Quarterly 100% report"]
    pg.psql("UPDATE message_meta SET body_text = body_text_pending, body_text_pending = NULL "
            "WHERE subject = 'Quarterly 100% report'")
    assert subjects("text=budget") == ["Quarterly 100% report"]
    assert subjects("q=BUDGET") == ["Quarterly 100% report"]
    assert subjects(f"from=dave&folder={inbox}") == ["lunch"]
    assert subjects("to=someone&subject=lunch") == ["lunch"]
    r, body = cli.request("GET", "/api/search")
    assert r.status == 400
    other_inbox = int(pg.psql("SELECT m.id FROM mailboxes m JOIN accounts a ON a.id = "
                              f"m.account_id WHERE a.address = '{other}' AND m.name = 'INBOX'"))
    r, body = cli.request("GET", f"/api/search?q=secret&folder={other_inbox}")
    assert r.status == 404


def test_live_events_over_sse(pg, stack, web):
    stack.start("bus")
    addr, stranger = new_account(stack, "live"), new_account(stack, "live")
    uid = deliver_meta(pg, addr, mail("live one"), "live one", "a@example.org")
    cli = client(web)
    cli.login(addr)
    inbox, _ = folder_id(cli, "INBOX")
    c = http.client.HTTPConnection("127.0.0.1", cli.port, timeout=20)
    c.request("GET", "/api/events")
    r = c.getresponse()
    assert r.status == 401
    r.read()
    c.close()
    c = http.client.HTTPConnection("127.0.0.1", cli.port, timeout=20)
    c.request("GET", "/api/events", headers={"Cookie": cli.cookie, "Accept": "text/event-stream"})
    r = c.getresponse()
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/event-stream")
    assert r.readline() == b": ready\n" and r.readline() == b"\n"
    # another account's change is not seen; our own flag change is (SUB joins asynchronously,
    # so the change is repeated until an event arrives)
    other = client(web)
    other.login(stranger)
    other.request("POST", "/api/folders", {"name": "Elsewhere"})
    seen = False
    for attempt in range(20):
        cli.request("PATCH", f"/api/folders/{inbox}/messages",
                    {"uids": [uid], "seen": attempt % 2 == 0})
        c.sock.settimeout(0.5)
        try:
            line = r.readline()
        except TimeoutError:
            continue
        assert line == b"event: mailbox\n", line
        data = json.loads(r.readline().decode().removeprefix("data: "))
        assert data["folder"] == inbox and data["kind"] == "flags", data
        seen = True
        break
    assert seen
    c.close()


def test_filter_rules_same_rows_as_the_cli(stack, web):
    addr = new_account(stack, "rules")
    r = stack.merpati("rule", "add", addr, "--name", "cli", "--from", "boss", "--seen")
    assert r.returncode == 0, r.stdout + r.stderr
    cli = client(web)
    cli.login(addr)
    r, body = cli.request("GET", "/api/rules")
    assert r.status == 200 and len(body["rules"]) == 1
    cli_rule = body["rules"][0]
    assert cli_rule["name"] == "cli" and cli_rule["actions"] == [{"seen": True}]
    assert cli_rule["conditions"][0]["field"] == "from"
    new = [{"name": "lists", "conditions": [{"field": "header", "name": "List-Id",
                                             "op": "contains", "value": "announce"}],
            "actions": [{"fileinto": "Archive"}, {"stop": True}]},
           {"name": cli_rule["name"], "conditions": cli_rule["conditions"],
            "actions": cli_rule["actions"], "enabled": False}]
    r, body = cli.request("PUT", "/api/rules", {"rules": new})
    assert r.status == 200, body
    assert [x["name"] for x in body["rules"]] == ["lists", "cli"]
    assert [x["position"] for x in body["rules"]] == [0, 1] and body["rules"][1]["enabled"] is False
    r = stack.merpati("rule", "list", addr)
    assert r.returncode == 0 and "lists" in r.stdout and "Archive" in r.stdout, r.stdout
    for bad in ([{"conditions": [], "actions": []}],
                [{"conditions": [{"field": "body", "op": "contains", "value": "x"}],
                  "actions": [{"seen": True}]}],
                [{"conditions": [], "actions": [{"fileinto": ""}]}],
                [{"conditions": [], "actions": [{"seen": True, "stop": True}]}],
                [{"conditions": [{"field": "size", "op": "over", "value": "big"}],
                  "actions": [{"discard": True}]}]):
        r, body = cli.request("PUT", "/api/rules", {"rules": bad})
        assert r.status == 400, bad
    assert len(cli.request("GET", "/api/rules")[1]["rules"]) == 2
    r, body = cli.request("PUT", "/api/rules", {"rules": []}, csrf=False)
    assert r.status == 403


def form(filename, data, ctype="application/octet-stream", field="file"):
    """form - a multipart/form-data body (RFC 7578) with one file field, and its type"""
    boundary = "----merpati-form-7f3a"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n").encode()
    return (head + data + f"\r\n--{boundary}--\r\n".encode(),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def upload(cli, filename, data, **kw):
    body, headers = form(filename, data, **kw)
    return cli.request("POST", "/api/uploads", raw=body, headers=headers)


def test_uploads_attached_to_sent_mail_then_removed(pg, stack, web):
    a, b, other = (new_account(stack, n) for n in ("upl", "upr", "upo"))
    cli, stranger = client(web), client(web)
    cli.login(a)
    stranger.login(other)
    payload = bytes(range(256)) * 100 + b"\r\n.\r\n\x00end"       # 25.6k, binary
    body, headers = form("x.bin", payload)
    r, out = cli.request("POST", "/api/uploads", raw=body, headers=headers, csrf=False)
    assert r.status == 403 and out["error"] == "csrf"
    r, out = upload(cli, "Bericht über März.pdf", payload, ctype="application/pdf")
    assert r.status == 201, out
    assert out["filename"] == "Bericht über März.pdf" and out["type"] == "application/pdf"
    assert out["size"] == len(payload) and len(out["upload"]) == 36
    mine = out["upload"]
    r, out = upload(cli, "big.bin", b"z" * (100 * 1024))          # MAX_UPLOAD is 64k here
    assert r.status == 413 and out["error"] == "too_large"
    r, out = upload(cli, "x.bin", payload, field="other")
    assert r.status == 400
    r, out = cli.request("POST", "/api/uploads", raw=b"{}", headers={"Content-Type": "application/json"})
    assert r.status == 400
    r, theirs = upload(stranger, "theirs.txt", b"not yours", ctype="text/plain")
    assert r.status == 201
    for bad in (theirs["upload"], "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        r, out = cli.request("POST", "/api/send", {"to": [b], "subject": "s", "attachments": [bad]})
        assert r.status == 404 and out["error"] == "not_found", (bad, out)
    assert pg.psql(f"SELECT count(*) FROM queue_in WHERE sender = '{a}'").strip() == "0"
    r, out = cli.request("POST", "/api/drafts", {"to": [b], "subject": "draft with file",
                                                 "attachments": [mine]})
    assert r.status == 200, out
    r, raw = cli.request("GET", f"/api/folders/{out['folder']}/messages/{out['uid']}/raw")
    parts = list(email.message_from_bytes(raw, policy=email.policy.default).iter_attachments())
    assert [p.get_content() for p in parts] == [payload]           # the upload stays for send
    r, out = cli.request("POST", "/api/send", {"to": [b], "subject": "with file",
                                               "text": "see attached", "attachments": [mine]})
    assert r.status == 200 and out["sent_copy"] is True, out
    sent, _ = folder_id(cli, "Sent")
    r, raw = cli.request("GET", f"/api/folders/{sent}/messages/{out['sent_uid']}/raw")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/mixed"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == "see attached"
    parts = list(msg.iter_attachments())
    assert [p.get_filename() for p in parts] == ["Bericht über März.pdf"]
    assert parts[0].get_content_type() == "application/pdf"
    assert parts[0]["Content-Transfer-Encoding"] == "base64"
    assert parts[0].get_content() == payload
    assert b"filename*=" in raw                                      # RFC 2231
    r, out = cli.request("POST", "/api/send", {"to": [b], "subject": "again", "attachments": [mine]})
    assert r.status == 404                                           # removed once sent
    assert pg.psql(f"SELECT count(*) FROM webmail_uploads WHERE id = '{theirs['upload']}'").strip() == "1"


def test_reply_flags_original_answered_with_modseq_and_event(pg, stack, web):
    stack.start("bus")
    a, b = new_account(stack, "ans"), new_account(stack, "ansb")
    uid = deliver_meta(pg, a, mail("Question"), "Question", b)
    pg.psql("UPDATE message_meta SET message_id = '<Question@x>' WHERE subject = 'Question'")
    cli = client(web)
    cli.login(a)
    inbox, _ = folder_id(cli, "INBOX")

    def row():
        out = pg.psql(f"SELECT flags, modseq FROM mailbox_messages WHERE mailbox_id = {inbox} "
                      f"AND uid = {uid}").split("|")
        return int(out[0]), int(out[1])

    c = http.client.HTTPConnection("127.0.0.1", cli.port, timeout=20)
    c.request("GET", "/api/events", headers={"Cookie": cli.cookie, "Accept": "text/event-stream"})
    r = c.getresponse()
    assert r.readline() == b": ready\n" and r.readline() == b"\n"
    c.sock.settimeout(0.5)
    for attempt in range(20):                       # until the subscription has joined
        cli.request("PATCH", f"/api/folders/{inbox}/messages", {"uids": [uid], "seen": True})
        try:
            if r.readline() == b"event: mailbox\n":
                r.readline(), r.readline()
                break
        except TimeoutError:
            continue
    flags, modseq = row()
    assert flags & 2 == 0
    r2, out = cli.request("POST", "/api/send", {"to": [b], "subject": "Re: Question",
                                                "text": "yes", "in_reply_to": "<Question@x>",
                                                "references": "<Question@x>"})
    assert r2.status == 200, out
    flags, after = row()
    assert flags & 2 and after > modseq
    r2, lst = cli.request("GET", f"/api/folders/{inbox}/messages")
    assert [m["flags"]["answered"] for m in lst["messages"]] == [True]
    kinds = set()
    c.sock.settimeout(5)
    while ("flags", inbox) not in kinds:
        line = r.readline()
        if line.startswith(b"data: "):
            d = json.loads(line.decode().removeprefix("data: "))
            kinds.add((d["kind"], d["folder"]))
    c.close()
    r2, out = cli.request("POST", "/api/send", {"to": [b], "subject": "Re: Question",
                                                "text": "again", "in_reply_to": "<Question@x>"})
    assert r2.status == 200 and row()[1] == after     # already \Answered: no new modseq


def test_forward_attaches_the_original_as_message_rfc822(pg, stack, web):
    a, b, other = (new_account(stack, n) for n in ("fwd", "fwdb", "fwdo"))
    original = mail("Forward me")
    uid = deliver_meta(pg, a, original, "Forward me", b)
    cli, stranger = client(web), client(web)
    cli.login(a)
    stranger.login(other)
    inbox, _ = folder_id(cli, "INBOX")
    r, out = stranger.request("POST", "/api/send", {"to": [b], "subject": "Fwd: theirs",
                                                    "forward": {"folder": inbox, "uid": uid}})
    assert r.status == 404 and out["error"] == "not_found"
    r, out = cli.request("POST", "/api/send", {"to": [b], "subject": "Fwd", "forward": {"folder": inbox}})
    assert r.status == 400
    r, out = cli.request("POST", "/api/send", {"to": [b], "subject": "Fwd", "forward": {"folder": inbox, "uid": uid + 5}})
    assert r.status == 404
    r, out = cli.request("POST", "/api/send", {"to": [b], "subject": "Fwd: Forward me",
                                               "text": "FYI", "forward": {"folder": inbox, "uid": uid}})
    assert r.status == 200 and out["sent_copy"] is True, out
    sent, _ = folder_id(cli, "Sent")
    r, raw = cli.request("GET", f"/api/folders/{sent}/messages/{out['sent_uid']}/raw")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == "FYI"
    parts = list(msg.iter_attachments())
    assert [p.get_content_type() for p in parts] == ["message/rfc822"]
    assert parts[0]["Content-Transfer-Encoding"] in (None, "7bit", "8bit")   # RFC 2046 5.2.1
    inner = parts[0].get_content()
    assert inner["Subject"] == "Forward me" and inner["Message-ID"] == "<Forward-me@x>"
    assert inner.get_content().replace("\r\n", "\n") == "plain body of Forward me\n"
    assert pg.psql(f"SELECT count(*) FROM queue_in WHERE sender = '{a}'").strip() == "1"
