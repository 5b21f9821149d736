-- 0004: per-user data and service bookkeeping: POP3 maildrop locks, contacts, filter rules,
-- webmail sessions, and the delivery trace.

-- POP3's exclusive maildrop lock across replicas (RFC 1939 8): one row per locked account.
CREATE TABLE IF NOT EXISTS maildrop_locks (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    owner       text NOT NULL CHECK (octet_length(owner) BETWEEN 1 AND 128),
    expires     timestamptz NOT NULL
);
ALTER TABLE maildrop_locks SET (autovacuum_vacuum_scale_factor = 0.0,
    autovacuum_vacuum_threshold = 200, autovacuum_vacuum_cost_delay = 0);

-- The address book.
CREATE TABLE IF NOT EXISTS contacts (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        text NOT NULL DEFAULT '' CHECK (octet_length(name) <= 256),
    email       text NOT NULL CHECK (octet_length(email) BETWEEN 3 AND 254),
    phone       text NOT NULL DEFAULT '' CHECK (octet_length(phone) <= 64),
    notes       text NOT NULL DEFAULT '' CHECK (octet_length(notes) <= 4096),
    created     timestamptz NOT NULL DEFAULT now(),
    updated     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS contacts_account_email ON contacts (account_id, lower(email));

-- Per-user filter rules, run by the mda in position order. conditions and actions are JSON
-- arrays, e.g. [{"field":"from","op":"contains","value":"x"}] and [{"fileinto":"Lists"}].
CREATE TABLE IF NOT EXISTS filter_rules (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position >= 0),
    name        text NOT NULL DEFAULT '' CHECK (octet_length(name) <= 256),
    conditions  jsonb NOT NULL CHECK (jsonb_typeof(conditions) = 'array'
                                      AND octet_length(conditions::text) <= 16384),
    actions     jsonb NOT NULL CHECK (jsonb_typeof(actions) = 'array'
                                      AND jsonb_array_length(actions) >= 1
                                      AND octet_length(actions::text) <= 16384),
    enabled     boolean NOT NULL DEFAULT true,
    created     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

-- Webmail logins: only a hash of the session token is stored.
CREATE TABLE IF NOT EXISTS webmail_sessions (
    token_hash  bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created     timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    expires     timestamptz NOT NULL,
    CHECK (expires > created)
);
CREATE INDEX IF NOT EXISTS webmail_sessions_expires ON webmail_sessions (expires);
CREATE INDEX IF NOT EXISTS webmail_sessions_account ON webmail_sessions (account_id);

-- What happened to each job and recipient. Jobs are deleted when done, so there are no
-- foreign keys to them: the trace outlives the queue rows.
CREATE TABLE IF NOT EXISTS delivery_events (
    id            bigserial PRIMARY KEY,
    created       timestamptz NOT NULL DEFAULT now(),
    queue_in_id   bigint,
    queue_out_id  bigint,
    sha256        bytea CHECK (octet_length(sha256) = 32),
    sender        text CHECK (octet_length(sender) <= 254),
    recipient     text CHECK (octet_length(recipient) <= 254),
    event         text NOT NULL CHECK (event IN ('received', 'expanded', 'delivered', 'filtered',
                                                 'forwarded', 'queued', 'relayed', 'deferred',
                                                 'delayed', 'bounced', 'failed', 'deleted')),
    detail        text CHECK (octet_length(detail) <= 2048)
);
CREATE INDEX IF NOT EXISTS delivery_events_created ON delivery_events (created);
CREATE INDEX IF NOT EXISTS delivery_events_in ON delivery_events (queue_in_id) WHERE queue_in_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS delivery_events_out ON delivery_events (queue_out_id) WHERE queue_out_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS delivery_events_recipient ON delivery_events (lower(recipient));
