-- 024_quote_offers: a priced offer stored once, shared by the quotes that
-- got it.  Two quote requests with the same organization, request, pricing
-- day, data version and availability get the same options (the search is
-- deterministic), so the server keeps the options it rendered in memory and
-- stores them once, in corridor.quote_offer; every quote row then carries its
-- own id, times, request and FX and points at the offer (offer_id) instead
-- of holding another copy of ~22 KB of options.  A quote's options are
--     coalesce(quote.options, quote_offer.options)
-- (rows written before this migration, and quotes written by hand, keep
-- their own options; exactly one of the two is set).
--
-- booking_create reads the options that way from 025_bookings_short_locks.sql
-- on (025 replaces the whole function; no quote points at an offer before
-- the server that writes offers runs, and it runs after every migration).
CREATE TABLE corridor.quote_offer (
    id         uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    options    jsonb NOT NULL CHECK (jsonb_typeof(options) = 'array')
);
DO $$
BEGIN
    ALTER TABLE corridor.quote_offer ALTER COLUMN options SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not supported by this PostgreSQL; corridor.quote_offer.options stays pglz';
END $$;
GRANT SELECT, INSERT ON corridor.quote_offer TO corridor_app;

ALTER TABLE corridor.quote
    ADD COLUMN offer_id uuid NULL REFERENCES corridor.quote_offer (id),
    ALTER COLUMN options DROP NOT NULL,
    ADD CONSTRAINT quote_options_or_offer CHECK (num_nonnulls(options, offer_id) = 1);

-- A quote's options wherever they are stored (operators: see
-- sql/admin/README.md).
CREATE FUNCTION corridor.quote_options(q corridor.quote) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(q.options, (SELECT o.options FROM corridor.quote_offer o WHERE o.id = q.offer_id))
$$;
GRANT EXECUTE ON FUNCTION corridor.quote_options(corridor.quote) TO corridor_app, corridor_operator;
