"""vCard import into the webmail's address book (POST /api/contacts/import, RFC 6350): a
file of several cards with folded lines, escapes and several EMAILs is imported, merged
with what the book holds, and exported again with the same values; a malformed file is
refused with its reason and imports nothing."""
from test_pop3_helpers import new_account
from test_webmail_api import client, web, static_dir  # noqa: F401 (fixtures)

VCARDS = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\n"
    "FN:Bob\\; Jr\\, the second\r\n"
    "EMAIL;TYPE=work:bob@x.org\r\n"
    "EMAIL;TYPE=home:robert@y.org\r\n"
    "TEL;VALUE=uri:tel:+62-21-555\r\n"
    "NOTE:met at\\nthe conference\\, twice; a note long enough to be fol\r\n"
    " ded by the exporting client\r\n"
    "END:VCARD\r\n"
    "\r\n"
    "BEGIN:VCARD\n"
    "VERSION:3.0\n"
    "N:Doe;Jane;;;\n"
    "item1.EMAIL;TYPE=INTERNET:ja\n"
    "\tne@example.org\n"
    "END:VCARD\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Known Again\r\nEMAIL:KNOWN@example.org\r\n"
    "TEL:+1 555 0100\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:No address\r\nTEL:123\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Broken\r\nEMAIL:not-an-address\r\nEND:VCARD\r\n"
)


def post_vcard(cli, data, ctype="text/vcard; charset=utf-8"):
    return cli.request("POST", "/api/contacts/import", raw=data.encode()
                       if isinstance(data, str) else data, headers={"Content-Type": ctype})


def unfold_cards(vcf):
    """unfold_cards - the exported cards as lists of (name, value) lines"""
    text = vcf.decode().replace("\r\n ", "").replace("\r\n\t", "")
    cards, cur = [], None
    for line in text.split("\r\n"):
        if line == "BEGIN:VCARD":
            cur = []
        elif line == "END:VCARD":
            cards.append(cur)
        elif cur is not None and line:
            cur.append(tuple(line.split(":", 1)))
    return cards


def test_import_merge_and_export(stack, web):
    a, b = new_account(stack, "vcf"), new_account(stack, "vcf")
    cli, other = client(web), client(web)
    cli.login(a)
    other.login(b)
    r, body = cli.request("POST", "/api/contacts", {"name": "Known", "emails": ["known@example.org"],
                                                    "notes": "kept"})
    assert r.status == 201, body
    r, body = post_vcard(cli, VCARDS)
    assert r.status == 200, body
    assert (body["cards"], body["created"], body["updated"], body["skipped"]) == (5, 3, 1, 2)
    assert body["imported"] == 4
    reasons = {(s["card"], s["email"]): s["reason"] for s in body["skipped_list"]}
    assert reasons == {(4, ""): "no EMAIL", (5, "not-an-address"): "not an email address"}
    r, body = cli.request("GET", "/api/contacts")
    got = {c["emails"][0]: (c["name"], c["phone"], c["notes"]) for c in body["contacts"]}
    note = "met at\nthe conference, twice; a note long enough to be folded by the exporting client"
    assert got == {
        "bob@x.org": ("Bob; Jr, the second", "+62-21-555", note),
        "robert@y.org": ("Bob; Jr, the second", "+62-21-555", note),
        "jane@example.org": ("Jane Doe", "", ""),
        # merged: the card's name and phone replace the stored ones, the notes stay
        "known@example.org": ("Known Again", "+1 555 0100", "kept"),
    }
    assert other.request("GET", "/api/contacts")[1]["contacts"] == []
    # export and read back: the same values, escaped again
    r, vcf = cli.request("GET", "/api/contacts.vcf")
    cards = unfold_cards(vcf)
    assert len(cards) == 4
    bob = [c for c in cards if ("EMAIL", "bob@x.org") in c][0]
    assert ("FN", "Bob\\; Jr\\, the second") in bob and ("TEL", "+62-21-555") in bob
    assert ("NOTE", note.replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")) in bob
    # importing the export changes nothing: every address is merged with itself
    r, body = post_vcard(cli, vcf)
    assert r.status == 200 and (body["created"], body["updated"], body["skipped"]) == (0, 4, 0)
    r, again = cli.request("GET", "/api/contacts")
    assert {c["emails"][0]: (c["name"], c["phone"], c["notes"])
            for c in again["contacts"]} == got


def test_malformed_imports_nothing(stack, web):
    a = new_account(stack, "vcfbad")
    cli = client(web)
    cli.login(a)
    good = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Good\r\nEMAIL:good@x.org\r\nEND:VCARD\r\n"
    cases = [
        (good + "BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE:=C3=A9\r\n"
         "EMAIL;INTERNET:old@x.org\r\nEND:VCARD\r\n", "card 2: vCard 2.1"),
        (good + "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE;ENCODING=QUOTED-PRINTABLE:=C3=A9\r\n"
         "EMAIL:qp@x.org\r\nEND:VCARD\r\n", "card 2: quoted-printable"),
        (good + "BEGIN:VCARD\r\nFN:cut short\r\nEMAIL:cut@x.org\r\n", "card 2: no END:VCARD"),
        (good + "BEGIN:VCARD\r\nthis line has no colon\r\nEND:VCARD\r\n", "card 2:"),
        ("FN:Nobody\r\n", "card 1: expected BEGIN:VCARD"),
        ("\r\n\r\n", "no vCard"),
    ]
    for data, reason in cases:
        r, body = post_vcard(cli, data)
        assert r.status == 400 and body["error"] == "bad_request", (data, body)
        assert body["message"].startswith(reason), (reason, body)
    r, body = post_vcard(cli, good, ctype="application/json")
    assert r.status == 400
    r, body = post_vcard(cli, "BEGIN:VCARD\r\n" + "NOTE:" + "x" * 70000 + "\r\n")
    assert r.status == 400
    r, body = post_vcard(cli, "BEGIN:VCARD\nEND:VCARD\n" * 5001)
    assert r.status == 400 and body["message"] == "more than 5000 cards in one import", body
    assert cli.request("GET", "/api/contacts")[1]["contacts"] == []
    r, body = cli.request("POST", "/api/contacts/import", raw=good.encode(),
                          headers={"Content-Type": "text/vcard"}, csrf=False)
    assert r.status == 403 and body["error"] == "csrf"
    assert cli.request("GET", "/api/contacts")[1]["contacts"] == []
