"""The schema: migrations apply twice, and the constraints enforce the invariants."""
import glob
import os
import subprocess
import uuid

import pytest

from harness.pg import MIGRATIONS, PgError, find_program

HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

TABLES = {"domains", "accounts", "aliases", "forwards", "mailboxes", "messages",
          "message_meta", "mailbox_messages", "expunged", "mailbox_acl", "queue_in",
          "queue_in_rcpt", "queue_out", "maildrop_locks", "contacts", "filter_rules",
          "webmail_sessions", "delivery_events", "webmail_identities"}


def fails(pg, sql, *fragments):
    """fails - sql must be refused, with every fragment in the error"""
    with pytest.raises(PgError) as e:
        pg.psql(sql)
    for f in fragments:
        assert f in str(e.value), str(e.value)
    return str(e.value)


@pytest.fixture
def mbox(pg):
    """mbox - a fresh domain, account and mailbox; returns their ids and names"""
    dom = f"d{uuid.uuid4().hex[:10]}.test"
    did = pg.psql(f"INSERT INTO domains (name) VALUES ('{dom}') RETURNING id")
    aid = pg.psql(f"INSERT INTO accounts (domain_id, address, password_hash) "
                  f"VALUES ({did}, 'user@{dom}', '{HASH}') RETURNING id")
    mid = pg.psql(f"INSERT INTO mailboxes (account_id, name) VALUES ({aid}, 'INBOX') RETURNING id")
    return {"domain": dom, "domain_id": did, "account_id": aid, "mailbox_id": mid}


def blob(pg, text):
    """blob - insert a message blob with text as its bytes; returns its hex sha256"""
    sha = pg.psql(f"SELECT encode(sha256(convert_to('{text}', 'UTF8')), 'hex')")
    pg.psql(f"INSERT INTO messages (sha256, raw, size) VALUES (decode('{sha}', 'hex'), "
            f"convert_to('{text}', 'UTF8'), octet_length(convert_to('{text}', 'UTF8'))) "
            f"ON CONFLICT DO NOTHING")
    return sha


def test_migrations_apply_twice(pg):
    pg.migrate()  # the fixture applied them once already
    files = glob.glob(os.path.join(MIGRATIONS, "[0-9]*.sql"))
    if find_program("merpati"):  # `merpati migrate` records what it applied, once each
        assert pg.psql("SELECT count(*) FROM schema_migrations") == str(len(files))
    for path in sorted(glob.glob(os.path.join(MIGRATIONS, "[0-9]*.sql"))):
        pg.psql_file(path)  # and every file is safe to run again by hand
    tables = set(pg.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split())
    assert TABLES <= tables
    assert pg.psql("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'") == "pg_trgm"


def psql_in(pg, db, sql=None, path=None):
    """psql_in - run sql (or a file, in one transaction) in database db as merpati"""
    args = ["-c", sql] if sql is not None else ["--single-transaction", "-f", path]
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                        pg.sockdir, "-p", str(pg.port), "-U", "merpati", "-d", db, *args],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_upgrade_to_0011_keeps_stored_texts(pg):
    """A database at 0010 with mail in it: 0011 rewrites nothing, drops the tsvector, and
    0002 and 0009 run again by hand do not bring it back."""
    db = f"upgrade_{uuid.uuid4().hex[:8]}"
    pg.psql(f"CREATE DATABASE {db} OWNER merpati", user="postgres", db="postgres")
    try:
        files = sorted(glob.glob(os.path.join(MIGRATIONS, "[0-9]*.sql")))
        names = [os.path.basename(f)[:4] for f in files]
        for path in files[:names.index("0011")]:
            psql_in(pg, db, path=path)
        psql_in(pg, db, "INSERT INTO messages (sha256, raw, size) "
                        "VALUES (sha256('m'), 'm', 1); "
                        "INSERT INTO message_meta (sha256, subject, body_text) "
                        "VALUES (sha256('m'), 'Old mail', 'stored before the upgrade')")
        assert psql_in(pg, db, "SELECT tsv IS NOT NULL FROM message_meta") == "t"
        psql_in(pg, db, path=files[names.index("0011")])
        for again in ("0002", "0009", "0011"):
            psql_in(pg, db, path=files[names.index(again)])
        assert psql_in(pg, db, "SELECT body_text || '|' || coalesce(body_text_pending, '-') "
                               "FROM message_meta") == "stored before the upgrade|-"
        assert psql_in(pg, db, "SELECT count(*) FROM information_schema.columns "
                               "WHERE table_name = 'message_meta' AND column_name = 'tsv'") == "0"
        assert psql_in(pg, db, "SELECT count(*) FROM pg_trigger "
                               "WHERE tgname = 'message_meta_tsv'") == "0"
        assert psql_in(pg, db, "SELECT count(*) FROM pg_indexes "
                               "WHERE indexname = 'message_meta_tsv'") == "0"
        # a new message's text waits for the index beside the old one's
        psql_in(pg, db, "INSERT INTO messages (sha256, raw, size) VALUES (sha256('n'), 'n', 1); "
                        "INSERT INTO message_meta (sha256, body_text_pending) "
                        "VALUES (sha256('n'), 'stored after')")
        assert psql_in(pg, db, "SELECT count(*) FROM message_meta WHERE body_text ILIKE '%STORED%' "
                               "OR body_text_pending ILIKE '%STORED%'") == "2"
    finally:
        pg.psql(f"DROP DATABASE {db} WITH (FORCE)", user="postgres", db="postgres")


def test_migration_files_are_plain_numbered_sql():
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(MIGRATIONS, "*.sql")))
    assert names and all(n[:4].isdigit() and n[4] == "_" for n in names)
    assert [int(n[:4]) for n in names] == list(range(1, len(names) + 1))
    for n in names:
        text = open(os.path.join(MIGRATIONS, n)).read().upper()
        # `merpati migrate` wraps each file in its own transaction
        assert "\nBEGIN;" not in text and "\nCOMMIT;" not in text, n


def test_account_address_unique_case_insensitively(pg, mbox):
    fails(pg, f"INSERT INTO accounts (domain_id, address, password_hash) VALUES "
              f"({mbox['domain_id']}, 'USER@{mbox['domain'].upper()}', '{HASH}')",
          "accounts_address_key")
    fails(pg, f"INSERT INTO domains (name) VALUES ('{mbox['domain']}')", "domains_name_key")


def test_account_checks(pg, mbox):
    d = mbox["domain_id"]
    fails(pg, f"INSERT INTO accounts (domain_id, address, password_hash) VALUES "
              f"({d}, 'x@{mbox['domain']}', 'plaintext')", "password_hash")
    fails(pg, f"INSERT INTO accounts (domain_id, address, password_hash, quota_bytes) VALUES "
              f"({d}, 'y@{mbox['domain']}', '{HASH}', -1)", "quota_bytes")
    fails(pg, f"INSERT INTO accounts (domain_id, address, password_hash) VALUES "
              f"({d}, '{'a' * 65}@{mbox['domain']}', '{HASH}')", "accounts_address_check")
    fails(pg, f"UPDATE accounts SET used_bytes = -5 WHERE id = {mbox['account_id']}", "used_bytes")


def test_mailbox_counters_never_go_back(pg, mbox):
    m = mbox["mailbox_id"]
    pg.psql(f"UPDATE mailboxes SET uidnext = 10, highestmodseq = 10 WHERE id = {m}")
    fails(pg, f"UPDATE mailboxes SET uidnext = 9 WHERE id = {m}", "uidnext", "may not decrease")
    fails(pg, f"UPDATE mailboxes SET highestmodseq = 9 WHERE id = {m}", "highestmodseq")
    fails(pg, f"UPDATE mailboxes SET uidvalidity = uidvalidity + 1 WHERE id = {m}", "uidvalidity")
    fails(pg, f"INSERT INTO mailboxes (account_id, name, uidnext) VALUES "
              f"({mbox['account_id']}, 'Zero', 0)", "uidnext")
    fails(pg, f"INSERT INTO mailboxes (account_id, name, uidnext) VALUES "
              f"({mbox['account_id']}, 'Big', 4294967297)", "uidnext")
    fails(pg, f"UPDATE mailboxes SET messages = 1, unseen = 2 WHERE id = {m}",
          "mailboxes_unseen_within_messages")
    fails(pg, f"UPDATE mailboxes SET messages = 10 WHERE id = {m}", "mailboxes_messages_below_uidnext")
    fails(pg, f"INSERT INTO mailboxes (account_id, name) VALUES ({mbox['account_id']}, 'INBOX')",
          "duplicate key")
    fails(pg, f"INSERT INTO mailboxes (account_id, name, special_use) VALUES "
              f"({mbox['account_id']}, 'X', '\\Bogus')", "special_use")
    assert pg.psql(f"SELECT uidnext, highestmodseq FROM mailboxes WHERE id = {m}") == "10|10"


def test_uidvalidity_differs_per_mailbox(pg, mbox):
    a = mbox["account_id"]
    v1 = pg.psql(f"INSERT INTO mailboxes (account_id, name) VALUES ({a}, 'V1') RETURNING uidvalidity")
    pg.psql(f"DELETE FROM mailboxes WHERE account_id = {a} AND name = 'V1'")
    v2 = pg.psql(f"INSERT INTO mailboxes (account_id, name) VALUES ({a}, 'V1') RETURNING uidvalidity")
    assert int(v2) > int(v1)  # RFC 3501 2.3.1.1: a re-created name gets a new UIDVALIDITY


def test_mailbox_messages_constraints(pg, mbox):
    m = mbox["mailbox_id"]
    sha = blob(pg, f"Subject: x {uuid.uuid4()}")
    pg.psql(f"UPDATE mailboxes SET uidnext = 3, highestmodseq = 5 WHERE id = {m}")
    row = f"INSERT INTO mailbox_messages (mailbox_id, uid, sha256, modseq, size) VALUES ({m}, "
    pg.psql(row + f"1, decode('{sha}', 'hex'), 4, 10)")
    fails(pg, row + f"1, decode('{sha}', 'hex'), 5, 10)", "mailbox_messages_pkey")
    fails(pg, row + f"3, decode('{sha}', 'hex'), 5, 10)", "not below uidnext")
    fails(pg, row + f"2, decode('{sha}', 'hex'), 6, 10)", "above highestmodseq")
    fails(pg, row + f"0, decode('{sha}', 'hex'), 5, 10)", "uid")
    fails(pg, row + f"2, decode('{'00' * 32}', 'hex'), 5, 10)", "foreign key")
    fails(pg, f"UPDATE mailbox_messages SET flags = 32 WHERE mailbox_id = {m}", "flags")
    fails(pg, f"UPDATE mailbox_messages SET trace = decode(repeat('41', 4097), 'hex') "
              f"WHERE mailbox_id = {m}", "trace")
    # a blob still referenced by a mailbox may not disappear
    fails(pg, f"DELETE FROM messages WHERE sha256 = decode('{sha}', 'hex')", "foreign key")


def test_indexes_follow_the_design(pg):
    defs = pg.psql("SELECT indexdef FROM pg_indexes WHERE tablename = 'mailbox_messages'")
    assert "(mailbox_id, modseq)" in defs
    assert "flags" not in defs  # flags change too often to be indexed
    meta = pg.psql("SELECT indexdef FROM pg_indexes WHERE tablename = 'message_meta'")
    assert "gin (headers gin_trgm_ops)" in meta and "gin (body_text gin_trgm_ops)" in meta
    # texts not yet indexed (0011) are found through a partial index of only those rows
    assert "(sha256) WHERE (body_text_pending IS NOT NULL)" in meta
    assert "tsv" not in meta


def test_message_blob_checks(pg):
    fails(pg, "INSERT INTO messages (sha256, raw, size) VALUES ('\\x00', 'abc', 3)", "sha256")
    fails(pg, f"INSERT INTO messages (sha256, raw, size) VALUES (decode('{'11' * 32}', 'hex'), "
              f"'abc', 4)", "messages_size_matches")


def test_message_meta_bounds_and_search(pg):
    sha = blob(pg, f"Subject: meta {uuid.uuid4()}")
    for column, check in (("body_text", "message_meta_body_text_check"),
                          ("body_text_pending", "message_meta_text_pending_bounded")):
        fails(pg, f"INSERT INTO message_meta (sha256, {column}) VALUES "
                  f"(decode('{sha}', 'hex'), repeat('x', 1048577))", check)
    # a text is either waiting for the index or in it, never both
    fails(pg, f"INSERT INTO message_meta (sha256, body_text, body_text_pending) VALUES "
              f"(decode('{sha}', 'hex'), 'a', 'a')", "message_meta_text_in_one_column")
    pg.psql(f"INSERT INTO message_meta (sha256, subject, body_text) VALUES "
            f"(decode('{sha}', 'hex'), 'Quarterly Report', repeat('lorem ipsum ', 80000))")
    assert pg.psql(f"SELECT count(*) FROM message_meta WHERE body_text ILIKE '%LOREM IPSUM%' "
                   f"AND sha256 = decode('{sha}', 'hex')") == "1"
    fails(pg, f"UPDATE message_meta SET body_text_pending = 'b' "
              f"WHERE sha256 = decode('{sha}', 'hex')", "message_meta_text_in_one_column")


def test_queue_constraints(pg, mbox):
    sha = blob(pg, f"Subject: q {uuid.uuid4()}")
    key = uuid.uuid4().hex
    ins = ("INSERT INTO queue_in (sender, listener, sha256, size, idempotency_key) VALUES "
           f"('a@b.test', 'mx', decode('{sha}', 'hex'), 10, '{key}') RETURNING id")
    job = pg.psql(ins)
    fails(pg, ins, "idempotency_key")
    fails(pg, f"UPDATE queue_in SET lease_owner = 'x' WHERE id = {job}", "check")
    fails(pg, f"UPDATE queue_in SET listener = 'ftp' WHERE id = {job}", "listener")
    fails(pg, f"UPDATE queue_in SET dsn_ret = 'ALL' WHERE id = {job}", "dsn_ret")
    rcpt = f"INSERT INTO queue_in_rcpt (job_id, position, address, notify) VALUES ({job}, "
    pg.psql(rcpt + "0, 'r@b.test', 6)")
    fails(pg, rcpt + "1, 'r@b.test', 9)", "notify")  # NEVER with SUCCESS (RFC 3461 4.1)
    fails(pg, rcpt + "0, 'q@b.test', 2)", "queue_in_rcpt_pkey")
    # the job's blob may not vanish under it; recipients go with the job
    fails(pg, f"DELETE FROM messages WHERE sha256 = decode('{sha}', 'hex')", "foreign key")
    pg.psql(f"DELETE FROM queue_in WHERE id = {job}")
    assert pg.psql(f"SELECT count(*) FROM queue_in_rcpt WHERE job_id = {job}") == "0"
    fails(pg, "INSERT INTO queue_out (sender, recipient, domain, sha256, size, dsn_notify) "
              f"VALUES ('', 'x@y.test', 'y.test', decode('{sha}', 'hex'), 1, 16)", "dsn_notify")


def test_queue_tables_vacuum_aggressively(pg):
    for table in ("queue_in", "queue_in_rcpt", "queue_out"):
        opts = pg.psql(f"SELECT array_to_string(reloptions, ',') FROM pg_class "
                       f"WHERE relname = '{table}'")
        assert "autovacuum_vacuum_scale_factor=0.0" in opts, (table, opts)
        assert "autovacuum_vacuum_cost_delay=0" in opts, (table, opts)


def test_user_tables_constraints(pg, mbox):
    a, m = mbox["account_id"], mbox["mailbox_id"]
    other = pg.psql(f"INSERT INTO accounts (domain_id, address, password_hash) VALUES "
                    f"({mbox['domain_id']}, 'other@{mbox['domain']}', '{HASH}') RETURNING id")
    pg.psql(f"INSERT INTO mailbox_acl (mailbox_id, grantee_id, rights) VALUES ({m}, {other}, 'lrs')")
    fails(pg, f"UPDATE mailbox_acl SET rights = 'lrz' WHERE mailbox_id = {m}", "rights")
    fails(pg, f"INSERT INTO filter_rules (account_id, position, conditions, actions) VALUES "
              f"({a}, 0, '{{}}', '[{{\"fileinto\": \"X\"}}]')", "conditions")
    fails(pg, f"INSERT INTO filter_rules (account_id, position, conditions, actions) VALUES "
              f"({a}, 0, '[]', '[]')", "actions")
    fails(pg, f"INSERT INTO webmail_sessions (token_hash, account_id, expires) VALUES "
              f"('\\x0102', {a}, now() + interval '1 hour')", "token_hash")
    fails(pg, "INSERT INTO delivery_events (event) VALUES ('teleported')", "event")
    pg.psql(f"INSERT INTO maildrop_locks (account_id, owner, expires) VALUES ({a}, 'p1', now())")
    fails(pg, f"INSERT INTO maildrop_locks (account_id, owner, expires) VALUES ({a}, 'p2', now())",
          "maildrop_locks_pkey")
    # removing the account removes what hangs off it
    pg.psql(f"DELETE FROM accounts WHERE id = {a}")
    assert pg.psql(f"SELECT count(*) FROM mailboxes WHERE account_id = {a}") == "0"
    assert pg.psql(f"SELECT count(*) FROM maildrop_locks WHERE account_id = {a}") == "0"
