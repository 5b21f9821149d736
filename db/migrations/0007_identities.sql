-- 0007: the webmail's sending identities: the account's own address and the aliases it may
-- send as, each with a display name and a plain-text signature (RFC 3676 4.3 separator is
-- added by the UI, not stored). PUT /api/identities replaces the account's whole list; the
-- webmail checks every address with the same rule smtp-in applies at MAIL FROM. The bounds
-- (20 identities, 200-byte names, 4 KiB signatures) are enforced by the webmail; the CHECKs
-- are the outer bound.
CREATE TABLE IF NOT EXISTS webmail_identities (
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position BETWEEN 0 AND 19),
    email       text NOT NULL CHECK (octet_length(email) BETWEEN 3 AND 254),
    name        text NOT NULL DEFAULT '' CHECK (octet_length(name) <= 200),
    signature   text NOT NULL DEFAULT '' CHECK (octet_length(signature) <= 4096),
    PRIMARY KEY (account_id, position)
);
CREATE UNIQUE INDEX IF NOT EXISTS webmail_identities_email
    ON webmail_identities (account_id, lower(email));
