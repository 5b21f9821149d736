-- 0008: \Recent (RFC 3501 2.3.2.1) across IMAP replicas.
--
-- recent_uid is the highest UID of the mailbox some session has been the first to see:
-- a read-write SELECT (and a selected session's sync when new mail shows up) claims the
-- UIDs above it with one UPDATE ... RETURNING, so exactly one session sees a message as
-- \Recent. EXAMINE and STATUS only read it. Existing mail counts as seen already.
ALTER TABLE mailboxes ADD COLUMN IF NOT EXISTS recent_uid bigint NOT NULL DEFAULT 0
    CHECK (recent_uid >= 0 AND recent_uid < 4294967296);
UPDATE mailboxes SET recent_uid = uidnext - 1 WHERE recent_uid = 0;
