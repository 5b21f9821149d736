"""test_cli - the `merpati` admin program against a real PostgreSQL (the `pg` fixture).

Every command is run as a real process. Every refusal is checked three ways: the exit
status, exactly one line on stderr naming the problem, and a snapshot of the tables that
does not change (one transaction per command).
"""
import ctypes
import os
import pty
import select
import signal
import subprocess
import time
import uuid

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("MERPATI_BUILD_DIR", "build")
MERPATI = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(REPO, BUILD),
                       "admin", "merpati")
MIGRATIONS = sorted(f[:-4] for f in os.listdir(os.path.join(REPO, "db", "migrations"))
                    if f.endswith(".sql"))

# Cheap argon2id parameters keep the tests quick; the hashes are still real argon2id.
FAST = {"MERPATI_ARGON2_OPSLIMIT": "1", "MERPATI_ARGON2_MEMLIMIT": "8M",
        "MERPATI_HOSTNAME": "mail.merpati.test"}

# What a refused command must leave untouched: every row of these tables.
SNAPSHOT_TABLES = ["domains", "accounts", "aliases", "forwards", "mailboxes", "mailbox_acl",
                   "filter_rules", "queue_in", "queue_out", "delivery_events",
                   "schema_migrations"]
SNAPSHOT_SQL = "SELECT " + " || '#' || ".join(
    f"(SELECT coalesce(string_agg(t::text, ';' ORDER BY t::text), '') FROM {table} t)"
    for table in SNAPSHOT_TABLES)


pytestmark = pytest.mark.skipif(not os.access(MERPATI, os.X_OK),
                                reason=f"{MERPATI} is not built")


def run(pg, *args, input=None, env=None):
    """run - merpati ARGS with MERPATI_DB of the test cluster; the CompletedProcess"""
    e = dict(pg.env, **FAST)
    e.update(env or {})
    return subprocess.run([MERPATI, *args], input=input, env=e, capture_output=True,
                          text=True, timeout=120)


def ok(pg, *args, **kw):
    """ok - run, expect success with nothing on stderr; stdout"""
    r = run(pg, *args, **kw)
    assert r.returncode == 0, f"merpati {' '.join(args)}: {r.returncode} {r.stderr}"
    assert r.stderr == ""
    return r.stdout


def snapshot(pg):
    """snapshot - every row a command could change, as one text"""
    return pg.psql(SNAPSHOT_SQL)


def refused(pg, code, *args, says, **kw):
    """refused - run, expect exit code, ONE stderr line containing says, no change"""
    before = snapshot(pg)
    r = run(pg, *args, **kw)
    lines = r.stderr.splitlines()
    assert r.returncode == code, f"merpati {' '.join(args)}: {r.returncode} {r.stderr}"
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("merpati: "), lines[0]
    assert says in lines[0], lines[0]
    assert r.stdout == ""
    assert snapshot(pg) == before
    return lines[0]


@pytest.fixture
def domain(pg):
    """domain - a fresh domain name, added"""
    name = f"d{uuid.uuid4().hex[:10]}.test"
    ok(pg, "domain", "add", name)
    return name


def add_user(pg, address, password="correct horse battery", *extra):
    """add_user - merpati user add with the password on stdin"""
    return ok(pg, "user", "add", address, "--password-stdin", *extra, input=password + "\n")


def argon2_verify(hash_text, password):
    """argon2_verify - libsodium's own check of an argon2id hash string"""
    sodium = ctypes.CDLL("libsodium.so.23")
    assert sodium.sodium_init() >= 0
    pw = password.encode()
    return sodium.crypto_pwhash_str_verify(hash_text.encode(), pw, ctypes.c_ulonglong(len(pw))) == 0


def fresh_database(pg):
    """fresh_database - an empty database in the test cluster; its conninfo"""
    name = f"m{uuid.uuid4().hex[:12]}"
    pg.psql(f"CREATE DATABASE {name} OWNER merpati", user="postgres", db="postgres")
    return pg.dsn.replace("dbname=merpati", f"dbname={name}")


# --- migrate -------------------------------------------------------------------------------

def test_migrate_applies_in_order_then_nothing_to_do(pg):
    dsn = fresh_database(pg)
    out = ok(pg, "migrate", env={"MERPATI_DB": dsn})
    applied = [line.split()[1] for line in out.splitlines() if line.startswith("applied 0")]
    assert applied == MIGRATIONS
    again = ok(pg, "migrate", env={"MERPATI_DB": dsn})
    assert again.startswith("nothing to do")
    assert "applied 0" not in again
    status = ok(pg, "migrate", "--status", env={"MERPATI_DB": dsn})
    assert status.split() == [w for m in MIGRATIONS for w in ("applied", m)]


def test_migrate_records_each_version(pg):
    rows = pg.psql("SELECT version, name FROM schema_migrations ORDER BY version").splitlines()
    assert [r.split("|")[1] for r in rows] == MIGRATIONS
    assert [int(r.split("|")[0]) for r in rows] == [int(m[:4]) for m in MIGRATIONS]


def test_concurrent_migrators_apply_each_file_once(pg):
    dsn = fresh_database(pg)
    env = dict(pg.env, **FAST, MERPATI_DB=dsn)
    procs = [subprocess.Popen([MERPATI, "migrate"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, rc in results:
        assert rc == 0, err
        assert err == ""
    applied = [line.split()[1] for out, _, _ in results for line in out.splitlines()
               if line.startswith("applied 0")]
    assert sorted(applied) == MIGRATIONS
    assert sum(out.startswith("nothing to do") for out, _, _ in results) >= 1
    count = pg.psql("SELECT count(*), count(DISTINCT version) FROM schema_migrations",
                    db=dsn.split("dbname=")[1].split()[0])
    assert count == f"{len(MIGRATIONS)}|{len(MIGRATIONS)}"


def test_failed_migration_is_rolled_back_and_exits_4(pg):
    dsn = fresh_database(pg)
    db = dsn.split("dbname=")[1].split()[0]
    # a table in the way: 0001 creates domains and accounts, keeps this aliases table
    # (IF NOT EXISTS), then cannot index its missing columns
    pg.psql("CREATE TABLE aliases (id integer)", db=db)
    r = run(pg, "migrate", env={"MERPATI_DB": dsn})
    assert r.returncode == 4
    assert r.stderr.startswith(f"merpati: migrate: {MIGRATIONS[0]}: database error:")
    assert len(r.stderr.splitlines()) == 1
    assert pg.psql("SELECT count(*) FROM schema_migrations", db=db) == "0"
    assert pg.psql("SELECT to_regclass('domains') IS NULL AND to_regclass('accounts') IS NULL",
                   db=db) == "t"


def test_migrate_refuses_arguments(pg):
    refused(pg, 1, "migrate", "now", says="too many arguments")
    refused(pg, 1, "migrate", "--fast", says="unknown option '--fast'")


# --- configuration and reachability ------------------------------------------------------

def test_unreachable_database_exits_3(pg, tmp_path):
    r = run(pg, "domain", "list", env={"MERPATI_DB": f"host={tmp_path} dbname=merpati"})
    assert r.returncode == 3
    assert len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith("merpati: domain list: cannot reach the database")


def test_malformed_db_setting_exits_2(pg):
    r = run(pg, "domain", "list", env={"MERPATI_DB": "nonsense==="})
    assert r.returncode == 2
    assert r.stderr.startswith("merpati: domain list: MERPATI_DB:")
    assert len(r.stderr.splitlines()) == 1


def test_bad_setting_of_lib_auth_exits_2(pg, domain):
    r = run(pg, "user", "add", f"u@{domain}", "--password-stdin", input="long enough pw\n",
            env={"MERPATI_ARGON2_MEMLIMIT": "lots"})
    assert r.returncode == 2
    assert "MERPATI_ARGON2_MEMLIMIT" in r.stderr
    assert pg.psql(f"SELECT count(*) FROM accounts WHERE address = 'u@{domain}'") == "0"


# --- help and usage ------------------------------------------------------------------------

def test_help_lists_every_command(pg):
    out = ok(pg, "help")
    for cmd in ("migrate", "domain", "user", "alias", "forward", "share", "queue", "rule",
                "dns"):
        assert f"\n  {cmd} " in out
    assert "Exit status" in out


@pytest.mark.parametrize("args,expect", [
    (["help", "rule"], "--fileinto MAILBOX"),
    (["rule", "--help"], "--header NAME:TEXT"),
    (["user", "add", "--help"], "--password-stdin"),
    (["share", "-h"], "RFC 4314"),
    (["queue", "--help"], "out:N"),
    (["dns", "--help"], "DMARC"),
    (["migrate", "--help"], "advisory lock"),
])
def test_command_help(pg, args, expect):
    assert expect in ok(pg, *args)


def test_unknown_command_and_subcommand(pg):
    refused(pg, 1, "frobnicate", says="unknown command 'frobnicate'")
    refused(pg, 1, "user", "frobnicate", says="user: unknown subcommand 'frobnicate'")
    refused(pg, 1, "user", says="missing subcommand")
    refused(pg, 1, "help", "frobnicate", says="unknown command")
    r = run(pg)
    assert r.returncode == 1 and "usage: merpati COMMAND" in r.stderr


# --- domains -------------------------------------------------------------------------------

def test_domain_add_list_remove(pg):
    name = f"D{uuid.uuid4().hex[:8]}.Example.TEST"
    out = ok(pg, "domain", "add", name)
    assert name.lower() in out
    assert name.lower() in ok(pg, "domain", "list").splitlines()
    assert pg.psql(f"SELECT name FROM domains WHERE name = '{name.lower()}'") == name.lower()
    assert "removed domain" in ok(pg, "domain", "remove", name.lower())
    assert name.lower() not in ok(pg, "domain", "list").splitlines()


def test_domain_refusals(pg, domain):
    refused(pg, 1, "domain", "add", domain.upper(), says=f"domain {domain} already exists")
    refused(pg, 1, "domain", "add", "not_a_domain", says="is not a domain name")
    refused(pg, 1, "domain", "add", "a..b", says="is not a domain name")
    refused(pg, 1, "domain", "add", "x" * 64 + ".test", says="is not a domain name")
    refused(pg, 1, "domain", "add", says="missing argument")
    refused(pg, 1, "domain", "remove", "nowhere.test", says="domain nowhere.test does not exist")


def test_domain_remove_refuses_with_accounts_unless_forced(pg, domain):
    add_user(pg, f"a@{domain}")
    add_user(pg, f"b@{domain}")
    refused(pg, 1, "domain", "remove", domain, says="still has 2 accounts")
    out = ok(pg, "domain", "remove", domain, "--force")
    assert "2 accounts" in out
    assert pg.psql(f"SELECT count(*) FROM accounts WHERE address LIKE '%@{domain}'") == "0"
    assert pg.psql(f"SELECT count(*) FROM domains WHERE name = '{domain}'") == "0"


def test_domain_admin_receives_role_mail(pg, domain):
    add_user(pg, f"first@{domain}")
    add_user(pg, f"boss@{domain}")
    out = ok(pg, "domain", "admin", domain, f"Boss@{domain}")
    assert f"postmaster@{domain}" in out
    assert pg.psql(f"SELECT a.address FROM domains d JOIN accounts a ON a.id = d.admin_account_id"
                   f" WHERE d.name = '{domain}'") == f"boss@{domain}"
    refused(pg, 1, "domain", "admin", domain, f"nobody@{domain}", says="does not exist")
    refused(pg, 1, "domain", "admin", "nowhere.test", f"boss@{domain}",
            says="domain nowhere.test does not exist")
    refused(pg, 1, "domain", "admin", domain, "not-an-address", says="is not a valid address")


# --- users ---------------------------------------------------------------------------------

def test_user_add_hashes_and_creates_default_folders(pg, domain):
    out = add_user(pg, f"Alice@{domain.upper()}", "correct horse battery", "--quota", "1G")
    alice = f"alice@{domain}"
    assert alice in out
    row = pg.psql(f"SELECT password_hash, quota_bytes FROM accounts WHERE address = '{alice}'")
    pw_hash, quota = row.split("|")
    assert pw_hash.startswith("$argon2id$")
    assert argon2_verify(pw_hash, "correct horse battery")
    assert not argon2_verify(pw_hash, "correct horse batterz")
    assert quota == str(1024 ** 3)
    folders = pg.psql(f"SELECT m.name, coalesce(m.special_use, '-') FROM mailboxes m"
                      f" JOIN accounts a ON a.id = m.account_id WHERE a.address = '{alice}'"
                      f" ORDER BY 1")
    assert folders.splitlines() == ["Archive|\\Archive", "Drafts|\\Drafts", "INBOX|-",
                                    "Junk|\\Junk", "Sent|\\Sent", "Trash|\\Trash"]
    listed = ok(pg, "user", "list", domain)
    assert listed.split()[0] == alice and "quota=1G" in listed


def test_user_refusals(pg, domain):
    add_user(pg, f"taken@{domain}")
    refused(pg, 1, "user", "add", f"taken@{domain}", "--password-stdin",
            input="long enough pw\n", says=f"user taken@{domain} already exists")
    refused(pg, 1, "user", "add", "x@unknown-domain.test", "--password-stdin",
            input="long enough pw\n", says="domain unknown-domain.test does not exist")
    refused(pg, 1, "user", "add", f"x@@{domain}", "--password-stdin",
            input="long enough pw\n", says="is not a valid address")
    refused(pg, 1, "user", "add", f"{'l' * 65}@{domain}", "--password-stdin",
            input="long enough pw\n", says="is not a valid address")
    refused(pg, 1, "user", "add", f"new@{domain}", "--password-stdin", input="short\n",
            says="password is too short")
    refused(pg, 1, "user", "add", f"new@{domain}", "--password-stdin", input="\n",
            says="password is empty")
    refused(pg, 1, "user", "add", f"new@{domain}", "--password-stdin", input="",
            says="no password on standard input")
    refused(pg, 1, "user", "add", f"new@{domain}", "--password-stdin",
            input="x" * 1025 + "\n", says="too long")
    refused(pg, 1, "user", "add", f"new@{domain}", "--quota", "lots", "--password-stdin",
            input="long enough pw\n", says="quota 'lots' is not a size")
    # no --password-stdin and no terminal: refuse rather than read a pipe unasked
    refused(pg, 1, "user", "add", f"new@{domain}", input="long enough pw\n",
            says="--password-stdin")
    refused(pg, 1, "user", "list", "unknown-domain.test", says="does not exist")


def test_user_passwd_quota_remove(pg, domain):
    bob = f"bob@{domain}"
    add_user(pg, bob, "first password")
    assert "changed" in ok(pg, "user", "passwd", bob, "--password-stdin",
                           input="second password\n")
    pw_hash = pg.psql(f"SELECT password_hash FROM accounts WHERE address = '{bob}'")
    assert argon2_verify(pw_hash, "second password")
    assert not argon2_verify(pw_hash, "first password")
    refused(pg, 1, "user", "passwd", bob, "--password-stdin", input="tiny\n",
            says="too short")
    refused(pg, 1, "user", "passwd", f"nobody@{domain}", "--password-stdin",
            input="long enough pw\n", says="does not exist")
    ok(pg, "user", "quota", bob, "500M")
    assert pg.psql(f"SELECT quota_bytes FROM accounts WHERE address = '{bob}'") == \
        str(500 * 1024 ** 2)
    assert "removed user" in ok(pg, "user", "remove", bob)
    assert pg.psql(f"SELECT count(*) FROM accounts WHERE address = '{bob}'") == "0"
    refused(pg, 1, "user", "remove", bob, says=f"user {bob} does not exist")


def test_user_add_prompts_twice_on_a_terminal(pg, domain):
    carol = f"carol@{domain}"
    out, rc = on_terminal(pg, ["user", "add", carol], ["typed secret 1", "typed secret 1"])
    assert rc == 0, out
    assert "typed secret 1" not in out  # no echo
    assert out.count("password") >= 1 and "Again" in out
    pw_hash = pg.psql(f"SELECT password_hash FROM accounts WHERE address = '{carol}'")
    assert argon2_verify(pw_hash, "typed secret 1")
    out, rc = on_terminal(pg, ["user", "passwd", carol], ["typed secret 2", "typed secret 3"])
    assert rc == 1 and "differ" in out
    assert pg.psql(f"SELECT password_hash FROM accounts WHERE address = '{carol}'") == pw_hash


def on_terminal(pg, args, answers):
    """on_terminal - run merpati on a pseudo-terminal, answering each prompt in turn"""
    env = dict(pg.env, **FAST)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(MERPATI, [MERPATI, *args], env)
    out, pending = b"", list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if pending and out.rstrip().endswith(b":"):
            os.write(fd, pending.pop(0).encode() + b"\n")
            out += b"\n"
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        os.kill(pid, signal.SIGKILL)  # still waiting for input: the test fails below
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    return out.decode(errors="replace"), os.waitstatus_to_exitcode(status)


# --- aliases and forwards ---------------------------------------------------------------

def test_alias_add_list_remove(pg, domain):
    add_user(pg, f"alice@{domain}")
    ok(pg, "alias", "add", f"Info@{domain}", f"alice@{domain}", "ext@elsewhere.example")
    ok(pg, "alias", "add", f"@{domain}", f"alice@{domain}")
    listed = ok(pg, "alias", "list", domain).splitlines()
    assert listed == [f"@{domain} -> alice@{domain}", f"info@{domain} -> alice@{domain}",
                      f"info@{domain} -> ext@elsewhere.example"]
    ok(pg, "alias", "remove", f"info@{domain}", "ext@elsewhere.example")
    assert len(ok(pg, "alias", "list", domain).splitlines()) == 2
    assert "2 targets" not in ok(pg, "alias", "remove", f"info@{domain}")
    assert ok(pg, "alias", "list", domain).splitlines() == [f"@{domain} -> alice@{domain}"]


def test_alias_refusals(pg, domain):
    ok(pg, "alias", "add", f"team@{domain}", f"a@{domain}")
    refused(pg, 1, "alias", "add", f"team@{domain}", f"A@{domain}", says="already exists")
    refused(pg, 1, "alias", "add", "team@unknown-domain.test", f"a@{domain}",
            says="domain unknown-domain.test does not exist")
    refused(pg, 1, "alias", "add", f"self@{domain}", f"self@{domain}", says="itself")
    # one bad target among good ones: nothing is added
    refused(pg, 1, "alias", "add", f"group@{domain}", f"a@{domain}", "not an address",
            says="is not a valid address")
    refused(pg, 1, "alias", "add", "@not_a_domain", f"a@{domain}", says="domain name")
    refused(pg, 1, "alias", "add", f"team2@{domain}", says="missing argument")
    refused(pg, 1, "alias", "remove", f"nobody@{domain}", says="there is no alias")
    refused(pg, 1, "alias", "remove", f"team@{domain}", f"b@{domain}",
            says=f"there is no alias team@{domain} -> b@{domain}")


def test_forward_add_list_remove(pg, domain):
    dave = f"dave@{domain}"
    add_user(pg, dave)
    ok(pg, "forward", "add", dave, "dave@elsewhere.example")
    assert ok(pg, "forward", "list", dave) == f"{dave} -> dave@elsewhere.example (not kept)\n"
    assert pg.psql(f"SELECT forward_keep_copy FROM accounts WHERE address = '{dave}'") == "f"
    ok(pg, "forward", "add", dave, "dave@other.example", "--keep")
    assert pg.psql(f"SELECT forward_keep_copy FROM accounts WHERE address = '{dave}'") == "t"
    assert len(ok(pg, "forward", "list", dave).splitlines()) == 2
    refused(pg, 1, "forward", "add", dave, "dave@other.example", says="exists already")
    refused(pg, 1, "forward", "add", f"nobody@{domain}", "x@y.example", says="does not exist")
    refused(pg, 1, "forward", "add", dave, dave, says="itself")
    ok(pg, "forward", "remove", dave, "dave@other.example")
    refused(pg, 1, "forward", "remove", dave, "dave@other.example", says="is not forwarded")
    assert ok(pg, "forward", "list", dave).count("\n") == 1


# --- shared mailboxes -----------------------------------------------------------------------

def test_share_grant_list_remove(pg, domain):
    owner, grantee = f"owner@{domain}", f"grantee@{domain}"
    add_user(pg, owner)
    add_user(pg, grantee)
    ok(pg, "share", owner, "INBOX", grantee, "rsl")
    rights = f"SELECT acl.rights FROM mailbox_acl acl JOIN mailboxes m ON m.id = acl.mailbox_id" \
             f" JOIN accounts o ON o.id = m.account_id WHERE o.address = '{owner}'"
    assert pg.psql(rights) == "lrs"  # RFC 4314 order
    ok(pg, "share", "add", owner, "inbox", grantee, "lrswipte")
    assert pg.psql(rights) == "lrswipte"
    assert ok(pg, "share", "list", grantee) == f"{owner} INBOX -> {grantee} lrswipte\n"
    ok(pg, "share", "remove", owner, "INBOX", grantee)
    assert pg.psql(rights) == ""


def test_share_refusals(pg, domain):
    owner, grantee = f"o@{domain}", f"g@{domain}"
    add_user(pg, owner)
    add_user(pg, grantee)
    refused(pg, 1, "share", owner, "INBOX", grantee, "lrz", says="'z' is not an RFC 4314 right")
    refused(pg, 1, "share", owner, "INBOX", grantee, "", says="no rights")
    refused(pg, 1, "share", owner, "Nope", grantee, "lr", says="has no mailbox 'Nope'")
    refused(pg, 1, "share", owner, "INBOX", f"nobody@{domain}", "lr", says="does not exist")
    refused(pg, 1, "share", f"nobody@{domain}", "INBOX", grantee, "lr", says="does not exist")
    refused(pg, 1, "share", owner, "INBOX", owner, "lr", says="owns the mailbox")
    refused(pg, 1, "share", "remove", owner, "INBOX", grantee, says="has no rights")
    refused(pg, 1, "share", owner, "INBOX", grantee, says="missing argument")


# --- filter rules ---------------------------------------------------------------------------

def test_rule_add_list_remove(pg, domain):
    erin = f"erin@{domain}"
    add_user(pg, erin)
    first = ok(pg, "rule", "add", erin, "--name", "lists", "--header", "List-Id:announce",
               "--fileinto", "Archive", "--seen", "--stop")
    ok(pg, "rule", "add", erin, "--from", "boss@corp.example", "--larger", "1M",
       "--flag", "\\flagged")
    ok(pg, "rule", "add", erin, "--position", "0", "--subject", "[SPAM]", "--discard")
    ok(pg, "rule", "add", erin, "--to", "team@", "--redirect", "Other@Elsewhere.example")
    assert "if header List-Id contains \"announce\"" in first
    rows = pg.psql(f"SELECT r.position, r.conditions, r.actions FROM filter_rules r JOIN accounts a"
                   f" ON a.id = r.account_id WHERE a.address = '{erin}' ORDER BY position")
    assert rows.splitlines() == [
        '0|[{"op": "contains", "field": "subject", "value": "[SPAM]"}]|[{"discard": true}]',
        '1|[{"op": "contains", "name": "List-Id", "field": "header", "value": "announce"}]|'
        '[{"fileinto": "Archive"}, {"seen": true}, {"stop": true}]',
        '2|[{"op": "contains", "field": "from", "value": "boss@corp.example"}, '
        '{"op": "over", "field": "size", "value": 1048576}]|[{"flag": "\\\\Flagged"}]',
        '3|[{"op": "contains", "field": "to", "value": "team@"}]|'
        '[{"redirect": "other@elsewhere.example"}]',
    ]
    listed = ok(pg, "rule", "list", erin).splitlines()
    assert len(listed) == 4
    assert "(position 0)" in listed[0] and "discard" in listed[0]
    assert '"lists": if header List-Id contains "announce" then fileinto "Archive", seen, stop' \
        in listed[1]
    rule_id = listed[0].split()[0]
    ok(pg, "rule", "remove", erin, rule_id)
    assert len(ok(pg, "rule", "list", erin).splitlines()) == 3
    refused(pg, 1, "rule", "remove", erin, rule_id, says=f"has no rule {rule_id}")


def test_rule_refusals(pg, domain):
    frank = f"frank@{domain}"
    add_user(pg, frank)
    refused(pg, 1, "rule", "add", frank, "--subject", "x", says="needs an action")
    refused(pg, 1, "rule", "add", frank, "--fileinto", "Nope", says="has no mailbox 'Nope'")
    refused(pg, 1, "rule", "add", frank, "--redirect", frank.upper(), says="to itself")
    refused(pg, 1, "rule", "add", frank, "--flag", "bad flag", says="--flag")
    refused(pg, 1, "rule", "add", frank, "--flag", "\\Recent", says="--flag")
    refused(pg, 1, "rule", "add", frank, "--header", "NoColon", "--stop", says="NAME:TEXT")
    refused(pg, 1, "rule", "add", frank, "--header", "Bad Name:x", "--stop", says="header name")
    refused(pg, 1, "rule", "add", frank, "--larger", "huge", "--stop", says="a size is")
    refused(pg, 1, "rule", "add", frank, "--subject", "a\tb", "--stop", says="control")
    refused(pg, 1, "rule", "add", frank, "--position", "-1", "--stop", says="--position")
    refused(pg, 1, "rule", "add", frank, "--bogus", "--stop", says="unknown option '--bogus'")
    refused(pg, 1, "rule", "add", f"nobody@{domain}", "--stop", says="does not exist")
    refused(pg, 1, "rule", "remove", frank, "abc", says="is not a rule id")
    refused(pg, 1, "rule", "list", f"nobody@{domain}", says="does not exist")


# --- queue ----------------------------------------------------------------------------------

@pytest.fixture
def jobs(pg):
    """jobs - one inbound job (2 recipients) and one outbound job; their ids"""
    body = f"Subject: {uuid.uuid4().hex}\r\n\r\nhello\r\n"
    sha = f"sha256(convert_to('{body}', 'UTF8'))"
    pg.psql(f"INSERT INTO messages (sha256, raw, size) VALUES ({sha}, convert_to('{body}', 'UTF8'),"
            f" {len(body)}) ON CONFLICT DO NOTHING")
    in_id = pg.psql(f"INSERT INTO queue_in (sender, listener, sha256, size, last_error) VALUES"
                    f" ('s@a.example', 'mx', {sha}, {len(body)}, 'mda away') RETURNING id")
    pg.psql(f"INSERT INTO queue_in_rcpt (job_id, position, address) VALUES ({in_id}, 0,"
            f" 'r1@b.example'), ({in_id}, 1, 'r2@b.example')")
    out_id = pg.psql(f"INSERT INTO queue_out (sender, recipient, domain, sha256, size, last_reply,"
                     f" next_attempt) VALUES ('s@a.example', 'x@remote.example', 'remote.example',"
                     f" {sha}, {len(body)}, '451 4.7.1 later', now() + interval '1 hour')"
                     f" RETURNING id")
    yield in_id, out_id
    pg.psql(f"DELETE FROM queue_in WHERE id = {in_id}")
    pg.psql(f"DELETE FROM queue_out WHERE id = {out_id}")


def test_queue_list_and_show(pg, jobs):
    in_id, out_id = jobs
    lines = ok(pg, "queue", "list").splitlines()
    mine_in = [l for l in lines if l.startswith(f"in:{in_id} ")]
    mine_out = [l for l in lines if l.startswith(f"out:{out_id} ")]
    assert len(mine_in) == 1 and len(mine_out) == 1
    assert "<s@a.example> -> <r1@b.example> (+1 more)" in mine_in[0]
    assert 'last="mda away"' in mine_in[0]
    assert mine_out[0].split()[1] == "waiting"
    assert not [l for l in ok(pg, "queue", "list", "in").splitlines() if l.startswith("out:")]
    shown = ok(pg, "queue", "show", f"out:{out_id}")
    assert "recipient: <x@remote.example>" in shown and "last error: 451 4.7.1 later" in shown


def test_queue_hold_release_retry_delete(pg, jobs):
    in_id, out_id = jobs
    ok(pg, "queue", "hold", f"out:{out_id}")
    assert pg.psql(f"SELECT held FROM queue_out WHERE id = {out_id}") == "t"
    assert [l for l in ok(pg, "queue", "list", "out").splitlines()
            if l.startswith(f"out:{out_id} ")][0].split()[1] == "held"
    ok(pg, "queue", "release", f"out:{out_id}")
    assert pg.psql(f"SELECT held FROM queue_out WHERE id = {out_id}") == "f"
    ok(pg, "queue", "retry", f"out:{out_id}")
    assert pg.psql(f"SELECT next_attempt <= now() FROM queue_out WHERE id = {out_id}") == "t"
    ok(pg, "queue", "delete", f"in:{in_id}")
    assert pg.psql(f"SELECT count(*) FROM queue_in WHERE id = {in_id}") == "0"
    assert pg.psql(f"SELECT event FROM delivery_events WHERE queue_in_id = {in_id}") == "deleted"


def test_queue_refusals(pg, jobs):
    in_id, out_id = jobs
    refused(pg, 1, "queue", "hold", f"in:{in_id}", says="only outbound jobs can be held")
    refused(pg, 1, "queue", "show", "out:999999999", says="no job out:999999999")
    refused(pg, 1, "queue", "retry", "in:abc", says="is not a job id")
    refused(pg, 1, "queue", "delete", "-3", says="is not a job id")
    refused(pg, 1, "queue", "list", "sideways", says="is not a queue")
    refused(pg, 1, "queue", "show", says="missing argument")


def test_queue_bare_id_must_be_unambiguous(pg, jobs):
    in_id, out_id = jobs
    both = 900000000 + int(in_id)
    pg.psql(f"INSERT INTO queue_in (id, sender, listener, sha256, size) SELECT {both}, sender,"
            f" listener, sha256, size FROM queue_in WHERE id = {in_id}")
    pg.psql(f"INSERT INTO queue_out (id, sender, recipient, domain, sha256, size) SELECT {both},"
            f" sender, recipient, domain, sha256, size FROM queue_out WHERE id = {out_id}")
    try:
        refused(pg, 1, "queue", "show", str(both), says="say which")
        assert f"id: out:{both}" in ok(pg, "queue", "show", f"out:{both}")
        pg.psql(f"DELETE FROM queue_in WHERE id = {both}")
        assert f"id: out:{both}" in ok(pg, "queue", "show", str(both))
    finally:
        pg.psql(f"DELETE FROM queue_in WHERE id = {both}")
        pg.psql(f"DELETE FROM queue_out WHERE id = {both}")


# --- dns ------------------------------------------------------------------------------------

def test_dns_records(pg, tmp_path):
    # no database needed: point MERPATI_DB at nothing
    out = ok(pg, "dns", "Example.ORG", env={"MERPATI_DB": f"host={tmp_path} dbname=none",
                                            "MERPATI_HOSTNAME": "mx1.example.org"})
    records = [l.split("\t") for l in out.splitlines() if l and not l.startswith(";")]
    assert ["example.org.", "3600", "IN", "MX", "10 mx1.example.org."] in records
    assert ["example.org.", "3600", "IN", "TXT", '"v=spf1 mx -all"'] in records
    assert ["_dmarc.example.org.", "3600", "IN", "TXT",
            '"v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org"'] in records
    assert any(r[0] == "mx1.example.org." and r[3] == "A" for r in records)
    assert "PTR" in out and "WARNING" not in out


def test_dns_refusals(pg):
    refused(pg, 1, "dns", "not a domain", says="is not a domain name")
    refused(pg, 1, "dns", says="missing argument")
    r = run(pg, "dns", "example.org", env={"MERPATI_HOSTNAME": "bad host!"})
    assert r.returncode == 2 and "MERPATI_HOSTNAME" in r.stderr
    out = ok(pg, "dns", "example.org", env={"MERPATI_HOSTNAME": "shortname"})
    assert "WARNING: shortname is not a fully qualified name" in out
