"""queue - outbound jobs put straight into PostgreSQL for smtp-out, and what came of them."""
import base64
import email
import email.policy


def text(s):
    return "'" + s.replace("'", "''") + "'"


def sql_or_null(s):
    return "NULL" if s is None else text(s)


def add_job(pg, sender, recipient, raw, notify=0, orcpt=None, ret=None, envid=None,
            raw_sql=None):
    """add_job - one queue_out job (and its blob); returns the job id. raw_sql: an SQL text
    expression building the message instead of raw (for messages too large for psql -c)"""
    domain = recipient.rsplit("@", 1)[1].lower()
    source = raw_sql if raw_sql is not None else text(raw)
    return int(pg.psql(f"""
        WITH m AS (INSERT INTO messages (sha256, raw, size)
                   SELECT sha256(b), b, octet_length(b) FROM (SELECT convert_to({source}, 'UTF8') b) x
                   ON CONFLICT (sha256) DO UPDATE SET size = excluded.size RETURNING sha256, size)
        INSERT INTO queue_out (sender, recipient, domain, sha256, size, dsn_notify, dsn_orcpt,
                               dsn_ret, dsn_envid)
        SELECT {text(sender)}, {text(recipient)}, {text(domain)}, m.sha256, m.size, {notify},
               {sql_or_null(orcpt)}, {sql_or_null(ret)}, {sql_or_null(envid)} FROM m
        RETURNING id"""))


def job(pg, job_id):
    """job - (attempts, warned, last_reply, seconds until next_attempt, leased) or None"""
    out = pg.psql(f"""SELECT attempts, warned, coalesce(last_reply, ''),
        extract(epoch FROM next_attempt - now())::int, lease_owner IS NOT NULL
        FROM queue_out WHERE id = {job_id}""")
    if not out:
        return None
    a, w, reply, due, leased = out.split("|")
    return int(a), w == "t", reply, int(due), leased == "t"


def dsns(pg, to, after_id=0):
    """dsns - the DSNs queued for `to` as parsed email messages, oldest first"""
    result = []
    # base64 from psql holds newlines every 76 characters: one query per blob
    ids = pg.psql(f"""SELECT q.id FROM queue_in q JOIN queue_in_rcpt r ON r.job_id = q.id
        WHERE q.sender = '' AND r.address = {text(to)} AND q.id > {after_id} ORDER BY q.id""")
    for i in ids.split() if ids else []:
        b64 = pg.psql(f"""SELECT encode(m.raw, 'base64') FROM queue_in q
            JOIN messages m ON m.sha256 = q.sha256 WHERE q.id = {i}""")
        raw = base64.b64decode("".join(b64.split()))
        result.append(email.message_from_bytes(raw, policy=email.policy.default))
    return result


def status_fields(dsn):
    """status_fields - the message/delivery-status part as {field: value} (both groups)"""
    for part in dsn.walk():
        if part.get_content_type() == "message/delivery-status":
            raw = part.get_payload()
            text_ = raw if isinstance(raw, str) else "".join(str(p) for p in raw)
            fields = {}
            for line in text_.replace("\r\n", "\n").split("\n"):
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip()] = v.strip()
            return fields
    raise AssertionError("no message/delivery-status part")
