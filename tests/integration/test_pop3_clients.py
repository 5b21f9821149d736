"""Real POP3 clients against merpati-pop3: fetchmail (keep, then UIDL-driven "only new
mail", then download-and-delete), curl's pop3:// URLs, and neomutt over POP3S (read,
pipe, delete)."""
import os
import shutil
import subprocess

import pytest

from test_pop3_helpers import PASSWORD, deliver, inbox_uids, message, new_account

FETCHMAIL = shutil.which("fetchmail")
CURL = shutil.which("curl")


def run_fetchmail(tmp_path, port, address, options):
    """run_fetchmail - one fetchmail run delivering to a file per message; returns
    (exit status, list of delivered message bytes so far)"""
    home = tmp_path / "home"
    spool = tmp_path / "spool"
    home.mkdir(exist_ok=True)
    spool.mkdir(exist_ok=True)
    rc = home / "fetchmailrc"
    rc.write_text(f'poll 127.0.0.1 service {port} protocol pop3 uidl\n'
                  f'  user "{address}" password "{PASSWORD}"\n'
                  f'  mda "/bin/sh -c \'cat > {spool}/$$.$(date +%s%N)\'"\n'
                  f'  {options}\n')
    rc.chmod(0o600)
    env = dict(os.environ, HOME=str(home), FETCHMAILHOME=str(home))
    r = subprocess.run([FETCHMAIL, "-f", str(rc), "-i", str(home / "fetchids"), "--nosyslog",
                        "--nodetach", "-v"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    got = [p.read_bytes() for p in sorted(spool.iterdir())]
    return r.returncode, got, r.stdout


@pytest.mark.skipif(FETCHMAIL is None, reason="fetchmail is not installed (make deps)")
def test_fetchmail_keep_uidl_then_delete(pg, stack, tmp_path):
    proc = stack.start("pop3")
    port = proc.port("MERPATI_POP3_LISTEN")
    addr = new_account(stack)
    for n in range(3):
        deliver(pg, addr, message(n))
    # 1: keep, over STLS (self-signed certificate: no verification)
    rc, got, log = run_fetchmail(tmp_path, port, addr, 'keep sslproto "auto" no sslcertck')
    assert rc == 0, log
    assert len(got) == 3, log
    assert "STLS" in log
    assert sorted(b"Subject: message %d" % n in m for m in got for n in range(3)).count(True) == 3
    assert len(inbox_uids(pg, addr)) == 3
    # 2: keep again: UIDL shows nothing is new (exit 1: no mail)
    rc, got, log = run_fetchmail(tmp_path, port, addr, 'keep sslproto ""')
    assert rc == 1, log
    assert len(got) == 3, log
    # 3: one new message: exactly that one is fetched
    deliver(pg, addr, message(7))
    rc, got, log = run_fetchmail(tmp_path, port, addr, 'keep sslproto ""')
    assert rc == 0, log
    assert len(got) == 4 and sum(b"Subject: message 7" in m for m in got) == 1, log
    # 4: without keep, fetchall: everything is downloaded and deleted on the server
    rc, got, log = run_fetchmail(tmp_path, port, addr, 'fetchall nokeep sslproto ""')
    assert rc == 0, log
    assert len(got) == 8, log
    assert inbox_uids(pg, addr) == []


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_curl_list_retr_uidl(pg, stack):
    proc = stack.start("pop3")
    port = proc.port("MERPATI_POP3_LISTEN")
    addr = new_account(stack)
    raws = [message(1), message(2, extra=b".dotted\r\n")]
    for raw in raws:
        deliver(pg, addr, raw)
    base = f"pop3://127.0.0.1:{port}/"
    user = ["--user", f"{addr}:{PASSWORD}"]
    r = subprocess.run([CURL, "-s", "-S", *user, base], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"1 %d\r\n2 %d\r\n" % (len(raws[0]), len(raws[1]))
    r = subprocess.run([CURL, "-s", "-S", *user, base + "2"], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == raws[1]
    r = subprocess.run([CURL, "-s", "-S", *user, "-X", "UIDL", base], capture_output=True,
                       timeout=60)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2, r
    # curl's --ssl-reqd uses STLS on the plain port (RFC 2595)
    r = subprocess.run([CURL, "-s", "-S", "-k", "--ssl-reqd", *user, base + "1"],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == raws[0]
    r = subprocess.run([CURL, "-s", "-S", "--user", f"{addr}:wrong", base], capture_output=True,
                       timeout=60)
    assert r.returncode == 67, r  # CURLE_LOGIN_DENIED


NEOMUTT = shutil.which("neomutt")


@pytest.mark.skipif(NEOMUTT is None, reason="neomutt is not installed (make deps)")
def test_neomutt_reads_pipes_and_deletes_over_pop3s(pg, stack, tmp_path):
    from test_imap_clients import run_in_pty   # neomutt wants a terminal
    proc = stack.start("pop3")
    addr = new_account(stack)
    first, second = message(1, body_lines=5), message(2, body_lines=7)
    deliver(pg, addr, first)
    deliver(pg, addr, second)
    uids = inbox_uids(pg, addr)
    home = tmp_path / "neomutt"
    home.mkdir()
    piped = home / "piped"
    rc = home / "neomuttrc"
    # the server's own self-signed certificate is the one neomutt trusts
    cert = tmp_path / "stack" / "pop3" / "state" / "tls" / "cert.pem"
    # folder: an existing directory, so nothing asks to create ~/Mail
    rc.write_text(f"""set folder = "{home}"
set pop_user = "{addr}"
set pop_pass = "{PASSWORD}"
set certificate_file = "{cert}"
set ssl_verify_host = no
set ssl_force_tls = yes
set record = ""
set postponed = ""
set editor = "/bin/false"
set wait_key = no
set pipe_decode = no
set delete = yes
set quit = yes
set move = no
set sort = mailbox-order
""")
    pipe = f"<pipe-message>cat >> {piped}<enter>"
    keys = f"{pipe}<delete-message>{pipe}<quit>"   # delete-message moves on to the next
    url = f"pops://127.0.0.1:{proc.port('MERPATI_POP3S_LISTEN')}/"
    code, screen = run_in_pty([NEOMUTT, "-n", "-F", str(rc), "-f", url, "-e", f"push '{keys}'"],
                              dict(os.environ, HOME=str(home), TERM="xterm"), 120)
    assert code == 0, screen[-2000:]
    got = piped.read_bytes()
    # both messages, byte for byte (neomutt writes LF line ends), the first one first
    want = [m.replace(b"\r\n", b"\n") for m in (first, second)]
    assert want[0] in got and want[1] in got, got[:2000]
    assert got.index(want[0]) < got.index(want[1]), got[:2000]
    # the deletion happened at QUIT (RFC 1939 6): only the second message is left
    assert inbox_uids(pg, addr) == [uids[1]]
