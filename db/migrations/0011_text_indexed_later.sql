-- 0011: the body text's trigram index is built after delivery, not inside it.
--
-- Extracting the trigrams of a message's decoded text is most of what a delivery costs the
-- database (about 7 ms of 10 for a 100 KB text body). Inside the delivering transaction it
-- competes, during a burst, with smtp-in's commits for the same cores. So a new message's
-- text is stored in body_text_pending, which no trigram index covers; merpati-mda moves it
-- to body_text, and so into message_meta_body_trgm, when it has no jobs to deliver
-- (services/mda/mda_index.c). Like Dovecot's fts indexer, the index follows the mail.
--
-- A SEARCH never depends on that having happened: BODY and TEXT test
-- `body_text ILIKE p OR body_text_pending ILIKE p`. The first arm is served by the trigram
-- index, the second by message_meta_text_pending, a partial index of only the rows still
-- waiting, which the indexer keeps small. A row has its text in one column or the other.
--
-- Rows stored before this migration keep their text in body_text: nothing is rewritten and
-- no index is rebuilt. The new column is NULL everywhere, so its constraints are added
-- without the scan that would check what cannot fail (NOT VALID still checks every row
-- inserted or updated from now on).
ALTER TABLE message_meta ADD COLUMN IF NOT EXISTS body_text_pending text;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'message_meta_text_pending_bounded') THEN
        ALTER TABLE message_meta ADD CONSTRAINT message_meta_text_pending_bounded
            CHECK (octet_length(body_text_pending) <= 1048576) NOT VALID;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'message_meta_text_in_one_column') THEN
        ALTER TABLE message_meta ADD CONSTRAINT message_meta_text_in_one_column
            CHECK (body_text IS NULL OR body_text_pending IS NULL) NOT VALID;
    END IF;
END
$$;

DO $$
BEGIN
    ALTER TABLE message_meta ALTER COLUMN body_text_pending SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available: body_text_pending keeps pglz';
END
$$;

CREATE INDEX IF NOT EXISTS message_meta_text_pending ON message_meta (sha256)
    WHERE body_text_pending IS NOT NULL;

-- The tsvector (0002, bounded by 0009) was kept for a ranked webmail search that was never
-- built: nothing reads it, and filling it cost about 3 ms per 100 KB message at delivery.
-- Dropping a column marks it dropped; the table is not rewritten.
DROP TRIGGER IF EXISTS message_meta_tsv ON message_meta;
DROP FUNCTION IF EXISTS message_meta_tsv();
DROP INDEX IF EXISTS message_meta_tsv;
ALTER TABLE message_meta DROP COLUMN IF EXISTS tsv;
