-- Quotes and the offers they share (migrations 024, 031, 032, 033): a quote
-- holds its own options or points at exactly one existing offer; an offer a
-- quote points at cannot be deleted; the options read the same through
-- corridor.quote_options(q) and the jsonb view, whichever way they are held.
DO $$
DECLARE
    o uuid := '01a22a00-0000-7000-8000-000000000001';
    q1 uuid := '01a22a00-0000-7000-8000-0000000000a1';
    q2 uuid := '01a22a00-0000-7000-8000-0000000000a2';
    opts text := '[{"option":1,"total":{"amount":"10.00","currency":"USD"}}]';
BEGIN
    INSERT INTO corridor.quote_offer_stored (id, options, request, fx)
    VALUES (o, opts::json, '{"origin":"KZALA"}', '{"date":"2026-01-01"}');
    -- many quotes, one statement, one offer
    INSERT INTO corridor.quote (id, org_code, expires_at, data_version, currency, offer_id)
    VALUES (q1, 'DEMOFWD', now() + interval '30 min', 1, 'USD', o),
           (q2, 'DEMOFWD', now() + interval '30 min', 1, 'USD', o);
    IF (SELECT count(*) FROM corridor.quote q
         WHERE q.id IN (q1, q2) AND corridor.quote_options(q) = opts::jsonb) <> 2 THEN
        RAISE EXCEPTION 'quote_options does not give the offer''s options';
    END IF;
    IF (SELECT options FROM corridor.quote_offer WHERE id = o) <> opts::jsonb THEN
        RAISE EXCEPTION 'the quote_offer view does not read the stored options';
    END IF;

    -- a quote pointing at no offer: refused, in a batch as alone
    BEGIN
        INSERT INTO corridor.quote (id, org_code, expires_at, data_version, currency, offer_id)
        VALUES (gen_random_uuid(), 'DEMOFWD', now(), 1, 'USD', o),
               (gen_random_uuid(), 'DEMOFWD', now(), 1, 'USD', gen_random_uuid());
        RAISE EXCEPTION 'a quote pointing at a missing offer was stored';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    BEGIN
        UPDATE corridor.quote SET offer_id = gen_random_uuid() WHERE id = q1;
        RAISE EXCEPTION 'a quote was pointed at a missing offer';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    -- neither options nor offer, or both: refused
    BEGIN
        INSERT INTO corridor.quote (org_code, expires_at, data_version, currency)
        VALUES ('DEMOFWD', now(), 1, 'USD');
        RAISE EXCEPTION 'a quote without options was stored';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, options, offer_id)
        VALUES ('DEMOFWD', now(), 1, 'USD', opts::jsonb, o);
        RAISE EXCEPTION 'a quote with options and an offer was stored';
    EXCEPTION WHEN check_violation THEN NULL;
    END;

    -- an offer in use stays; an unused one may go
    BEGIN
        DELETE FROM corridor.quote_offer_stored WHERE id = o;
        RAISE EXCEPTION 'an offer in use was deleted';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    DELETE FROM corridor.quote WHERE id IN (q1, q2);
    DELETE FROM corridor.quote_offer_stored WHERE id = o;
END $$;

-- The server's role may write offers and quotes but not delete offers;
-- operators only read.
DO $$
BEGIN
    IF NOT has_table_privilege('corridor_app', 'corridor.quote_offer_stored', 'INSERT')
       OR has_table_privilege('corridor_app', 'corridor.quote_offer_stored', 'DELETE')
       OR has_table_privilege('corridor_operator', 'corridor.quote_offer_stored', 'INSERT')
       OR NOT has_table_privilege('corridor_operator', 'corridor.quote_offer', 'SELECT') THEN
        RAISE EXCEPTION 'privileges on offers are not as they should be';
    END IF;
END $$;
