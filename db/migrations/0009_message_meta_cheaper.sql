-- 0009: message_meta costs less to write at delivery.
--
-- The tsvector was a generated column over the first 262144 characters of subject, from
-- and body text. At delivery that was the largest single cost of a message with a long
-- text body (to_tsvector of 100 KB of text: ~13 ms, against ~7 ms for the body's
-- trigrams), and nothing searches with it: IMAP SEARCH and the webmail's filters match
-- substrings with ILIKE on the whole bounded body_text (up to 1 MB) through the trigram
-- indexes. It is kept for ranking a webmail search, for which the first 32768 characters
-- (subject and sender first, then some 5,000 words of text) say what a message is about.
--
-- A generated column's expression cannot change in place before PostgreSQL 17, and adding
-- a new one rewrites the table under an exclusive lock. So the column becomes a plain one
-- (its stored values stay; no rewrite) that a trigger fills with the same expression and
-- the new bound, on every insert and on every update of the texts it is made from. Rows
-- stored before keep the tsvector of their longer prefix.

-- 0011 drops tsv altogether: what follows touches it only while it exists, so that this
-- file stays safe to run again.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'message_meta'
                     AND column_name = 'tsv') THEN
        RETURN;
    END IF;
    ALTER TABLE message_meta ALTER COLUMN tsv DROP EXPRESSION IF EXISTS;
    CREATE OR REPLACE FUNCTION message_meta_tsv() RETURNS trigger
    LANGUAGE plpgsql AS $fn$
    BEGIN
        NEW.tsv := to_tsvector('simple'::regconfig,
                               left(coalesce(NEW.subject, '') || ' ' || coalesce(NEW.from_addr, '')
                                    || ' ' || coalesce(NEW.body_text, ''), 32768));
        RETURN NEW;
    END
    $fn$;
    CREATE OR REPLACE TRIGGER message_meta_tsv BEFORE INSERT OR UPDATE OF subject, from_addr, body_text
        ON message_meta FOR EACH ROW EXECUTE FUNCTION message_meta_tsv();
END
$$;

-- The decoded texts are compressed when stored (TOAST); lz4 does it several times faster
-- than the default pglz, for a little less compression. New values only: rows already
-- stored keep pglz and stay readable. A server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE message_meta ALTER COLUMN body_text SET COMPRESSION lz4,
                             ALTER COLUMN headers SET COMPRESSION lz4;
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'message_meta'
                 AND column_name = 'tsv') THEN
        ALTER TABLE message_meta ALTER COLUMN tsv SET COMPRESSION lz4;
    END IF;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available: message_meta keeps pglz';
END
$$;
