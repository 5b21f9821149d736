-- 0005: where each IMAP part of a message sits in its stored bytes.
--
-- lib/mime records, at delivery, the byte ranges of every part (RFC 3501 6.4.5 part
-- numbers) as compact JSON: {"":[0,hdr_end,end,lines],"1.2":[mime_start,body_start,
-- body_end,lines(,inner_body_start)]}. IMAP serves BODY[section]<partial> and BINARY from
-- messages.raw with these offsets instead of parsing the message on every FETCH. Rows
-- delivered before this column existed hold NULL; the IMAP service computes and stores the
-- value the first time such a message is fetched.
ALTER TABLE message_meta ADD COLUMN IF NOT EXISTS sections text;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'message_meta_sections_bounded') THEN
        ALTER TABLE message_meta ADD CONSTRAINT message_meta_sections_bounded
            CHECK (octet_length(sections) <= 262144);
    END IF;
END
$$;
