-- 032_quote_offer_json: offers are stored as json text, read as jsonb.
--
-- When every quote request differs, every quote stores a new offer of
-- ~22 KB.  Parsing that into jsonb was most of PostgreSQL's work per quote
-- (~180 us per offer with its lz4 TOAST, measured on 500 real offers); the
-- json type only checks the syntax and keeps the text (~70 us).  An offer
-- is written once and read by the bookings made from it (few: a forwarder
-- asks many quotes for each booking), so the parse moves to the read.
--
-- The table becomes corridor.quote_offer_stored (options json); the name
-- corridor.quote_offer is now a view with the same columns as before
-- (options jsonb), so booking_create (024, 025...) and operators' queries
-- read offers as they did.  The server writes to and answers GET from the
-- table.  quote.offer_id's foreign key follows the table.
ALTER TABLE corridor.quote_offer RENAME TO quote_offer_stored;
ALTER TABLE corridor.quote_offer_stored DROP CONSTRAINT quote_offer_options_check;
ALTER TABLE corridor.quote_offer_stored ALTER COLUMN options TYPE json USING options::json;
DO $$
BEGIN
    ALTER TABLE corridor.quote_offer_stored ALTER COLUMN options SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not supported by this PostgreSQL; offers stay pglz';
END $$;
ALTER TABLE corridor.quote_offer_stored
    ADD CONSTRAINT quote_offer_options_check CHECK (json_typeof(options) = 'array');

CREATE VIEW corridor.quote_offer AS
    SELECT id, created_at, options::jsonb AS options, request, fx
      FROM corridor.quote_offer_stored;
GRANT SELECT ON corridor.quote_offer TO corridor_app, corridor_operator;
GRANT SELECT ON corridor.quote_offer_stored TO corridor_operator;
