-- 031_quote_rows_lean: a quote row that shares an offer holds only what is
-- its own.  Measured with the write-behind writer (server/quote_writer.c) at
-- ~14 000 quotes/s: PostgreSQL spent ~50 us per quote row, a third of it in
-- three foreign-key triggers and most of the rest in parsing and indexing
-- what every quote of one offer repeats.
--
-- 1. The request (normalized, members sorted) and the FX used move to the
--    offer: quotes that share an offer asked the same thing and were priced
--    with the same rates.  A quote's request and fx are
--        coalesce(quote.request, quote_offer.request)   (and fx alike).
-- 2. quote.org_code and quote.currency lose their foreign keys.  Quotes are
--    written by the server only (corridor_app; operators read), with the
--    organization of an authenticated API key (api_key.org_code references
--    org) and a currency of the pricing snapshot (loaded from
--    corridor.currency).  The offer a quote points at keeps its foreign key:
--    a booking reads its options there.
-- 3. quote_org_idx goes: nothing lists quotes by organization (a quote is
--    read by id, its organization checked on the row).
ALTER TABLE corridor.quote_offer
    ADD COLUMN request jsonb NULL,
    ADD COLUMN fx jsonb NULL;
ALTER TABLE corridor.quote
    DROP CONSTRAINT quote_org_code_fkey,
    DROP CONSTRAINT quote_currency_fkey;
DROP INDEX corridor.quote_org_idx;
