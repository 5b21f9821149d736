-- 0002: mailboxes, content-addressed messages, their metadata, and the IMAP state.
--
-- DESIGN.md rules 5 and 6. Message bytes are stored once per SHA-256 in messages.raw,
-- verbatim; mailbox_messages rows point at them and carry the per-copy state (uid, modseq,
-- flags, keywords, internal date) and the per-recipient trace header lines.
--
-- Garbage collection: a messages row is no longer needed when no mailbox_messages,
-- queue_in or queue_out row references it. The foreign keys below are ON DELETE RESTRICT,
-- so a periodic job may simply try
--   DELETE FROM messages m WHERE created < now() - interval '1 hour' AND NOT EXISTS (...)
-- for each referencing table; it is not run by anything yet.

CREATE EXTENSION IF NOT EXISTS pg_trgm;  -- trusted: the database owner may create it

-- UIDVALIDITY must differ for every mailbox ever created under a name (RFC 3501 2.3.1.1).
-- One sequence for all mailboxes, started at the creation time of the schema so a
-- re-created database does not hand out values a client may still remember.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = 'mailbox_uidvalidity_seq') THEN
        EXECUTE format('CREATE SEQUENCE mailbox_uidvalidity_seq MINVALUE 1 MAXVALUE 4294967295 START %s',
                       extract(epoch FROM now())::bigint % 4000000000 + 1);
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS mailboxes (
    id             bigserial PRIMARY KEY,
    account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 1024),
    special_use    text CHECK (special_use IN ('\All', '\Archive', '\Drafts', '\Flagged',
                                               '\Junk', '\Sent', '\Trash')), -- RFC 6154
    subscribed     boolean NOT NULL DEFAULT true,
    uidvalidity    bigint NOT NULL DEFAULT nextval('mailbox_uidvalidity_seq')
                   CHECK (uidvalidity BETWEEN 1 AND 4294967295),
    -- RFC 3501 2.3.1.1: UIDs are non-zero 32-bit; uidnext = 4294967296 means "full"
    uidnext        bigint NOT NULL DEFAULT 1 CHECK (uidnext BETWEEN 1 AND 4294967296),
    -- RFC 7162 3.1: mod-sequences are positive 63-bit
    highestmodseq  bigint NOT NULL DEFAULT 1 CHECK (highestmodseq >= 1),
    messages       integer NOT NULL DEFAULT 0 CHECK (messages >= 0),
    unseen         integer NOT NULL DEFAULT 0 CHECK (unseen >= 0),
    total_size     bigint NOT NULL DEFAULT 0 CHECK (total_size >= 0),
    created        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mailboxes_unseen_within_messages CHECK (unseen <= messages),
    CONSTRAINT mailboxes_messages_below_uidnext CHECK (messages < uidnext),
    UNIQUE (account_id, name)
);

-- uidnext and highestmodseq never go back, whoever writes the row.
CREATE OR REPLACE FUNCTION mailboxes_monotonic() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.uidnext < OLD.uidnext THEN
        RAISE EXCEPTION 'uidnext of mailbox % may not decrease (% -> %)', OLD.id, OLD.uidnext, NEW.uidnext
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.highestmodseq < OLD.highestmodseq THEN
        RAISE EXCEPTION 'highestmodseq of mailbox % may not decrease', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.uidvalidity <> OLD.uidvalidity THEN
        RAISE EXCEPTION 'uidvalidity of mailbox % may not change', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER mailboxes_monotonic BEFORE UPDATE ON mailboxes
    FOR EACH ROW EXECUTE FUNCTION mailboxes_monotonic();

CREATE TABLE IF NOT EXISTS messages (
    sha256      bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
    raw         bytea NOT NULL,
    size        bigint NOT NULL CHECK (size >= 0),
    created     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_size_matches CHECK (size = octet_length(raw))
);
-- The bytes are already compressed where it matters (attachments) and are read in chunks
-- with substring(): EXTERNAL storage keeps them uncompressed so substring() reads only
-- the TOAST chunks it needs.
ALTER TABLE messages ALTER COLUMN raw SET STORAGE EXTERNAL;

-- What IMAP and SEARCH need, computed once by the MIME parser at delivery.
CREATE TABLE IF NOT EXISTS message_meta (
    sha256         bytea PRIMARY KEY REFERENCES messages (sha256) ON DELETE CASCADE,
    envelope       text,   -- IMAP ENVELOPE (RFC 9051 7.5.2)
    bodystructure  text,   -- IMAP BODYSTRUCTURE
    body           text,   -- IMAP BODY
    sent_date      timestamptz,
    subject        text,
    from_addr      text,
    to_addr        text,
    cc_addr        text,
    bcc_addr       text,
    reply_to       text,
    message_id     text,
    in_reply_to    text,
    refs           text,
    headers        text,   -- whole header section, decoded, for HEADER/FROM/... SEARCH
    body_text      text CHECK (octet_length(body_text) <= 1048576), -- decoded, bounded
    -- bounded tsvector for the webmail's ranked search (a tsvector may not exceed 1 MB)
    tsv            tsvector GENERATED ALWAYS AS (
                       to_tsvector('simple'::regconfig,
                                   left(coalesce(subject, '') || ' ' || coalesce(from_addr, '') || ' '
                                        || coalesce(body_text, ''), 262144))) STORED,
    CHECK (octet_length(headers) <= 1048576)
);
-- IMAP SEARCH is substring and case-insensitive (RFC 3501 6.4.4): trigram indexes serve
-- ILIKE '%...%' on headers and body text.
CREATE INDEX IF NOT EXISTS message_meta_headers_trgm ON message_meta USING gin (headers gin_trgm_ops);
CREATE INDEX IF NOT EXISTS message_meta_body_trgm ON message_meta USING gin (body_text gin_trgm_ops);
-- 0011 drops tsv: the index is made only while the column exists, so that this file stays
-- safe to run again.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'message_meta'
                 AND column_name = 'tsv') THEN
        CREATE INDEX IF NOT EXISTS message_meta_tsv ON message_meta USING gin (tsv);
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS mailbox_messages (
    mailbox_id     bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid            bigint NOT NULL CHECK (uid BETWEEN 1 AND 4294967295),
    sha256         bytea NOT NULL REFERENCES messages (sha256) ON DELETE RESTRICT,
    modseq         bigint NOT NULL CHECK (modseq >= 1),
    -- \Seen 1, \Answered 2, \Flagged 4, \Deleted 8, \Draft 16 (lib/store/mailbox.h)
    flags          smallint NOT NULL DEFAULT 0 CHECK (flags BETWEEN 0 AND 31),
    keywords       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(keywords) <= 64),
    internal_date  timestamptz NOT NULL DEFAULT now(),
    size           bigint NOT NULL CHECK (size >= 0),  -- RFC822.SIZE: trace + blob
    trace          bytea NOT NULL DEFAULT '' CHECK (octet_length(trace) <= 4096),
    PRIMARY KEY (mailbox_id, uid)
);
-- CONDSTORE/QRESYNC "changed since" (RFC 7162). No index on flags: they change too often.
CREATE INDEX IF NOT EXISTS mailbox_messages_modseq ON mailbox_messages (mailbox_id, modseq);
CREATE INDEX IF NOT EXISTS mailbox_messages_sha256 ON mailbox_messages (sha256);

-- A new message row must come from the mailbox's own counters: the appending transaction
-- advances uidnext/highestmodseq first (which locks the mailbox row), then inserts below
-- them. Flag changes take the next modseq under the same lock (lib/store/mailbox.c).
CREATE OR REPLACE FUNCTION mailbox_messages_check_uid() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    mb mailboxes%ROWTYPE;
BEGIN
    SELECT * INTO mb FROM mailboxes WHERE id = NEW.mailbox_id;
    IF NEW.uid >= mb.uidnext THEN
        RAISE EXCEPTION 'uid % not below uidnext % of mailbox %', NEW.uid, mb.uidnext, mb.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.modseq > mb.highestmodseq THEN
        RAISE EXCEPTION 'modseq % above highestmodseq % of mailbox %', NEW.modseq, mb.highestmodseq, mb.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER mailbox_messages_check_uid BEFORE INSERT
    ON mailbox_messages FOR EACH ROW EXECUTE FUNCTION mailbox_messages_check_uid();

-- Expunged UIDs with the modseq of their removal, for QRESYNC VANISHED (RFC 7162 3.2.10).
CREATE TABLE IF NOT EXISTS expunged (
    mailbox_id  bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid         bigint NOT NULL CHECK (uid BETWEEN 1 AND 4294967295),
    modseq      bigint NOT NULL CHECK (modseq >= 1),
    PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX IF NOT EXISTS expunged_modseq ON expunged (mailbox_id, modseq);

-- Shared mailboxes: rights of another account on a mailbox (RFC 4314 2.1).
CREATE TABLE IF NOT EXISTS mailbox_acl (
    mailbox_id  bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    grantee_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    rights      text NOT NULL CHECK (rights ~ '^[lrswipkxtea]{1,11}$'),
    PRIMARY KEY (mailbox_id, grantee_id)
);
CREATE INDEX IF NOT EXISTS mailbox_acl_grantee ON mailbox_acl (grantee_id);
