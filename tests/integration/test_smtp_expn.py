"""EXPN (RFC 5321 3.5.2) with smtplib: refused unless MERPATI_SMTP_EXPN=auth and the session
is authenticated; then an alias expands to its targets, an account to itself."""
import smtplib

from test_smtp_support import ALICE, BOB, DOMAIN, PASSWORD, SALES, port, start_smtp

TEAM = f"team@{DOMAIN}"
FRIEND = "friend@foreign.example"


def add_team(stack):
    """add_team - team@ -> alice, bob and a foreign address, in that order"""
    for target in (ALICE, BOB, FRIEND):
        stack.merpati("alias", "add", TEAM, target)


def test_expn_off_by_default(stack):
    smtp = start_smtp(stack, MERPATI_PLAINTEXT_AUTH="loopback")
    with smtplib.SMTP("127.0.0.1", port(smtp, "submission")) as c:
        c.ehlo()
        assert c.expn(SALES) == (502, b"5.5.1 Command not implemented")
        c.login(ALICE, PASSWORD)
        assert c.expn(SALES) == (502, b"5.5.1 Command not implemented")
    with smtplib.SMTP("127.0.0.1", port(smtp)) as c:
        assert c.expn(SALES)[0] == 502


def test_expn_auth_needs_authentication(stack):
    smtp = start_smtp(stack, MERPATI_PLAINTEXT_AUTH="loopback", MERPATI_SMTP_EXPN="auth")
    add_team(stack)
    with smtplib.SMTP("127.0.0.1", port(smtp, "submission")) as c:
        c.ehlo()
        assert b" EXPN " not in c.help()
        assert c.expn(TEAM) == (502, b"5.5.1 Command not implemented")
    # the MX port has no AUTH, so nobody there is authenticated
    with smtplib.SMTP("127.0.0.1", port(smtp)) as c:
        c.ehlo()
        assert c.expn(TEAM) == (502, b"5.5.1 Command not implemented")


def test_expn_auth_with_authentication(stack):
    smtp = start_smtp(stack, MERPATI_PLAINTEXT_AUTH="loopback", MERPATI_SMTP_EXPN="auth")
    add_team(stack)
    with smtplib.SMTP("127.0.0.1", port(smtp, "submission")) as c:
        c.ehlo()
        c.login(BOB, PASSWORD)
        assert b" EXPN " in c.help()                 # HELP lists it once it is available
        code, text = c.expn(TEAM.upper())
        assert code == 250
        assert text.decode().split("\n") == [f"2.1.5 <{ALICE}>", f"2.1.5 <{BOB}>",
                                             f"2.1.5 <{FRIEND}>"]
        assert c.expn(f"<{SALES}>") == (250, f"2.1.5 <{ALICE}>".encode())
        # an account is a list of one (RFC 5321 3.5.2), its forwards stay private
        assert c.expn(ALICE) == (250, f"2.1.5 <{ALICE}>".encode())
        assert c.expn(f"nobody@{DOMAIN}") == (550, b"5.1.1 Mailbox or list unknown")
        assert c.expn("someone@foreign.example")[0] == 550
        assert c.expn("team")[0] == 501  # a bare name: which of our domains?
        assert c.noop()[0] == 250
