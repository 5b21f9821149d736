-- 0006: files a webmail user attached in the browser, kept until the message is sent.
--
-- Uploads are durable state (several webmail replicas serve one user): POST /api/uploads
-- stores the file here and POST /api/send attaches and then deletes the uploads it names.
-- Uploads older than a day are removed by the webmail when it inserts a new one. The bytes
-- are bounded by MERPATI_WEBMAIL_MAX_UPLOAD in the service; the CHECK is the outer bound.
CREATE TABLE IF NOT EXISTS webmail_uploads (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    filename      text NOT NULL CHECK (octet_length(filename) BETWEEN 1 AND 255),
    content_type  text NOT NULL CHECK (octet_length(content_type) BETWEEN 3 AND 255),
    bytes         bytea NOT NULL CHECK (octet_length(bytes) <= 1073741824),
    created       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE webmail_uploads ALTER COLUMN bytes SET STORAGE EXTERNAL;
CREATE INDEX IF NOT EXISTS webmail_uploads_account ON webmail_uploads (account_id);
CREATE INDEX IF NOT EXISTS webmail_uploads_created ON webmail_uploads (created);

-- A reply sent from the webmail flags the message it answers \Answered, found by the
-- Message-ID its In-Reply-To names (RFC 5322 3.6.4).
CREATE INDEX IF NOT EXISTS message_meta_message_id ON message_meta (message_id);
