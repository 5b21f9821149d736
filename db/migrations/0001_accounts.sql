-- 0001: domains, accounts, aliases and forwards.
--
-- Applied by `merpati migrate` inside one transaction with its version recorded in
-- schema_migrations. Every statement is also safe to run twice (IF NOT EXISTS / OR REPLACE).
-- Addresses are stored normalised (lowercase, see lib/store/address.h); the unique indexes
-- on lower() make the case-insensitive rule hold even for rows written by hand.

CREATE TABLE IF NOT EXISTS domains (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL
                CHECK (length(name) BETWEEN 1 AND 255 AND name = lower(name)
                       AND name !~ '[[:space:]@]' AND name !~ '\.$'),
    created     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS domains_name_key ON domains (lower(name));

CREATE TABLE IF NOT EXISTS accounts (
    id                 bigserial PRIMARY KEY,
    domain_id          bigint NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    -- RFC 5321 4.5.3.1: 64-octet local part, 254 octets in all
    address            text NOT NULL
                       CHECK (octet_length(address) BETWEEN 3 AND 254
                              AND address ~ '^[^@[:space:]]{1,64}@[^@[:space:]]+$'),
    password_hash      text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    quota_bytes        bigint NOT NULL DEFAULT 0 CHECK (quota_bytes >= 0), -- 0: unlimited
    used_bytes         bigint NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
    enabled            boolean NOT NULL DEFAULT true,
    forward_keep_copy  boolean NOT NULL DEFAULT true,
    created            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS accounts_address_key ON accounts (lower(address));
CREATE INDEX IF NOT EXISTS accounts_domain_idx ON accounts (domain_id);

-- Who receives postmaster@ and abuse@ of the domain (RFC 5321 4.5.1, RFC 2142).
ALTER TABLE domains ADD COLUMN IF NOT EXISTS
    admin_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL;

-- One source to many targets. source is a full address of the domain, or '@domain' for
-- the domain's catch-all. Targets may be local or foreign addresses.
CREATE TABLE IF NOT EXISTS aliases (
    id          bigserial PRIMARY KEY,
    domain_id   bigint NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    source      text NOT NULL
                CHECK (octet_length(source) BETWEEN 2 AND 254
                       AND source ~ '^[^@[:space:]]{0,64}@[^@[:space:]]+$'),
    target      text NOT NULL
                CHECK (octet_length(target) BETWEEN 3 AND 254
                       AND target ~ '^[^@[:space:]]{1,64}@[^@[:space:]]+$'),
    created     timestamptz NOT NULL DEFAULT now(),
    CHECK (lower(source) <> lower(target))
);
CREATE UNIQUE INDEX IF NOT EXISTS aliases_source_target_key
    ON aliases (lower(source), lower(target));
CREATE INDEX IF NOT EXISTS aliases_target_idx ON aliases (lower(target));

-- An account's forwards; accounts.forward_keep_copy says whether it keeps a copy too.
CREATE TABLE IF NOT EXISTS forwards (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target      text NOT NULL
                CHECK (octet_length(target) BETWEEN 3 AND 254
                       AND target ~ '^[^@[:space:]]{1,64}@[^@[:space:]]+$'),
    created     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS forwards_account_target_key
    ON forwards (account_id, lower(target));
