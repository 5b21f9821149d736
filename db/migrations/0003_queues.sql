-- 0003: the inbound and outbound queues (DESIGN.md rules 2 and 3).
--
-- Jobs are leased with SELECT ... FOR UPDATE SKIP LOCKED plus lease_owner/lease_expires,
-- and deleted as soon as they are done, in the transaction that applies their effects.
-- Queue tables churn: aggressive autovacuum keeps dead rows from slowing the lease scans.

CREATE TABLE IF NOT EXISTS queue_in (
    id               bigserial PRIMARY KEY,
    sender           text NOT NULL CHECK (octet_length(sender) <= 254), -- '' is <>
    client_ip        text NOT NULL DEFAULT '' CHECK (octet_length(client_ip) <= 46),
    helo             text NOT NULL DEFAULT '' CHECK (octet_length(helo) <= 255),
    auth_account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    listener         text NOT NULL CHECK (listener IN ('mx', 'submission', 'submissions', 'local')),
    dsn_ret          text CHECK (dsn_ret IN ('FULL', 'HDRS')),              -- RFC 3461 4.3
    dsn_envid        text CHECK (octet_length(dsn_envid) <= 100),            -- RFC 3461 4.4
    sha256           bytea NOT NULL REFERENCES messages (sha256) ON DELETE RESTRICT,
    size             bigint NOT NULL CHECK (size >= 0),
    lease_owner      text CHECK (octet_length(lease_owner) <= 128),
    lease_expires    timestamptz,
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt     timestamptz NOT NULL DEFAULT now(),
    last_error       text CHECK (octet_length(last_error) <= 1024),
    idempotency_key  text UNIQUE CHECK (octet_length(idempotency_key) BETWEEN 1 AND 128),
    created          timestamptz NOT NULL DEFAULT now(),
    CHECK ((lease_owner IS NULL) = (lease_expires IS NULL))
);
CREATE INDEX IF NOT EXISTS queue_in_due ON queue_in (next_attempt);
CREATE INDEX IF NOT EXISTS queue_in_sha256 ON queue_in (sha256);

CREATE TABLE IF NOT EXISTS queue_in_rcpt (
    job_id    bigint NOT NULL REFERENCES queue_in (id) ON DELETE CASCADE,
    position  integer NOT NULL CHECK (position BETWEEN 0 AND 999),
    address   text NOT NULL CHECK (octet_length(address) BETWEEN 3 AND 254),
    orcpt     text CHECK (octet_length(orcpt) <= 500),                        -- RFC 3461 4.2
    -- SUCCESS 1, FAILURE 2, DELAY 4, NEVER 8 (alone); 0: not given (RFC 3461 4.1)
    notify    smallint NOT NULL DEFAULT 0
              CHECK (notify BETWEEN 0 AND 8 AND (notify & 8 = 0 OR notify = 8)),
    PRIMARY KEY (job_id, position)
);

CREATE TABLE IF NOT EXISTS queue_out (
    id               bigserial PRIMARY KEY,
    sender           text NOT NULL CHECK (octet_length(sender) <= 254),      -- '' for DSNs
    recipient        text NOT NULL CHECK (octet_length(recipient) BETWEEN 3 AND 254),
    domain           text NOT NULL CHECK (octet_length(domain) BETWEEN 1 AND 255),
    sha256           bytea NOT NULL REFERENCES messages (sha256) ON DELETE RESTRICT,
    size             bigint NOT NULL CHECK (size >= 0),
    dsn_notify       smallint NOT NULL DEFAULT 0
                     CHECK (dsn_notify BETWEEN 0 AND 8 AND (dsn_notify & 8 = 0 OR dsn_notify = 8)),
    dsn_orcpt        text CHECK (octet_length(dsn_orcpt) <= 500),
    dsn_ret          text CHECK (dsn_ret IN ('FULL', 'HDRS')),
    dsn_envid        text CHECK (octet_length(dsn_envid) <= 100),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt     timestamptz NOT NULL DEFAULT now(),
    lease_owner      text CHECK (octet_length(lease_owner) <= 128),
    lease_expires    timestamptz,
    last_reply       text CHECK (octet_length(last_reply) <= 1024),
    warned           boolean NOT NULL DEFAULT false,  -- delay notice sent
    held             boolean NOT NULL DEFAULT false,  -- kept back by an administrator
    idempotency_key  text UNIQUE CHECK (octet_length(idempotency_key) BETWEEN 1 AND 128),
    created          timestamptz NOT NULL DEFAULT now(),
    CHECK ((lease_owner IS NULL) = (lease_expires IS NULL))
);
CREATE INDEX IF NOT EXISTS queue_out_due ON queue_out (next_attempt) WHERE NOT held;
CREATE INDEX IF NOT EXISTS queue_out_domain ON queue_out (domain);
CREATE INDEX IF NOT EXISTS queue_out_sha256 ON queue_out (sha256);

ALTER TABLE queue_in SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0, fillfactor = 80);
ALTER TABLE queue_in_rcpt SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0);
ALTER TABLE queue_out SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 200,
    autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0, fillfactor = 80);
